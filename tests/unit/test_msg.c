/* Diagnostics on stderr: a line waits for a full pipe rather than being
 * lost, as when stderr shares stdout's non-blocking description (2>&1). */
#include "unit.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blogdom/msg.h"

struct reader {
  int fd;
  char *got;
  size_t len;
};

/* Reads the pipe to its end, after giving the writer time to meet it
 * full. */
static void *read_later(void *arg) {
  struct reader *r = arg;
  size_t cap = 0;
  usleep(100 * 1000);
  for (;;) {
    ssize_t n;
    if (cap - r->len < 4096) {
      cap = cap * 2 + 65536;
      r->got = realloc(r->got, cap);
      if (r->got == NULL)
        return NULL;
    }
    n = read(r->fd, r->got + r->len, cap - r->len);
    if (n <= 0)
      return NULL;
    r->len += (size_t)n;
  }
}

static void test_a_full_pipe_is_waited_for(void **state) {
  static const char want[] = "blogdom: the summary\n";
  char block[4096];
  struct reader r = {0};
  pthread_t thread;
  int fds[2];
  int saved = dup(STDERR_FILENO);
  (void)state;

  assert_true(saved >= 0);
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
  memset(block, 'x', sizeof(block));
  /* Full to the last byte. */
  while (write(fds[1], block, sizeof(block)) > 0)
    ;
  while (write(fds[1], block, 1) > 0)
    ;
  assert_int_equal(dup2(fds[1], STDERR_FILENO), STDERR_FILENO);
  r.fd = fds[0];
  assert_int_equal(pthread_create(&thread, NULL, read_later, &r), 0);
  bd_errorf("the summary");
  /* The end of the pipe for the reader. */
  assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
  close(saved);
  close(fds[1]);
  assert_int_equal(pthread_join(thread, NULL), 0);
  close(fds[0]);
  assert_non_null(r.got);
  assert_true(r.len > strlen(want));
  assert_memory_equal(r.got + r.len - strlen(want), want, strlen(want));
  free(r.got);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_a_full_pipe_is_waited_for),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
