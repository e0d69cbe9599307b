/* Intake: names taken from the source as the checks, the window, the
 * stages and the output allow, its descriptor watched while it would
 * block; a name that needs no query (invalid, judged by a zone file, or
 * skipped by --state) gets its line or its stages here, the others start
 * as probes. */
#include "engine_int.h"

#include <ares.h>
#include <string.h>

#include "blogdom/checks.h"
#include "blogdom/common.h"
#include "blogdom/msg.h"
#include "blogdom/names.h"
#include "blogdom/probe.h"
#include "blogdom/source.h"
#include "blogdom/text.h"
#include "blogdom/zone.h"
#include "blogdom/zoneset.h"

/* Names given their lines with no query (a zone file's, invalid ones) in
 * one turn, at most, before the loop reads its sockets. */
#define UNSENT_PER_TURN 4096
static void on_input_closed(uv_handle_t *h) {
  struct bd_engine *e = container_of((uv_poll_t *)h, struct bd_engine, input);
  e->input_closing = false;
  if (!e->closed)
    engine_pump(e);
}

static void on_input_readable(uv_poll_t *h, int status, int events) {
  struct bd_engine *e = container_of(h, struct bd_engine, input);
  (void)status;
  (void)events;
  uv_poll_stop(&e->input);
  e->input_watched = false;
  engine_pump(e);
}

static void input_failed(struct bd_engine *e, int fd, int rc) {
  bd_errorf("cannot wait for input on descriptor %d: %s", fd, uv_strerror(rc));
  e->source_done = true;
}

/* The source would block: come back when its descriptor is readable. The
 * descriptor changes from one input file to the next, and a poll handle
 * left on a finished one (always readable at EOF) would spin the loop. */
static void watch_input(struct bd_engine *e) {
  int fd = bd_source_wait_fd(e->src);
  int rc;

  if (e->input_closing || (e->input_watched && e->input_fd == fd))
    return; /* on_input_closed comes back here with the handle free */
  if (e->input_initialized && e->input_fd != fd) {
    e->input_initialized = false;
    e->input_watched = false;
    e->input_closing = true;
    uv_close((uv_handle_t *)&e->input, on_input_closed);
    return;
  }
  if (!e->input_initialized) {
    rc = uv_poll_init(e->loop, &e->input, fd);
    if (rc != 0) {
      input_failed(e, fd, rc);
      return;
    }
    e->input_initialized = true;
    e->input_fd = fd;
  }
  rc = uv_poll_start(&e->input, UV_READABLE, on_input_readable);
  if (rc != 0) {
    input_failed(e, fd, rc);
    return;
  }
  e->input_watched = true;
}

/* May the next name of the source be taken now? The checks must be done,
 * the names in their DNS life fewer than the window allows, the stages
 * keeping up, and the output able to hold its line. */
static bool may_take_name(struct bd_engine *e) {
  /* Names wait in their zones' queues before these have room, as many as
   * the router holds (a dead zone's, while the others go past). */
  if (e->pool.names[BD_PROBE_QUEUED] + e->pool.names[BD_PROBE_PARKED] >=
      e->router->hold)
    return false;
  return !e->source_done && bd_checks_ready(e->checks) &&
         bd_checks_fatal(e->checks) == NULL &&
         bd_probe_names_in_dns(&e->pool) < e->cfg.window_max &&
         !engine_stages_full(e) &&
         e->hooks.has_room(e->hooks.data, e->next_seq);
}

/* --state: is the name just taken one whose line an earlier run wrote?
 * Then it is skipped, its number with it. Another input than the state's
 * ends the run. */
static bool skip_resumed(struct bd_engine *e) {
  int rc;
  if (e->hooks.resume == NULL)
    return false;
  rc = e->hooks.resume(e->hooks.data, e->next_seq, e->item.text, e->item.len);
  if (rc == 0)
    return false;
  if (rc < 0) {
    bd_engine_stop(e);
    return true;
  }
  e->next_seq++;
  e->stats.resumed++;
  return true;
}

/* Takes the source's next name into e->item, unless one is held there
 * already. Returns false when none can be taken now. */
static bool hold_next_name(struct bd_engine *e) {
  enum bd_source_status st;

  if (e->item_held)
    return true;
  for (unsigned skipped = 0;; skipped++) {
    if (skipped == UNSENT_PER_TURN) {
      engine_pump_soon(e);
      return false;
    }
    if (!may_take_name(e))
      return false;
    st = bd_source_next(e->src, &e->item);
    if (st == BD_SOURCE_AGAIN) {
      watch_input(e);
      return false;
    }
    if (st != BD_SOURCE_ITEM) {
      e->source_done = true;
      return false;
    }
    e->stats.started++;
    if (!skip_resumed(e))
      break;
    if (e->stopping)
      return false;
  }
  e->item_held = true;
  return true;
}

