/* libcurl on a libuv loop, against an HTTP server on 127.0.0.1 in the
 * same loop: transfers end in their callback, a stopped one never does,
 * and every handle is closed at the end. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "blogdom/common.h"
#include "blogdom/curlapi.h"
#include "blogdom/curluv.h"

static const char reply[] = "HTTP/1.1 404 Not Found\r\n"
                            "Content-Length: 0\r\n"
                            "Connection: close\r\n\r\n";

/* One connection to the fixture server; it answers the first bytes read
 * and closes. */
struct conn {
  uv_tcp_t tcp;
  uv_write_t write;
  char buf[1024];
  bool answered;
};

struct fixture {
  uv_loop_t loop;
  uv_tcp_t server;
  int port;
  unsigned requests;
  struct bd_curluv *curl;
  unsigned after_calls;
  struct transfer {
    struct bd_curluv_xfer xfer;
    struct fixture *f;
    int calls;
    CURLcode result;
    long status;
  } t[2];
};

static void on_conn_closed(uv_handle_t *h) {
  free(container_of((uv_tcp_t *)h, struct conn, tcp));
}

static void on_written(uv_write_t *w, int status) {
  struct conn *c = container_of(w, struct conn, write);
  (void)status;
  uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  struct conn *c = container_of((uv_tcp_t *)h, struct conn, tcp);
  (void)hint;
  *buf = uv_buf_init(c->buf, sizeof(c->buf));
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  struct conn *c = container_of((uv_tcp_t *)s, struct conn, tcp);
  struct fixture *f = s->data;
  uv_buf_t out = uv_buf_init((char *)(uintptr_t)reply, sizeof(reply) - 1);

  (void)buf;
  if (n < 0 && !c->answered) {
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    return;
  }
  if (n <= 0 || c->answered)
    return;
  c->answered = true;
  f->requests++;
  assert_int_equal(uv_read_stop(s), 0);
  assert_int_equal(uv_write(&c->write, s, &out, 1, on_written), 0);
}

static void on_connection(uv_stream_t *server, int status) {
  struct conn *c = calloc(1, sizeof(*c));
  assert_int_equal(status, 0);
  assert_non_null(c);
  assert_int_equal(uv_tcp_init(server->loop, &c->tcp), 0);
  c->tcp.data = server->data;
  assert_int_equal(uv_accept(server, (uv_stream_t *)&c->tcp), 0);
  assert_int_equal(uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read), 0);
}

static void on_after_events(void *data, int watch_error) {
  struct fixture *f = data;
  assert_int_equal(watch_error, 0);
  f->after_calls++;
}

static int setup(void **state) {
  struct bd_curluv_config cfg = {0, on_after_events, NULL};
  struct fixture *f = calloc(1, sizeof(*f));
  struct sockaddr_in addr;
  struct sockaddr_storage bound;
  int len = sizeof(bound);
  const char *why;

  if (f == NULL || bd_curl_load(&why) != 0 || uv_loop_init(&f->loop) != 0)
    return -1;
  uv_ip4_addr("127.0.0.1", 0, &addr);
  if (uv_tcp_init(&f->loop, &f->server) != 0 ||
      uv_tcp_bind(&f->server, (const struct sockaddr *)&addr, 0) != 0 ||
      uv_listen((uv_stream_t *)&f->server, 8, on_connection) != 0 ||
      uv_tcp_getsockname(&f->server, (struct sockaddr *)&bound, &len) != 0)
    return -1;
  f->server.data = f;
  f->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
  cfg.data = f;
  if (bd_curluv_new(&f->curl, &f->loop, &cfg) != 0)
    return -1;
  for (int i = 0; i < 2; i++)
    f->t[i].f = f;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fixture *f = *state;
  if (f->curl != NULL)
    bd_curluv_close(f->curl);
  uv_close((uv_handle_t *)&f->server, NULL);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(uv_loop_close(&f->loop), 0);
  free(f);
  return 0;
}

static void on_done(struct bd_curluv_xfer *x, CURL *easy, CURLcode result) {
  struct transfer *t = container_of(x, struct transfer, xfer);
  t->calls++;
  t->result = result;
  bd_curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &t->status);
  bd_curl.easy_cleanup(easy);
}

static CURL *get(const struct fixture *f, const char *path) {
  char url[64];
  CURL *easy;
  snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", f->port, path);
  easy = bd_curluv_easy(url, "http,https", 5000);
  assert_non_null(easy);
  return easy;
}

static void test_two_transfers(void **state) {
  struct fixture *f = *state;

  for (int i = 0; i < 2; i++)
    assert_int_equal(
        bd_curluv_start(f->curl, &f->t[i].xfer, get(f, "/x"), on_done), 0);
  /* The server's handle keeps the loop running: run until both end. */
  while (f->t[0].calls + f->t[1].calls < 2)
    uv_run(&f->loop, UV_RUN_ONCE);
  for (int i = 0; i < 2; i++) {
    assert_int_equal(f->t[i].calls, 1);
    assert_int_equal(f->t[i].result, CURLE_OK);
    assert_int_equal(f->t[i].status, 404);
  }
  assert_int_equal(f->requests, 2);
  assert_true(f->after_calls > 0);
}

/* A stopped transfer never calls back; the easy handle stays ours. */
static void test_stop(void **state) {
  struct fixture *f = *state;
  CURL *easy = get(f, "/y");

  assert_int_equal(bd_curluv_start(f->curl, &f->t[0].xfer, easy, on_done), 0);
  assert_int_equal(
      bd_curluv_start(f->curl, &f->t[1].xfer, get(f, "/z"), on_done), 0);
  bd_curluv_stop(f->curl, &f->t[0].xfer);
  bd_curl.easy_cleanup(easy);
  while (f->t[1].calls == 0)
    uv_run(&f->loop, UV_RUN_ONCE);
  assert_int_equal(f->t[0].calls, 0);
  assert_int_equal(f->t[1].status, 404);
}

/* A port nobody listens on: the connection fails, and says so. */
static void test_refused(void **state) {
  struct fixture *f = *state;
  int port = f->port;

  /* The fixture's own port, once its server is gone. */
  uv_close((uv_handle_t *)&f->server, NULL);
  assert_int_equal(uv_run(&f->loop, UV_RUN_NOWAIT), 0);
  assert_int_equal(uv_tcp_init(&f->loop, &f->server), 0);
  f->port = port;
  assert_int_equal(
      bd_curluv_start(f->curl, &f->t[0].xfer, get(f, "/"), on_done), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->t[0].calls, 1);
  assert_int_equal(f->t[0].result, CURLE_COULDNT_CONNECT);
}

/* Unreferenced, curl's handles let the loop end; closing from on_done is
 * fine. */
static void on_done_close(struct bd_curluv_xfer *x, CURL *easy,
                          CURLcode result) {
  struct transfer *t = container_of(x, struct transfer, xfer);
  on_done(x, easy, result);
  bd_curluv_close(t->f->curl);
  t->f->curl = NULL;
}

static void test_unref_and_close_inside(void **state) {
  struct fixture *f = *state;

  bd_curluv_ref(f->curl, false);
  uv_unref((uv_handle_t *)&f->server);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  bd_curluv_ref(f->curl, true);
  assert_int_equal(
      bd_curluv_start(f->curl, &f->t[0].xfer, get(f, "/"), on_done_close), 0);
  assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
  assert_int_equal(f->t[0].calls, 1);
  assert_null(f->curl);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_two_transfers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
      cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unref_and_close_inside, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
