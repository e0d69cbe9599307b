/* A zone's servers: adding them, choosing one for each query, judging
 * their health against each other, and the probes waiting for them. */
#include "blogdom/zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bd_zone_new(struct bd_zone **out, const char *name,
                const struct bd_zone_config *cfg) {
  struct bd_zone *z = calloc(1, sizeof(*z));
  if (z == NULL)
    return -ENOMEM;
  z->cfg = *cfg;
  z->rotor = BD_ZONE_NONE;
  snprintf(z->name, sizeof(z->name), "%s", name);
  *out = z;
  return 0;
}

void bd_zone_free(struct bd_zone *z) {
  if (z == NULL)
    return;
  for (size_t i = 0; i < z->count; i++)
    z->servers[i]->zones--;
  free(z->servers);
  free(z->health);
  free(z);
}

/* Each server in use may have an equal share of the zone's concurrency,
 * and of the floor that a near server's window holds:
 * without it, the server whose answers happen to be read first in each
 * turn of the loop would take every free slot. A slower server still gets
 * fewer names a second, as its slots stay busy longer. */
static void share_concurrency(struct bd_zone *z) {
  const struct bd_peers_config *pc = &z->cfg.peers->cfg;
  unsigned n = (unsigned)(z->in_use ? z->in_use : 1);
  for (size_t i = 0; i < z->count; i++)
    bd_peer_share(z->servers[i], pc->window_max / n, pc->window_floor / n);
}

static int reserve(struct bd_zone *z) {
  size_t cap = z->cap ? 2 * z->cap : 4;
  struct bd_peer **servers;
  struct bd_health *health;

  if (z->count < z->cap)
    return 0;
  servers = realloc(z->servers, cap * sizeof(*servers));
  if (servers == NULL)
    return -ENOMEM;
  z->servers = servers;
  health = realloc(z->health, cap * sizeof(*health));
  if (health == NULL)
    return -ENOMEM;
  z->health = health;
  z->cap = cap;
  return 0;
}

int bd_zone_add_server(struct bd_zone *z, const struct bd_server *s) {
  struct bd_peer *p;
  int rc = bd_peers_get(z->cfg.peers, s, &p);

  if (rc != 0)
    return rc;
  for (size_t i = 0; i < z->count; i++)
    if (z->servers[i] == p)
      return (int)i;
  rc = reserve(z);
  if (rc != 0)
    return rc;
  p->zones++;
  memset(&z->health[z->count], 0, sizeof(z->health[0]));
  z->servers[z->count] = p;
  z->in_use++;
  z->count++;
  share_concurrency(z);
  return (int)z->count - 1;
}

size_t bd_zone_choose(const struct bd_zone *z, size_t after, uint64_t now_ns,
                      uint64_t *wait_ns) {
  size_t n = z->count;
  size_t start = after == BD_ZONE_NONE || after >= n ? n - 1 : after;
  uint64_t wait = 0;
  for (size_t k = 1; k <= n; k++) {
    size_t i = (start + k) % n;
    uint64_t delay;
    if (z->health[i].sidelined || !bd_peer_has_room(z->servers[i]))
      continue;
    delay = bd_peer_delay(z->servers[i], now_ns);
    if (delay == 0)
      return i;
    if (wait == 0 || delay < wait)
      wait = delay;
  }
  *wait_ns = wait;
  return BD_ZONE_NONE;
}

void bd_zone_sideline(struct bd_zone *z, size_t i) {
  if (z->health[i].sidelined)
    return;
  z->health[i].sidelined = true;
  z->in_use--;
  share_concurrency(z);
}

void bd_zone_record(struct bd_zone *z, size_t i, const struct bd_verdict *v,
                    uint64_t sent_ns, uint32_t send, uint64_t now) {
  bool transport = bd_verdict_is_transport_failure(v);

  bd_health_record(&z->health[i], transport || bd_verdict_is_server_failure(v));
  if (bd_health_should_sideline(z->health, z->count, i)) {
    bd_zone_sideline(z, i);
    if (z->cfg.on_sidelined != NULL)
      z->cfg.on_sidelined(z->cfg.data, z, i);
  }
  bd_peer_answered(z->servers[i], v, sent_ns, send, now);
}

bool bd_zone_unreachable(const struct bd_zone *z, uint64_t now_ns) {
  bool any = false;
  for (size_t i = 0; i < z->count; i++) {
    if (z->health[i].sidelined)
      continue;
    if (!bd_peer_silent_past_tries(z->servers[i], now_ns))
      return false;
    any = true;
  }
  return any;
}

unsigned bd_zone_window(const struct bd_zone *z) {
  unsigned max = z->cfg.peers->cfg.window_max;
  unsigned window = 0;
  for (size_t i = 0; i < z->count; i++)
    if (!z->health[i].sidelined)
      window += bd_window_size(&z->servers[i]->window);
  return window < max ? window : max;
}

void bd_zone_enqueue(struct bd_zone *z, struct bd_probe *p) {
  bd_probe_queue_push(p->start_ns != 0 ? &z->again : &z->queue, p);
}

struct bd_probe *bd_zone_next(const struct bd_zone *z) {
  return z->again.head != NULL ? z->again.head : z->queue.head;
}

struct bd_probe *bd_zone_dequeue(struct bd_zone *z) {
  struct bd_probe *p = bd_probe_queue_pop(&z->again);
  return p != NULL ? p : bd_probe_queue_pop(&z->queue);
}
