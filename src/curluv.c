/* libcurl's multi interface on a libuv loop, the way curl's own tool binds
 * it (src/tool_operate.c): curl says which sockets to watch through its
 * socket callback and when to call it back through its timer callback;
 * every loop event goes back to curl with curl_multi_socket_action(), and
 * what ended is read after it, outside curl's callbacks. */
#include "blogdom/curluv.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <strings.h>

#include "blogdom/common.h"
#include "blogdom/curlapi.h"
#include "blogdom/fdwatch.h"

struct bd_curluv {
  CURLM *multi; /* NULL once closed */
  uv_timer_t timer;
  struct bd_fdwatch_list watches;
  void (*after_events)(void *data, int watch_error);
  void *data;
  int watch_error;  /* the first since after_events was last called */
  unsigned started; /* transfers started and not yet ended or stopped */
};

static int errno_of(CURLMcode mc) {
  return mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

/* Hands what ended to its owner, then lets the user start what is next. */
static void after_curl(struct bd_curluv *c) {
  CURLMsg *msg;
  int left;
  int err;

  while (c->multi != NULL &&
         (msg = bd_curl.multi_info_read(c->multi, &left)) != NULL) {
    CURLcode result = msg->data.result;
    CURL *easy = msg->easy_handle;
    struct bd_curluv_xfer *x;
    char *priv = NULL;

    if (msg->msg != CURLMSG_DONE)
      continue;
    bd_curl.easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    x = (struct bd_curluv_xfer *)(void *)priv;
    assert(x != NULL && x->easy == easy);
    /* msg is curl's until the next call into the multi handle. */
    bd_curl.multi_remove_handle(c->multi, easy);
    assert(c->started > 0);
    c->started--;
    x->easy = NULL;
    x->on_done(x, easy, result);
  }
  if (c->multi == NULL || c->after_events == NULL)
    return;
  err = c->watch_error;
  c->watch_error = 0;
  c->after_events(c->data, err);
}

static void on_socket_event(void *data, uv_os_sock_t fd, int status,
                            int events) {
  struct bd_curluv *c = data;
  int flags = 0;
  int running;

  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  /* An error here is a transfer's, and comes back through info_read. */
  bd_curl.multi_socket_action(c->multi, fd, flags, &running);
  after_curl(c);
}

static void on_timer(uv_timer_t *t) {
  struct bd_curluv *c = container_of(t, struct bd_curluv, timer);
  int running;
  bd_curl.multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  after_curl(c);
}

/* CURLMOPT_SOCKETFUNCTION. On CURL_POLL_REMOVE curl is about to close the
 * socket or stop caring for it: the watch goes now. A socket that cannot
 * be watched makes its transfer end by its timeout: slower, not lost,
 * whereas returning -1 would fail every transfer of the multi handle. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
                          void *socketp) {
  struct bd_curluv *c = userp;
  int events = 0;
  int rc;

  (void)easy;
  (void)socketp;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= UV_WRITABLE;
  rc = bd_fdwatch_list_set(&c->watches, fd, events);
  if (rc != 0 && c->watch_error == 0)
    c->watch_error = rc;
  return 0;
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer; 0 means "as soon as
 * possible", which the loop's next turn is, as curl must not be called
 * back from inside its own callback. */
static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
  struct bd_curluv *c = userp;
  int rc;

  (void)multi;
  if (timeout_ms < 0)
    rc = uv_timer_stop(&c->timer);
  else
    rc = uv_timer_start(&c->timer, on_timer, (uint64_t)timeout_ms, 0);
  assert(rc == 0); /* fails only on a closing handle */
  return rc == 0 ? 0 : -1;
}

