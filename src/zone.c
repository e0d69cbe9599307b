/* A zone's servers: adding them, choosing one for each query, and learning
 * from every try how much each can take and whether it still answers. */
#include "blogdom/zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A pace that moved by more than this share since it was last told is
 * told again. */
#define PACE_TOLD_CHANGE 0.25
/* A large answer is truncated now and then; a server that truncates
 * answers this often is slipping them under a rate limit. */
#define TCP_AFTER_TRUNCATED 3
#define PACER_SLACK_NS (10 * 1000000ull)
#define CAP_MARGIN_PERCENT 3

int bd_zone_new(struct bd_zone **out, const char *name,
                const struct bd_zone_config *cfg) {
  struct bd_zone *z = calloc(1, sizeof(*z));
  if (z == NULL)
    return -ENOMEM;
  z->cfg = *cfg;
  snprintf(z->name, sizeof(z->name), "%s", name);
  *out = z;
  return 0;
}

void bd_zone_free(struct bd_zone *z) {
  if (z == NULL)
    return;
  bd_zone_close(z);
  for (size_t i = 0; i < z->count; i++)
    free(z->servers[i]);
  free(z->servers);
  free(z->health);
  free(z);
}

/* Each server in use may have an equal share of the zone's concurrency,
 * and of the floor that a near server's window holds:
 * without it, the server whose answers happen to be read first in each
 * turn of the loop would take every free slot. A slower server still gets
 * fewer names a second, as its slots stay busy longer. */
static void share_concurrency(struct bd_zone *z) {
  unsigned n = (unsigned)(z->in_use ? z->in_use : 1);
  unsigned share = z->cfg.window_max / n;
  unsigned floor = z->cfg.window_floor / n;
  for (size_t i = 0; i < z->count; i++)
    bd_window_set_limits(&z->servers[i]->window, share ? share : 1,
                         floor ? floor : 1);
}

static int reserve(struct bd_zone *z) {
  size_t cap = z->cap ? 2 * z->cap : 4;
  struct bd_zone_server **servers;
  struct bd_health *health;

  if (z->count < z->cap)
    return 0;
  servers = realloc(z->servers, cap * sizeof(*servers));
  if (servers == NULL)
    return -ENOMEM;
  z->servers = servers;
  health = realloc(z->health, cap * sizeof(*health));
  if (health == NULL)
    return -ENOMEM;
  z->health = health;
  z->cap = cap;
  return 0;
}

/* A server's cap is counted where it is felt, at the server: paced a
 * little under it, a second of arrivals holds no more than the cap even
 * when the network or a busy host moves some queries by more than the
 * pacer's slack. */
static uint64_t capped_rate(uint64_t cap) {
  uint64_t rate = cap - cap * CAP_MARGIN_PERCENT / 100;
  return cap > 0 && rate == 0 ? 1 : rate;
}

int bd_zone_add_server(struct bd_zone *z, const struct bd_server *s) {
  struct bd_zone_server *zs;
  int rc = reserve(z);

  if (rc != 0)
    return rc;
  zs = calloc(1, sizeof(*zs));
  if (zs == NULL)
    return -ENOMEM;
  zs->addr = *s;
  rc = bd_lane_init(&zs->lane, z->cfg.loop, s, z->cfg.timeout_ms, false,
                    z->cfg.on_io, z->cfg.data);
  if (rc != 0) {
    free(zs);
    return rc;
  }
  bd_pacer_init(&zs->pacer, capped_rate(z->cfg.server_rate), PACER_SLACK_NS);
  bd_window_init(&zs->window, z->cfg.window_init, 1, z->cfg.window_max,
                 z->cfg.window_floor);
  zs->phase = BD_WINDOW_STEADY;
  memset(&z->health[z->count], 0, sizeof(z->health[0]));
  z->servers[z->count] = zs;
  z->in_use++;
  share_concurrency(z);
  return (int)z->count++;
}