/* A line for a name that is not taken into a probe: the pool has no
 * room, or nothing after the verdict wants it. */
static void report_item(struct bd_engine *e, const struct bd_verdict *v,
                        const char *evidence) {
  struct bd_result r;
  memset(&r, 0, sizeof(r));
  r.evidence = evidence;
  engine_report(e, e->next_seq++, e->item.text, e->item.len, v, &r);
}

static void finish_invalid(struct bd_engine *e, uint64_t seq,
                           const struct bd_item *item) {
  struct bd_verdict v;
  struct bd_result r;
  char shown[BD_ESCAPED_SIZE(256) + 4];
  size_t n;

  bd_verdict_invalid_name(&v, bd_name_is_host_error(item->error));
  memset(&r, 0, sizeof(r));
  r.truncated = item->truncated;
  r.detail = bd_name_strerror(item->error);
  n = bd_text_escape(shown, sizeof(shown) - 4, item->text,
                     item->len < 256 ? item->len : 256);
  if (item->truncated || item->len > 256)
    memcpy(shown + n, "...", 4);
  bd_notef("invalid name %s: %s", shown, r.detail);
  engine_report(e, seq, item->text, item->len, &v, &r);
}

/* The held name, judged by a zone file: its line at once, unless a stage
 * (--confirm, --for-sale) wants the verdict; then as a probe that goes
 * straight to its stages. */
static void finish_by_zone(struct bd_engine *e, const struct bd_verdict *v,
                           const char *evidence) {
  struct bd_probe *p;
  bool staged = false;

  e->stats.zone_judged++;
  for (size_t i = 0; i < e->nstages && !staged; i++)
    staged = e->stages[i].wants(e->stages[i].impl, v);
  if (!staged) {
    report_item(e, v, evidence);
    return;
  }
  p = bd_probe_alloc(&e->pool, e, BD_PROBE_NAME, e->item.text, e->item.len);
  if (p != NULL && !engine_keep_verdict(p, v)) {
    engine_free_probe(e, p);
    p = NULL;
  }
  if (p == NULL) {
    struct bd_verdict nomem;
    bd_verdict_from_status(ARES_ENOMEM, &nomem);
    report_item(e, &nomem, NULL);
    return;
  }
  p->seq = e->next_seq++;
  p->qtype = e->cfg.qtype;
  p->evidence = evidence;
  engine_advance(e, p);
}

/* Gives the held name its line with no query when it needs none: it is
 * no domain name, or a zone file judges it. */
static bool finish_unsent(struct bd_engine *e) {
  struct bd_verdict v;
  const char *evidence = NULL;

  if (e->item.error != BD_NAME_OK) {
    e->item_held = false;
    finish_invalid(e, e->next_seq++, &e->item);
    return true;
  }
  if (!bd_zoneset_judge(e->cfg.zones, e->item.text, e->item.len,
                        e->cfg.wildcard_check, &v, &evidence))
    return false;
  e->item_held = false;
  finish_by_zone(e, &v, evidence);
  return true;
}

/* Lines for the names at the head of the input that need no query, as
 * many as the output and the stages take, then the rest of the turn. */
void engine_finish_unsent_names(struct bd_engine *e) {
  unsigned budget = UNSENT_PER_TURN;
  while (!e->stopping && hold_next_name(e) && finish_unsent(e)) {
    if (--budget == 0) {
      engine_pump_soon(e);
      break;
    }
  }
}

/* Takes the next name from the source and starts it. Returns false when
 * nothing more can be taken now. */
bool engine_start_next_name(struct bd_engine *e) {
  struct bd_item *item = &e->item;
  struct bd_probe *p;

  if (!hold_next_name(e))
    return false;
  if (finish_unsent(e))
    return true;
  e->item_held = false;
  p = bd_probe_alloc(&e->pool, e, BD_PROBE_NAME, item->text, item->len);
  if (p == NULL) {
    /* The name is taken: it must have its line. */
    struct bd_verdict v;
    bd_verdict_from_status(ARES_ENOMEM, &v);
    report_item(e, &v, NULL);
    return true;
  }
  p->seq = e->next_seq++;
  p->qtype = e->cfg.qtype;
  p->server = BD_ZONE_NONE;
  if (e->checks != NULL)
    p->tld = bd_checks_suffix(e->checks,
                              e->router->ops->check_group(e->router, p->name));
  e->router->ops->route(e->router, p);
  return true;
}
