/* Streaming line reader: a fixed buffer per input, whatever its length. */
#include "blogdom/linereader.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUFFER_SIZE (64 * 1024)

struct bd_linereader {
  int fd;
  bool eof;
  bool skipping; /* inside an overlong line, dropping bytes to its end */
  size_t start;  /* first byte not yet handed out */
  size_t scan;   /* bytes before this offset hold no newline */
  size_t end;
  char buf[BUFFER_SIZE];
};

struct bd_linereader *bd_linereader_new(int fd) {
  struct bd_linereader *lr = malloc(sizeof(*lr));
  if (lr == NULL)
    return NULL;
  lr->fd = fd;
  lr->eof = false;
  lr->skipping = false;
  lr->start = lr->scan = lr->end = 0;
  return lr;
}

void bd_linereader_free(struct bd_linereader *lr) {
  free(lr);
}

int bd_linereader_fd(const struct bd_linereader *lr) {
  return lr->fd;
}

static bool readable_now(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN, .revents = 0};
  int n;
  do {
    n = poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  /* An error or hang-up is "readable": read(2) then reports it. */
  return n != 0;
}

/* Makes room at the end of the buffer by dropping what was handed out. */
static void compact(struct bd_linereader *lr) {
  size_t pending = lr->end - lr->start;
  if (lr->start == 0)
    return;
  memmove(lr->buf, lr->buf + lr->start, pending);
  lr->scan -= lr->start;
  lr->end = pending;
  lr->start = 0;
}

static enum bd_line_status fill(struct bd_linereader *lr) {
  ssize_t n;
  if (!readable_now(lr->fd))
    return BD_LINE_AGAIN;
  compact(lr);
  do {
    n = read(lr->fd, lr->buf + lr->end, sizeof(lr->buf) - lr->end);
  } while (n < 0 && errno == EINTR);
  if (n < 0)
    return (errno == EAGAIN || errno == EWOULDBLOCK) ? BD_LINE_AGAIN
                                                     : BD_LINE_ERROR;
  if (n == 0)
    lr->eof = true;
  lr->end += (size_t)n;
  return BD_LINE_OK;
}

static void hand_out(struct bd_linereader *lr, size_t len, size_t consumed,
                     bool truncated, struct bd_line *line) {
  line->data = lr->buf + lr->start;
  line->len = len;
  line->truncated = truncated;
  lr->start += consumed;
  lr->scan = lr->start;
}

enum bd_line_status bd_linereader_next(struct bd_linereader *lr,
                                       struct bd_line *line) {
  for (;;) {
    char *nl = memchr(lr->buf + lr->scan, '\n', lr->end - lr->scan);
    size_t pending;

    if (lr->skipping) {
      /* Drop the tail of an overlong line that was already handed out. */
      if (nl != NULL) {
        lr->start = lr->scan = (size_t)(nl - lr->buf) + 1;
        lr->skipping = false;
        continue;
      }
      lr->start = lr->scan = lr->end;
    } else if (nl != NULL) {
      size_t len = (size_t)(nl - (lr->buf + lr->start));
      if (len <= BD_LINE_KEEP) {
        hand_out(lr, len, len + 1, false, line);
        return BD_LINE_OK;
      }
      hand_out(lr, BD_LINE_KEEP, len + 1, true, line);
      return BD_LINE_OK;
    } else {
      pending = lr->end - lr->start;
      if (pending > BD_LINE_KEEP) {
        hand_out(lr, BD_LINE_KEEP, pending, true, line);
        lr->skipping = true;
        return BD_LINE_OK;
      }
      lr->scan = lr->end;
      if (lr->eof) {
        if (pending == 0)
          return BD_LINE_EOF;
        hand_out(lr, pending, pending, false, line);
        return BD_LINE_OK;
      }
    }
    if (lr->eof)
      return BD_LINE_EOF;
    enum bd_line_status st = fill(lr);
    if (st != BD_LINE_OK)
      return st;
  }
}
