/* Listening sockets: UDP and TCP bound to one port, and the port file. */
#ifndef FAULTD_SOCKETS_H
#define FAULTD_SOCKETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Accepts an IPv4 or IPv6 literal. */
bool sockets_parse_addr(const char *text, struct sockaddr_storage *addr,
                        socklen_t *addr_len);

/* Binds non-blocking UDP and listening TCP sockets on addr:port; port 0
   picks a port free for both. On failure returns false with err set. */
bool sockets_bind_pair(const struct sockaddr_storage *addr, socklen_t addr_len,
                       uint16_t port, int *udp_fd, int *tcp_fd,
                       uint16_t *bound_port, char *err, size_t err_len);

/* Writes "PORT\n" to path.tmp and renames it over path, so a reader
   never sees a half-written file. */
bool sockets_write_port_file(const char *path, uint16_t port);

#endif
