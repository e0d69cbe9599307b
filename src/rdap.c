/* The RDAP client: lookups queue per registry, leave at that registry's
 * pace and within its concurrency, and become outcomes from the HTTP
 * status alone (RFC 7480 section 5.3: 404 means the registry has no such
 * object).
 *
 * libcurl's multi interface runs on the caller's loop the way c-ares does
 * in the engine: curl says which sockets to watch through its socket
 * callback (one uv_poll_t each) and when to call it back through its timer
 * callback (one uv_timer_t). A second timer, the wake-up, serves our own
 * deadlines: the pace, 429 pauses and back-offs. Every event ends in
 * settle(), the one place where callbacks are called and requests start,
 * always outside curl's callbacks. */
#include "blogdom/rdap.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "blogdom/curlapi.h"
#include "blogdom/msg.h"
#include "blogdom/pacer.h"
#include "blogdom/rdapboot.h"

#define container_of(ptr, type, member)                                        \
  ((type *)((char *)(ptr)-offsetof(type, member)))

#define NS_PER_MS 1000000ull
#define NS_PER_S 1000000000ull
#define NO_DEADLINE UINT64_MAX

/* A 429 without a usable Retry-After pauses its registry this long; a
 * longer Retry-After than the cap is cut to it, so that one registry's
 * hour-long ban cannot hold the whole run (the name then meets 429 again
 * and, after BD_RDAP_MAX_PAUSES, fails). */
#define PAUSE_DEFAULT_S 5
#define PAUSE_MAX_S 60
/* Back-off after the n-th failed try: 1 s, 2 s, 4 s ..., at most this. */
#define BACKOFF_MAX_S 30
/* The pace is kept by the pacer's GCRA without slack: a request never
 * leaves sooner than one interval after the one before. The interval is 5%
 * longer than 1/rate, so that a server counting arrivals, with its own jitter
 * and ours (tens of milliseconds on a loaded machine), still never sees more
 * than the rate in any one second. Registries' limits are politeness, not
 * throughput: 5% under is cheap. */
#define PACE_STRETCH 1.05
#define MAX_REDIRECTS 3
#define URL_MAX 2048

/* One socket curl asked us to watch; freed in its close callback. */
struct watch {
  uv_poll_t poll;
  struct bd_rdap *rdap;
  curl_socket_t fd;
  struct watch *next;
};

struct request;

/* A FIFO of requests, linked both ways so that one can leave from the
 * middle (a back-off that ends, a request cancelled in flight). */
struct queue {
  struct request *head;
  struct request *tail;
};

/* One RDAP server, by scheme, host and port: the unit of politeness. */
struct registry {
  struct registry *next;
  struct queue waiting; /* fresh names at the back, retries at the front */
  struct queue inflight;
  unsigned ninflight;
  unsigned unsent;       /* of which handed to curl but not on the wire yet */
  struct bd_pacer pacer; /* counts requests as they leave */
  uint64_t paused_until_ns; /* a 429's Retry-After */
  char key[];               /* "https://rdap.example:443" */
};

/* One name, from bd_rdap_lookup() to its callback; freed after it. */
struct request {
  struct bd_rdap *rdap;
  struct request *prev;
  struct request *next;
  struct registry *reg; /* NULL until routed */
  const char *base;     /* the table's or the forced URL */
  CURL *easy;           /* made at the first try, kept for the retries */
  bd_rdap_cb cb;
  void *arg;
  uint64_t not_before_ns; /* back-off; 0 when it may go at once */
  unsigned sent;          /* requests sent */
  unsigned pauses;        /* of which answered 429 */
  bool unsent;            /* this try is not on the wire yet */
  long retry_after;       /* of the last response, seconds; -1 if none */
  struct bd_rdap_result result;
  char detail[48];
  char name[];
};

enum boot_state {
  BOOT_IDLE,     /* nothing loaded yet: the first lookup starts it */
  BOOT_FETCHING, /* IANA's dns.json on its way */
  BOOT_READY     /* the table (or the forced URL) is there */
};

/* The bootstrap file's transfer, when neither the cache nor the options
 * provide one. */
struct boot_fetch {
  CURL *easy;
  char *body;
  size_t len;
  size_t cap;
  char cache_control[128];
};

struct bd_rdap {
  uv_loop_t *loop;
  struct bd_rdap_config cfg;
  char *forced_url; /* ending in '/' */

  CURLM *multi;
  struct curl_slist *headers;
  uv_timer_t curl_timer; /* curl's own timeouts */
  uv_timer_t wakeup;     /* the pace, pauses and back-offs */
  struct watch *watches;

  enum boot_state boot;
  struct bd_rdapboot table;
  struct boot_fetch fetch;

  struct queue unrouted; /* waiting for the bootstrap */
  struct queue done;     /* finished, callback not yet called */
  struct registry *registries;
  size_t pending; /* lookups whose callback is still due */

  bool settling;
  bool referenced; /* handles keep the loop alive: there is work */
  bool closed;
};

/* ---- queues ---------------------------------------------------------- */

static void push_back(struct queue *q, struct request *r) {
  r->next = NULL;
  r->prev = q->tail;
  if (q->tail != NULL)
    q->tail->next = r;
  else
    q->head = r;
  q->tail = r;
}

static void push_front(struct queue *q, struct request *r) {
  r->prev = NULL;
  r->next = q->head;
  if (q->head != NULL)
    q->head->prev = r;
  else
    q->tail = r;
  q->head = r;
}

