/* Flow control arithmetic: --rate pacing, the window and pace of a server
 * (with a small simulated path), server health and sharding. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/health.h"
#include "blogdom/pacer.h"
#include "blogdom/shard.h"
#include "blogdom/window.h"

#define MS 1000000ull
#define S 1000000000ull

/* Sends as fast as the pacer allows, waking every `tick` ns, and checks
 * that no closed one-second window holds more than rate sends, and that
 * the long-run rate is close to rate. */
static void run_pacer(uint64_t rate, uint64_t tick, uint64_t seconds) {
  struct bd_pacer p;
  static uint64_t sent[200000];
  size_t n = 0;
  bd_pacer_init(&p, rate, 10 * MS);
  for (uint64_t now = 0; now < seconds * S && n < 200000; now += tick) {
    while (n < 200000 && bd_pacer_delay(&p, now) == 0) {
      bd_pacer_consume(&p, now);
      sent[n++] = now;
    }
  }
  /* Sliding window over send times: [sent[i], sent[i] + 1 s]. */
  for (size_t i = 0, j = 0; i < n; i++) {
    while (j < n && sent[j] <= sent[i] + S)
      j++;
    if (j - i > rate)
      fail_msg("rate %llu: %zu sends in one second", (unsigned long long)rate,
               j - i);
  }
  if ((double)n < 0.97 * (double)(rate * seconds) - 2)
    fail_msg("rate %llu: only %zu sends in %llu s", (unsigned long long)rate, n,
             (unsigned long long)seconds);
}

static void test_pacer_never_bursts(void **state) {
  (void)state;
  run_pacer(1, 1 * MS, 5);
  run_pacer(2, 1 * MS, 5);
  run_pacer(10, 1 * MS, 5);
  run_pacer(1000, 1 * MS, 3);
  run_pacer(50000, 1 * MS, 2);
  run_pacer(1000, 7 * MS, 3); /* a loop late by less than the slack */
  run_pacer(100000, 1 * MS, 1);
}

static void test_pacer_disabled(void **state) {
  struct bd_pacer p;
  (void)state;
  bd_pacer_init(&p, 0, MS);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(bd_pacer_delay(&p, 0), 0);
    bd_pacer_consume(&p, 0);
  }
}

/* Epochs are 20 ms long on a near path (RTT 1 ms below); each is judged
 * once 100 ms have passed after it. */
#define EPOCH (20 * MS)
#define RTT (1 * MS)

/* Sends one epoch (k) of 64 queries, `lost` of them never answered; the
 * others are answered one RTT later. Then lets time pass past the judging
 * of epoch k - 6. */
static void epoch(struct bd_window *w, unsigned lost, uint64_t k) {
  for (unsigned i = 0; i < 64; i++) {
    uint64_t sent = k * EPOCH + i * 100000;
    uint32_t send = bd_window_on_send(w, sent);
    if (i >= lost)
      bd_window_on_answer(w, sent + RTT, sent, send);
  }
  bd_window_tick(w, (k + 1) * EPOCH);
}

static void test_window_grows_and_is_capped(void **state) {
  struct bd_window w;
  (void)state;
  bd_window_init(&w, 10, 1, 100, 100);
  assert_int_equal(bd_window_size(&w), 10);
  for (int i = 0; i < 10; i++)
    bd_window_on_answer(&w, MS, 0, 0);
  assert_int_equal(bd_window_size(&w), 20); /* slow start: doubles */
  /* ... once a round, however fast the answers come back. */
  for (int i = 0; i < 100; i++)
    bd_window_on_answer(&w, MS, 0, 0);
  assert_int_equal(bd_window_size(&w), 20);
  /* A path whose answers keep up with the window: a window's worth a
   * millisecond. */
  for (uint64_t t = 2; t < 1000; t++)
    for (unsigned n = bd_window_size(&w); n > 0; n--)
      bd_window_on_answer(&w, t * MS, (t - 1) * MS, 0);
  assert_int_equal(bd_window_size(&w), 100);
  bd_window_set_limits(&w, 30, 30);
  assert_int_equal(bd_window_size(&w), 30);
}

/* Answers that come bunched, here the 200 answers of 200 ms of sends all
 * at once, speak of the rate they were sent at, not of a fast path: the
 * window's bandwidth, and so its cap, stays that of the sends. */
