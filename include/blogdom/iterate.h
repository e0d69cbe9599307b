/* The authoritative mode's map of zones: which zone holds the names under
 * each public suffix, found by following referrals from the root; each
 * zone's servers, from glue or by looking up their names the same way.
 * Names wait for their zone's servers, not for the whole input. */
#ifndef BLOGDOM_ITERATE_H
#define BLOGDOM_ITERATE_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "blogdom/probe.h"
#include "blogdom/servers.h"
#include "blogdom/verdict.h"
#include "blogdom/zone.h"

/* What the map needs of the engine. */
struct bd_iterate_ops {
  void *data;
  /* Queues p (in state QUEUED or PARKED) to be asked of p->zone. */
  void (*send)(void *data, struct bd_probe *p);
  /* p, a name or a check, has its DNS verdict. */
  void (*finish)(void *data, struct bd_probe *p, const struct bd_verdict *v);
  /* A new probe of kind for name (len bytes), QUEUED, for a lookup of the
   * map's own; NULL if out of memory. */
  struct bd_probe *(*alloc)(void *data, enum bd_probe_kind kind,
                            const char *name, size_t len);
  /* A lookup of the map's own is over: frees p. */
  void (*release)(void *data, struct bd_probe *p);
  /* p waits (PARKED) for its zone's servers. */
  void (*park)(void *data, struct bd_probe *p);
  /* No root server ever answered, and none is left: nothing can be
   * judged (bd_iterate_fatal says why). */
  void (*stop)(void *data);
};

struct bd_iterate_config {
  const struct bd_server *roots; /* the root zone's servers */
  size_t nroots;
  bool ipv6;                  /* use IPv6 addresses of servers */
  struct bd_zone_config zone; /* of every zone of the map: the peers */
};

struct bd_iterate;

/* Returns 0, or -ENOMEM or -EINVAL (no usable root server). */
int bd_iterate_new(struct bd_iterate **out, const struct bd_iterate_config *cfg,
                   const struct bd_iterate_ops *ops);

/* Frees the map and its zones (their servers are the peers' registry's). */
void bd_iterate_free(struct bd_iterate *it);

/* Why the map cannot judge anything (no root server ever answered, none
 * is left), or NULL. */
const char *bd_iterate_fatal(const struct bd_iterate *it);

/* The public suffix a name is judged under ("" when it has none). */
const char *bd_iterate_suffix_of(const struct bd_probe *p);

/* Sends a name (or a check under a suffix) toward the zone that holds its
 * suffix: at once when that zone and a server of it are known, else when
 * they are. */
void bd_iterate_route(struct bd_iterate *it, struct bd_probe *p);

/* A response to p came from server p->server of p->zone: the map judges
 * it (auth.c) and acts: a verdict for a name, a zone found, a server
 * sidelined and p asked again elsewhere, ... */
void bd_iterate_answer(struct bd_iterate *it, struct bd_probe *p,
                       const unsigned char *abuf, size_t alen);

/* p got no usable response within its tries (v says why). */
void bd_iterate_gave_up(struct bd_iterate *it, struct bd_probe *p,
                        const struct bd_verdict *v);

/* p waits in the queue for a zone that has no server in use any more:
 * it waits for one to come, or fails with the zone's reason. */
void bd_iterate_resend(struct bd_iterate *it, struct bd_probe *p);

/* p is freed: the zone it was asked of has one user fewer (the map's
 * zones for delegated names go once they have none). */
void bd_iterate_forget(struct bd_iterate *it, struct bd_probe *p);

/* Frees the delegated names' zones that no probe uses any more. From the
 * top of an event, where no zone is held by the engine. */
void bd_iterate_sweep(struct bd_iterate *it);

/* The zone's name as JSON shows it: "dev", "." for the root. */
const char *bd_iterate_zone_name(const struct bd_zone *z);

#endif
