/* WHOIS replies judged: every reply of tests/whois/, one file per format,
 * and the rules that keep a reply that is not clearly free from ever
 * reading as free. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/whoisreply.h"

#define MARK "=== "

static enum bd_whoisreply judge(const char *domain, const char *reply) {
  return bd_whoisreply_classify(bd_whoisreply_format(domain), reply,
                                strlen(reply));
}

static char *read_fixture(const char *format) {
  char path[4096];
  FILE *f;
  char *text;
  long size;

  snprintf(path, sizeof(path), "%s/%s.txt", BD_WHOIS_FIXTURES, format);
  f = fopen(path, "rb");
  assert_non_null(f);
  assert_int_equal(fseek(f, 0, SEEK_END), 0);
  size = ftell(f);
  assert_true(size > 0);
  rewind(f);
  text = malloc((size_t)size + 1);
  assert_non_null(text);
  assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
  text[size] = '\0';
  fclose(f);
  return text;
}

static enum bd_whoisreply kind_named(const char *word, size_t len) {
  for (int k = BD_WHOISREPLY_FREE; k <= BD_WHOISREPLY_UNRECOGNIZED; k++) {
    const char *name = bd_whoisreply_name((enum bd_whoisreply)k);
    if (strlen(name) == len && strncmp(name, word, len) == 0)
      return (enum bd_whoisreply)k;
  }
  fail_msg("unknown kind '%.*s'", (int)len, word);
  return BD_WHOISREPLY_UNRECOGNIZED;
}

/* Judges each reply of f's fixture; counts them by kind in seen. */
static void judge_fixture(const struct bd_whoisformat *f, unsigned seen[4]) {
  char *text = read_fixture(f->name);
  char *at = strstr(text, MARK);

  assert_non_null(at);
  while (at != NULL) {
    char *head = at + strlen(MARK);
    char *eol = strchr(head, '\n');
    char *space = strchr(head, ' ');
    char *next;
    char domain[256];
    enum bd_whoisreply want;

    assert_non_null(eol);
    assert_true(space != NULL && space < eol);
    want = kind_named(head, (size_t)(space - head));
    snprintf(domain, sizeof(domain), "%.*s", (int)(eol - space - 1), space + 1);
    next = strstr(eol, "\n" MARK);
    if (next != NULL)
      next[1] = '\0';
    if (bd_whoisreply_format(domain) != f)
      fail_msg("%s: %s is not of this format", f->name, domain);
    if (judge(domain, eol + 1) != want)
      fail_msg("%s: the reply for %s is %s, not %s", f->name, domain,
               bd_whoisreply_name(judge(domain, eol + 1)),
               bd_whoisreply_name(want));
    seen[want]++;
    at = next != NULL ? next + 1 : NULL;
    if (at != NULL)
      memcpy(at, MARK, strlen(MARK) - 1); /* next[1] was cut: mend it */
  }
  free(text);
}

static void test_every_format_has_its_replies(void **state) {
  const struct bd_whoisformat *f;
  (void)state;
  for (size_t i = 0; (f = bd_whoisreply_format_at(i)) != NULL; i++) {
    unsigned seen[4] = {0, 0, 0, 0};
    judge_fixture(f, seen);
    if (seen[BD_WHOISREPLY_FREE] == 0 || seen[BD_WHOISREPLY_REGISTERED] == 0 ||
        seen[BD_WHOISREPLY_LIMITED] == 0)
      fail_msg("%s: a free, a registered and a limited reply are needed",
               f->name);
  }
}

static void test_format_by_tld(void **state) {
  (void)state;
  assert_string_equal(bd_whoisreply_format("x.de")->name, "denic");
  assert_string_equal(bd_whoisreply_format("X.DE.")->name, "denic");
  assert_string_equal(bd_whoisreply_format("a.b.co.uk")->name, "nominet");
  assert_string_equal(bd_whoisreply_format("x.com.br")->name, "registrobr");
  assert_string_equal(bd_whoisreply_format("x.xn--p1ai")->name, "tcinet");
  /* A TLD no format names gets ICANN's. */
  assert_string_equal(bd_whoisreply_format("x.zz")->name, "icann");
  assert_string_equal(bd_whoisreply_format("zz")->name, "icann");
  assert_string_equal(bd_whoisreply_format("")->name, "icann");
  assert_non_null(bd_whoisreply_format_named("afnic"));
  assert_null(bd_whoisreply_format_named("nosuch"));
}