static void test_bunched_answers_are_no_bandwidth(void **state) {
  struct bd_window w;
  (void)state;
  bd_window_init(&w, 100, 1, 65536, 1000);
  for (uint64_t i = 0; i < 200; i++)
    bd_window_on_send(&w, i * MS);
  for (uint64_t i = 0; i < 200; i++)
    bd_window_on_answer(&w, 250 * MS, i * MS, (uint32_t)i + 1);
  bd_window_on_answer(&w, 310 * MS, 200 * MS, bd_window_on_send(&w, 200 * MS));
  /* 201 answers of sends 200 ms apart; over 60 ms of arrivals they would
   * have made 3,350 a second. */
  assert_in_range((uint64_t)bd_window_bandwidth(&w), 900, 1100);
}

static void test_rising_losses_pace_the_server(void **state) {
  struct bd_window w;
  uint64_t k = 0;
  double first;
  (void)state;
  bd_window_init(&w, 400, 1, 400, 400);
  for (; k < 8; k++)
    epoch(&w, 0, k);
  assert_int_equal(bd_window_size(&w), 400);
  assert_true(w.pace == 0);
  epoch(&w, 10, k++); /* 16% loss out of nowhere: congestion, or a limit */
  epoch(&w, 0, k++);
  assert_true(w.pace == 0); /* not judged yet */
  for (int i = 0; i < 6; i++)
    epoch(&w, 0, k++);
  /* Paced a little under the rate the server answered at: 54 answers in
   * that epoch's 20 ms, 64 in the best ones. The window stays: queries
   * lost to a limit hold their slots until their timeout. */
  assert_true(w.pace > 0.9 * 54 * 50 && w.pace < 64 * 50);
  assert_int_equal(bd_window_size(&w), 400);
  first = w.pace;
  /* The server answers fewer from now on (a lower limit): once the best
   * rates of before have aged out, a lower pace. */
  for (int i = 0; i < 20; i++)
    epoch(&w, 40, k++);
  assert_true(w.pace < first);
  assert_true(w.pace < 30 * 50);
  /* A failure on this host halves the window at once, once per hold,
   * down to the least. */
  w.pace = 0;
  bd_window_on_local_failure(&w, 100 * S, 500);
  assert_int_equal(bd_window_size(&w), 200);
  bd_window_on_local_failure(&w, 100 * S + 1, 500); /* within the hold */
  assert_int_equal(bd_window_size(&w), 200);
  for (uint64_t t = 0; t < 40; t++)
    bd_window_on_local_failure(&w, 200 * S + t * 1000, 500);
  assert_int_equal(bd_window_size(&w), 1); /* floored */
}

static void test_window_tolerates_a_lossy_path(void **state) {
  struct bd_window w;
  unsigned cuts = 0;
  (void)state;
  /* 30% of queries lost at any pace: a lossy link, not congestion. After
   * the first epochs teach the base rate, the window stops being cut. */
  bd_window_init(&w, 400, 1, 400, 400);
  for (uint64_t k = 0; k < 50; k++) {
    unsigned before = bd_window_size(&w);
    epoch(&w, 19, k);
    if (bd_window_size(&w) < before)
      cuts++;
  }
  assert_in_range(cuts, 0, 2);
  assert_true(w.base_loss > 0.25);
  assert_true(bd_window_size(&w) >= 200);
}

/* The simulation's clock tick. */
#define STEP (100 * 1000ull)
#define RING (1 << 17)

/* A path to a server, as the simulation runs it: a round trip, a rate
 * limit (a token bucket of burst_ms, full at the start of each call; 0: no
 * limit), a share lost at random, and a disturbance: from `from` to `to`
 * (clock times) the server answers nothing (silent), or loses burst_loss
 * of the queries, or limits to limit2 (from `from` on). */
struct path {
  uint64_t rtt;
  double limit;
  uint64_t burst_ms;
  double loss;
  uint64_t from;
  uint64_t to;
  bool silent;
  double burst_loss;
  double limit2;
};

/* A query in flight: its answer's time, or its timeout's. */
struct flight {
  uint64_t sent;
  uint64_t due; /* answer, or timeout */
  bool answered;
  bool stale;    /* written off as lost, and sent again */
  bool released; /* ... and its slot free before `due` */
  uint32_t send; /* its number (bd_window_on_send) */
};

/* A fixed sequence of uniform numbers in [0, 1): a path's random loss,
 * reseeded by new_path_seeded. */
static uint64_t rng_state = 88172645463325252ull;
static double uniform(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}

