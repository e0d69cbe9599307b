/* Server addresses, one object each: found by address on first sight,
 * their windows and caps fed by every try, their silences noticed. */
#include "blogdom/peer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* A pace that moved by more than this share since it was last told is
 * told again. */
#define PACE_TOLD_CHANGE 0.25
/* A large answer is truncated now and then; a server that truncates
 * answers this often is slipping them under a rate limit. */
#define TCP_AFTER_TRUNCATED 3
#define PACER_SLACK_NS (10 * 1000000ull)
#define CAP_MARGIN_PERCENT 3

void bd_peers_init(struct bd_peers *ps, const struct bd_peers_config *cfg) {
  memset(ps, 0, sizeof(*ps));
  ps->cfg = *cfg;
}

static bool same_address(const struct bd_server *a, const struct bd_server *b) {
  size_t len = a->family == AF_INET ? sizeof(a->addr.v4) : sizeof(a->addr.v6);
  return a->family == b->family && a->port == b->port &&
         memcmp(&a->addr, &b->addr, len) == 0;
}

static size_t bucket_of(const struct bd_server *s) {
  size_t len = s->family == AF_INET ? sizeof(s->addr.v4) : sizeof(s->addr.v6);
  const unsigned char *b = (const unsigned char *)&s->addr;
  uint32_t h = 2166136261u ^ s->port;
  for (size_t i = 0; i < len; i++)
    h = (h ^ b[i]) * 16777619u;
  return h % BD_PEER_BUCKETS;
}

/* A server's cap is counted where it is felt, at the server: paced a
 * little under it, a second of arrivals holds no more than the cap even
 * when the network or a busy host moves some queries by more than the
 * pacer's slack. */
static uint64_t capped_rate(uint64_t cap) {
  uint64_t rate = cap - cap * CAP_MARGIN_PERCENT / 100;
  return cap > 0 && rate == 0 ? 1 : rate;
}

int bd_peers_get(struct bd_peers *ps, const struct bd_server *s,
                 struct bd_peer **out) {
  size_t b = bucket_of(s);
  struct bd_peer *p;
  int rc;

  for (p = ps->buckets[b]; p != NULL; p = p->next)
    if (same_address(&p->addr, s)) {
      *out = p;
      return 0;
    }
  p = calloc(1, sizeof(*p));
  if (p == NULL)
    return -ENOMEM;
  p->owner = ps;
  p->addr = *s;
  rc = bd_lane_init(&p->lane, ps->cfg.loop, s, ps->cfg.timeout_ms, false,
                    ps->cfg.on_io, ps->cfg.data);
  if (rc != 0) {
    free(p);
    return rc;
  }
  bd_pacer_init(&p->pacer, capped_rate(ps->cfg.server_rate), PACER_SLACK_NS);
  bd_window_init(&p->window, ps->cfg.window_init, 1, ps->cfg.window_max,
                 ps->cfg.window_floor);
  p->phase = BD_WINDOW_STEADY;
  p->next = ps->buckets[b];
  ps->buckets[b] = p;
  ps->count++;
  *out = p;
  return 0;
}

void bd_peer_share(struct bd_peer *p, unsigned max, unsigned floor) {
  if (p->zones > 1) {
    if (max < p->window.max)
      max = p->window.max;
    if (floor < p->window.floor)
      floor = p->window.floor;
  }
  bd_window_set_limits(&p->window, max ? max : 1, floor ? floor : 1);
}

uint64_t bd_peer_delay(const struct bd_peer *p, uint64_t now_ns) {
  uint64_t capped =
      p->owner->cfg.server_rate ? bd_pacer_delay(&p->pacer, now_ns) : 0;
  uint64_t paced = bd_window_delay(&p->window, now_ns);
  return paced > capped ? paced : capped;
}

bool bd_peer_has_room(const struct bd_peer *p) {
  return p->inflight < bd_window_size(&p->window);
}

uint32_t bd_peer_sent(struct bd_peer *p, uint64_t now_ns) {
  if (p->first_sent_ns == 0)
    p->first_sent_ns = now_ns;
  if (p->owner->cfg.server_rate)
    bd_pacer_consume(&p->pacer, now_ns);
  return bd_window_on_send(&p->window, now_ns);
}

static void emit(struct bd_peer *p, enum bd_peer_event ev) {
  const struct bd_peers_config *cfg = &p->owner->cfg;
  if (cfg->on_event != NULL)
    cfg->on_event(cfg->data, p, ev);
}

/* The longest a name waits out a silence: its tries' worth of timeouts. */
static uint64_t silence_horizon(const struct bd_peer *p) {
  const struct bd_peers_config *cfg = &p->owner->cfg;
  unsigned tries = cfg->tries > 0 ? cfg->tries : 1;
  return (uint64_t)cfg->timeout_ms * tries * 1000000u;
}

/* The window judges no silence before a first answer (a cold resolver
 * takes its time); but a server that has answered nothing for the tries
 * of a name since its first query has failed every name sent to it. */
uint64_t bd_peer_silence(const struct bd_peer *p, uint64_t now_ns) {
  if (!p->answered && p->first_sent_ns != 0 && now_ns > p->first_sent_ns)
    return now_ns - p->first_sent_ns;
  return bd_window_silence(&p->window, now_ns);
}

bool bd_peer_silent_past_tries(const struct bd_peer *p, uint64_t now_ns) {
  return bd_peer_silence(p, now_ns) >= silence_horizon(p);
}

