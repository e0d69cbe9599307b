/* The resolvers as the engine's router: one zone for every name, and what
 * a resolver answers is the name's verdict. */
#include "blogdom/resolvers.h"

#include <ares.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/msg.h"

/* Names that may wait for the resolvers' windows: a turn's worth keeps
 * them fed; no name can go past another, as all go to one zone. */
#define HOLD 512

struct resolvers {
  struct bd_router router;
  struct bd_router_hooks hooks;
  struct bd_zone *zone;
};

static struct resolvers *of(struct bd_router *r) {
  return container_of(r, struct resolvers, router);
}

/* A vetting query keeps the server it is pinned to. */
static void route(struct bd_router *r, struct bd_probe *p) {
  struct resolvers *rs = of(r);
  p->zone = rs->zone;
  rs->hooks.queue(rs->hooks.data, p);
}

static void answer(struct bd_router *r, struct bd_probe *p,
                   const unsigned char *abuf, size_t alen,
                   const struct bd_verdict *v) {
  struct resolvers *rs = of(r);
  (void)abuf;
  (void)alen;
  rs->hooks.finish(rs->hooks.data, p, v);
}

static void gave_up(struct bd_router *r, struct bd_probe *p,
                    const struct bd_verdict *v) {
  struct resolvers *rs = of(r);
  rs->hooks.finish(rs->hooks.data, p, v);
}

/* Vetting that leaves no resolver stops the run before anything waits;
 * should a probe wait all the same, no server is left to reach. */
static void resend(struct bd_router *r, struct bd_probe *p) {
  struct resolvers *rs = of(r);
  struct bd_verdict v;
  bd_verdict_from_status(ARES_ECONNREFUSED, &v);
  rs->hooks.finish(rs->hooks.data, p, &v);
}

static void forget(struct bd_router *r, struct bd_probe *p) {
  (void)r;
  (void)p;
}

static void sweep(struct bd_router *r) {
  (void)r;
}

/* A resolver answers for every TLD alike: a name's checks are its TLD's. */
static const char *check_group(const struct bd_router *r, const char *name) {
  const char *dot = strrchr(name, '.');
  (void)r;
  return dot != NULL ? dot + 1 : name;
}

static const char *zone_name(const struct bd_router *r,
                             const struct bd_zone *z) {
  (void)r;
  (void)z;
  return NULL;
}

static struct bd_zone *resolvers_zone(const struct bd_router *r) {
  return const_container_of(r, struct resolvers, router)->zone;
}

static const char *fatal(const struct bd_router *r) {
  (void)r;
  return NULL;
}

static void free_router(struct bd_router *r) {
  struct resolvers *rs = of(r);
  bd_zone_free(rs->zone);
  free(rs);
}

static const struct bd_router_ops ops = {
    route,       answer,    gave_up,        resend, forget,     sweep,
    check_group, zone_name, resolvers_zone, fatal,  free_router};

int bd_resolvers_open(struct bd_router **out, const struct bd_zone_config *zc,
                      const struct bd_router_hooks *hooks, const void *arg) {
  const struct bd_resolvers_config *cfg = arg;
  struct resolvers *rs = calloc(1, sizeof(*rs));
  int rc;

  *out = NULL;
  if (rs == NULL)
    return -ENOMEM;
  rs->router.ops = &ops;
  rs->router.recursion_desired = true;
  rs->router.hold = HOLD;
  rs->hooks = *hooks;
  *out = &rs->router; /* from here on, ops.free undoes it */
  rc = bd_zone_new(&rs->zone, "", zc);
  for (size_t i = 0; rc == 0 && i < cfg->count; i++) {
    rc = bd_zone_add_server(rs->zone, &cfg->servers[i]);
    if (rc == -EINVAL)
      bd_errorf("cannot use server %s", cfg->servers[i].text);
    rc = rc < 0 ? rc : 0;
  }
  return rc;
}