static void unlink_request(struct queue *q, struct request *r) {
  if (r->prev != NULL)
    r->prev->next = r->next;
  else
    q->head = r->next;
  if (r->next != NULL)
    r->next->prev = r->prev;
  else
    q->tail = r->prev;
  r->prev = r->next = NULL;
}

static struct request *pop_front(struct queue *q) {
  struct request *r = q->head;
  if (r != NULL)
    unlink_request(q, r);
  return r;
}

/* ---- outcomes -------------------------------------------------------- */

/* Ends a request: its callback is called from settle(). The request must
 * be in no queue and its easy handle out of the multi handle. */
static void finish(struct request *q, enum bd_rdap_outcome outcome,
                   int http_status, const char *detail) {
  struct bd_rdap *r = q->rdap;
  if (q->easy != NULL) {
    bd_curl.easy_cleanup(q->easy);
    q->easy = NULL;
  }
  q->result.outcome = outcome;
  q->result.http_status = http_status;
  q->result.tries = q->sent;
  q->result.detail = NULL;
  if (detail != NULL) {
    snprintf(q->detail, sizeof(q->detail), "%s", detail);
    q->result.detail = q->detail;
  }
  push_back(&r->done, q);
}

static void deliver(struct bd_rdap *r) {
  struct request *q;
  while ((q = pop_front(&r->done)) != NULL) {
    r->pending--;
    q->cb(q->arg, &q->result);
    free(q);
  }
}

/* ---- registries ------------------------------------------------------ */

/* The registry key of a base URL: "scheme://host:port", in lower case,
 * with the scheme's default port made explicit, so that http://h/ and
 * http://h:80/x/ share their politeness. Returns false when it does not
 * fit. */
static bool registry_key(const char *base, char *key, size_t size) {
  const char *auth = strstr(base, "://");
  const char *end;
  const char *at;
  const char *host;
  const char *colon;
  const char *port;
  bool https = strncasecmp(base, "https:", 6) == 0;
  size_t n = 0;
  int m;

  if (auth == NULL)
    return false;
  auth += 3;
  end = auth + strcspn(auth, "/?#");
  /* Userinfo is not part of the server's identity. */
  at = memchr(auth, '@', (size_t)(end - auth));
  host = at != NULL ? at + 1 : auth;
  /* A port follows the last ':' after an IPv6 literal's ']'. */
  colon = NULL;
  for (const char *p = end; p > host; p--) {
    if (p[-1] == ']')
      break;
    if (p[-1] == ':') {
      colon = p - 1;
      break;
    }
  }
  if (colon != NULL)
    port = "";
  else
    port = https ? ":443" : ":80";
  m = snprintf(key, size, "%s://%.*s%s", https ? "https" : "http",
               (int)(end - host), host, port);
  if (m < 0 || (size_t)m >= size)
    return false;
  for (n = 0; key[n] != '\0'; n++)
    key[n] = (char)tolower((unsigned char)key[n]);
  return true;
}

/* The GCRA of bd_pacer, with a rate that need not be whole:
 * bd_pacer_init() takes whole rates only. */
static void pacer_init(struct bd_pacer *p, double rate) {
  p->enabled = true;
  p->tolerance_ns = 0;
  p->tat_ns = 0;
  p->interval_ns = (uint64_t)((double)NS_PER_S * PACE_STRETCH / rate);
}

static struct registry *find_registry(struct bd_rdap *r, const char *base) {
  char key[512];
  struct registry *g;
  size_t n;

  if (!registry_key(base, key, sizeof(key)))
    return NULL;
  for (g = r->registries; g != NULL; g = g->next)
    if (strcmp(g->key, key) == 0)
      return g;
  n = strlen(key);
  g = calloc(1, sizeof(*g) + n + 1);
  if (g == NULL)
    return NULL;
  memcpy(g->key, key, n + 1);
  pacer_init(&g->pacer, r->cfg.per_registry_rate);
  g->next = r->registries;
  r->registries = g;
  bd_debugf("rdap: registry %s", g->key);
  return g;
}

/* Queues q at its registry, once the bootstrap is there; NO_SERVER when
 * no RDAP server is known for its TLD. */
static void route(struct bd_rdap *r, struct request *q) {
  q->base = r->forced_url != NULL ? r->forced_url
                                  : bd_rdapboot_lookup(&r->table, q->name);
  if (q->base == NULL) {
    finish(q, BD_RDAP_NO_SERVER, 0, NULL);
    return;
  }
  q->reg = find_registry(r, q->base);
  if (q->reg == NULL) {
    finish(q, BD_RDAP_FAILED, 0, "bad server URL or out of memory");
    return;
  }
  push_back(&q->reg->waiting, q);
}

/* ---- curl's sockets and timer --------------------------------------- */

static void collect(struct bd_rdap *r);
static void settle(struct bd_rdap *r);
static void cancel_everything(struct bd_rdap *r);

static void on_watch_closed(uv_handle_t *h) {
  free(container_of((uv_poll_t *)h, struct watch, poll));
}

static void unwatch(struct bd_rdap *r, struct watch *w) {
  struct watch **pw = &r->watches;
  while (*pw != w)
    pw = &(*pw)->next;
  *pw = w->next;
  uv_close((uv_handle_t *)&w->poll, on_watch_closed);
}

