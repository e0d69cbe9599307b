/* Verdict lines on their way out: filtering, input-order hold-back, and
 * writes to stdout that never block the loop (a libuv stream with a
 * high-water mark), whose failure (errno) is kept for run.c to judge.
 * The text of a line is format.c's. */
#include "blogdom/output.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blogdom/common.h"
#include "blogdom/format.h"

/* Lines wait in chunks of whole lines, a pipe buffer each. */
#define CHUNK_SIZE (64 * 1024)

struct held_line {
  char *text; /* NULL: empty slot; &filtered_out: filtered away;
                 &skipped: done in an earlier run (--state) */
  size_t len;
  enum bd_status status;
};

static char filtered_out;
static char skipped;

_Static_assert(BD_LINE_CAP <= CHUNK_SIZE, "a line fits in an empty chunk");

/* A chunk handed to the stream belongs to its write request until the
 * request's callback (on_write), which frees it or keeps it as the spare:
 * libuv writes from it in the meantime. */
struct chunk {
  uv_write_t req;
  struct chunk *next; /* the next one handed to the stream */
  size_t start;       /* bytes before start are written (uv_try_write) */
  size_t len;         /* bytes of whole lines in data */
  char data[CHUNK_SIZE];
};

struct bd_output {
  struct bd_output_config cfg;
  int error;         /* 0, or the negative errno that broke stdout: sticky */
  uint64_t next_seq; /* input order: the next line due */
  struct held_line *held;
  union {
    uv_pipe_t pipe;
    uv_tty_t tty;
  } handle;
  uv_stream_t *stream; /* the open stream on stdout, or NULL */
  bool handle_open;    /* until the handle's close callback */
  bool nonblocking;    /* the stream made the descriptor non-blocking */
  int fd_flags;        /* the descriptor's flags before that */
  bool interrupted;
  bool cut_off;       /* after an interrupt, stdout took no more */
  uint64_t dropped;   /* lines an interrupt kept from stdout */
  struct chunk *fill; /* lines not handed to the stream yet */
  struct chunk *head; /* handed to the stream, oldest first */
  struct chunk *tail;
  struct chunk *spare; /* one chunk kept for the next fill */
  struct bd_water water;
  char line[BD_LINE_CAP]; /* the line being formatted */
};

bool bd_water_level(struct bd_water *w, size_t level) {
  if (level > w->high) {
    w->full = true;
    return false;
  }
  if (w->full && level <= w->low) {
    w->full = false;
    return true;
  }
  return false;
}

static void on_closed(uv_handle_t *h) {
  struct bd_output *out = container_of(h, struct bd_output, handle);
  out->handle_open = false;
}

/* A pipe or a socket becomes a stream on the descriptor's file
 * description, which uv_pipe_open makes non-blocking: that description
 * may be shared with the shell or the processes around, so its flags are
 * put back at the end (bd_output_close). fd must outlive the stream, for
 * the lines that come after an interrupt: libuv leaves 0 to 2 open when
 * it closes a stream, and a stream on any other descriptor gets a
 * duplicate of its own (not stdout's: under a low open-file limit, every
 * descriptor is a socket less). A terminal is reopened by uv_tty_init onto fd
 * itself, a description of our own that leaves the shared one alone (where it
 * cannot be, a pty's master side, libuv writes to it blocking, as
 * blogdom always did). Anything else, a regular file above all, keeps
 * blocking writes: a file never keeps a writer waiting for long, and
 * epoll cannot watch one. */
