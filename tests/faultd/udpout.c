/* UDP sending in batches that never loses an answer: answers are staged
   and go out together with one sendmmsg(2); what the socket refuses waits
   in a FIFO backlog until the socket is writable again. */
#include "udpout.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void udpout_init(struct udpout *out, int fd) {
  memset(out, 0, sizeof *out);
  out->fd = fd;
}

static bool retry_later(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
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
    if (retry_later(errno))
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

static void enqueue_copy(struct udpout *out,
                         const struct sockaddr_storage *addr,
                         socklen_t addr_len, const uint8_t *data, size_t len) {
  struct outmsg *msg = outmsg_new(data, len);
  memcpy(&msg->addr, addr, addr_len);
  msg->addr_len = addr_len;
  enqueue(out, msg);
}

static void stage(struct udpout *out, const struct sockaddr_storage *addr,
                  socklen_t addr_len, const uint8_t *data, size_t len) {
  if (out->staged == UDPOUT_BATCH || out->arena_used + len > UDPOUT_ARENA)
    udpout_commit(out);
  /* The commit may have filled the backlog; order comes first. */
  if (out->head || len > UDPOUT_ARENA) {
    enqueue_copy(out, addr, addr_len, data, len);
    return;
  }
  size_t i = out->staged++;
  uint8_t *copy = out->arena + out->arena_used;
  memcpy(copy, data, len);
  out->arena_used += len;
  memcpy(&out->addrs[i], addr, addr_len);
  out->iovs[i] = (struct iovec){.iov_base = copy, .iov_len = len};
  out->msgs[i].msg_hdr = (struct msghdr){.msg_name = &out->addrs[i],
                                         .msg_namelen = addr_len,
                                         .msg_iov = &out->iovs[i],
                                         .msg_iovlen = 1};
}

void udpout_send(struct udpout *out, const struct sockaddr_storage *addr,
                 socklen_t addr_len, const uint8_t *data, size_t len) {
  /* While a backlog exists everything joins it, so answers keep their
     order; only that slow path allocates. */
  if (out->head)
    enqueue_copy(out, addr, addr_len, data, len);
  else
    stage(out, addr, addr_len, data, len);
}

void udpout_send_msg(struct udpout *out, struct outmsg *msg) {
  if (out->head) {
    enqueue(out, msg);
    return;
  }
  stage(out, &msg->addr, msg->addr_len, msg->data, msg->len);
  free(msg);
}

void udpout_commit(struct udpout *out) {
  size_t done = 0;
  while (done < out->staged) {
    int n =
        sendmmsg(out->fd, out->msgs + done, (unsigned)(out->staged - done), 0);
    if (n > 0) {
      done += (size_t)n;
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && !retry_later(errno)) {
      /* sendmmsg reports the error of the first datagram it could not
         send; skip that one, as try_send does. */
      fprintf(stderr, "faultd: sendmmsg: %s (answer not sent)\n",
              strerror(errno));
      done++;
      continue;
    }
    /* The socket is full: the rest waits, in order, in the backlog. */
    for (; done < out->staged; done++)
      enqueue_copy(out, &out->addrs[done], out->msgs[done].msg_hdr.msg_namelen,
                   out->iovs[done].iov_base, out->iovs[done].iov_len);
  }
  out->staged = 0;
  out->arena_used = 0;
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
  out->staged = 0;
  out->arena_used = 0;
}