static void on_poll(uv_poll_t *h, int status, int events) {
  struct watch *w = container_of(h, struct watch, poll);
  struct bd_rdap *r = w->rdap;
  int flags = 0;
  int running;

  if (status < 0)
    flags = CURL_CSELECT_ERR;
  if (events & UV_READABLE)
    flags |= CURL_CSELECT_IN;
  if (events & UV_WRITABLE)
    flags |= CURL_CSELECT_OUT;
  bd_curl.multi_socket_action(r->multi, w->fd, flags, &running);
  collect(r);
  settle(r);
}

/* CURLMOPT_SOCKETFUNCTION. On CURL_POLL_REMOVE curl is about to close the
 * socket or stop caring for it, so polling stops now; libuv forgets the
 * descriptor in uv_close() itself, so a new socket that reuses it can be
 * watched at once. */
static int on_curl_socket(CURL *easy, curl_socket_t fd, int what, void *userp,
                          void *socketp) {
  struct bd_rdap *r = userp;
  struct watch *w = socketp;
  int events = 0;

  (void)easy;
  if (what == CURL_POLL_REMOVE) {
    if (w != NULL) {
      unwatch(r, w);
      bd_curl.multi_assign(r->multi, fd, NULL);
    }
    return 0;
  }
  if (w == NULL) {
    w = malloc(sizeof(*w));
    if (w == NULL || uv_poll_init_socket(r->loop, &w->poll, fd) != 0) {
      /* Unwatched, the transfer ends by its timeout and is tried again:
       * slower, not lost. Returning -1 would make curl fail every
       * transfer of the multi handle. */
      free(w);
      bd_warnf("rdap: cannot watch a socket: out of memory or descriptors");
      return 0;
    }
    w->rdap = r;
    w->fd = fd;
    w->next = r->watches;
    r->watches = w;
    if (!r->referenced)
      uv_unref((uv_handle_t *)&w->poll);
    bd_curl.multi_assign(r->multi, fd, w);
  }
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    events |= UV_WRITABLE;
  uv_poll_start(&w->poll, events, on_poll);
  return 0;
}

static void on_curl_timer(uv_timer_t *t) {
  struct bd_rdap *r = container_of(t, struct bd_rdap, curl_timer);
  int running;
  bd_curl.multi_socket_action(r->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect(r);
  settle(r);
}

/* CURLMOPT_TIMERFUNCTION: -1 stops the timer; 0 means "as soon as
 * possible", which the loop's next turn is, as curl must not be called
 * back from inside its own callback. */
static int on_curl_timeout_changed(CURLM *multi, long timeout_ms, void *userp) {
  struct bd_rdap *r = userp;
  (void)multi;
  if (timeout_ms < 0)
    uv_timer_stop(&r->curl_timer);
  else
    uv_timer_start(&r->curl_timer, on_curl_timer, (uint64_t)timeout_ms, 0);
  return 0;
}

/* ---- requests -------------------------------------------------------- */

static size_t on_body_discard(char *data, size_t size, size_t n, void *arg) {
  (void)data;
  (void)arg;
  return size * n; /* the status says it all */
}

/* Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date.
 * Returns seconds from now, or -1 when value is neither. */
static long parse_retry_after(const char *value, time_t now) {
  const char *s = value;
  long secs = 0;
  time_t when;

  if (isdigit((unsigned char)*s)) {
    while (isdigit((unsigned char)*s)) {
      if (secs <= PAUSE_MAX_S)
        secs = secs * 10 + (*s - '0');
      s++;
    }
    return *s == '\0' ? secs : -1;
  }
  when = bd_curl.getdate(value, NULL);
  if (when == (time_t)-1)
    return -1;
  return when > now ? (long)(when - now) : 0;
}

/* Copies the value of header line data[0..n) into out when its name is
 * name, trimmed of whitespace and CRLF. */
static bool header_value(const char *data, size_t n, const char *name,
                         char *out, size_t size) {
  size_t len = strlen(name);
  if (n <= len || data[len] != ':' || strncasecmp(data, name, len) != 0)
    return false;
  data += len + 1;
  n -= len + 1;
  while (n > 0 && (*data == ' ' || *data == '\t'))
    data++, n--;
  while (n > 0 && isspace((unsigned char)data[n - 1]))
    n--;
  if (n >= size)
    n = size - 1;
  memcpy(out, data, n);
  out[n] = '\0';
  return true;
}

/* Headers of every response, redirects included: a status line starts a
 * new response, whose Retry-After alone counts. */
static size_t on_header(char *data, size_t size, size_t n, void *arg) {
  struct request *q = arg;
  char value[64];

  if (n > 5 && strncmp(data, "HTTP/", 5) == 0)
    q->retry_after = -1;
  else if (header_value(data, n, "Retry-After", value, sizeof(value)))
    q->retry_after = parse_retry_after(value, time(NULL));
  return size * n;
}

/* RFC 3986 unreserved characters pass, every other byte is escaped: the
 * name goes in a path segment (RFC 9082 section 3.1.3). */
static bool build_url(char *url, size_t size, const char *base,
                      const char *name) {
  static const char hex[] = "0123456789ABCDEF";
  int n = snprintf(url, size, "%sdomain/", base);
  size_t i;

  if (n < 0 || (size_t)n >= size)
    return false;
  i = (size_t)n;
  for (const char *p = name; *p != '\0'; p++) {
    unsigned char c = (unsigned char)*p;
    if (i + 4 > size)
      return false;
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      url[i++] = (char)c;
    } else {
      url[i++] = '%';
      url[i++] = hex[c >> 4];
      url[i++] = hex[c & 15];
    }
  }
  url[i] = '\0';
  return true;
}

