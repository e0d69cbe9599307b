/* DNS response -> verdict, over hand-built responses. */
#include "unit.h"

#include <ares.h>
#include <string.h>

#include "blogdom/verdict.h"

/* A response under construction. */
struct msg {
  unsigned char b[512];
  size_t len;
};

static void put16(struct msg *m, unsigned v) {
  m->b[m->len++] = (unsigned char)(v >> 8);
  m->b[m->len++] = (unsigned char)v;
}

static void put_name(struct msg *m, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    m->b[m->len++] = (unsigned char)n;
    memcpy(m->b + m->len, name, n);
    m->len += n;
    name += n + (dot ? 1 : 0);
  }
  m->b[m->len++] = 0;
}

/* Header with QR set, one question for qname/qtype. */
static void start(struct msg *m, int rcode, unsigned ancount, const char *qname,
                  unsigned qtype) {
  m->len = 0;
  put16(m, 0x1234);
  put16(m, 0x8180 | (unsigned)rcode);
  put16(m, 1);
  put16(m, ancount);
  put16(m, 0);
  put16(m, 0);
  put_name(m, qname);
  put16(m, qtype);
  put16(m, 1);
}

/* A record owned by the question name (compression pointer to it). */
static void add_rr(struct msg *m, unsigned type, const void *rdata,
                   unsigned rdlen) {
  put16(m, 0xc00c);
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 60);
  put16(m, rdlen);
  memcpy(m->b + m->len, rdata, rdlen);
  m->len += rdlen;
}

/* An alias (CNAME) whose owner is spelled out, pointing back at the
 * question name. */
static void add_alias_owned_by(struct msg *m, const char *owner) {
  put_name(m, owner);
  put16(m, 5);
  put16(m, 1);
  put16(m, 0);
  put16(m, 60);
  put16(m, 2);
  put16(m, 0xc00c);
}

static void judge(const struct msg *m, unsigned qtype, struct bd_verdict *v) {
  bd_verdict_from_answer(m->b, m->len, (uint16_t)qtype, v);
}

static void test_noerror_with_address(void **state) {
  struct msg m;
  struct bd_verdict v;
  const unsigned char ip[4] = {192, 0, 2, 1};
  (void)state;
  start(&m, 0, 1, "and.dev", 1);
  add_rr(&m, 1, ip, 4);
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_FOUND);
  assert_int_equal(v.reason, BD_REASON_ANSWER);
  assert_int_equal(v.rcode, 0);
  assert_int_equal(v.naddrs, 1);
  assert_memory_equal(v.addrs[0].bytes, ip, 4);
}

static void test_nodata_is_found(void **state) {
  struct msg m;
  struct bd_verdict v;
  (void)state;
  start(&m, 0, 0, "for.dev", 1);
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_FOUND);
  assert_int_equal(v.reason, BD_REASON_NODATA);
  assert_int_equal(v.naddrs, 0);
}

static void test_nxdomain_is_notfound(void **state) {
  struct msg m;
  struct bd_verdict v;
  (void)state;
  start(&m, 3, 0, "none.dev", 1);
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_NOTFOUND);
  assert_int_equal(v.reason, BD_REASON_NXDOMAIN);
  assert_int_equal(v.rcode, 3);
}

static void test_alias_to_missing_target_is_found(void **state) {
  struct msg m;
  struct bd_verdict v;
  unsigned char target[32];
  struct msg t;
  (void)state;
  t.len = 0;
  put_name(&t, "missing.dev");
  memcpy(target, t.b, t.len);
  start(&m, 3, 1, "alias.dev", 1);
  add_rr(&m, 5, target, (unsigned)t.len);
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_FOUND);
  assert_int_equal(v.reason, BD_REASON_ALIAS);
}

static void test_alias_of_another_name_does_not_count(void **state) {
  struct msg m;
  struct bd_verdict v;
  (void)state;
  start(&m, 3, 1, "alias.dev", 1);
  add_alias_owned_by(&m, "other.dev");
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_NOTFOUND);
}

static void test_owner_case_is_ignored(void **state) {
  struct msg m;
  struct bd_verdict v;
  (void)state;
  start(&m, 3, 1, "alias.dev", 1);
  add_alias_owned_by(&m, "ALIAS.Dev");
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_FOUND);
  assert_int_equal(v.reason, BD_REASON_ALIAS);
}

