/* A name's answer records for its JSON line: which records belong to the
 * name (its own and its CNAME chain's), each in presentation format,
 * within a count and a size a line can carry. */
#include "blogdom/records.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/jsonbuf.h"
#include "blogdom/rrtext.h"
#include "blogdom/rrtype.h"

/* Names on the chain: the question's and each CNAME target after it. A
 * chain longer than this is a loop or an abuse; resolvers stop sooner
 * (BIND follows 16 links, with the question's name 17 names). */
#define CHAIN_MAX 9

struct chain {
  bool cut; /* names past CHAIN_MAX own records that are left out */
  size_t names[CHAIN_MAX];
  size_t count;
};

static bool on_chain(const struct bd_dnsmsg *m, const struct chain *c,
                     size_t name) {
  for (size_t i = 0; i < c->count; i++)
    if (bd_dnsmsg_same_name(m, c->names[i], m, name))
      return true;
  return false;
}

static bool owns_records(const struct bd_dnsmsg *m, size_t name) {
  struct bd_dnsmsg_cursor cur;
  struct bd_dnsrr rr;
  bd_dnsmsg_walk(m, BD_DNS_ANSWER, &cur);
  while (bd_dnsmsg_next(&cur, &rr))
    if (bd_dnsmsg_same_name(m, rr.owner, m, name))
      return true;
  return false;
}

/* Follows CNAMEs from the question's name, in whatever order the server
 * put them, until no new link is found. */
static void follow_chain(const struct bd_dnsmsg *m, struct chain *c) {
  bool grew = true;
  c->names[0] = m->qname;
  c->count = 1;
  c->cut = false;
  while (grew && !c->cut) {
    struct bd_dnsmsg_cursor cur;
    struct bd_dnsrr rr;
    size_t target;
    grew = false;
    bd_dnsmsg_walk(m, BD_DNS_ANSWER, &cur);
    while (bd_dnsmsg_next(&cur, &rr)) {
      if (rr.type != BD_DNS_TYPE_CNAME || !on_chain(m, c, rr.owner) ||
          bd_dnsmsg_read_target(m, &rr, &target) != 0 || on_chain(m, c, target))
        continue;
      if (c->count == CHAIN_MAX) {
        /* Cut only when the next name owns records that are left out. */
        c->cut = owns_records(m, target);
        if (c->cut)
          break;
        continue;
      }
      c->names[c->count++] = target;
      grew = true;
    }
  }
}

/* One record as a JSON object; false when it did not fit. */
static bool put_record(struct bd_jsonbuf *b, const struct bd_dnsmsg *m,
                       const struct bd_dnsrr *rr, bool first) {
  char data[BD_RECORDS_TEXT_MAX];
  char type[16];
  char num[32];
  size_t mark = bd_jsonbuf_mark(b);
  int n = bd_rrtext_write(m, rr, data, sizeof(data));
  const char *name = bd_rrtype_name(rr->type, type, sizeof(type));

  if (n < 0)
    return false;
  if (!first)
    bd_jsonbuf_raw(b, ",", 1);
  bd_jsonbuf_raw(b, "{\"type\":", 8);
  bd_jsonbuf_ascii(b, name, strlen(name));
  n = snprintf(num, sizeof(num),
               ",\"ttl\":%lu,\"data\":", (unsigned long)rr->ttl);
  bd_jsonbuf_raw(b, num, (size_t)n);
  bd_jsonbuf_ascii(b, data, strlen(data));
  bd_jsonbuf_raw(b, "}", 1);
  if (b->full) {
    bd_jsonbuf_rewind(b, mark);
    return false;
  }
  return true;
}

int bd_records_json(const unsigned char *abuf, size_t alen, char **out) {
  static const char closing[] = "],\"records_truncated\":true";
  struct bd_dnsmsg m;
  struct bd_dnsmsg_cursor cur;
  struct bd_dnsrr rr;
  struct bd_jsonbuf b;
  struct chain chain;
  unsigned kept = 0;
  bool cut;

  *out = NULL;
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0 || m.counts[BD_DNS_ANSWER] == 0)
    return 0;
  follow_chain(&m, &chain);
  cut = chain.cut; /* the records of the names past the cap are left out */
  /* Room is kept for the longest ending, so a record that fits can
   * always be closed. */
  bd_jsonbuf_init(&b, BD_RECORDS_TEXT_MAX - (sizeof(closing) - 1));
  bd_jsonbuf_raw(&b, ",\"records\":[", 12);
  bd_dnsmsg_walk(&m, BD_DNS_ANSWER, &cur);
  while (bd_dnsmsg_next(&cur, &rr)) {
    if (!on_chain(&m, &chain, rr.owner))
      continue;
    if (kept == BD_RECORDS_MAX || !put_record(&b, &m, &rr, kept == 0)) {
      cut = true;
      break;
    }
    kept++;
  }
  if (kept == 0 && !cut) {
    bd_jsonbuf_free(&b);
    return 0;
  }
  b.max = BD_RECORDS_TEXT_MAX;
  if (cut)
    bd_jsonbuf_raw(&b, closing, sizeof(closing) - 1);
  else
    bd_jsonbuf_raw(&b, "]", 1);
  if (b.failed) {
    bd_jsonbuf_free(&b);
    return -ENOMEM;
  }
  *out = b.text;
  return 0;
}