/* CURLOPT_PREREQFUNCTION: the request is about to leave, on a connection
 * made or reused. The pace counts sends from here rather than from when
 * curl was handed the request, and the next request of the registry waits
 * for this one to leave: else a request held up by its connection (a TLS
 * handshake, or waiting to share an HTTP/2 one) would reach the registry
 * right before the next one, a burst. */
static int on_request_leaving(void *arg, char *ip, char *local_ip, int port,
                              int local_port) {
  struct request *q = arg;
  (void)ip;
  (void)local_ip;
  (void)port;
  (void)local_port;
  if (q->unsent) {
    q->unsent = false;
    q->reg->unsent--;
    bd_pacer_consume(&q->reg->pacer, uv_hrtime());
  }
  return CURL_PREREQFUNC_OK;
}

/* A try that ends before its request left (no connection, cancelled)
 * costs the pace nothing. */
static void forget_unsent(struct request *q) {
  if (q->unsent) {
    q->unsent = false;
    q->reg->unsent--;
  }
}

/* The easy handle of a request, made at its first try. Redirects are
 * followed (a registry may move), but never from https down to http. */
static CURL *make_easy(struct bd_rdap *r, struct request *q) {
  char url[URL_MAX];
  bool https = strncasecmp(q->base, "https:", 6) == 0;
  CURL *easy;

  if (!build_url(url, sizeof(url), q->base, q->name))
    return NULL;
  easy = bd_curl.easy_init();
  if (easy == NULL)
    return NULL;
  if (bd_curl.easy_setopt(easy, CURLOPT_URL, url) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https") !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR,
                          https ? "https" : "http,https") != CURLE_OK) {
    bd_curl.easy_cleanup(easy);
    return NULL;
  }
  bd_curl.easy_setopt(easy, CURLOPT_PRIVATE, q);
  bd_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  bd_curl.easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers);
  bd_curl.easy_setopt(easy, CURLOPT_USERAGENT, "blogdom/" BD_VERSION);
  bd_curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  bd_curl.easy_setopt(easy, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
  bd_curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)r->cfg.timeout_ms);
  bd_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body_discard);
  bd_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  bd_curl.easy_setopt(easy, CURLOPT_HEADERDATA, q);
  bd_curl.easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_request_leaving);
  bd_curl.easy_setopt(easy, CURLOPT_PREREQDATA, q);
  /* Over TLS, ALPN says at the handshake whether the connection can carry
   * several requests (HTTP/2): wait for that rather than open one
   * connection each. Over plain http curl would only know from the first
   * response, so a slow answer would hold up every other request. */
  if (https)
    bd_curl.easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  return easy;
}

static void start_try(struct bd_rdap *r, struct registry *g,
                      struct request *q) {
  CURLMcode mc;

  if (q->easy == NULL) {
    q->easy = make_easy(r, q);
    if (q->easy == NULL) {
      finish(q, BD_RDAP_FAILED, 0, "cannot make the request");
      return;
    }
  }
  q->retry_after = -1;
  q->not_before_ns = 0;
  mc = bd_curl.multi_add_handle(r->multi, q->easy);
  if (mc != CURLM_OK) {
    finish(q, BD_RDAP_FAILED, 0, bd_curl.multi_strerror(mc));
    return;
  }
  q->sent++;
  q->unsent = true;
  g->unsent++;
  g->ninflight++;
  push_back(&g->inflight, q);
}

/* What a transfer error means for the name: a short reason, and whether
 * another try may fare better. Errors not listed are retried. */
static const char *transport_detail(CURLcode rc, bool *retry) {
  *retry = true;
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    return "timeout";
  case CURLE_COULDNT_CONNECT:
    return "connection failed";
  case CURLE_COULDNT_RESOLVE_HOST:
    return "cannot resolve the server";
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
    return "connection broken";
  case CURLE_GOT_NOTHING:
    return "empty reply";
  case CURLE_SSL_CONNECT_ERROR:
    return "tls handshake failed";
  default:
    break;
  }
  *retry = false;
  switch (rc) {
  case CURLE_TOO_MANY_REDIRECTS:
    return "too many redirects";
  case CURLE_UNSUPPORTED_PROTOCOL:
    return "redirect refused";
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
    return "server certificate not trusted";
  case CURLE_URL_MALFORMAT:
    return "bad URL";
  case CURLE_OUT_OF_MEMORY:
    return "out of memory";
  case CURLE_ABORTED_BY_CALLBACK:
  case CURLE_WRITE_ERROR:
    return "aborted";
  default:
    *retry = true;
    return bd_curl.easy_strerror(rc);
  }
}

/* Waits before the next try: 1 s after the first failure, then twice as
 * long each time. */
static void back_off(struct registry *g, struct request *q, uint64_t now) {
  unsigned failures = q->sent - q->pauses;
  uint64_t secs = failures >= 6 ? BACKOFF_MAX_S : 1u << (failures - 1);
  if (secs > BACKOFF_MAX_S)
    secs = BACKOFF_MAX_S;
  q->not_before_ns = now + secs * NS_PER_S;
  push_front(&g->waiting, q);
}

