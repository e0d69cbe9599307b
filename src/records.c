/* A name's answer records for its line: which records belong to the name
 * (its own and its CNAME chain's), each in presentation format, within a
 * count and a size a line can carry (facts.h). */
#include "blogdom/records.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/facts.h"
#include "blogdom/rrtext.h"

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

/* One record, kept in presentation format: 0, -ENOSPC when no more fit
 * (the records after it are left out), or -ENOMEM. */
static int keep_record(struct bd_facts *f, const struct bd_dnsmsg *m,
                       const struct bd_dnsrr *rr) {
  char data[BD_FACTS_RECORDS_BYTES + 1];
  int n = bd_rrtext_write(m, rr, data, sizeof(data));
  if (n < 0) {
    f->records_truncated = true; /* longer than all the room there is */
    return -ENOSPC;
  }
  return bd_facts_add_record(f, rr->type, rr->ttl, data, (size_t)n);
}

int bd_records_keep(const unsigned char *abuf, size_t alen,
                    struct bd_facts **facts) {
  struct bd_dnsmsg m;
  struct bd_dnsmsg_cursor cur;
  struct bd_dnsrr rr;
  struct chain chain;
  struct bd_facts *f;
  int rc = 0;

  if (*facts != NULL)
    bd_facts_clear_records(*facts);
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0 || m.counts[BD_DNS_ANSWER] == 0)
    return 0;
  follow_chain(&m, &chain);
  bd_dnsmsg_walk(&m, BD_DNS_ANSWER, &cur);
  while (rc == 0 && bd_dnsmsg_next(&cur, &rr)) {
    if (!on_chain(&m, &chain, rr.owner))
      continue;
    if ((f = bd_facts_at(facts)) == NULL)
      return -ENOMEM;
    rc = keep_record(f, &m, &rr);
  }
  if (rc == -ENOMEM) {
    bd_facts_clear_records(*facts); /* no records rather than some */
    return rc;
  }
  /* The records of the names past the chain's cap are left out. */
  if (chain.cut) {
    if ((f = bd_facts_at(facts)) == NULL)
      return -ENOMEM;
    f->records_truncated = true;
  }
  return 0;
}
