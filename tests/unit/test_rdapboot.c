/* The RDAP bootstrap registry: dns.json parsing, longest-suffix lookups,
 * the built-in table and the disk cache. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blogdom/rdapboot.h"

static int parse(struct bd_rdapboot *b, const char *json) {
  return bd_rdapboot_parse(b, json, strlen(json));
}

static void test_parse_valid(void **state) {
  struct bd_rdapboot b;
  (void)state;
  assert_int_equal(
      parse(&b, "{\"version\": \"1.0\", \"publication\": "
                "\"2024-01-01T00:00:00Z\", \"description\": \"x\", "
                "\"services\": ["
                "[[\"com\", \"NET\"], [\"https://rdap.verisign.com/com/v1/\"]],"
                "[[\"org\"], [\"https://rdap.example.org/rdap\"]],"
                "[[\"xyz.\"], [\"http://rdap.example.xyz/\"]]"
                "]}"),
      0);
  assert_string_equal(bd_rdapboot_lookup(&b, "example.com"),
                      "https://rdap.verisign.com/com/v1/");
  /* Suffixes and names compare without case; a trailing dot is dropped. */
  assert_string_equal(bd_rdapboot_lookup(&b, "Example.Net."),
                      "https://rdap.verisign.com/com/v1/");
  assert_string_equal(bd_rdapboot_lookup(&b, "a.b.example.xyz"),
                      "http://rdap.example.xyz/");
  /* A trailing slash is added to a base URL without one. */
  assert_string_equal(bd_rdapboot_lookup(&b, "x.org"),
                      "https://rdap.example.org/rdap/");
  assert_string_equal(bd_rdapboot_lookup(&b, "org"),
                      "https://rdap.example.org/rdap/");
  bd_rdapboot_free(&b);
  bd_rdapboot_free(&b); /* freeing leaves it empty: twice is fine */
}

static void test_parse_prefers_https(void **state) {
  struct bd_rdapboot b;
  (void)state;
  assert_int_equal(parse(&b,
                         "{\"services\": ["
                         "[[\"a\"], [\"http://plain.a/\", \"https://tls.a/\"]],"
                         "[[\"b\"], [\"ftp://x.b/\", \"http://plain.b\"]],"
                         "[[\"c\"], [\"https://one.c/\", \"https://two.c/\"]],"
                         "[[\"d\"], [\"ftp://only.d/\"]],"
                         "[[\"e\"], []]"
                         "]}"),
                   0);
  assert_string_equal(bd_rdapboot_lookup(&b, "x.a"), "https://tls.a/");
  assert_string_equal(bd_rdapboot_lookup(&b, "x.b"), "http://plain.b/");
  assert_string_equal(bd_rdapboot_lookup(&b, "x.c"), "https://one.c/");
  /* No http(s) server: as if the TLD were not listed. */
  assert_null(bd_rdapboot_lookup(&b, "x.d"));
  assert_null(bd_rdapboot_lookup(&b, "x.e"));
  bd_rdapboot_free(&b);
}

/* Every http(s) URL of a service is kept for when one cannot be
 * reached: the https ones first, each kind in the order given. */
static void test_every_url_of_a_service(void **state) {
  struct bd_rdapboot b;
  const char *const *urls = NULL;
  (void)state;
  assert_int_equal(parse(&b,
                         "{\"services\": ["
                         "[[\"a\", \"b\"], [\"http://1.a/\", \"ftp://2.a/\","
                         "\"https://3.a\", \"http://4.a/\", \"https://5.a/\"]],"
                         "[[\"c\"], [\"https://only.c/\"]]"
                         "]}"),
                   0);
  assert_int_equal(bd_rdapboot_lookup_all(&b, "x.b", &urls), 4);
  assert_string_equal(urls[0], "https://3.a/");
  assert_string_equal(urls[1], "https://5.a/");
  assert_string_equal(urls[2], "http://1.a/");
  assert_string_equal(urls[3], "http://4.a/");
  assert_int_equal(bd_rdapboot_lookup_all(&b, "x.c", &urls), 1);
  assert_string_equal(urls[0], "https://only.c/");
  assert_int_equal(bd_rdapboot_lookup_all(&b, "x.zz", &urls), 0);
  bd_rdapboot_free(&b);
}