/* A 429 (RFC 6585 section 4) is about the client, not the name: the whole
 * registry pauses, and the name goes first when it resumes. */
static void pause_registry(struct registry *g, struct request *q,
                           uint64_t now) {
  long secs = q->retry_after >= 0 ? q->retry_after : PAUSE_DEFAULT_S;
  uint64_t until;

  if (secs > PAUSE_MAX_S)
    secs = PAUSE_MAX_S;
  until = now + (uint64_t)secs * NS_PER_S;
  if (until > g->paused_until_ns)
    g->paused_until_ns = until;
  q->pauses++;
  bd_debugf("rdap: %s answered 429 for %s: pausing it %ld s", g->key, q->name,
            secs);
  push_front(&g->waiting, q);
}

/* One try of q ended with rc. */
static void on_try_done(struct bd_rdap *r, struct request *q, CURLcode rc) {
  struct registry *g = q->reg;
  uint64_t now = uv_hrtime();
  bool may_retry = q->sent - q->pauses < r->cfg.tries;
  long status = 0;
  bool retry;
  const char *detail;
  char text[32];

  bd_curl.easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
  bd_curl.multi_remove_handle(r->multi, q->easy);
  unlink_request(&g->inflight, q);
  g->ninflight--;
  forget_unsent(q);

  if (rc != CURLE_OK) {
    detail = transport_detail(rc, &retry);
    if (retry && may_retry)
      back_off(g, q, now);
    else
      finish(q, BD_RDAP_FAILED, (int)status, detail);
    return;
  }
  if (status == 200) {
    finish(q, BD_RDAP_REGISTERED, 200, NULL);
  } else if (status == 404) {
    finish(q, BD_RDAP_AVAILABLE, 404, NULL);
  } else if (status == 429 && q->pauses < BD_RDAP_MAX_PAUSES) {
    pause_registry(g, q, now);
  } else if (status >= 500 && status <= 599 && may_retry) {
    back_off(g, q, now);
  } else {
    snprintf(text, sizeof(text), "http %ld", status);
    finish(q, BD_RDAP_FAILED, (int)status, text);
  }
}

/* ---- the bootstrap --------------------------------------------------- */

static void use_builtin(struct bd_rdap *r, const char *why) {
  bd_warnf("rdap: %s; using the built-in list of RDAP servers", why);
  bd_rdapboot_free(&r->table);
  if (bd_rdapboot_builtin(&r->table) != 0)
    bd_errorf("out of memory"); /* every name then has NO_SERVER */
  r->boot = BOOT_READY;
}

static bool load_cache(struct bd_rdap *r, const char *path) {
  char *data = NULL;
  size_t len = 0;
  int rc = bd_rdapboot_cache_load(path, time(NULL), &data, &len);

  if (rc == 1) {
    bd_debugf("rdap: no fresh bootstrap in %s", path);
    return false;
  }
  if (rc < 0) {
    bd_debugf("rdap: cannot read %s: %s", path, strerror(-rc));
    return false;
  }
  rc = bd_rdapboot_parse(&r->table, data, len);
  free(data);
  if (rc != 0) {
    bd_debugf("rdap: %s is malformed", path);
    return false;
  }
  bd_debugf("rdap: bootstrap from %s", path);
  r->boot = BOOT_READY;
  return true;
}

static size_t on_boot_body(char *data, size_t size, size_t n, void *arg) {
  struct boot_fetch *f = arg;
  size_t len = size * n;

  if (len > BD_RDAPBOOT_MAX_SIZE - f->len)
    return 0; /* too large: the transfer fails */
  if (f->len + len > f->cap) {
    size_t cap = f->cap ? f->cap : 64 * 1024;
    char *p;
    while (cap < f->len + len)
      cap *= 2;
    p = realloc(f->body, cap);
    if (p == NULL)
      return 0;
    f->body = p;
    f->cap = cap;
  }
  memcpy(f->body + f->len, data, len);
  f->len += len;
  return len;
}

static size_t on_boot_header(char *data, size_t size, size_t n, void *arg) {
  struct boot_fetch *f = arg;
  if (n > 5 && strncmp(data, "HTTP/", 5) == 0)
    f->cache_control[0] = '\0';
  else
    header_value(data, n, "Cache-Control", f->cache_control,
                 sizeof(f->cache_control));
  return size * n;
}

/* Starts the bootstrap: the disk cache if fresh, else a fetch from IANA on
 * this loop, at the client's first lookup. */
static void start_boot(struct bd_rdap *r) {
  struct boot_fetch *f = &r->fetch;
  char path[4096];
  bool have_path =
      bd_rdapboot_cache_path(path, sizeof(path), getenv("XDG_CACHE_HOME"),
                             getenv("HOME")) == 0;
  CURL *easy;

  if (have_path && load_cache(r, path))
    return;
  easy = bd_curl.easy_init();
  if (easy == NULL) {
    use_builtin(r, "cannot fetch " BD_RDAPBOOT_IANA_URL);
    return;
  }
  bd_curl.easy_setopt(easy, CURLOPT_URL, BD_RDAPBOOT_IANA_URL);
  bd_curl.easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "https");
  bd_curl.easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  bd_curl.easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
  bd_curl.easy_setopt(easy, CURLOPT_MAXREDIRS, (long)MAX_REDIRECTS);
  bd_curl.easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  bd_curl.easy_setopt(easy, CURLOPT_USERAGENT, "blogdom/" BD_VERSION);
  bd_curl.easy_setopt(easy, CURLOPT_TIMEOUT_MS, (long)r->cfg.timeout_ms);
  bd_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_boot_body);
  bd_curl.easy_setopt(easy, CURLOPT_WRITEDATA, f);
  bd_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_boot_header);
  bd_curl.easy_setopt(easy, CURLOPT_HEADERDATA, f);
  if (bd_curl.multi_add_handle(r->multi, easy) != CURLM_OK) {
    bd_curl.easy_cleanup(easy);
    use_builtin(r, "cannot fetch " BD_RDAPBOOT_IANA_URL);
    return;
  }
  bd_debugf("rdap: fetching %s", BD_RDAPBOOT_IANA_URL);
  f->easy = easy;
  f->len = 0;
  f->cache_control[0] = '\0';
  r->boot = BOOT_FETCHING;
}

