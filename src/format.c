/* The line formats: a verdict as marks ("+ name") or as one JSON object
 * per line. They are pure functions of a result, kept apart from the
 * stream that writes the lines (output.c), so that a new format (CSV, a
 * template) is a change here and in cli.c's option table only. */
#include "blogdom/format.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"
#include "blogdom/rrtype.h"
#include "blogdom/text.h"

/* A Unicode name takes at most 4 bytes for each ASCII byte of its A-label
 * form. */
#define BD_UNICODE_NAME_MAX (4 * BD_NAME_MAX + 1)

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
  put_field(&s, "evidence",
            r->evidence != NULL
                ? r->evidence
                : bd_verdict_evidence(v, evidence, sizeof(evidence)));
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