/* The path's queries in flight, and its clock: they go on from one call
 * of run_path to the next, until new_path. */
static struct flight f[RING];
static size_t head;
static size_t tail;
static uint64_t clock;
static unsigned inflight;
static size_t rack;       /* the oldest query RACK has not judged */
static size_t held;       /* the oldest written off that holds a slot */
static unsigned released; /* written off, slot free, not yet due */

/* A new path, and a window with blogdom's defaults for it: a test's window
 * must not meet the queries of another's. */
static void new_path(struct bd_window *w) {
  memset(f, 0, sizeof(f));
  head = tail = rack = held = 0;
  inflight = released = 0;
  bd_window_init(w, 100, 1, 65536, 1000);
}

/* What a call of run_path saw. */
struct tally {
  uint64_t answers;
  uint64_t sent;
  uint64_t lost;
};

/* Whether the server drops a query sent at `now` for the disturbance. */
static bool disturbed(const struct path *p, uint64_t now) {
  if (now < p->from || now >= p->to)
    return false;
  return p->silent || (p->burst_loss > 0 && uniform() < p->burst_loss);
}

/* The queries in flight are lost, as the engine writes them off when the
 * window finds the server silent: their slots are free at once, and so
 * are those of the ones written off before. */
static void write_off(struct tally *t) {
  for (size_t i = head; i != tail; i = (i + 1) % RING) {
    if (f[i].due == 0)
      continue;
    if (!f[i].stale)
      t->lost++;
    if (!f[i].released)
      inflight--;
    f[i].due = 0;
  }
  head = rack = held = tail;
  released = 0;
}

/* The engine's RACK (answers.c, flight.c): the queries sent before
 * answered_sent, out for longer than bd_window_lost_after, are lost and
 * sent again; each holds its slot until the window has judged the epoch
 * it went in, with at most 4 floors of them released at once. */
static void find_lost(struct bd_window *w, uint64_t answered_sent,
                      struct tally *t) {
  uint64_t lost_after = bd_window_lost_after(w);
  for (; rack != tail; rack = (rack + 1) % RING) {
    struct flight *q = &f[rack];
    if (q->due == 0 || q->stale)
      continue;
    if (q->sent >= answered_sent || clock - q->sent <= lost_after)
      break;
    q->stale = true;
    t->lost++;
  }
  for (; held != rack; held = (held + 1) % RING) {
    struct flight *q = &f[held];
    if (q->due == 0 || !q->stale || q->released)
      continue;
    if (q->sent >= w->settled_until_ns || released >= 4 * w->floor)
      break;
    q->released = true;
    released++;
    inflight--;
  }
}

/* Runs the sender and the path for `ms` milliseconds: the sender sends
 * whatever the window and the pace allow, every 0.1 ms; lost queries hold
 * their window slot for a 1 s timeout. */
static void run_path(struct bd_window *w, const struct path *p, uint64_t ms,
                     struct tally *t) {
  double bucket = p->limit * (double)p->burst_ms / 1000;
  double tokens = bucket;
  uint64_t end = clock + ms * MS;

  memset(t, 0, sizeof(*t));
  for (uint64_t now = clock + STEP; now < end; now += STEP) {
    double limit = p->limit2 > 0 && now >= p->from ? p->limit2 : p->limit;
    clock = now;
    /* Out-of-order completions are few: sweep the ring in order. */
    for (size_t i = head; i != tail; i = (i + 1) % RING) {
      if (f[i].due > now || f[i].due == 0)
        continue;
      if (f[i].stale) {
        /* Answered after all: the write-off was wrong. */
        if (f[i].answered)
          bd_window_on_spurious_loss(w);
      } else if (f[i].answered) {
        bd_window_on_answer(w, f[i].due, f[i].sent, f[i].send);
        t->answers++;
      } else {
        t->lost++;
      }
      if (f[i].released)
        released--;
      else
        inflight--;
      f[i].due = 0;
    }
    /* On each answer and on each tick (BD_ZONE_OVERDUE), alike here. */
    find_lost(w, w->latest_answered_sent_ns, t);
    while (head != tail && f[head].due == 0) {
      if (rack == head)
        rack = (rack + 1) % RING;
      if (held == head)
        held = (held + 1) % RING;
      head = (head + 1) % RING;
    }
    if (bd_window_tick(w, now))
      write_off(t);
    if (limit > 0) {
      tokens += limit * STEP / S;
      if (tokens > bucket)
        tokens = bucket;
    }
    while (inflight < bd_window_size(w) && bd_window_delay(w, now) == 0 &&
           (tail + 1) % RING != head) {
      bool ok = limit == 0 || tokens >= 1;
      if (ok && limit > 0)
        tokens -= 1;
      if (p->loss > 0 && uniform() < p->loss)
        ok = false;
      if (disturbed(p, now))
        ok = false;
      f[tail].send = bd_window_on_send(w, now);
      f[tail].sent = now;
      f[tail].answered = ok;
      f[tail].stale = f[tail].released = false;
      f[tail].due = now + (ok ? p->rtt : S);
      tail = (tail + 1) % RING;
      inflight++;
      t->sent++;
    }
  }
}

