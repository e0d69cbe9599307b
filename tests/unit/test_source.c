/* The name source and the line reader under it. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blogdom/linereader.h"
#include "blogdom/source.h"

static char *const dev[] = {"dev"};
static char *const dev_com[] = {"dev", "com"};

/* Collects every item as "name" or "!name" (invalid), comma-separated. */
static void drain(struct bd_source *src, char *out, size_t cap) {
  struct bd_item item;
  out[0] = '\0';
  while (bd_source_next(src, &item) == BD_SOURCE_ITEM) {
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%s%s%.*s", n ? "," : "", item.error ? "!" : "",
             (int)item.len, item.text);
  }
}

static void test_builtin_default_is_the_books_18(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  char out[4096];
  (void)state;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  cfg.max_len = 4;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_int_equal(bd_source_total(src), 18);
  drain(src, out, sizeof(out));
  assert_string_equal(out, "none.dev,true.dev,and.dev,as.dev,def.dev,del.dev,"
                           "elif.dev,else.dev,for.dev,from.dev,if.dev,in.dev,"
                           "is.dev,not.dev,or.dev,pass.dev,try.dev,with.dev");
  bd_source_close(src);
  cfg.max_len = 0;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_int_equal(bd_source_total(src), 35);
  bd_source_close(src);
}

static void test_labels_cross_tlds_dotted_names_do_not(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  char *const names[] = {"Foo", "bar.ORG.", "a..b", "x y"};
  char out[4096];
  (void)state;
  cfg.names = names;
  cfg.nnames = 4;
  cfg.tlds = dev_com;
  cfg.ntlds = 2;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_int_equal(bd_source_total(src), 6);
  drain(src, out, sizeof(out));
  assert_string_equal(out, "foo.dev,foo.com,bar.org,!a..b,!x y.dev,!x y.com");
  bd_source_close(src);
}

static char *write_temp(const char *text, size_t len) {
  static char path[64];
  int fd;
  strcpy(path, "/tmp/bd-source-XXXXXX");
  fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, text, len), (ssize_t)len);
  close(fd);
  return path;
}

static void test_file_lines(void **state) {
  static const char text[] = "# comment\n\n  and  \r\nfor.dev\n\tis\nlast";
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  char *files[1];
  char out[4096];
  (void)state;
  files[0] = write_temp(text, sizeof(text) - 1);
  cfg.files = files;
  cfg.nfiles = 1;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_int_equal(bd_source_total(src), -1);
  drain(src, out, sizeof(out));
  assert_string_equal(out, "and.dev,for.dev,is.dev,last.dev");
  bd_source_close(src);
  unlink(files[0]);
}

static void test_missing_file_fails_at_open(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src = NULL;
  char *files[] = {"/nonexistent/names.txt"};
  (void)state;
  cfg.files = files;
  cfg.nfiles = 1;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), -1);
}

static void test_overlong_and_binary_lines(void **state) {
  size_t big = 3 * 64 * 1024;
  char *text = malloc(big + 64);
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  struct bd_item item;
  char *files[1];
  size_t n = 0;
  (void)state;
  memcpy(text, "a\0b\n", 4);
  n = 4;
  memset(text + n, 'x', big);
  n += big;
  memcpy(text + n, "\nok\n", 4);
  n += 4;
  files[0] = write_temp(text, n);
  free(text);
  cfg.files = files;
  cfg.nfiles = 1;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_int_equal(bd_source_next(src, &item), BD_SOURCE_ITEM);
  assert_int_equal(item.error, BD_NAME_NUL);
  assert_memory_equal(item.text, "a\0b.dev", 7);
  assert_int_equal(bd_source_next(src, &item), BD_SOURCE_ITEM);
  assert_int_equal(item.error, BD_NAME_TOO_LONG);
  assert_true(item.truncated);
  assert_int_equal(bd_source_next(src, &item), BD_SOURCE_ITEM);
  assert_int_equal(item.error, BD_NAME_OK);
  assert_string_equal(item.text, "ok.dev");
  assert_int_equal(bd_source_next(src, &item), BD_SOURCE_END);
  bd_source_close(src);
  unlink(files[0]);
}

static void test_pipe_never_blocks(void **state) {
  int fds[2];
  struct bd_linereader *lr;
  struct bd_line line;
  (void)state;
  assert_int_equal(pipe(fds), 0);
  lr = bd_linereader_new(fds[0]);
  assert_int_equal(bd_linereader_next(lr, &line), BD_LINE_AGAIN);
  assert_int_equal(write(fds[1], "one\ntw", 6), 6);
  assert_int_equal(bd_linereader_next(lr, &line), BD_LINE_OK);
  assert_int_equal(line.len, 3);
  assert_memory_equal(line.data, "one", 3);
  assert_int_equal(bd_linereader_next(lr, &line), BD_LINE_AGAIN);
  assert_int_equal(write(fds[1], "o\n", 2), 2);
  assert_int_equal(bd_linereader_next(lr, &line), BD_LINE_OK);
  assert_memory_equal(line.data, "two", 3);
  close(fds[1]);
  assert_int_equal(bd_linereader_next(lr, &line), BD_LINE_EOF);
  bd_linereader_free(lr);
  close(fds[0]);
}

static void test_shard_splits_the_input(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  char all[4096] = " ";
  size_t total = 0;
  (void)state;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  cfg.max_len = 4;
  for (uint32_t k = 0; k < 3; k++) {
    struct bd_item item;
    cfg.shard.index = k;
    cfg.shard.count = 3;
    assert_int_equal(bd_source_open(&src, &cfg), 0);
    while (bd_source_next(src, &item) == BD_SOURCE_ITEM) {
      char token[sizeof(item.text) + 3];
      snprintf(token, sizeof(token), " %s ", item.text);
      assert_null(strstr(all, token));
      strcat(all, token + 1);
      total++;
    }
    bd_source_close(src);
  }
  assert_int_equal(total, 18);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builtin_default_is_the_books_18),
      cmocka_unit_test(test_labels_cross_tlds_dotted_names_do_not),
      cmocka_unit_test(test_file_lines),
      cmocka_unit_test(test_missing_file_fails_at_open),
      cmocka_unit_test(test_overlong_and_binary_lines),
      cmocka_unit_test(test_pipe_never_blocks),
      cmocka_unit_test(test_shard_splits_the_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
