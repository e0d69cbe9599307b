/* Start-up when memory runs out: the name source, the output and the
 * engine (zone, lanes, checks, the map of the authoritative mode) are set
 * up with each allocation failing in turn, c-ares' own included. Each set-up
 * must fail cleanly (nothing left allocated, no handle left on the loop) or
 * succeed and close cleanly. Nothing is ever sent: engines are stopped
 * before the loop runs. */
#include "unit.h"

#include <ares.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/engine.h"
#include "blogdom/iterate.h"
#include "blogdom/output.h"
#include "blogdom/resolvers.h"
#include "blogdom/servers.h"
#include "blogdom/source.h"

#include "failalloc.c"

static int setup(void **state) {
  (void)state;
  return ares_library_init_mem(ARES_LIB_INIT_ALL, bd_failalloc_malloc,
                               bd_failalloc_free,
                               bd_failalloc_realloc) == ARES_SUCCESS
             ? 0
             : -1;
}

static int teardown(void **state) {
  (void)state;
  ares_library_cleanup();
  return 0;
}

static char *const tlds[] = {"dev", "app"};

static void source_config(struct bd_source_config *sc, char *const *files,
                          size_t nfiles) {
  static char *const names[] = {"and", "example.com", "none"};
  memset(sc, 0, sizeof(*sc));
  sc->names = names;
  sc->nnames = 3;
  sc->files = files;
  sc->nfiles = nfiles;
  sc->tlds = tlds;
  sc->ntlds = 2;
  sc->max_len = 4;
}

static void test_source(void **state) {
  char path[] = "/tmp/bd-startup-XXXXXX";
  int fd = mkstemp(path);
  char *files[] = {path, path};
  struct bd_source_config sc;
  long before = bd_failalloc_live();
  (void)state;
  assert_true(fd >= 0);
  assert_true(write(fd, "and\nnone\n", 9) == 9);
  close(fd);
  source_config(&sc, files, 2);
  for (unsigned long n = 1;; n++) {
    struct bd_source *src = NULL;
    int rc;
    bd_failalloc_arm(n);
    rc = bd_source_open(&src, &sc);
    bd_failalloc_disarm();
    if (rc == 0)
      bd_source_close(src);
    assert_int_equal(bd_failalloc_live(), before);
    if (!bd_failalloc_fired())
      break;
  }
  unlink(path);
}

static void test_output(void **state) {
  struct bd_output_config oc;
  long before = bd_failalloc_live();
  (void)state;
  memset(&oc, 0, sizeof(oc));
  oc.fd = 1;
  oc.input_order = true;
  oc.reorder_cap = 8000;
  for (unsigned long n = 1;; n++) {
    struct bd_output *out;
    bd_failalloc_arm(n);
    out = bd_output_new(&oc);
    bd_failalloc_disarm();
    bd_output_free(out);
    assert_int_equal(bd_failalloc_live(), before);
    if (!bd_failalloc_fired())
      break;
  }
}

static int on_result(void *data, const struct bd_result *r) {
  (void)data;
  (void)r;
  fail_msg("a name got a line: nothing should have been sent");
  return 0;
}

static bool has_room(void *data, uint64_t seq) {
  (void)data;
  (void)seq;
  return true;
}

/* Sets up an engine with each allocation failing in turn; a set-up that
 * succeeds is stopped at once. Either way one run of the loop closes what
 * was opened, and then nothing is left. */
static void engine_runs(const struct bd_engine_config *ec, unsigned *failed,
                        unsigned *succeeded) {
  struct bd_source_config sc;
  struct bd_engine_hooks hooks = {NULL, on_result, has_room, NULL, NULL};
  long before = bd_failalloc_live();

  source_config(&sc, NULL, 0);
  for (unsigned long n = 1;; n++) {
    uv_loop_t loop;
    struct bd_source *src = NULL;
    struct bd_engine *e = NULL;
    int rc;

    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(bd_source_open(&src, &sc), 0);
    bd_failalloc_arm(n);
    rc = bd_engine_new(&e, &loop, ec, src, &hooks);
    bd_failalloc_disarm();
    if (rc == 0) {
      bd_engine_stop(e);
      (*succeeded)++;
    } else {
      (*failed)++;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    bd_engine_free(e);
    bd_source_close(src);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(bd_failalloc_live(), before);
    if (!bd_failalloc_fired())
      break;
  }
}

static struct bd_resolvers_config resolvers;
static struct bd_iterate_config map;

static void engine_config(struct bd_engine_config *ec,
                          const struct bd_server_list *servers) {
  memset(ec, 0, sizeof(*ec));
  resolvers.servers = servers->items;
  resolvers.count = servers->count;
  ec->open_router = bd_resolvers_open;
  ec->router_cfg = &resolvers;
  ec->vet = true;
  ec->upfront_checks = true;
  ec->timeout_ms = 1000;
  ec->tries = 2;
  ec->qtype = 1;
  ec->window_max = 65536;
  ec->window_floor = 1000;
  ec->window_init = 100;
  ec->wildcard_check = true;
}

static void test_engine(void **state) {
  struct bd_server_list servers = {0};
  const char *bad;
  size_t bad_len;
  struct bd_engine_config ec;
  unsigned failed = 0;
  unsigned succeeded = 0;
  (void)state;
  /* Addresses on loopback that nothing is sent to. */
  assert_int_equal(
      bd_server_list_add(&servers, "127.0.0.1:9,[::1]:9", &bad, &bad_len),
      BD_SERVER_OK);
  engine_config(&ec, &servers);
  engine_runs(&ec, &failed, &succeeded); /* vetting, TLD checks */
  ec.vet = false;
  ec.wildcard_check = false;
  engine_runs(&ec, &failed, &succeeded); /* no checks */
  engine_config(&ec, &servers);
  map.roots = servers.items;
  map.nroots = servers.count;
  ec.open_router = bd_iterate_open;
  ec.router_cfg = &map;
  ec.vet = false;
  ec.upfront_checks = false;
  ec.server_rate = 100;
  engine_runs(&ec, &failed, &succeeded); /* the map of zones */
  /* Each set-up failed at many steps (a few of c-ares' allocations are
   * ones it can do without) and ran to its end at last. */
  assert_true(succeeded >= 3);
  assert_true(failed > 30);
  bd_server_list_free(&servers);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_source),
      cmocka_unit_test(test_output),
      cmocka_unit_test(test_engine),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
