/* The RDAP scheduler with made-up times: one request leaving at a time,
 * the pace, the cap on requests in flight, back-offs, 429 pauses. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/rdapsched.h"

#define MS BD_NS_PER_MS
#define S BD_NS_PER_S

struct fixture {
  struct bd_rdapsched s;
  struct bd_rdapsched_item items[8];
};

/* Two in flight, 10 a second (an interval of 105 ms), three tries, two
 * pauses. */
static int setup(void **state) {
  struct bd_rdapsched_config cfg = {2, 10.0, 3, 2};
  struct fixture *f = calloc(1, sizeof(*f));
  if (f == NULL)
    return -1;
  bd_rdapsched_init(&f->s, &cfg);
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;
  for (size_t i = 0; i < BD_ARRAY_SIZE(f->items); i++)
    bd_rdapsched_remove(&f->s, &f->items[i]);
  assert_null(bd_rdapsched_any(&f->s));
  bd_rdapsched_free(&f->s);
  free(f);
  return 0;
}

/* Starts the next ready item at now and puts it on the wire. */
static struct bd_rdapsched_item *send(struct fixture *f, uint64_t now) {
  struct bd_rdapsched_item *it = bd_rdapsched_ready(&f->s, now);
  assert_non_null(it);
  bd_rdapsched_start(&f->s, it);
  bd_rdapsched_left(&f->s, it, now);
  return it;
}

static void end_final(struct fixture *f, struct bd_rdapsched_item *it,
                      uint64_t now) {
  uint64_t wait;
  assert_false(bd_rdapsched_end(&f->s, it, BD_RDAPSCHED_FINAL, -1, now, &wait));
}

static void test_keys(void **state) {
  struct fixture *f = *state;
  assert_int_equal(bd_rdapsched_add(&f->s, &f->items[0], "http://a:80"), 1);
  assert_int_equal(bd_rdapsched_add(&f->s, &f->items[1], "http://a:80"), 0);
  assert_int_equal(bd_rdapsched_add(&f->s, &f->items[2], "http://b:80"), 1);
  assert_string_equal(bd_rdapsched_key(&f->items[1]), "http://a:80");
  assert_string_equal(bd_rdapsched_key(&f->items[2]), "http://b:80");
}

/* A request leaves, then the next may once it is on the wire and the
 * pace allows: 105 ms later. */
static void test_pace(void **state) {
  struct fixture *f = *state;
  struct bd_rdapsched_item *a = &f->items[0];

  bd_rdapsched_add(&f->s, a, "k");
  bd_rdapsched_add(&f->s, &f->items[1], "k");
  assert_ptr_equal(bd_rdapsched_ready(&f->s, 0), a);
  bd_rdapsched_start(&f->s, a);
  assert_int_equal(a->sent, 1);
  /* Not on the wire yet: the next waits for its events, not for time. */
  assert_null(bd_rdapsched_ready(&f->s, 10 * S));
  assert_int_equal(bd_rdapsched_deadline(&f->s, 0), UINT64_MAX);
  assert_int_equal(bd_rdapsched_wait_ms(&f->s, 0), UINT64_MAX);
  bd_rdapsched_left(&f->s, a, 0);
  bd_rdapsched_left(&f->s, a, 50 * MS); /* once a try */
  assert_null(bd_rdapsched_ready(&f->s, 104 * MS));
  assert_in_range(bd_rdapsched_deadline(&f->s, 0), 104 * MS, 105 * MS);
  assert_ptr_equal(bd_rdapsched_ready(&f->s, 105 * MS), &f->items[1]);
}

/* At most two in flight per registry; other registries go on. */
static void test_concurrency(void **state) {
  struct fixture *f = *state;
  struct bd_rdapsched_item *a;

  for (int i = 0; i < 3; i++)
    bd_rdapsched_add(&f->s, &f->items[i], "k");
  bd_rdapsched_add(&f->s, &f->items[3], "other");
  assert_ptr_equal(send(f, 0), &f->items[3]);
  a = send(f, 0);
  assert_ptr_equal(a, &f->items[0]);
  assert_ptr_equal(send(f, 200 * MS), &f->items[1]);
  assert_null(bd_rdapsched_ready(&f->s, 10 * S));
  assert_int_equal(bd_rdapsched_deadline(&f->s, 10 * S), UINT64_MAX);
  end_final(f, a, 300 * MS);
  assert_ptr_equal(bd_rdapsched_ready(&f->s, 400 * MS), &f->items[2]);
}

/* Failures are tried again after 1 s, then 2 s, until the tries are
 * spent; the retry goes before fresh items. */
