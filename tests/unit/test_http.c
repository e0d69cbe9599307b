/* HTTP helpers: header lines, Retry-After, Cache-Control's max-age, URL
 * origins and URLs built from path segments, transfer errors. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/curlapi.h"
#include "blogdom/http.h"

/* libcurl's date and URL parsers do the hard parts. */
static int load_curl(void **state) {
  const char *why = NULL;
  (void)state;
  if (bd_curl_load(&why) != 0) {
    fprintf(stderr, "libcurl: %s\n", why);
    return -1;
  }
  return 0;
}

static bool value_of(const char *line, const char *name, char *out,
                     size_t size) {
  return bd_http_header_value(line, strlen(line), name, out, size);
}

static void test_header_lines(void **state) {
  char v[8];
  (void)state;
  assert_true(bd_http_is_status_line("HTTP/1.1 429 Too Many\r\n", 23));
  assert_true(bd_http_is_status_line("HTTP/2 200\r\n", 12));
  assert_false(bd_http_is_status_line("HTTP/", 5));
  assert_false(bd_http_is_status_line("Retry-After: 5\r\n", 16));

  assert_true(value_of("Retry-After: 120\r\n", "Retry-After", v, sizeof(v)));
  assert_string_equal(v, "120");
  /* Field names compare without case; whitespace and CRLF are trimmed. */
  assert_true(value_of("retry-after:\t 7 \r\n", "Retry-After", v, sizeof(v)));
  assert_string_equal(v, "7");
  assert_true(value_of("Retry-After:\r\n", "Retry-After", v, sizeof(v)));
  assert_string_equal(v, "");
  /* Cut to fit. */
  assert_true(
      value_of("Retry-After: 123456789\r\n", "Retry-After", v, sizeof(v)));
  assert_string_equal(v, "1234567");
  /* No whitespace before the colon (RFC 9112 5.1); other names. */
  assert_false(value_of("Retry-After : 5\r\n", "Retry-After", v, sizeof(v)));
  assert_false(value_of("Retry-AfterX: 5\r\n", "Retry-After", v, sizeof(v)));
  assert_false(value_of("Retry-After", "Retry-After", v, sizeof(v)));
  assert_false(value_of("Age: 5\r\n", "Retry-After", v, sizeof(v)));
}

static void test_retry_after(void **state) {
  /* RFC 9110's example date, 784111777 seconds after the epoch. */
  const time_t now = 784111777 - 30;
  static const struct {
    const char *value;
    long secs;
  } cases[] = {
      {"120", 120},
      {"0", 0},
      {"99999999999999999999", BD_HTTP_DELTA_MAX},
      {"12x", -1},
      {"-5", -1},
      {"", -1},
      {"soon", -1},
      /* The three formats of an HTTP-date (RFC 9110 section 5.6.7). */
      {"Sun, 06 Nov 1994 08:49:37 GMT", 30},
      {"Sunday, 06-Nov-94 08:49:37 GMT", 30},
      {"Sun Nov  6 08:49:37 1994", 30},
      /* Gone by: at once. */
      {"Sun, 06 Nov 1994 08:00:00 GMT", 0},
  };
  (void)state;
  for (size_t i = 0; i < BD_ARRAY_SIZE(cases); i++) {
    long got = bd_http_retry_after(cases[i].value, now);
    if (got != cases[i].secs)
      fail_msg("\"%s\": %ld, expected %ld", cases[i].value, got, cases[i].secs);
  }
}

static void test_max_age(void **state) {
  static const struct {
    const char *value;
    long secs;
  } cases[] = {
      /* test_rdapboot's cases hold too; these are about the parsing. */
      {"max-age=0", 0},
      {"PUBLIC,MAX-AGE=42", 42},
      {"max-age=1, max-age=2", 2},
      {"max-age=\"7\"x", -1},
      {"max-age=-1", -1},
      {"max-age=99999999999999999999", BD_HTTP_DELTA_MAX},
      {"no-store, max-age=5", 0},
      /* A comma in a quoted string separates nothing. */
      {"private=\"a, max-age=5, b\"", -1},
      {"private=\"a, \\\", max-age=5\", max-age=9", 9},
  };
  (void)state;
  for (size_t i = 0; i < BD_ARRAY_SIZE(cases); i++) {
    long got = bd_http_max_age(cases[i].value);
    if (got != cases[i].secs)
      fail_msg("\"%s\": %ld, expected %ld", cases[i].value, got, cases[i].secs);
  }
}

static void test_origin(void **state) {
  static const struct {
    const char *url;
    int rc;
    const char *origin;
  } cases[] = {
      {"http://H.Example/rdap/", 0, "http://h.example:80"},
      {"HTTPS://h.example:8443", 0, "https://h.example:8443"},
      {"https://h.example:/x", 0, "https://h.example:443"},
      {"http://[::1]:8080/x/", 0, "http://[::1]:8080"},
      {"http://user:pass@h/", 0, "http://h:80"},
      {"http://h/a?b#c", 0, "http://h:80"},
      /* No host (RFC 9110 section 4.2.1), not http(s), not a URL. */
      {"http:///x", -EINVAL, NULL},
      {"http://", -EINVAL, NULL},
      {"https://?q", -EINVAL, NULL},
      {"ftp://h/", -EINVAL, NULL},
      {"h.example/x", -EINVAL, NULL},
      {"http://h:99999/", -EINVAL, NULL},
      {"http://h/ x", -EINVAL, NULL},
  };
  char buf[64];
  (void)state;
  for (size_t i = 0; i < BD_ARRAY_SIZE(cases); i++) {
    int rc = bd_http_origin(buf, sizeof(buf), cases[i].url);
    if (rc != cases[i].rc)
      fail_msg("\"%s\": %d, expected %d", cases[i].url, rc, cases[i].rc);
    if (rc == 0)
      assert_string_equal(buf, cases[i].origin);
  }
  assert_int_equal(bd_http_origin(buf, 19, "http://h.example/"), -ENAMETOOLONG);
  assert_int_equal(bd_http_origin(buf, 20, "http://h.example/"), 0);
}

