/* UDP sending that never loses an answer: what the socket refuses now
   waits in a FIFO backlog until the socket is writable again. */
#include "udpout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void udpout_init(struct udpout *out, int fd) {
  memset(out, 0, sizeof *out);
  out->fd = fd;
}

/* False means "try again later"; hard errors are reported and count as
   done, because retrying them would never succeed. */
static bool try_send(int fd, const struct sockaddr_storage *addr,
                     socklen_t addr_len, const uint8_t *data, size_t len) {
  for (;;) {
    if (sendto(fd, data, len, 0, (const struct sockaddr *)addr, addr_len) >= 0)
      return true;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
      return false;
    fprintf(stderr, "faultd: sendto: %s (answer not sent)\n", strerror(errno));
    return true;
  }
}

static void enqueue(struct udpout *out, struct outmsg *msg) {
  msg->next = NULL;
  if (out->tail)
    out->tail->next = msg;
  else
    out->head = msg;
  out->tail = msg;
  out->backlog_len++;
}

void udpout_send(struct udpout *out, const struct sockaddr_storage *addr,
                 socklen_t addr_len, const uint8_t *data, size_t len) {
  /* Only the slow path allocates: a copy for the backlog. While a backlog
     exists everything joins it, so answers keep their order. */
  if (!out->head && try_send(out->fd, addr, addr_len, data, len))
    return;
  struct outmsg *msg = outmsg_new(data, len);
  memcpy(&msg->addr, addr, addr_len);
  msg->addr_len = addr_len;
  enqueue(out, msg);
}

void udpout_send_msg(struct udpout *out, struct outmsg *msg) {
  if (!out->head &&
      try_send(out->fd, &msg->addr, msg->addr_len, msg->data, msg->len)) {
    free(msg);
    return;
  }
  enqueue(out, msg);
}

void udpout_flush(struct udpout *out) {
  while (out->head) {
    struct outmsg *msg = out->head;
    if (!try_send(out->fd, &msg->addr, msg->addr_len, msg->data, msg->len))
      return;
    out->head = msg->next;
    if (!out->head)
      out->tail = NULL;
    out->backlog_len--;
    free(msg);
  }
}

void udpout_free(struct udpout *out) {
  while (out->head) {
    struct outmsg *msg = out->head;
    out->head = msg->next;
    free(msg);
  }
  out->tail = NULL;
  out->backlog_len = 0;
}
