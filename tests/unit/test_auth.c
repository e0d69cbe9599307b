/* The authoritative mode's rules, over hand-built responses: referrals,
 * authoritative answers, lame servers, glue and its bailiwick. */
#include "unit.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/auth.h"

struct msg {
  unsigned char b[1024];
  size_t len;
  unsigned counts[3]; /* answer, authority, additional */
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

/* A response header and question; flags beyond QR as given. */
static void start(struct msg *m, unsigned flags, int rcode, const char *qname,
                  unsigned qtype) {
  memset(m, 0, sizeof(*m));
  put16(m, 0x1234);
  put16(m, 0x8000 | flags | (unsigned)rcode);
  put16(m, 1);
  m->len += 6; /* counts, set by finish() */
  put_name(m, qname);
  put16(m, qtype);
  put16(m, 1);
}

/* Records must be added section by section, in order. */
static void add(struct msg *m, int section, const char *owner, unsigned type,
                const char *target, const unsigned char *addr) {
  put_name(m, owner);
  put16(m, type);
  put16(m, 1);
  put16(m, 0);
  put16(m, 300);
  if (target != NULL) {
    size_t at = m->len;
    m->len += 2;
    put_name(m, target);
    m->b[at] = (unsigned char)((m->len - at - 2) >> 8);
    m->b[at + 1] = (unsigned char)(m->len - at - 2);
  } else {
    unsigned n = type == BD_DNS_TYPE_AAAA ? 16 : 4;
    put16(m, n);
    memcpy(m->b + m->len, addr, n);
    m->len += n;
  }
  m->counts[section]++;
}

static void judge(struct msg *m, enum bd_auth_question q, const char *qname,
                  const char *registrable, const char *zone,
                  struct bd_auth_judgement *j) {
  struct bd_dnsmsg dm;
  for (int s = 0; s < 3; s++) {
    m->b[6 + 2 * s] = (unsigned char)(m->counts[s] >> 8);
    m->b[7 + 2 * s] = (unsigned char)m->counts[s];
  }
  assert_int_equal(bd_dnsmsg_parse(&dm, m->b, m->len), 0);
  bd_auth_judge(&dm, q, qname, BD_DNS_TYPE_A, registrable, zone, j);
}

#define AA BD_DNS_FLAG_AA
#define TC BD_DNS_FLAG_TC
#define AN 0
#define NS 1
#define AR 2

static const unsigned char ip1[4] = {127, 0, 0, 3};
static const unsigned char ip2[4] = {127, 0, 0, 9};

static void test_names(void **state) {
  struct msg m;
  struct bd_auth_judgement *j = malloc(sizeof(*j));
  (void)state;
  assert_non_null(j);

  /* The TLD's server delegates the registrable name: registered, even
   * when the question was a name below it. */
  start(&m, 0, 0, "www.deleg.dev", BD_DNS_TYPE_A);
  add(&m, NS, "deleg.dev", BD_DNS_TYPE_NS, "ns1.deleg.dev", NULL);
  add(&m, AR, "ns1.deleg.dev", BD_DNS_TYPE_A, NULL, ip2);
  judge(&m, BD_AUTH_NAME, "www.deleg.dev", "deleg.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_DELEGATED);

  /* A delegation below the registrable name says the same. */
  start(&m, 0, 0, "a.b.example.dev", BD_DNS_TYPE_A);
  add(&m, NS, "b.example.dev", BD_DNS_TYPE_NS, "ns.elsewhere.net", NULL);
  judge(&m, BD_AUTH_NAME, "a.b.example.dev", "example.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_DELEGATED);

  /* The zone's own word. */
  start(&m, AA, 3, "none.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "none.dev", "none.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_NXDOMAIN);
  start(&m, AA, 0, "and.dev", BD_DNS_TYPE_A);
  add(&m, AN, "and.dev", BD_DNS_TYPE_A, NULL, ip1);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_EXISTS);
  assert_true(j->has_records);
  start(&m, AA, 0, "for.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "for.dev", "for.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_EXISTS);
  assert_false(j->has_records);

  /* An alias to a missing name: the NXDOMAIN is the target's. */
  start(&m, AA, 3, "alias.dev", BD_DNS_TYPE_A);
  add(&m, AN, "alias.dev", BD_DNS_TYPE_CNAME, "missing.dev", NULL);
  judge(&m, BD_AUTH_NAME, "alias.dev", "alias.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_EXISTS);

  /* A referral to a zone between the one asked and the name: a cut the
   * search for the suffix's zone did not see. Glue comes along. */
  start(&m, 0, 0, "example.co.uk", BD_DNS_TYPE_A);
  add(&m, NS, "co.uk", BD_DNS_TYPE_NS, "ns.co.uk", NULL);
  add(&m, AR, "ns.co.uk", BD_DNS_TYPE_A, NULL, ip1);
  judge(&m, BD_AUTH_NAME, "example.co.uk", "example.co.uk", "uk", j);
  assert_int_equal(j->kind, BD_AUTH_STEP);
  assert_string_equal(j->zone, "co.uk");
  assert_int_equal(j->nns, 1);
  assert_int_equal(j->ns[0].naddrs, 1);
  assert_string_equal(j->ns[0].addrs[0].text, "127.0.0.3:53");
  free(j);
}

static void test_lame_and_failing(void **state) {
  struct msg m;
  struct bd_auth_judgement *j = malloc(sizeof(*j));
  (void)state;
  assert_non_null(j);
  /* Upward: a referral to the root. */
  start(&m, 0, 0, "and.dev", BD_DNS_TYPE_A);
  add(&m, NS, "", BD_DNS_TYPE_NS, "a.root-servers.net", NULL);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_LAME);
  /* Sideways: the zone it was asked for, again. */
  start(&m, 0, 0, "x.lamey", BD_DNS_TYPE_A);
  add(&m, NS, "lamey", BD_DNS_TYPE_NS, "ns.lamey", NULL);
  judge(&m, BD_AUTH_NAME, "x.lamey", "x.lamey", "lamey", j);
  assert_int_equal(j->kind, BD_AUTH_LAME);
  /* Elsewhere: a zone the name is not in. */
  start(&m, 0, 0, "and.dev", BD_DNS_TYPE_A);
  add(&m, NS, "com", BD_DNS_TYPE_NS, "a.gtld.net", NULL);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "", j);
  assert_int_equal(j->kind, BD_AUTH_LAME);
  /* An answer without authority, or an NXDOMAIN without it. */
  start(&m, 0, 0, "and.dev", BD_DNS_TYPE_A);
  add(&m, AN, "and.dev", BD_DNS_TYPE_A, NULL, ip1);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_LAME);
  start(&m, 0, 3, "none.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "none.dev", "none.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_LAME);
  /* Errors. */
  start(&m, 0, 5, "and.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_REFUSED);
  start(&m, AA, 2, "and.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_SERVFAIL);
  start(&m, AA, 9, "and.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "and.dev", "and.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_RCODE);
  /* Truncated: never an answer. */
  start(&m, AA | TC, 3, "none.dev", BD_DNS_TYPE_A);
  judge(&m, BD_AUTH_NAME, "none.dev", "none.dev", "dev", j);
  assert_int_equal(j->kind, BD_AUTH_BAD);
  free(j);
}

static void test_suffixes_and_hosts(void **state) {
  struct msg m;
  struct bd_auth_judgement *j = malloc(sizeof(*j));
  static const unsigned char ip6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
  (void)state;
  assert_non_null(j);
  /* The root refers the suffix to its own zone, with v4 and v6 glue. */
  start(&m, 0, 0, "dev", BD_DNS_TYPE_NS);
  add(&m, NS, "dev", BD_DNS_TYPE_NS, "ns1.dev", NULL);
  add(&m, NS, "dev", BD_DNS_TYPE_NS, "ns2.dev", NULL);
  add(&m, AR, "ns1.dev", BD_DNS_TYPE_A, NULL, ip1);
  add(&m, AR, "ns1.dev", BD_DNS_TYPE_AAAA, NULL, ip6);
  judge(&m, BD_AUTH_SUFFIX, "dev", "", "", j);
  assert_int_equal(j->kind, BD_AUTH_ZONE);
  assert_string_equal(j->zone, "dev");
  assert_int_equal(j->nns, 2);
  assert_int_equal(j->ns[0].naddrs, 2);
  assert_string_equal(j->ns[0].addrs[1].text, "[2001:db8::1]:53");
  assert_int_equal(j->ns[1].naddrs, 0);
  /* co.uk without a cut: the uk zone answers for it. */
  start(&m, AA, 0, "co.uk", BD_DNS_TYPE_NS);
  judge(&m, BD_AUTH_SUFFIX, "co.uk", "", "uk", j);
  assert_int_equal(j->kind, BD_AUTH_EXISTS);
  /* A server of both parent and child answers with the child's NS. */
  start(&m, AA, 0, "dev", BD_DNS_TYPE_NS);
  add(&m, AN, "dev", BD_DNS_TYPE_NS, "ns.dev", NULL);
  add(&m, AR, "ns.dev", BD_DNS_TYPE_A, NULL, ip1);
  judge(&m, BD_AUTH_SUFFIX, "dev", "", "", j);
  assert_int_equal(j->kind, BD_AUTH_ZONE);
  assert_int_equal(j->ns[0].naddrs, 1);
  /* No such TLD. */
  start(&m, AA, 3, "zzq", BD_DNS_TYPE_NS);
  judge(&m, BD_AUTH_SUFFIX, "zzq", "", "", j);
  assert_int_equal(j->kind, BD_AUTH_NXDOMAIN);
  /* Glue for a name outside the zone asked is not believed (RFC 2181
   * 5.4.1): uk's server may not vouch for net's names. */
  start(&m, 0, 0, "org.uk", BD_DNS_TYPE_NS);
  add(&m, NS, "org.uk", BD_DNS_TYPE_NS, "ns.evil.net", NULL);
  add(&m, AR, "ns.evil.net", BD_DNS_TYPE_A, NULL, ip2);
  judge(&m, BD_AUTH_SUFFIX, "org.uk", "", "uk", j);
  assert_int_equal(j->kind, BD_AUTH_ZONE);
  assert_int_equal(j->ns[0].naddrs, 0);
  /* A name server's address, from its zone. */
  start(&m, AA, 0, "ns.nic.net", BD_DNS_TYPE_A);
  add(&m, AN, "ns.nic.net", BD_DNS_TYPE_A, NULL, ip1);
  judge(&m, BD_AUTH_HOST, "ns.nic.net", "", "net", j);
  assert_int_equal(j->kind, BD_AUTH_EXISTS);
  assert_int_equal(j->nns, 1);
  assert_int_equal(j->ns[0].naddrs, 1);
  free(j);
}

static void test_in_zone(void **state) {
  (void)state;
  assert_true(bd_auth_in_zone("and.dev", "dev"));
  assert_true(bd_auth_in_zone("dev", "dev"));
  assert_true(bd_auth_in_zone("dev", ""));
  assert_true(bd_auth_in_zone("", ""));
  assert_false(bd_auth_in_zone("anddev", "dev"));
  assert_false(bd_auth_in_zone("dev", "and.dev"));
  assert_false(bd_auth_in_zone("", "dev"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_lame_and_failing),
      cmocka_unit_test(test_suffixes_and_hosts),
      cmocka_unit_test(test_in_zone),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