/* Tells what changed about p's window: its phase, a pace that moved far,
 * a silence past the tries of a name, and its end. */
static void note_window(struct bd_peer *p, uint64_t now) {
  enum bd_window_phase phase = bd_window_phase(&p->window);
  double pace = p->window.pace;
  bool paced = phase == BD_WINDOW_PACED || phase == BD_WINDOW_SEARCHING;

  /* The probes a silence lost wait out their timeout, though the answer
   * that ended it shows them lost: at the end of a short run that was
   * the run's last second and a half. */
  if (p->phase == BD_WINDOW_SILENT && phase != BD_WINDOW_SILENT &&
      p->window.forgiven)
    emit(p, BD_PEER_RESEND);
  /* Slow start and a steady window are one thing to a person watching:
   * the window finds its size. */
  if (phase == BD_WINDOW_SLOW_START)
    phase = BD_WINDOW_STEADY;
  if (phase != p->phase ||
      (paced && (pace > (1 + PACE_TOLD_CHANGE) * p->said_pace ||
                 pace < (1 - PACE_TOLD_CHANGE) * p->said_pace))) {
    p->phase = phase;
    p->said_pace = pace;
    emit(p, BD_PEER_PHASE);
  }
  /* Said of a silence the window found; one that began before any answer
   * is the map's to tell (a server that does not answer at all). */
  if (!p->said_silent &&
      bd_window_silence(&p->window, now) >= silence_horizon(p)) {
    p->said_silent = true;
    emit(p, BD_PEER_SILENT);
  } else if (p->said_silent && phase != BD_WINDOW_SILENT) {
    p->said_silent = false;
    emit(p, BD_PEER_BACK);
  }
}

void bd_peer_answered(struct bd_peer *p, const struct bd_verdict *v,
                      uint64_t sent_ns, uint32_t send, uint64_t now_ns) {
  /* Losses need no word here: the window infers them from answers that
   * did not come. */
  if (!bd_verdict_is_transport_failure(v))
    bd_window_on_answer(&p->window, now_ns, sent_ns, send);
  if (v->reason != BD_REASON_TIMEOUT && v->reason != BD_REASON_UNREACHABLE)
    p->answered = true;
  note_window(p, now_ns);
}

struct bd_lane *bd_peer_lane(struct bd_peer *p, bool tcp) {
  const struct bd_peers_config *cfg = &p->owner->cfg;
  if (!tcp && !p->tcp_only)
    return &p->lane;
  if (!p->has_tcp) {
    if (bd_lane_init(&p->tcp, cfg->loop, &p->addr, cfg->timeout_ms, true,
                     cfg->on_io, cfg->data) != 0)
      return NULL;
    p->has_tcp = true;
  }
  return &p->tcp;
}

void bd_peer_truncated(struct bd_peer *p) {
  if (++p->truncated >= TCP_AFTER_TRUNCATED)
    p->tcp_only = true;
}

/* Each lane of p, in turn. */
static void each_lane(struct bd_peer *p, void (*fn)(struct bd_lane *lane)) {
  fn(&p->lane);
  if (p->has_tcp)
    fn(&p->tcp);
}

void bd_peer_write_off(struct bd_peer *p) {
  each_lane(p, bd_lane_cancel);
}

void bd_peer_local_failure(struct bd_peer *p, uint64_t now_ns,
                           uint64_t backoff_ns) {
  bd_window_on_local_failure(&p->window, now_ns, backoff_ns);
}

/* Whether p's oldest try in flight has been out for longer than its
 * window allows while a try sent after it was answered, or tries written
 * off wait for their slots to be released. */
static bool overdue(const struct bd_peer *p, uint64_t now_ns) {
  const struct bd_try *t = p->flight.watched.head;
  return p->flight.held.head != NULL ||
         (t != NULL && t->sent_ns < p->window.latest_answered_sent_ns &&
          now_ns - t->sent_ns > bd_window_lost_after(&p->window));
}

static void expire_one(struct bd_peer *p, uint64_t now_ns) {
  each_lane(p, bd_lane_expire);
  /* Found silent: what is in flight is lost, as TCP takes every segment
   * out to be when its retransmission timer fires (RFC 6298 5.4). */
  if (bd_window_tick(&p->window, now_ns))
    bd_peer_write_off(p);
  note_window(p, now_ns);
  /* The last tries of a run, or of a burst of loss, have no later try
   * whose answer would show them lost, and the slots of tries written off
   * are released in time: the tick asks for both. */
  if (overdue(p, now_ns))
    emit(p, BD_PEER_OVERDUE);
}

void bd_peers_expire(struct bd_peers *ps, uint64_t now_ns) {
  for (size_t b = 0; b < BD_PEER_BUCKETS; b++)
    for (struct bd_peer *p = ps->buckets[b]; p != NULL; p = p->next)
      expire_one(p, now_ns);
}

void bd_peers_close(struct bd_peers *ps) {
  for (size_t b = 0; b < BD_PEER_BUCKETS; b++)
    for (struct bd_peer *p = ps->buckets[b]; p != NULL; p = p->next)
      each_lane(p, bd_lane_destroy);
}

void bd_peers_free(struct bd_peers *ps) {
  bd_peers_close(ps);
  for (size_t b = 0; b < BD_PEER_BUCKETS; b++) {
    struct bd_peer *p = ps->buckets[b];
    while (p != NULL) {
      struct bd_peer *next = p->next;
      free(p);
      p = next;
    }
    ps->buckets[b] = NULL;
  }
  ps->count = 0;
}
