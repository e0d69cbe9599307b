/* A router: where a probe is asked, and what a response to it means. It
 * is the engine's one view of the mode it runs in, a small table of
 * functions as curl's protocol handlers are: the pump asks the router
 * where a name goes and never which mode it is in. Two exist: the
 * resolvers (resolvers.c), one zone served by the configured resolvers
 * whose answer is the verdict, and the map (iterate.c), which follows
 * referrals from the root to the zone of each name. */
#ifndef BLOGDOM_ROUTER_H
#define BLOGDOM_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/probe.h"
#include "blogdom/verdict.h"
#include "blogdom/zone.h"

/* What a router needs of the engine. */
struct bd_router_hooks {
  void *data;
  /* p (QUEUED or PARKED, p->zone set) waits in its zone's queue. */
  void (*queue)(void *data, struct bd_probe *p);
  /* p, a name, a check or a stage's question, has its DNS verdict. */
  void (*finish)(void *data, struct bd_probe *p, const struct bd_verdict *v);
  /* A new probe of kind for name (len bytes), QUEUED, for a lookup of the
   * router's own; NULL if out of memory. */
  struct bd_probe *(*alloc)(void *data, enum bd_probe_kind kind,
                            const char *name, size_t len);
  /* A lookup of the router's own is over: frees p. */
  void (*release)(void *data, struct bd_probe *p);
  /* p waits (PARKED) for what the router must find first. */
  void (*park)(void *data, struct bd_probe *p);
  /* Nothing can be judged any more (the router's fatal says why). */
  void (*stop)(void *data);
};

struct bd_router;

struct bd_router_ops {
  /* Sends p toward the zone that answers for it: queued there, parked
   * until that zone is known, or finished at once when it cannot be. */
  void (*route)(struct bd_router *r, struct bd_probe *p);
  /* A response to p's try from p->zone's server p->server (v: what it
   * says as a verdict). */
  void (*answer)(struct bd_router *r, struct bd_probe *p,
                 const unsigned char *abuf, size_t alen,
                 const struct bd_verdict *v);
  /* p got no usable response within its tries (v says why). */
  void (*gave_up)(struct bd_router *r, struct bd_probe *p,
                  const struct bd_verdict *v);
  /* p waited in the queue of a zone with no server in use any more. */
  void (*resend)(struct bd_router *r, struct bd_probe *p);
  /* p is freed (it may hold its zone). */
  void (*forget)(struct bd_router *r, struct bd_probe *p);
  /* From the top of an event: frees what no probe uses any more. */
  void (*sweep)(struct bd_router *r);
  /* The part of a name that its TLD checks are made for: its TLD, or its
   * public suffix where each suffix has a zone of its own. */
  const char *(*check_group)(const struct bd_router *r, const char *name);
  /* The zone a line names ("dev", "." for the root), or NULL for none. */
  const char *(*zone_name)(const struct bd_router *r, const struct bd_zone *z);
  /* The zone of resolvers that vetting judges, or NULL. */
  struct bd_zone *(*resolvers)(const struct bd_router *r);
  /* Why nothing can be judged, or NULL. */
  const char *(*fatal)(const struct bd_router *r);
  /* After the peers' lanes are closed and the loop has run. */
  void (*free)(struct bd_router *r);
};

struct bd_router {
  const struct bd_router_ops *ops;
  bool recursion_desired; /* RD on queries: a resolver is asked */
  /* Any response is an answer as far as a server's window and health go:
   * the router judges what it says (a referral, a lame answer). */
  bool judges_responses;
  /* Names that may wait in the zones' queues (QUEUED or PARKED) before
   * no more are taken: as many as a dead zone may hold while the names
   * of others go past it. */
  size_t hold;
};

/* Opens a router over the peers and callbacks of zc and hooks; arg is the
 * router's own configuration. Returns 0 or a negative errno value, and
 * says why on stderr. */
typedef int (*bd_router_open_fn)(struct bd_router **out,
                                 const struct bd_zone_config *zc,
                                 const struct bd_router_hooks *hooks,
                                 const void *arg);

#endif