static uint64_t simulate_lossy(struct bd_window *w, uint64_t rtt, double limit,
                               uint64_t burst_ms, double loss, uint64_t ms,
                               uint64_t *sent, uint64_t *lost) {
  struct path p = {rtt, limit, burst_ms, loss, 0, 0, false, 0, 0};
  struct tally t;
  run_path(w, &p, ms, &t);
  *sent = t.sent;
  *lost = t.lost;
  return t.answers;
}

static uint64_t simulate_burst(struct bd_window *w, uint64_t rtt, double limit,
                               uint64_t burst_ms, uint64_t ms, uint64_t *sent,
                               uint64_t *lost) {
  return simulate_lossy(w, rtt, limit, burst_ms, 0, ms, sent, lost);
}

static uint64_t simulate(struct bd_window *w, uint64_t rtt, double limit,
                         uint64_t ms, uint64_t *sent, uint64_t *lost) {
  return simulate_burst(w, rtt, limit, 10, ms, sent, lost);
}

/* The answers of a new near path (a round trip of one clock tick) that loses
 * `loss` of the queries at random, over `ms` milliseconds, with no limit. */
static uint64_t answers_on_a_lossy_path(double loss, uint64_t ms) {
  struct bd_window w;
  uint64_t sent;
  uint64_t lost;
  new_path(&w);
  return simulate_lossy(&w, STEP, 0, 0, loss, ms, &sent, &lost);
}

/* A near path that loses 30% of queries at random, whatever the pace: the
 * share lost in an epoch of a few dozen queries swings by ten points and
 * more. Swings are noise, not congestion: the server is never paced down
 * to a crawl. */
static void test_noisy_losses_are_no_congestion(void **state) {
  uint64_t answers = answers_on_a_lossy_path(0.3, 60000);
  (void)state;
  /* 60 s of a window of 1,000 whose lost queries wait 1 s: about 2,000
   * answers a second. A pace sunk to its least gave a few hundred. */
  assert_true(answers > 60 * 1500);
}

/* A near path that loses most queries, 60% at random: the first epoch's
 * losses are congestion as much as a limit met from the first query, and
 * the pace searches; but answers that keep to the path's share are no
 * limit, and the pace never sinks to a crawl. */
static void test_a_path_that_loses_most_is_no_limit(void **state) {
  uint64_t answers = answers_on_a_lossy_path(0.6, 20000);
  (void)state;
  /* 20 s of a window of 1,000 whose lost queries wait 1 s: about 650
   * answers a second unpaced. A base that sank to the luckiest epochs
   * read the path's own losses as a limit, and the pace sank to 10-100 a
   * second: under 3,000 answers in all. */
  assert_true(answers > 20 * 500);
}

/* Far away (50 ms) with no limit: the window grows past the floor to what
 * the distance needs; nothing is lost. */
static void test_window_sized_by_bandwidth_and_delay(void **state) {
  struct bd_window w;
  uint64_t sent;
  uint64_t lost;
  uint64_t answers;
  (void)state;
  new_path(&w);
  answers = simulate(&w, 50 * MS, 0, 3000, &sent, &lost);
  assert_int_equal(lost, 0);
  /* 1000 in flight would give 20,000 a second; the window went on. */
  assert_true(bd_window_size(&w) > 4000);
  assert_true(answers > 2 * 20000);
}

/* Near (1 ms), behind a limit of 1,000 queries a second: the pace finds
 * the limit within seconds; from there on losses stay few. */
