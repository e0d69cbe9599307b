/* Line formats, filters and input-order hold-back. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blogdom/output.h"

static struct bd_verdict verdict(enum bd_status s, enum bd_reason r,
                                 int rcode) {
  struct bd_verdict v;
  memset(&v, 0, sizeof(v));
  v.status = s;
  v.reason = r;
  v.rcode = rcode;
  return v;
}

static struct bd_result result(const char *name, const struct bd_verdict *v) {
  struct bd_result r;
  memset(&r, 0, sizeof(r));
  r.name = name;
  r.name_len = strlen(name);
  r.verdict = v;
  r.qtype = 1;
  r.tries = 1;
  return r;
}

static void expect_marks(const struct bd_result *r, const char *want) {
  char line[BD_LINE_CAP];
  size_t n = bd_format_marks(line, sizeof(line), r);
  line[n] = '\0';
  assert_string_equal(line, want);
}

static void test_marks(void **state) {
  struct bd_verdict found = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  struct bd_verdict free_ = verdict(BD_NOTFOUND, BD_REASON_NXDOMAIN, 3);
  struct bd_verdict err = verdict(BD_ERROR, BD_REASON_TIMEOUT, -1);
  struct bd_result r;
  (void)state;
  r = result("and.dev", &found);
  expect_marks(&r, "+ and.dev\n");
  r = result("none.dev", &free_);
  expect_marks(&r, "  none.dev\n");
  r = result("x.dev", &err);
  expect_marks(&r, "? x.dev\n");
  r = result("\x1b]0;pwned\x07 x", &err);
  expect_marks(&r, "? \\x1b]0;pwned\\x07\\x20x\n");
  r = result("abc", &err);
  r.truncated = true;
  expect_marks(&r, "? abc...\n");
}

static void test_json(void **state) {
  struct bd_verdict found = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  struct bd_verdict bad = verdict(BD_ERROR, BD_REASON_INVALID_NAME, -1);
  struct bd_result r;
  char line[BD_LINE_CAP];
  size_t n;
  (void)state;

  found.naddrs = 2;
  found.addrs[0].len = 4;
  memcpy(found.addrs[0].bytes, "\xc0\x00\x02\x01", 4);
  found.addrs[1].len = 16;
  memcpy(found.addrs[1].bytes, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01",
         16);
  r = result("and.dev", &found);
  r.ms = 1.5;
  r.server = "127.0.0.1:53";
  n = bd_format_json(line, sizeof(line), &r);
  line[n] = '\0';
  assert_string_equal(
      line, "{\"name\":\"and.dev\",\"status\":\"found\",\"reason\":\"answer\","
            "\"evidence\":\"dns:noerror\",\"rcode\":\"NOERROR\",\"type\":\"A\","
            "\"addresses\":"
            "[\"192.0.2.1\",\"2001:db8::1\"],\"tries\":1,\"ms\":1.500,"
            "\"server\":\"127.0.0.1:53\"}\n");

  r = result("a\"b\\c\x01", &bad);
  r.detail = "character not allowed in a domain name";
  r.tries = 0;
  r.qtype = 16;
  n = bd_format_json(line, sizeof(line), &r);
  line[n] = '\0';
  assert_string_equal(
      line, "{\"name\":\"a\\\"b\\\\\\\\c\\\\x01\",\"status\":\"error\","
            "\"reason\":\"invalid-name\",\"evidence\":\"input\","
            "\"detail\":\"character not allowed "
            "in a domain name\",\"rcode\":null,\"type\":\"TXT\","
            "\"tries\":0,\"ms\":0.000}\n");
}

/* Runs the output into a temporary file and returns what was written. */
static char *capture(const struct bd_output_config *base, const uint64_t *seqs,
                     size_t n, bool interrupt) {
  FILE *tmp = tmpfile();
  struct bd_output_config cfg = *base;
  struct bd_output *out;
  static struct bd_verdict v[3];
  char *text = calloc(1, 4096);
  static const char *names[] = {"a.dev", "b.dev", "c.dev",
                                "d.dev", "e.dev", "f.dev"};

  v[0] = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  v[1] = verdict(BD_NOTFOUND, BD_REASON_NXDOMAIN, 3);
  v[2] = verdict(BD_ERROR, BD_REASON_TIMEOUT, -1);
  cfg.fd = fileno(tmp);
  out = bd_output_new(&cfg);
  for (size_t i = 0; i < n; i++) {
    struct bd_result r = result(names[seqs[i]], &v[seqs[i] % 3]);
    r.seq = seqs[i];
    assert_int_equal(bd_output_emit(out, &r), 0);
  }
  if (interrupt)
    assert_int_equal(bd_output_release_held(out), 0);
  assert_int_equal(bd_output_flush(out), 0);
  bd_output_free(out);
  rewind(tmp);
  assert_true(fread(text, 1, 4095, tmp) < 4095);
  fclose(tmp);
  return text;
}

