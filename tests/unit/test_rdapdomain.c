/* The RDAP domain object reader (rdapdomain.c): status values, events and
 * the holds they mean, and bodies that are no domain object. */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/rdapdomain.h"
#include "blogdom/verdict.h"

struct good_case {
  const char *body;
  unsigned nstatus;
  const char *first_status;
  const char *expires;
  const char *deletes;
  unsigned holds;
};

static const struct good_case good[] = {
    {"{\"objectClassName\":\"domain\"}", 0, NULL, "", "", 0},
    {"{\"objectClassName\":\"domain\",\"status\":[\"active\"]}", 1, "active",
     "", "", 0},
    {"{\"objectClassName\":\"domain\",\"status\":[\"redemption period\","
     "\"pending delete\"]}",
     2, "redemption period", "", "", 3},
    {"{\"objectClassName\":\"domain\",\"status\":[\"pending delete\"]}", 1,
     "pending delete", "", "", BD_REGISTRY_PENDING_DELETE},
    {"{\"objectClassName\":\"domain\",\"status\":[\"client hold\"]}", 1,
     "client hold", "", "", BD_REGISTRY_HOLD},
    {"{\"objectClassName\":\"domain\",\"status\":[\"Server Hold\"]}", 1,
     "Server Hold", "", "", BD_REGISTRY_HOLD},
    {"{\"objectClassName\":\"domain\",\"status\":[\"clientHold\","
     "\"redemptionPeriod\",\"pending_delete\"]}",
     3, "clientHold", "", "", 7},
    {"{\"objectClassName\":\"domain\",\"status\":[\"client hold x\"]}", 1,
     "client hold x", "", "", 0},
    {"{\"objectClassName\":\"domain\",\"events\":["
     "{\"eventAction\":\"registration\",\"eventDate\":\"2020-01-01T00:00:00Z\"}"
     ","
     "{\"eventAction\":\"expiration\",\"eventDate\":\"2026-09-01T00:00:00Z\"},"
     "{\"eventAction\":\"deletion\",\"eventDate\":\"2026-08-06T12:30:00.5+02:"
     "00\"},"
     "{\"eventAction\":\"expiration\",\"eventDate\":\"2027-01-01T00:00:00Z\"},"
     "{\"eventAction\":\"last changed\"}]}",
     0, NULL, "2026-09-01T00:00:00Z", "2026-08-06T10:30:00Z", 0},
    /* A date alone is midnight UTC; offsets and fractions go. */
    {"{\"objectClassName\":\"domain\",\"events\":["
     "{\"eventAction\":\"expiration\",\"eventDate\":\"2026-09-01\"},"
     "{\"eventAction\":\"deletion\",\"eventDate\":\"2026-12-31t23:30:00."
     "123-01:00\"}]}",
     0, NULL, "2026-09-01T00:00:00Z", "2027-01-01T00:30:00Z", 0},
    /* A year of fewer than four significant digits keeps all four. */
    {"{\"objectClassName\":\"domain\",\"events\":["
     "{\"eventAction\":\"expiration\",\"eventDate\":\"0401-01-01\"}]}",
     0, NULL, "0401-01-01T00:00:00Z", "", 0},
    /* The domain asked, in any case, with a final dot. */
    {"{\"objectClassName\":\"domain\",\"ldhName\":\"Hold.DEV.\"}", 0, NULL, "",
     "", 0},
    /* Members we do not read may be anything. */
    {"{\"objectClassName\":\"domain\",\"port43\":7,\"entities\":null,"
     "\"status\":[]}",
     0, NULL, "", "", 0},
};

