/* RFC 10023 "_for-sale" records (forsaletxt.c), as TXT data, and a
 * response's records as a line's member (forsale.c's reader): a table of
 * valid, other and malformed records. */
#include "unit.h"

#include "factsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/facts.h"
#include "blogdom/forsale.h"
#include "blogdom/forsaletxt.h"

/* TXT data from one string (or two, split at '|'). */
static size_t txt(unsigned char *out, const char *text) {
  const char *bar = strchr(text, '|');
  size_t n = 0;
  if (bar != NULL) {
    out[n++] = (unsigned char)(bar - text);
    memcpy(out + n, text, (size_t)(bar - text));
    n += (size_t)(bar - text);
    text = bar + 1;
  }
  out[n++] = (unsigned char)strlen(text);
  memcpy(out + n, text, strlen(text));
  return n + strlen(text);
}

struct ok_case {
  const char *text;
  enum bd_forsale_tag tag;
  const char *value;
};

static const struct ok_case ok[] = {
    {"v=FORSALE1;ftxt=Make an offer", BD_FORSALE_FTXT, "Make an offer"},
    {"v=FORSALE1;ftxt=a;b=c", BD_FORSALE_FTXT, "a;b=c"},
    {"v=FORSALE1;ftxt=caf\xc3\xa9 \xe2\x82\xac", BD_FORSALE_FTXT,
     "caf\xc3\xa9 \xe2\x82\xac"},
    {"v=FORSALE1;|ftxt=split", BD_FORSALE_FTXT, "split"},
    {"v=FORSALE1;ft|xt=split tag", BD_FORSALE_FTXT, "split tag"},
    {"v=FORSALE1;furi=https://broker.example/buy?d=x&y=1#f", BD_FORSALE_FURI,
     "https://broker.example/buy?d=x&y=1#f"},
    {"v=FORSALE1;furi=http://h", BD_FORSALE_FURI, "http://h"},
    {"v=FORSALE1;furi=HTTPS://h:8443/%20", BD_FORSALE_FURI,
     "HTTPS://h:8443/%20"},
    {"v=FORSALE1;furi=mailto:sales@broker.example?subject=x", BD_FORSALE_FURI,
     "mailto:sales@broker.example?subject=x"},
    {"v=FORSALE1;furi=tel:+31-26-3525500", BD_FORSALE_FURI,
     "tel:+31-26-3525500"},
    {"v=FORSALE1;fval=USD1000", BD_FORSALE_FVAL, "USD1000"},
    {"v=FORSALE1;fval=EUR999.95", BD_FORSALE_FVAL, "EUR999.95"},
    {"v=FORSALE1;fval=JPY0", BD_FORSALE_FVAL, "JPY0"},
    {"v=FORSALE1;fcod=NLREG-4711", BD_FORSALE_FCOD, "NLREG-4711"},
    {"v=FORSALE1;fcod=a b", BD_FORSALE_FCOD, "a b"},
};

static const char *const other[] = {
    "",
    "v=spf1 -all",
    "google-site-verification=abc",
    "v=FORSALE2;ftxt=x",
    "v=forsale1;ftxt=x",
    "V=FORSALE1;ftxt=x",
    "v=FORSALE1",
    " v=FORSALE1;ftxt=x",
};

static const char *const malformed[] = {
    "v=FORSALE1;",
    "v=FORSALE1;;",
    "v=FORSALE1; ftxt=x",
    "v=FORSALE1;ftxt=",
    "v=FORSALE1;FTXT=x",
    "v=FORSALE1;fxyz=1",
    "v=FORSALE1;ftxt",
    "v=FORSALE1;v=FORSALE1;ftxt=x",
    "v=FORSALE1;ftxt=bell\x07",
    "v=FORSALE1;ftxt=del\x7f",
    "v=FORSALE1;ftxt=c1\xc2\x85",
    "v=FORSALE1;ftxt=bad\xff",
    "v=FORSALE1;ftxt=cut\xe2\x82",
    "v=FORSALE1;ftxt=overlong\xc0\xaf",
    "v=FORSALE1;ftxt=surrogate\xed\xa0\x80",
    "v=FORSALE1;furi=ftp://h/",
    "v=FORSALE1;furi=javascript:alert(1)",
    "v=FORSALE1;furi=https:",
    "v=FORSALE1;furi=https://",
    "v=FORSALE1;furi=https:///path",
    "v=FORSALE1;furi=https:h",
    "v=FORSALE1;furi=https://h/a b",
    "v=FORSALE1;furi=https://h/<x>",
    "v=FORSALE1;furi=https://h/%2",
    "v=FORSALE1;furi=https://h/%zz",
    "v=FORSALE1;furi=mailto:",
    "v=FORSALE1;furi=tel:",
    "v=FORSALE1;furi=https://h/\"",
    "v=FORSALE1;fval=1000USD",
    "v=FORSALE1;fval=USD",
    "v=FORSALE1;fval=usd100",
    "v=FORSALE1;fval=US100",
    "v=FORSALE1;fval=USDD100",
    "v=FORSALE1;fval=USD 100",
    "v=FORSALE1;fval=USD100.",
    "v=FORSALE1;fval=USD.5",
    "v=FORSALE1;fval=USD1,000",
    "v=FORSALE1;fval=USD100;ftxt=x",
    "v=FORSALE1;fval=USD-1",
    "v=FORSALE1;fcod=",
    "v=FORSALE1;fcod=tab\there",
};

