/* The engine: takes names from the source as the window, the pace and the
 * checks allow, sends their tries to the zone's servers, turns answers into
 * verdicts with retries, and hands each verdict through the post-DNS
 * stages to its line. Stages ask queries of their own through it
 * (bd_engine_ask), under the same rules. The one caller of the loop's
 * timers for queries. */
#include "blogdom/engine.h"

#include <assert.h>
#include <ares.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/checks.h"
#include "blogdom/common.h"
#include "blogdom/confirm.h"
#include "blogdom/dnsmsg.h"
#include "blogdom/flight.h"
#include "blogdom/forsale.h"
#include "blogdom/iterate.h"
#include "blogdom/msg.h"
#include "blogdom/names.h"
#include "blogdom/pacer.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/random.h"
#include "blogdom/records.h"
#include "blogdom/source.h"
#include "blogdom/stage.h"
#include "blogdom/text.h"
#include "blogdom/zone.h"
#include "blogdom/zoneset.h"

#define LOCAL_BACKOFF_NS (10 * BD_NS_PER_MS)
#define LOCAL_RETRIES_MAX 50
#define PACER_SLACK_NS (10 * BD_NS_PER_MS)
#define MAX_STAGES 4
#define MAX_WRITE_OFFS 8
/* Queries sent in one turn of the loop, at most: a millisecond or two of
 * work. Answers that come meanwhile wait in the socket, and a turn that
 * sent a window of tens of thousands at once overflowed its 4 MiB buffer
 * 50 ms away (the kernel's RcvbufErrors counted every retry). */
#define SENDS_PER_TURN 512
/* Names given their lines with no query (a zone file's, invalid ones) in
 * one turn, at most, before the loop reads its sockets. */
#define UNSENT_PER_TURN 4096
/* Tries written off whose slots are free may wait in c-ares for their
 * timeout: this many window floors of them a server, at most. */
#define RELEASED_FLOORS 4
/* The --for-sale stage holds at most this many window floors of names. */
#define FOR_SALE_WINDOWS 4
/* Names waiting in the zones' queues of the authoritative mode, at most
 * (about 1 MiB of probes): a dead zone's names wait there for their
 * tries while the names of live zones behind them in the input go past. */
#define QUEUED_NAMES_MAX 4096
/* Names taken in the authoritative mode before the zones' queues are
 * served again. */
#define TAKE_BATCH 64

struct bd_engine {
  uv_loop_t *loop;
  struct bd_engine_config cfg;
  struct bd_engine_hooks hooks;
  struct bd_source *src;

  struct bd_zone *zone;       /* recursive: the resolvers, for every name */
  struct bd_iterate *iterate; /* --authoritative: the map of zones */
  size_t rotor;               /* the server after which the next name goes */
  struct bd_probe_pool pool;
  struct bd_peers peers; /* every server address, once */
  /* Zones with probes QUEUED (retries, checks, the map's names), served
   * in turn: a zone that cannot send holds back only its own. */
  struct bd_zone *waiting_head;
  struct bd_zone *waiting_tail;
  struct bd_checks *checks; /* NULL when no check is wanted */
  struct bd_stage stages[MAX_STAGES];
  size_t nstages;
  struct bd_confirm_stage confirm; /* the stages' own state */
  struct bd_forsale forsale;

  uv_timer_t tick;   /* lets c-ares expire queries */
  uv_timer_t wakeup; /* pacing, local back-off, a stop */
  uv_poll_t input;   /* the source's descriptor while it would block */
  int input_fd;      /* the descriptor input watches */
  bool input_watched;
  bool input_initialized;
  bool input_closing; /* input is closing, to watch another descriptor */
  bool handles_initialized;
  bool tick_running;
  bool wakeup_armed;
  bool source_done;
  bool stopping;
  bool closed;
  bool warned_local;
  /* Inside pump() or on_answer(), where no query may be sent and no lane
   * closed: pump() waits, and the outermost pump goes round again (after
   * on_answer, the lane's on_io pumps). */
  unsigned busy;
  bool pump_again;
  /* The response on_answer() is handling, and whose: what an ask's
   * callback gets when its verdict comes from it. */
  const unsigned char *answer;
  size_t answer_len;
  const struct bd_probe *answer_of;

  struct bd_pacer pacer;
  struct bd_random random;
  uint64_t backoff_until_ns;
  /* Servers whose silence ended, with probes still out (BD_ZONE_RESEND):
   * written off at the top of the next pump. A server past the few kept
   * leaves its probes to their timeout. */
  struct bd_peer *write_offs[MAX_WRITE_OFFS];
  size_t nwrite_offs;
  uint64_t next_seq;
  struct bd_engine_stats stats;
  struct bd_item item; /* the source's next name */
  bool item_held;      /* item is taken from the source, not yet started */
};

static void pump(struct bd_engine *e);
static void pump_soon(struct bd_engine *e);
static void close_engine(struct bd_engine *e);

/* ---- the zones' queues ----------------------------------------------- */

/* z joins the ring of zones with probes waiting, at its end, unless it
 * is in it. */
static void join_ring(struct bd_engine *e, struct bd_zone *z) {
  if (z->waiting)
    return;
  z->waiting = true;
  z->next_waiting = NULL;
  if (e->waiting_tail != NULL)
    e->waiting_tail->next_waiting = z;
  else
    e->waiting_head = z;
  e->waiting_tail = z;
}

/* p waits (QUEUED) in its zone's queue. */
static void queue_probe(struct bd_engine *e, struct bd_probe *p) {
  if (p->state != BD_PROBE_QUEUED)
    bd_probe_move(&e->pool, p, BD_PROBE_QUEUED);
  bd_probe_queue_push(&p->zone->queue, p);
  join_ring(e, p->zone);
}

/* The zone at the head of the ring, out of it: it joins again when a
 * probe is queued, or when it is served and still has some. */
