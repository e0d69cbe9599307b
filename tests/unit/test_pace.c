/* --rate pacing, the congestion window and sharding: pure arithmetic. */
#include "unit.h"

#include <stdio.h>
#include <string.h>

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
      fail_msg("rate %llu: %zu sends in one second",
               (unsigned long long)rate, j - i);
  }
  if ((double)n < 0.97 * (double)(rate * seconds) - 2)
    fail_msg("rate %llu: only %zu sends in %llu s", (unsigned long long)rate,
             n, (unsigned long long)seconds);
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

static void test_window(void **state) {
  struct bd_window w;
  (void)state;
  bd_window_init(&w, 10, 1, 100);
  assert_int_equal(bd_window_size(&w), 10);
  for (int i = 0; i < 10; i++)
    bd_window_on_answer(&w);
  assert_int_equal(bd_window_size(&w), 20); /* slow start: doubles */
  bd_window_on_loss(&w, 1000, 500);
  assert_int_equal(bd_window_size(&w), 10);
  bd_window_on_loss(&w, 1200, 500); /* same congestion event */
  assert_int_equal(bd_window_size(&w), 10);
  for (int i = 0; i < 12; i++)
    bd_window_on_answer(&w);
  assert_int_equal(bd_window_size(&w), 11); /* about one per window now */
  bd_window_on_loss(&w, 2000, 500);
  assert_int_equal(bd_window_size(&w), 5);
  for (int i = 0; i < 10000; i++)
    bd_window_on_answer(&w);
  assert_int_equal(bd_window_size(&w), 100); /* capped */
  for (uint64_t t = 0; t < 40; t++)
    bd_window_on_loss(&w, 10000 + t * 1000, 500);
  assert_int_equal(bd_window_size(&w), 1); /* floored */
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
      cmocka_unit_test(test_window),
      cmocka_unit_test(test_shard_parse),
      cmocka_unit_test(test_shards_partition),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
