/* The line formats: a verdict as marks ("+ name") or as one JSON object
 * per line, with what the answer and the stages found (facts.h). They are
 * pure functions of a result, kept apart from the stream that writes the
 * lines (output.c), so that a new format (CSV, a template) is a change
 * here and in cli.c's option table only. */
#include "blogdom/format.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/facts.h"
#include "blogdom/jsonbuf.h"
#include "blogdom/names.h"
#include "blogdom/rdapdomain.h"
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

/* ---- the facts as JSON members ------------------------------------- */

/* The most bytes a list member takes, its truncation flag included; a
 * list keeps the items that fit and says it was cut. Together with the
 * registry's few members they stay well within BD_LINE_CAP. */
#define RECORDS_JSON_MAX 4096
#define FOR_SALE_JSON_MAX 4096

/* Opens a list member that, closed, takes at most budget bytes with the
 * flag of its cut. Returns where the text was, for close_list. */
static size_t open_list(struct bd_jsonbuf *b, const char *head, size_t budget,
                        const char *flag) {
  size_t start = b->len;
  b->max = start + budget - strlen(flag) - 1; /* room for "]" and flag */
  bd_jsonbuf_raw(b, head, strlen(head));
  return start;
}

static void close_list(struct bd_jsonbuf *b, bool cut, const char *flag) {
  b->max = BD_LINE_CAP;
  bd_jsonbuf_raw(b, "]", 1);
  if (cut)
    bd_jsonbuf_raw(b, flag, strlen(flag));
}

/* Appends one item, or takes it back when it would not fit. */
static bool fitted(struct bd_jsonbuf *b, size_t mark) {
  if (!b->full)
    return true;
  bd_jsonbuf_rewind(b, mark);
  return false;
}

static void put_record(struct bd_jsonbuf *b, const struct bd_fact_record *r,
                       bool first) {
  char type[16];
  char num[48];
  const char *name = bd_rrtype_name(r->type, type, sizeof(type));
  int n = snprintf(num, sizeof(num),
                   ",\"ttl\":%lu,\"data\":", (unsigned long)r->ttl);
  bd_jsonbuf_raw(b, first ? "{\"type\":" : ",{\"type\":", first ? 8 : 9);
  bd_jsonbuf_ascii(b, name, strlen(name));
  bd_jsonbuf_raw(b, num, (size_t)n);
  bd_jsonbuf_ascii(b, r->data, strlen(r->data));
  bd_jsonbuf_raw(b, "}", 1);
}

static void put_records(struct bd_jsonbuf *b, const struct bd_facts *f) {
  static const char flag[] = ",\"records_truncated\":true";
  bool cut = f->records_truncated;
  unsigned i;

  if (f->records_failed) {
    const char *why = bd_reason_name(f->records_failure);
    bd_jsonbuf_raw(b, ",\"records_error\":", 17);
    bd_jsonbuf_ascii(b, why, strlen(why));
  }
  if (f->nrecords == 0 && !cut)
    return;
  (void)open_list(b, ",\"records\":[", RECORDS_JSON_MAX, flag);
  for (i = 0; i < f->nrecords; i++) {
    size_t mark = bd_jsonbuf_mark(b);
    put_record(b, &f->records[i], i == 0);
    if (!fitted(b, mark)) {
      cut = true;
      break;
    }
  }
  close_list(b, cut, flag);
}

static void put_text_member(struct bd_jsonbuf *b, const char *head,
                            const char *text) {
  bd_jsonbuf_raw(b, head, strlen(head));
  bd_jsonbuf_text(b, text, strlen(text));
}

/* The registry's domain object: status values as sent, and the dates
 * when it will expire and be deleted (RFC 3339, UTC). */
