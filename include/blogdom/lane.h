/* A lane: one c-ares channel bound to one server, one try per query, its
 * sockets watched on the libuv loop. */
#ifndef BLOGDOM_LANE_H
#define BLOGDOM_LANE_H

#include <ares.h>
#include <stdbool.h>
#include <uv.h>

#include "blogdom/fdwatch.h"
#include "blogdom/netio.h"
#include "blogdom/servers.h"

/* The EDNS payload size advertised: RFC 9715's advice against
 * fragmentation. */
#define BD_EDNS_PAYLOAD 1232

struct bd_lane {
  ares_channel channel; /* NULL once destroyed */
  struct bd_netio netio;
  struct bd_fdwatch_list watches; /* the channel's sockets */
  void (*on_io)(void *data);      /* after c-ares has handled socket events */
  void *data;
};

/* Sets up lane for server s: every try waits exactly timeout_ms; no search
 * domains, no hosts file, nothing from the environment; over TCP when tcp
 * is true (c-ares pipelines queries on one connection), else UDP. A
 * truncated answer is handed back as it is (the engine decides where to
 * ask again). on_io(data) runs after each socket event. Returns 0,
 * -ENOMEM or -EINVAL. */
int bd_lane_init(struct bd_lane *lane, uv_loop_t *loop,
                 const struct bd_server *s, unsigned timeout_ms, bool tcp,
                 void (*on_io)(void *data), void *data);

/* Hands a socket event of a watch (fdwatch.h) to channel: c-ares reads
 * and writes what is ready (on an error, both: it finds the error
 * itself). For every c-ares channel on the loop, the lanes' and
 * whoisaddr.c's. */
void bd_lane_process_fd(ares_channel channel, uv_os_sock_t fd, int status,
                        int events);

/* Sends a query built by ares_create_query; cb runs once with its fate,
 * possibly before this returns (a send that fails at once). */
void bd_lane_send(struct bd_lane *lane, const unsigned char *query, int len,
                  ares_callback cb, void *arg);

/* Reads what waits in the lane's sockets, then lets c-ares end the queries
 * whose time is up. */
void bd_lane_expire(struct bd_lane *lane);

/* Ends every query in flight with ARES_ECANCELLED: the server is silent,
 * and they are written off. Not from inside a c-ares callback. */
void bd_lane_cancel(struct bd_lane *lane);

/* The errno of a failure on this host since the last call (see netio.h),
 * or 0; clears it. */
int bd_lane_take_local_errno(struct bd_lane *lane);

/* Ends every query (ARES_EDESTRUCTION) and closes the sockets and their
 * watches. Not from inside a c-ares callback. Safe to call twice. */
void bd_lane_destroy(struct bd_lane *lane);

#endif