static const char *const bad[] = {
    "",
    "   ",
    "<html>taken</html>",
    "[]",
    "\"domain\"",
    "null",
    "{}",
    "{\"objectClassName\":\"entity\"}",
    "{\"objectClassName\":\"Domain\"}",
    "{\"objectClassName\":[\"domain\"]}",
    "{\"objectClassName\":\"domain\"",
    "{\"objectClassName\":\"domain\"} trailing",
    "{\"objectClassName\":\"domain\",\"objectClassName\":\"domain\"}",
    "{\"objectClassName\":\"domain\",\"status\":\"active\"}",
    "{\"objectClassName\":\"domain\",\"status\":{}}",
    "{\"objectClassName\":\"domain\",\"status\":[1]}",
    "{\"objectClassName\":\"domain\",\"status\":[\"\"]}",
    "{\"objectClassName\":\"domain\",\"status\":[null]}",
    "{\"objectClassName\":\"domain\",\"status\":[\"a\\u0000b\"]}",
    "{\"objectClassName\":\"domain\",\"events\":{}}",
    "{\"objectClassName\":\"domain\",\"events\":[1]}",
    "{\"objectClassName\":\"domain\",\"events\":[{}]}",
    "{\"objectClassName\":\"domain\",\"events\":[{\"eventAction\":5}]}",
    "\xff\xfe{}",
    "{\"objectClassName\":\"domain\",\"ldhName\":\"other.dev\"}",
    "{\"objectClassName\":\"domain\",\"ldhName\":\"www.hold.dev\"}",
    "{\"objectClassName\":\"domain\",\"ldhName\":7}",
    "{\"objectClassName\":\"domain\",\"status\":[\"\xc3\x28\"]}",
};

static void test_good(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
    struct bd_rdapdomain d;
    int rc =
        bd_rdapdomain_parse(good[i].body, strlen(good[i].body), "hold.dev", &d);
    if (rc != 0)
      fail_msg("good case %zu: %d", i, rc);
    assert_int_equal(d.nstatus, good[i].nstatus);
    if (good[i].first_status != NULL)
      assert_string_equal(d.status[0], good[i].first_status);
    assert_string_equal(d.expires, good[i].expires);
    assert_string_equal(d.deletes, good[i].deletes);
    assert_int_equal(d.holds, good[i].holds);
  }
}

static void test_bad(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    struct bd_rdapdomain d;
    int rc = bd_rdapdomain_parse(bad[i], strlen(bad[i]), "hold.dev", &d);
    if (rc != -EINVAL)
      fail_msg("bad case %zu (%s): %d", i, bad[i], rc);
    assert_int_equal(d.nstatus, 0);
    assert_int_equal(d.holds, 0);
  }
}

static void test_caps(void **state) {
  char body[4096];
  size_t n;
  struct bd_rdapdomain d;
  char *big;
  (void)state;

  /* More status values than kept: all checked, the first kept. */
  n = (size_t)snprintf(body, sizeof(body),
                       "{\"objectClassName\":\"domain\","
                       "\"status\":[");
  for (int i = 0; i < 20; i++)
    n += (size_t)snprintf(body + n, sizeof(body) - n, "%s\"s%d\"", i ? "," : "",
                          i);
  n += (size_t)snprintf(body + n, sizeof(body) - n, ",\"server hold\"]}");
  assert_int_equal(bd_rdapdomain_parse(body, n, NULL, &d), 0);
  assert_int_equal(d.nstatus, BD_RDAPDOMAIN_STATUS_MAX);
  assert_string_equal(d.status[15], "s15");
  assert_int_equal(d.holds, BD_REGISTRY_HOLD);
  assert_true(d.status_truncated);

  /* A value at the length cap, and one past it. */
  n = (size_t)snprintf(body, sizeof(body),
                       "{\"objectClassName\":\"domain\",\"status\":[\"%0*d\"]}",
                       BD_RDAPDOMAIN_STATUS_LEN, 0);
  assert_int_equal(bd_rdapdomain_parse(body, n, NULL, &d), 0);
  assert_false(d.status_truncated);
  n = (size_t)snprintf(body, sizeof(body),
                       "{\"objectClassName\":\"domain\",\"status\":[\"%0*d\"]}",
                       BD_RDAPDOMAIN_STATUS_LEN + 1, 0);
  /* cut to the cap, with its flag: not the whole answer lost */
  assert_int_equal(bd_rdapdomain_parse(body, n, NULL, &d), 0);
  assert_int_equal(strlen(d.status[0]), BD_RDAPDOMAIN_STATUS_LEN);
  assert_true(d.status_truncated);

  /* Over the body cap, whatever it holds. */
  big = malloc(BD_RDAPDOMAIN_BODY_MAX + 2);
  assert_non_null(big);
  memset(big, ' ', BD_RDAPDOMAIN_BODY_MAX + 1);
  memcpy(big, "{\"objectClassName\":\"domain\"}", 28);
  assert_int_equal(bd_rdapdomain_parse(big, BD_RDAPDOMAIN_BODY_MAX, NULL, &d),
                   0);
  assert_int_equal(
      bd_rdapdomain_parse(big, BD_RDAPDOMAIN_BODY_MAX + 1, NULL, &d), -EFBIG);
  free(big);
}