static void test_arrival_and_input_order(void **state) {
  struct bd_output_config cfg = {0};
  const uint64_t seqs[] = {2, 0, 1, 4, 3};
  char *text;
  (void)state;
  cfg.only = BD_ONLY_ALL;
  text = capture(&cfg, seqs, 5, false);
  assert_string_equal(text, "? c.dev\n+ a.dev\n  b.dev\n  e.dev\n+ d.dev\n");
  free(text);
  cfg.input_order = true;
  cfg.reorder_cap = 8;
  text = capture(&cfg, seqs, 5, false);
  assert_string_equal(text, "+ a.dev\n  b.dev\n? c.dev\n+ d.dev\n  e.dev\n");
  free(text);
}

static void test_only_filters_but_keeps_order(void **state) {
  struct bd_output_config cfg = {0};
  const uint64_t seqs[] = {2, 0, 1, 5, 3, 4};
  char *text;
  (void)state;
  cfg.only = BD_ONLY_FOUND | BD_ONLY_ERROR;
  cfg.input_order = true;
  cfg.reorder_cap = 8;
  text = capture(&cfg, seqs, 6, false);
  assert_string_equal(text, "+ a.dev\n? c.dev\n+ d.dev\n? f.dev\n");
  free(text);
}

static void test_interrupt_releases_held_lines(void **state) {
  struct bd_output_config cfg = {0};
  const uint64_t seqs[] = {1, 3, 4};
  char *text;
  (void)state;
  cfg.only = BD_ONLY_ALL;
  cfg.input_order = true;
  cfg.reorder_cap = 8;
  text = capture(&cfg, seqs, 3, true);
  assert_string_equal(text, "  b.dev\n+ d.dev\n  e.dev\n");
  free(text);
}

static void test_room_is_bounded(void **state) {
  struct bd_output_config cfg = {0};
  struct bd_output *out;
  (void)state;
  cfg.fd = -1;
  cfg.only = BD_ONLY_ALL;
  cfg.input_order = true;
  cfg.reorder_cap = 4;
  out = bd_output_new(&cfg);
  assert_true(bd_output_has_room(out, 3));
  assert_false(bd_output_has_room(out, 4));
  bd_output_free(out);
}

static void test_broken_pipe(void **state) {
  int fds[2];
  struct bd_output_config cfg = {0};
  struct bd_output *out;
  struct bd_verdict v = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  struct bd_result r = result("a.dev", &v);
  (void)state;
  assert_int_equal(pipe(fds), 0);
  close(fds[0]);
  cfg.fd = fds[1];
  cfg.only = BD_ONLY_ALL;
  out = bd_output_new(&cfg);
  assert_int_equal(bd_output_emit(out, &r), 0);
  assert_int_equal(bd_output_flush(out), -EPIPE);
  assert_int_equal(bd_output_error(out), -EPIPE);
  assert_int_equal(bd_output_emit(out, &r), -EPIPE);
  bd_output_free(out);
  close(fds[1]);
}

/* Any other failure keeps its own errno, for main.c to report: a full disk
 * (/dev/full), or stdout open for reading only (how main.c reopens a
 * closed stdout). */
static void expect_write_error(const char *path, int flags, int err) {
  struct bd_output_config cfg = {0};
  struct bd_output *out;
  struct bd_verdict v = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  struct bd_result r = result("a.dev", &v);
  int fd = open(path, flags);
  if (fd < 0) {
    print_message("%s: %s, not checked\n", path, strerror(errno));
    return;
  }
  cfg.fd = fd;
  cfg.only = BD_ONLY_ALL;
  out = bd_output_new(&cfg);
  assert_int_equal(bd_output_error(out), 0);
  assert_int_equal(bd_output_emit(out, &r), 0);
  assert_int_equal(bd_output_flush(out), -err);
  assert_int_equal(bd_output_error(out), -err);
  assert_int_equal(bd_output_emit(out, &r), -err);
  assert_int_equal(bd_output_flush(out), -err);
  bd_output_free(out);
  close(fd);
}

static void test_write_errors(void **state) {
  (void)state;
  expect_write_error("/dev/full", O_WRONLY, ENOSPC);
  expect_write_error("/dev/null", O_RDONLY, EBADF);
}

/* A full buffer is written from inside emit: its error comes back from
 * emit itself. */
static void test_write_error_from_emit(void **state) {
  struct bd_output_config cfg = {0};
  struct bd_output *out;
  struct bd_verdict v = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  struct bd_result r = result("a.dev", &v);
  int rc = 0;
  (void)state;
  cfg.fd = open("/dev/null", O_RDONLY);
  assert_true(cfg.fd >= 0);
  cfg.only = BD_ONLY_ALL;
  out = bd_output_new(&cfg);
  for (int i = 0; i < 100000 && rc == 0; i++)
    rc = bd_output_emit(out, &r);
  assert_int_equal(rc, -EBADF);
  assert_int_equal(bd_output_error(out), -EBADF);
  bd_output_free(out);
  close(cfg.fd);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_marks),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_arrival_and_input_order),
      cmocka_unit_test(test_only_filters_but_keeps_order),
      cmocka_unit_test(test_interrupt_releases_held_lines),
      cmocka_unit_test(test_room_is_bounded),
      cmocka_unit_test(test_broken_pipe),
      cmocka_unit_test(test_write_errors),
      cmocka_unit_test(test_write_error_from_emit),
  };
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