static void test_url(void **state) {
  static const struct {
    const char *base;
    const char *name;
    const char *url;
  } cases[] = {
      {"http://127.0.0.1:9/", "gone.dev", "http://127.0.0.1:9/domain/gone.dev"},
      /* The base's path is a directory, with or without its slash. */
      {"https://h/rdap", "x.com", "https://h/rdap/domain/x.com"},
      {"https://h/rdap/", "x.com", "https://h/rdap/domain/x.com"},
      {"https://h", "x.com", "https://h/domain/x.com"},
      /* A query stays a query. */
      {"https://h/rdap/?key=1", "x.com", "https://h/rdap/domain/x.com?key=1"},
      /* Every byte but the unreserved ones is escaped: one segment. */
      {"http://h/", "a/b c%d", "http://h/domain/a%2Fb%20c%25d"},
      {"http://h/", "b\xc3\xbc.de", "http://h/domain/b%C3%BC.de"},
      {"http://h/", "A-z_0.9~", "http://h/domain/A-z_0.9~"},
      /* Dot-segments stay segments. */
      {"http://h/", "..", "http://h/domain/%2E%2E"},
      {"http://h/", ".", "http://h/domain/%2E"},
      {"http://h/", "", "http://h/domain/"},
  };
  char buf[128];
  (void)state;
  for (size_t i = 0; i < BD_ARRAY_SIZE(cases); i++) {
    const char *segs[] = {"domain", cases[i].name};
    int rc = bd_http_url(buf, sizeof(buf), cases[i].base, segs, 2);
    if (rc != 0)
      fail_msg("\"%s\" + \"%s\": %d", cases[i].base, cases[i].name, rc);
    assert_string_equal(buf, cases[i].url);
  }
  {
    const char *segs[] = {"domain", "x.com"};
    assert_int_equal(bd_http_url(buf, sizeof(buf), "ftp://h/", segs, 2),
                     -EINVAL);
    assert_int_equal(bd_http_url(buf, sizeof(buf), "http:///", segs, 2),
                     -EINVAL);
    /* "http://h/domain/x.com" and its NUL need 22 bytes. */
    assert_int_equal(bd_http_url(buf, 21, "http://h/", segs, 2), -ENAMETOOLONG);
    assert_int_equal(bd_http_url(buf, 22, "http://h/", segs, 2), 0);
    assert_string_equal(buf, "http://h/domain/x.com");
    assert_int_equal(bd_http_url(buf, 8, "http://h/", segs, 2), -ENAMETOOLONG);
  }
}

static void test_curl_errors(void **state) {
  bool retry;
  (void)state;
  assert_string_equal(bd_http_curl_error(CURLE_OPERATION_TIMEDOUT, &retry),
                      "timeout");
  assert_true(retry);
  assert_string_equal(bd_http_curl_error(CURLE_COULDNT_CONNECT, &retry),
                      "connection failed");
  assert_true(retry);
  assert_string_equal(bd_http_curl_error(CURLE_TOO_MANY_REDIRECTS, &retry),
                      "too many redirects");
  assert_false(retry);
  assert_string_equal(bd_http_curl_error(CURLE_UNSUPPORTED_PROTOCOL, &retry),
                      "redirect refused");
  assert_false(retry);
  /* Others are libcurl's words, and worth another try. */
  assert_non_null(bd_http_curl_error(CURLE_BAD_CONTENT_ENCODING, &retry));
  assert_true(retry);
}

/* A body kept as it comes: pieces appended in order, the buffer grown as
 * needed, a piece that would pass the cap refused whole. */
static void test_body(void **state) {
  struct bd_http_body b = {0};
  char piece[3000];
  (void)state;
  memset(piece, 'x', sizeof(piece));
  assert_int_equal(bd_http_body_append(&b, "{\"a\":", 5, 10000), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(bd_http_body_append(&b, piece, sizeof(piece), 10000), 0);
  assert_int_equal(b.len, 5 + 3 * sizeof(piece));
  assert_true(b.cap >= b.len);
  assert_memory_equal(b.data, "{\"a\":x", 6);
  assert_int_equal(b.data[b.len - 1], 'x');
  /* 9,005 + 3,000 would pass 10,000: refused, what was kept stays. */
  assert_int_equal(bd_http_body_append(&b, piece, sizeof(piece), 10000),
                   -EFBIG);
  assert_int_equal(b.len, 9005);
  assert_int_equal(bd_http_body_append(&b, piece, 995, 10000), 0);
  assert_int_equal(b.len, 10000);
  assert_int_equal(bd_http_body_append(&b, piece, 1, 10000), -EFBIG);
  bd_http_body_free(&b);
  assert_null(b.data);
  assert_int_equal(b.len, 0);
  bd_http_body_free(&b); /* twice: nothing to free */
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_lines), cmocka_unit_test(test_retry_after),
      cmocka_unit_test(test_max_age),      cmocka_unit_test(test_origin),
      cmocka_unit_test(test_url),          cmocka_unit_test(test_curl_errors),
      cmocka_unit_test(test_body),
  };
  return cmocka_run_group_tests(tests, load_curl, NULL);
}