static void test_longest_suffix(void **state) {
  struct bd_rdapboot b;
  (void)state;
  assert_int_equal(parse(&b, "{\"services\": ["
                             "[[\"uk\"], [\"https://tld.uk/\"]],"
                             "[[\"co.uk\"], [\"https://sld.uk/\"]],"
                             "[[\"example.co.uk\"], [\"https://exact.uk/\"]],"
                             "[[\"uk\"], [\"https://second.uk/\"]]"
                             "]}"),
                   0);
  assert_string_equal(bd_rdapboot_lookup(&b, "foo.uk"), "https://tld.uk/");
  assert_string_equal(bd_rdapboot_lookup(&b, "foo.co.uk"), "https://sld.uk/");
  assert_string_equal(bd_rdapboot_lookup(&b, "a.example.co.uk"),
                      "https://exact.uk/");
  assert_string_equal(bd_rdapboot_lookup(&b, "example.co.uk"),
                      "https://exact.uk/");
  /* Labels match whole: "xco.uk" is under uk, not co.uk. */
  assert_string_equal(bd_rdapboot_lookup(&b, "xco.uk"), "https://tld.uk/");
  assert_string_equal(bd_rdapboot_lookup(&b, "co.uk"), "https://sld.uk/");
  /* A suffix listed twice keeps its first service. */
  assert_int_equal(b.nentries, 3);
  bd_rdapboot_free(&b);
}

static void test_unknown(void **state) {
  struct bd_rdapboot b;
  struct bd_rdapboot empty = {0};
  (void)state;
  assert_int_equal(parse(&b, "{\"services\": [[[\"com\"], [\"https://c/\"]]]}"),
                   0);
  assert_null(bd_rdapboot_lookup(&b, "example.zz"));
  assert_null(bd_rdapboot_lookup(&b, "com.zz"));
  assert_null(bd_rdapboot_lookup(&b, "xcom"));
  assert_null(bd_rdapboot_lookup(&b, ""));
  assert_null(bd_rdapboot_lookup(&b, "."));
  assert_null(bd_rdapboot_lookup(&empty, "example.com"));
  bd_rdapboot_free(&b);
  /* No services at all is a valid, empty registry. */
  assert_int_equal(parse(&b, "{\"services\": []}"), 0);
  assert_null(bd_rdapboot_lookup(&b, "example.com"));
  bd_rdapboot_free(&b);
}

static void test_malformed(void **state) {
  static const char *bad[] = {
      "",
      "not json",
      "[]",
      "{}",
      "{\"services\": {}}",
      "{\"services\": [[\"com\", \"https://c/\"]]}",
      "{\"services\": [[[\"com\"]]]}",
      "{\"services\": [[[\"com\"], [42]]]}",
      "{\"services\": [[[7], [\"https://c/\"]]]}",
      "{\"services\": [[[\"com\"], [\"https://c/\"]], 3]}",
      "{\"services\": [[[\"com\"], [\"https://c/\"]]]",
  };
  struct bd_rdapboot b;
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    if (parse(&b, bad[i]) != -1)
      fail_msg("accepted: %s", bad[i]);
    assert_int_equal(b.nentries, 0);
    assert_null(bd_rdapboot_lookup(&b, "example.com"));
    bd_rdapboot_free(&b);
  }
  /* The length is the caller's: a valid text cut short is malformed. */
  assert_int_equal(bd_rdapboot_parse(&b, "{\"services\": []}", 5), -1);
}

static void test_builtin(void **state) {
  static const struct {
    const char *name;
    const char *url;
  } cases[] = {
      {"example.com", "https://rdap.verisign.com/com/v1/"},
      {"example.net", "https://rdap.verisign.com/net/v1/"},
      {"example.org", "https://rdap.publicinterestregistry.org/rdap/"},
      {"example.io", "https://rdap.identitydigital.services/rdap/"},
      {"example.dev", "https://pubapi.registry.google/rdap/"},
      {"example.app", "https://pubapi.registry.google/rdap/"},
      {"EXAMPLE.PAGE.", "https://pubapi.registry.google/rdap/"},
      {"example.xyz", NULL},
      {"example.de", NULL},
      {"comm", NULL},
  };
  struct bd_rdapboot b;
  (void)state;
  assert_int_equal(bd_rdapboot_builtin(&b), 0);
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *got = bd_rdapboot_lookup(&b, cases[i].name);
    if (cases[i].url == NULL)
      assert_null(got);
    else
      assert_string_equal(got, cases[i].url);
  }
  bd_rdapboot_free(&b);
}

