/* Record data in presentation format (rrtext.c) and a name's records as
 * JSON (records.c), over hand-built messages: a table of record data,
 * well-formed and not, and the chain and caps of the records member. */
#include "unit.h"

#include "factsjson.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/facts.h"
#include "blogdom/records.h"
#include "blogdom/rrtext.h"

struct msg {
  unsigned char b[65536];
  size_t len;
};

static void put8(struct msg *m, unsigned v) {
  m->b[m->len++] = (unsigned char)v;
}

static void put16(struct msg *m, unsigned v) {
  put8(m, v >> 8);
  put8(m, v & 0xff);
}

static void put_bytes(struct msg *m, const void *p, size_t n) {
  memcpy(m->b + m->len, p, n);
  m->len += n;
}

static void put_name(struct msg *m, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    put8(m, (unsigned)n);
    put_bytes(m, name, n);
    name += n + (dot ? 1 : 0);
  }
  put8(m, 0);
}

/* A response to "q.example" of qtype with ancount records to follow. */
static void start(struct msg *m, unsigned qtype, unsigned ancount) {
  m->len = 0;
  put16(m, 0x1234);
  put16(m, 0x8180);
  put16(m, 1);
  put16(m, ancount);
  put16(m, 0);
  put16(m, 0);
  put_name(m, "q.example");
  put16(m, qtype);
  put16(m, 1);
}

/* A record owned by the question's name (a pointer to offset 12). */
static void record(struct msg *m, unsigned type, const void *rdata,
                   size_t rdlen) {
  put16(m, 0xc00c);
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 300);
  put16(m, (unsigned)rdlen);
  put_bytes(m, rdata, rdlen);
}