static void open_stream(struct bd_output *out) {
  int fd = out->cfg.fd;
  uv_handle_type type = uv_guess_handle(fd);
  int own;
  int rc;

  out->fd_flags = fcntl(fd, F_GETFL);
  /* Open for reading only (main.c reopens a closed stdout so), a write
   * fails with EBADF and is reported as such; a stream would call it
   * EPIPE, a reader gone. */
  if (out->cfg.loop == NULL || out->fd_flags < 0 ||
      (out->fd_flags & O_ACCMODE) == O_RDONLY)
    return;
  if (type == UV_TTY) {
    rc = uv_tty_init(out->cfg.loop, &out->handle.tty, fd, 0);
    out->handle_open = rc == 0;
  } else if (type == UV_NAMED_PIPE || type == UV_TCP) {
    /* A socket is written as a pipe is: write(2) on a stream socket. */
    own = fd;
    if (fd > STDERR_FILENO &&
        (own = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0)
      return;
    rc = uv_pipe_init(out->cfg.loop, &out->handle.pipe, 0);
    out->handle_open = rc == 0;
    if (rc == 0)
      rc = uv_pipe_open(&out->handle.pipe, own);
    if (rc != 0 && own != fd)
      close(own); /* not the stream's: uv_pipe_open failed */
  } else {
    return;
  }
  out->nonblocking = true;
  if (rc == 0) {
    out->stream = (uv_stream_t *)&out->handle;
    return;
  }
  /* Blocking writes, as before streams: the flags go back now. */
  bd_output_close(out);
}

static struct chunk *new_chunk(struct bd_output *out) {
  struct chunk *c = out->spare;
  if (c != NULL)
    out->spare = NULL;
  else if ((c = malloc(sizeof(*c))) == NULL)
    return NULL;
  c->next = NULL;
  c->start = c->len = 0;
  return c;
}

static void recycle(struct bd_output *out, struct chunk *c) {
  if (out->spare == NULL)
    out->spare = c;
  else
    free(c);
}

struct bd_output *bd_output_new(const struct bd_output_config *cfg) {
  struct bd_output *out = calloc(1, sizeof(*out));
  if (out == NULL)
    return NULL;
  out->cfg = *cfg;
  out->water.high = BD_OUTPUT_HIGH_WATER;
  out->water.low = BD_OUTPUT_LOW_WATER;
  if ((out->fill = new_chunk(out)) == NULL)
    goto fail;
  if (cfg->input_order) {
    if (out->cfg.reorder_cap == 0)
      out->cfg.reorder_cap = 1;
    out->held = calloc(out->cfg.reorder_cap, sizeof(*out->held));
    if (out->held == NULL)
      goto fail;
  }
  open_stream(out);
  return out;
fail:
  free(out->fill);
  free(out);
  return NULL;
}

void bd_output_close(struct bd_output *out) {
  if (out->nonblocking) {
    /* A failure leaves nothing better to do: the run is ending. */
    (void)fcntl(out->cfg.fd, F_SETFL, out->fd_flags);
    out->nonblocking = false;
  }
  if (out->handle_open && !uv_is_closing((uv_handle_t *)&out->handle))
    uv_close((uv_handle_t *)&out->handle, on_closed);
  out->stream = NULL;
}

void bd_output_free(struct bd_output *out) {
  if (out == NULL)
    return;
  assert(!out->handle_open);
  while (out->head != NULL) {
    struct chunk *c = out->head;
    out->head = c->next;
    free(c);
  }
  free(out->fill);
  free(out->spare);
  if (out->held != NULL) {
    for (size_t i = 0; i < out->cfg.reorder_cap; i++)
      if (out->held[i].text != &filtered_out && out->held[i].text != &skipped)
        free(out->held[i].text);
    free(out->held);
  }
  free(out);
}

size_t bd_output_queued(const struct bd_output *out) {
  size_t n = out->fill->len - out->fill->start;
  if (out->stream != NULL)
    n += uv_stream_get_write_queue_size(out->stream);
  return n;
}

/* After a failed write, what was queued is lost either way: nothing later
 * could be written in its place without leaving a gap. */
static void fail(struct bd_output *out, int err) {
  if (out->error == 0)
    out->error = err;
  out->fill->start = out->fill->len = 0;
}

/* Takes the level into the water marks; wakes the owner when a full
 * spell ends. */
static void take_level(struct bd_output *out) {
  if (bd_water_level(&out->water, bd_output_queued(out)) &&
      out->cfg.on_wake != NULL)
    out->cfg.on_wake(out->cfg.data);
}

static void hand(struct bd_output *out);

static void on_write(uv_write_t *req, int status) {
  struct chunk *c = container_of(req, struct chunk, req);
  struct bd_output *out = container_of(req->handle, struct bd_output, handle);

  /* libuv calls back in the order of the writes, cancelled ones too. */
  assert(out->head == c);
  out->head = c->next;
  if (out->head == NULL)
    out->tail = NULL;
  recycle(out, c);
  if (status == UV_ECANCELED)
    return; /* closed: the rest was written or dropped by then */
  if (status < 0) {
    bool first = out->error == 0;
    fail(out, status);
    if (first && out->cfg.on_wake != NULL)
      out->cfg.on_wake(out->cfg.data);
    return;
  }
  /* The lines that waited behind the queue go now. */
  if (out->head == NULL && out->error == 0 && out->stream != NULL)
    hand(out);
  take_level(out);
}

/* Hands the fill chunk's lines to the stream: uv_try_write first when
 * nothing is queued before them (no request, no chunk kept), and what it
 * did not take in a write request that owns the chunk until on_write. */
static void hand(struct bd_output *out) {
  struct chunk *c = out->fill;
  struct chunk *next;
  uv_buf_t buf;
  int rc;

  if (c->start == c->len || out->error != 0)
    return;
  if (out->head == NULL) {
    buf = uv_buf_init(c->data + c->start, (unsigned)(c->len - c->start));
    rc = uv_try_write(out->stream, &buf, 1);
    if (rc < 0 && rc != UV_EAGAIN) {
      fail(out, rc);
      return;
    }
    if (rc > 0)
      c->start += (size_t)rc;
    if (c->start == c->len) {
      c->start = c->len = 0;
      return;
    }
  }
  if ((next = new_chunk(out)) == NULL) {
    fail(out, -ENOMEM);
    return;
  }
  buf = uv_buf_init(c->data + c->start, (unsigned)(c->len - c->start));
  rc = uv_write(&c->req, out->stream, &buf, 1, on_write);
  if (rc != 0) {
    recycle(out, next);
    fail(out, rc);
    return;
  }
  if (out->tail != NULL)
    out->tail->next = c;
  else
    out->head = c;
  out->tail = c;
  out->fill = next;
}

/* Returns 0, or a negative errno. */
static int wait_writable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
  if (poll(&p, 1, -1) < 0 && errno != EINTR)
    return -errno;
  return 0;
}