/* Dates that cannot be read cost themselves, with a flag: the domain is
 * still registered. */
static void test_unreadable_dates_are_dropped(void **state) {
  static const char *const dates[] = {
      "soon", "2026-1-01", "2026-01-01 12:00", "2026-01-01T\\u202e",
      "2026-02-30", "2026-13-01", "2026-01-01T25:00:00Z",
      "2026-01-01T10:00:00+0100", "2026-01-01T10:00:00.",
      /* out of four digits in UTC */
      "0000-01-01T00:00:00+01:00"};
  char body[512];
  struct bd_rdapdomain d;
  (void)state;

  for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
    int n = snprintf(body, sizeof(body),
                     "{\"objectClassName\":\"domain\",\"events\":["
                     "{\"eventAction\":\"expiration\",\"eventDate\":\"%s\"},"
                     "{\"eventAction\":\"deletion\",\"eventDate\":"
                     "\"2026-03-01T00:00:00Z\"}]}",
                     dates[i]);
    assert_int_equal(bd_rdapdomain_parse(body, (size_t)n, NULL, &d), 0);
    if (d.expires[0] != '\0')
      fail_msg("%s read as %s", dates[i], d.expires);
    assert_true(d.dates_dropped);
    assert_string_equal(d.deletes, "2026-03-01T00:00:00Z");
  }
}

static void test_registry_status_reasons(void **state) {
  static const struct {
    unsigned holds;
    enum bd_reason reason;
  } table[] = {
      {0, BD_REASON_REGISTERED_NO_DNS},
      {BD_REGISTRY_HOLD, BD_REASON_ON_HOLD},
      {BD_REGISTRY_PENDING_DELETE, BD_REASON_PENDING_DELETE},
      {BD_REGISTRY_PENDING_DELETE | BD_REGISTRY_HOLD, BD_REASON_PENDING_DELETE},
      {BD_REGISTRY_REDEMPTION | BD_REGISTRY_PENDING_DELETE,
       BD_REASON_REDEMPTION},
      {7, BD_REASON_REDEMPTION},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
    struct bd_verdict v;
    char ev[32];
    memset(&v, 0, sizeof(v));
    v.status = BD_NOTFOUND;
    v.reason = BD_REASON_NXDOMAIN;
    v.rcode = 3;
    bd_verdict_apply_confirm(&v, BD_CONFIRM_REGISTERED, 200);
    bd_verdict_apply_registry_status(&v, table[i].holds);
    assert_int_equal(v.status, BD_FOUND);
    assert_int_equal(v.reason, table[i].reason);
    assert_string_equal(bd_verdict_evidence(&v, ev, sizeof(ev)), "rdap:200");
  }
  {
    struct bd_verdict v;
    char ev[32];
    memset(&v, 0, sizeof(v));
    v.status = BD_NOTFOUND;
    v.reason = BD_REASON_NXDOMAIN;
    bd_verdict_apply_confirm(&v, BD_CONFIRM_BAD_RESPONSE, 200);
    assert_int_equal(v.status, BD_ERROR);
    assert_string_equal(bd_reason_name(v.reason), "rdap-bad-response");
    assert_string_equal(bd_verdict_evidence(&v, ev, sizeof(ev)), "rdap:200");
    /* Only a registered name takes a state. */
    bd_verdict_apply_registry_status(&v, BD_REGISTRY_HOLD);
    assert_int_equal(v.reason, BD_REASON_RDAP_BAD_RESPONSE);
  }
  assert_string_equal(bd_reason_name(BD_REASON_REDEMPTION), "redemption");
  assert_string_equal(bd_reason_name(BD_REASON_PENDING_DELETE),
                      "pending-delete");
  assert_string_equal(bd_reason_name(BD_REASON_ON_HOLD), "on-hold");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_good),
      cmocka_unit_test(test_bad),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_unreadable_dates_are_dropped),
      cmocka_unit_test(test_registry_status_reasons),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