static void end_fetch(struct bd_rdap *r) {
  struct boot_fetch *f = &r->fetch;
  bd_curl.multi_remove_handle(r->multi, f->easy);
  bd_curl.easy_cleanup(f->easy);
  f->easy = NULL;
  free(f->body);
  f->body = NULL;
  f->len = f->cap = 0;
}

static void store_cache(const struct boot_fetch *f) {
  char path[4096];
  long max_age = bd_rdapboot_max_age(f->cache_control);
  int rc;

  if (max_age == 0)
    return; /* the server asks not to keep it */
  if (bd_rdapboot_cache_path(path, sizeof(path), getenv("XDG_CACHE_HOME"),
                             getenv("HOME")) != 0) {
    bd_debugf("rdap: no cache directory ($XDG_CACHE_HOME, $HOME)");
    return;
  }
  if (max_age < 0)
    max_age = BD_RDAPBOOT_DEFAULT_TTL;
  rc = bd_rdapboot_cache_store(path, f->body, f->len, time(NULL) + max_age);
  if (rc != 0)
    bd_debugf("rdap: cannot write %s: %s", path, strerror(-rc));
  else
    bd_debugf("rdap: bootstrap cached in %s for %ld s", path, max_age);
}

static void on_boot_done(struct bd_rdap *r, CURLcode rc) {
  struct boot_fetch *f = &r->fetch;
  long status = 0;
  bool retry; /* not for the bootstrap: the built-in table will do */
  char why[160];

  bd_curl.easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK)
    snprintf(why, sizeof(why), "cannot fetch %s: %s", BD_RDAPBOOT_IANA_URL,
             transport_detail(rc, &retry));
  else if (status != 200)
    snprintf(why, sizeof(why), "cannot fetch %s: http %ld",
             BD_RDAPBOOT_IANA_URL, status);
  else if (bd_rdapboot_parse(&r->table, f->body, f->len) != 0)
    snprintf(why, sizeof(why), "%s is malformed", BD_RDAPBOOT_IANA_URL);
  else
    why[0] = '\0';
  if (why[0] != '\0') {
    use_builtin(r, why);
  } else {
    store_cache(f);
    r->boot = BOOT_READY;
  }
  end_fetch(r);
}

/* ---- the turn of an event ------------------------------------------- */

/* Reads what curl finished. Only notes outcomes: callbacks wait for
 * settle(). */
static void collect(struct bd_rdap *r) {
  CURLMsg *msg;
  int left;

  while ((msg = bd_curl.multi_info_read(r->multi, &left)) != NULL) {
    CURL *easy = msg->easy_handle;
    CURLcode rc = msg->data.result;
    char *priv = NULL;

    if (msg->msg != CURLMSG_DONE)
      continue;
    if (easy == r->fetch.easy) {
      on_boot_done(r, rc);
      continue;
    }
    bd_curl.easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    on_try_done(r, (struct request *)(void *)priv, rc);
  }
}

/* The first request of g that may go at now, if any. */
static struct request *first_ready(struct registry *g, uint64_t now) {
  for (struct request *q = g->waiting.head; q != NULL; q = q->next)
    if (q->not_before_ns <= now)
      return q;
  return NULL;
}

/* Starts what g's pause, window and pace allow now: one request at a
 * time, the next once the last has left (on_request_leaving). */
static void pump(struct bd_rdap *r, struct registry *g, uint64_t now) {
  struct request *q;
  while (g->ninflight < r->cfg.per_registry_concurrency && g->unsent == 0 &&
         now >= g->paused_until_ns && bd_pacer_delay(&g->pacer, now) == 0 &&
         (q = first_ready(g, now)) != NULL) {
    unlink_request(&g->waiting, q);
    start_try(r, g, q);
  }
}

/* When g may send next, if it has anything to send and room for it; a
 * request that has not left yet is waited for by curl's events, not by
 * time. Back-offs sit at the front of the queue: the scan ends at the
 * first request that may go at once. */
static uint64_t next_deadline(const struct bd_rdap *r, const struct registry *g,
                              uint64_t now) {
  uint64_t t = NO_DEADLINE;
  uint64_t pace;

  if (g->waiting.head == NULL || g->unsent > 0 ||
      g->ninflight >= r->cfg.per_registry_concurrency)
    return NO_DEADLINE;
  for (const struct request *q = g->waiting.head; q != NULL; q = q->next) {
    if (q->not_before_ns < t)
      t = q->not_before_ns;
    if (q->not_before_ns == 0)
      break;
  }
  pace = now + bd_pacer_delay(&g->pacer, now);
  if (t < pace)
    t = pace;
  if (t < g->paused_until_ns)
    t = g->paused_until_ns;
  return t;
}