static void test_cache_path(void **state) {
  char buf[256];
  (void)state;
  assert_int_equal(
      bd_rdapboot_cache_path(buf, sizeof(buf), "/x/cache", "/home/u"), 0);
  assert_string_equal(buf, "/x/cache/blogdom/rdap-dns.json");
  assert_int_equal(bd_rdapboot_cache_path(buf, sizeof(buf), NULL, "/home/u"),
                   0);
  assert_string_equal(buf, "/home/u/.cache/blogdom/rdap-dns.json");
  /* Empty or relative XDG_CACHE_HOME is ignored (XDG Base Directory). */
  assert_int_equal(bd_rdapboot_cache_path(buf, sizeof(buf), "", "/h"), 0);
  assert_string_equal(buf, "/h/.cache/blogdom/rdap-dns.json");
  assert_int_equal(bd_rdapboot_cache_path(buf, sizeof(buf), "rel", "/h"), 0);
  assert_string_equal(buf, "/h/.cache/blogdom/rdap-dns.json");
  assert_int_equal(bd_rdapboot_cache_path(buf, sizeof(buf), NULL, NULL), -1);
  assert_int_equal(bd_rdapboot_cache_path(buf, sizeof(buf), "", ""), -1);
  assert_int_equal(bd_rdapboot_cache_path(buf, 10, "/x", NULL), -1);
}

static void test_cache_roundtrip(void **state) {
  char dir[] = "/tmp/test_rdapboot.XXXXXX";
  char path[256];
  char sub[256];
  char *data = NULL;
  size_t len = 0;
  struct stat st;
  time_t now = time(NULL);
  const char *json = "{\"services\": []}";
  (void)state;

  assert_non_null(mkdtemp(dir));
  snprintf(sub, sizeof(sub), "%s/cache", dir);
  assert_int_equal(bd_rdapboot_cache_path(path, sizeof(path), sub, NULL), 0);
  assert_int_equal(bd_rdapboot_cache_load(path, now, &data, &len), 1);

  /* Directories are made, 0700; the expiry is the file's mtime. */
  assert_int_equal(
      bd_rdapboot_cache_store(path, json, strlen(json), now + 3600), 0);
  snprintf(sub, sizeof(sub), "%s/cache/blogdom", dir);
  assert_int_equal(stat(sub, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0700);
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mtime, now + 3600);
  assert_int_equal(bd_rdapboot_cache_load(path, now, &data, &len), 0);
  assert_int_equal(len, strlen(json));
  assert_string_equal(data, json);
  free(data);
  assert_int_equal(bd_rdapboot_cache_load(path, now + 3600, &data, &len), 1);

  /* Replaced whole; an expired copy is stale. */
  assert_int_equal(bd_rdapboot_cache_store(path, "{}", 2, now - 1), 0);
  assert_int_equal(bd_rdapboot_cache_load(path, now, &data, &len), 1);
  assert_int_equal(bd_rdapboot_read_file(path, &data, &len), 0);
  assert_string_equal(data, "{}");
  free(data);

  assert_int_equal(bd_rdapboot_read_file("/nonexistent/x", &data, &len),
                   -ENOENT);
  unlink(path);
  rmdir(sub);
  snprintf(sub, sizeof(sub), "%s/cache", dir);
  rmdir(sub);
  rmdir(dir);
}

static void test_max_age(void **state) {
  static const struct {
    const char *header;
    long max_age;
  } cases[] = {
      {"", -1},
      {"max-age=3600", 3600},
      {"public, max-age=86400", 86400},
      {"Max-Age = 60 , public", 60},
      {"max-age=\"120\"", 120},
      {"s-maxage=5, max-age=7", 7},
      {"max-age=", -1},
      {"max-age=abc", -1},
      {"max-age=12x", -1},
      {"private", -1},
      {"max-age=99999999999999999999", 7L * 24 * 60 * 60},
      {"no-store", 0},
      {"max-age=600, no-cache", 0},
      {"no-cache=\"set-cookie\", max-age=5", 0},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    long got = bd_rdapboot_max_age(cases[i].header);
    if (got != cases[i].max_age)
      fail_msg("\"%s\": %ld, expected %ld", cases[i].header, got,
               cases[i].max_age);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_valid),
      cmocka_unit_test(test_parse_prefers_https),
      cmocka_unit_test(test_every_url_of_a_service),
      cmocka_unit_test(test_longest_suffix),
      cmocka_unit_test(test_unknown),
      cmocka_unit_test(test_malformed),
      cmocka_unit_test(test_builtin),
      cmocka_unit_test(test_cache_path),
      cmocka_unit_test(test_cache_roundtrip),
      cmocka_unit_test(test_max_age),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
