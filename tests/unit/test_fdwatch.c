/* Watched descriptors on a real loop: a socketpair's ends made readable
 * and writable, callbacks counted, every handle closed at the end. */
#include "unit.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/fdwatch.h"

struct fixture {
  uv_loop_t loop;
  int sv[2];
  struct bd_fdwatch *w;
  struct bd_fdwatch_list list;
  int calls;
  int events; /* of the last call */
  int status;
  uv_os_sock_t fd;
  int stop_after; /* the callback closes the watch at this call */
};

static int setup(void **state) {
  struct fixture *f = calloc(1, sizeof(*f));
  if (f == NULL || uv_loop_init(&f->loop) != 0 ||
      socketpair(AF_UNIX, SOCK_STREAM, 0, f->sv) != 0)
    return -1;
  f->stop_after = 1;
  f->list.loop = &f->loop;
  f->list.data = f;
  *state = f;
  return 0;
}

/* Every handle must be closed: the loop closes without UV_EBUSY. */
static int teardown(void **state) {
  struct fixture *f = *state;
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  close(f->sv[0]);
  close(f->sv[1]);
  free(f);
  return 0;
}

/* Counts, drains what is readable, and closes the watch when told. */
static void on_event(void *data, uv_os_sock_t fd, int status, int events) {
  struct fixture *f = data;
  char buf[16];

  f->calls++;
  f->events = events;
  f->status = status;
  f->fd = fd;
  if (events & UV_READABLE)
    assert_true(read(fd, buf, sizeof(buf)) > 0);
  if (f->calls == f->stop_after)
    bd_fdwatch_close(f->w);
}

static void test_readable(void **state) {
  struct fixture *f = *state;

  assert_int_equal(
      bd_fdwatch_start(&f->w, &f->loop, f->sv[0], UV_READABLE, on_event, f), 0);
  /* Nothing to read yet: the loop waits for nothing else. */
  assert_int_equal(uv_run(&f->loop, UV_RUN_NOWAIT), 1);
  assert_int_equal(f->calls, 0);
  assert_int_equal(write(f->sv[1], "x", 1), 1);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->calls, 1);
  assert_int_equal(f->events, UV_READABLE);
  assert_int_equal(f->status, 0);
  assert_int_equal(f->fd, f->sv[0]);
}

static void test_change_and_pause(void **state) {
  struct fixture *f = *state;

  assert_int_equal(
      bd_fdwatch_start(&f->w, &f->loop, f->sv[0], UV_READABLE, on_event, f), 0);
  /* Paused, readable data calls nobody, and the loop has nothing to do. */
  assert_int_equal(bd_fdwatch_change(f->w, 0), 0);
  assert_int_equal(write(f->sv[1], "x", 1), 1);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->calls, 0);
  /* A socket with room to write is writable at once. */
  assert_int_equal(bd_fdwatch_change(f->w, UV_WRITABLE), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->calls, 1);
  assert_int_equal(f->events, UV_WRITABLE);
}

static void test_unref(void **state) {
  struct fixture *f = *state;

  assert_int_equal(
      bd_fdwatch_start(&f->w, &f->loop, f->sv[0], UV_READABLE, on_event, f), 0);
  bd_fdwatch_ref(f->w, false);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  bd_fdwatch_ref(f->w, true);
  assert_int_equal(uv_run(&f->loop, UV_RUN_NOWAIT), 1);
  bd_fdwatch_close(f->w);
  assert_int_equal(f->calls, 0);
}

/* A descriptor closed right after its watch can be watched again at once:
 * c-ares and curl reuse numbers. Two watches of one descriptor cannot be,
 * and the refused one leaves nothing behind. */
static void test_reuse_and_exists(void **state) {
  struct fixture *f = *state;
  struct bd_fdwatch *other = NULL;

  assert_int_equal(
      bd_fdwatch_start(&f->w, &f->loop, f->sv[0], UV_WRITABLE, on_event, f), 0);
  assert_int_equal(
      bd_fdwatch_start(&other, &f->loop, f->sv[0], UV_READABLE, on_event, f),
      UV_EEXIST);
  bd_fdwatch_close(f->w);
  assert_int_equal(
      bd_fdwatch_start(&f->w, &f->loop, f->sv[0], UV_WRITABLE, on_event, f), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->calls, 1);
}

/* ---- lists ----------------------------------------------------------- */

/* As a library's socket callback does: stop at once from inside an
 * event, then the descriptor goes. */
static void on_list_event(void *data, uv_os_sock_t fd, int status, int events) {
  struct fixture *f = data;
  (void)status;
  f->calls++;
  f->events = events;
  assert_int_equal(bd_fdwatch_list_set(&f->list, fd, 0), 0);
  assert_null(f->list.head);
}

static void test_list(void **state) {
  struct fixture *f = *state;

  f->list.cb = on_list_event;
  /* Removing what is not watched is fine. */
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[0], 0), 0);
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[0], UV_READABLE), 0);
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[1], UV_READABLE), 0);
  assert_non_null(f->list.head);
  /* Changed, not made twice. */
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[0], UV_WRITABLE), 0);
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[1], 0), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->calls, 1);
  assert_int_equal(f->events, UV_WRITABLE);
}

static void test_list_unref_and_close(void **state) {
  struct fixture *f = *state;

  f->list.cb = on_list_event;
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[0], UV_READABLE), 0);
  bd_fdwatch_list_ref(&f->list, false);
  /* Made after the list was unreferenced: unreferenced too. */
  assert_int_equal(bd_fdwatch_list_set(&f->list, f->sv[1], UV_READABLE), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  bd_fdwatch_list_ref(&f->list, true);
  assert_int_equal(uv_run(&f->loop, UV_RUN_NOWAIT), 1);
  bd_fdwatch_list_close(&f->list);
  assert_null(f->list.head);
  assert_int_equal(f->calls, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_readable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_change_and_pause, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unref, setup, teardown),
      cmocka_unit_test_setup_teardown(test_reuse_and_exists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_unref_and_close, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
