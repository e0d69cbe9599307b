/* The --for-sale stage: a name that exists may be for sale, and its owner
 * can say so at "_for-sale.NAME" (RFC 10023). Each name the DNS found
 * waits for that one TXT query, asked through the engine (its servers or
 * its map of zones, its windows, pace, tries and TCP), before its line.
 * A URI found there is printed, never fetched. */
#include "blogdom/forsale.h"

#include <errno.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/engine.h"
#include "blogdom/forsaletxt.h"
#include "blogdom/jsonbuf.h"
#include "blogdom/names.h"

#define NODE "_for-sale."

/* Names that exist by the DNS's own word. A name only the registry knows
 * (--confirm) has nothing under it in the DNS (RFC 8020): not asked. In
 * the authoritative mode a delegated name's _for-sale record is in its
 * own zone, where the map follows the referral. */
static bool wants(void *impl, const struct bd_verdict *v) {
  (void)impl;
  return v->status == BD_FOUND && v->confirm == BD_CONFIRM_NONE;
}

static void put_record(struct bd_jsonbuf *b, const struct bd_forsale_record *r,
                       bool first) {
  const char *tag = bd_forsale_tag_name(r->tag);
  if (!first)
    bd_jsonbuf_raw(b, ",", 1);
  bd_jsonbuf_raw(b, "{\"", 2);
  bd_jsonbuf_raw(b, tag, strlen(tag));
  bd_jsonbuf_raw(b, "\":", 2);
  bd_jsonbuf_text(b, r->value, r->len);
  bd_jsonbuf_raw(b, "}", 1);
}

int bd_forsale_read(const unsigned char *abuf, size_t alen, unsigned *valid,
                    unsigned *malformed, char **fields) {
  static const char closing[] = "],\"for_sale_truncated\":true";
  bool cut = false;
  struct bd_dnsmsg m;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  struct bd_jsonbuf b;
  char text[BD_FORSALE_TEXT_MAX + 1];
  unsigned shown = 0;
  int rc = 0;

  *valid = *malformed = 0;
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0 || m.rcode != BD_DNS_RCODE_NOERROR)
    return 0;
  /* Room for the longest closing is kept back until the end. */
  bd_jsonbuf_init(&b, BD_FORSALE_FIELDS_MAX - (sizeof(closing) - 1));
  bd_jsonbuf_raw(&b, ",\"for_sale\":[", 13);
  bd_dnsmsg_walk(&m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    struct bd_forsale_record rec;
    size_t mark;
    if (rr.type != BD_DNS_TYPE_TXT || rr.klass != BD_DNS_CLASS_IN ||
        !bd_dnsmsg_same_name(&m, rr.owner, &m, m.qname))
      continue;
    switch (bd_forsale_parse(abuf + rr.rdata, rr.rdlen, text, &rec)) {
    case BD_FORSALE_OK:
      (*valid)++;
      if (fields == NULL)
        break;
      if (shown == BD_FORSALE_RECORDS_MAX) {
        cut = true;
        break;
      }
      mark = bd_jsonbuf_mark(&b);
      put_record(&b, &rec, shown == 0);
      if (b.full) {
        bd_jsonbuf_rewind(&b, mark);
        cut = true;
      } else {
        shown++;
      }
      break;
    case BD_FORSALE_MALFORMED:
      (*malformed)++;
      break;
    case BD_FORSALE_OTHER:
      break;
    }
  }
  b.max = BD_FORSALE_FIELDS_MAX;
  if (cut)
    bd_jsonbuf_raw(&b, closing, sizeof(closing) - 1);
  else
    bd_jsonbuf_raw(&b, "]", 1);
  if (b.failed)
    rc = -ENOMEM;
  else if (shown > 0)
    rc = bd_jsonbuf_append_to(fields, b.text);
  bd_jsonbuf_free(&b);
  return rc;
}

static void on_answer(void *arg, const unsigned char *abuf, size_t alen,
                      const struct bd_verdict *v) {
  struct bd_probe *p = arg;
  struct bd_forsale *f = bd_engine_stage_impl(p);
  unsigned valid = 0;
  unsigned malformed = 0;

  if (v == NULL) {
    bd_engine_stage_done(p, true);
    return;
  }
  if (abuf == NULL || v->status == BD_ERROR) {
    /* No answer within the tries, or a server failing: the name's own
     * verdict stands. */
    f->unanswered++;
  } else if (bd_forsale_read(abuf, alen, &valid, &malformed,
                             f->json ? &p->fields : NULL) != 0) {
    /* Out of memory: the name keeps its line, without the records. */
    f->unanswered++;
  }
  f->malformed += malformed;
  if (valid > 0) {
    f->names++;
    p->verdict->for_sale = true;
  }
  bd_engine_stage_done(p, false);
}

/* The lookup is asked through the engine that holds p. */
static int start(void *impl, struct bd_probe *p) {
  char name[BD_NAME_MAX + 1];
  size_t node = sizeof(NODE) - 1;

  if (p->name_len > BD_NAME_MAX - node)
    return -1; /* no room for the node under the name: nothing to ask */
  memcpy(name, NODE, node);
  memcpy(name + node, p->name, p->name_len + 1);
  (void)impl;
  return bd_engine_ask(p->owner, name, BD_DNS_TYPE_TXT, on_answer, p) == 0 ? 0
                                                                           : -1;
}

/* Every lookup still out is cancelled by the engine itself as it closes
 * (its callback then gets no verdict): nothing to do here. */
static void close_stage(void *impl) {
  (void)impl;
}

void bd_forsale_stage_init(struct bd_stage *stage, struct bd_forsale *f,
                           unsigned budget) {
  *stage = (struct bd_stage){.name = "for-sale",
                             .budget = budget,
                             .impl = f,
                             .wants = wants,
                             .start = start,
                             .close = close_stage};
}
