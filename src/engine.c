/* The engine: takes names from the source as the window, the pace and the
 * checks allow, sends their tries to the zone's servers, turns answers into
 * verdicts with retries, and hands each verdict through the post-DNS
 * stages to its line. Stages ask queries of their own through it
 * (bd_engine_ask), under the same rules. The one caller of the loop's
 * timers for queries.
 *
 * This file holds its life cycle, the pump and the pump's timers; each
 * other job has a file of its own: intake.c (names from the source),
 * sending.c (tries out), answers.c (verdicts and retries), lines.c (stages
 * and lines). engine_int.h is the engine object they share. */
#include "engine_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/checks.h"
#include "blogdom/common.h"
#include "blogdom/msg.h"
#include "blogdom/pacer.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/source.h"
#include "blogdom/stage.h"
#include "blogdom/zone.h"

#define PACER_SLACK_NS (10 * BD_NS_PER_MS)

static void close_engine(struct bd_engine *e);

/* ---- the pump and its timers ---------------------------------------- */

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
  engine_pump(e);
}

static void on_wakeup(uv_timer_t *t) {
  struct bd_engine *e = container_of(t, struct bd_engine, wakeup);
  e->wakeup_armed = false;
  service_sockets(e);
  engine_pump(e);
}

static void on_io(void *data) {
  engine_pump(data);
}

