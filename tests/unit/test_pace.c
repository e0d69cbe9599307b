/* Flow control arithmetic: --rate pacing, the congestion window, server
 * health and sharding. */
#include "unit.h"

#include <stdio.h>
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

#define HOLD 500

/* Sends one epoch (k) of queries, lost of them lost: answers come at once,
 * losses a hold period after their send. */
static void epoch(struct bd_window *w, unsigned lost, uint64_t k) {
  for (unsigned i = 0; i < 64; i++) {
    uint64_t sent = k * HOLD + i;
    if (i < lost)
      bd_window_on_loss(w, sent + HOLD, sent, HOLD);
    else
      bd_window_on_answer(w, sent + 1, sent, HOLD);
  }
}

static void test_window_grows_and_is_capped(void **state) {
  struct bd_window w;
  (void)state;
  bd_window_init(&w, 10, 1, 100);
  assert_int_equal(bd_window_size(&w), 10);
  for (int i = 0; i < 10; i++)
    bd_window_on_answer(&w, 0, 0, 500);
  assert_int_equal(bd_window_size(&w), 20); /* slow start: doubles */
  for (int i = 0; i < 10000; i++)
    bd_window_on_answer(&w, 0, 0, 500);
  assert_int_equal(bd_window_size(&w), 100);
  bd_window_set_max(&w, 30);
  assert_int_equal(bd_window_size(&w), 30);
}

static void test_window_halves_when_losses_rise(void **state) {
  struct bd_window w;
  (void)state;
  bd_window_init(&w, 400, 1, 400);
  for (uint64_t k = 0; k < 3; k++)
    epoch(&w, 0, k);
  assert_int_equal(bd_window_size(&w), 400);
  epoch(&w, 10, 3); /* 16% loss out of nowhere: congestion */
  epoch(&w, 0, 4);
  assert_int_equal(bd_window_size(&w), 400); /* epoch 3 not complete yet */
  epoch(&w, 0, 5);
  assert_int_equal(bd_window_size(&w), 200);
  /* Losses of queries sent before the cut do not cut again. */
  epoch(&w, 40, 4);
  epoch(&w, 0, 7);
  epoch(&w, 0, 8);
  assert_in_range(bd_window_size(&w), 200, 201);
  /* Losses rising again after the cut: another cut. */
  epoch(&w, 40, 9);
  epoch(&w, 0, 10);
  epoch(&w, 0, 11);
  assert_in_range(bd_window_size(&w), 100, 101);
  bd_window_on_local_failure(&w, 100000, HOLD);
  assert_int_equal(bd_window_size(&w), 50);
  bd_window_on_local_failure(&w, 100001, HOLD); /* within the hold */
  assert_int_equal(bd_window_size(&w), 50);
  for (uint64_t t = 0; t < 40; t++)
    bd_window_on_local_failure(&w, 200000 + t * 1000, HOLD);
  assert_int_equal(bd_window_size(&w), 1); /* floored */
}

static void test_window_tolerates_a_lossy_path(void **state) {
  struct bd_window w;
  unsigned cuts = 0;
  (void)state;
  /* 30% of queries lost at any pace: a lossy link, not congestion. After
   * the first epochs teach the base rate, the window stops being cut. */
  bd_window_init(&w, 400, 1, 400);
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
      cmocka_unit_test(test_window_halves_when_losses_rise),
      cmocka_unit_test(test_window_tolerates_a_lossy_path),
      cmocka_unit_test(test_health_sidelines_the_odd_one_out),
      cmocka_unit_test(test_health_keeps_servers_when_all_fail_alike),
      cmocka_unit_test(test_health_recovers),
      cmocka_unit_test(test_shard_parse),
      cmocka_unit_test(test_shards_partition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
