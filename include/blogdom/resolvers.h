/* The recursive mode's router: every name goes to one zone, the root,
 * served by the configured resolvers, and a resolver's answer is the
 * verdict. */
#ifndef BLOGDOM_RESOLVERS_H
#define BLOGDOM_RESOLVERS_H

#include <stddef.h>

#include "blogdom/router.h"
#include "blogdom/servers.h"

struct bd_resolvers_config {
  const struct bd_server *servers; /* at least one */
  size_t count;
};

/* A bd_router_open_fn; arg is a struct bd_resolvers_config. Returns 0,
 * -ENOMEM or -EINVAL (a server that cannot be used, said on stderr). */
int bd_resolvers_open(struct bd_router **out, const struct bd_zone_config *zc,
                      const struct bd_router_hooks *hooks, const void *arg);

#endif