static void on_wakeup(uv_timer_t *t) {
  settle(container_of(t, struct bd_rdap, wakeup));
}

/* Handles keep the loop alive only while some lookup is due: idle, the
 * client lets the program's loop end. curl may keep a connection's timer
 * or socket after the last transfer. */
static void set_referenced(struct bd_rdap *r, bool on) {
  if (r->referenced == on)
    return;
  r->referenced = on;
  for (struct watch *w = r->watches; w != NULL; w = w->next) {
    if (on)
      uv_ref((uv_handle_t *)&w->poll);
    else
      uv_unref((uv_handle_t *)&w->poll);
  }
  if (on)
    uv_ref((uv_handle_t *)&r->curl_timer);
  else
    uv_unref((uv_handle_t *)&r->curl_timer);
}

static void arm_wakeup(struct bd_rdap *r) {
  uint64_t now = uv_hrtime();
  uint64_t next = NO_DEADLINE;

  for (const struct registry *g = r->registries; g != NULL; g = g->next) {
    uint64_t t = next_deadline(r, g, now);
    if (t < next)
      next = t;
  }
  if (next == NO_DEADLINE) {
    uv_timer_stop(&r->wakeup);
    return;
  }
  /* Timers count from the loop's cached time: bring it up to date, or
   * the timer fires early by the time this turn has taken. */
  uv_update_time(r->loop);
  uv_timer_start(&r->wakeup, on_wakeup,
                 next > now ? (next - now + NS_PER_MS - 1) / NS_PER_MS : 0, 0);
}

/* The end of every event: calls the callbacks due, routes what the
 * bootstrap allows, starts what the registries allow, and sets the
 * wake-up for what must wait. Callbacks may look up, cancel or close:
 * the loop runs until nothing is left to deliver. */
static void settle(struct bd_rdap *r) {
  struct request *q;

  if (r->settling)
    return;
  r->settling = true;
  for (;;) {
    deliver(r);
    if (r->closed) {
      /* Lookups made by callbacks during bd_rdap_close(). */
      cancel_everything(r);
    } else {
      if (r->boot == BOOT_IDLE && r->unrouted.head != NULL)
        start_boot(r);
      if (r->boot == BOOT_READY)
        while ((q = pop_front(&r->unrouted)) != NULL)
          route(r, q);
      for (struct registry *g = r->registries; g != NULL; g = g->next)
        pump(r, g, uv_hrtime());
    }
    if (r->done.head == NULL)
      break;
  }
  r->settling = false;
  if (!r->closed) {
    arm_wakeup(r);
    set_referenced(r, r->pending > 0);
  }
}

/* ---- life cycle ------------------------------------------------------ */

static int load_bootstrap_file(struct bd_rdap *r, const char *path) {
  char *data = NULL;
  size_t len = 0;
  int rc = bd_rdapboot_read_file(path, &data, &len);

  if (rc != 0) {
    bd_errorf("cannot read %s: %s", path,
              rc == -EFBIG ? "larger than 4 MiB" : strerror(-rc));
    return -1;
  }
  rc = bd_rdapboot_parse(&r->table, data, len);
  free(data);
  if (rc != 0) {
    bd_errorf("%s: not an RDAP bootstrap file (RFC 9224)", path);
    return -1;
  }
  r->boot = BOOT_READY;
  return 0;
}

