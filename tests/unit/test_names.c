/* Name normalization and validation. */
#include "unit.h"

#include <string.h>

#include "blogdom/names.h"

struct name_case {
  const char *in;
  size_t len; /* 0: strlen(in) */
  enum bd_name_error err;
  const char *out;
};

static void check(const struct name_case *c) {
  char out[BD_NAME_MAX + 1];
  size_t out_len = 0;
  size_t len = c->len ? c->len : strlen(c->in);
  enum bd_name_error err = bd_name_normalize(c->in, len, out, &out_len);
  assert_int_equal(err, c->err);
  if (c->err == BD_NAME_OK) {
    assert_string_equal(out, c->out);
    assert_int_equal(out_len, strlen(c->out));
  }
}

static char *repeat(char *buf, char c, size_t n, const char *suffix) {
  memset(buf, c, n);
  strcpy(buf + n, suffix);
  return buf;
}

static void test_normalizes(void **state) {
  static const struct name_case cases[] = {
      {"and.dev", 0, BD_NAME_OK, "and.dev"},
      {"AND.Dev", 0, BD_NAME_OK, "and.dev"},
      {"and.dev.", 0, BD_NAME_OK, "and.dev"},
      {"x-y_z.dev", 0, BD_NAME_OK, "x-y_z.dev"},
      {"-lead.dev", 0, BD_NAME_OK, "-lead.dev"},
      {"dev", 0, BD_NAME_OK, "dev"},
      {"123.dev", 0, BD_NAME_OK, "123.dev"},
      /* IDNA2008, UTS #46 non-transitional: case folded, sharp s kept. */
      {"B\xc3\xbc"
       "cher.dev",
       0, BD_NAME_OK, "xn--bcher-kva.dev"},
      {"stra\xc3\x9f"
       "e.de",
       0, BD_NAME_OK, "xn--strae-oqa.de"},
      {"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.dev", 0, BD_NAME_OK,
       "xn--wgv71a119e.dev"},
      {"xn--bcher-kva.dev", 0, BD_NAME_OK, "xn--bcher-kva.dev"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check(&cases[i]);
}

static void test_rejects(void **state) {
  static const struct name_case cases[] = {
      {"", 0, BD_NAME_EMPTY, NULL},
      {".", 0, BD_NAME_EMPTY, NULL},
      {"a..dev", 0, BD_NAME_EMPTY_LABEL, NULL},
      {".a.dev", 0, BD_NAME_EMPTY_LABEL, NULL},
      {"a.dev..", 0, BD_NAME_EMPTY_LABEL, NULL},
      {"a b.dev", 0, BD_NAME_BAD_CHAR, NULL},
      {"a*.dev", 0, BD_NAME_BAD_CHAR, NULL},
      {"a\\.dev", 0, BD_NAME_BAD_CHAR, NULL},
      {"a\tb.dev", 0, BD_NAME_CONTROL, NULL},
      {"a\x1b[31m.dev", 0, BD_NAME_CONTROL, NULL},
      {"a\0b.dev", 7, BD_NAME_NUL, NULL},
      {"\xff.dev", 0, BD_NAME_NON_ASCII, NULL},
      {"caf\xc3.dev", 0, BD_NAME_NON_ASCII, NULL},
      {"bidi\xe2\x80\xae.dev", 0, BD_NAME_BAD_IDN, NULL},
      {"a\xc3\xa9\x01.dev", 0, BD_NAME_CONTROL, NULL},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check(&cases[i]);
}

/* labels of 63, 63, 63 and tail letters: 63*3 + 3 dots + tail. */
static void make_long_name(char *buf, size_t tail) {
  size_t n = 0;
  for (int i = 0; i < 3; i++) {
    memset(buf + n, 'a', 63);
    n += 63;
    buf[n++] = '.';
  }
  memset(buf + n, 'b', tail);
  buf[n + tail] = '\0';
}

static void test_sizes(void **state) {
  char buf[600];
  char out[BD_NAME_MAX + 1];
  size_t n;
  struct name_case c = {NULL, 0, BD_NAME_OK, NULL};
  (void)state;

  c.in = c.out = repeat(buf, 'a', 63, ".dev");
  check(&c);
  c.in = repeat(buf, 'a', 64, ".dev");
  c.err = BD_NAME_LABEL_TOO_LONG;
  check(&c);

  make_long_name(buf, 61);
  assert_int_equal(strlen(buf), 253);
  c.in = c.out = buf;
  c.err = BD_NAME_OK;
  check(&c);
  make_long_name(buf, 62);
  c.err = BD_NAME_TOO_LONG;
  check(&c);
  /* A trailing dot does not count against the limit. */
  make_long_name(buf, 61);
  strcat(buf, ".");
  assert_int_equal(bd_name_normalize(buf, 254, out, &n), BD_NAME_OK);
  assert_int_equal(n, 253);
}

static void test_bad_bytes_win_over_sizes(void **state) {
  char buf[600];
  struct name_case c = {NULL, 0, BD_NAME_CONTROL, NULL};
  (void)state;
  repeat(buf, 'a', 300, "\x01.dev");
  c.in = buf;
  check(&c);
}

static void test_unicode_form(void **state) {
  char out[64];
  (void)state;
  bd_name_to_unicode("xn--bcher-kva.dev", out, sizeof(out));
  assert_string_equal(out, "b\xc3\xbc"
                           "cher.dev");
  bd_name_to_unicode("and.dev", out, sizeof(out));
  assert_string_equal(out, "and.dev");
  bd_name_to_unicode("xn--zz.dev", out, sizeof(out)); /* does not decode */
  assert_string_equal(out, "xn--zz.dev");
  /* Decodes, but to no valid U-label: shown as it is, never a guess. */
  bd_name_to_unicode("xn--ls8h.xn--bcher-kva.dev", out, sizeof(out));
  assert_string_equal(out, "xn--ls8h.b\xc3\xbc"
                           "cher.dev");
  /* Cut at cap, still terminated. */
  bd_name_to_unicode("xn--bcher-kva.dev", out, 4);
  assert_int_equal(strlen(out), 3);
}

struct host_case {
  const char *name; /* normalized ASCII */
  enum bd_name_error err;
};

/* The label that would be registered is the one under the public suffix;
 * only that one must be a host name label. */
static void test_host_rules(void **state) {
  static const struct host_case cases[] = {
      {"and.dev", BD_NAME_OK},
      {"123.dev", BD_NAME_OK}, /* digits only: RFC 1123 2.1 */
      {"a.dev", BD_NAME_OK},
      {"x-y.dev", BD_NAME_OK},
      {"a-b-c.dev", BD_NAME_OK},
      {"xn--bcher-kva.dev", BD_NAME_OK},
      {"xn--strae-oqa.de", BD_NAME_OK},
      {"xn--wgv71a119e.dev", BD_NAME_OK},
      {"example.co.uk", BD_NAME_OK},
      {"_dmarc.example.com", BD_NAME_OK}, /* below the registrable label */
      {"_dmarc.example.co.uk", BD_NAME_OK},
      {"x-.y_.example.com", BD_NAME_OK},
      {"co.uk", BD_NAME_OK}, /* a public suffix: nothing to register */
      {"dev", BD_NAME_OK},
      {"a_b.dev", BD_NAME_HOST_CHAR},
      {"_x.dev", BD_NAME_HOST_CHAR},
      {"ex_ample.co.uk", BD_NAME_HOST_CHAR},
      {"-.dev", BD_NAME_HOST_HYPHEN},
      {"-abc.dev", BD_NAME_HOST_HYPHEN},
      {"abc-.dev", BD_NAME_HOST_HYPHEN},
      {"www.-abc.co.uk", BD_NAME_HOST_HYPHEN},
      {"ab--cd.dev", BD_NAME_HOST_RESERVED},
      {"zz--.dev", BD_NAME_HOST_HYPHEN},
      {"xn--zzzz.dev", BD_NAME_HOST_ALABEL}, /* does not decode */
      {"xn--.dev", BD_NAME_HOST_HYPHEN},
      {"xn--a.dev", BD_NAME_HOST_ALABEL},    /* decodes to nothing */
      {"xn--ls8h.dev", BD_NAME_HOST_ALABEL}, /* an emoji: not IDNA2008 */
      {"xn--bcher-kva1.dev", BD_NAME_HOST_ALABEL},
  };
  char label63[80];
  char label64[80];
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct host_case *c = &cases[i];
    enum bd_name_error err = bd_name_check_host(c->name, strlen(c->name));
    if (err != c->err)
      fail_msg("%s: got %d, want %d", c->name, err, c->err);
    assert_true(bd_name_is_host_error(c->err) == (c->err != BD_NAME_OK));
  }
  repeat(label63, 'a', 63, ".dev");
  assert_int_equal(bd_name_check_host(label63, strlen(label63)), BD_NAME_OK);
  repeat(label64, 'a', 62, "-.dev");
  assert_int_equal(bd_name_check_host(label64, strlen(label64)),
                   BD_NAME_HOST_HYPHEN);
}

/* UTS #46 maps three more full stops to '.': they make a dotted name. */
/* What a registry holds: the label under the public suffix, with it. */
static void test_registrable_domain(void **state) {
  static const struct {
    const char *name;
    const char *registrable; /* NULL: a public suffix itself */
  } cases[] = {
      {"hold.dev", "hold.dev"},
      {"www.hold.dev", "hold.dev"},
      {"a.b.hold.dev", "hold.dev"},
      {"example.co.uk", "example.co.uk"},
      {"www.example.co.uk", "example.co.uk"},
      {"co.uk", NULL},
      {"dev", NULL},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const char *got = bd_name_registrable(cases[i].name);
    if (cases[i].registrable == NULL)
      assert_null(got);
    else
      assert_string_equal(got, cases[i].registrable);
  }
}

static void test_wide_dots(void **state) {
  char out[BD_NAME_MAX + 1];
  size_t n;
  static const char *const wide[] = {"b\xc3\xbc"
                                     "cher\xe3\x80\x82"
                                     "dev",
                                     "b\xc3\xbc"
                                     "cher\xef\xbc\x8e"
                                     "dev",
                                     "b\xc3\xbc"
                                     "cher\xef\xbd\xa1"
                                     "dev"};
  (void)state;
  for (size_t i = 0; i < 3; i++) {
    assert_true(bd_name_has_dot(wide[i], strlen(wide[i])));
    assert_int_equal(bd_name_normalize(wide[i], strlen(wide[i]), out, &n),
                     BD_NAME_OK);
    assert_string_equal(out, "xn--bcher-kva.dev");
  }
  /* A lone lead byte of one is not a dot. */
  assert_false(bd_name_has_dot("ab\xe3\x80", 4));
}

static void test_has_dot(void **state) {
  (void)state;
  assert_false(bd_name_has_dot("and", 3));
  assert_true(bd_name_has_dot("and.dev", 7));
  assert_true(bd_name_has_dot("and.", 4));
  assert_string_equal(bd_name_strerror(BD_NAME_LABEL_TOO_LONG),
                      "label longer than 63 characters");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_normalizes),
      cmocka_unit_test(test_rejects),
      cmocka_unit_test(test_sizes),
      cmocka_unit_test(test_bad_bytes_win_over_sizes),
      cmocka_unit_test(test_unicode_form),
      cmocka_unit_test(test_host_rules),
      cmocka_unit_test(test_registrable_domain),
      cmocka_unit_test(test_wide_dots),
      cmocka_unit_test(test_has_dot),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
