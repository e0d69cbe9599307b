/* Zones and their peers: servers joining, the choice of a server,
 * windows, sidelining, silence, and one address shared by several zones.
 * Lanes are real c-ares channels on a real loop; nothing is sent. */
#include "unit.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/zone.h"

#define MS 1000000ull

static struct bd_server server(const char *ip, unsigned port) {
  struct bd_server s;
  memset(&s, 0, sizeof(s));
  s.family = AF_INET;
  inet_pton(AF_INET, ip, s.addr.v4);
  s.port = (uint16_t)port;
  snprintf(s.text, sizeof(s.text), "%s:%u", ip, port);
  return s;
}

/* The choice at time 0, without a rate cap to wait for. */
static size_t choose(const struct bd_zone *z, size_t after) {
  uint64_t wait = 0;
  size_t i = bd_zone_choose(z, after, 0, &wait);
  assert_int_equal(wait, 0);
  return i;
}

static void on_io(void *data) {
  (void)data;
}

struct rig {
  uv_loop_t loop;
  struct bd_peers peers;
  struct bd_zone *zone;
};

/* The events the peers told, by kind, and the zone's sidelinings. */
static unsigned events[BD_PEER_NEVENTS];
static unsigned sidelined;

static void on_event(void *data, struct bd_peer *p, enum bd_peer_event ev) {
  (void)data;
  (void)p;
  events[ev]++;
}

static void on_sidelined(void *data, struct bd_zone *z, size_t i) {
  (void)data;
  (void)z;
  (void)i;
  sidelined++;
}

static struct bd_zone *new_zone(struct rig *r, const char *name) {
  struct bd_zone_config zc;
  struct bd_zone *z;
  memset(&zc, 0, sizeof(zc));
  zc.peers = &r->peers;
  zc.on_sidelined = on_sidelined;
  assert_int_equal(bd_zone_new(&z, name, &zc), 0);
  return z;
}

static void open_rig_rated(struct rig *r, unsigned window_init,
                           unsigned window_max, uint64_t server_rate) {
  struct bd_peers_config pc;
  memset(&pc, 0, sizeof(pc));
  assert_int_equal(uv_loop_init(&r->loop), 0);
  pc.loop = &r->loop;
  pc.timeout_ms = 100;
  pc.tries = 3;
  pc.window_init = window_init;
  pc.window_max = window_max;
  pc.window_floor = window_max; /* a near path: the floor is the cap */
  pc.server_rate = server_rate;
  pc.on_io = on_io;
  pc.on_event = on_event;
  memset(events, 0, sizeof(events));
  sidelined = 0;
  bd_peers_init(&r->peers, &pc);
  r->zone = new_zone(r, "");
}

static void open_rig(struct rig *r, unsigned window_init, unsigned window_max) {
  open_rig_rated(r, window_init, window_max, 0);
}

static void close_rig(struct rig *r) {
  bd_peers_close(&r->peers);
  uv_run(&r->loop, UV_RUN_DEFAULT);
  bd_zone_free(r->zone);
  bd_peers_free(&r->peers);
  assert_int_equal(uv_loop_close(&r->loop), 0);
}

static struct bd_verdict outcome(enum bd_status s, enum bd_reason reason) {
  struct bd_verdict v;
  memset(&v, 0, sizeof(v));
  v.status = s;
  v.reason = reason;
  return v;
}

static void test_round_robin_with_room(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  struct bd_server b = server("127.0.0.1", 5302);
  (void)state;
  open_rig(&r, 2, 100);
  assert_int_equal(choose(r.zone, BD_ZONE_NONE), BD_ZONE_NONE);
  assert_int_equal(bd_zone_add_server(r.zone, &a), 0);
  assert_int_equal(bd_zone_add_server(r.zone, &b), 1);
  assert_int_equal(r.zone->in_use, 2);
  assert_int_equal(choose(r.zone, BD_ZONE_NONE), 0);
  assert_int_equal(choose(r.zone, 0), 1);
  assert_int_equal(choose(r.zone, 1), 0);
  /* A server whose window is full is passed over. */
  r.zone->servers[0]->inflight = 2;
  assert_int_equal(choose(r.zone, 1), 1);
  r.zone->servers[1]->inflight = 2;
  assert_int_equal(choose(r.zone, 1), BD_ZONE_NONE);
  r.zone->servers[0]->inflight = r.zone->servers[1]->inflight = 0;
  assert_int_equal(bd_zone_window(r.zone), 4);
  assert_string_equal(r.zone->servers[1]->addr.text, "127.0.0.1:5302");
  close_rig(&r);
}

