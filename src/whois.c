/* The WHOIS client: a lookup is routed to its TLD's server (the table, or
 * --whois-host), waits for the server's address (whoisaddr.c) and for its
 * turn (rdapsched.c's per-server pace, one query at a time), then takes
 * one TCP connection: "domain\r\n" out, the reply in until the server
 * closes (RFC 3912), judged by whoisreply.c. Every event ends in settle(),
 * the one place where callbacks are called and queries start. */
#include "blogdom/whois.h"

#include <ares.h>
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/fifo.h"
#include "blogdom/msg.h"
#include "blogdom/rdapsched.h"
#include "blogdom/whoisaddr.h"
#include "blogdom/whoisdb.h"
#include "blogdom/whoisreply.h"

/* Reads land in a chunk of the query's own, then in its reply. */
#define CHUNK 4096

enum addr_state { ADDR_UNKNOWN, ADDR_RESOLVING, ADDR_READY, ADDR_FAILED };

struct query;

/* One WHOIS server, by the name the table (or --whois-host) gives it. */
struct server {
  struct server *next;
  struct bd_whois *w;
  enum addr_state state;
  struct sockaddr_storage addr;
  struct bd_fifo parked; /* waiting for the address */
  char why[96];          /* ADDR_FAILED: why */
  char name[];
};

/* One lookup, from bd_whois_lookup() to its callback, and until its
 * handles are closed. */
struct query {
  struct bd_rdapsched_item item; /* once routed to a server with an address */
  struct bd_whois *w;
  struct server *srv;
  struct bd_fifo_link link; /* in pending, a server's parked, or done */
  uv_tcp_t tcp;
  uv_timer_t timer;
  uv_connect_t connect;
  uv_write_t write;
  unsigned open_handles;
  bool connected;
  bool ended;     /* its outcome is set: nothing more is read */
  bool delivered; /* its callback has run */
  char *reply;
  size_t len;
  size_t cap;
  char chunk[CHUNK];
  bd_whois_cb cb;
  void *arg;
  enum bd_whois_outcome outcome;
  char detail[96];
  char request[BD_WHOISDB_SERVER_MAX + 3]; /* "domain\r\n" */
  char domain[];
};

struct bd_whois {
  uv_loop_t *loop;
  struct bd_whois_config cfg;
  struct bd_whoisdb db;
  char *forced; /* --whois-host, as given */
  struct server *servers;
  struct bd_whoisaddr *resolver; /* NULL: no resolver to ask */
  struct bd_rdapsched sched;
  uv_timer_t wakeup; /* the pace */
  struct bd_fifo pending;
  struct bd_fifo done;
  size_t outstanding; /* lookups whose callback is due */
  bool settling;
  bool closed;
};

static void push(struct bd_fifo *f, struct query *q) {
  bd_fifo_push(f, &q->link);
}

static struct query *pop(struct bd_fifo *f) {
  struct bd_fifo_link *l = bd_fifo_pop(f);
  return l != NULL ? container_of(l, struct query, link) : NULL;
}

static void settle(struct bd_whois *w);

/* ---- outcomes -------------------------------------------------------- */

static void maybe_free(struct query *q) {
  if (q->open_handles > 0 || !q->delivered)
    return;
  free(q->reply);
  free(q);
}

static void on_handle_closed(uv_handle_t *h) {
  struct query *q = h->data;
  q->open_handles--;
  maybe_free(q);
}

/* Sets q's outcome and queues its callback; its handles close, and it
 * leaves the scheduler. */
static void finish(struct query *q, enum bd_whois_outcome outcome,
                   const char *detail) {
  struct bd_whois *w = q->w;
  uint64_t wait;

  if (q->ended)
    return;
  q->ended = true;
  q->outcome = outcome;
  snprintf(q->detail, sizeof(q->detail), "%s", detail != NULL ? detail : "");
  if (q->open_handles > 0) {
    uv_close((uv_handle_t *)&q->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&q->timer, on_handle_closed);
  }
  if (q->item.inflight)
    (void)bd_rdapsched_end(&w->sched, &q->item, BD_RDAPSCHED_FINAL, -1,
                           uv_hrtime(), &wait);
  else if (q->item.queued)
    bd_rdapsched_remove(&w->sched, &q->item);
  if (detail != NULL && outcome != BD_WHOIS_CANCELLED)
    bd_debugf("whois: %s for %s: %s", q->srv != NULL ? q->srv->name : "-",
              q->domain, detail);
  push(&w->done, q);
}