static void test_ok(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
    unsigned char rdata[600];
    char text[BD_FORSALE_TEXT_MAX + 1];
    struct bd_forsale_record rec;
    size_t n = txt(rdata, ok[i].text);
    enum bd_forsale_result r = bd_forsale_parse(rdata, n, text, &rec);
    if (r != BD_FORSALE_OK)
      fail_msg("ok case %zu (%s): %d", i, ok[i].text, r);
    assert_int_equal(rec.tag, ok[i].tag);
    assert_int_equal(rec.len, strlen(ok[i].value));
    assert_memory_equal(rec.value, ok[i].value, rec.len);
  }
}

static void expect_all(const char *const *table, size_t count,
                       enum bd_forsale_result want) {
  for (size_t i = 0; i < count; i++) {
    unsigned char rdata[600];
    char text[BD_FORSALE_TEXT_MAX + 1];
    struct bd_forsale_record rec;
    size_t n = txt(rdata, table[i]);
    enum bd_forsale_result r = bd_forsale_parse(rdata, n, text, &rec);
    if (r != want)
      fail_msg("case %zu (%s): %d, want %d", i, table[i], r, want);
  }
}

static void test_other_and_malformed(void **state) {
  (void)state;
  expect_all(other, sizeof(other) / sizeof(other[0]), BD_FORSALE_OTHER);
  expect_all(malformed, sizeof(malformed) / sizeof(malformed[0]),
             BD_FORSALE_MALFORMED);
}

static void test_length_and_structure(void **state) {
  unsigned char rdata[600];
  char text[BD_FORSALE_TEXT_MAX + 1];
  struct bd_forsale_record rec;
  size_t n;
  (void)state;

  /* 255 octets in all is the most; 256 in two strings is malformed. */
  n = 0;
  rdata[n++] = 255;
  memcpy(rdata + n, "v=FORSALE1;ftxt=", 16);
  memset(rdata + n + 16, 'x', 255 - 16);
  n += 255;
  assert_int_equal(bd_forsale_parse(rdata, n, text, &rec), BD_FORSALE_OK);
  assert_int_equal(rec.len, 255 - 16);
  rdata[n++] = 1;
  rdata[n++] = 'y';
  assert_int_equal(bd_forsale_parse(rdata, n, text, &rec),
                   BD_FORSALE_MALFORMED);

  /* A string that runs past the data: malformed when the tag is there,
   * else no for-sale record. */
  n = txt(rdata, "v=FORSALE1;ftxt=x");
  rdata[0] = (unsigned char)(rdata[0] + 5);
  assert_int_equal(bd_forsale_parse(rdata, n, text, &rec),
                   BD_FORSALE_MALFORMED);
  n = txt(rdata, "v=spf1");
  rdata[0] = 40;
  assert_int_equal(bd_forsale_parse(rdata, n, text, &rec), BD_FORSALE_OTHER);
  assert_int_equal(bd_forsale_parse(rdata, 0, text, &rec), BD_FORSALE_OTHER);

  /* Empty strings along the way are nothing. */
  memcpy(rdata,
         "\x00\x0bv=FORSALE1;\x00\x06"
         "ftxt=x\x00",
         22);
  assert_int_equal(bd_forsale_parse(rdata, 22, text, &rec), BD_FORSALE_OK);
  assert_memory_equal(rec.value, "x", 1);
}

