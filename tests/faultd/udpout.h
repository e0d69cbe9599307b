/* UDP sending in batches that never loses an answer: answers are staged
   and go out together with one sendmmsg(2); what the socket refuses waits
   in a FIFO backlog until the socket is writable again. */
#ifndef FAULTD_UDPOUT_H
#define FAULTD_UDPOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "outmsg.h"

enum {
  UDPOUT_BATCH = 64,       /* datagrams per sendmmsg */
  UDPOUT_ARENA = 64 * 1024 /* bytes of staged answers */
};

struct udpout {
  int fd;
  /* Staged answers, sent by udpout_commit. Only staged while the backlog
     is empty, so the two never hold answers at the same time. */
  size_t staged;
  size_t arena_used;
  struct mmsghdr msgs[UDPOUT_BATCH];
  struct iovec iovs[UDPOUT_BATCH];
  struct sockaddr_storage addrs[UDPOUT_BATCH];
  uint8_t arena[UDPOUT_ARENA];
  /* Answers the socket refused, oldest first. */
  struct outmsg *head;
  struct outmsg *tail;
  size_t backlog_len;
};

void udpout_init(struct udpout *out, int fd);
/* Queues a copy of the answer behind every earlier one. It leaves by the
   next udpout_commit at the latest, or later from the backlog. */
void udpout_send(struct udpout *out, const struct sockaddr_storage *addr,
                 socklen_t addr_len, const uint8_t *data, size_t len);
/* Like udpout_send, but for a message that is already allocated; takes
   ownership of msg. */
void udpout_send_msg(struct udpout *out, struct outmsg *msg);
/* Sends the staged answers now; what the socket refuses joins the
   backlog. Call it before waiting for events. */
void udpout_commit(struct udpout *out);
/* Sends as much of the backlog as the socket takes now. */
void udpout_flush(struct udpout *out);
/* Frees the backlog and the staged answers without sending them. */
void udpout_free(struct udpout *out);

#endif
