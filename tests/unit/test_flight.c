/* A server's tries in send order, which of them answers to later tries
 * show lost, and when the slots of those written off are free
 * (flight.c). */
#include "unit.h"

#include <stddef.h>

#include "blogdom/flight.h"

#define MS 1000000ull

/* Stand-ins for probes: the flight only carries their addresses. */
static int probes[4];

static struct bd_try *send_at(struct bd_flight *f, int i, uint64_t ms) {
  struct bd_try *t =
      bd_flight_send(f, (struct bd_probe *)&probes[i], ms * MS, true);
  assert_non_null(t);
  return t;
}

/* The callback's view of t: its probe, and whether it held a slot. */
static struct bd_probe *done(struct bd_try *t, bool *held) {
  bool ignored;
  return bd_flight_done(t, held != NULL ? held : &ignored);
}

/* A try is lost only when one sent after it was answered and it has been
 * out longer than the server takes: a try answered late, or one whose
 * successors are all still out, is not. */
static void test_overtaken_needs_a_later_answer_and_time(void **state) {
  struct bd_flight f = {0};
  struct bd_try *a = send_at(&f, 0, 0);
  struct bd_try *b = send_at(&f, 1, 5);
  bool held;
  (void)state;

  assert_null(bd_flight_overtaken(&f, 0, 50 * MS, 10 * MS));
  /* b answered, a out for 8 ms: not yet past 10 ms. */
  assert_ptr_equal(done(b, &held), &probes[1]);
  assert_false(held);
  assert_null(bd_flight_overtaken(&f, 5 * MS, 8 * MS, 10 * MS));
  /* Past 10 ms: lost. */
  assert_ptr_equal(bd_flight_overtaken(&f, 5 * MS, 11 * MS, 10 * MS), a);
  assert_null(f.watched.head);
  bd_flight_write_off(a);
  assert_null(done(a, &held));
  assert_true(held);
}

/* Only tries sent before the answered one are overtaken, oldest first;
 * a later try stops the search even when it is old enough. */
static void test_overtaken_goes_in_send_order(void **state) {
  struct bd_flight f = {0};
  struct bd_try *a = send_at(&f, 0, 0);
  struct bd_try *b = send_at(&f, 1, 1);
  struct bd_try *c = send_at(&f, 2, 2);
  struct bd_try *d = send_at(&f, 3, 3);
  (void)state;

  /* c answered: a and b went before it, d after. */
  assert_ptr_equal(done(c, NULL), &probes[2]);
  assert_ptr_equal(bd_flight_overtaken(&f, 2 * MS, 50 * MS, 10 * MS), a);
  assert_ptr_equal(bd_flight_overtaken(&f, 2 * MS, 50 * MS, 10 * MS), b);
  assert_null(bd_flight_overtaken(&f, 2 * MS, 50 * MS, 10 * MS));
  assert_ptr_equal(f.watched.head, d);
  /* Taken out but left to its timeout, a still reaches its probe. */
  assert_ptr_equal(done(a, NULL), &probes[0]);
  bd_flight_write_off(b);
  assert_null(done(b, NULL));
  assert_ptr_equal(done(d, NULL), &probes[3]);
  assert_null(f.watched.head);
  assert_null(f.watched.tail);
  assert_null(f.held.head);
}

/* The count of tries found lost at once goes as far as taking them would,
 * up to the most asked for, and takes none. */
