/* The table of WHOIS servers: its format, longest-suffix lookups, and the
 * table built in from data/whois-servers.txt. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blogdom/whoisdb.h"

static int parse(struct bd_whoisdb *db, const char *text, unsigned *bad) {
  return bd_whoisdb_parse(db, text, strlen(text), bad);
}

static void test_parse_and_lookup(void **state) {
  struct bd_whoisdb db;
  unsigned bad = 0;
  (void)state;
  assert_int_equal(parse(&db,
                         "# a comment\n"
                         "# date: 2026-05-02\n"
                         "\n"
                         "de whois.denic.de\n"
                         "  CO.UK.\t whois.example.uk  \r\n"
                         "uk whois.nic.uk\n"
                         "test 127.0.0.1:4343\n"
                         "de whois.second.de\n"
                         "v6 [::1]:4343",
                         &bad),
                   0);
  assert_string_equal(db.date, "2026-05-02");
  assert_string_equal(bd_whoisdb_lookup(&db, "example.de"), "whois.denic.de");
  assert_string_equal(bd_whoisdb_lookup(&db, "Example.DE."), "whois.denic.de");
  /* The longest suffix of whole labels wins. */
  assert_string_equal(bd_whoisdb_lookup(&db, "a.b.co.uk"), "whois.example.uk");
  assert_string_equal(bd_whoisdb_lookup(&db, "b.org.uk"), "whois.nic.uk");
  assert_null(bd_whoisdb_lookup(&db, "xco.uk.zz"));
  assert_null(bd_whoisdb_lookup(&db, "example.dee"));
  assert_null(bd_whoisdb_lookup(&db, ""));
  assert_string_equal(bd_whoisdb_lookup(&db, "x.test"), "127.0.0.1:4343");
  assert_string_equal(bd_whoisdb_lookup(&db, "x.v6"), "[::1]:4343");
  bd_whoisdb_free(&db);
  bd_whoisdb_free(&db);
}

static void test_malformed_lines(void **state) {
  static const char *const bad_tables[] = {
      "de whois.denic.de\nde\n", /* no server */
      "de whois.denic.de extra\n",
      "d_e whois.example\n",
      ".de whois.example\n",
  };
  (void)state;
  for (size_t i = 0; i < sizeof(bad_tables) / sizeof(bad_tables[0]); i++) {
    struct bd_whoisdb db;
    unsigned bad = 0;
    assert_int_equal(parse(&db, bad_tables[i], &bad), -1);
    assert_int_not_equal(bad, 0);
    assert_int_equal(db.nentries, 0);
  }
}

static void test_builtin_table(void **state) {
  struct bd_whoisdb db;
  (void)state;
  assert_int_equal(bd_whoisdb_builtin(&db), 0);
  /* The shipped data parses whole, dated, with a server for the TLDs
   * without RDAP that users ask about most. */
  assert_true(db.nentries > 1000);
  assert_string_equal(db.date, "2026-02-16");
  assert_string_equal(bd_whoisdb_lookup(&db, "example.de"), "whois.denic.de");
  assert_string_equal(bd_whoisdb_lookup(&db, "example.it"), "whois.nic.it");
  assert_string_equal(bd_whoisdb_lookup(&db, "example.jp"), "whois.jprs.jp");
  assert_string_equal(bd_whoisdb_lookup(&db, "example.io"), "whois.nic.io");
  /* A registry with no WHOIS server has no line. */
  assert_null(bd_whoisdb_lookup(&db, "example.gr"));
  bd_whoisdb_free(&db);
}

static void test_builtin_matches_its_file(void **state) {
  struct bd_whoisdb built;
  struct bd_whoisdb file;
  unsigned bad = 0;
  (void)state;
  assert_int_equal(bd_whoisdb_builtin(&built), 0);
  assert_int_equal(bd_whoisdb_load(&file, BD_WHOIS_DATA, &bad), 0);
  assert_int_equal(built.nentries, file.nentries);
  assert_string_equal(built.date, file.date);
  bd_whoisdb_free(&built);
  bd_whoisdb_free(&file);
}

static void test_load_errors(void **state) {
  struct bd_whoisdb db;
  unsigned bad = 0;
  char path[] = "/tmp/bd-whoisdb-XXXXXX";
  int fd;
  (void)state;
  assert_int_equal(bd_whoisdb_load(&db, "/nonexistent/whois.txt", &bad),
                   -ENOENT);
  fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, "ok whois.ok\nnot ok at all\n", 26), 26);
  close(fd);
  assert_int_equal(bd_whoisdb_load(&db, path, &bad), -EINVAL);
  assert_int_equal(bad, 2);
  unlink(path);
}

static void test_cache_path(void **state) {
  char buf[256];
  (void)state;
  assert_int_equal(bd_whoisdb_cache_path(buf, sizeof(buf), "/c", "/h"), 0);
  assert_string_equal(buf, "/c/blogdom/whois-servers.txt");
  assert_int_equal(bd_whoisdb_cache_path(buf, sizeof(buf), NULL, "/h"), 0);
  assert_string_equal(buf, "/h/.cache/blogdom/whois-servers.txt");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_and_lookup),
      cmocka_unit_test(test_malformed_lines),
      cmocka_unit_test(test_builtin_table),
      cmocka_unit_test(test_builtin_matches_its_file),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_cache_path),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