static void test_error_rcodes(void **state) {
  static const struct {
    int rcode;
    enum bd_reason reason;
  } cases[] = {{1, BD_REASON_FORMERR}, {2, BD_REASON_SERVFAIL},
               {4, BD_REASON_NOTIMP},  {5, BD_REASON_REFUSED},
               {6, BD_REASON_RCODE},   {9, BD_REASON_RCODE},
               {15, BD_REASON_RCODE}};
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_verdict v;
    start(&m, cases[i].rcode, 0, "x.dev", 1);
    judge(&m, 1, &v);
    assert_int_equal(v.status, BD_ERROR);
    assert_int_equal(v.reason, cases[i].reason);
    assert_int_equal(v.rcode, cases[i].rcode);
    assert_true(bd_verdict_is_server_failure(&v));
    assert_false(bd_verdict_is_transport_failure(&v));
  }
}

static void test_malformed_responses(void **state) {
  struct msg m;
  struct bd_verdict v;
  const unsigned char ip[4] = {192, 0, 2, 1};
  (void)state;

  /* Cut anywhere inside the answer: never a verdict. */
  start(&m, 0, 1, "and.dev", 1);
  add_rr(&m, 1, ip, 4);
  for (size_t cut = 0; cut < m.len; cut++) {
    bd_verdict_from_answer(m.b, cut, 1, &v);
    assert_int_equal(v.status, BD_ERROR);
    assert_int_equal(v.reason, BD_REASON_BAD_RESPONSE);
  }
  /* A query echoed back (QR clear). */
  start(&m, 0, 0, "and.dev", 1);
  m.b[2] &= 0x7f;
  judge(&m, 1, &v);
  assert_int_equal(v.reason, BD_REASON_BAD_RESPONSE);
  /* Two questions. */
  start(&m, 0, 0, "and.dev", 1);
  m.b[5] = 2;
  judge(&m, 1, &v);
  assert_int_equal(v.reason, BD_REASON_BAD_RESPONSE);
  /* A compression loop in an owner name of an alias check. */
  start(&m, 3, 1, "a.dev", 1);
  {
    size_t self = m.len;
    put16(&m, 0xc000 | (unsigned)self);
  }
  put16(&m, 5);
  put16(&m, 1);
  put16(&m, 0);
  put16(&m, 60);
  put16(&m, 0);
  judge(&m, 1, &v);
  /* The loop is not an alias, and a message with a malformed name is no
   * verdict at all: not even the NXDOMAIN it carries. */
  assert_int_equal(v.status, BD_ERROR);
  assert_int_equal(v.reason, BD_REASON_BAD_RESPONSE);
  bd_verdict_from_answer(NULL, 0, 1, &v);
  assert_int_equal(v.reason, BD_REASON_BAD_RESPONSE);
}

/* What a server puts in the authority section of an answer without
 * records, and its AA bit. */
struct authority_case {
  const char *what;
  int rcode;
  bool aa;
  bool tc;
  unsigned ns;  /* NS records in authority */
  unsigned soa; /* SOA records in authority */
  enum bd_status status;
  enum bd_reason reason;
};

/* Appends an authority record owned by "dev" (spelled out). */
static void add_authority(struct msg *m, unsigned type) {
  static const unsigned char soa[22] = {0};
  static const unsigned char ns[] = {2, 'n', 's', 3, 'd', 'e', 'v', 0};
  put_name(m, "dev");
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 300);
  if (type == 6) {
    put16(m, sizeof(soa));
    memcpy(m->b + m->len, soa, sizeof(soa));
    m->len += sizeof(soa);
  } else {
    put16(m, sizeof(ns));
    memcpy(m->b + m->len, ns, sizeof(ns));
    m->len += sizeof(ns);
  }
}

static void test_referral_is_no_answer(void **state) {
  static const struct authority_case cases[] = {
      /* RFC 1034 4.3.1: a server without the data refers. */
      {"referral", 0, false, false, 2, 0, BD_ERROR, BD_REASON_REFERRAL},
      /* RFC 2308 2.2: NODATA carries the SOA, with or without NS. */
      {"nodata, SOA", 0, false, false, 0, 1, BD_FOUND, BD_REASON_NODATA},
      {"nodata, SOA and NS", 0, false, false, 1, 1, BD_FOUND, BD_REASON_NODATA},
      {"nodata, bare", 0, false, false, 0, 0, BD_FOUND, BD_REASON_NODATA},
      /* The zone's own server says its NS at the apex: an answer. */
      {"authoritative, NS", 0, true, false, 2, 0, BD_FOUND, BD_REASON_NODATA},
      /* RFC 2308 2.1: NXDOMAIN, with or without NS beside the SOA. */
      {"nxdomain, SOA", 3, false, false, 0, 1, BD_NOTFOUND, BD_REASON_NXDOMAIN},
      {"nxdomain, NS only", 3, false, false, 1, 0, BD_NOTFOUND,
       BD_REASON_NXDOMAIN},
      /* Truncated: the start of an answer is none. */
      {"truncated", 0, true, true, 0, 1, BD_ERROR, BD_REASON_BAD_RESPONSE},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct authority_case *c = &cases[i];
    struct msg m;
    struct bd_verdict v;
    start(&m, c->rcode, 0, "and.dev", 1);
    m.b[2] |= (unsigned char)((c->aa ? 0x04 : 0) | (c->tc ? 0x02 : 0));
    m.b[9] = (unsigned char)(c->ns + c->soa);
    for (unsigned k = 0; k < c->ns; k++)
      add_authority(&m, 2);
    for (unsigned k = 0; k < c->soa; k++)
      add_authority(&m, 6);
    judge(&m, 1, &v);
    if (v.status != c->status || v.reason != c->reason)
      fail_msg("%s: got %s/%s", c->what, bd_status_name(v.status),
               bd_reason_name(v.reason));
  }
}

