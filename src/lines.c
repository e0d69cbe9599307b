/* Lines and stages: a name's verdict through the post-DNS stages that want
 * it, each within its budget of names, to its line; the stages' calls
 * into the engine, their own queries among them. */
#include "engine_int.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "blogdom/names.h"
#include "blogdom/probe.h"
#include "blogdom/stage.h"
#include "blogdom/zone.h"

/* ---- lines ----------------------------------------------------------- */

void engine_report(struct bd_engine *e, uint64_t seq, const char *name,
                   size_t len, const struct bd_verdict *v,
                   struct bd_result *r) {
  r->seq = seq;
  r->name = name;
  r->name_len = len;
  r->verdict = v;
  r->qtype = e->cfg.qtype;
  e->stats.finished++;
  if (e->hooks.on_result(e->hooks.data, r) != 0)
    bd_engine_stop(e);
}

/* The last stage of a name: its line, saying v. */
void engine_deliver_as(struct bd_engine *e, struct bd_probe *p,
                       const struct bd_verdict *v) {
  struct bd_result r;
  memset(&r, 0, sizeof(r));
  r.tries = p->tries;
  if (p->start_ns != 0) /* 0: never sent (its zone had no server) */
    r.ms = (double)(uv_hrtime() - p->start_ns) / 1e6;
  if (p->zone != NULL && p->server != BD_ZONE_NONE)
    r.server = p->zone->servers[p->server]->addr.text;
  r.zone = e->router->ops->zone_name(e->router, p->zone);
  r.facts = p->facts;
  if (p->evidence != NULL) {
    /* Unless a stage's word replaced the zone file's. */
    char buf[32];
    if (strcmp(bd_verdict_evidence(v, buf, sizeof(buf)), BD_EVIDENCE_ZONE) == 0)
      r.evidence = p->evidence;
  }
  engine_report(e, p->seq, p->name, p->name_len, v, &r);
  engine_free_probe(e, p);
}

static void deliver(struct bd_engine *e, struct bd_probe *p) {
  engine_deliver_as(e, p, p->verdict);
}

/* Drops a probe that will have no line: a check, a name cut off when the
 * run stops, or a stage's query cut off (its stage hears of it). */
void engine_release(struct bd_engine *e, struct bd_probe *p) {
  bd_engine_ask_cb cb = p->asker;
  void *arg = p->asker_arg;

  if (p->kind == BD_PROBE_NAME)
    e->stats.unreached++;
  engine_free_probe(e, p);
  if (cb != NULL)
    cb(arg, NULL, 0, NULL);
}

/* ---- stages ---------------------------------------------------------- */

/* Sends p into the first stage from p->stage on that wants its verdict, or
 * to its line. A stage without room keeps it in its backlog. */
void engine_advance(struct bd_engine *e, struct bd_probe *p) {
  while (p->stage < e->nstages) {
    struct bd_stage *st = &e->stages[p->stage++];
    if (!st->wants(st->impl, p->verdict))
      continue;
    /* Stopping, its stage cannot run: no line rather than a verdict the
     * stage was there to correct. */
    if (e->stopping) {
      engine_release(e, p);
      return;
    }
    bd_probe_move(&e->pool, p, BD_PROBE_STAGED);
    if (st->active >= st->budget) {
      p->stage--;
      bd_probe_queue_push(&st->backlog, p);
      return;
    }
    st->active++;
    if (st->start(st->impl, p) == 0)
      return;
    st->active--;
  }
  deliver(e, p);
}

/* Lets the names waiting for room in a stage in, as far as it has room. */
void engine_drain_backlogs(struct bd_engine *e) {
  for (size_t i = 0; i < e->nstages; i++) {
    struct bd_stage *st = &e->stages[i];
    while (!e->stopping && st->active < st->budget && st->backlog.head != NULL)
      engine_advance(e, bd_probe_queue_pop(&st->backlog));
  }
}

void bd_engine_stage_done(struct bd_probe *p, bool cancelled) {
  struct bd_engine *e = p->owner;
  struct bd_stage *st = &e->stages[p->stage - 1];
  assert(st->active > 0);
  st->active--;
  if (cancelled) {
    engine_release(e, p);
    return;
  }
  engine_advance(e, p);
  engine_pump(e);
}

void *bd_engine_stage_impl(const struct bd_probe *p) {
  const struct bd_engine *e = p->owner;
  assert(p->stage > 0 && p->stage <= e->nstages);
  return e->stages[p->stage - 1].impl;
}

/* True when a stage has no room and names wait for it: taking more names
 * would only grow the backlog. */
bool engine_stages_full(const struct bd_engine *e) {
  for (size_t i = 0; i < e->nstages; i++)
    if (e->stages[i].backlog.head != NULL)
      return true;
  return false;
}

/* ---- the stages' own queries ---------------------------------------- */

int bd_engine_ask(struct bd_engine *e, const char *name, uint16_t qtype,
                  bd_engine_ask_cb cb, void *arg) {
  size_t len = strlen(name);
  struct bd_probe *p;

  if (e->stopping)
    return -ECANCELED;
  if (len > BD_NAME_MAX)
    return -ENAMETOOLONG;
  p = bd_probe_alloc(&e->pool, e, BD_PROBE_ASK, name, len);
  if (p == NULL)
    return -ENOMEM;
  p->qtype = qtype;
  p->asker = cb;
  p->asker_arg = arg;
  p->server = BD_ZONE_NONE;
  /* Queued, it goes out at the next pump: never from inside the caller.
   * The router may fail it at once (no server). */
  e->router->ops->route(e->router, p);
  return 0;
}