size_t bd_zone_choose(const struct bd_zone *z, size_t after, uint64_t now_ns,
                      uint64_t *wait_ns) {
  size_t n = z->count;
  size_t start = after == BD_ZONE_NONE ? n - 1 : after;
  uint64_t wait = 0;
  for (size_t k = 1; k <= n; k++) {
    size_t i = (start + k) % n;
    const struct bd_zone_server *zs = z->servers[i];
    uint64_t delay;
    uint64_t paced;
    if (z->health[i].sidelined || zs->inflight >= bd_window_size(&zs->window))
      continue;
    delay = z->cfg.server_rate ? bd_pacer_delay(&zs->pacer, now_ns) : 0;
    paced = bd_window_delay(&zs->window, now_ns);
    if (paced > delay)
      delay = paced;
    if (delay == 0)
      return i;
    if (wait == 0 || delay < wait)
      wait = delay;
  }
  *wait_ns = wait;
  return BD_ZONE_NONE;
}

uint32_t bd_zone_sent(struct bd_zone *z, size_t i, uint64_t now_ns) {
  if (z->cfg.server_rate)
    bd_pacer_consume(&z->servers[i]->pacer, now_ns);
  return bd_window_on_send(&z->servers[i]->window, now_ns);
}

struct bd_lane *bd_zone_lane(struct bd_zone *z, size_t i, bool tcp) {
  struct bd_zone_server *zs = z->servers[i];
  if (!tcp && !zs->tcp_only)
    return &zs->lane;
  if (!zs->has_tcp) {
    if (bd_lane_init(&zs->tcp, z->cfg.loop, &zs->addr, z->cfg.timeout_ms, true,
                     z->cfg.on_io, z->cfg.data) != 0)
      return NULL;
    zs->has_tcp = true;
  }
  return &zs->tcp;
}

void bd_zone_truncated(struct bd_zone *z, size_t i) {
  struct bd_zone_server *zs = z->servers[i];
  if (++zs->truncated >= TCP_AFTER_TRUNCATED)
    zs->tcp_only = true;
}

void bd_zone_sideline(struct bd_zone *z, size_t i) {
  if (z->health[i].sidelined)
    return;
  z->health[i].sidelined = true;
  z->in_use--;
  share_concurrency(z);
}

static void emit(struct bd_zone *z, size_t i, enum bd_zone_event ev) {
  if (z->cfg.on_event != NULL)
    z->cfg.on_event(z->cfg.data, z, i, ev);
}

/* The longest a name waits out a silence: its tries' worth of timeouts. */
static uint64_t silence_horizon(const struct bd_zone *z) {
  unsigned tries = z->cfg.tries > 0 ? z->cfg.tries : 1;
  return (uint64_t)z->cfg.timeout_ms * tries * 1000000u;
}

/* Tells what changed about server i's window: its phase, a pace that moved
 * far, a silence past the tries of a name, and its end. */
static void note_window(struct bd_zone *z, size_t i, uint64_t now) {
  struct bd_zone_server *zs = z->servers[i];
  enum bd_window_phase phase = bd_window_phase(&zs->window);
  double pace = zs->window.pace;
  bool paced = phase == BD_WINDOW_PACED || phase == BD_WINDOW_SEARCHING;

  /* The probes a silence lost wait out their timeout, though the answer
   * that ended it shows them lost: at the end of a short run that was
   * the run's last second and a half. */
  if (zs->phase == BD_WINDOW_SILENT && phase != BD_WINDOW_SILENT &&
      zs->window.forgiven)
    emit(z, i, BD_ZONE_RESEND);
  /* Slow start and a steady window are one thing to a person watching:
   * the window finds its size. */
  if (phase == BD_WINDOW_SLOW_START)
    phase = BD_WINDOW_STEADY;
  if (phase != zs->phase ||
      (paced && (pace > (1 + PACE_TOLD_CHANGE) * zs->said_pace ||
                 pace < (1 - PACE_TOLD_CHANGE) * zs->said_pace))) {
    zs->phase = phase;
    zs->said_pace = pace;
    emit(z, i, BD_ZONE_PHASE);
  }
  if (!zs->said_silent &&
      bd_window_silence(&zs->window, now) >= silence_horizon(z)) {
    zs->said_silent = true;
    emit(z, i, BD_ZONE_SILENT);
  } else if (zs->said_silent && phase != BD_WINDOW_SILENT) {
    zs->said_silent = false;
    emit(z, i, BD_ZONE_BACK);
  }
}