static void test_pace_finds_a_rate_limit(void **state) {
  struct bd_window w;
  uint64_t sent;
  uint64_t lost;
  uint64_t answers;
  uint64_t sent2;
  uint64_t lost2;
  (void)state;
  new_path(&w);
  simulate(&w, 1 * MS, 1000, 5000, &sent, &lost);
  assert_true(w.pace > 800 && w.pace < 1200);
  /* From there on: at least 90% of the limit, under 2% lost. */
  answers = simulate(&w, 1 * MS, 1000, 10000, &sent2, &lost2);
  assert_true(answers >= 9000 * 0.9);
  assert_true((double)lost2 < 0.02 * (double)sent2);
}

/* Behind a limit that lets a second's worth through at once and drops
 * what follows: slow start, a doubling a round, meets the end of the burst
 * with a few hundred queries in flight, not a floor's thousand, and the
 * first epoch tells that cliff from a lossy path. The pace searches from
 * the rate answered after it, and the queries lost in all stay under 2% of
 * those sent, as the limit's benchmark asks. */
static void test_pace_after_a_burst_the_limit_let_through(void **state) {
  struct bd_window w;
  uint64_t sent;
  uint64_t lost;
  uint64_t answers;
  (void)state;
  new_path(&w);
  answers = simulate_burst(&w, 1 * MS, 1000, 1000, 20000, &sent, &lost);
  assert_true(w.pace > 800 && w.pace < 1200);
  assert_true(answers >= 0.9 * 20000);
  /* A floor's worth were lost at the burst's end before, over 1,000. */
  assert_true((double)lost < 0.02 * (double)sent);
}

/* ---- disturbances: a property over a seeded matrix of paths ---------- */

/* A burst of loss loses half the queries for a while: each epoch of it
 * cuts the pace again, and the pace must come back once it ends. */
enum disturbance { SILENCE, LOSS_BURST, LIMIT_DOWN, LIMIT_UP, NDISTURBANCES };

static const char *const disturbance_names[] = {"silence", "loss burst",
                                                "limit down", "limit up"};

/* One path of the matrix, drawn from a seed. */
struct condition {
  struct path path;
  enum disturbance kind;
  uint64_t at_ms;  /* the disturbance begins, from the run's start */
  uint64_t len_ms; /* and lasts (a silence, a loss burst) */
  uint64_t run_ms;
};

static uint64_t pick(uint64_t *seed, uint64_t n) {
  *seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
  return (*seed >> 33) % n;
}

static struct condition draw(uint64_t seed) {
  static const uint64_t rtts[] = {1 * MS, 5 * MS, 20 * MS, 50 * MS};
  static const double limits[] = {1000, 2000, 5000, 20000};
  /* Paths that lose a share at random are left out: behind a limit, two
   * undisturbed runs of one such path with other random draws already
   * differ several times over, so no run is a reference for another. */
  static const double losses[] = {0, 0, 0, 0};
  static const uint64_t ats[] = {2000, 3000, 4000};
  static const uint64_t lens[] = {200, 500, 2000};
  struct condition c;
  memset(&c, 0, sizeof(c));
  c.path.rtt = rtts[pick(&seed, 4)];
  c.path.limit = limits[pick(&seed, 4)];
  c.path.burst_ms = 10;
  c.path.loss = losses[pick(&seed, 4)];
  c.kind = (enum disturbance)pick(&seed, NDISTURBANCES);
  c.at_ms = ats[pick(&seed, 3)];
  c.len_ms = lens[pick(&seed, 3)];
  if (c.kind >= LIMIT_DOWN) {
    c.path.limit2 = c.kind == LIMIT_DOWN ? c.path.limit / 2 : c.path.limit * 2;
    c.len_ms = 0;
  }
  c.path.silent = c.kind == SILENCE;
  c.path.burst_loss = c.kind == LOSS_BURST ? 0.5 : 0;
  c.run_ms = c.at_ms + c.len_ms + 6000;
  return c;
}

/* Answers a second, second by second, of a new path run for c.run_ms:
 * disturbed as c says, or not. */
static void rates_of(const struct condition *c, bool disturb, uint64_t seed,
                     double *per_s, uint64_t *sent) {
  struct bd_window w;
  struct path p = c->path;
  struct tally t;
  /* Both runs alike up to the disturbance: the same clock, epoch grid and
   * random losses. */
  new_path(&w);
  clock = 0;
  rng_state = seed | 1;
  if (disturb) {
    p.from = clock + c->at_ms * MS;
    p.to = p.from + c->len_ms * MS;
  } else {
    p.limit2 = 0;
    p.from = p.to = 0;
  }
  *sent = 0;
  for (uint64_t s = 0; s * 1000 < c->run_ms; s++) {
    run_path(&w, &p, 1000, &t);
    per_s[s] = (double)t.answers;
    *sent += t.sent;
  }
}

