/* One TCP stream: 2-byte length-prefixed messages in, buffered writes out.
   Knows nothing of epoll or DNS. */
#ifndef FAULTD_TCPCONN_H
#define FAULTD_TCPCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tcp_conn {
  int fd; /* -1 once closed */
  uint8_t *in;
  size_t in_off; /* start of the bytes not yet handed out as messages */
  size_t in_len;
  size_t in_cap;
  uint8_t *out;
  size_t out_off; /* start of the bytes not yet written */
  size_t out_len;
  size_t out_cap;
};

enum tcp_io {
  TCP_IO_DONE,  /* read: got bytes; flush: everything written */
  TCP_IO_AGAIN, /* would block */
  TCP_IO_EOF,   /* read: the peer closed its side */
  TCP_IO_ERROR
};

void tcp_conn_init(struct tcp_conn *conn, int fd);
/* One read(2) into the input buffer. */
enum tcp_io tcp_conn_read(struct tcp_conn *conn);
/* Hands out the next complete message; it stays valid until the next
   tcp_conn_read. */
bool tcp_conn_next_message(struct tcp_conn *conn, const uint8_t **msg,
                           size_t *len);
/* Queues the length prefix of len, then the first send_len bytes of msg
   (send_len < len makes a deliberately short message). */
void tcp_conn_queue(struct tcp_conn *conn, const uint8_t *msg, size_t len,
                    size_t send_len);
enum tcp_io tcp_conn_flush(struct tcp_conn *conn);
bool tcp_conn_has_output(const struct tcp_conn *conn);
void tcp_conn_close(struct tcp_conn *conn);
/* Closes if needed and frees the buffers. */
void tcp_conn_release(struct tcp_conn *conn);

#endif