static void test_referral_words(void **state) {
  struct bd_verdict v;
  char buf[32];
  (void)state;
  memset(&v, 0, sizeof(v));
  v.status = BD_ERROR;
  v.reason = BD_REASON_REFERRAL;
  v.rcode = 0;
  assert_string_equal(bd_reason_name(v.reason), "referral");
  assert_string_equal(bd_verdict_evidence(&v, buf, sizeof(buf)),
                      "dns:referral");
  /* Another server may answer where this one referred. */
  assert_true(bd_verdict_is_server_failure(&v));
  assert_false(bd_verdict_is_transport_failure(&v));
  bd_verdict_invalid_name(&v, true);
  assert_string_equal(bd_reason_name(v.reason), "invalid-hostname");
  assert_string_equal(bd_verdict_evidence(&v, buf, sizeof(buf)), "input");
  bd_verdict_apply_denied_tld(&v);
  assert_string_equal(bd_reason_name(v.reason), "invalid-hostname");
  memset(&v, 0, sizeof(v));
  v.status = BD_NOTFOUND;
  v.reason = BD_REASON_NXDOMAIN;
  bd_verdict_apply_denied_tld(&v);
  assert_int_equal(v.status, BD_ERROR);
  assert_string_equal(bd_reason_name(v.reason), "resolver-denies-tld");
  assert_string_equal(bd_verdict_evidence(&v, buf, sizeof(buf)), "tld-check");
}

static void test_addresses_are_capped(void **state) {
  struct msg m;
  struct bd_verdict v;
  (void)state;
  start(&m, 0, 20, "big.dev", 1);
  for (unsigned char i = 0; i < 20; i++) {
    const unsigned char ip[4] = {192, 0, 2, i};
    add_rr(&m, 1, ip, 4);
  }
  judge(&m, 1, &v);
  assert_int_equal(v.status, BD_FOUND);
  assert_int_equal(v.naddrs, BD_VERDICT_MAX_ADDRS);
}

static void test_statuses(void **state) {
  struct bd_verdict v;
  (void)state;
  bd_verdict_from_status(ARES_ETIMEOUT, &v);
  assert_int_equal(v.status, BD_ERROR);
  assert_int_equal(v.reason, BD_REASON_TIMEOUT);
  assert_true(bd_verdict_is_transport_failure(&v));
  bd_verdict_from_status(ARES_ECONNREFUSED, &v);
  assert_int_equal(v.reason, BD_REASON_UNREACHABLE);
  bd_verdict_from_status(ARES_ENOMEM, &v);
  assert_int_equal(v.reason, BD_REASON_NO_MEMORY);
  bd_verdict_invalid_name(&v, false);
  assert_int_equal(v.reason, BD_REASON_INVALID_NAME);
  assert_false(bd_verdict_is_transport_failure(&v));
  assert_string_equal(bd_status_name(BD_NOTFOUND), "notfound");
  assert_string_equal(bd_reason_name(BD_REASON_BAD_RESPONSE), "bad-response");
  assert_string_equal(bd_rcode_name(3), "NXDOMAIN");
  assert_null(bd_rcode_name(23));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_noerror_with_address),
      cmocka_unit_test(test_nodata_is_found),
      cmocka_unit_test(test_nxdomain_is_notfound),
      cmocka_unit_test(test_alias_to_missing_target_is_found),
      cmocka_unit_test(test_alias_of_another_name_does_not_count),
      cmocka_unit_test(test_owner_case_is_ignored),
      cmocka_unit_test(test_error_rcodes),
      cmocka_unit_test(test_malformed_responses),
      cmocka_unit_test(test_referral_is_no_answer),
      cmocka_unit_test(test_referral_words),
      cmocka_unit_test(test_addresses_are_capped),
      cmocka_unit_test(test_statuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
