/* Escaping of untrusted bytes for terminals and JSON. */
#include "unit.h"

#include <string.h>

#include "blogdom/text.h"

static void expect_escape(const char *in, size_t len, const char *want) {
  char out[256];
  size_t n = bd_text_escape(out, sizeof(out), in, len);
  assert_string_equal(out, want);
  assert_int_equal(n, strlen(want));
}

static void test_escape(void **state) {
  (void)state;
  expect_escape("and.dev", 7, "and.dev");
  expect_escape("a b", 3, "a\\x20b");
  expect_escape("a\\b", 3, "a\\\\b");
  expect_escape("\x1b[31mred", 8, "\\x1b[31mred");
  expect_escape("a\0b", 3, "a\\x00b");
  expect_escape("\x7f", 1, "\\x7f");
  /* Printable UTF-8 passes; C1 controls, bidi overrides and invalid
   * sequences do not. */
  expect_escape("b\xc3\xbc"
                "cher",
                7,
                "b\xc3\xbc"
                "cher");
  expect_escape("\xc2\x9b", 2, "\\xc2\\x9b");
  expect_escape("\xe2\x80\xae", 3, "\\xe2\\x80\\xae");
  expect_escape("\xff\xfe", 2, "\\xff\\xfe");
  expect_escape("\xc3", 1, "\\xc3");
  expect_escape("\xc0\xaf", 2, "\\xc0\\xaf");          /* overlong '/' */
  expect_escape("\xed\xa0\x80", 3, "\\xed\\xa0\\x80"); /* surrogate */
}

static void test_escape_never_overflows(void **state) {
  char out[8];
  size_t n;
  (void)state;
  memset(out, 'Z', sizeof(out));
  n = bd_text_escape(out, 6, "\x01\x02", 2);
  /* "\x01" takes 4 bytes; the second escape does not fit whole. */
  assert_int_equal(n, 4);
  assert_string_equal(out, "\\x01");
  assert_int_equal(out[6], 'Z');
  assert_int_equal(bd_text_escape(out, 1, "abc", 3), 0);
  assert_string_equal(out, "");
}

static void test_json(void **state) {
  char out[64];
  (void)state;
  bd_text_json(out, sizeof(out), "a\"b\\c\n", 6);
  assert_string_equal(out, "a\\\"b\\\\c\\u000a");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape),
      cmocka_unit_test(test_escape_never_overflows),
      cmocka_unit_test(test_json),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
