/* The option table: parsing, and the man page documenting every option. */
#include "unit.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blogdom/cli.h"
#include "blogdom/output.h"

static enum bd_cli_status parse(struct bd_config *cfg, char **argv) {
  int argc = 0;
  while (argv[argc] != NULL)
    argc++;
  return bd_cli_parse(argc, argv, cfg);
}

static void test_defaults(void **state) {
  struct bd_config cfg;
  char *argv[] = {"blogdom", NULL};
  (void)state;
  assert_int_equal(parse(&cfg, argv), BD_CLI_RUN);
  assert_int_equal(cfg.ntlds, 1);
  assert_string_equal(cfg.tlds[0], "dev");
  assert_int_equal(cfg.max_len, 4);
  assert_int_equal(cfg.timeout_ms, BD_DEFAULT_TIMEOUT_MS);
  assert_int_equal(cfg.tries, BD_DEFAULT_TRIES);
  assert_int_equal(cfg.qtype, 1);
  assert_int_equal(cfg.only, BD_ONLY_ALL);
  assert_int_equal(cfg.servers.count, 0);
  bd_config_free(&cfg);
}

static void test_options(void **state) {
  struct bd_config cfg;
  char *argv[] = {"blogdom",    "-t",    ".COM",
                  "--tld=dev",  "-s",    "127.0.0.1:5300,[::1]:5300",
                  "--type",     "aaaa",  "--only=found,error",
                  "--order",    "input", "--shard",
                  "1/3",        "-c",    "50",
                  "--rate=100", "and",   "x.org",
                  NULL};
  (void)state;
  assert_int_equal(parse(&cfg, argv), BD_CLI_RUN);
  assert_int_equal(cfg.ntlds, 2);
  assert_string_equal(cfg.tlds[0], "com");
  assert_int_equal(cfg.servers.count, 2);
  assert_int_equal(cfg.qtype, 28);
  assert_int_equal(cfg.only, BD_ONLY_FOUND | BD_ONLY_ERROR);
  assert_true(cfg.input_order);
  assert_int_equal(cfg.shard.index, 1);
  assert_int_equal(cfg.concurrency, 50);
  assert_int_equal(cfg.rate, 100);
  assert_int_equal(cfg.nnames, 2);
  assert_string_equal(cfg.names[1], "x.org");
  bd_config_free(&cfg);
}

static void test_usage_errors(void **state) {
  static char *bad[][4] = {
      {"blogdom", "--bogus", NULL},
      {"blogdom", "-s", "nope", NULL},
      {"blogdom", "--tries", "0", NULL},
      {"blogdom", "--type", "XYZ", NULL},
      {"blogdom", "--only", "all", NULL},
      {"blogdom", "-t", "a b", NULL},
      {"blogdom", "--order", "x", NULL},
      {"blogdom", "-c", "-1", NULL},
      {"blogdom", "--timeout", NULL},
      {"blogdom", "--shard", "2/2", NULL},
      {"blogdom", "--json=yes", NULL},
      {"blogdom", "--stats=", NULL},
      {"blogdom", "-c", NULL},
      {"blogdom", "--no", NULL},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct bd_config cfg;
    assert_int_equal(parse(&cfg, bad[i]), BD_CLI_USAGE);
    bd_config_free(&cfg);
  }
}

static void test_stdin_kinds(void **state) {
  int fds[2];
  int null = open("/dev/null", O_RDONLY);
  FILE *file = tmpfile();
  (void)state;
  assert_int_equal(pipe(fds), 0);
  assert_true(bd_cli_stdin_has_names(fds[0]));
  close(fds[0]);
  close(fds[1]);
  assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  assert_true(bd_cli_stdin_has_names(fds[0]));
  close(fds[0]);
  close(fds[1]);
  assert_non_null(file);
  assert_true(bd_cli_stdin_has_names(fileno(file)));
  fclose(file);
  assert_true(null >= 0);
  assert_false(bd_cli_stdin_has_names(null));
  close(null);
  assert_false(bd_cli_stdin_has_names(null)); /* closed */
  assert_false(bd_cli_stdin_has_names(-1));
}

/* Parses argv with a pipe as stdin: the -f files must be just want (a
 * path), or none when want is NULL. */