/* The trap of the peers that read a refusal as "free": a limit line wins
 * over any free line, in any format, wherever it comes. */
static void test_a_limit_is_never_free(void **state) {
  (void)state;
  assert_int_equal(judge("x.de", "Domain: x.de\nStatus: free\n"
                                 "Too many requests from your address\n"),
                   BD_WHOISREPLY_LIMITED);
  assert_int_equal(judge("x.com", "Rate limit exceeded\n"
                                  "No match for \"X.COM\".\n"),
                   BD_WHOISREPLY_LIMITED);
  assert_int_equal(judge("x.zz", "NOT FOUND\n% Query quota reached\n"),
                   BD_WHOISREPLY_LIMITED);
}

static void test_what_is_not_clear_is_unrecognized(void **state) {
  static const char garbage[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03";
  (void)state;
  assert_int_equal(judge("x.de", ""), BD_WHOISREPLY_UNRECOGNIZED);
  assert_int_equal(judge("x.de", "\n\r\n  \n"), BD_WHOISREPLY_UNRECOGNIZED);
  assert_int_equal(bd_whoisreply_classify(bd_whoisreply_format("x.de"), garbage,
                                          sizeof(garbage) - 1),
                   BD_WHOISREPLY_UNRECOGNIZED);
  /* Both a free and a registered line: no guess. */
  assert_int_equal(judge("x.de", "Status: free\nStatus: connect\n"),
                   BD_WHOISREPLY_UNRECOGNIZED);
  /* Another format's words mean nothing here. */
  assert_int_equal(judge("x.de", "No match for \"X.DE\".\n"),
                   BD_WHOISREPLY_UNRECOGNIZED);
  assert_int_equal(judge("x.it", "Status: free\n"), BD_WHOISREPLY_UNRECOGNIZED);
}

static void test_lines_are_compared_loosely(void **state) {
  (void)state;
  /* Case, blanks, CRLF and comment marks do not matter... */
  assert_int_equal(judge("x.de", "  STATUS:\t\t FREE \r\n"),
                   BD_WHOISREPLY_FREE);
  assert_int_equal(judge("x.fr", "%% No entries found in the AFNIC "
                                 "Database.\r\n"),
                   BD_WHOISREPLY_FREE);
  /* ...but anchors do: "NOT AVAILABLE" is not "AVAILABLE", and a status
   * that only starts like "free" is not free. */
  assert_int_equal(judge("x.be", "Status:\tNOT AVAILABLE\n"),
                   BD_WHOISREPLY_REGISTERED);
  assert_int_equal(judge("x.de", "Status: freeze\n"),
                   BD_WHOISREPLY_UNRECOGNIZED);
  /* A line with no newline at the end still counts. */
  assert_int_equal(judge("x.com", "No match for \"X.COM\"."),
                   BD_WHOISREPLY_FREE);
}

static void test_long_lines_are_judged_by_their_start(void **state) {
  char *reply = malloc(100000);
  (void)state;
  assert_non_null(reply);
  memset(reply, 'x', 99999);
  reply[99999] = '\0';
  memcpy(reply, "Status: free", 12);
  /* 12 bytes of a 100 kB line: the '$' of "^status: free$" is not met. */
  assert_int_equal(judge("x.de", reply), BD_WHOISREPLY_UNRECOGNIZED);
  memcpy(reply, "No match for \"", 14);
  assert_int_equal(judge("x.com", reply), BD_WHOISREPLY_FREE);
  free(reply);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_format_has_its_replies),
      cmocka_unit_test(test_format_by_tld),
      cmocka_unit_test(test_a_limit_is_never_free),
      cmocka_unit_test(test_what_is_not_clear_is_unrecognized),
      cmocka_unit_test(test_lines_are_compared_loosely),
      cmocka_unit_test(test_long_lines_are_judged_by_their_start),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