/* A response to _for-sale.x.dev TXT with these records. */
static size_t response(unsigned char *m, const char *const *records,
                       size_t count, unsigned rcode) {
  static const unsigned char head[] = {0x12, 0x34, 0x81, 0x80, 0, 1,
                                       0,    0,    0,    0,    0, 0};
  size_t n = sizeof(head);
  memcpy(m, head, n);
  m[3] = (unsigned char)(0x80 | rcode);
  m[7] = (unsigned char)count;
  memcpy(m + n,
         "\x09_for-sale\x01x\x03"
         "dev\x00\x00\x10\x00\x01",
         21);
  n += 21;
  for (size_t i = 0; i < count; i++) {
    size_t len;
    memcpy(m + n, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x01\x2c", 10);
    n += 10;
    len = txt(m + n + 2, records[i]);
    m[n] = (unsigned char)(len >> 8);
    m[n + 1] = (unsigned char)len;
    n += 2 + len;
  }
  return n;
}

/* The facts kept from a response, as a JSON line shows them; freed. */
static const char *shown(struct bd_facts **f, char *line) {
  static char kept[BD_LINE_CAP];
  snprintf(kept, sizeof(kept), "%s", facts_json(*f, line));
  bd_facts_free(*f);
  *f = NULL;
  return kept;
}

static size_t count(const char *text, const char *what) {
  size_t n = 0;
  for (const char *p = text; (p = strstr(p, what)) != NULL; p++)
    n++;
  return n;
}

static void test_read_response(void **state) {
  static const char *const records[] = {
      "v=FORSALE1;fval=USD1000",  "v=spf1 -all",
      "v=FORSALE1;fval=1000USD",  "v=FORSALE1;ftxt=\"hi\" \\ \xe2\x80\xae",
      "v=FORSALE1;furi=tel:+1-2",
  };
  unsigned char m[4096];
  unsigned valid;
  unsigned malformed_count;
  struct bd_facts *f = NULL;
  char line[BD_LINE_CAP];
  size_t n = response(m, records, 5, 0);
  (void)state;

  assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, &f), 0);
  assert_int_equal(valid, 3);
  assert_int_equal(malformed_count, 1);
  assert_non_null(f);
  assert_int_equal(f->nfor_sale, 3);
  /* JSON that decodes to the record's text: '"' and '\\' escaped for
   * JSON alone, the right-to-left override as \u202e. */
  assert_string_equal(shown(&f, line),
                      ",\"for_sale\":[{\"fval\":\"USD1000\"},{\"ftxt\":"
                      "\"\\\"hi\\\" \\\\ \\u202e\"},"
                      "{\"furi\":\"tel:+1-2\"}]");

  /* Counted without facts when lines do not show them. */
  assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, NULL), 0);
  assert_int_equal(valid, 3);

  /* NXDOMAIN, or no valid record: nothing. */
  n = response(m, records, 0, 3);
  assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, &f), 0);
  assert_int_equal(valid, 0);
  assert_null(f);
  n = response(m, records + 1, 2, 0);
  assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, &f), 0);
  assert_int_equal(valid + 10 * malformed_count, 10);
  assert_null(f);
  assert_int_equal(bd_forsale_read(m, 7, &valid, &malformed_count, &f), 0);
  assert_null(f);
}

static void test_read_caps(void **state) {
  static const char *records[12];
  static char big[256];
  unsigned char m[16384];
  unsigned valid;
  unsigned malformed_count;
  struct bd_facts *f = NULL;
  char line[BD_LINE_CAP];
  const char *json;
  size_t n;
  (void)state;

  /* Controls are malformed: use the text that grows most as JSON, soft
   * hyphens (two bytes each, six as \u00ad): 119 of them are 714 bytes
   * of JSON, and the line's room for the member holds five such
   * records, not eight. */
  memcpy(big, "v=FORSALE1;ftxt=", 16);
  for (size_t i = 0; i < 119; i++)
    memcpy(big + 16 + 2 * i, "\xc2\xad", 2);
  big[16 + 2 * 119] = '\0';
  for (size_t i = 0; i < 12; i++)
    records[i] = big;
  n = response(m, records, 12, 0);
  assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, &f), 0);
  assert_int_equal(valid, 12);
  assert_int_equal(f->nfor_sale, BD_FORSALE_RECORDS_MAX);
  json = shown(&f, line);
  assert_true(strlen(json) <= 4096);
  assert_true(count(json, "{\"ftxt\"") >= 1 &&
              count(json, "{\"ftxt\"") < BD_FORSALE_RECORDS_MAX);
  /* what the byte cap left out is said */
  assert_non_null(strstr(json, "}],\"for_sale_truncated\":true"));

  /* The count cap: eight records shown of ten, and said; eight of eight
   * say nothing. */
  for (size_t i = 0; i < 12; i++)
    records[i] = "v=FORSALE1;fval=USD1";
  for (size_t total = 8; total <= 10; total += 2) {
    n = response(m, records, total, 0);
    assert_int_equal(bd_forsale_read(m, n, &valid, &malformed_count, &f), 0);
    assert_int_equal(valid, total);
    json = shown(&f, line);
    assert_int_equal(count(json, "{\"fval\""), BD_FORSALE_RECORDS_MAX);
    if (total == BD_FORSALE_RECORDS_MAX)
      assert_string_equal(json + strlen(json) - 2, "}]");
    else
      assert_non_null(strstr(json, "}],\"for_sale_truncated\":true"));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ok),
      cmocka_unit_test(test_other_and_malformed),
      cmocka_unit_test(test_length_and_structure),
      cmocka_unit_test(test_read_response),
      cmocka_unit_test(test_read_caps),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
