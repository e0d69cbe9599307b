/* The addresses of a zone's name servers that came without glue. Each is
 * asked of the map like any other name, from the closest zone it knows,
 * and what it finds joins the zone that named the server; the probes that
 * wait for that zone go once it has a server, or once no lookup is left.
 * A lookup is never made to wait for another (mapzones.c's map_send_to). */
#include "blogdom/iterate.h"
#include "iterate_int.h"

#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"

void map_start_host_lookup(struct bd_iterate *it, struct entry *target,
                           const char *host) {
  struct bd_probe *p;
  if (strlen(host) > BD_NAME_MAX)
    return;
  p = it->ops.alloc(it->ops.data, BD_PROBE_HOST, host, strlen(host));
  if (p == NULL)
    return;
  p->qtype = BD_DNS_TYPE_A;
  p->route = target;
  target->lookups++;
  map_send_to(it, p, map_closest_zone(it, host));
}

/* A lookup of a name server's address is over, with or without one. */
void map_host_done(struct bd_iterate *it, struct bd_probe *p,
                   const struct bd_auth_judgement *j) {
  struct entry *target = p->route;
  if (j != NULL && j->nns > 0)
    for (size_t k = 0; k < j->ns[0].naddrs; k++)
      if (map_usable(it, &j->ns[0].addrs[k]))
        map_add_server(target, &j->ns[0].addrs[k]);
  target->lookups--;
  it->ops.release(it->ops.data, p);
  if (target->zone->in_use > 0 || target->lookups == 0)
    map_release_waiting(it, target);
}