static void deliver(struct bd_whois *w) {
  struct query *q;
  while ((q = pop(&w->done)) != NULL) {
    struct bd_whois_result r = {q->outcome, q->srv != NULL ? q->srv->name : "",
                                q->detail[0] != '\0' ? q->detail : NULL};
    assert(w->outstanding > 0);
    w->outstanding--;
    q->cb(q->arg, &r);
    q->delivered = true;
    maybe_free(q);
  }
}

/* What the reply says, once the server has closed. */
static void judge(struct query *q) {
  const struct bd_whoisformat *f = bd_whoisreply_format(q->domain);
  static const enum bd_whois_outcome outcomes[] = {
      [BD_WHOISREPLY_FREE] = BD_WHOIS_FREE,
      [BD_WHOISREPLY_REGISTERED] = BD_WHOIS_REGISTERED,
      [BD_WHOISREPLY_LIMITED] = BD_WHOIS_LIMITED,
      [BD_WHOISREPLY_UNRECOGNIZED] = BD_WHOIS_UNRECOGNIZED};
  enum bd_whoisreply r;
  char why[96];

  if (q->len == 0) {
    finish(q, BD_WHOIS_UNREACHABLE, "closed with no reply");
    return;
  }
  r = bd_whoisreply_classify(f, q->reply, q->len);
  snprintf(why, sizeof(why), "%s in the %s format",
           r == BD_WHOISREPLY_LIMITED ? "a rate limit"
                                      : "a reply of no known form",
           f->name);
  finish(q, outcomes[r],
         r == BD_WHOISREPLY_FREE || r == BD_WHOISREPLY_REGISTERED ? NULL : why);
}

/* ---- one connection -------------------------------------------------- */

static void on_timeout(uv_timer_t *t) {
  struct query *q = t->data;
  finish(q, BD_WHOIS_UNREACHABLE,
         q->connected ? "no reply in time" : "no connection in time");
  settle(q->w);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  struct query *q = h->data;
  (void)suggested;
  *buf = uv_buf_init(q->chunk, sizeof(q->chunk));
}

/* Keeps what came; false when the reply outgrows its cap or memory. */
static bool keep(struct query *q, const char *data, size_t n) {
  if (q->len + n > BD_WHOIS_REPLY_MAX)
    return false;
  if (q->len + n > q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 2 * CHUNK;
    char *p;
    while (cap < q->len + n)
      cap *= 2;
    p = realloc(q->reply, cap);
    if (p == NULL)
      return false;
    q->reply = p;
    q->cap = cap;
  }
  memcpy(q->reply + q->len, data, n);
  q->len += n;
  return true;
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf) {
  struct query *q = s->data;
  char why[96];

  if (q->ended)
    return;
  if (nread > 0 && !keep(q, buf->base, (size_t)nread)) {
    snprintf(why, sizeof(why), "a reply over %u KiB",
             BD_WHOIS_REPLY_MAX / 1024);
    finish(q, BD_WHOIS_UNRECOGNIZED, why);
  } else if (nread == UV_EOF) {
    judge(q);
  } else if (nread < 0) {
    snprintf(why, sizeof(why), "connection broken: %s",
             uv_strerror((int)nread));
    finish(q, BD_WHOIS_UNREACHABLE, why);
  }
  settle(q->w);
}

static void on_written(uv_write_t *req, int status) {
  struct query *q = req->data;
  char why[96];
  if (status == 0 || q->ended)
    return;
  snprintf(why, sizeof(why), "cannot send: %s", uv_strerror(status));
  finish(q, BD_WHOIS_UNREACHABLE, why);
  settle(q->w);
}

/* RFC 3912: the query is the domain and CRLF; the reply ends when the
 * server closes the connection. */
static void on_connect(uv_connect_t *req, int status) {
  struct query *q = req->data;
  uv_buf_t buf = uv_buf_init(q->request, (unsigned)strlen(q->request));
  char why[96];
  int rc;

  if (q->ended)
    return; /* closed while connecting */
  if (status == 0) {
    q->connected = true;
    q->write.data = q;
    rc = uv_write(&q->write, (uv_stream_t *)&q->tcp, &buf, 1, on_written);
    if (rc == 0)
      rc = uv_read_start((uv_stream_t *)&q->tcp, on_alloc, on_read);
    status = rc;
  }
  if (status != 0) {
    snprintf(why, sizeof(why), "%s%s", q->connected ? "cannot send: " : "",
             status == UV_ECONNREFUSED ? "connection refused"
                                       : uv_strerror(status));
    finish(q, BD_WHOIS_UNREACHABLE, why);
  }
  settle(q->w);
}

