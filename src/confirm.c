/* The --confirm stage: a name DNS calls free is not free until its
 * registry agrees, so its line waits for the RDAP answer. */
#include "blogdom/confirm.h"

#include "blogdom/engine.h"
#include "blogdom/rdap.h"

static bool wants(void *impl, const struct bd_verdict *v) {
  (void)impl;
  return v->status == BD_NOTFOUND;
}

static enum bd_confirm confirm_of(enum bd_rdap_outcome o) {
  switch (o) {
  case BD_RDAP_REGISTERED:
    return BD_CONFIRM_REGISTERED;
  case BD_RDAP_AVAILABLE:
    return BD_CONFIRM_AVAILABLE;
  case BD_RDAP_NO_SERVER:
    return BD_CONFIRM_NO_SERVER;
  default:
    return BD_CONFIRM_FAILED;
  }
}

static void on_rdap(void *arg, const struct bd_rdap_result *r) {
  struct bd_probe *p = arg;
  if (r->outcome == BD_RDAP_CANCELLED) {
    bd_engine_stage_done(p, true);
    return;
  }
  bd_verdict_apply_confirm(&p->verdict, confirm_of(r->outcome), r->http_status);
  bd_engine_stage_done(p, false);
}

static int start(void *impl, struct bd_probe *p) {
  return bd_rdap_lookup(impl, p->name, on_rdap, p);
}

static void close_stage(void *impl) {
  bd_rdap_close(impl); /* cancels what is still asked */
}

void bd_confirm_stage_init(struct bd_stage *stage, struct bd_rdap *rdap,
                           unsigned budget) {
  stage->name = "confirm";
  stage->budget = budget;
  stage->active = 0;
  stage->backlog.head = stage->backlog.tail = NULL;
  stage->impl = rdap;
  stage->wants = wants;
  stage->start = start;
  stage->close = close_stage;
}