void bd_zone_record(struct bd_zone *z, size_t i, const struct bd_verdict *v,
                    uint64_t sent_ns, uint32_t send, uint64_t now) {
  struct bd_zone_server *zs = z->servers[i];
  bool transport = bd_verdict_is_transport_failure(v);

  /* Losses need no word here: the window infers them from answers that
   * did not come. */
  if (!transport)
    bd_window_on_answer(&zs->window, now, sent_ns, send);
  if (v->reason != BD_REASON_TIMEOUT && v->reason != BD_REASON_UNREACHABLE)
    zs->answered = true;
  bd_health_record(&z->health[i], transport || bd_verdict_is_server_failure(v));
  if (bd_health_should_sideline(z->health, z->count, i)) {
    bd_zone_sideline(z, i);
    emit(z, i, BD_ZONE_SIDELINED);
  }
  note_window(z, i, now);
}

bool bd_zone_unreachable(const struct bd_zone *z, uint64_t now_ns) {
  bool any = false;
  for (size_t i = 0; i < z->count; i++) {
    if (z->health[i].sidelined)
      continue;
    if (bd_window_silence(&z->servers[i]->window, now_ns) < silence_horizon(z))
      return false;
    any = true;
  }
  return any;
}

void bd_zone_local_failure(struct bd_zone *z, size_t i, uint64_t now_ns,
                           uint64_t backoff_ns) {
  bd_window_on_local_failure(&z->servers[i]->window, now_ns, backoff_ns);
}

unsigned bd_zone_window(const struct bd_zone *z) {
  unsigned window = 0;
  for (size_t i = 0; i < z->count; i++)
    if (!z->health[i].sidelined)
      window += bd_window_size(&z->servers[i]->window);
  return window < z->cfg.window_max ? window : z->cfg.window_max;
}

/* Each lane of server i, in turn. */
static void each_lane(struct bd_zone_server *zs,
                      void (*fn)(struct bd_lane *lane)) {
  fn(&zs->lane);
  if (zs->has_tcp)
    fn(&zs->tcp);
}

void bd_zone_write_off(struct bd_zone *z, size_t i) {
  each_lane(z->servers[i], bd_lane_cancel);
}

/* Whether zs's oldest try in flight has been out for longer than its
 * window allows while a try sent after it was answered, or tries written
 * off wait for their slots to be released. */
static bool overdue(const struct bd_zone_server *zs, uint64_t now_ns) {
  const struct bd_try *t = zs->flight.watched.head;
  return zs->flight.held.head != NULL ||
         (t != NULL && t->sent_ns < zs->window.latest_answered_sent_ns &&
          now_ns - t->sent_ns > bd_window_lost_after(&zs->window));
}

void bd_zone_expire(struct bd_zone *z, uint64_t now_ns) {
  for (size_t i = 0; i < z->count; i++) {
    struct bd_zone_server *zs = z->servers[i];
    each_lane(zs, bd_lane_expire);
    /* Found silent: what is in flight is lost, as TCP takes every segment
     * out to be when its retransmission timer fires (RFC 6298 5.4). */
    if (bd_window_tick(&zs->window, now_ns))
      bd_zone_write_off(z, i);
    note_window(z, i, now_ns);
    /* The last tries of a run, or of a burst of loss, have no later try
     * whose answer would show them lost, and the slots of tries written
     * off are released in time: the tick asks for both. */
    if (overdue(zs, now_ns))
      emit(z, i, BD_ZONE_OVERDUE);
  }
}

void bd_zone_close(struct bd_zone *z) {
  for (size_t i = 0; i < z->count; i++)
    each_lane(z->servers[i], bd_lane_destroy);
}