static void start_try(struct bd_whois *w, struct query *q) {
  int rc;

  bd_rdapsched_start(&w->sched, &q->item);
  uv_tcp_init(w->loop, &q->tcp);
  uv_timer_init(w->loop, &q->timer);
  q->tcp.data = q;
  q->timer.data = q;
  q->connect.data = q;
  q->open_handles = 2;
  bd_debugf("whois: asking %s about %s", q->srv->name, q->domain);
  rc = uv_tcp_connect(&q->connect, &q->tcp,
                      (const struct sockaddr *)&q->srv->addr, on_connect);
  if (rc != 0) {
    finish(q, BD_WHOIS_UNREACHABLE, uv_strerror(rc));
    return;
  }
  /* The server sees the query arrive with the connection: the pace
   * counts from here. */
  bd_rdapsched_left(&w->sched, &q->item, uv_hrtime());
  uv_timer_start(&q->timer, on_timeout, w->cfg.timeout_ms, 0);
}

/* ---- servers and their addresses ------------------------------------ */

static void on_wakeup(uv_timer_t *t);

static void set_port(struct sockaddr_storage *ss, uint16_t port) {
  if (ss->ss_family == AF_INET6)
    ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
  else
    ((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* An address given as such: "192.0.2.1", "192.0.2.1:4343", "[::1]:4343". */
static bool parse_address(const char *text, struct sockaddr_storage *ss) {
  struct bd_server s;
  if (bd_server_parse_port(text, strlen(text), BD_WHOIS_PORT, &s) !=
      BD_SERVER_OK)
    return false;
  memset(ss, 0, sizeof(*ss));
  ss->ss_family = (sa_family_t)s.family;
  if (s.family == AF_INET6)
    memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, s.addr.v6, 16);
  else
    memcpy(&((struct sockaddr_in *)ss)->sin_addr, s.addr.v4, 4);
  set_port(ss, s.port);
  return true;
}

static struct server *server_named(struct bd_whois *w, const char *name) {
  struct server *s;
  size_t n = strlen(name);

  for (s = w->servers; s != NULL; s = s->next)
    if (strcmp(s->name, name) == 0)
      return s;
  s = calloc(1, sizeof(*s) + n + 1);
  if (s == NULL)
    return NULL;
  memcpy(s->name, name, n + 1);
  s->w = w;
  if (parse_address(name, &s->addr)) {
    s->state = ADDR_READY;
  } else if (strchr(name, ':') != NULL || strchr(name, '[') != NULL) {
    s->state = ADDR_FAILED;
    snprintf(s->why, sizeof(s->why), "not an address");
  }
  s->next = w->servers;
  w->servers = s;
  return s;
}

static void on_resolved(void *arg, int status, const struct sockaddr *addr) {
  struct server *s = arg;
  struct bd_whois *w = s->w;
  struct query *q;

  if (status == ARES_SUCCESS) {
    size_t len = addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                             : sizeof(struct sockaddr_in);
    memset(&s->addr, 0, sizeof(s->addr));
    memcpy(&s->addr, addr, len);
    set_port(&s->addr, BD_WHOIS_PORT);
    s->state = ADDR_READY;
  } else {
    s->state = ADDR_FAILED;
    snprintf(s->why, sizeof(s->why), "cannot resolve %s: %s", s->name,
             ares_strerror(status));
  }
  /* Its queries go the way of every new one, from the loop: their
   * callbacks may end the run and close the resolver, which must not
   * happen inside c-ares, where this runs. */
  while ((q = pop(&s->parked)) != NULL)
    push(&w->pending, q);
  if (!w->closed && !w->settling)
    uv_timer_start(&w->wakeup, on_wakeup, 0, 0);
}

/* Queues q at its server once the server's address is known. */
static void route(struct bd_whois *w, struct query *q) {
  struct server *s = q->srv;

  switch (s->state) {
  case ADDR_READY:
    if (bd_rdapsched_add(&w->sched, &q->item, s->name) < 0)
      finish(q, BD_WHOIS_UNREACHABLE, "out of memory");
    return;
  case ADDR_FAILED:
    finish(q, BD_WHOIS_UNREACHABLE, s->why);
    return;
  case ADDR_RESOLVING:
    push(&s->parked, q);
    return;
  case ADDR_UNKNOWN:
    break;
  }
  if (w->resolver == NULL) {
    s->state = ADDR_FAILED;
    snprintf(s->why, sizeof(s->why), "no resolver for %s", s->name);
    finish(q, BD_WHOIS_UNREACHABLE, s->why);
    return;
  }
  s->state = ADDR_RESOLVING;
  push(&s->parked, q);
  bd_whoisaddr_resolve(w->resolver, s->name, on_resolved, s);
}

/* ---- the turn of an event ------------------------------------------- */

static void on_wakeup(uv_timer_t *t) {
  settle(container_of(t, struct bd_whois, wakeup));
}

static void arm_wakeup(struct bd_whois *w) {
  uint64_t wait = bd_rdapsched_wait_ms(&w->sched, uv_hrtime());

  if (w->outstanding > 0)
    uv_ref((uv_handle_t *)&w->wakeup);
  else
    uv_unref((uv_handle_t *)&w->wakeup);
  if (wait == UINT64_MAX) {
    uv_timer_stop(&w->wakeup);
    return;
  }
  /* Timers count from the loop's cached time (rdap.c's arm_wakeup). */
  uv_update_time(w->loop);
  uv_timer_start(&w->wakeup, on_wakeup, wait, 0);
}

/* Calls the callbacks due, routes new lookups, starts what the servers'
 * pace allows, and sets the wake-up for what must wait. */
static void settle(struct bd_whois *w) {
  struct bd_rdapsched_item *it;
  struct query *q;

  if (w->settling)
    return;
  w->settling = true;
  do {
    deliver(w);
    while (!w->closed && (q = pop(&w->pending)) != NULL)
      route(w, q);
    while (!w->closed &&
           (it = bd_rdapsched_ready(&w->sched, uv_hrtime())) != NULL)
      start_try(w, container_of(it, struct query, item));
  } while (w->done.head != NULL || (!w->closed && w->pending.head != NULL));
  w->settling = false;
  if (!w->closed)
    arm_wakeup(w);
}

/* ---- life cycle ------------------------------------------------------ */

/* The table: --whois-servers's file, else the cache copy, else the one
 * built in. Says why when it fails. */
static int load_table(struct bd_whois *w, const char *file) {
  char path[4096];
  unsigned bad = 0;
  int rc;

  if (file == NULL &&
      bd_whoisdb_cache_path(path, sizeof(path), getenv("XDG_CACHE_HOME"),
                            getenv("HOME")) == 0 &&
      bd_whoisdb_load(&w->db, path, &bad) == 0) {
    bd_debugf("whois: servers from %s (%s)", path, w->db.date);
    return 0;
  }
  if (file == NULL) {
    rc = bd_whoisdb_builtin(&w->db);
    if (rc == 0)
      bd_debugf("whois: the built-in servers (%s)", w->db.date);
  } else {
    rc = bd_whoisdb_load(&w->db, file, &bad);
  }
  if (rc == -EINVAL)
    bd_errorf("%s:%u: not a line of a WHOIS servers file (SUFFIX SERVER)", file,
              bad);
  else if (rc == -ENOMEM)
    bd_errorf("out of memory");
  else if (rc != 0)
    bd_errorf("cannot read %s: %s", file,
              rc == -EFBIG ? "larger than 4 MiB" : strerror(-rc));
  return rc;
}

static int set_up(struct bd_whois *w, const struct bd_whois_config *cfg) {
  struct sockaddr_storage ss;
  int rc;

  if (cfg->forced_host != NULL) {
    if (!parse_address(cfg->forced_host, &ss)) {
      bd_errorf("--whois-host %s: not ADDR[:PORT] or [ADDR]:PORT",
                cfg->forced_host);
      return -EINVAL;
    }
    w->forced = strdup(cfg->forced_host);
    if (w->forced == NULL) {
      bd_errorf("out of memory");
      return -ENOMEM;
    }
    return 0; /* no table, no name to resolve */
  }
  rc = load_table(w, cfg->servers_file);
  if (rc != 0)
    return rc;
  rc = bd_whoisaddr_new(&w->resolver, w->loop, cfg->resolvers, cfg->nresolvers,
                        w->cfg.timeout_ms / 2);
  if (rc == -EINVAL) {
    w->resolver = NULL; /* no resolver: each server fails when asked */
    rc = 0;
  }
  if (rc != 0)
    bd_errorf("out of memory");
  return rc;
}

int bd_whois_new(struct bd_whois **out, uv_loop_t *loop,
                 const struct bd_whois_config *cfg) {
  struct bd_whois *w = calloc(1, sizeof(*w));
  struct bd_rdapsched_config sc;
  int rc;

  if (w == NULL) {
    bd_errorf("out of memory");
    return -ENOMEM;
  }
  w->loop = loop;
  w->cfg = *cfg;
  if (w->cfg.rate == 0)
    w->cfg.rate = BD_WHOIS_DEFAULT_RATE;
  if (w->cfg.timeout_ms == 0)
    w->cfg.timeout_ms = BD_WHOIS_DEFAULT_TIMEOUT_MS;
  rc = set_up(w, cfg);
  if (rc != 0) {
    bd_whoisdb_free(&w->db);
    free(w->forced);
    free(w);
    return rc;
  }
  /* One query at a time to a server, paced, never retried: a second try
   * at a server that limits us only makes the limit last. */
  sc.concurrency = 1;
  sc.rate = (double)w->cfg.rate;
  sc.tries = 1;
  sc.max_pauses = 0;
  bd_rdapsched_init(&w->sched, &sc);
  uv_timer_init(loop, &w->wakeup);
  uv_unref((uv_handle_t *)&w->wakeup);
  *out = w;
  return 0;
}

int bd_whois_lookup(struct bd_whois *w, const char *domain, bd_whois_cb cb,
                    void *arg) {
  size_t n = strlen(domain);
  const char *name;
  struct server *s;
  struct query *q;

  if (w->closed)
    return -ECANCELED;
  if (n > 0 && domain[n - 1] == '.')
    n--;
  if (n == 0 || n > BD_WHOISDB_SERVER_MAX)
    return -ENOENT;
  name = w->forced != NULL ? w->forced : bd_whoisdb_lookup(&w->db, domain);
  if (name == NULL)
    return -ENOENT;
  s = server_named(w, name);
  q = s != NULL ? calloc(1, sizeof(*q) + n + 1) : NULL;
  if (q == NULL)
    return -ENOMEM;
  q->w = w;
  q->srv = s;
  q->cb = cb;
  q->arg = arg;
  memcpy(q->domain, domain, n);
  snprintf(q->request, sizeof(q->request), "%s\r\n", q->domain);
  push(&w->pending, q);
  w->outstanding++;
  /* Everything starts from the loop, so cb never runs in here. */
  if (!w->settling) {
    uv_ref((uv_handle_t *)&w->wakeup);
    uv_timer_start(&w->wakeup, on_wakeup, 0, 0);
  }
  return 0;
}

void bd_whois_close(struct bd_whois *w) {
  struct bd_rdapsched_item *it;
  struct query *q;

  if (w == NULL || w->closed)
    return;
  w->closed = true;
  while ((q = pop(&w->pending)) != NULL)
    finish(q, BD_WHOIS_CANCELLED, NULL);
  for (struct server *s = w->servers; s != NULL; s = s->next)
    while ((q = pop(&s->parked)) != NULL)
      finish(q, BD_WHOIS_CANCELLED, NULL);
  while ((it = bd_rdapsched_any(&w->sched)) != NULL)
    finish(container_of(it, struct query, item), BD_WHOIS_CANCELLED, NULL);
  bd_whoisaddr_close(w->resolver);
  deliver(w);
  uv_close((uv_handle_t *)&w->wakeup, NULL);
}

void bd_whois_free(struct bd_whois *w) {
  if (w == NULL)
    return;
  assert(w->closed && w->outstanding == 0);
  while (w->servers != NULL) {
    struct server *s = w->servers;
    w->servers = s->next;
    free(s);
  }
  bd_rdapsched_free(&w->sched);
  bd_whoisaddr_free(w->resolver);
  bd_whoisdb_free(&w->db);
  free(w->forced);
  free(w);
}
