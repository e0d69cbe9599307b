/* The probe pool and its state machine. */
#include "unit.h"

#include <stdbool.h>
#include <string.h>

#include "blogdom/probe.h"

static void test_moves(void **state) {
  /* Every pair of states: the diagram of probe.h, and nothing else. */
  static const bool allowed[BD_PROBE_NSTATES][BD_PROBE_NSTATES] = {
      /* to:            FREE   QUEUED INFLT  PARKED STAGED */
      [BD_PROBE_FREE] = {false, false, false, false, false},
      /* QUEUED -> STAGED: a name a zone file judged, for --confirm */
      [BD_PROBE_QUEUED] = {true, false, true, true, true},
      [BD_PROBE_INFLIGHT] = {true, true, false, true, true},
      [BD_PROBE_PARKED] = {true, true, false, false, true},
      [BD_PROBE_STAGED] = {true, false, false, false, true},
  };
  (void)state;
  for (int from = 0; from < BD_PROBE_NSTATES; from++)
    for (int to = 0; to < BD_PROBE_NSTATES; to++)
      if (bd_probe_may_move(from, to) != allowed[from][to])
        fail_msg("move %d -> %d", from, to);
}

static void test_life_of_a_name(void **state) {
  struct bd_probe_pool pool;
  struct bd_probe *p;
  int owner;
  (void)state;
  bd_probe_pool_init(&pool);
  p = bd_probe_alloc(&pool, &owner, BD_PROBE_NAME, "book.dev", 4);
  assert_non_null(p);
  assert_ptr_equal(p->owner, &owner);
  /* Its own copy, of the length asked for. */
  assert_string_equal(p->name, "book");
  assert_int_equal(p->name_len, 4);
  assert_int_equal(p->state, BD_PROBE_QUEUED);
  assert_int_equal(bd_probe_names_in_dns(&pool), 1);
  bd_probe_move(&pool, p, BD_PROBE_INFLIGHT);
  bd_probe_move(&pool, p, BD_PROBE_QUEUED); /* a retry */
  bd_probe_move(&pool, p, BD_PROBE_INFLIGHT);
  bd_probe_move(&pool, p, BD_PROBE_PARKED);
  assert_int_equal(pool.names[BD_PROBE_PARKED], 1);
  assert_int_equal(bd_probe_names_in_dns(&pool), 1);
  bd_probe_move(&pool, p, BD_PROBE_STAGED);
  /* In a stage, a name no longer counts against the DNS window. */
  assert_int_equal(bd_probe_names_in_dns(&pool), 0);
  assert_int_equal(pool.names[BD_PROBE_STAGED], 1);
  bd_probe_move(&pool, p, BD_PROBE_FREE);
  for (int s = BD_PROBE_QUEUED; s < BD_PROBE_NSTATES; s++)
    assert_int_equal(pool.names[s], 0);
  /* The next allocation reuses it, cleared. */
  assert_ptr_equal(bd_probe_alloc(&pool, NULL, BD_PROBE_APEX, "dev", 3), p);
  assert_int_equal(p->tries, 0);
  assert_string_equal(p->name, "dev");
  assert_int_equal(pool.checks[BD_PROBE_QUEUED], 1);
  assert_int_equal(pool.names[BD_PROBE_QUEUED], 0);
  bd_probe_pool_free(&pool);
}

static void test_pool_grows_and_frees(void **state) {
  struct bd_probe_pool pool;
  struct bd_probe *all[1000];
  (void)state;
  bd_probe_pool_init(&pool);
  for (size_t i = 0; i < 1000; i++) {
    all[i] = bd_probe_alloc(&pool, NULL, BD_PROBE_NAME, "x.dev", 5);
    assert_non_null(all[i]);
    for (size_t k = 0; k < i; k++)
      assert_ptr_not_equal(all[k], all[i]);
  }
  assert_int_equal(pool.names[BD_PROBE_QUEUED], 1000);
  for (size_t i = 0; i < 1000; i += 2)
    bd_probe_move(&pool, all[i], BD_PROBE_FREE);
  assert_int_equal(pool.names[BD_PROBE_QUEUED], 500);
  bd_probe_pool_free(&pool); /* frees the live ones too */
}

static void test_queue_is_fifo(void **state) {
  struct bd_probe a, b, c;
  struct bd_probe_queue q = {NULL, NULL};
  (void)state;
  assert_null(bd_probe_queue_pop(&q));
  bd_probe_queue_push(&q, &a);
  bd_probe_queue_push(&q, &b);
  assert_ptr_equal(bd_probe_queue_pop(&q), &a);
  bd_probe_queue_push(&q, &c);
  assert_ptr_equal(bd_probe_queue_pop(&q), &b);
  assert_ptr_equal(bd_probe_queue_pop(&q), &c);
  assert_null(bd_probe_queue_pop(&q));
  assert_null(q.tail);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_moves),
      cmocka_unit_test(test_life_of_a_name),
      cmocka_unit_test(test_pool_grows_and_frees),
      cmocka_unit_test(test_queue_is_fifo),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