static int set_forced_url(struct bd_rdap *r, const char *url) {
  size_t n = strlen(url);
  bool slash = n > 0 && url[n - 1] == '/';
  char key[512];

  if ((strncasecmp(url, "http://", 7) != 0 &&
       strncasecmp(url, "https://", 8) != 0) ||
      !registry_key(url, key, sizeof(key)) || strstr(key, "//:") != NULL) {
    bd_errorf("--rdap-url %s: not an http or https URL", url);
    return -1;
  }
  r->forced_url = malloc(n + 2);
  if (r->forced_url == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  memcpy(r->forced_url, url, n);
  if (!slash)
    r->forced_url[n++] = '/';
  r->forced_url[n] = '\0';
  r->boot = BOOT_READY;
  return 0;
}

int bd_rdap_new(struct bd_rdap **out, uv_loop_t *loop,
                const struct bd_rdap_config *cfg) {
  struct bd_rdap *r = calloc(1, sizeof(*r));
  CURLcode rc;
  const char *why = NULL;
  int loaded;

  if (r == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  loaded = bd_curl_load(&why);
  if (loaded != 0) {
    if (loaded == -ENOENT)
      bd_errorf("--confirm needs libcurl (Debian package libcurl4): %s", why);
    else
      bd_errorf("libcurl lacks %s", why);
    free(r);
    return -1;
  }
  /* Counted by curl: each bd_rdap_free() undoes one. */
  rc = bd_curl.global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    bd_errorf("cannot start the HTTP library: %s", bd_curl.easy_strerror(rc));
    free(r);
    return -1;
  }
  r->loop = loop;
  r->cfg = *cfg;
  r->cfg.bootstrap_file = NULL;
  r->cfg.forced_url = NULL;
  if (r->cfg.per_registry_concurrency == 0)
    r->cfg.per_registry_concurrency = BD_RDAP_DEFAULT_CONCURRENCY;
  if (!(r->cfg.per_registry_rate > 0))
    r->cfg.per_registry_rate = BD_RDAP_DEFAULT_RATE;
  if (r->cfg.timeout_ms == 0)
    r->cfg.timeout_ms = BD_RDAP_DEFAULT_TIMEOUT_MS;
  if (r->cfg.tries == 0)
    r->cfg.tries = BD_RDAP_DEFAULT_TRIES;
  r->boot = BOOT_IDLE;

  if (cfg->forced_url != NULL && set_forced_url(r, cfg->forced_url) != 0)
    goto fail;
  if (cfg->forced_url == NULL && cfg->bootstrap_file != NULL &&
      load_bootstrap_file(r, cfg->bootstrap_file) != 0)
    goto fail;
  r->headers = bd_curl.slist_append(NULL, "Accept: application/rdap+json");
  r->multi = bd_curl.multi_init();
  if (r->headers == NULL || r->multi == NULL) {
    bd_errorf("out of memory");
    goto fail;
  }
  bd_curl.multi_setopt(r->multi, CURLMOPT_SOCKETFUNCTION, on_curl_socket);
  bd_curl.multi_setopt(r->multi, CURLMOPT_SOCKETDATA, r);
  bd_curl.multi_setopt(r->multi, CURLMOPT_TIMERFUNCTION,
                       on_curl_timeout_changed);
  bd_curl.multi_setopt(r->multi, CURLMOPT_TIMERDATA, r);
  bd_curl.multi_setopt(r->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                       (long)r->cfg.per_registry_concurrency);
  uv_timer_init(loop, &r->curl_timer);
  uv_timer_init(loop, &r->wakeup);
  r->referenced = true;
  set_referenced(r, false);
  *out = r;
  return 0;

fail:
  if (r->multi != NULL)
    bd_curl.multi_cleanup(r->multi);
  bd_curl.slist_free_all(r->headers);
  bd_rdapboot_free(&r->table);
  free(r->forced_url);
  free(r);
  bd_curl.global_cleanup();
  return -1;
}

int bd_rdap_lookup(struct bd_rdap *r, const char *domain, bd_rdap_cb cb,
                   void *arg) {
  size_t n = strlen(domain);
  struct request *q;

  /* Callbacks run by bd_rdap_close() may still look up: cancelled. */
  if (r->closed && !r->settling)
    return -1;
  if (n > 0 && domain[n - 1] == '.')
    n--; /* RDAP names have no trailing dot (RFC 9082 section 3.1.3) */
  q = calloc(1, sizeof(*q) + n + 1);
  if (q == NULL)
    return -1;
  q->rdap = r;
  q->cb = cb;
  q->arg = arg;
  q->retry_after = -1;
  memcpy(q->name, domain, n);
  q->name[n] = '\0';
  push_back(&r->unrouted, q);
  r->pending++;
  /* Everything starts from the loop, so cb can never run in here. */
  if (!r->settling) {
    uv_timer_start(&r->wakeup, on_wakeup, 0, 0);
    set_referenced(r, true);
  }
  return 0;
}

size_t bd_rdap_pending(const struct bd_rdap *r) {
  return r->pending;
}

/* Ends every request of queue q with CANCELLED; in flight ones leave curl
 * first. */
static void cancel_queue(struct bd_rdap *r, struct queue *q,
                         struct registry *g) {
  struct request *x;
  while ((x = pop_front(q)) != NULL) {
    if (g != NULL) {
      bd_curl.multi_remove_handle(r->multi, x->easy);
      g->ninflight--;
      forget_unsent(x);
    }
    finish(x, BD_RDAP_CANCELLED, 0, NULL);
  }
}

/* Moves every request to the done queue, as CANCELLED. */
static void cancel_everything(struct bd_rdap *r) {
  cancel_queue(r, &r->unrouted, NULL);
  for (struct registry *g = r->registries; g != NULL; g = g->next) {
    cancel_queue(r, &g->inflight, g);
    cancel_queue(r, &g->waiting, NULL);
  }
  /* A later lookup starts the bootstrap again. */
  if (r->fetch.easy != NULL) {
    end_fetch(r);
    r->boot = BOOT_IDLE;
  }
}

void bd_rdap_cancel_all(struct bd_rdap *r) {
  if (r->closed)
    return;
  cancel_everything(r);
  settle(r); /* delivers now, unless a settle() below us will */
}

void bd_rdap_close(struct bd_rdap *r) {
  if (r->closed)
    return;
  r->closed = true;
  cancel_everything(r);
  settle(r);
  /* Closing curl's connections calls on_curl_socket for their sockets;
   * whatever it still watches after that is closed here. */
  bd_curl.multi_cleanup(r->multi);
  r->multi = NULL;
  while (r->watches != NULL)
    unwatch(r, r->watches);
  uv_close((uv_handle_t *)&r->curl_timer, NULL);
  uv_close((uv_handle_t *)&r->wakeup, NULL);
}

void bd_rdap_free(struct bd_rdap *r) {
  struct registry *g;
  if (r == NULL)
    return;
  while ((g = r->registries) != NULL) {
    r->registries = g->next;
    free(g);
  }
  bd_rdapboot_free(&r->table);
  bd_curl.slist_free_all(r->headers);
  free(r->fetch.body);
  free(r->forced_url);
  free(r);
  bd_curl.global_cleanup();
}