static void test_backoff(void **state) {
  struct fixture *f = *state;
  struct bd_rdapsched_item *a = &f->items[0];
  uint64_t wait = 0;
  uint64_t t = 0;

  bd_rdapsched_add(&f->s, a, "k");
  send(f, t);
  bd_rdapsched_add(&f->s, &f->items[1], "k");
  assert_true(bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_RETRYABLE, -1, t, &wait));
  assert_int_equal(wait, 1 * S);
  /* The fresh item goes meanwhile; the retry at its time. */
  assert_ptr_equal(send(f, 200 * MS), &f->items[1]);
  assert_null(bd_rdapsched_ready(&f->s, 999 * MS));
  assert_int_equal(bd_rdapsched_deadline(&f->s, 500 * MS), 1 * S);
  /* As a timer's wait: rounded up, so that it never fires early. */
  assert_int_equal(bd_rdapsched_wait_ms(&f->s, 500 * MS), 500);
  assert_int_equal(bd_rdapsched_wait_ms(&f->s, 500 * MS + 1), 500);
  assert_int_equal(bd_rdapsched_wait_ms(&f->s, 2 * S), 0);
  t = 1 * S;
  assert_ptr_equal(send(f, t), a);
  assert_true(bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_RETRYABLE, -1, t, &wait));
  assert_int_equal(wait, 2 * S);
  t += 2 * S;
  assert_ptr_equal(send(f, t), a);
  assert_false(
      bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_RETRYABLE, -1, t, &wait));
  assert_int_equal(a->sent, 3);
  assert_false(a->queued || a->inflight);
}

/* A 429 pauses the whole registry for its Retry-After, 5 s without one,
 * at most 60 s; pauses cost no tries, and run out too. */
static void test_pause(void **state) {
  struct fixture *f = *state;
  struct bd_rdapsched_item *a = &f->items[0];
  uint64_t wait = 0;

  bd_rdapsched_add(&f->s, &f->items[2], "other");
  bd_rdapsched_add(&f->s, a, "k");
  bd_rdapsched_add(&f->s, &f->items[1], "k");
  assert_ptr_equal(send(f, 0), a);
  assert_true(bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_THROTTLED, 2, 0, &wait));
  assert_int_equal(wait, 2 * S);
  /* Only the other registry may send meanwhile. */
  assert_ptr_equal(send(f, 1 * S), &f->items[2]);
  assert_null(bd_rdapsched_ready(&f->s, 1999 * MS));
  assert_int_equal(bd_rdapsched_deadline(&f->s, 1 * S), 2 * S);
  /* The paused name first. */
  assert_ptr_equal(send(f, 2 * S), a);
  assert_true(
      bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_THROTTLED, -1, 2 * S, &wait));
  assert_int_equal(wait, BD_RDAPSCHED_PAUSE_DEFAULT_S * S);
  assert_ptr_equal(send(f, 7 * S), a);
  assert_int_equal(a->pauses, 2);
  /* Pauses spent: the caller ends it. */
  assert_false(
      bd_rdapsched_end(&f->s, a, BD_RDAPSCHED_THROTTLED, 3600, 7 * S, &wait));
  assert_int_equal(a->sent, 3);

  /* A ban of an hour is cut to a minute. */
  send(f, 8 * S);
  assert_true(bd_rdapsched_end(&f->s, &f->items[1], BD_RDAPSCHED_THROTTLED,
                               3600, 8 * S, &wait));
  assert_int_equal(wait, BD_RDAPSCHED_PAUSE_MAX_S * S);
}

/* A try that never left costs no pace; a removed item in flight frees
 * its place. */
static void test_remove(void **state) {
  struct fixture *f = *state;
  struct bd_rdapsched_item *a = &f->items[0];

  for (int i = 0; i < 3; i++)
    bd_rdapsched_add(&f->s, &f->items[i], "k");
  bd_rdapsched_start(&f->s, bd_rdapsched_ready(&f->s, 0));
  assert_ptr_equal(bd_rdapsched_any(&f->s), a); /* in flight first */
  bd_rdapsched_remove(&f->s, a);
  assert_false(a->inflight || a->unsent || a->queued);
  assert_ptr_equal(bd_rdapsched_ready(&f->s, 0), &f->items[1]);
  bd_rdapsched_remove(&f->s, &f->items[1]);
  assert_ptr_equal(bd_rdapsched_ready(&f->s, 0), &f->items[2]);
  assert_ptr_equal(bd_rdapsched_any(&f->s), &f->items[2]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_keys, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pace, setup, teardown),
      cmocka_unit_test_setup_teardown(test_concurrency, setup, teardown),
      cmocka_unit_test_setup_teardown(test_backoff, setup, teardown),
      cmocka_unit_test_setup_teardown(test_pause, setup, teardown),
      cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