static int set_options(struct bd_curluv *c, long max_host_connections) {
  CURLM *m = c->multi;
  CURLMcode mc =
      bd_curl.multi_setopt(m, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  if (mc == CURLM_OK)
    mc = bd_curl.multi_setopt(m, CURLMOPT_SOCKETDATA, c);
  if (mc == CURLM_OK)
    mc = bd_curl.multi_setopt(m, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  if (mc == CURLM_OK)
    mc = bd_curl.multi_setopt(m, CURLMOPT_TIMERDATA, c);
  if (mc == CURLM_OK && max_host_connections > 0)
    mc = bd_curl.multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS,
                              max_host_connections);
  return mc == CURLM_OK ? 0 : errno_of(mc);
}

int bd_curluv_new(struct bd_curluv **out, uv_loop_t *loop,
                  const struct bd_curluv_config *cfg) {
  struct bd_curluv *c = calloc(1, sizeof(*c));
  CURLcode cc;
  int rc;

  if (c == NULL)
    return -ENOMEM;
  /* Counted by curl: the close callback undoes it. */
  cc = bd_curl.global_init(CURL_GLOBAL_DEFAULT);
  if (cc != CURLE_OK) {
    free(c);
    return cc == CURLE_OUT_OF_MEMORY ? -ENOMEM : -EIO;
  }
  c->multi = bd_curl.multi_init();
  rc = c->multi != NULL ? set_options(c, cfg->max_host_connections) : -ENOMEM;
  /* The timer last: once it is the loop's, it can only be closed. */
  if (rc == 0)
    rc = uv_timer_init(loop, &c->timer);
  if (rc != 0) {
    if (c->multi != NULL)
      bd_curl.multi_cleanup(c->multi);
    bd_curl.global_cleanup();
    free(c);
    return rc;
  }
  c->watches.loop = loop;
  c->watches.cb = on_socket_event;
  c->watches.data = c;
  c->after_events = cfg->after_events;
  c->data = cfg->data;
  *out = c;
  return 0;
}

int bd_curluv_start(struct bd_curluv *c, struct bd_curluv_xfer *x, CURL *easy,
                    bd_curluv_done_cb on_done) {
  CURLMcode mc;

  assert(c->multi != NULL && x->easy == NULL);
  if (bd_curl.easy_setopt(easy, CURLOPT_PRIVATE, x) != CURLE_OK)
    return -EINVAL;
  mc = bd_curl.multi_add_handle(c->multi, easy);
  if (mc != CURLM_OK)
    return errno_of(mc);
  x->easy = easy;
  x->on_done = on_done;
  c->started++;
  return 0;
}

void bd_curluv_stop(struct bd_curluv *c, struct bd_curluv_xfer *x) {
  assert(x->easy != NULL && c->started > 0);
  if (c->multi != NULL)
    bd_curl.multi_remove_handle(c->multi, x->easy);
  x->easy = NULL;
  c->started--;
}

CURL *bd_curluv_easy(const char *url, const char *protocols, long timeout_ms) {
  /* A registry may move, so redirects are followed, but an https one is
   * not left for a plain http one. */
  const char *redirects =
      strncasecmp(url, "https:", 6) == 0 ? "https" : protocols;
  CURL *easy = bd_curl.easy_init();

  if (easy == NULL)
    return NULL;
  if (bd_curl.easy_setopt(easy, CURLOPT_URL, url) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, redirects) !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_MAXREDIRS, 3L) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_USERAGENT, "blogdom/" BD_VERSION) !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK) {
    bd_curl.easy_cleanup(easy);
    return NULL;
  }
  return easy;
}

void bd_curluv_ref(struct bd_curluv *c, bool on) {
  if (on)
    uv_ref((uv_handle_t *)&c->timer);
  else
    uv_unref((uv_handle_t *)&c->timer);
  bd_fdwatch_list_ref(&c->watches, on);
}

static void on_closed(uv_handle_t *h) {
  free(container_of((uv_timer_t *)h, struct bd_curluv, timer));
  bd_curl.global_cleanup();
}

void bd_curluv_close(struct bd_curluv *c) {
  assert(c->multi != NULL);
  /* Closing curl's connections calls on_curl_socket for their sockets;
   * whatever is still watched after that is closed here. */
  bd_curl.multi_cleanup(c->multi);
  c->multi = NULL;
  bd_fdwatch_list_close(&c->watches);
  uv_close((uv_handle_t *)&c->timer, on_closed);
}
