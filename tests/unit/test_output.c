/* Line formats, filters, input-order hold-back, and stdout as a stream:
 * water marks, a reader that pauses, an interrupt that does not wait. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/facts.h"
#include "blogdom/format.h"
#include "blogdom/output.h"
#include "blogdom/rdapdomain.h"

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

/* A name's facts on a JSON line, in one order whatever step kept them,
 * each string escaped for JSON alone; the marks show none of them. */
static void test_json_facts(void **state) {
  struct bd_verdict found = verdict(BD_FOUND, BD_REASON_ON_HOLD, 3);
  struct bd_rdapdomain d;
  struct bd_facts *f = NULL;
  struct bd_result r;
  char line[BD_LINE_CAP];
  size_t n;
  (void)state;

  memset(&d, 0, sizeof(d));
  d.nstatus = 2;
  strcpy(d.status[0], "client hold");
  strcpy(d.status[1], "a\"b");
  strcpy(d.expires, "2027-01-02T03:04:05Z");
  d.status_truncated = true;
  assert_non_null(bd_facts_at(&f));
  assert_int_equal(bd_facts_add_record(f, 16, 60, "\"x\"", 3), 0);
  assert_int_equal(bd_facts_set_registrable(f, "hold.dev"), 0);
  assert_int_equal(bd_facts_set_registry(f, &d), 0);
  assert_int_equal(bd_facts_add_sale(f, BD_FORSALE_FTXT, "\\\n", 2), 0);
  r = result("www.hold.dev", &found);
  r.qtype = 16;
  r.facts = f;
  n = bd_format_line(BD_FORMAT_JSON, line, sizeof(line), &r);
  line[n] = '\0';
  assert_non_null(
      strstr(line, "\"type\":\"TXT\",\"records\":[{\"type\":\"TXT\",\"ttl\":60,"
                   "\"data\":\"\\\"x\\\"\"}],\"registrable\":\"hold.dev\","
                   "\"rdap_status\":[\"client hold\",\"a\\\"b\"],"
                   "\"expires\":\"2027-01-02T03:04:05Z\","
                   "\"rdap_status_truncated\":true,"
                   "\"for_sale\":[{\"ftxt\":\"\\\\\\u000a\"}],\"tries\":1,"));
  assert_true(bd_format_shows_facts(BD_FORMAT_JSON));
  assert_false(bd_format_shows_facts(BD_FORMAT_MARKS));
  n = bd_format_line(BD_FORMAT_MARKS, line, sizeof(line), &r);
  line[n] = '\0';
  assert_string_equal(line, "+ www.hold.dev\n");

  /* A line too small for its facts goes out without them, saying so. */
  n = bd_format_json(line, 300, &r);
  line[n] = '\0';
  assert_true(n > 0);
  assert_null(strstr(line, "records"));
  assert_non_null(strstr(line, ",\"fields_dropped\":true,"));
  bd_facts_free(f);
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

/* Any other failure keeps its own errno, for run.c to report: a full disk
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

static void test_water_marks(void **state) {
  /* Levels in turn, and whether each ends a full spell, and full after. */
  static const struct {
    size_t level;
    bool woke;
    bool full;
  } steps[] = {
      {0, false, false},  {100, false, false}, {101, false, true},
      {500, false, true}, {100, false, true},  {26, false, true},
      {25, true, false},  {0, false, false},   {100, false, false},
      {200, false, true}, {10, true, false},
  };
  struct bd_water w = {100, 25, false};
  (void)state;
  for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
    assert_int_equal(bd_water_level(&w, steps[i].level), steps[i].woke);
    assert_int_equal(w.full, steps[i].full);
  }
}

/* ---- stdout as a stream ---------------------------------------------- */

struct rig {
  uv_loop_t loop;
  int fds[2]; /* a pipe: blogdom's stdout, and its reader */
  struct bd_output *out;
  int wakes;
  char *got; /* what the reader has read */
  size_t got_len;
  size_t got_cap;
};

static void on_wake(void *data) {
  struct rig *rig = data;
  rig->wakes++;
}

static void rig_open(struct rig *rig, bool input_order) {
  struct bd_output_config cfg = {0};
  memset(rig, 0, sizeof(*rig));
  assert_int_equal(uv_loop_init(&rig->loop), 0);
  assert_int_equal(pipe(rig->fds), 0);
  assert_int_equal(fcntl(rig->fds[0], F_SETFL, O_NONBLOCK), 0);
  cfg.fd = rig->fds[1];
  cfg.only = BD_ONLY_ALL;
  cfg.input_order = input_order;
  cfg.reorder_cap = 8;
  cfg.loop = &rig->loop;
  cfg.on_wake = on_wake;
  cfg.data = rig;
  rig->out = bd_output_new(&cfg);
  assert_non_null(rig->out);
  /* The stream made the descriptor non-blocking. */
  assert_true(fcntl(rig->fds[1], F_GETFL) & O_NONBLOCK);
}

