/* The authoritative mode's map of zones, as the engine's router: which
 * zone holds the names under each public suffix, found by following
 * referrals from the root; each zone's servers, from glue or by looking up
 * their names the same way. Names wait for their zone's servers, not for
 * the whole input. */
#ifndef BLOGDOM_ITERATE_H
#define BLOGDOM_ITERATE_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/router.h"
#include "blogdom/servers.h"

struct bd_iterate_config {
  const struct bd_server *roots; /* the root zone's servers */
  size_t nroots;
  bool ipv6; /* use IPv6 addresses of servers */
  /* Stages ask about the names (--for-sale, -A --type): a delegated
   * name's own zone is kept for their questions. */
  bool keep_delegations;
};

/* A bd_router_open_fn; arg is a struct bd_iterate_config. Returns 0,
 * -ENOMEM or -EINVAL (no usable root server, said on stderr). With no
 * root server that ever answered and none left, the router's fatal says
 * so and hooks' stop is called: nothing can be judged. */
int bd_iterate_open(struct bd_router **out, const struct bd_zone_config *zc,
                    const struct bd_router_hooks *hooks, const void *arg);

#endif