void engine_arm_wakeup(struct bd_engine *e, uint64_t wait_ns) {
  uint64_t ms = (wait_ns + BD_NS_PER_MS - 1) / BD_NS_PER_MS;
  if (e->wakeup_armed)
    return;
  /* uv_timer_start fails only on a closing handle, and then nothing is
   * left to wake up. */
  if (uv_timer_start(&e->wakeup, on_wakeup, ms > 0 ? ms : 1, 0) == 0)
    e->wakeup_armed = true;
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
void engine_free_probe(struct bd_engine *e, struct bd_probe *p) {
  if (e->router != NULL)
    e->router->ops->forget(e->router, p);
  bd_probe_move(&e->pool, p, BD_PROBE_FREE);
}

void engine_pump(struct bd_engine *e) {
  if (e->busy > 0) {
    e->pump_again = true;
    return;
  }
  e->busy++;
  do {
    e->pump_again = false;
    if (e->closed)
      break;
    e->router->ops->sweep(e->router);
    write_off_lost(e);
    engine_drain_backlogs(e);
    engine_finish_unsent_names(e);
    engine_send_what_may_go(e);
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
  pc.on_event = engine_on_peer_event;
  pc.data = e;
  bd_peers_init(&e->peers, &pc);
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
  p->server = server; /* unpinned: the next server in turn */
  e->router->ops->route(e->router, p);
  return 0;
}

static void on_check_release(void *data, struct bd_probe *p) {
  struct bd_engine *e = data;
  bd_checks_apply(p, p->verdict);
  engine_advance(e, p);
}

static void on_check_stop(void *data) {
  bd_engine_stop(data);
}

/* ---- the router's needs ----------------------------------------------- */

static void on_route_queue(void *data, struct bd_probe *p) {
  engine_queue_probe(data, p);
}

/* A verdict may come to a name that never left (its zone has no server):
 * it passes through INFLIGHT, where verdicts are born. */
static void on_route_finish(void *data, struct bd_probe *p,
                            const struct bd_verdict *v) {
  struct bd_engine *e = data;
  if (e->router->ops->fatal(e->router) != NULL) {
    /* Nothing can be judged: the names that failed for it get no line
     * (exit 2). */
    engine_release(e, p);
    return;
  }
  if (p->state == BD_PROBE_PARKED)
    bd_probe_move(&e->pool, p, BD_PROBE_QUEUED);
  if (p->state == BD_PROBE_QUEUED)
    bd_probe_move(&e->pool, p, BD_PROBE_INFLIGHT);
  engine_finish_probe(e, p, v);
}

static struct bd_probe *on_route_alloc(void *data, enum bd_probe_kind kind,
                                       const char *name, size_t len) {
  struct bd_engine *e = data;
  return bd_probe_alloc(&e->pool, e, kind, name, len);
}

static void on_route_release(void *data, struct bd_probe *p) {
  engine_release(data, p);
}

static void on_route_park(void *data, struct bd_probe *p) {
  struct bd_engine *e = data;
  bd_probe_move(&e->pool, p, BD_PROBE_PARKED);
}

static int open_router(struct bd_engine *e) {
  struct bd_zone_config zc;
  struct bd_router_hooks hooks = {e,
                                  on_route_queue,
                                  on_route_finish,
                                  on_route_alloc,
                                  on_route_release,
                                  on_route_park,
                                  on_check_stop};

  memset(&zc, 0, sizeof(zc));
  zc.peers = &e->peers;
  zc.on_sidelined = engine_on_sidelined;
  zc.data = e;
  return e->cfg.open_router(&e->router, &zc, &hooks, e->cfg.router_cfg);
}

static int start_checks(struct bd_engine *e) {
  struct bd_checks_config cc;
  struct bd_checks_ops ops = {e, on_check_asked, on_check_release,
                              on_check_stop};
  int rc;

  memset(&cc, 0, sizeof(cc));
  cc.zone = e->router->ops->resolvers(e->router);
  /* Without a resolver there is none to vet. */
  cc.vet = e->cfg.vet && cc.zone != NULL;
  cc.wildcard = e->cfg.wildcard_check;
  cc.qtype = e->cfg.qtype;
  rc = bd_checks_new(&e->checks, &cc, &ops);
  if (rc != 0 || e->checks == NULL)
    return rc;
  if (e->cfg.upfront_checks)
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
  bd_probe_pool_init(&e->pool);
  /* 10 ms of slack: a loop that wakes late by up to that still sends its
   * share; the pacer paces 2% under the rate so that no second ever holds
   * more than the rate, even as the server sees them. */
  bd_pacer_init(&e->pacer, cfg->rate, PACER_SLACK_NS);
  open_peers(e);
  e->stages = cfg->stages;
  e->nstages = cfg->nstages;
  rc = open_router(e);
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
  engine_pump(e);
}

static void drop_parked(void *data, struct bd_probe *p) {
  engine_release(data, p);
}

static void drop_unreached(struct bd_engine *e) {
  struct bd_probe *p;
  struct bd_zone *z;
  while ((z = engine_leave_ring(e)) != NULL)
    while ((p = bd_zone_dequeue(z)) != NULL)
      engine_release(e, p);
  for (size_t i = 0; i < e->nstages; i++)
    while ((p = bd_probe_queue_pop(&e->stages[i].backlog)) != NULL)
      engine_release(e, p);
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
void engine_pump_soon(struct bd_engine *e) {
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
  engine_pump_soon(e);
}

void bd_engine_resume(struct bd_engine *e) {
  if (!e->stopping)
    engine_pump_soon(e);
}

bool bd_engine_closed(const struct bd_engine *e) {
  return e->closed;
}

const char *bd_engine_fatal(const struct bd_engine *e) {
  const char *why = bd_checks_fatal(e->checks);
  if (why == NULL && e->router != NULL)
    why = e->router->ops->fatal(e->router);
  return why;
}

void bd_engine_get_stats(const struct bd_engine *e,
                         struct bd_engine_stats *stats) {
  struct bd_zone *resolvers;
  *stats = e->stats;
  resolvers = e->router != NULL ? e->router->ops->resolvers(e->router) : NULL;
  stats->window = resolvers != NULL ? bd_zone_window(resolvers) : 0;
}

void bd_engine_free(struct bd_engine *e) {
  if (e == NULL)
    return;
  if (e->router != NULL)
    e->router->ops->free(e->router);
  bd_peers_free(&e->peers);
  bd_checks_free(e->checks);
  bd_probe_pool_free(&e->pool);
  free(e);
}
