/* The authoritative mode's map of zones: each zone found by following
 * referrals from the root, its servers (from the glue, or from lookups of
 * the name servers that came without any), and the probes that wait for
 * its first server. A probe is sent to a zone here: at once when the zone
 * has a server in use, later when one may still come, else it fails with
 * the zone's reason. A delegated name's zone goes once no probe uses it. */
#include "blogdom/iterate.h"
#include "iterate_int.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/auth.h"
#include "blogdom/msg.h"
#include "blogdom/zone.h"

/* A zone's name server names looked up at most, when none came with glue:
 * a few answering servers are enough to ask a zone. */
#define MAX_HOST_LOOKUPS 4

/* ---- zones ----------------------------------------------------------- */

const char *map_zone_name(const struct bd_zone *z) {
  return z->name[0] != '\0' ? z->name : ".";
}

struct entry *map_find_zone(struct bd_iterate *it, const char *name) {
  for (struct entry *e = it->zones[hash(name)]; e != NULL; e = e->next)
    if (strcmp(e->zone->name, name) == 0)
      return e;
  return NULL;
}

struct entry *map_add_zone(struct bd_iterate *it, const char *name,
                           bool transient) {
  struct entry *e = calloc(1, sizeof(*e));
  size_t b = hash(name);

  if (e == NULL)
    return NULL;
  if (bd_zone_new(&e->zone, name, &it->zone_cfg) != 0) {
    free(e);
    return NULL;
  }
  e->failure = BD_REASON_LAME;
  e->transient = transient;
  e->next = it->zones[b];
  it->zones[b] = e;
  return e;
}

void map_doom(struct bd_iterate *it, struct entry *e) {
  if (e->transient && !e->doomed && e->zone->users == 0) {
    e->doomed = true;
    e->dead = it->doomed;
    it->doomed = e;
  }
}

/* p is asked of zone z from now on (NULL: of none). A transient zone
 * that no probe uses any more is swept at the next map_sweep, from
 * the top of an event: the engine may hold it while it sends. */
void map_use_zone(struct bd_iterate *it, struct bd_probe *p,
                  struct bd_zone *z) {
  struct bd_zone *old = p->zone;
  struct entry *e;

  if (old == z)
    return;
  if (z != NULL)
    z->users++;
  p->zone = z;
  if (old == NULL || --old->users > 0)
    return;
  e = map_find_zone(it, old->name);
  if (e != NULL)
    map_doom(it, e);
}

void map_forget(struct bd_iterate *it, struct bd_probe *p) {
  map_use_zone(it, p, NULL);
}

static void unlink_zone(struct bd_iterate *it, struct entry *e) {
  struct entry **at = &it->zones[hash(e->zone->name)];
  while (*at != e)
    at = &(*at)->next;
  *at = e->next;
  bd_zone_free(e->zone);
  free(e);
}

void map_sweep(struct bd_iterate *it) {
  struct entry *finding = NULL;
  struct entry *e;
  while ((e = it->doomed) != NULL) {
    it->doomed = e->dead;
    if (e->zone->users > 0) {
      e->doomed = false; /* used again since: doomed when let go */
    } else if (e->lookups > 0) {
      e->dead = finding; /* still finding its servers: looked at again */
      finding = e;
    } else {
      unlink_zone(it, e);
    }
  }
  it->doomed = finding;
}

/* The deepest zone of the map that name is in: where to start asking. */
struct entry *map_closest_zone(struct bd_iterate *it, const char *name) {
  const char *p = name;
  for (;;) {
    struct entry *e = map_find_zone(it, p);
    if (e != NULL)
      return e;
    p = strchr(p, '.');
    if (p == NULL)
      return it->root;
    p++;
  }
}

/* IPv6 addresses only with IPv6 connectivity, or on this host. */
bool map_usable(const struct bd_iterate *it, const struct bd_server *s) {
  static const unsigned char loopback[16] = {[15] = 1};
  return s->family == AF_INET || it->cfg.ipv6 ||
         memcmp(s->addr.v6, loopback, 16) == 0;
}

/* Adds a server to a zone, unless it has it already. */
void map_add_server(struct entry *e, const struct bd_server *s) {
  struct bd_zone *z = e->zone;
  if (bd_zone_add_server(z, s) < 0)
    bd_warnf("cannot use server %s for zone %s", s->text, map_zone_name(z));
}

/* The zone has a server again, or never will: what waited for it goes. */
void map_release_waiting(struct bd_iterate *it, struct entry *e) {
  struct bd_probe_queue q = e->waiting;
  struct bd_probe *p;
  e->waiting.head = e->waiting.tail = NULL;
  while ((p = bd_probe_queue_pop(&q)) != NULL)
    map_send_to(it, p, e);
}

/* Fills a zone from a referral: the glue's addresses, and lookups for the
 * name servers that came without any. */
static void fill_zone(struct bd_iterate *it, struct entry *e,
                      const struct bd_auth_judgement *j) {
  size_t lookups = 0;
  for (size_t i = 0; i < j->nns; i++)
    for (size_t k = 0; k < j->ns[i].naddrs; k++)
      if (map_usable(it, &j->ns[i].addrs[k]))
        map_add_server(e, &j->ns[i].addrs[k]);
  if (e->zone->in_use > 0) {
    map_release_waiting(it, e);
    return;
  }
  for (size_t i = 0; i < j->nns && lookups < MAX_HOST_LOOKUPS; i++) {
    /* A name server inside its own zone without glue cannot be found. */
    if (bd_auth_in_zone(j->ns[i].name, e->zone->name))
      continue;
    map_start_host_lookup(it, e, j->ns[i].name);
    lookups++;
  }
  if (e->lookups == 0)
    map_release_waiting(it, e); /* nothing will come: they fail */
}

/* A referral names a zone: the map's entry for it, made and filled on
 * first sight. */
struct entry *map_zone_from(struct bd_iterate *it,
                            const struct bd_auth_judgement *j, bool transient) {
  struct entry *e = map_find_zone(it, j->zone);
  if (e != NULL)
    return e;
  e = map_add_zone(it, j->zone, transient);
  if (e != NULL)
    fill_zone(it, e, j);
  return e;
}

/* ---- sending --------------------------------------------------------- */

/* Sends p to a zone: now if the zone has a server in use, later if one
 * may still come, else p fails with the zone's reason. */
void map_send_to(struct bd_iterate *it, struct bd_probe *p, struct entry *e) {
  map_use_zone(it, p, e->zone);
  p->server = BD_ZONE_NONE;
  if (e->zone->in_use > 0) {
    it->ops.queue(it->ops.data, p);
    return;
  }
  /* A lookup never waits for another lookup: two zones whose servers are
   * named only in each other would wait for ever. */
  if (e->lookups > 0 && p->kind != BD_PROBE_HOST) {
    if (p->state != BD_PROBE_PARKED)
      it->ops.park(it->ops.data, p);
    bd_probe_queue_push(&e->waiting, p);
    return;
  }
  map_fail_probe(it, p, e->failure);
}