/* Blocking writes, for a descriptor that is no stream. Returns 0 or a
 * negative errno. */
static int write_all(int fd, const char *buf, size_t len) {
  size_t done = 0;
  int rc = 0;
  while (done < len && rc == 0) {
    ssize_t n = write(fd, buf + done, len - done);
    if (n >= 0)
      done += (size_t)n;
    else if (errno == EAGAIN || errno == EWOULDBLOCK)
      /* stdout was handed to us non-blocking; lines are worth the wait. */
      rc = wait_writable(fd);
    else if (errno != EINTR)
      rc = -errno;
  }
  return rc;
}

static size_t count_lines(const char *data, size_t len) {
  size_t n = 0;
  const char *end = data + len;
  while ((data = memchr(data, '\n', (size_t)(end - data))) != NULL) {
    n++;
    data++;
  }
  return n;
}

/* The next piece of data (whole lines) to write after an interrupt: as
 * many lines as fit in PIPE_BUF bytes, which a pipe takes whole or not at
 * all, so that no line is cut where the reader stopped; a longer line
 * alone. */
static size_t next_piece(const char *data, size_t len) {
  size_t cap = len < PIPE_BUF ? len : PIPE_BUF;
  const char *nl;
  while (cap > 0 && data[cap - 1] != '\n')
    cap--;
  if (cap > 0)
    return cap;
  nl = memchr(data, '\n', len);
  return nl != NULL ? (size_t)(nl - data) + 1 : len;
}