static void test_overtaken_counted_without_taking(void **state) {
  struct bd_flight f = {0};
  struct bd_try *a = send_at(&f, 0, 0);
  struct bd_try *b = send_at(&f, 1, 1);
  struct bd_try *c = send_at(&f, 2, 2);
  struct bd_try *d = send_at(&f, 3, 30);
  (void)state;

  /* d answered at 31 ms: a, b and c went before it. */
  assert_ptr_equal(done(d, NULL), &probes[3]);
  assert_int_equal(bd_flight_count_overtaken(&f, 30 * MS, 31 * MS, 10 * MS, 8),
                   3);
  assert_int_equal(bd_flight_count_overtaken(&f, 30 * MS, 31 * MS, 10 * MS, 2),
                   2);
  /* At 11 ms only a has been out for more than 10 ms. */
  assert_int_equal(bd_flight_count_overtaken(&f, 30 * MS, 11 * MS, 10 * MS, 8),
                   1);
  /* Sent after the answered one: none. */
  assert_int_equal(bd_flight_count_overtaken(&f, 0, 31 * MS, 10 * MS, 8), 0);
  assert_ptr_equal(f.watched.head, a);
  assert_ptr_equal(done(a, NULL), &probes[0]);
  assert_ptr_equal(done(b, NULL), &probes[1]);
  assert_ptr_equal(done(c, NULL), &probes[2]);
  assert_null(f.watched.head);
}

/* A try that is not watched (TCP) is never found lost, and answers out
 * of order unlink from the middle. */
static void test_unwatched_and_middle(void **state) {
  struct bd_flight f = {0};
  struct bd_try *tcp =
      bd_flight_send(&f, (struct bd_probe *)&probes[0], 0, false);
  struct bd_try *a = send_at(&f, 1, 1);
  struct bd_try *b = send_at(&f, 2, 2);
  struct bd_try *c = send_at(&f, 3, 3);
  (void)state;

  assert_non_null(tcp);
  assert_ptr_equal(f.watched.head, a);
  assert_ptr_equal(done(b, NULL), &probes[2]);
  assert_ptr_equal(a->next, c);
  assert_ptr_equal(c->prev, a);
  assert_ptr_equal(done(c, NULL), &probes[3]);
  assert_ptr_equal(f.watched.tail, a);
  /* c's answer overtakes a; the TCP try, sent first, is in no list. */
  assert_ptr_equal(bd_flight_overtaken(&f, 3 * MS, 50 * MS, 10 * MS), a);
  assert_null(bd_flight_overtaken(&f, 3 * MS, 50 * MS, 10 * MS));
  assert_ptr_equal(done(tcp, NULL), &probes[0]);
  bd_flight_write_off(a);
  assert_null(done(a, NULL));
}

/* Tries written off hold their slots until the window has judged the
 * time they went in, are released in the order they were written off, no
 * more than the cap at once; a released one's callback frees no slot,
 * and makes room under the cap. */
static void test_slots_are_released_in_order_under_a_cap(void **state) {
  struct bd_flight f = {0};
  struct bd_try *a = send_at(&f, 0, 10);
  struct bd_try *b = send_at(&f, 1, 20);
  struct bd_try *c = send_at(&f, 2, 30);
  bool held;
  (void)state;

  bd_flight_write_off(a);
  bd_flight_write_off(b);
  bd_flight_write_off(c);
  /* Judged up to 10 ms: a went at 10 ms, not before. */
  assert_null(bd_flight_release(&f, 10 * MS, 2));
  assert_ptr_equal(bd_flight_release(&f, 40 * MS, 2), a);
  assert_ptr_equal(bd_flight_release(&f, 40 * MS, 2), b);
  assert_int_equal(f.released, 2);
  /* c is judged but two released ones wait: the cap holds it. */
  assert_null(bd_flight_release(&f, 40 * MS, 2));
  assert_null(done(a, &held));
  assert_false(held);
  assert_int_equal(f.released, 1);
  assert_ptr_equal(bd_flight_release(&f, 40 * MS, 2), c);
  assert_null(done(b, &held));
  assert_false(held);
  assert_null(done(c, &held));
  assert_false(held);
  assert_int_equal(f.released, 0);
  assert_null(f.held.head);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_overtaken_needs_a_later_answer_and_time),
      cmocka_unit_test(test_overtaken_goes_in_send_order),
      cmocka_unit_test(test_overtaken_counted_without_taking),
      cmocka_unit_test(test_unwatched_and_middle),
      cmocka_unit_test(test_slots_are_released_in_order_under_a_cap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
