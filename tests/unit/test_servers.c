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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid),
      cmocka_unit_test(test_invalid),
      cmocka_unit_test(test_list),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
