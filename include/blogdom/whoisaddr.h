/* The addresses of WHOIS servers named by host name: asked of the run's
 * own resolvers (-s, -r, or the system's) with c-ares on the caller's
 * libuv loop, never of anything the user did not choose. */
#ifndef BLOGDOM_WHOISADDR_H
#define BLOGDOM_WHOISADDR_H

#include <stddef.h>
#include <sys/socket.h>
#include <uv.h>

#include "blogdom/servers.h"

struct bd_whoisaddr;

/* The answer for one host: status is 0 and addr its first address (valid
 * during the call only), or a c-ares error code (ARES_ENOTFOUND,
 * ARES_ETIMEOUT, ARES_EDESTRUCTION at close, ...) and addr NULL. */
typedef void (*bd_whoisaddr_cb)(void *arg, int status,
                                const struct sockaddr *addr);

/* A resolver asking servers[0..n) (copied), each try waiting timeout_ms.
 * Returns 0, -ENOMEM or -EINVAL (no server). It keeps no handle active
 * while nothing is asked. */
int bd_whoisaddr_new(struct bd_whoisaddr **out, uv_loop_t *loop,
                     const struct bd_server *servers, size_t n,
                     unsigned timeout_ms);

/* Asks for host's addresses (IPv4 and IPv6). cb(arg, ...) is called once,
 * from the loop or, when the question cannot be sent, from in here. */
void bd_whoisaddr_resolve(struct bd_whoisaddr *r, const char *host,
                          bd_whoisaddr_cb cb, void *arg);

/* Ends what is asked (cb with ARES_EDESTRUCTION, now) and closes the
 * handles: the loop must run before bd_whoisaddr_free(). */
void bd_whoisaddr_close(struct bd_whoisaddr *r);

/* Releases it, after close and a uv_run() since; NULL is fine. */
void bd_whoisaddr_free(struct bd_whoisaddr *r);

#endif