/* The property: once a disturbance ends, the answer rate is back to 90%
 * of what the undisturbed path answers within a few round trips and a
 * probe gap (each whole second from then on), and the run as a whole
 * loses no more than the disturbance's own length at that rate. A moved
 * limit is the new ceiling: 90% of it from a few seconds after it moved. */
static bool check_condition(uint64_t seed) {
  struct condition c = draw(seed);
  double calm[16] = {0};
  double hit[16] = {0};
  double lost_s = 0;
  uint64_t sent_calm;
  uint64_t sent_hit;
  uint64_t seconds = (c.run_ms + 999) / 1000;
  uint64_t back_ms = c.at_ms + c.len_ms + 300 + 10 * c.path.rtt / MS;
  char what[160];
  bool ok = true;
  double before;

  rates_of(&c, false, seed, calm, &sent_calm);
  rates_of(&c, true, seed, hit, &sent_hit);
  snprintf(what, sizeof(what),
           "seed %llu: %s at %llu ms for %llu ms, rtt %llu ms, limit %.0f "
           "(then %.0f), loss %.2f",
           (unsigned long long)seed, disturbance_names[c.kind],
           (unsigned long long)c.at_ms, (unsigned long long)c.len_ms,
           (unsigned long long)(c.path.rtt / MS), c.path.limit, c.path.limit2,
           c.path.loss);
  if (c.kind >= LIMIT_DOWN)
    back_ms = c.at_ms + 3000;
  /* What the run held in the last whole second before the disturbance: a
   * silence keeps it, while the undisturbed run may have gone on finding
   * a higher pace meanwhile. */
  before = c.at_ms >= 2000 ? hit[c.at_ms / 1000 - 1] : 0;
  for (uint64_t s = 0; s < seconds; s++) {
    double ceiling = calm[s];
    double due;
    if (c.kind >= LIMIT_DOWN && s * 1000 >= c.at_ms)
      ceiling = c.path.limit2 < calm[s] ? c.path.limit2 : calm[s];
    due = (c.kind == SILENCE || c.kind == LOSS_BURST) && before < ceiling
              ? before
              : ceiling;
    /* The first second is slow start's, and a run's last second may be
     * cut short. */
    if (s * 1000 >= back_ms && s + 1 < seconds && s > 0 && hit[s] < 0.9 * due) {
      print_error("%s: second %llu answered %.0f, due %.0f\n", what,
                  (unsigned long long)s, hit[s], due);
      ok = false;
    }
    if (ceiling > hit[s])
      lost_s += (ceiling - hit[s]) / (ceiling > 0 ? ceiling : 1);
  }
  /* Seconds lost against the ceiling: the disturbance's length, a second
   * of slack for the round trips and the probe gaps around it, and for a
   * moved limit the seconds its search may take. */
  if (lost_s > (double)c.len_ms / 1000 + 1 + (c.kind >= LIMIT_DOWN ? 3 : 0)) {
    print_error("%s: %.2f s of answers lost\n", what, lost_s);
    ok = false;
  }
  (void)sent_calm;
  (void)sent_hit;
  return ok;
}

/* The paths of the matrix: 32, or BD_PACE_SEEDS. The suite's sanitizer
 * run takes fewer: it looks for memory errors in code the whole matrix
 * runs in the plain build, at three times the cost a path. */
static uint64_t matrix_seeds(void) {
  const char *env = getenv("BD_PACE_SEEDS");
  long n = env != NULL ? strtol(env, NULL, 10) : 0;
  return n > 0 ? (uint64_t)n : 32;
}

static void test_disturbances_cost_their_length(void **state) {
  (void)state;
  unsigned failed = 0;
  for (uint64_t seed = 1; seed <= matrix_seeds(); seed++)
    failed += !check_condition(seed);
  assert_int_equal(failed, 0);
}

/* Paths the matrix's generator draws past its first 32 seeds, which the
 * pace once failed: a silence of 200 ms, too short to be found silent,
 * taken for a limit that allowed next to nothing (the pace sat at 10 a
 * second for six seconds), near and far; a burst of loss that ended a
 * far path's search at a quarter of its limit; a burst and a silence of
 * 200 ms 50 ms away, after which the pace sat halved for a second, until
 * an epoch sent after the back-off was judged calm; bursts of half a
 * second that ended a far path's search under its limit (one halved it
 * twice first), and a silence of 200 ms that did the same. */