static void put_registry(struct bd_jsonbuf *b, const struct bd_rdapdomain *d) {
  bd_jsonbuf_raw(b, ",\"rdap_status\":[", 16);
  for (unsigned i = 0; i < d->nstatus; i++) {
    if (i > 0)
      bd_jsonbuf_raw(b, ",", 1);
    bd_jsonbuf_text(b, d->status[i], strlen(d->status[i]));
  }
  bd_jsonbuf_raw(b, "]", 1);
  if (d->expires[0] != '\0')
    put_text_member(b, ",\"expires\":", d->expires);
  if (d->deletes[0] != '\0')
    put_text_member(b, ",\"deletes\":", d->deletes);
  if (d->status_truncated)
    bd_jsonbuf_raw(b, ",\"rdap_status_truncated\":true", 29);
  if (d->dates_dropped)
    bd_jsonbuf_raw(b, ",\"rdap_dates_dropped\":true", 26);
}

static void put_sale(struct bd_jsonbuf *b, const struct bd_fact_sale *s,
                     bool first) {
  const char *tag = bd_forsale_tag_name(s->tag);
  bd_jsonbuf_raw(b, first ? "{\"" : ",{\"", first ? 2 : 3);
  bd_jsonbuf_raw(b, tag, strlen(tag));
  bd_jsonbuf_raw(b, "\":", 2);
  bd_jsonbuf_text(b, s->value, s->len);
  bd_jsonbuf_raw(b, "}", 1);
}

static void put_for_sale(struct bd_jsonbuf *b, const struct bd_facts *f) {
  static const char flag[] = ",\"for_sale_truncated\":true";
  bool cut = f->for_sale_truncated;
  unsigned i;

  if (f->nfor_sale == 0)
    return;
  (void)open_list(b, ",\"for_sale\":[", FOR_SALE_JSON_MAX, flag);
  for (i = 0; i < f->nfor_sale; i++) {
    size_t mark = bd_jsonbuf_mark(b);
    put_sale(b, &f->for_sale[i], i == 0);
    if (!fitted(b, mark)) {
      cut = true;
      break;
    }
  }
  close_list(b, cut, flag);
}

/* The facts' members, escaped for JSON only (jsonbuf.h): outside text
 * reaches a JSON reader as it was sent. */
static void put_facts(struct bd_jsonbuf *b, const struct bd_facts *f) {
  put_records(b, f);
  if (f->registrable != NULL)
    put_text_member(b, ",\"registrable\":", f->registrable);
  if (f->registry != NULL)
    put_registry(b, f->registry);
  put_for_sale(b, f);
}

/* ---- a JSON line ------------------------------------------------------ */

static size_t format_json(char *buf, size_t cap, const struct bd_result *r,
                          const char *facts, bool dropped);

/* The facts are made first, then the line around them; should they not
 * fit in cap (or memory run out), the line still goes out without them,
 * saying what it lost, rather than not at all. */
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r) {
  struct bd_jsonbuf facts;
  size_t n = 0;
  bool made;

  if (r->facts == NULL)
    return format_json(buf, cap, r, NULL, false);
  bd_jsonbuf_init(&facts, BD_LINE_CAP);
  put_facts(&facts, r->facts);
  made = !facts.failed && !facts.full;
  if (made && facts.text == NULL) /* nothing to show */
    return format_json(buf, cap, r, NULL, false);
  if (made)
    n = format_json(buf, cap, r, facts.text, false);
  bd_jsonbuf_free(&facts);
  return n > 0 ? n : format_json(buf, cap, r, NULL, true);
}

static size_t format_json(char *buf, size_t cap, const struct bd_result *r,
                          const char *facts, bool dropped) {
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
  if (facts != NULL)
    puts_(&s, facts);
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

/* ---- the formats ------------------------------------------------------ */

static const struct {
  size_t (*line)(char *buf, size_t cap, const struct bd_result *r);
  bool shows_facts;
} formats[] = {
    [BD_FORMAT_MARKS] = {bd_format_marks, false},
    [BD_FORMAT_JSON] = {bd_format_json, true},
};

size_t bd_format_line(enum bd_format format, char *buf, size_t cap,
                      const struct bd_result *r) {
  return formats[format].line(buf, cap, r);
}

bool bd_format_shows_facts(enum bd_format format) {
  return formats[format].shows_facts;
}