static void expect_files_with_piped_stdin(char **argv, const char *want) {
  struct bd_config cfg;
  int fds[2];
  int saved = dup(STDIN_FILENO);
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  assert_int_equal(parse(&cfg, argv), BD_CLI_RUN);
  dup2(saved, STDIN_FILENO);
  close(saved);
  close(fds[0]);
  close(fds[1]);
  if (want == NULL) {
    assert_int_equal(cfg.nfiles, 0);
  } else {
    assert_int_equal(cfg.nfiles, 1);
    assert_string_equal(cfg.files[0], want);
  }
  bd_config_free(&cfg);
}

static void test_names_from_a_pipe(void **state) {
  char *bare[] = {"blogdom", "-s", "127.0.0.1", NULL};
  char *named[] = {"blogdom", "and", NULL};
  char *file[] = {"blogdom", "-f", "x.txt", NULL};
  (void)state;
  expect_files_with_piped_stdin(bare, "-");
  expect_files_with_piped_stdin(named, NULL);
  expect_files_with_piped_stdin(file, "x.txt");
}

struct doc_check {
  char *page;
  char *help;
  int missing;
};

static void check_documented(const struct bd_cli_option *o, void *data) {
  struct doc_check *d = data;
  const char *name = o->name;
  char needle[64];
  /* In roff, a hyphen in an option name is written "\-". */
  char roff[64];
  size_t n = 0;
  snprintf(needle, sizeof(needle), "--%s", name);
  for (const char *p = "\\-\\-"; *p; p++)
    roff[n++] = *p;
  for (const char *p = name; *p && n < sizeof(roff) - 3; p++) {
    if (*p == '-')
      roff[n++] = '\\';
    roff[n++] = *p;
  }
  roff[n] = '\0';
  if (strstr(d->page, roff) == NULL) {
    print_error("option %s is missing from docs/blogdom.1\n", needle);
    d->missing++;
  }
  if (strstr(d->help, needle) == NULL) {
    print_error("option %s is missing from --help\n", needle);
    d->missing++;
  }
}

static char *slurp(FILE *f) {
  size_t cap = 1 << 20;
  char *buf = calloc(1, cap);
  size_t n = fread(buf, 1, cap - 1, f);
  buf[n] = '\0';
  return buf;
}

static void test_every_option_is_documented(void **state) {
  struct doc_check d = {0};
  FILE *page = fopen(BD_MAN_PAGE, "r");
  FILE *help = tmpfile();
  (void)state;
  assert_non_null(page);
  d.page = slurp(page);
  fclose(page);
  bd_cli_help(help);
  rewind(help);
  d.help = slurp(help);
  fclose(help);
  bd_cli_each_option(check_documented, &d);
  assert_int_equal(d.missing, 0);
  free(d.page);
  free(d.help);
}

/* Every word an option offers (the completions' fixed sets) is one the
 * parser takes, and only options with an argument have words or files. */
static void check_words(const struct bd_cli_option *o, void *data) {
  int *words = data;
  if (o->kind == BD_CLI_ARG_NONE) {
    assert_null(o->arg);
    assert_null(o->word);
    return;
  }
  assert_non_null(o->arg);
  if (o->kind != BD_CLI_ARG_WORD)
    return;
  assert_non_null(o->word);
  assert_non_null(o->word(0));
  for (size_t i = 0; o->word(i) != NULL; i++) {
    char opt[64];
    char *argv[] = {"blogdom", opt, NULL};
    struct bd_config cfg;
    snprintf(opt, sizeof(opt), "--%s=%s", o->name, o->word(i));
    assert_int_equal(parse(&cfg, argv), BD_CLI_RUN);
    bd_config_free(&cfg);
    (*words)++;
  }
}

static void test_option_words_parse(void **state) {
  int words = 0;
  (void)state;
  bd_cli_each_option(check_words, &words);
  assert_true(words >= 3 + 2 + 10); /* --only, --order, --type */
}

static void check_letters(const struct bd_cli_option *o, void *data) {
  char *seen = data;
  if (o->letter == 0)
    return;
  assert_null(strchr(seen, o->letter));
  seen[strlen(seen)] = o->letter;
}