/* After an interrupt, on the non-blocking descriptor: writes data as far
 * as stdout takes it now, and counts the lines it did not take (a line
 * cut by a short write among them). Once stdout has refused, the rest is
 * only counted. */
static void write_now(struct bd_output *out, const char *data, size_t len) {
  while (len > 0 && !out->cut_off && out->error == 0) {
    size_t piece = next_piece(data, len);
    ssize_t n = write(out->cfg.fd, data, piece);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      out->error = -errno;
      return;
    }
    if (n < (ssize_t)piece)
      out->cut_off = true;
    if (n > 0) {
      data += n;
      len -= (size_t)n;
    }
  }
  if (out->error == 0)
    out->dropped += count_lines(data, len);
}

/* Writes a chunk's bytes [from, len) now. A write of the stream's may have
 * stopped inside a line: its rest goes alone first, the likelier to fit. */
static void write_chunk_now(struct bd_output *out, const struct chunk *c,
                            size_t from) {
  const char *data = c->data + from;
  size_t len = c->len - from;
  if (from > 0 && len > 0 && data[-1] != '\n') {
    /* A chunk holds whole lines: the line's end is in it. */
    size_t rest = (size_t)((const char *)memchr(data, '\n', len) - data) + 1;
    write_now(out, data, rest);
    data += rest;
    len -= rest;
  }
  write_now(out, data, len);
}

/* What the stream has not written: the last write_queue_size bytes of the
 * chunks handed to it, in order (only the oldest may be partly written),
 * then the fill chunk. */
static void write_queue_now(struct bd_output *out) {
  size_t handed = 0;
  size_t skip;
  for (const struct chunk *c = out->head; c != NULL; c = c->next)
    handed += c->len - c->start;
  skip = handed - uv_stream_get_write_queue_size(out->stream);
  for (const struct chunk *c = out->head; c != NULL; c = c->next) {
    size_t n = c->len - c->start;
    if (skip >= n) {
      skip -= n;
      continue;
    }
    write_chunk_now(out, c, c->start + skip);
    skip = 0;
  }
  write_chunk_now(out, out->fill, out->fill->start);
  out->fill->start = out->fill->len = 0;
}

int bd_output_flush(struct bd_output *out) {
  int rc;
  if (out->error != 0)
    return out->error;
  if (out->stream != NULL) {
    /* Behind a queue, the lines wait to fill their chunk, or for the
     * queue to drain (on_write): a burst of batches while the reader
     * sleeps makes full chunks, not a chunk a batch. */
    if (out->head == NULL)
      hand(out);
    take_level(out);
    return out->error;
  }
  if (out->nonblocking)
    return 0; /* interrupted: lines went out at once or not at all */
  rc = write_all(out->cfg.fd, out->fill->data, out->fill->len);
  out->fill->len = 0;
  out->error = rc;
  return rc;
}

static int append(struct bd_output *out, const char *line, size_t len) {
  struct chunk *c = out->fill;
  int rc;
  if (out->interrupted && out->nonblocking) {
    write_now(out, line, len);
    return out->error;
  }
  if (c->len + len > CHUNK_SIZE) {
    if (out->stream != NULL)
      hand(out);
    else if ((rc = bd_output_flush(out)) != 0)
      return rc;
    if (out->error != 0)
      return out->error;
    c = out->fill;
  }
  memcpy(c->data + c->len, line, len);
  c->len += len;
  if (out->stream != NULL)
    take_level(out);
  return 0;
}

static bool wanted(const struct bd_output *out, const struct bd_result *r) {
  return (out->cfg.only & (1u << r->verdict->status)) ||
         ((out->cfg.only & BD_ONLY_FOR_SALE) && r->verdict->for_sale);
}

static size_t format(const struct bd_output *out, char *line,
                     const struct bd_result *r) {
  if (!wanted(out, r))
    return 0;
  return bd_format_line(out->cfg.format, line, BD_LINE_CAP, r);
}