/* Reads what the pipe holds now; returns the bytes read. */
static size_t rig_read(struct rig *rig, size_t most) {
  size_t total = 0;
  while (total < most) {
    ssize_t n;
    if (rig->got_cap - rig->got_len < 4096) {
      rig->got_cap = rig->got_cap * 2 + 65536;
      rig->got = realloc(rig->got, rig->got_cap);
      assert_non_null(rig->got);
    }
    n = read(rig->fds[0], rig->got + rig->got_len,
             most - total < 4096 ? most - total : 4096);
    if (n <= 0)
      break;
    rig->got_len += (size_t)n;
    total += (size_t)n;
  }
  return total;
}

/* Closes the output and checks that the descriptor's flags are back and
 * that nothing is left on the loop. */
static void rig_close(struct rig *rig) {
  bd_output_close(rig->out);
  uv_run(&rig->loop, UV_RUN_DEFAULT);
  assert_false(fcntl(rig->fds[1], F_GETFL) & O_NONBLOCK);
  bd_output_free(rig->out);
  assert_int_equal(uv_loop_close(&rig->loop), 0);
  if (rig->fds[0] >= 0)
    close(rig->fds[0]);
  close(rig->fds[1]);
  free(rig->got);
}

/* Line i: "+ n0000042-padding-padding-padding-padding.dev\n". */
static size_t line_of(char *buf, size_t cap, unsigned i) {
  return (size_t)snprintf(buf, cap, "+ n%07u-%s.dev\n", i,
                          "padding-padding-padding-padding");
}

static int emit_nth(struct bd_output *out, unsigned i, uint64_t seq) {
  static struct bd_verdict v;
  char name[128];
  struct bd_result r;
  size_t n = line_of(name, sizeof(name), i);
  name[n - 1] = '\0';
  v = verdict(BD_FOUND, BD_REASON_ANSWER, 0);
  r = result(name + 2, &v);
  r.seq = seq;
  return bd_output_emit(out, &r);
}

/* Lines 0..n-1 in a row, from line first. */
static void expect_lines(const char *got, size_t len, unsigned first,
                         unsigned n) {
  char want[128];
  size_t off = 0;
  for (unsigned i = first; i < first + n; i++) {
    size_t m = line_of(want, sizeof(want), i);
    assert_true(off + m <= len);
    assert_memory_equal(got + off, want, m);
    off += m;
  }
  assert_int_equal(off, len);
}

/* Emits lines, flushing every 100 as the engine's batches do, until the
 * output says it is full. Returns how many. */
static unsigned emit_until_full(struct bd_output *out) {
  unsigned n = 0;
  while (bd_output_has_room(out, n)) {
    assert_int_equal(emit_nth(out, n, n), 0);
    n++;
    if (n % 100 == 0)
      assert_int_equal(bd_output_flush(out), 0);
    assert_true(n < 100000);
  }
  return n;
}

/* A reader that does not read: the output fills past its high-water mark
 * without ever blocking, still takes the lines of names in flight, and
 * once the reader reads, drains, says so once, and has lost nothing. */
static void test_stream_backpressure(void **state) {
  struct rig rig;
  unsigned n;
  (void)state;
  rig_open(&rig, false);
  n = emit_until_full(rig.out);
  assert_true(bd_output_queued(rig.out) > BD_OUTPUT_HIGH_WATER);
  /* Lines of names already in flight are queued past the mark. */
  for (unsigned i = 0; i < 1000; i++)
    assert_int_equal(emit_nth(rig.out, n + i, n + i), 0);
  n += 1000;
  assert_int_equal(bd_output_flush(rig.out), 0);
  assert_false(bd_output_has_room(rig.out, n));
  uv_run(&rig.loop, UV_RUN_NOWAIT);
  assert_int_equal(rig.wakes, 0);
  /* The reader reads; the loop writes. */
  while (bd_output_queued(rig.out) > 0) {
    rig_read(&rig, SIZE_MAX);
    uv_run(&rig.loop, UV_RUN_ONCE);
  }
  rig_read(&rig, SIZE_MAX);
  assert_int_equal(rig.wakes, 1);
  assert_true(bd_output_has_room(rig.out, n));
  expect_lines(rig.got, rig.got_len, 0, n);
  assert_int_equal(bd_output_dropped(rig.out), 0);
  rig_close(&rig);
}