static void test_disturbances_the_pace_once_failed(void **state) {
  static const uint64_t seeds[] = {65,  85,  87,  92,  175,
                                   302, 166, 379, 388, 533};
  unsigned failed = 0;
  (void)state;
  for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
    failed += !check_condition(seeds[i]);
  assert_int_equal(failed, 0);
}

/* A limit that falls far, fivefold or twentyfold, at 3 s: a pace that
 * remembered the rate before (it may have been a burst of loss) goes back
 * to it once, then follows the limit down. The back-offs of a
 * disturbance once left a quarter of that rate, whatever the server then
 * answered, and a pace held four times over a limit lost most of what it
 * sent for good. From 5 s after the fall, a tenth of the sends at most is
 * lost. */
static double lost_after_a_fall(uint64_t rtt, double limit, double fall) {
  struct bd_window w;
  struct path p;
  struct tally t;
  double answers = 0;
  double sent = 0;
  memset(&p, 0, sizeof(p));
  p.rtt = rtt;
  p.limit = limit;
  p.limit2 = limit / fall;
  p.burst_ms = 10;
  p.from = p.to = 3 * S;
  new_path(&w);
  clock = 0;
  rng_state = 7;
  for (int s = 0; s < 12; s++) {
    run_path(&w, &p, 1000, &t);
    if (s >= 8) {
      answers += (double)t.answers;
      sent += (double)t.sent;
    }
  }
  return sent > 0 ? 1 - answers / sent : 0;
}

static void test_pace_follows_a_limit_that_falls(void **state) {
  static const uint64_t rtts[] = {1 * MS, 5 * MS, 20 * MS, 50 * MS};
  static const double limits[] = {1000, 5000, 20000};
  static const double falls[] = {5, 20};
  unsigned failed = 0;
  (void)state;
  for (size_t i = 0; i < 4; i++)
    for (size_t j = 0; j < 3; j++)
      for (size_t k = 0; k < 2; k++) {
        double lost = lost_after_a_fall(rtts[i], limits[j], falls[k]);
        if (lost <= 0.1)
          continue;
        print_error("rtt %llu ms, limit %.0f falls %.0f-fold: %.2f lost\n",
                    (unsigned long long)(rtts[i] / MS), limits[j], falls[k],
                    lost);
        failed++;
      }
  assert_int_equal(failed, 0);
}

/* Behind a limit, a path that also loses a share at random: the batches
 * judged, a few dozen queries each, swing by several points by chance,
 * and a base that followed each half way sank after a few lucky ones, so
 * that the next unlucky one looked like the limit: paths losing 1 to 5 %
 * were paced at a fifth to a half of their limit. The pace holds 85 % of
 * what the limit lets through from the third second on. */
static double lossy_share_of_limit(uint64_t seed) {
  static const uint64_t rtts[] = {1 * MS, 5 * MS, 20 * MS, 50 * MS};
  static const double limits[] = {1000, 2000, 5000, 20000};
  static const double losses[] = {0.01, 0.02, 0.05};
  uint64_t draw_seed = seed * 7919;
  struct path p;
  struct bd_window w;
  struct tally t;
  double answers = 0;
  memset(&p, 0, sizeof(p));
  p.rtt = rtts[pick(&draw_seed, 4)];
  p.limit = limits[pick(&draw_seed, 4)];
  p.loss = losses[pick(&draw_seed, 3)];
  p.burst_ms = 10;
  new_path(&w);
  clock = 0;
  rng_state = seed * 7919 | 1;
  for (int s = 0; s < 10; s++) {
    run_path(&w, &p, 1000, &t);
    if (s >= 3)
      answers += (double)t.answers;
  }
  answers /= 7 * p.limit * (1 - p.loss);
  if (answers < 0.85)
    print_error("seed %llu: rtt %llu ms, limit %.0f, loss %.2f: %.2f of "
                "the limit\n",
                (unsigned long long)seed, (unsigned long long)(p.rtt / MS),
                p.limit, p.loss, answers);
  return answers;
}

static void test_lossy_paths_behind_a_limit(void **state) {
  unsigned failed = 0;
  (void)state;
  for (uint64_t seed = 1; seed <= matrix_seeds() / 4; seed++)
    failed += lossy_share_of_limit(seed) < 0.85;
  assert_int_equal(failed, 0);
}

