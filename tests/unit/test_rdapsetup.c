/* The RDAP client's set-up when memory runs out: each allocation in turn
 * fails, ours and libcurl's and jansson's, and bd_rdap_new() must fail
 * cleanly (nothing left allocated, no handle on the loop) or succeed and
 * close cleanly. No request is ever sent: the one lookup made is
 * cancelled before the loop runs. */
#include "unit.h"

#include <dlfcn.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/curlapi.h"
#include "blogdom/rdap.h"

#include "failalloc.c"

struct cancelled {
  int calls;
  enum bd_rdap_outcome outcome;
};

static void on_result(void *arg, const struct bd_rdap_result *r) {
  struct cancelled *c = arg;
  c->calls++;
  c->outcome = r->outcome;
}

/* libcurl and jansson allocate through failalloc too. curl takes its
 * allocator at its first global init, which this is: curluv's later ones
 * only count up, and never down to the last. */
static int setup(void **state) {
  typedef CURLcode (*init_mem_fn)(long, curl_malloc_callback,
                                  curl_free_callback, curl_realloc_callback,
                                  curl_strdup_callback, curl_calloc_callback);
  const char *why = NULL;
  init_mem_fn init_mem;
  void *lib;

  (void)state;
  if (bd_curl_load(&why) != 0) {
    fprintf(stderr, "libcurl: %s\n", why);
    return -1;
  }
  lib = dlopen("libcurl.so.4", RTLD_NOW);
  if (lib == NULL)
    return -1;
  *(void **)&init_mem = dlsym(lib, "curl_global_init_mem");
  if (init_mem == NULL ||
      init_mem(CURL_GLOBAL_DEFAULT, bd_failalloc_malloc, bd_failalloc_free,
               bd_failalloc_realloc, bd_failalloc_strdup,
               bd_failalloc_calloc) != CURLE_OK)
    return -1;
  json_set_alloc_funcs(bd_failalloc_malloc, bd_failalloc_free);
  return 0;
}

/* Runs set-up, one lookup and close with the nth allocation failing;
 * returns whether that failure happened (else every step had its
 * memory). */
static bool run_once(const struct bd_rdap_config *cfg, unsigned long n) {
  struct cancelled c = {0, BD_RDAP_REGISTERED};
  long before = bd_failalloc_live();
  struct bd_rdap *r = NULL;
  uv_loop_t loop;
  bool fired;
  int looked = -1;
  int rc;

  assert_int_equal(uv_loop_init(&loop), 0);
  bd_failalloc_arm(n);
  rc = bd_rdap_new(&r, &loop, cfg);
  if (rc == 0)
    looked = bd_rdap_lookup(r, "name.dev.", on_result, &c);
  if (rc == 0)
    bd_rdap_close(r);
  bd_failalloc_disarm();
  fired = bd_failalloc_fired();
  if (rc != 0) {
    /* Nothing on the loop, nothing in memory. */
    if (rc != -ENOMEM && rc != -EINVAL)
      fail_msg("allocation %lu: bd_rdap_new() returned %d", n, rc);
    assert_true(fired);
    assert_int_equal(uv_loop_alive(&loop), 0);
  } else {
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    bd_rdap_free(r);
    if (looked == 0) {
      assert_int_equal(c.calls, 1);
      assert_int_equal(c.outcome, BD_RDAP_CANCELLED);
    } else {
      assert_int_equal(looked, -ENOMEM);
      assert_int_equal(c.calls, 0);
    }
  }
  assert_int_equal(uv_loop_close(&loop), 0);
  if (bd_failalloc_live() != before)
    fail_msg("allocation %lu failing: %ld blocks leaked", n,
             bd_failalloc_live() - before);
  return fired;
}

/* Fails each allocation in turn, until one run needs no failure. */
static void fail_each(const struct bd_rdap_config *cfg) {
  unsigned long n = 1;
  while (run_once(cfg, n))
    n++;
  /* At least the client, and a request, were allocated. */
  assert_true(n > 2);
}

static void test_forced_url(void **state) {
  struct bd_rdap_config cfg;
  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  cfg.forced_url = "http://127.0.0.1:9/rdap";
  fail_each(&cfg);
}

static void test_bootstrap_file(void **state) {
  static const char json[] =
      "{\"services\": [[[\"dev\", \"app\"], [\"http://127.0.0.1:9/\"]],"
      " [[\"com\"], [\"https://127.0.0.1:9/com/\"]]]}";
  char dir[] = "/tmp/blogdom-rdapsetup-XXXXXX";
  char path[64];
  struct bd_rdap_config cfg;
  FILE *f;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/dns.json", dir);
  f = fopen(path, "w");
  assert_non_null(f);
  assert_int_equal(fwrite(json, 1, sizeof(json) - 1, f), sizeof(json) - 1);
  assert_int_equal(fclose(f), 0);
  memset(&cfg, 0, sizeof(cfg));
  cfg.bootstrap_file = path;
  fail_each(&cfg);
  unlink(path);
  rmdir(dir);
}

/* No option: the bootstrap waits for the first lookup to run on the loop,
 * which it never does here. */
static void test_lazy_bootstrap(void **state) {
  struct bd_rdap_config cfg;
  (void)state;
  memset(&cfg, 0, sizeof(cfg));
  fail_each(&cfg);
}

/* Set-up errors that are not about memory leave nothing behind either. */
static void test_bad_options(void **state) {
  struct bd_rdap_config cfg;
  struct bd_rdap *r = NULL;
  long before = bd_failalloc_live();
  uv_loop_t loop;

  (void)state;
  assert_int_equal(uv_loop_init(&loop), 0);
  memset(&cfg, 0, sizeof(cfg));
  cfg.forced_url = "ftp://127.0.0.1/";
  assert_int_equal(bd_rdap_new(&r, &loop, &cfg), -EINVAL);
  cfg.forced_url = "http:///x";
  assert_int_equal(bd_rdap_new(&r, &loop, &cfg), -EINVAL);
  cfg.forced_url = NULL;
  cfg.bootstrap_file = "/nonexistent/dns.json";
  assert_int_equal(bd_rdap_new(&r, &loop, &cfg), -ENOENT);
  assert_null(r);
  assert_int_equal(uv_loop_close(&loop), 0);
  assert_int_equal(bd_failalloc_live(), before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_forced_url),
      cmocka_unit_test(test_bootstrap_file),
      cmocka_unit_test(test_lazy_bootstrap),
      cmocka_unit_test(test_bad_options),
  };
  return cmocka_run_group_tests(tests, setup, NULL);
}
