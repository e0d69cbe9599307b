/* The authoritative mode's starting point: the built-in root hints, and
 * whether this host has IPv6 connectivity to ask servers over. */
#ifndef BLOGDOM_ROOTHINTS_H
#define BLOGDOM_ROOTHINTS_H

#include <stdbool.h>

#include "blogdom/servers.h"

/* True when the host seems to have IPv6 connectivity: a route to a global
 * IPv6 address exists (connect(2) on a UDP socket sends nothing). */
bool bd_roothints_host_has_ipv6(void);

/* The built-in root hints (IANA's named.root): v4 and v6 addresses of the
 * 13 root servers, appended to list. Returns 0 or -ENOMEM. */
int bd_roothints_add(struct bd_server_list *list, bool ipv6);

#endif
