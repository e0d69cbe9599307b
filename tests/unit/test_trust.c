/* The vetting of servers and the checks of TLDs: pure rules over verdicts. */
#include "unit.h"

#include <stdbool.h>
#include <string.h>

#include "blogdom/trust.h"

static struct bd_verdict verdict(enum bd_status s, enum bd_reason r,
                                 int rcode) {
  struct bd_verdict v;
  memset(&v, 0, sizeof(v));
  v.status = s;
  v.reason = r;
  v.rcode = rcode;
  return v;
}

#define NX verdict(BD_NOTFOUND, BD_REASON_NXDOMAIN, 3)
#define FOUND verdict(BD_FOUND, BD_REASON_ANSWER, 0)
#define NODATA verdict(BD_FOUND, BD_REASON_NODATA, 0)
#define ERR(reason, rcode) verdict(BD_ERROR, reason, rcode)

struct vet_case {
  const char *what;
  struct bd_verdict rewrite;   /* random name under a made-up TLD */
  struct bd_verdict reference; /* com. */
  enum bd_vet want;
  const char *phrase; /* a part of what is said of the server */
};

static void test_vetting(void **state) {
  const struct vet_case cases[] = {
      {"a resolver", NX, NODATA, BD_VET_OK, "should"},
      {"com. with its SOA", NX, FOUND, BD_VET_OK, "should"},
      {"rewrites", FOUND, FOUND, BD_VET_REWRITES, "rewrites NXDOMAIN"},
      {"denies com.", NX, NX, BD_VET_DENIES_COM, "NXDOMAIN for com."},
      {"denies all", NX, NX, BD_VET_DENIES_COM, "--trust-resolver"},
      {"root server", NX, ERR(BD_REASON_REFERRAL, 0), BD_VET_REFERRAL,
       "referral"},
      {"TLD server", ERR(BD_REASON_REFUSED, 5), ERR(BD_REASON_REFUSED, 5),
       BD_VET_REFUSED, "REFUSED"},
      {"refers and refuses", ERR(BD_REASON_REFUSED, 5),
       ERR(BD_REASON_REFERRAL, 0), BD_VET_REFERRAL, "referral"},
      {"servfail", ERR(BD_REASON_SERVFAIL, 2), ERR(BD_REASON_SERVFAIL, 2),
       BD_VET_SERVFAIL, "SERVFAIL"},
      {"silent", ERR(BD_REASON_TIMEOUT, -1), ERR(BD_REASON_TIMEOUT, -1),
       BD_VET_SILENT, "does not answer"},
      {"closed port", ERR(BD_REASON_UNREACHABLE, -1),
       ERR(BD_REASON_UNREACHABLE, -1), BD_VET_CONN_REFUSED,
       "refuses connections"},
      {"garbage", ERR(BD_REASON_BAD_RESPONSE, -1), NODATA, BD_VET_BAD_RESPONSE,
       "do not parse"},
      {"notauth", NX, ERR(BD_REASON_RCODE, 9), BD_VET_RCODE, "answers NOTAUTH"},
      {"rcode 15", ERR(BD_REASON_RCODE, 15), NODATA, BD_VET_RCODE,
       "answers rcode 15"},
      /* One question silent, the other refused: silence says more. */
      {"half silent", ERR(BD_REASON_TIMEOUT, -1), ERR(BD_REASON_REFUSED, 5),
       BD_VET_SILENT, "does not answer"},
      /* A rewriter that also denies com.: rewriting is worse. */
      {"rewrites, denies", FOUND, NX, BD_VET_REWRITES, "rewrites"},
  };
  char buf[64];
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct vet_case *c = &cases[i];
    int rcode = -2;
    enum bd_vet got = bd_trust_vet(&c->rewrite, &c->reference, &rcode);
    const char *phrase = bd_vet_describe(got, rcode, buf, sizeof(buf));
    if (got != c->want || strstr(phrase, c->phrase) == NULL)
      fail_msg("%s: got %d (%s)", c->what, got, phrase);
  }
  assert_true(bd_vet_is_content(BD_VET_REWRITES));
  assert_true(bd_vet_is_content(BD_VET_DENIES_COM));
  assert_false(bd_vet_is_content(BD_VET_REFERRAL));
  assert_false(bd_vet_is_content(BD_VET_SILENT));
}

struct tld_case {
  const char *tld;
  bool apex_missing;
  bool random_found;
  bool believable;
  enum bd_tld_state state;
};

static void test_tld_decisions(void **state) {
  static const struct tld_case cases[] = {
      {"dev", false, false, true, BD_TLD_FINE},
      {"dev", false, true, true, BD_TLD_WILDCARD},
      {"dev", true, false, false, BD_TLD_DENIED}, /* dev exists */
      {"de", true, false, false, BD_TLD_DENIED},
      {"zzq", true, false, true, BD_TLD_MISSING}, /* unknown: believed */
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct bd_tld tld;
    memset(&tld, 0, sizeof(tld));
    strcpy(tld.name, cases[i].tld);
    tld.apex_missing = cases[i].apex_missing;
    tld.random_found = cases[i].random_found;
    assert_int_equal(bd_trust_decide(&tld), cases[i].believable);
    assert_int_equal(tld.state, cases[i].state);
  }
}

static void test_tld_table(void **state) {
  struct bd_trust *t = bd_trust_new();
  bool created;
  struct bd_tld *a;
  struct bd_tld *b;
  (void)state;
  assert_non_null(t);
  a = bd_trust_tld(t, "and.dev", &created);
  assert_true(created);
  assert_string_equal(a->name, "dev");
  b = bd_trust_tld(t, "dev", &created);
  assert_false(created);
  assert_ptr_equal(a, b);
  assert_true(bd_tld_is_known("com"));
  assert_true(bd_tld_is_known("de"));
  assert_false(bd_tld_is_known("zzq"));
  bd_trust_free(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vetting),
      cmocka_unit_test(test_tld_decisions),
      cmocka_unit_test(test_tld_table),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