/* The presentation text of a message's one record. */
static int text_of(struct msg *m, char *buf, size_t cap) {
  struct bd_dnsmsg dm;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  assert_int_equal(bd_dnsmsg_parse(&dm, m->b, m->len), 0);
  bd_dnsmsg_walk(&dm, BD_DNS_ANSWER, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  return bd_rrtext_write(&dm, &rr, buf, cap);
}

struct rdata_case {
  unsigned type;
  const char *rdata;
  size_t len;
  const char *text;
};

#define R(t, s, text)                                                          \
  { t, s, sizeof(s) - 1, text }

static const struct rdata_case cases[] = {
    /* Well-formed data of each type. */
    R(1, "\xc0\x00\x02\x01", "192.0.2.1"),
    R(28, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", "2001:db8::1"),
    R(2,
      "\x02ns\x07"
      "example\x00",
      "ns.example."),
    R(5, "\xc0\x0c", "q.example."),
    R(12, "\x00", "."),
    R(15, "\x00\x0a\x02mx\xc0\x0c", "10 mx.q.example."),
    R(33, "\x00\x01\x00\x05\x01\xbb\x03srv\x00", "1 5 443 srv."),
    R(6,
      "\x02ns\xc0\x0c\x02hm\xc0\x0c\x00\x00\x00\x01\x00\x00\x0e\x10\x00\x00"
      "\x03\x84\x00\x09\x3a\x80\x00\x00\x01\x2c",
      "ns.q.example. hm.q.example. 1 3600 900 604800 300"),
    R(16, "\x05hello\x00", "\"hello\" \"\""),
    R(16,
      "\x07"
      "a\"b\\c\x01\xff",
      "\"a\\\"b\\\\c\\001\\255\""),
    R(257, "\x00\x05issueca.example", "0 issue \"ca.example\""),
    R(257, "\x80\x03tbsx", "128 tbs \"x\""),
    R(43, "\x30\x39\x0d\x02\xab\xcd", "12345 13 2 ABCD"),
    R(48, "\x01\x01\x03\x0d\x01\x02\x03", "257 3 13 AQID"),
    R(48, "\x01\x00\x03\x08\xff", "256 3 8 /w=="),
    R(65, "\x00\x01\x00\x00\x01\x00\x06\x02h2\x02h3\x00\x03\x00\x02\x01\xbb",
      "1 . alpn=\"h2,h3\" port=443"),
    R(65, "\x00\x01\x00\x00\x00\x00\x04\x00\x01\x00\x02\x00\x02\x00\x00",
      "1 . mandatory=alpn,no-default-alpn no-default-alpn"),
    R(64, "\x00\x00\x03svc\x00", "0 svc."),
    R(65,
      "\x00\x02\x00\x00\x04\x00\x08\xc0\x00\x02\x01\xc0\x00\x02\x02\x00\x05"
      "\x00\x01\xff",
      "2 . ipv4hint=192.0.2.1,192.0.2.2 ech=/w=="),
    R(65,
      "\x00\x01\x00\x00\x06\x00\x10\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0"
      "\x01\x00\x07\x00\x03/q?",
      "1 . ipv6hint=2001:db8::1 dohpath=\"/q?\""),
    R(65,
      "\x00\x01\x00\x00\x01\x00\x04\x03"
      "a,b",
      "1 . alpn=\"a\\\\,b\""),
    R(65, "\x00\x01\x00\xff\xfe\x00\x01x", "1 . key65534=\"x\""),
    R(35, "\x00\x64\x00\x0a\x01S\x07SIP+D2U\x00\x04_sip\x00",
      "100 10 \"S\" \"SIP+D2U\" \"\" _sip."),
    R(99, "\x01\x02", "\\# 2 0102"),
    R(65534, "", "\\# 0"),
    /* Data that does not fit its type: the generic form. */
    R(1, "\xc0\x00\x02", "\\# 3 C00002"),
    R(28, "\x20\x01", "\\# 2 2001"),
    R(5,
      "\x03"
      "ab",
      "\\# 3 036162"),
    R(5,
      "\x02"
      "ab\x00\x00",
      "\\# 5 0261620000"),
    R(15, "\x00", "\\# 1 00"),
    R(16, "", "\\# 0"),
    R(16,
      "\x05"
      "abc",
      "\\# 4 05616263"),
    R(257, "\x00\x00", "\\# 2 0000"),
    R(257,
      "\x00\x02"
      "a-",
      "\\# 4 0002612D"),
    R(257,
      "\x00\x10"
      "aaaaaaaaaaaaaaaa",
      "\\# 18 0010 61616161616161616161616161616161"),
    R(43, "\x30\x39\x0d\x02", "\\# 4 30390D02"),
    R(48, "\x01\x01\x03", "\\# 3 010103"),
    R(65, "\x00\x01", "\\# 2 0001"),
    R(65, "\x00\x01\xc0\x0c", "\\# 4 0001C00C"),
    R(65, "\x00\x01\x00\x00\x03\x00\x01\x01", "\\# 8 0001000003000101"),
    R(65, "\x00\x01\x00\x00\x03\x00\x02\x01\xbb\x00\x01\x00\x01\x02",
      "\\# 14 00010000030002 01BB0001000102"),
    R(65, "\x00\x01\x00\x00\x02\x00\x01\x00", "\\# 8 0001000002000100"),
    R(65, "\x00\x01\x00\x00\x04\x00\x03\x01\x02\x03",
      "\\# 10 0001000004000301 0203"),
    R(65, "\x00\x01\x00\x00\x01\x00\x02\x00\x00", "\\# 9 000100000100020000"),
    R(35, "\x00\x64\x00\x0a\x01S", "\\# 6 0064000A0153"),
    R(35, "\x00\x64\x00\x0a\x00\x00\x00\xc0\x0c", "\\# 9 0064000A000000C00C"),
};

static void strip_spaces_in_hex(char *s) {
  /* The table writes long hex with a space for reading: drop it. */
  char *hash = strstr(s, "\\# ");
  char *p;
  if (hash == NULL)
    return;
  p = strchr(hash + 3, ' ');
  if (p == NULL)
    return;
  for (char *q = p + 1, *w = p + 1;; q++) {
    if (*q != ' ')
      *w++ = *q;
    if (*q == '\0')
      break;
  }
}

static void test_table(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    char buf[1024];
    char want[256];
    int n;
    start(&m, cases[i].type, 1);
    record(&m, cases[i].type, cases[i].rdata, cases[i].len);
    snprintf(want, sizeof(want), "%s", cases[i].text);
    strip_spaces_in_hex(want);
    n = text_of(&m, buf, sizeof(buf));
    if (n < 0 || strcmp(buf, want) != 0)
      fail_msg("case %zu (type %u): got \"%s\" (%d), want \"%s\"", i,
               cases[i].type, buf, n, want);
  }
}

static void test_space(void **state) {
  struct msg m;
  char buf[64];
  (void)state;
  start(&m, 16, 1);
  record(&m, 16, "\x05hello", 6);
  assert_int_equal(text_of(&m, buf, 8), 7); /* "hello" fits with its NUL */
  assert_string_equal(buf, "\"hello\"");
  assert_int_equal(text_of(&m, buf, 7), BD_DNSMSG_ESPACE);
  assert_string_equal(buf, "");
  assert_int_equal(text_of(&m, buf, 0), BD_DNSMSG_ESPACE);
}

/* A TXT record of 255 bytes of 0xff: every byte \255, the whole within
 * the records member's cap of 4 KiB only in part. */
static void test_long_text(void **state) {
  struct msg m;
  unsigned char rdata[256];
  char buf[4096];
  (void)state;
  rdata[0] = 255;
  memset(rdata + 1, 0xff, 255);
  start(&m, 16, 1);
  record(&m, 16, rdata, sizeof(rdata));
  assert_int_equal(text_of(&m, buf, sizeof(buf)), 2 + 255 * 4);
}

static void test_records_member(void **state) {
  struct msg m;
  struct bd_facts *f = NULL;
  char line[BD_LINE_CAP];
  (void)state;

  /* Owned by the name, then a CNAME to another name and its record, and
   * an unrelated record that is left out. */
  start(&m, 1, 4);
  record(&m, 5, "\x01t\xc0\x0e", 4); /* q.example CNAME t.example */
  put16(&m, 0xc000 | (unsigned)(m.len - 4));
  put16(&m, 1);
  put16(&m, 1);
  put16(&m, 0);
  put16(&m, 60);
  put16(&m, 4);
  put_bytes(&m, "\xc0\x00\x02\x07", 4);
  put_name(&m, "other.example");
  put16(&m, 1);
  put16(&m, 1);
  put16(&m, 0);
  put16(&m, 60);
  put16(&m, 4);
  put_bytes(&m, "\xc0\x00\x02\x08", 4);
  record(&m, 16, "\x02hi", 3);
  assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
  assert_non_null(f);
  assert_int_equal(f->nrecords, 3);
  assert_string_equal(facts_json(f, line),
                      ",\"records\":[{\"type\":\"CNAME\",\"ttl\":300,\"data\":"
                      "\"t.example.\"},{\"type\":\"A\",\"ttl\":60,\"data\":"
                      "\"192.0.2.7\"},{\"type\":\"TXT\",\"ttl\":300,\"data\":"
                      "\"\\\"hi\\\"\"}]");

  /* Another answer replaces them: no answer, nothing; a message that
   * does not parse, nothing. */
  start(&m, 1, 0);
  assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
  assert_int_equal(f->nrecords, 0);
  assert_string_equal(facts_json(f, line), "");
  bd_facts_free(f);
  f = NULL;
  assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
  assert_null(f);
  assert_int_equal(bd_records_keep(m.b, 5, &f), 0);
  assert_null(f);
}

static void test_records_caps(void **state) {
  struct msg m;
  unsigned char rdata[256];
  struct bd_facts *f = NULL;
  char line[BD_LINE_CAP];
  const char *json;
  size_t n = 0;
  (void)state;

  start(&m, 1, 20);
  for (unsigned i = 0; i < 20; i++)
    record(&m, 1, "\xc0\x00\x02\x01", 4);
  assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
  assert_int_equal(f->nrecords, BD_FACTS_RECORDS_MAX);
  json = facts_json(f, line);
  assert_non_null(strstr(json, "],\"records_truncated\":true"));
  for (const char *p = json; (p = strstr(p, "\"type\"")) != NULL; p++)
    n++;
  assert_int_equal(n, BD_FACTS_RECORDS_MAX);

  /* Big records: whole ones that fit, within the byte cap, kept and
   * shown. */
  rdata[0] = 255;
  memset(rdata + 1, 0x01, 255);
  start(&m, 16, 10);
  for (unsigned i = 0; i < 10; i++)
    record(&m, 16, rdata, sizeof(rdata));
  assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
  assert_true(f->nrecords > 0 && f->nrecords < 10);
  assert_true(f->record_bytes <= BD_FACTS_RECORDS_BYTES);
  json = facts_json(f, line);
  assert_true(strlen(json) <= 4096);
  assert_non_null(strstr(json, "],\"records_truncated\":true"));
  bd_facts_free(f);
}

/* A record owned by owner (a name written out, not a pointer). */
static void owned_record(struct msg *m, const char *owner, unsigned type,
                         const char *target) {
  size_t at;
  put_name(m, owner);
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 300);
  at = m->len;
  put16(m, 0);
  put_name(m, target);
  m->b[at] = (unsigned char)((m->len - at - 2) >> 8);
  m->b[at + 1] = (unsigned char)((m->len - at - 2) & 0xff);
}