static void test_servers_join_while_running(void **state) {
  struct rig r;
  (void)state;
  open_rig(&r, 100, 1000);
  /* Past the first allocations the arrays move; each server does not. */
  for (unsigned i = 0; i < 20; i++) {
    struct bd_server s = server("127.0.0.1", 5300 + i);
    struct bd_peer *first = i > 0 ? r.zone->servers[0] : NULL;
    assert_int_equal(bd_zone_add_server(r.zone, &s), (int)i);
    if (first != NULL)
      assert_ptr_equal(r.zone->servers[0], first);
  }
  /* Twenty servers share the zone's 1000: 50 each at most. */
  assert_int_equal(bd_zone_window(r.zone), 20 * 50);
  assert_string_equal(r.zone->servers[19]->addr.text, "127.0.0.1:5319");
  close_rig(&r);
}

static void test_sidelining(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  struct bd_server b = server("127.0.0.1", 5302);
  struct bd_verdict ok = outcome(BD_FOUND, BD_REASON_ANSWER);
  struct bd_verdict refused = outcome(BD_ERROR, BD_REASON_REFUSED);
  (void)state;
  open_rig(&r, 10, 100);
  bd_zone_add_server(r.zone, &a);
  bd_zone_add_server(r.zone, &b);
  for (int i = 0; i < BD_HEALTH_MIN_SAMPLES; i++) {
    bd_zone_record(r.zone, 1, &ok, i * MS, 0, i * MS + 1);
    assert_int_equal(sidelined, 0);
    bd_zone_record(r.zone, 0, &refused, i * MS, 0, i * MS + 1);
  }
  assert_int_equal(sidelined, 1);
  assert_true(r.zone->health[0].sidelined);
  assert_int_equal(r.zone->in_use, 1);
  assert_int_equal(choose(r.zone, BD_ZONE_NONE), 1);
  assert_int_equal(choose(r.zone, 1), 1);
  /* The last server is never sidelined, however it fails. */
  for (int i = 0; i < 3 * BD_HEALTH_MIN_SAMPLES; i++)
    bd_zone_record(r.zone, 1, &refused, 0, 0, 1);
  assert_int_equal(sidelined, 1);
  assert_int_equal(r.zone->in_use, 1);
  close_rig(&r);
}

/* Lets the zone's clock run for ms milliseconds in ticks of 10. */
static uint64_t tick_for(struct bd_peers *ps, uint64_t now, unsigned ms) {
  for (unsigned t = 0; t < ms; t += 10) {
    now += 10 * MS;
    bd_peers_expire(ps, now);
  }
  return now;
}

static void test_silence_is_said_once(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  struct bd_verdict ok = outcome(BD_FOUND, BD_REASON_ANSWER);
  uint64_t now = 1000 * MS;
  (void)state;
  open_rig(&r, 10, 100);
  bd_zone_add_server(r.zone, &a);
  /* Half the queries lost on a lossy path: not silence, answers come. */
  for (int i = 0; i < 200; i++) {
    uint32_t send = bd_peer_sent(r.zone->servers[0], now);
    if (i % 2 == 0)
      bd_zone_record(r.zone, 0, &ok, now, send, now + MS);
    now += MS;
    bd_peers_expire(&r.peers, now);
  }
  assert_int_not_equal(r.zone->servers[0]->phase, BD_WINDOW_SILENT);
  /* Then nothing comes back: silent within a few round trips, and only
   * probes may go. */
  for (int i = 0; i < 20; i++)
    bd_peer_sent(r.zone->servers[0], now);
  now = tick_for(&r.peers, now, 250);
  assert_int_equal(r.zone->servers[0]->phase, BD_WINDOW_SILENT);
  assert_int_equal(events[BD_PEER_SILENT], 0);
  assert_false(bd_zone_unreachable(r.zone, now));
  /* Said once, past the tries of a name (3 x 100 ms): nothing sent to the
   * zone would be answered. */
  now = tick_for(&r.peers, now, 1000);
  assert_int_equal(events[BD_PEER_SILENT], 1);
  assert_true(bd_zone_unreachable(r.zone, now));
  /* An answer to a probe ends it. */
  bd_zone_record(r.zone, 0, &ok, now, bd_peer_sent(r.zone->servers[0], now),
                 now + MS);
  assert_int_equal(events[BD_PEER_BACK], 1);
  assert_false(bd_zone_unreachable(r.zone, now + MS));
  assert_int_not_equal(r.zone->servers[0]->phase, BD_WINDOW_SILENT);
  close_rig(&r);
}

/* A server that never answers is no silence to its window (a cold
 * resolver takes its time), but past the tries of a name since its first
 * query nothing sent to it would be answered: the zone is unreachable,
 * and nothing is said (the map says it of its zones). */
static void test_never_answered_is_unreachable(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  uint64_t now = 1000 * MS;
  (void)state;
  open_rig(&r, 10, 100);
  bd_zone_add_server(r.zone, &a);
  assert_false(bd_zone_unreachable(r.zone, now + 10000 * MS));
  for (int i = 0; i < 10; i++)
    bd_peer_sent(r.zone->servers[0], now);
  now = tick_for(&r.peers, now, 250);
  assert_false(bd_zone_unreachable(r.zone, now));
  /* 3 tries of 100 ms. */
  now = tick_for(&r.peers, now, 100);
  assert_true(bd_zone_unreachable(r.zone, now));
  assert_int_equal(events[BD_PEER_SILENT], 0);
  assert_int_equal(events[BD_PEER_BACK], 0);
  close_rig(&r);
}