static void feed(struct bd_health *h, unsigned n, unsigned failed_every) {
  for (unsigned i = 0; i < n; i++)
    bd_health_record(h, failed_every && i % failed_every == 0);
}

static void test_health_sidelines_the_odd_one_out(void **state) {
  struct bd_health h[3];
  (void)state;
  memset(h, 0, sizeof(h));
  feed(&h[0], 100, 0);
  feed(&h[1], 100, 10); /* 10% failures: normal loss */
  feed(&h[2], 10, 1);   /* fails everything, but too few samples yet */
  assert_false(bd_health_should_sideline(h, 3, 2));
  feed(&h[2], 30, 1);
  assert_true(h[2].failure_rate > 0.99);
  assert_true(bd_health_should_sideline(h, 3, 2));
  assert_false(bd_health_should_sideline(h, 3, 1));
  assert_false(bd_health_should_sideline(h, 3, 0));
}

static void test_health_keeps_servers_when_all_fail_alike(void **state) {
  struct bd_health h[2];
  (void)state;
  memset(h, 0, sizeof(h));
  /* Both time out as often: the names, not the servers, are the cause. */
  feed(&h[0], 100, 1);
  feed(&h[1], 100, 1);
  assert_false(bd_health_should_sideline(h, 2, 0));
  /* The last server in use is never set aside. */
  h[1].failure_rate = 0;
  h[1].sidelined = true;
  assert_false(bd_health_should_sideline(h, 2, 0));
}

static void test_health_recovers(void **state) {
  struct bd_health h;
  (void)state;
  memset(&h, 0, sizeof(h));
  feed(&h, 100, 1);
  feed(&h, 200, 0);
  assert_true(h.failure_rate < 0.01);
}

static void test_shard_parse(void **state) {
  struct bd_shard s;
  (void)state;
  assert_int_equal(bd_shard_parse("0/4", &s), 0);
  assert_int_equal(s.index, 0);
  assert_int_equal(s.count, 4);
  assert_int_equal(bd_shard_parse("3/4", &s), 0);
  assert_int_equal(bd_shard_parse("4/4", &s), -1);
  assert_int_equal(bd_shard_parse("1/0", &s), -1);
  assert_int_equal(bd_shard_parse("-1/4", &s), -1);
  assert_int_equal(bd_shard_parse("1/4x", &s), -1);
  assert_int_equal(bd_shard_parse("1", &s), -1);
}

static void test_shards_partition(void **state) {
  unsigned per_shard[7] = {0};
  (void)state;
  for (unsigned i = 0; i < 7000; i++) {
    char name[32];
    unsigned owners = 0;
    int len = snprintf(name, sizeof(name), "w%u.dev", i);
    for (uint32_t k = 0; k < 7; k++) {
      struct bd_shard s = {k, 7};
      if (bd_shard_keeps(&s, name, (size_t)len)) {
        owners++;
        per_shard[k]++;
      }
    }
    assert_int_equal(owners, 1);
  }
  for (int k = 0; k < 7; k++)
    assert_in_range(per_shard[k], 850, 1150);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pacer_never_bursts),
      cmocka_unit_test(test_pacer_disabled),
      cmocka_unit_test(test_window_grows_and_is_capped),
      cmocka_unit_test(test_bunched_answers_are_no_bandwidth),
      cmocka_unit_test(test_rising_losses_pace_the_server),
      cmocka_unit_test(test_window_tolerates_a_lossy_path),
      cmocka_unit_test(test_window_sized_by_bandwidth_and_delay),
      cmocka_unit_test(test_pace_finds_a_rate_limit),
      cmocka_unit_test(test_noisy_losses_are_no_congestion),
      cmocka_unit_test(test_a_path_that_loses_most_is_no_limit),
      cmocka_unit_test(test_pace_after_a_burst_the_limit_let_through),
      cmocka_unit_test(test_disturbances_cost_their_length),
      cmocka_unit_test(test_disturbances_the_pace_once_failed),
      cmocka_unit_test(test_lossy_paths_behind_a_limit),
      cmocka_unit_test(test_pace_follows_a_limit_that_falls),
      cmocka_unit_test(test_health_sidelines_the_odd_one_out),
      cmocka_unit_test(test_health_keeps_servers_when_all_fail_alike),
      cmocka_unit_test(test_health_recovers),
      cmocka_unit_test(test_shard_parse),
      cmocka_unit_test(test_shards_partition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
