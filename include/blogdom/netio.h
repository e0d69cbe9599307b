/* The sockets c-ares opens, made by us: non-blocking, close-on-exec, with
 * large buffers, and telling failures on this host from a silent server. */
#ifndef BLOGDOM_NETIO_H
#define BLOGDOM_NETIO_H

#include <ares.h>

struct bd_netio {
  int rcvbuf; /* SO_RCVBUF for UDP sockets, 0 to leave the default */
  int sndbuf;
  /* errno of the last socket(2) or send that failed on this host (EMFILE,
   * EAGAIN, ENOBUFS...), 0 if none since it was last cleared. c-ares
   * reports those as ARES_ECONNREFUSED, like a server that refused. */
  int local_errno;
};

/* The function table for ares_set_socket_functions(); the user data is a
 * struct bd_netio. */
const struct ares_socket_functions *bd_netio_functions(void);

#endif
