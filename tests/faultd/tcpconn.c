/* One TCP stream: 2-byte length-prefixed messages in, buffered writes out.
   Knows nothing of epoll or DNS. */
#include "tcpconn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xalloc.h"

enum {
  IN_INITIAL_CAP = 4096,
  /* The largest possible message with its prefix always fits, so a full
     buffer always holds a complete message to consume. */
  IN_MAX_CAP = 2 + 65535
};

void tcp_conn_init(struct tcp_conn *conn, int fd) {
  memset(conn, 0, sizeof *conn);
  conn->fd = fd;
}

static void make_room_to_read(struct tcp_conn *conn) {
  if (conn->in_off > 0) {
    memmove(conn->in, conn->in + conn->in_off, conn->in_len - conn->in_off);
    conn->in_len -= conn->in_off;
    conn->in_off = 0;
  }
  if (conn->in_len < conn->in_cap)
    return;
  size_t cap = conn->in_cap ? conn->in_cap * 2 : IN_INITIAL_CAP;
  conn->in_cap = cap < IN_MAX_CAP ? cap : IN_MAX_CAP;
  conn->in = xrealloc(conn->in, conn->in_cap);
}

enum tcp_io tcp_conn_read(struct tcp_conn *conn) {
  make_room_to_read(conn);
  for (;;) {
    ssize_t n =
        read(conn->fd, conn->in + conn->in_len, conn->in_cap - conn->in_len);
    if (n > 0) {
      conn->in_len += (size_t)n;
      return TCP_IO_DONE;
    }
    if (n == 0)
      return TCP_IO_EOF;
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return TCP_IO_AGAIN;
    return TCP_IO_ERROR;
  }
}

bool tcp_conn_next_message(struct tcp_conn *conn, const uint8_t **msg,
                           size_t *len) {
  size_t avail = conn->in_len - conn->in_off;
  if (avail < 2)
    return false;
  const uint8_t *start = conn->in + conn->in_off;
  size_t msg_len = (size_t)start[0] << 8 | start[1];
  if (avail - 2 < msg_len)
    return false;
  *msg = start + 2;
  *len = msg_len;
  conn->in_off += 2 + msg_len;
  return true;
}

static void reserve_output(struct tcp_conn *conn, size_t more) {
  if (conn->out_off > 0) {
    memmove(conn->out, conn->out + conn->out_off,
            conn->out_len - conn->out_off);
    conn->out_len -= conn->out_off;
    conn->out_off = 0;
  }
  if (conn->out_cap - conn->out_len >= more)
    return;
  size_t cap = conn->out_cap ? conn->out_cap : 4096;
  while (cap - conn->out_len < more)
    cap *= 2;
  conn->out = xrealloc(conn->out, cap);
  conn->out_cap = cap;
}

void tcp_conn_queue(struct tcp_conn *conn, const uint8_t *msg, size_t len,
                    size_t send_len) {
  reserve_output(conn, 2 + send_len);
  conn->out[conn->out_len++] = (uint8_t)(len >> 8);
  conn->out[conn->out_len++] = (uint8_t)len;
  if (send_len > 0)
    memcpy(conn->out + conn->out_len, msg, send_len);
  conn->out_len += send_len;
}

enum tcp_io tcp_conn_flush(struct tcp_conn *conn) {
  while (conn->out_off < conn->out_len) {
    ssize_t n = send(conn->fd, conn->out + conn->out_off,
                     conn->out_len - conn->out_off, MSG_NOSIGNAL);
    if (n >= 0) {
      conn->out_off += (size_t)n;
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return TCP_IO_AGAIN;
    return TCP_IO_ERROR;
  }
  conn->out_off = conn->out_len = 0;
  return TCP_IO_DONE;
}

bool tcp_conn_has_output(const struct tcp_conn *conn) {
  return conn->out_off < conn->out_len;
}

void tcp_conn_close(struct tcp_conn *conn) {
  if (conn->fd >= 0)
    close(conn->fd);
  conn->fd = -1;
}

void tcp_conn_release(struct tcp_conn *conn) {
  tcp_conn_close(conn);
  free(conn->in);
  free(conn->out);
  memset(conn, 0, sizeof *conn);
  conn->fd = -1;
}
