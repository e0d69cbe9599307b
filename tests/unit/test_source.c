/* The name source and the line reader under it. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

/* The next failure must be path, failed with err. */
static void assert_failure(struct bd_source *src, const char *path, int err,
                           bool opening) {
  struct bd_source_failure f;
  assert_true(bd_source_next_failure(src, &f));
  assert_string_equal(f.path, path);
  assert_int_equal(f.err, err);
  assert_int_equal(f.opening, opening);
}

/* Files that cannot be read at all are failures as soon as the source is
 * open, before anything is read: the caller can stop before any query. */
static void test_missing_file_fails_at_open(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src = NULL;
  char dir[] = "/tmp/bd-source-dir-XXXXXX";
  char *files[3];
  struct bd_source_failure f;
  char out[4096];
  (void)state;
  assert_non_null(mkdtemp(dir));
  files[0] = "/nonexistent/names.txt";
  files[1] = write_temp("and\n", 4);
  files[2] = dir;
  cfg.files = files;
  cfg.nfiles = 3;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_failure(src, "/nonexistent/names.txt", -ENOENT, true);
  assert_failure(src, dir, -EISDIR, false);
  assert_false(bd_source_next_failure(src, &f));
  /* Read anyway, the others still give their names, failing no more. */
  drain(src, out, sizeof(out));
  assert_string_equal(out, "and.dev");
  assert_false(bd_source_next_failure(src, &f));
  bd_source_close(src);
  unlink(files[1]);
  rmdir(dir);
}

/* /proc/self/mem opens, then read(2) fails (EIO at address 0): the files
 * around it give all their names, and the failure names the file. */
static void test_read_error_in_the_middle_loses_no_other_file(void **state) {
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  struct bd_source_failure f;
  char *files[3];
  char out[4096];
  (void)state;
  files[0] = strdup(write_temp("and\nnone\n", 9));
  files[1] = "/proc/self/mem";
  files[2] = write_temp("with\nelif", 9);
  cfg.files = files;
  cfg.nfiles = 3;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  assert_false(bd_source_next_failure(src, &f));
  drain(src, out, sizeof(out));
  assert_string_equal(out, "and.dev,none.dev,with.dev,elif.dev");
  assert_failure(src, "/proc/self/mem", -EIO, false);
  assert_false(bd_source_next_failure(src, &f));
  bd_source_close(src);
  unlink(files[0]);
  unlink(files[2]);
  free(files[0]);
}

/* Standard input fails mid-way: it reads, through /proc/self/mem, the end
 * of a mapped page whose next page lies past the end of the file behind
 * it, so the first read(2) gets the bytes up to there and the second
 * fails with EIO. (That page stays mapped, unlike one unmapped, so no
 * allocation can land in it meanwhile.) The whole line before the error
 * is a name; the line the error cut is dropped. */
static void test_read_error_on_stdin_drops_the_cut_line(void **state) {
  static const char text[] = "and\nnon";
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  struct bd_source_config cfg = {0};
  struct bd_source *src;
  struct bd_source_failure f;
  struct bd_source_failure g;
  bool failed;
  bool more;
  char *files[] = {"-"};
  char out[4096];
  char backing[] = "/tmp/bd-source-mem-XXXXXX";
  char *mem;
  int fd;
  int saved;
  (void)state;
  fd = mkstemp(backing);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, (off_t)page), 0);
  mem = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  unlink(backing);
  assert_true(mem != MAP_FAILED);
  memcpy(mem + page - (sizeof(text) - 1), text, sizeof(text) - 1);
  fd = open("/proc/self/mem", O_RDONLY);
  assert_true(fd >= 0);
  assert_true(lseek(fd, (off_t)(uintptr_t)(mem + page - (sizeof(text) - 1)),
                    SEEK_SET) != (off_t)-1);
  saved = dup(STDIN_FILENO);
  assert_true(saved >= 0);
  assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
  close(fd);
  cfg.files = files;
  cfg.nfiles = 1;
  cfg.tlds = dev;
  cfg.ntlds = 1;
  assert_int_equal(bd_source_open(&src, &cfg), 0);
  drain(src, out, sizeof(out));
  failed = bd_source_next_failure(src, &f);
  more = bd_source_next_failure(src, &g);
  bd_source_close(src);
  assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
  close(saved);
  munmap(mem, 2 * page);
  assert_string_equal(out, "and.dev");
  assert_true(failed);
  assert_string_equal(f.path, "-");
  assert_int_equal(f.err, -EIO);
  assert_false(f.opening);
  assert_false(more);
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
      cmocka_unit_test(test_read_error_in_the_middle_loses_no_other_file),
      cmocka_unit_test(test_read_error_on_stdin_drops_the_cut_line),
      cmocka_unit_test(test_overlong_and_binary_lines),
      cmocka_unit_test(test_pipe_never_blocks),
      cmocka_unit_test(test_shard_splits_the_input),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
