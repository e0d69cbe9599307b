/* Verdict lines: formatting, filtering, input-order hold-back, and batched
 * writes whose failure (errno) is kept for main.c to judge. */
#include "blogdom/output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"
#include "blogdom/rrtype.h"
#include "blogdom/text.h"

#define BUFFER_CAP (64 * 1024)
/* A Unicode name takes at most 4 bytes for each ASCII byte of its A-label
 * form. */
#define BD_UNICODE_NAME_MAX (4 * BD_NAME_MAX + 1)

struct held_line {
  char *text; /* NULL: empty slot; &filtered_out: filtered away */
  size_t len;
};

static char filtered_out;

struct bd_output {
  struct bd_output_config cfg;
  int error;         /* 0, or the negative errno that broke stdout: sticky */
  uint64_t next_seq; /* input order: the next line due */
  struct held_line *held;
  size_t len;
  char buf[BUFFER_CAP];
  char line[BD_LINE_CAP]; /* the line being formatted */
};

static const char *const marks[] = {
    [BD_FOUND] = "+ ", [BD_NOTFOUND] = "  ", [BD_ERROR] = "? "};

static bool is_valid_name(const struct bd_result *r) {
  return r->verdict->reason != BD_REASON_INVALID_NAME &&
         r->verdict->reason != BD_REASON_INVALID_HOSTNAME;
}

/* The name as shown: a valid name in its Unicode form, anything escaped,
 * and cut with "..." when the input was. */
static size_t shown_name(char *buf, size_t cap, const struct bd_result *r) {
  size_t len = r->name_len;
  bool cut = r->truncated;
  size_t n;

  if (is_valid_name(r) && !r->truncated) {
    char unicode[BD_UNICODE_NAME_MAX];
    len = bd_name_to_unicode(r->name, unicode, sizeof(unicode));
    return bd_text_escape(buf, cap, unicode, len);
  }
  if (len > BD_SHOWN_INPUT_MAX) {
    len = BD_SHOWN_INPUT_MAX;
    cut = true;
  }
  n = bd_text_escape(buf, cap, r->name, len);
  if (cut && n + 4 <= cap) {
    memcpy(buf + n, "...", 4);
    n += 3;
  }
  return n;
}

size_t bd_format_marks(char *buf, size_t cap, const struct bd_result *r) {
  size_t n;
  if (cap < 4)
    return 0;
  memcpy(buf, marks[r->verdict->status], 2);
  n = 2 + shown_name(buf + 2, cap - 3, r);
  buf[n++] = '\n';
  return n;
}

/* A small append-only writer over a fixed buffer; overflow is sticky. */
struct sink {
  char *buf;
  size_t cap;
  size_t len;
  bool full;
};

static void put(struct sink *s, const char *text, size_t len) {
  if (s->full || s->len + len >= s->cap) {
    s->full = true;
    return;
  }
  memcpy(s->buf + s->len, text, len);
  s->len += len;
}

static void puts_(struct sink *s, const char *text) {
  put(s, text, strlen(text));
}

static void put_json_string(struct sink *s, const char *text, size_t len) {
  put(s, "\"", 1);
  if (!s->full)
    s->len += bd_text_json(s->buf + s->len, s->cap - s->len, text, len);
  if (s->len + 1 >= s->cap)
    s->full = true;
  put(s, "\"", 1);
}

static void put_field(struct sink *s, const char *key, const char *value) {
  put(s, ",\"", 2);
  puts_(s, key);
  put(s, "\":", 2);
  put_json_string(s, value, strlen(value));
}

static void put_addresses(struct sink *s, const struct bd_verdict *v) {
  puts_(s, ",\"addresses\":[");
  for (unsigned i = 0; i < v->naddrs; i++) {
    char ip[INET6_ADDRSTRLEN];
    int family = v->addrs[i].len == 4 ? AF_INET : AF_INET6;
    if (i > 0)
      put(s, ",", 1);
    inet_ntop(family, v->addrs[i].bytes, ip, sizeof(ip));
    put_json_string(s, ip, strlen(ip));
  }
  put(s, "]", 1);
}

static size_t format_json(char *buf, size_t cap, const struct bd_result *r,
                          bool dropped);

/* Every cap of the records and fields keeps a line within BD_LINE_CAP;
 * should they ever add up past a smaller cap, the line still goes out,
 * saying what it lost, rather than not at all. */
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r) {
  struct bd_result bare;
  size_t n = format_json(buf, cap, r, false);
  if (n > 0 || (r->records == NULL && r->fields == NULL))
    return n;
  bare = *r;
  bare.records = bare.fields = NULL;
  return format_json(buf, cap, &bare, true);
}