/* A name's line (or its absence, filtered away) is in the output's order
 * now: written by the next flush. */
static void settle(struct bd_output *out, uint64_t seq, enum bd_status st) {
  if (out->cfg.on_settled != NULL)
    out->cfg.on_settled(out->cfg.data, seq, st);
}

/* Writes the lines now due in input order. */
static int release_due(struct bd_output *out) {
  for (;;) {
    struct held_line *h = &out->held[out->next_seq % out->cfg.reorder_cap];
    if (h->text == NULL)
      return 0;
    if (h->text != &filtered_out && h->text != &skipped) {
      int rc = append(out, h->text, h->len);
      free(h->text);
      if (rc != 0) {
        h->text = NULL;
        return rc;
      }
    }
    if (h->text != &skipped)
      settle(out, out->next_seq, h->status);
    h->text = NULL;
    out->next_seq++;
  }
}

static int hold(struct bd_output *out, uint64_t seq, enum bd_status st,
                const char *line, size_t len) {
  struct held_line *h = &out->held[seq % out->cfg.reorder_cap];
  h->status = st;
  if (len == 0) {
    h->text = &filtered_out;
    return 0;
  }
  h->text = malloc(len);
  if (h->text == NULL)
    return -1;
  memcpy(h->text, line, len);
  h->len = len;
  return 0;
}

int bd_output_emit(struct bd_output *out, const struct bd_result *r) {
  char *line = out->line;
  size_t len;
  int rc;

  if (out->error != 0)
    return out->error;
  len = format(out, line, r);
  if (out->interrupted && out->cfg.input_order) {
    /* The held lines went out at the interrupt, gaps and all: this one
     * would come after lines that follow it. */
    out->dropped += len > 0;
    return 0;
  }
  if (!out->cfg.input_order) {
    rc = len > 0 ? append(out, line, len) : 0;
    if (rc == 0)
      settle(out, r->seq, r->verdict->status);
    return rc;
  }
  if (hold(out, r->seq, r->verdict->status, line, len) != 0) {
    /* Out of memory: a line out of order beats a lost line. */
    if (len > 0 && (rc = append(out, line, len)) != 0)
      return rc;
    out->held[r->seq % out->cfg.reorder_cap].text = &filtered_out;
  }
  return release_due(out);
}

int bd_output_skip(struct bd_output *out, uint64_t seq) {
  if (!out->cfg.input_order || out->interrupted)
    return 0;
  out->held[seq % out->cfg.reorder_cap].text = &skipped;
  return release_due(out);
}

bool bd_output_has_room(const struct bd_output *out, uint64_t seq) {
  if (out->water.full)
    return false;
  return !out->cfg.input_order || seq < out->next_seq + out->cfg.reorder_cap;
}

int bd_output_release_held(struct bd_output *out) {
  int rc;
  if (!out->cfg.input_order)
    return 0;
  /* Each round releases a run of lines, then steps over one gap; cap rounds
   * pass every slot. */
  for (size_t i = 0; i < out->cfg.reorder_cap; i++) {
    if ((rc = release_due(out)) != 0)
      return rc;
    out->next_seq++;
  }
  return 0;
}

int bd_output_error(const struct bd_output *out) {
  return out->error;
}

void bd_output_interrupt(struct bd_output *out) {
  if (out->interrupted)
    return;
  out->interrupted = true;
  /* From here on the stream writes nothing: what it holds goes out now
   * on the descriptor, in order, then the held lines (append sees the
   * interrupt). The descriptor stays non-blocking until bd_output_close,
   * for lines that come later in this turn of the loop. */
  if (out->stream != NULL && out->error == 0)
    write_queue_now(out);
  if (out->error == 0)
    (void)bd_output_release_held(out);
  if (out->stream != NULL) {
    uv_close((uv_handle_t *)&out->handle, on_closed);
    out->stream = NULL;
  }
}

uint64_t bd_output_dropped(const struct bd_output *out) {
  return out->dropped;
}
