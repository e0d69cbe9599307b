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
#include "blogdom/facts.h"
#include "blogdom/forsaletxt.h"
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

int bd_forsale_read(const unsigned char *abuf, size_t alen, unsigned *valid,
                    unsigned *malformed, struct bd_facts **facts) {
  struct bd_dnsmsg m;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  char text[BD_FORSALE_TEXT_MAX + 1];
  int rc = 0;

  *valid = *malformed = 0;
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0 || m.rcode != BD_DNS_RCODE_NOERROR)
    return 0;
  bd_dnsmsg_walk(&m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    struct bd_forsale_record rec;
    struct bd_facts *f;
    if (rr.type != BD_DNS_TYPE_TXT || rr.klass != BD_DNS_CLASS_IN ||
        !bd_dnsmsg_same_name(&m, rr.owner, &m, m.qname))
      continue;
    switch (bd_forsale_parse(abuf + rr.rdata, rr.rdlen, text, &rec)) {
    case BD_FORSALE_OK:
      (*valid)++;
      if (facts == NULL || rc != 0)
        break;
      if ((f = bd_facts_at(facts)) == NULL) {
        rc = -ENOMEM;
      } else if (bd_facts_add_sale(f, rec.tag, rec.value, rec.len) == -ENOMEM) {
        f->for_sale_truncated = true; /* the records kept are not all */
        rc = -ENOMEM;
      }
      break;
    case BD_FORSALE_MALFORMED:
      (*malformed)++;
      break;
    case BD_FORSALE_OTHER:
      break;
    }
  }
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
                             f->keep_facts ? &p->facts : NULL) != 0) {
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