/* An interrupt while the reader does not read: it returns at once, writes
 * what the pipe takes, in order, and counts every line that did not go
 * out whole. */
static void test_stream_interrupt_does_not_wait(void **state) {
  struct rig rig;
  unsigned n;
  unsigned whole = 0;
  size_t end = 0;
  (void)state;
  rig_open(&rig, false);
  n = emit_until_full(rig.out);
  /* Room for a few lines, not for the queue. */
  rig_read(&rig, 10000);
  bd_output_interrupt(rig.out);
  /* A line that comes later in the same turn is counted too. */
  assert_int_equal(emit_nth(rig.out, n, n), 0);
  assert_int_equal(bd_output_flush(rig.out), 0);
  assert_int_equal(bd_output_error(rig.out), 0);
  rig_read(&rig, SIZE_MAX);
  for (size_t i = 0; i < rig.got_len; i++)
    if (rig.got[i] == '\n') {
      whole++;
      end = i + 1;
    }
  /* The lines that went out are the first ones, whole; only the stream's
   * own write, before the interrupt, may have cut the one after them. */
  expect_lines(rig.got, end, 0, whole);
  assert_true(bd_output_dropped(rig.out) > 0);
  assert_int_equal(whole + bd_output_dropped(rig.out), n + 1);
  rig_close(&rig);
}

/* In input order, the held lines go out at an interrupt, with gaps; a
 * line that comes after them is dropped, not written out of order. */
static void test_stream_interrupt_releases_held_lines(void **state) {
  struct rig rig;
  char want[256];
  size_t len = 0;
  (void)state;
  rig_open(&rig, true);
  assert_int_equal(emit_nth(rig.out, 1, 1), 0);
  assert_int_equal(emit_nth(rig.out, 3, 3), 0);
  assert_int_equal(emit_nth(rig.out, 4, 4), 0);
  assert_int_equal(bd_output_flush(rig.out), 0);
  bd_output_interrupt(rig.out);
  assert_int_equal(emit_nth(rig.out, 0, 0), 0);
  rig_read(&rig, SIZE_MAX);
  len += line_of(want + len, sizeof(want) - len, 1);
  len += line_of(want + len, sizeof(want) - len, 3);
  len += line_of(want + len, sizeof(want) - len, 4);
  assert_int_equal(rig.got_len, len);
  assert_memory_equal(rig.got, want, len);
  assert_int_equal(bd_output_dropped(rig.out), 1);
  rig_close(&rig);
}

/* A reader that goes away while lines are queued: the loop's write fails,
 * the owner is woken to stop the run, and every later emit says EPIPE. */
static void test_stream_reader_gone(void **state) {
  struct rig rig;
  unsigned n;
  (void)state;
  rig_open(&rig, false);
  n = emit_until_full(rig.out);
  close(rig.fds[0]);
  rig.fds[0] = -1;
  uv_run(&rig.loop, UV_RUN_ONCE);
  assert_int_equal(bd_output_error(rig.out), -EPIPE);
  assert_int_equal(rig.wakes, 1);
  assert_int_equal(emit_nth(rig.out, n, n), -EPIPE);
  assert_int_equal(bd_output_flush(rig.out), -EPIPE);
  uv_run(&rig.loop, UV_RUN_DEFAULT); /* every request called back */
  rig_close(&rig);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_marks),
      cmocka_unit_test(test_json),
      cmocka_unit_test(test_json_facts),
      cmocka_unit_test(test_arrival_and_input_order),
      cmocka_unit_test(test_only_filters_but_keeps_order),
      cmocka_unit_test(test_interrupt_releases_held_lines),
      cmocka_unit_test(test_room_is_bounded),
      cmocka_unit_test(test_broken_pipe),
      cmocka_unit_test(test_write_errors),
      cmocka_unit_test(test_write_error_from_emit),
      cmocka_unit_test(test_water_marks),
      cmocka_unit_test(test_stream_backpressure),
      cmocka_unit_test(test_stream_interrupt_does_not_wait),
      cmocka_unit_test(test_stream_interrupt_releases_held_lines),
      cmocka_unit_test(test_stream_reader_gone),
  };
  signal(SIGPIPE, SIG_IGN);
  return cmocka_run_group_tests(tests, NULL, NULL);
}
