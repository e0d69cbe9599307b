/* Answers: each try's outcome judged into a verdict, fed to its server's
 * window and health, and a retry, a move to TCP or the name's end decided;
 * the tries an answer overtook written off as lost (RACK); and what the
 * servers' windows and health decide, told to the user. */
#include "engine_int.h"

#include <assert.h>
#include <ares.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/checks.h"
#include "blogdom/common.h"
#include "blogdom/flight.h"
#include "blogdom/msg.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/records.h"
#include "blogdom/zone.h"

#define LOCAL_BACKOFF_NS (10 * BD_NS_PER_MS)
#define LOCAL_RETRIES_MAX 50
/* Tries written off whose slots are free may wait in c-ares for their
 * timeout: this many window floors of them a server, at most. */
#define RELEASED_FLOORS 4
/* Tries found lost at once that make a run of drops, a limit's. */
#define DROP_RUN 16

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
  engine_free_probe(e, p);
  cb(arg, answered ? e->answer : NULL, answered ? e->answer_len : 0, &copy);
}

/* Keeps v as p's verdict, in memory of its own: false when none can be
 * had. */
bool engine_keep_verdict(struct bd_probe *p, const struct bd_verdict *v) {
  if (p->verdict == NULL)
    p->verdict = malloc(sizeof(*p->verdict));
  if (p->verdict == NULL)
    return false;
  *p->verdict = *v;
  return true;
}

/* A name has its DNS verdict: it waits for its TLD's checks if they are
 * still out, then goes on through the stages to its line. */
void engine_finish_probe(struct bd_engine *e, struct bd_probe *p,
                         const struct bd_verdict *v) {
  if (p->kind == BD_PROBE_ASK) {
    finish_ask(e, p, v);
    return;
  }
  if (p->kind != BD_PROBE_NAME) {
    bd_checks_answer(e->checks, p, v);
    engine_release(e, p);
    return;
  }
  if (!engine_keep_verdict(p, v)) {
    /* The name still has its line; not one the checks never saw. */
    struct bd_verdict nomem;
    bd_verdict_from_status(ARES_ENOMEM, &nomem);
    engine_deliver_as(e, p, &nomem);
    return;
  }
  if (e->checks != NULL && bd_checks_park(e->checks, p)) {
    bd_probe_move(&e->pool, p, BD_PROBE_PARKED);
    return;
  }
  bd_checks_apply(p, p->verdict);
  engine_advance(e, p);
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
  engine_queue_probe(e, p);
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

/* No more tries: the verdict says why; the router decides what follows
 * (the map may ask another server of a zone, or end its own lookups). */
void engine_give_up(struct bd_engine *e, struct bd_probe *p,
                    const struct bd_verdict *v) {
  e->router->ops->gave_up(e->router, p, v);
}

static void requeue(struct bd_engine *e, struct bd_probe *p) {
  engine_queue_probe(e, p);
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
 * engine_on_peer_event. */
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

void engine_on_sidelined(void *data, struct bd_zone *z, size_t i) {
  struct bd_engine *e = data;
  e->stats.sidelined++;
  bd_warnf("server %s sidelined: %.0f%% of its last queries failed; its "
           "names go to the other servers",
           z->servers[i]->addr.text, 100 * z->health[i].failure_rate);
}

/* Whether no resolver answers (the map says so of its zones itself). */
static bool no_resolver_left(const struct bd_engine *e) {
  struct bd_zone *z = e->router->ops->resolvers(e->router);
  return z != NULL && bd_zone_unreachable(z, uv_hrtime());
}

void engine_on_peer_event(void *data, struct bd_peer *zs,
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

/* A name's answer records, for a line that shows them (kept again if
 * another try brings another answer). Out of memory, the line goes
 * without them. */
static void keep_records(struct bd_engine *e, struct bd_probe *p,
                         const unsigned char *abuf, size_t alen) {
  if (!e->cfg.keep_facts || p->kind != BD_PROBE_NAME)
    return;
  (void)bd_records_keep(abuf, alen, &p->facts);
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
 * after their timeout. While zs is paced (it showed a limit), or when
 * they make a run of DROP_RUN or more (a limit met before its pace is
 * set, by a window sent at once in slow start), a name's first --tries
 * of them are not counted: a limit drops runs of queries (all a pace or
 * a window sends over it, until the pace backs off), a name's retries go
 * straight back into them, and three in a row ended names as '?' under a
 * server that answered every other name. The others count as a
 * timeout does, so a name is asked at most twice --tries times, and one
 * that a server with no limit fails --tries times; its last try waits
 * its timeout out. */
static void write_off_overtaken(struct bd_engine *e, struct bd_peer *zs,
                                uint64_t answered_sent_ns) {
  uint64_t lost_after = bd_window_lost_after(&zs->window);
  uint64_t now = uv_hrtime();
  bool runs = zs->window.pace > 0 ||
              bd_flight_count_overtaken(&zs->flight, answered_sent_ns, now,
                                        lost_after, DROP_RUN) >= DROP_RUN;
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
    if (runs && p->overtaken < e->cfg.tries) {
      p->overtaken++;
      p->tries--;
    }
    requeue(e, p);
  }
  release_slots(e, zs);
}

void engine_on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
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
    engine_release(e, p);
    return;
  }
  if (status == ARES_ECANCELLED) {
    /* Written off by its server's silence (bd_peers_expire): the try
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

  /* Vetting judges its server by rules of its own; a router that judges
   * responses itself (the map) has any answer count as one as far as the
   * window and health go. */
  if (e->router->judges_responses && status == ARES_SUCCESS &&
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
  if (!bd_verdict_is_transport_failure(&v))
    e->router->ops->answer(e->router, p, abuf, (size_t)alen, &v);
  else
    engine_give_up(e, p, &v);
  e->answer = NULL;
  e->answer_len = 0;
  e->answer_of = NULL;
}