static size_t format_json(char *buf, size_t cap, const struct bd_result *r,
                          bool dropped) {
  struct sink s = {buf, cap, 0, false};
  const struct bd_verdict *v = r->verdict;
  char name[BD_ESCAPED_SIZE(BD_SHOWN_INPUT_MAX) + 4];
  char type[16];
  char number[64];
  char evidence[32];
  const char *rcode;

  puts_(&s, "{\"name\":");
  put_json_string(&s, name, shown_name(name, sizeof(name), r));
  if (is_valid_name(r) && strstr(r->name, "xn--") != NULL)
    put_field(&s, "ascii", r->name);
  put_field(&s, "status", bd_status_name(v->status));
  put_field(&s, "reason", bd_reason_name(v->reason));
  put_field(&s, "evidence", bd_verdict_evidence(v, evidence, sizeof(evidence)));
  if (v->confirm != BD_CONFIRM_NONE)
    puts_(&s, v->confirm == BD_CONFIRM_REGISTERED ||
                      v->confirm == BD_CONFIRM_AVAILABLE
                  ? ",\"confirmed\":true"
                  : ",\"confirmed\":false");
  if (r->detail != NULL)
    put_field(&s, "detail", r->detail);
  if (r->truncated)
    puts_(&s, ",\"truncated\":true");
  rcode = bd_rcode_name(v->rcode);
  if (v->rcode < 0) {
    puts_(&s, ",\"rcode\":null");
  } else if (rcode != NULL) {
    put_field(&s, "rcode", rcode);
  } else {
    snprintf(number, sizeof(number), "RCODE%d", v->rcode);
    put_field(&s, "rcode", number);
  }
  put_field(&s, "type", bd_rrtype_name(r->qtype, type, sizeof(type)));
  if (r->qtype == BD_DNS_TYPE_A || r->qtype == BD_DNS_TYPE_AAAA ||
      r->qtype == BD_DNS_TYPE_ANY)
    put_addresses(&s, v);
  /* Made escaped and capped when the data came (jsonbuf.h). */
  if (r->records != NULL)
    puts_(&s, r->records);
  if (r->fields != NULL)
    puts_(&s, r->fields);
  if (dropped)
    puts_(&s, ",\"fields_dropped\":true");
  snprintf(number, sizeof(number), ",\"tries\":%u,\"ms\":%.3f", r->tries,
           r->ms);
  puts_(&s, number);
  if (r->server != NULL)
    put_field(&s, "server", r->server);
  if (r->zone != NULL)
    put_field(&s, "zone", r->zone);
  put(&s, "}\n", 2);
  return s.full ? 0 : s.len;
}

struct bd_output *bd_output_new(const struct bd_output_config *cfg) {
  struct bd_output *out = calloc(1, sizeof(*out));
  if (out == NULL)
    return NULL;
  out->cfg = *cfg;
  if (cfg->input_order) {
    if (out->cfg.reorder_cap == 0)
      out->cfg.reorder_cap = 1;
    out->held = calloc(out->cfg.reorder_cap, sizeof(*out->held));
    if (out->held == NULL) {
      free(out);
      return NULL;
    }
  }
  return out;
}

void bd_output_free(struct bd_output *out) {
  if (out == NULL)
    return;
  if (out->held != NULL) {
    for (size_t i = 0; i < out->cfg.reorder_cap; i++)
      if (out->held[i].text != &filtered_out)
        free(out->held[i].text);
    free(out->held);
  }
  free(out);
}

/* Returns 0, or a negative errno. */
static int wait_writable(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLOUT, .revents = 0};
  if (poll(&p, 1, -1) < 0 && errno != EINTR)
    return -errno;
  return 0;
}

int bd_output_flush(struct bd_output *out) {
  size_t done = 0;
  int rc = 0;
  if (out->error != 0)
    return out->error;
  while (done < out->len && rc == 0) {
    ssize_t n = write(out->cfg.fd, out->buf + done, out->len - done);
    if (n >= 0)
      done += (size_t)n;
    else if (errno == EAGAIN || errno == EWOULDBLOCK)
      /* stdout was handed to us non-blocking; lines are worth the wait. */
      rc = wait_writable(out->cfg.fd);
    else if (errno != EINTR)
      rc = -errno;
  }
  /* After a failed write, what was queued is lost either way: nothing
   * later could be written in its place without leaving a gap. */
  out->len = 0;
  out->error = rc;
  return rc;
}

static int append(struct bd_output *out, const char *line, size_t len) {
  int rc;
  if (out->len + len > sizeof(out->buf) && (rc = bd_output_flush(out)) != 0)
    return rc;
  memcpy(out->buf + out->len, line, len);
  out->len += len;
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
  return out->cfg.json ? bd_format_json(line, BD_LINE_CAP, r)
                       : bd_format_marks(line, BD_LINE_CAP, r);
}

/* Writes the lines now due in input order. */
static int release_due(struct bd_output *out) {
  for (;;) {
    struct held_line *h = &out->held[out->next_seq % out->cfg.reorder_cap];
    if (h->text == NULL)
      return 0;
    if (h->text != &filtered_out) {
      int rc = append(out, h->text, h->len);
      free(h->text);
      if (rc != 0) {
        h->text = NULL;
        return rc;
      }
    }
    h->text = NULL;
    out->next_seq++;
  }
}

static int hold(struct bd_output *out, uint64_t seq, const char *line,
                size_t len) {
  struct held_line *h = &out->held[seq % out->cfg.reorder_cap];
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
  if (!out->cfg.input_order)
    return len > 0 ? append(out, line, len) : 0;
  if (hold(out, r->seq, line, len) != 0) {
    /* Out of memory: a line out of order beats a lost line. */
    if (len > 0 && (rc = append(out, line, len)) != 0)
      return rc;
    out->held[r->seq % out->cfg.reorder_cap].text = &filtered_out;
  }
  return release_due(out);
}

bool bd_output_has_room(const struct bd_output *out, uint64_t seq) {
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