/* A per-server cap holds a server back and says for how long; the next
 * server in turn goes instead. */
static void test_rate_cap(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  struct bd_server b = server("127.0.0.1", 5302);
  uint64_t now = 1000 * MS;
  uint64_t wait = 0;
  unsigned sent = 0;
  (void)state;
  open_rig_rated(&r, 100, 1000, 10); /* 10 a second each */
  bd_zone_add_server(r.zone, &a);
  bd_zone_add_server(r.zone, &b);
  for (;;) {
    size_t i = bd_zone_choose(r.zone, BD_ZONE_NONE, now, &wait);
    if (i == BD_ZONE_NONE)
      break;
    bd_peer_sent(r.zone->servers[i], now);
    sent++;
  }
  /* A burst of at most the pacer's slack each, then a wait of about a
   * tenth of a second. */
  assert_true(sent >= 2 && sent <= 4);
  assert_true(wait > 0 && wait <= 110 * MS);
  assert_int_not_equal(bd_zone_choose(r.zone, BD_ZONE_NONE, now + wait, &wait),
                       BD_ZONE_NONE);
  close_rig(&r);
}

/* Truncated answers, a few of them: TCP from then on. */
static void test_truncation_moves_to_tcp(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  (void)state;
  open_rig(&r, 10, 100);
  struct bd_peer *p;
  bd_zone_add_server(r.zone, &a);
  p = r.zone->servers[0];
  assert_ptr_equal(bd_peer_lane(p, false), &p->lane);
  assert_ptr_equal(bd_peer_lane(p, true), &p->tcp);
  bd_peer_truncated(p);
  assert_ptr_equal(bd_peer_lane(p, false), &p->lane);
  bd_peer_truncated(p);
  bd_peer_truncated(p);
  assert_true(p->tcp_only);
  assert_ptr_equal(bd_peer_lane(p, false), &p->tcp);
  close_rig(&r);
}

/* Two zones served by one address share its object: one window, one cap,
 * one silence; each zone judges the server's health on its own. */
static void test_zones_share_an_address(void **state) {
  struct rig r;
  struct bd_server a = server("127.0.0.1", 5301);
  struct bd_server b = server("127.0.0.1", 5302);
  struct bd_server a_again = server("127.0.0.1", 5301);
  struct bd_zone *other;
  uint64_t now = 1000 * MS;
  uint64_t wait = 0;
  unsigned sent = 0;
  (void)state;
  open_rig_rated(&r, 100, 1000, 10);
  other = new_zone(&r, "dev");
  assert_int_equal(bd_zone_add_server(r.zone, &a), 0);
  assert_int_equal(bd_zone_add_server(other, &b), 0);
  assert_int_equal(bd_zone_add_server(other, &a_again), 1);
  /* A zone that has the address already keeps its one entry. */
  assert_int_equal(bd_zone_add_server(other, &a), 1);
  assert_int_equal(other->count, 2);
  assert_int_equal(r.peers.count, 2);
  assert_ptr_equal(r.zone->servers[0], other->servers[1]);
  assert_int_equal(r.zone->servers[0]->zones, 2);
  /* The cap of 10 a second is the address's, whichever zone asks. */
  for (int k = 0; k < 20; k++) {
    struct bd_zone *z = k % 2 ? other : r.zone;
    size_t i = z == other ? 1 : 0;
    if (bd_peer_delay(z->servers[i], now) > 0)
      continue;
    bd_peer_sent(z->servers[i], now);
    sent++;
  }
  assert_true(sent >= 1 && sent <= 2);
  assert_int_equal(bd_zone_choose(r.zone, BD_ZONE_NONE, now, &wait),
                   BD_ZONE_NONE);
  assert_true(wait > 0);
  /* The other zone still has its own second server. */
  assert_int_equal(bd_zone_choose(other, 0, now, &wait), 0);
  /* Sidelined in one zone, the address still serves the other. */
  bd_zone_sideline(other, 1);
  assert_int_equal(other->in_use, 1);
  assert_int_equal(r.zone->in_use, 1);
  assert_false(r.zone->health[0].sidelined);
  bd_zone_free(other);
  close_rig(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_robin_with_room),
      cmocka_unit_test(test_servers_join_while_running),
      cmocka_unit_test(test_sidelining),
      cmocka_unit_test(test_silence_is_said_once),
      cmocka_unit_test(test_rate_cap),
      cmocka_unit_test(test_truncation_moves_to_tcp),
      cmocka_unit_test(test_zones_share_an_address),
      cmocka_unit_test(test_never_answered_is_unreachable),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