static struct bd_zone *leave_ring(struct bd_engine *e) {
  struct bd_zone *z = e->waiting_head;
  if (z == NULL)
    return NULL;
  e->waiting_head = z->next_waiting;
  if (e->waiting_head == NULL)
    e->waiting_tail = NULL;
  z->next_waiting = NULL;
  z->waiting = false;
  return z;
}

/* ---- lines ----------------------------------------------------------- */

static void report(struct bd_engine *e, uint64_t seq, const char *name,
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
static void deliver_as(struct bd_engine *e, struct bd_probe *p,
                       const struct bd_verdict *v) {
  struct bd_result r;
  memset(&r, 0, sizeof(r));
  r.tries = p->tries;
  if (p->start_ns != 0) /* 0: never sent (its zone had no server) */
    r.ms = (double)(uv_hrtime() - p->start_ns) / 1e6;
  if (p->zone != NULL && p->server != BD_ZONE_NONE)
    r.server = p->zone->servers[p->server]->addr.text;
  if (e->iterate != NULL && p->zone != NULL)
    r.zone = bd_iterate_zone_name(p->zone);
  r.records = p->records;
  r.fields = p->fields;
  if (p->evidence != NULL) {
    /* Unless a stage's word replaced the zone file's. */
    char buf[32];
    if (strcmp(bd_verdict_evidence(v, buf, sizeof(buf)), BD_EVIDENCE_ZONE) == 0)
      r.evidence = p->evidence;
  }
  report(e, p->seq, p->name, p->name_len, v, &r);
  bd_probe_move(&e->pool, p, BD_PROBE_FREE);
}

static void deliver(struct bd_engine *e, struct bd_probe *p) {
  deliver_as(e, p, p->verdict);
}

/* Drops a probe that will have no line: a check, a name cut off when the
 * run stops, or a stage's query cut off (its stage hears of it). */
static void release(struct bd_engine *e, struct bd_probe *p) {
  bd_engine_ask_cb cb = p->asker;
  void *arg = p->asker_arg;

  if (p->kind == BD_PROBE_NAME)
    e->stats.unreached++;
  bd_probe_move(&e->pool, p, BD_PROBE_FREE);
  if (cb != NULL)
    cb(arg, NULL, 0, NULL);
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
  report(e, seq, item->text, item->len, &v, &r);
}

/* ---- stages ---------------------------------------------------------- */

/* Sends p into the first stage from p->stage on that wants its verdict, or
 * to its line. A stage without room keeps it in its backlog. */
static void advance(struct bd_engine *e, struct bd_probe *p) {
  while (p->stage < e->nstages) {
    struct bd_stage *st = &e->stages[p->stage++];
    if (!st->wants(st->impl, p->verdict))
      continue;
    /* Stopping, its stage cannot run: no line rather than a verdict the
     * stage was there to correct. */
    if (e->stopping) {
      release(e, p);
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
static void drain_backlogs(struct bd_engine *e) {
  for (size_t i = 0; i < e->nstages; i++) {
    struct bd_stage *st = &e->stages[i];
    while (!e->stopping && st->active < st->budget && st->backlog.head != NULL)
      advance(e, bd_probe_queue_pop(&st->backlog));
  }
}

void bd_engine_stage_done(struct bd_probe *p, bool cancelled) {
  struct bd_engine *e = p->owner;
  struct bd_stage *st = &e->stages[p->stage - 1];
  assert(st->active > 0);
  st->active--;
  if (cancelled) {
    release(e, p);
    return;
  }
  advance(e, p);
  pump(e);
}

void *bd_engine_stage_impl(const struct bd_probe *p) {
  const struct bd_engine *e = p->owner;
  assert(p->stage > 0 && p->stage <= e->nstages);
  return e->stages[p->stage - 1].impl;
}

/* True when a stage has no room and names wait for it: taking more names
 * would only grow the backlog. */
static bool stages_full(const struct bd_engine *e) {
  for (size_t i = 0; i < e->nstages; i++)
    if (e->stages[i].backlog.head != NULL)
      return true;
  return false;
}

/* ---- answers --------------------------------------------------------- */

/* A stage's query has its verdict: the probe goes, then its stage hears
 * of it, with the response when the verdict was made from one. */
static void finish_ask(struct bd_engine *e, struct bd_probe *p,
                       const struct bd_verdict *v) {
  struct bd_verdict copy = *v;
  bd_engine_ask_cb cb = p->asker;
  void *arg = p->asker_arg;
  bool answered = e->answer_of == p && v->rcode >= 0;

  /* p may be allocated again from inside cb: the response is not its. */
  e->answer_of = NULL;
  p->asker = NULL;
  bd_probe_move(&e->pool, p, BD_PROBE_FREE);
  cb(arg, answered ? e->answer : NULL, answered ? e->answer_len : 0, &copy);
}

/* Keeps v as p's verdict, in memory of its own: false when none can be
 * had. */
static bool keep_verdict(struct bd_probe *p, const struct bd_verdict *v) {
  if (p->verdict == NULL)
    p->verdict = malloc(sizeof(*p->verdict));
  if (p->verdict == NULL)
    return false;
  *p->verdict = *v;
  return true;
}

/* A name has its DNS verdict: it waits for its TLD's checks if they are
 * still out, then goes on through the stages to its line. */
static void finish_probe(struct bd_engine *e, struct bd_probe *p,
                         const struct bd_verdict *v) {
  if (p->kind == BD_PROBE_ASK) {
    finish_ask(e, p, v);
    return;
  }
  if (p->kind != BD_PROBE_NAME) {
    bd_checks_answer(e->checks, p, v);
    release(e, p);
    return;
  }
  if (!keep_verdict(p, v)) {
    /* The name still has its line; not one the checks never saw. */
    struct bd_verdict nomem;
    bd_verdict_from_status(ARES_ENOMEM, &nomem);
    deliver_as(e, p, &nomem);
    return;
  }
  if (e->checks != NULL && bd_checks_park(e->checks, p)) {
    bd_probe_move(&e->pool, p, BD_PROBE_PARKED);
    return;
  }
  bd_checks_apply(p, p->verdict);
  advance(e, p);
}

/* A failure on this host (no descriptor, full socket buffer): the query
 * never left, so it costs no try; the window shrinks and sending pauses.
 * A name that meets it again and again (no descriptor can ever be had)
 * pays tries after all, so the run still ends. */
static bool retry_local_failure(struct bd_engine *e, struct bd_probe *p) {
  struct bd_peer *zs = p->zone->servers[p->server];
  int err = bd_lane_take_local_errno(&zs->lane);
  uint64_t now = uv_hrtime();

  if (err == 0 || e->stopping || ++p->local_failures > LOCAL_RETRIES_MAX)
    return false;
  if (!e->warned_local) {
    bd_warnf("sending paused: %s; lowering concurrency", strerror(err));
    e->warned_local = true;
  }
  bd_peer_local_failure(zs, now, LOCAL_BACKOFF_NS);
  e->backoff_until_ns = now + LOCAL_BACKOFF_NS;
  p->tries--;
  queue_probe(e, p);
  return true;
}

static bool should_retry(const struct bd_engine *e, const struct bd_probe *p,
                         const struct bd_verdict *v) {
  if (e->stopping || p->tries >= e->cfg.tries)
    return false;
  if (bd_verdict_is_transport_failure(v))
    return true;
  /* A server's refusal is its final word unless another server can ask;
   * a vetting query asks its own server alone. */
  return bd_verdict_is_server_failure(v) && !p->pinned &&
         (p->zone->in_use > 1 || p->zone->health[p->server].sidelined);
}

/* No more tries: the verdict says why (the map's own lookups are the
 * map's to end). */
static void give_up(struct bd_engine *e, struct bd_probe *p,
                    const struct bd_verdict *v) {
  if (e->iterate != NULL)
    bd_iterate_gave_up(e->iterate, p, v);
  else
    finish_probe(e, p, v);
}

static void requeue(struct bd_engine *e, struct bd_probe *p) {
  queue_probe(e, p);
}

/* A truncated answer is the start of one: the same server is asked again
 * over TCP, and the try is not counted (RFC 7766 5). */
static void ask_over_tcp(struct bd_engine *e, struct bd_probe *p) {
  bd_peer_truncated(p->zone->servers[p->server]);
  p->via_tcp = true;
  p->tries--;
  requeue(e, p);
}

/* Feeds a try's outcome to its server; what that changed is said by
 * on_zone_event. */
static void judge_server(struct bd_engine *e, const struct bd_probe *p,
                         const struct bd_verdict *v) {
  if (v->reason == BD_REASON_TIMEOUT)
    e->stats.timeouts++;
  bd_zone_record(p->zone, p->server, v, p->sent_ns, p->send, uv_hrtime());
}

/* What a window is doing, in words for -v. */
static const char *phase_words(enum bd_window_phase phase) {
  switch (phase) {
  case BD_WINDOW_SLOW_START:
  case BD_WINDOW_STEADY:
    return "window";
  case BD_WINDOW_SEARCHING:
    return "rate limited: searching upwards";
  case BD_WINDOW_PACED:
    return "rate limited: paced";
  case BD_WINDOW_SILENT:
    return "silent: only probes go out";
  }
  return "";
}

static void say_phase(const struct bd_peer *zs) {
  const struct bd_window *w = &zs->window;
  if (zs->phase == BD_WINDOW_PACED || zs->phase == BD_WINDOW_SEARCHING)
    bd_debugf("server %s: %s at %.0f q/s", zs->addr.text,
              phase_words(zs->phase), w->pace);
  else if (zs->phase == BD_WINDOW_SILENT)
    bd_debugf("server %s: %s", zs->addr.text, phase_words(zs->phase));
  else
    bd_debugf("server %s: %s, no pace", zs->addr.text, phase_words(zs->phase));
}

static void write_off_overtaken(struct bd_engine *e, struct bd_peer *zs,
                                uint64_t answered_sent_ns);

static void on_sidelined(void *data, struct bd_zone *z, size_t i) {
  struct bd_engine *e = data;
  e->stats.sidelined++;
  bd_warnf("server %s sidelined: %.0f%% of its last queries failed; its "
           "names go to the other servers",
           z->servers[i]->addr.text, 100 * z->health[i].failure_rate);
}

/* Whether no server of the recursive mode's zone answers (the map says
 * so of its zones itself). */
static bool no_resolver_left(const struct bd_engine *e) {
  return e->zone != NULL && bd_zone_unreachable(e->zone, uv_hrtime());
}

static void on_peer_event(void *data, struct bd_peer *zs,
                          enum bd_peer_event ev) {
  struct bd_engine *e = data;
  switch (ev) {
  case BD_PEER_SILENT:
    bd_warnf("server %s has stopped answering (nothing for %.1f s)%s",
             zs->addr.text,
             (double)bd_window_silence(&zs->window, uv_hrtime()) / 1e9,
             no_resolver_left(e)
                 ? "; no server is left: names end as '?' until one answers"
                 : "; its names go to the other servers");
    break;
  case BD_PEER_BACK:
    bd_warnf("server %s answers again", zs->addr.text);
    break;
  case BD_PEER_PHASE:
    say_phase(zs);
    break;
  case BD_PEER_OVERDUE:
    write_off_overtaken(e, zs, zs->window.latest_answered_sent_ns);
    break;
  case BD_PEER_RESEND:
    /* Told from inside an answer's callback: the next pump does it. */
    if (e->nwrite_offs < MAX_WRITE_OFFS)
      e->write_offs[e->nwrite_offs++] = zs;
    break;
  case BD_PEER_NEVENTS:
    break;
  }
}

/* A name's answer records, for its JSON line (made again if another try
 * brings another answer). Out of memory, the line goes without them. */
static void keep_records(struct bd_engine *e, struct bd_probe *p,
                         const unsigned char *abuf, size_t alen) {
  if (!e->cfg.json || p->kind != BD_PROBE_NAME)
    return;
  free(p->records);
  p->records = NULL;
  (void)bd_records_json(abuf, alen, &p->records);
}

static void handle_answer(struct bd_engine *e, struct bd_probe *p, int status,
                          unsigned char *abuf, int alen);

static void free_slot(struct bd_engine *e, struct bd_peer *zs) {
  assert(e->stats.inflight > 0 && zs->inflight > 0);
  e->stats.inflight--;
  zs->inflight--;
}

/* The callback of a try written off as lost; `held`: its slot in the
 * window is free only now. One answered came back after all: its server
 * takes longer at times than the window allowed for. */
static void on_written_off(struct bd_engine *e, struct bd_flight *f, int status,
                           bool held) {
  struct bd_peer *zs = container_of(f, struct bd_peer, flight);
  if (held)
    free_slot(e, zs);
  if (status == ARES_SUCCESS)
    bd_window_on_spurious_loss(&zs->window);
}

/* The slots of tries written off are released once the window has
 * judged the epoch they went in: a limit met before its pace is found is
 * not sent more for its losses, while a path that loses a share is not
 * held back by them until their timeout. Their queries wait in c-ares
 * meanwhile, a few floors of them at most. */
static void release_slots(struct bd_engine *e, struct bd_peer *zs) {
  unsigned cap = RELEASED_FLOORS * zs->window.floor;
  while (bd_flight_release(&zs->flight, zs->window.settled_until_ns, cap) !=
         NULL)
    free_slot(e, zs);
}

/* The tries to zs that went before one sent at answered_sent_ns and are
 * still out: lost (RACK), and their names asked again now rather than
 * after their timeout. Each counts as a try, as a timeout does; a name's
 * last try waits its timeout out. */
static void write_off_overtaken(struct bd_engine *e, struct bd_peer *zs,
                                uint64_t answered_sent_ns) {
  uint64_t lost_after = bd_window_lost_after(&zs->window);
  uint64_t now = uv_hrtime();
  struct bd_try *t;

  while (!e->stopping && (t = bd_flight_overtaken(&zs->flight, answered_sent_ns,
                                                  now, lost_after)) != NULL) {
    struct bd_probe *p = t->probe;
    struct bd_verdict lost;
    if (p->pinned || p->tries >= e->cfg.tries)
      continue;
    bd_flight_write_off(t);
    /* As the timeout would have: a failure to its server's health. */
    bd_verdict_from_status(ARES_ETIMEOUT, &lost);
    bd_zone_record(p->zone, p->server, &lost, p->sent_ns, p->send, now);
    e->stats.retries++;
    e->stats.written_off++;
    requeue(e, p);
  }
  release_slots(e, zs);
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
                      int alen) {
  struct bd_try *t = arg;
  struct bd_flight *f = t->flight;
  struct bd_engine *e = t->owner;
  bool held;
  struct bd_probe *p = bd_flight_done(t, &held);
  struct bd_peer *zs;
  uint64_t sent_ns;

  (void)timeouts;
  if (p == NULL) {
    on_written_off(e, f, status, held);
    return;
  }
  zs = p->zone->servers[p->server];
  sent_ns = p->sent_ns;
  e->busy++;
  handle_answer(e, p, status, abuf, alen);
  if (status == ARES_SUCCESS)
    write_off_overtaken(e, zs, sent_ns);
  e->busy--;
}

static void handle_answer(struct bd_engine *e, struct bd_probe *p, int status,
                          unsigned char *abuf, int alen) {
  struct bd_verdict v;

  assert(e->stats.inflight > 0);
  e->stats.inflight--;
  p->zone->servers[p->server]->inflight--;
  if (status == ARES_EDESTRUCTION ||
      (status == ARES_ECANCELLED && e->stopping)) {
    release(e, p);
    return;
  }
  if (status == ARES_ECANCELLED) {
    /* Written off by its server's silence (bd_zone_expire): the try
     * waited for nothing the name could help, and is not counted. */
    p->tries--;
    requeue(e, p);
    return;
  }
  if (status == ARES_ECONNREFUSED && retry_local_failure(e, p))
    return;
  if (status == ARES_SUCCESS && !p->via_tcp &&
      bd_verdict_is_truncated(abuf, (size_t)alen)) {
    ask_over_tcp(e, p);
    return;
  }
  if (status == ARES_SUCCESS)
    bd_verdict_from_answer(abuf, (size_t)alen, p->qtype, &v);
  else
    bd_verdict_from_status(status, &v);

  /* Vetting judges its server by rules of its own; in the authoritative
   * mode, any answer is one as far as the window and health go, and the
   * map judges what it says. */
  if (e->iterate != NULL && status == ARES_SUCCESS &&
      !bd_verdict_is_transport_failure(&v))
    v.status = BD_FOUND, v.reason = BD_REASON_ANSWER;
  if (!p->pinned)
    judge_server(e, p, &v);
  if (should_retry(e, p, &v)) {
    e->stats.retries++;
    requeue(e, p);
    return;
  }
  if (status == ARES_SUCCESS) {
    keep_records(e, p, abuf, (size_t)alen);
    e->answer = abuf;
    e->answer_len = (size_t)alen;
    e->answer_of = p;
  }
  if (e->iterate != NULL && !bd_verdict_is_transport_failure(&v))
    bd_iterate_answer(e->iterate, p, abuf, (size_t)alen);
  else
    give_up(e, p, &v);
  e->answer = NULL;
  e->answer_len = 0;
  e->answer_of = NULL;
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
  p->zone = e->zone;
  p->server = BD_ZONE_NONE;
  /* Queued, it goes out at the next pump: never from inside the caller.
   * The map may fail it at once (no server). */
  if (e->iterate != NULL)
    bd_iterate_route(e->iterate, p);
  else
    queue_probe(e, p);
  return 0;
}

/* ---- checks ---------------------------------------------------------- */

static int on_check_asked(void *data, enum bd_probe_kind kind, const char *name,
                          uint16_t qtype, struct bd_tld *tld, size_t server) {
  struct bd_engine *e = data;
  struct bd_probe *p = bd_probe_alloc(&e->pool, e, kind, name, strlen(name));
  if (p == NULL)
    return -ENOMEM;
  p->qtype = qtype;
  p->tld = tld;
  p->pinned = server != BD_ZONE_NONE;
  p->zone = e->zone;
  p->server = server; /* unpinned: the first server in use */
  if (e->iterate != NULL)
    bd_iterate_route(e->iterate, p);
  else
    queue_probe(e, p);
  return 0;
}

static void on_check_release(void *data, struct bd_probe *p) {
  struct bd_engine *e = data;
  bd_checks_apply(p, p->verdict);
  advance(e, p);
}

static void on_check_stop(void *data) {
  bd_engine_stop(data);
}

/* ---- sending --------------------------------------------------------- */

/* Every server of p's zone has been silent past the tries of a name: p
 * ends as a timeout without being sent, as its tries would have. */
static void end_unsent(struct bd_engine *e, struct bd_probe *p) {
  struct bd_verdict v;
  bd_verdict_from_status(ARES_ETIMEOUT, &v);
  bd_probe_move(&e->pool, p, BD_PROBE_INFLIGHT);
  give_up(e, p, &v);
}

static void send_try(struct bd_engine *e, struct bd_probe *p, size_t server) {
  struct bd_peer *zs = p->zone->servers[server];
  struct bd_lane *lane = bd_peer_lane(zs, p->via_tcp);
  struct bd_try *t;
  unsigned char *query;
  uint64_t now;
  int qlen;
  int rc;

  p->server = server;
  p->sent_ns = uv_hrtime();
  if (p->start_ns == 0)
    p->start_ns = p->sent_ns;
  p->tries++;
  bd_probe_move(&e->pool, p, BD_PROBE_INFLIGHT);
  /* RD only when a resolver is asked: a zone's own server must answer from
   * its zone (RFC 1034 4.3.1). */
  rc = ares_create_query(p->name, BD_DNS_CLASS_IN, p->qtype,
                         bd_random_id(&e->random), e->iterate == NULL, &query,
                         &qlen, BD_EDNS_PAYLOAD);
  if (rc != ARES_SUCCESS) {
    struct bd_verdict v;
    bd_verdict_from_status(rc, &v);
    give_up(e, p, &v);
    return;
  }
  if (lane == NULL)
    lane = &zs->lane;
  t = bd_flight_send(&zs->flight, p, 0, lane == &zs->lane);
  if (t == NULL) {
    struct bd_verdict v;
    ares_free_string(query);
    bd_verdict_from_status(ARES_ENOMEM, &v);
    give_up(e, p, &v);
    return;
  }
  e->stats.queries++;
  /* The pace counts the send as it leaves, not as it was decided: on a
   * slow host the two are apart, and the server sees the former. */
  now = uv_hrtime();
  t->sent_ns = now;
  t->owner = e;
  bd_pacer_consume(&e->pacer, now);
  p->send = bd_peer_sent(zs, now);
  zs->inflight++;
  if (++e->stats.inflight > e->stats.inflight_peak)
    e->stats.inflight_peak = e->stats.inflight;
  /* May call on_answer before it returns (a failed send). */
  bd_lane_send(lane, query, qlen, on_answer, t);
  ares_free_string(query);
}

/* Reads what waits in every socket, then expires what is due: libuv runs
 * timers before it polls, so after a stall of the loop the answers that
 * arrived meanwhile are read before any try is judged lost. */
static void service_sockets(struct bd_engine *e) {
  if (!e->closed)
    bd_peers_expire(&e->peers, uv_hrtime());
}

static void on_tick(uv_timer_t *t) {
  struct bd_engine *e = container_of(t, struct bd_engine, tick);
  service_sockets(e);
  pump(e);
}

static void on_wakeup(uv_timer_t *t) {
  struct bd_engine *e = container_of(t, struct bd_engine, wakeup);
  e->wakeup_armed = false;
  service_sockets(e);
  pump(e);
}

static void on_io(void *data) {
  pump(data);
}

static void watch_input(struct bd_engine *e);

static void on_input_closed(uv_handle_t *h) {
  struct bd_engine *e = container_of((uv_poll_t *)h, struct bd_engine, input);
  e->input_closing = false;
  if (!e->closed)
    pump(e);
}

static void on_input_readable(uv_poll_t *h, int status, int events) {
  struct bd_engine *e = container_of(h, struct bd_engine, input);
  (void)status;
  (void)events;
  uv_poll_stop(&e->input);
  e->input_watched = false;
  pump(e);
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

static void arm_wakeup(struct bd_engine *e, uint64_t wait_ns) {
  uint64_t ms = (wait_ns + BD_NS_PER_MS - 1) / BD_NS_PER_MS;
  if (e->wakeup_armed)
    return;
  /* uv_timer_start fails only on a closing handle, and then nothing is
   * left to wake up. */
  if (uv_timer_start(&e->wakeup, on_wakeup, ms > 0 ? ms : 1, 0) == 0)
    e->wakeup_armed = true;
}

/* May one more query go out now, as far as the pace and a local back-off
 * go? If only time stands in the way, arms the wake-up. */
static bool may_send(struct bd_engine *e) {
  uint64_t now;
  uint64_t wait;

  if (!e->cfg.rate && e->backoff_until_ns == 0)
    return true;
  now = uv_hrtime();
  if (now < e->backoff_until_ns) {
    arm_wakeup(e, e->backoff_until_ns - now);
    return false;
  }
  e->backoff_until_ns = 0;
  wait = bd_pacer_delay(&e->pacer, now);
  if (wait > 0) {
    arm_wakeup(e, wait);
    return false;
  }
  return true;
}

/* May the next name of the source be taken now? The checks must be done,
 * the names in their DNS life fewer than the window allows, the stages
 * keeping up, and the output able to hold its line. */
static bool may_take_name(struct bd_engine *e) {
  /* The map queues names in their zones before these have room, as many
   * as a dead zone may hold while the others go on. */
  if (e->iterate != NULL &&
      e->pool.names[BD_PROBE_QUEUED] + e->pool.names[BD_PROBE_PARKED] >=
          QUEUED_NAMES_MAX)
    return false;
  return !e->source_done && bd_checks_ready(e->checks) &&
         bd_checks_fatal(e->checks) == NULL &&
         bd_probe_names_in_dns(&e->pool) < e->cfg.window_max &&
         !stages_full(e) && e->hooks.has_room(e->hooks.data, e->next_seq);
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
      pump_soon(e);
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
  report(e, e->next_seq++, e->item.text, e->item.len, v, &r);
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
  if (p != NULL && !keep_verdict(p, v)) {
    bd_probe_move(&e->pool, p, BD_PROBE_FREE);
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
  advance(e, p);
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
static void finish_unsent_names(struct bd_engine *e) {
  unsigned budget = UNSENT_PER_TURN;
  while (!e->stopping && hold_next_name(e) && finish_unsent(e)) {
    if (--budget == 0) {
      pump_soon(e);
      break;
    }
  }
}

/* Takes the next name from the source and starts it. Returns false when
 * nothing more can be taken now. */
static bool start_next_name(struct bd_engine *e, size_t server) {
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
  if (e->iterate != NULL) {
    /* Checked per suffix, as each suffix has its own zone. */
    if (e->checks != NULL)
      p->tld = bd_checks_suffix(e->checks, bd_iterate_suffix_of(p));
    bd_iterate_route(e->iterate, p);
    return true;
  }
  p->zone = e->zone;
  if (e->checks != NULL)
    p->tld = bd_checks_tld(e->checks, p->name);
  if (server == BD_ZONE_NONE)
    end_unsent(e, p);
  else
    send_try(e, p, server);
  return true;
}

/* Keeps the expiry tick running while queries are out, and only then. */
static void update_tick(struct bd_engine *e) {
  if (e->stats.inflight > 0 && !e->tick_running) {
    uint64_t tick = e->cfg.timeout_ms / 20;
    tick = tick < 1 ? 1 : tick > 50 ? 50 : tick;
    e->tick_running = uv_timer_start(&e->tick, on_tick, tick, tick) == 0;
  } else if (e->stats.inflight == 0 && e->tick_running) {
    uv_timer_stop(&e->tick);
    e->tick_running = false;
  }
}

static bool nothing_alive(const struct bd_engine *e) {
  for (int s = BD_PROBE_QUEUED; s < BD_PROBE_NSTATES; s++)
    if (e->pool.names[s] > 0 || e->pool.checks[s] > 0)
      return false;
  return true;
}

/* The next probe of z goes now if a server of z may take it: a retry to
 * the next server in turn (the same one if alone), a vetting query to its
 * own server. Returns false when none may; *wait then says when a server
 * held back by its pace or cap may (0: unknown). */
static bool send_from(struct bd_engine *e, struct bd_zone *z, uint64_t *wait) {
  struct bd_probe *p = z->queue.head;
  uint64_t now = uv_hrtime();
  size_t server =
      p->pinned ? p->server : bd_zone_choose(z, p->server, now, wait);

  if (server == BD_ZONE_NONE && e->iterate != NULL && z->in_use == 0)
    /* Its zone lost its last server while it waited. */
    bd_iterate_resend(e->iterate, bd_probe_queue_pop(&z->queue));
  else if (server == BD_ZONE_NONE && !p->pinned && bd_zone_unreachable(z, now))
    end_unsent(e, bd_probe_queue_pop(&z->queue));
  else if (server == BD_ZONE_NONE)
    return false;
  else
    send_try(e, bd_probe_queue_pop(&z->queue), server);
  return true;
}

/* One round of the ring: each zone with probes waiting sends what its
 * servers take. A zone that cannot send holds back only its own probes. */
static void serve_zones(struct bd_engine *e, unsigned *budget, uint64_t *wait) {
  struct bd_zone *last = e->waiting_tail;
  struct bd_zone *z;
  bool more = last != NULL;

  while (more && *budget > 0 && !e->stopping && (z = leave_ring(e)) != NULL) {
    more = z != last;
    while (z->queue.head != NULL && *budget > 0 && !e->stopping &&
           may_send(e)) {
      uint64_t w = 0;
      if (!send_from(e, z, &w)) {
        if (w > 0 && (*wait == 0 || w < *wait))
          *wait = w;
        break;
      }
      (*budget)--;
    }
    if (z->queue.head != NULL)
      join_ring(e, z);
  }
}

/* The recursive mode: new names go straight to the next resolver in turn
 * that may take one, once the zone's own queue (retries, checks, stages'
 * queries) is empty. Returns whether any name was taken. */
static bool take_for_resolvers(struct bd_engine *e, unsigned *budget,
                               uint64_t *wait) {
  bool took = false;
  while (e->zone->queue.head == NULL && *budget > 0 && !e->stopping &&
         may_send(e)) {
    uint64_t w = 0;
    size_t server = bd_zone_choose(e->zone, e->rotor, uv_hrtime(), &w);
    if (server == BD_ZONE_NONE && !bd_zone_unreachable(e->zone, uv_hrtime())) {
      /* Held back by a pace alone: with nothing in flight, only the
       * wake-up brings the loop back. */
      if (w > 0 && (*wait == 0 || w < *wait))
        *wait = w;
      break;
    }
    /* With no resolver answering, the name ends unsent, and so does the
     * next, until a probe is answered. */
    if (!start_next_name(e, server))
      break;
    took = true;
    (*budget)--;
    if (server != BD_ZONE_NONE)
      e->rotor = server;
  }
  return took;
}

/* The authoritative mode: the map sends each name to its zone's queue. */
static bool take_for_map(struct bd_engine *e) {
  unsigned k = 0;
  while (k < TAKE_BATCH && !e->stopping && start_next_name(e, BD_ZONE_NONE))
    k++;
  return k > 0;
}

/* Sends what the windows, the paces and the input allow; what waits in
 * the zones' queues first; at most SENDS_PER_TURN, then the loop reads
 * its sockets before the rest goes. */
static void send_what_may_go(struct bd_engine *e) {
  unsigned budget = SENDS_PER_TURN;
  uint64_t wait = 0;
  bool took = true;

  while (took && budget > 0 && !e->stopping && may_send(e)) {
    serve_zones(e, &budget, &wait);
    if (budget == 0 || e->stopping || !may_send(e))
      break;
    took = e->iterate != NULL ? take_for_map(e)
                              : take_for_resolvers(e, &budget, &wait);
  }
  if (budget == 0)
    pump_soon(e);
  else if (wait > 0)
    arm_wakeup(e, wait);
}

/* Writes off the probes of the servers whose silence ended: before any
 * query is sent, what is in flight to them was sent during it. */
static void write_off_lost(struct bd_engine *e) {
  size_t n = e->nwrite_offs;
  e->nwrite_offs = 0;
  for (size_t k = 0; k < n && !e->stopping; k++)
    bd_peer_write_off(e->write_offs[k]);
}

/* Lets stages take names, then sends; the only caller of ares_send(),
 * always from the top of an event. A stage done from inside (a query
 * that fails at once) asks for another round rather than nesting. */
static void pump(struct bd_engine *e) {
  if (e->busy > 0) {
    e->pump_again = true;
    return;
  }
  e->busy++;
  do {
    e->pump_again = false;
    if (e->closed)
      break;
    write_off_lost(e);
    drain_backlogs(e);
    finish_unsent_names(e);
    send_what_may_go(e);
  } while (e->pump_again);
  e->busy--;
  if (e->closed)
    return;
  update_tick(e);
  if (e->hooks.on_batch != NULL)
    e->hooks.on_batch(e->hooks.data);
  if (e->stopping || (e->source_done && nothing_alive(e)))
    close_engine(e);
}

/* ---- life cycle ------------------------------------------------------ */

static void add_upfront(const char *name, void *data) {
  bd_checks_add_upfront(data, name);
}

/* What every server address gets: the tries, windows and caps of the
 * run. */
static void open_peers(struct bd_engine *e) {
  struct bd_peers_config pc;
  memset(&pc, 0, sizeof(pc));
  pc.loop = e->loop;
  pc.timeout_ms = e->cfg.timeout_ms;
  pc.tries = e->cfg.tries;
  pc.window_init = e->cfg.window_init;
  pc.window_max = e->cfg.window_max;
  pc.window_floor = e->cfg.window_floor;
  pc.server_rate = e->cfg.server_rate;
  pc.on_io = on_io;
  pc.on_event = on_peer_event;
  pc.data = e;
  bd_peers_init(&e->peers, &pc);
}

static void zone_config(struct bd_engine *e, struct bd_zone_config *zc) {
  memset(zc, 0, sizeof(*zc));
  zc->peers = &e->peers;
  zc->on_sidelined = on_sidelined;
  zc->data = e;
}

/* ---- the map's needs (--authoritative) ------------------------------ */

static void on_map_send(void *data, struct bd_probe *p) {
  queue_probe(data, p);
}

/* A verdict may come to a name that never left (its zone has no server):
 * it passes through INFLIGHT, where verdicts are born. */
static void on_map_finish(void *data, struct bd_probe *p,
                          const struct bd_verdict *v) {
  struct bd_engine *e = data;
  if (bd_iterate_fatal(e->iterate) != NULL) {
    /* No root: the names that failed for it get no line (exit 2). */
    release(e, p);
    return;
  }
  if (p->state == BD_PROBE_PARKED)
    bd_probe_move(&e->pool, p, BD_PROBE_QUEUED);
  if (p->state == BD_PROBE_QUEUED)
    bd_probe_move(&e->pool, p, BD_PROBE_INFLIGHT);
  finish_probe(e, p, v);
}

static struct bd_probe *on_map_alloc(void *data, enum bd_probe_kind kind,
                                     const char *name, size_t len) {
  struct bd_engine *e = data;
  return bd_probe_alloc(&e->pool, e, kind, name, len);
}

static void on_map_release(void *data, struct bd_probe *p) {
  release(data, p);
}

static void on_map_park(void *data, struct bd_probe *p) {
  struct bd_engine *e = data;
  bd_probe_move(&e->pool, p, BD_PROBE_PARKED);
}

static int open_map(struct bd_engine *e) {
  struct bd_iterate_config ic;
  struct bd_iterate_ops ops = {
      e,           on_map_send,  on_map_finish, on_map_alloc, on_map_release,
      on_map_park, on_check_stop};
  int rc;

  memset(&ic, 0, sizeof(ic));
  ic.roots = e->cfg.servers;
  ic.nroots = e->cfg.nservers;
  ic.ipv6 = e->cfg.ipv6;
  zone_config(e, &ic.zone);
  rc = bd_iterate_new(&e->iterate, &ic, &ops);
  if (rc == -EINVAL)
    bd_errorf("no usable root server");
  return rc;
}

static int add_servers(struct bd_engine *e) {
  struct bd_zone_config zc;
  int rc;

  if (e->cfg.authoritative)
    return open_map(e);
  zone_config(e, &zc);
  rc = bd_zone_new(&e->zone, "", &zc);
  for (size_t i = 0; rc == 0 && i < e->cfg.nservers; i++) {
    rc = bd_zone_add_server(e->zone, &e->cfg.servers[i]);
    if (rc == -EINVAL)
      bd_errorf("cannot use server %s", e->cfg.servers[i].text);
    rc = rc < 0 ? rc : 0;
  }
  return rc;
}

static int start_checks(struct bd_engine *e) {
  struct bd_checks_config cc;
  struct bd_checks_ops ops = {e, on_check_asked, on_check_release,
                              on_check_stop};
  int rc;

  memset(&cc, 0, sizeof(cc));
  cc.zone = e->zone;
  /* Without a resolver there is none to vet. */
  cc.vet = !e->cfg.trust_resolver && !e->cfg.authoritative;
  cc.wildcard = e->cfg.wildcard_check;
  cc.qtype = e->cfg.qtype;
  rc = bd_checks_new(&e->checks, &cc, &ops);
  if (rc != 0 || e->checks == NULL)
    return rc;
  if (!e->cfg.authoritative)
    bd_source_each_known_tld(e->src, add_upfront, e->checks);
  return bd_checks_start(e->checks);
}

static int init_handles(struct bd_engine *e) {
  int rc = uv_timer_init(e->loop, &e->tick);
  if (rc != 0)
    return rc;
  rc = uv_timer_init(e->loop, &e->wakeup);
  if (rc != 0) {
    uv_close((uv_handle_t *)&e->tick, NULL);
    return rc;
  }
  e->handles_initialized = true;
  return 0;
}

int bd_engine_new(struct bd_engine **out, uv_loop_t *loop,
                  const struct bd_engine_config *cfg, struct bd_source *src,
                  const struct bd_engine_hooks *hooks) {
  struct bd_engine *e = calloc(1, sizeof(*e));
  int rc;

  *out = NULL;
  if (e == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  e->loop = loop;
  e->cfg = *cfg;
  e->hooks = *hooks;
  e->src = src;
  e->rotor = BD_ZONE_NONE;
  bd_probe_pool_init(&e->pool);
  /* 10 ms of slack: a loop that wakes late by up to that still sends its
   * share; the pacer paces 2% under the rate so that no second ever holds
   * more than the rate, even as the server sees them. */
  bd_pacer_init(&e->pacer, cfg->rate, PACER_SLACK_NS);
  open_peers(e);
  if (cfg->rdap != NULL) {
    e->confirm.rdap = cfg->rdap;
    e->confirm.json = cfg->json;
    bd_confirm_stage_init(&e->stages[e->nstages++], &e->confirm,
                          cfg->window_max);
  }
  if (cfg->for_sale) {
    /* Its queries wait in the engine's queue before going out: a few
     * windows' worth keeps the servers busy without holding many names. */
    unsigned budget = cfg->window_max < FOR_SALE_WINDOWS * cfg->window_floor
                          ? cfg->window_max
                          : FOR_SALE_WINDOWS * cfg->window_floor;
    e->forsale.engine = e;
    e->forsale.json = cfg->json;
    bd_forsale_stage_init(&e->stages[e->nstages++], &e->forsale,
                          budget > 0 ? budget : 1);
  }
  rc = add_servers(e);
  if (rc == 0)
    rc = init_handles(e);
  if (rc == 0)
    rc = start_checks(e);
  if (rc != 0) {
    if (rc == -ENOMEM)
      bd_errorf("out of memory");
    /* The caller runs the loop once, which closes what was opened, then
     * frees the engine. */
    close_engine(e);
    *out = e;
    return -1;
  }
  *out = e;
  return 0;
}

void bd_engine_start(struct bd_engine *e) {
  pump(e);
}

static void drop_parked(void *data, struct bd_probe *p) {
  release(data, p);
}

static void drop_unreached(struct bd_engine *e) {
  struct bd_probe *p;
  struct bd_zone *z;
  while ((z = leave_ring(e)) != NULL)
    while ((p = bd_probe_queue_pop(&z->queue)) != NULL)
      release(e, p);
  for (size_t i = 0; i < e->nstages; i++)
    while ((p = bd_probe_queue_pop(&e->stages[i].backlog)) != NULL)
      release(e, p);
  bd_checks_drop_parked(e->checks, drop_parked, e);
  if (e->item_held) {
    e->item_held = false;
    e->stats.unreached++;
  }
}

/* Destroying the lanes ends their queries (ARES_EDESTRUCTION) and closes
 * their sockets' watches; closing a stage cancels what it still waits
 * for. */
static void close_engine(struct bd_engine *e) {
  if (e->closed)
    return;
  e->closed = true;
  e->stopping = true;
  bd_peers_close(&e->peers);
  for (size_t i = 0; i < e->nstages; i++)
    e->stages[i].close(e->stages[i].impl);
  drop_unreached(e);
  if (e->handles_initialized) {
    uv_close((uv_handle_t *)&e->tick, NULL);
    uv_close((uv_handle_t *)&e->wakeup, NULL);
  }
  if (e->input_initialized)
    uv_close((uv_handle_t *)&e->input, NULL);
}

/* A pump at the top of the next turn of the loop, whatever the wake-up
 * was armed for: that pump arms it again if a pace still holds. */
static void pump_soon(struct bd_engine *e) {
  if (e->closed || !e->handles_initialized)
    return;
  uv_timer_stop(&e->wakeup);
  e->wakeup_armed = uv_timer_start(&e->wakeup, on_wakeup, 0, 0) == 0;
}

/* May run inside a c-ares callback, where the lanes must not be destroyed:
 * they are closed from the next pump, at the top of an event. */
void bd_engine_stop(struct bd_engine *e) {
  if (e->stopping)
    return;
  e->stopping = true;
  pump_soon(e);
}

void bd_engine_resume(struct bd_engine *e) {
  if (!e->stopping)
    pump_soon(e);
}

bool bd_engine_closed(const struct bd_engine *e) {
  return e->closed;
}

const char *bd_engine_fatal(const struct bd_engine *e) {
  const char *why = bd_checks_fatal(e->checks);
  return why != NULL ? why : bd_iterate_fatal(e->iterate);
}

void bd_engine_get_stats(const struct bd_engine *e,
                         struct bd_engine_stats *stats) {
  *stats = e->stats;
  stats->window = e->zone != NULL ? bd_zone_window(e->zone) : 0;
  stats->for_sale = e->cfg.for_sale;
  stats->for_sale_names = e->forsale.names;
  stats->for_sale_malformed = e->forsale.malformed;
  stats->for_sale_unanswered = e->forsale.unanswered;
}

void bd_engine_free(struct bd_engine *e) {
  if (e == NULL)
    return;
  bd_zone_free(e->zone);
  bd_iterate_free(e->iterate);
  bd_peers_free(&e->peers);
  bd_checks_free(e->checks);
  bd_probe_pool_free(&e->pool);
  free(e);
}
