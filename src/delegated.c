/* The --authoritative --type stage: a name the registry's zone delegates
 * exists, and that is its verdict; the records of the type asked are in
 * its own zone. They are asked of the name's own servers (the referral's
 * name servers, with glue or looked up in the map), as a resolver would,
 * through the engine's windows, pace and tries. A lookup that gets no
 * answer is counted and its line says why; the verdict stands. The stage
 * runs only for a line format that shows records (main.c). */
#include "blogdom/delegated.h"

#include <string.h>

#include "blogdom/engine.h"
#include "blogdom/facts.h"
#include "blogdom/records.h"

static bool wants(void *impl, const struct bd_verdict *v) {
  (void)impl;
  return v->status == BD_FOUND && v->reason == BD_REASON_DELEGATED;
}

/* The answer's records and addresses go on the name's line. Out of
 * memory, the line goes without the records. */
static void keep_answer(struct bd_probe *p, const unsigned char *abuf,
                        size_t alen, const struct bd_verdict *v) {
  p->verdict->naddrs = v->naddrs;
  memcpy(p->verdict->addrs, v->addrs, sizeof(v->addrs));
  (void)bd_records_keep(abuf, alen, &p->facts);
}

/* No records from the name's own servers: counted, and the line says
 * why (a timeout, a zone whose servers all failed; NXDOMAIN from a zone
 * its parent delegates to). Out of memory, the line goes without it. */
static void keep_failure(struct bd_delegated *d, struct bd_probe *p,
                         const struct bd_verdict *v) {
  d->unanswered++;
  if (bd_facts_at(&p->facts) != NULL) {
    p->facts->records_failed = true;
    p->facts->records_failure = v->reason;
  }
}

static void on_answer(void *arg, const unsigned char *abuf, size_t alen,
                      const struct bd_verdict *v) {
  struct bd_probe *p = arg;
  struct bd_delegated *d = bd_engine_stage_impl(p);

  if (v == NULL) {
    bd_engine_stage_done(p, true);
    return;
  }
  if (abuf != NULL && v->status == BD_FOUND)
    keep_answer(p, abuf, alen, v);
  else
    keep_failure(d, p, v);
  bd_engine_stage_done(p, false);
}

static int start(void *impl, struct bd_probe *p) {
  struct bd_delegated *d = impl;
  if (bd_engine_ask(p->owner, p->name, d->qtype, on_answer, p) != 0)
    return -1;
  d->asked++;
  return 0;
}

/* Every lookup still out is cancelled by the engine itself as it closes
 * (its callback then gets no verdict): nothing to do here. */
static void close_stage(void *impl) {
  (void)impl;
}

void bd_delegated_stage_init(struct bd_stage *stage, struct bd_delegated *d,
                             unsigned budget) {
  *stage = (struct bd_stage){.name = "delegated records",
                             .budget = budget,
                             .impl = d,
                             .wants = wants,
                             .start = start,
                             .close = close_stage};
}