static void test_option_letters_are_distinct(void **state) {
  char seen[128] = {0};
  (void)state;
  bd_cli_each_option(check_letters, seen);
  assert_non_null(strchr(seen, 'f'));
  assert_non_null(strchr(seen, 'V'));
}

/* --version names blogdom's version, then each library as name/version. */
static void test_version(void **state) {
  static const char *const libs[] = {"libuv/", "c-ares/", "libidn2/", "libpsl/",
                                     "jansson/"};
  FILE *f = tmpfile();
  char *text;
  char *second;
  (void)state;
  assert_non_null(f);
  bd_cli_version(f);
  rewind(f);
  text = slurp(f);
  fclose(f);
  assert_true(strncmp(text, "blogdom " BD_VERSION "\n",
                      strlen("blogdom " BD_VERSION "\n")) == 0);
  second = strchr(text, '\n') + 1;
  for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
    char *at = strstr(second, libs[i]);
    assert_non_null(at);
    /* a version follows: a digit */
    assert_true(at[strlen(libs[i])] >= '0' && at[strlen(libs[i])] <= '9');
  }
  assert_non_null(strchr(second, '\n'));
  assert_string_equal(strchr(second, '\n'), "\n"); /* two lines */
  /* one word a library, each NAME/VERSION, as curl -V lists them */
  for (char *w = strtok(second, " \n"); w != NULL; w = strtok(NULL, " \n")) {
    char *slash = strchr(w, '/');
    assert_non_null(slash);
    assert_true(slash > w && slash[1] >= '0' && slash[1] <= '9');
  }
  free(text);
}

/* True when the number occurs in text as a whole number. */
static bool has_number(const char *text, const char *num, size_t len) {
  for (const char *p = text; (p = strstr(p, num)) != NULL; p++) {
    bool starts = p == text || p[-1] < '0' || p[-1] > '9';
    bool ends = p[len] < '0' || p[len] > '9';
    if (starts && ends)
      return true;
  }
  return false;
}

/* Every status the man page's EXIT STATUS lists (the ".B 0" and
 * ".BR 130 ", " 143" tags) is in --help's "Exit status:" paragraph. */
static void test_help_lists_every_exit_status(void **state) {
  FILE *page = fopen(BD_MAN_PAGE, "r");
  FILE *help = tmpfile();
  char *man;
  char *text;
  char *section;
  char *end;
  const char *statuses;
  int found = 0;
  (void)state;
  assert_non_null(page);
  man = slurp(page);
  fclose(page);
  bd_cli_help(help);
  rewind(help);
  text = slurp(help);
  fclose(help);
  statuses = strstr(text, "Exit status:");
  assert_non_null(statuses);
  section = strstr(man, ".SH EXIT STATUS\n");
  assert_non_null(section);
  end = strstr(section + 1, "\n.SH ");
  if (end != NULL)
    *end = '\0';
  for (char *line = strstr(section, "\n.TP\n"); line != NULL;
       line = strstr(line + 1, "\n.TP\n")) {
    char *tag = line + 5;
    size_t taglen = strcspn(tag, "\n");
    for (size_t i = 0; i < taglen;) {
      size_t len = strspn(tag + i, "0123456789");
      if (len > 0) {
        char num[8] = {0};
        memcpy(num, tag + i, len < 7 ? len : 7);
        if (!has_number(statuses, num, strlen(num)))
          print_error("exit status %s is missing from --help\n", num);
        assert_true(has_number(statuses, num, strlen(num)));
        found++;
        i += len;
      } else {
        i++;
      }
    }
  }
  assert_true(found >= 6); /* 0 1 2 130 143 141 */
  free(man);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults),
      cmocka_unit_test(test_options),
      cmocka_unit_test(test_usage_errors),
      cmocka_unit_test(test_every_option_is_documented),
      cmocka_unit_test(test_option_words_parse),
      cmocka_unit_test(test_option_letters_are_distinct),
      cmocka_unit_test(test_version),
      cmocka_unit_test(test_stdin_kinds),
      cmocka_unit_test(test_names_from_a_pipe),
      cmocka_unit_test(test_help_lists_every_exit_status),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