/* A CNAME chain longer than the records follow is cut, and says so;
 * one within the cap is whole and says nothing. The question's name and
 * eight targets are followed. */
static void test_records_chain_cut(void **state) {
  struct msg m;
  struct bd_facts *f = NULL;
  char line[BD_LINE_CAP];
  const char *out;
  char owner[32];
  char target[32];
  (void)state;

  for (unsigned links = 9; links <= 10; links++) {
    start(&m, 1, links);
    for (unsigned i = 0; i < links; i++) {
      snprintf(owner, sizeof(owner), i == 0 ? "q.example" : "c%u.example", i);
      snprintf(target, sizeof(target), "c%u.example", i + 1);
      owned_record(&m, owner, 5, target);
    }
    assert_int_equal(bd_records_keep(m.b, m.len, &f), 0);
    assert_non_null(f);
    out = facts_json(f, line);
    if (links == 9) {
      /* nine names, the last owning nothing: all there */
      assert_null(strstr(out, "records_truncated"));
      assert_non_null(strstr(out, "c9.example."));
    } else {
      /* the tenth name's record is left out */
      assert_non_null(strstr(out, "],\"records_truncated\":true"));
      assert_null(strstr(out, "c10.example."));
    }
  }
  bd_facts_free(f);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_space),
      cmocka_unit_test(test_long_text),
      cmocka_unit_test(test_records_member),
      cmocka_unit_test(test_records_caps),
      cmocka_unit_test(test_records_chain_cut),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
