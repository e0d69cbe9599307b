/* A message waiting to go out: delayed by a rule, or held back because the
   UDP socket buffer was full. */
#ifndef FAULTD_OUTMSG_H
#define FAULTD_OUTMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct client; /* a TCP client, owned by the server loop */

struct outmsg {
  struct outmsg *next;          /* link in the UDP backlog */
  uint64_t due_ns;              /* when the timer queue releases it */
  uint64_t seq;                 /* keeps equal due times in arrival order */
  struct client *client;        /* TCP destination, or NULL for UDP */
  struct sockaddr_storage addr; /* UDP destination */
  socklen_t addr_len;
  bool close_after; /* TCP: send half of it, then close (tcp-close) */
  size_t len;
  uint8_t data[];
};

/* Copies data; all other fields start zeroed. */
struct outmsg *outmsg_new(const uint8_t *data, size_t len);

#endif
