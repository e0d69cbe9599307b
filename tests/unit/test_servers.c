/* -s specs into addresses. */
#include "unit.h"

#include <string.h>
#include <sys/socket.h>

#include "blogdom/servers.h"

static void expect_ok(const char *spec, int family, unsigned port,
                      const char *text) {
  struct bd_server s;
  assert_int_equal(bd_server_parse(spec, strlen(spec), &s), BD_SERVER_OK);
  assert_int_equal(s.family, family);
  assert_int_equal(s.port, port);
  assert_string_equal(s.text, text);
}

static void expect_err(const char *spec, enum bd_server_error err) {
  struct bd_server s;
  assert_int_equal(bd_server_parse(spec, strlen(spec), &s), err);
}

static void test_valid(void **state) {
  (void)state;
  expect_ok("127.0.0.1", AF_INET, 53, "127.0.0.1:53");
  expect_ok("127.0.0.1:5353", AF_INET, 5353, "127.0.0.1:5353");
  expect_ok(" 127.0.0.1:5353 ", AF_INET, 5353, "127.0.0.1:5353");
  expect_ok("::1", AF_INET6, 53, "[::1]:53");
  expect_ok("[::1]", AF_INET6, 53, "[::1]:53");
  expect_ok("[::1]:5353", AF_INET6, 5353, "[::1]:5353");
  expect_ok("2001:db8::53", AF_INET6, 53, "[2001:db8::53]:53");
}

static void test_invalid(void **state) {
  (void)state;
  expect_err("", BD_SERVER_EMPTY);
  expect_err("localhost", BD_SERVER_BAD_ADDRESS);
  expect_err("256.0.0.1", BD_SERVER_BAD_ADDRESS);
  expect_err("127.0.0.1:", BD_SERVER_BAD_PORT);
  expect_err("127.0.0.1:0", BD_SERVER_BAD_PORT);
  expect_err("127.0.0.1:65536", BD_SERVER_BAD_PORT);
  expect_err("127.0.0.1:53x", BD_SERVER_BAD_PORT);
  expect_err("[::1", BD_SERVER_BAD_ADDRESS);
  expect_err("[::1]x", BD_SERVER_BAD_ADDRESS);
  expect_err("[127.0.0.1]:53", BD_SERVER_BAD_ADDRESS);
  expect_err("[::1]:", BD_SERVER_BAD_PORT);
}

/* A bare IPv6 address whose last group could be a port reads two ways:
 * an error that shows both. One whose last group cannot (hex, or a
 * prefix that is no address) reads one way. */
static void test_ambiguous(void **state) {
  char readings[2 * BD_SERVER_TEXT + 8];
  (void)state;
  expect_err("::1:5300", BD_SERVER_AMBIGUOUS);
  expect_err("fe80::1:53", BD_SERVER_AMBIGUOUS);
  bd_server_readings(" ::1:5300 ", 10, readings, sizeof(readings));
  assert_string_equal(readings, "[::0.1.83.0]:53 or [::1]:5300");
  bd_server_readings("fe80::1:53", 10, readings, sizeof(readings));
  assert_string_equal(readings, "[fe80::1:53]:53 or [fe80::1]:53");
  expect_ok("::1:ab", AF_INET6, 53, "[::0.1.0.171]:53");
  expect_ok("2001:db8::53", AF_INET6, 53, "[2001:db8::53]:53");
  expect_ok("[::1:5300]", AF_INET6, 53, "[::0.1.83.0]:53");
  expect_ok("[::1]:5300", AF_INET6, 5300, "[::1]:5300");
  bd_server_readings("::1", 3, readings, sizeof(readings));
  assert_string_equal(readings, "");
}

static void test_list(void **state) {
  struct bd_server_list list = {0};
  const char *bad = NULL;
  size_t bad_len = 0;
  (void)state;
  assert_int_equal(
      bd_server_list_add(&list, "127.0.0.1:1,[::1]:2", &bad, &bad_len),
      BD_SERVER_OK);
  assert_int_equal(list.count, 2);
  assert_string_equal(list.items[1].text, "[::1]:2");
  assert_int_equal(
      bd_server_list_add(&list, "127.0.0.2,nope,::1", &bad, &bad_len),
      BD_SERVER_BAD_ADDRESS);
  assert_int_equal(bad_len, 4);
  assert_memory_equal(bad, "nope", 4);
  bd_server_list_free(&list);
}

/* The same address and port twice is one server, counted as merged;
 * another port is another server. */
static void test_list_merges_repeats(void **state) {
  struct bd_server_list list = {0};
  const char *bad = NULL;
  size_t bad_len = 0;
  (void)state;
  assert_int_equal(
      bd_server_list_add(&list, "127.0.0.1,127.0.0.1:53,[::1]", &bad, &bad_len),
      BD_SERVER_OK);
  assert_int_equal(
      bd_server_list_add(&list, "::1,127.0.0.1:54", &bad, &bad_len),
      BD_SERVER_OK);
  assert_int_equal(list.count, 3);
  assert_int_equal(list.merged, 2);
  assert_string_equal(list.first_merged, "127.0.0.1:53");
  assert_string_equal(list.items[2].text, "127.0.0.1:54");
  bd_server_list_free(&list);
  assert_int_equal(list.merged, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),
      cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_ambiguous),
      cmocka_unit_test(test_list),
      cmocka_unit_test(test_list_merges_repeats),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
