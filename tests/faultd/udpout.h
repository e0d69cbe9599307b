/* UDP sending that never loses an answer: what the socket refuses now
   waits in a FIFO backlog until the socket is writable again. */
#ifndef FAULTD_UDPOUT_H
#define FAULTD_UDPOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "outmsg.h"

struct udpout {
  int fd;
  struct outmsg *head;
  struct outmsg *tail;
  size_t backlog_len;
};

void udpout_init(struct udpout *out, int fd);
void udpout_send(struct udpout *out, const struct sockaddr_storage *addr,
                 socklen_t addr_len, const uint8_t *data, size_t len);
/* Like udpout_send, but for a message that is already allocated; takes
   ownership of msg. */
void udpout_send_msg(struct udpout *out, struct outmsg *msg);
/* Sends as much of the backlog as the socket takes now. */
void udpout_flush(struct udpout *out);
/* Frees the backlog without sending it. */
void udpout_free(struct udpout *out);

#endif
