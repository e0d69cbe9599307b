/* Sending: the ring of zones with probes waiting, served in turn so that a
 * zone that cannot send holds back only its own; new names in the room the
 * queues leave; each try out on its server's lane, within the windows, the
 * paces and SENDS_PER_TURN. Every try leaves from here, from engine_pump()
 * at the top of an event. */
#include "engine_int.h"

#include <ares.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/flight.h"
#include "blogdom/pacer.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/random.h"
#include "blogdom/zone.h"

/* Queries sent in one turn of the loop, at most: a millisecond or two of
 * work. Answers that come meanwhile wait in the socket, and a turn that
 * sent a window of tens of thousands at once overflowed its 4 MiB buffer
 * 50 ms away (the kernel's RcvbufErrors counted every retry). */
#define SENDS_PER_TURN 512
/* Names taken before the zones' queues are served again. */
#define TAKE_BATCH 64

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
void engine_queue_probe(struct bd_engine *e, struct bd_probe *p) {
  if (p->state != BD_PROBE_QUEUED)
    bd_probe_move(&e->pool, p, BD_PROBE_QUEUED);
  bd_zone_enqueue(p->zone, p);
  join_ring(e, p->zone);
}

/* The zone at the head of the ring, out of it: it joins again when a
 * probe is queued, or when it is served and still has some. */
struct bd_zone *engine_leave_ring(struct bd_engine *e) {
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

/* ---- sending --------------------------------------------------------- */

/* Every server of p's zone has been silent past the tries of a name: p
 * ends as a timeout without being sent, as its tries would have. */
void engine_end_unsent(struct bd_engine *e, struct bd_probe *p) {
  struct bd_verdict v;
  bd_verdict_from_status(ARES_ETIMEOUT, &v);
  bd_probe_move(&e->pool, p, BD_PROBE_INFLIGHT);
  engine_give_up(e, p, &v);
}

void engine_send_try(struct bd_engine *e, struct bd_probe *p, size_t server) {
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
                         bd_random_id(&e->random), e->router->recursion_desired,
                         &query, &qlen, BD_EDNS_PAYLOAD);
  if (rc != ARES_SUCCESS) {
    struct bd_verdict v;
    bd_verdict_from_status(rc, &v);
    engine_give_up(e, p, &v);
    return;
  }
  if (lane == NULL)
    lane = &zs->lane;
  t = bd_flight_send(&zs->flight, p, 0, lane == &zs->lane);
  if (t == NULL) {
    struct bd_verdict v;
    ares_free_string(query);
    bd_verdict_from_status(ARES_ENOMEM, &v);
    engine_give_up(e, p, &v);
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
  /* May call engine_on_answer before it returns (a failed send). */
  bd_lane_send(lane, query, qlen, engine_on_answer, t);
  ares_free_string(query);
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
    engine_arm_wakeup(e, e->backoff_until_ns - now);
    return false;
  }
  e->backoff_until_ns = 0;
  wait = bd_pacer_delay(&e->pacer, now);
  if (wait > 0) {
    engine_arm_wakeup(e, wait);
    return false;
  }
  return true;
}

/* The next probe of z goes now if a server of z may take it: a retry to
 * the next server in turn after its last (the same one if alone), a new
 * one after the zone's last, a vetting query to its own server. Returns
 * false when none may; *wait then says when a server held back by its
 * pace or cap may (0: unknown). */
static bool send_from(struct bd_engine *e, struct bd_zone *z, uint64_t *wait) {
  struct bd_probe *p = bd_zone_next(z);
  uint64_t now = uv_hrtime();
  size_t after = p->server != BD_ZONE_NONE ? p->server : z->rotor;
  size_t server = p->pinned ? p->server : bd_zone_choose(z, after, now, wait);

  if (server == BD_ZONE_NONE && z->in_use == 0) {
    /* Its zone lost its last server while it waited. */
    e->router->ops->resend(e->router, bd_zone_dequeue(z));
  } else if (server == BD_ZONE_NONE && !p->pinned &&
             bd_zone_unreachable(z, now)) {
    /* No server answers: it ends unsent, and so does the next, until a
     * probe is answered. */
    engine_end_unsent(e, bd_zone_dequeue(z));
  } else if (server == BD_ZONE_NONE) {
    return false;
  } else {
    if (!p->pinned)
      z->rotor = server;
    engine_send_try(e, bd_zone_dequeue(z), server);
  }
  return true;
}

/* One round of the ring: each zone with probes waiting sends what its
 * servers take. A zone that cannot send holds back only its own probes. */
static void serve_zones(struct bd_engine *e, unsigned *budget, uint64_t *wait) {
  struct bd_zone *last = e->waiting_tail;
  struct bd_zone *z;
  bool more = last != NULL;

  while (more && *budget > 0 && !e->stopping &&
         (z = engine_leave_ring(e)) != NULL) {
    more = z != last;
    while (bd_zone_next(z) != NULL && *budget > 0 && !e->stopping &&
           may_send(e)) {
      uint64_t w = 0;
      if (!send_from(e, z, &w)) {
        /* Held back by a pace alone: with nothing in flight, only the
         * wake-up brings the loop back. */
        if (w > 0 && (*wait == 0 || w < *wait))
          *wait = w;
        break;
      }
      (*budget)--;
    }
    if (bd_zone_next(z) != NULL)
      join_ring(e, z);
  }
}

/* New names, a batch at most: the router sends each to its zone's queue,
 * where it waits as long as the zone's servers have no room. */
static bool take_names(struct bd_engine *e, unsigned *budget) {
  unsigned k = 0;
  while (*budget > 0 && k < TAKE_BATCH && !e->stopping) {
    uint64_t finished = e->stats.finished;
    if (!engine_start_next_name(e))
      break;
    k++;
    /* A name given its line with no query (a zone file's, an invalid one,
     * one its zone fails at once) costs a send's share of the turn: a
     * long run of them would hold the loop, and its signals, until the
     * input ends. */
    if (e->stats.finished != finished)
      (*budget)--;
  }
  return k > 0;
}

/* Sends what the windows, the paces and the input allow; what waits in
 * the zones' queues first; at most SENDS_PER_TURN, then the loop reads
 * its sockets before the rest goes. */
void engine_send_what_may_go(struct bd_engine *e) {
  unsigned budget = SENDS_PER_TURN;
  uint64_t wait = 0;
  bool took = true;

  while (took && budget > 0 && !e->stopping && may_send(e)) {
    serve_zones(e, &budget, &wait);
    if (budget == 0 || e->stopping || !may_send(e))
      break;
    took = take_names(e, &budget);
  }
  if (budget == 0)
    engine_pump_soon(e);
  else if (wait > 0)
    engine_arm_wakeup(e, wait);
}
