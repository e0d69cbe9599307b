/* The engine: names from the source become queries on c-ares channels
 * driven by a libuv loop; answers become verdicts handed to the hooks.
 *
 * One c-ares channel (a "lane") talks to one server with one try: retries
 * are ours, so every try waits the same timeout (c-ares 1.18 doubles it per
 * round) and each can go to the next server. Sockets are watched with
 * uv_poll_t as c-ares asks through its socket state callback; one repeating
 * timer lets c-ares expire queries, without ares_timeout(), which walks
 * every query in flight. */
#include "blogdom/engine.h"

#include <ares.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "blogdom/health.h"
#include "blogdom/msg.h"
#include "blogdom/names.h"
#include "blogdom/netio.h"
#include "blogdom/pacer.h"
#include "blogdom/rdap.h"
#include "blogdom/source.h"
#include "blogdom/text.h"
#include "blogdom/trust.h"
#include "blogdom/window.h"

#define NO_SERVER ((size_t)-1)

#define container_of(ptr, type, member)                                        \
  ((type *)((char *)(ptr)-offsetof(type, member)))

#define EDNS_PAYLOAD 1232 /* RFC 9715's advice against fragmentation */
#define UDP_BUFFER (4 * 1024 * 1024)
#define LOCAL_BACKOFF_NS (10 * 1000000ull)
#define LOCAL_RETRIES_MAX 50
#define PACER_SLACK_NS (10 * 1000000ull)

struct lane;

/* One socket c-ares asked us to watch; freed in its close callback. */
struct watch {
  uv_poll_t poll;
  ares_socket_t fd;
  struct lane *lane;
  struct watch *next;
};

/* One c-ares channel bound to one server. */
struct lane {
  struct bd_engine *engine;
  ares_channel channel;
  size_t server;
  struct watch *watches;
  struct bd_netio netio;
};

/* What the engine knows of one server: its own congestion window (each
 * path has its own capacity) and the round robin over its lanes. Its
 * health lives beside it, in an array the pure health rule reads. */
struct server_state {
  struct bd_window window;
  unsigned inflight;
  size_t next_lane;
  /* Vetting: the answers to its two questions, and what they show. */
  struct bd_verdict vet_rewrite;
  struct bd_verdict vet_reference;
  enum bd_vet vet;
  int vet_rcode;
  /* Tries in a row that got no answer, since the last answer. */
  unsigned unanswered;
  uint64_t last_answer_ns;
  bool warned_silent;
};

/* What a query is for: a name of the input, or a check of the resolver
 * or of a TLD (see trust.h). */
enum probe_kind {
  PROBE_NAME,
  PROBE_REWRITE,   /* a random name under a made-up TLD: must not exist */
  PROBE_REFERENCE, /* "com.": must exist */
  PROBE_APEX,      /* a TLD's own name */
  PROBE_RANDOM     /* a random name under a TLD: exists only by wildcard */
};

/* One name being probed, from the source to its verdict. */
struct probe {
  struct bd_engine *engine;
  struct probe *next; /* free list, retry queue or a TLD's parked list */
  enum probe_kind kind;
  uint16_t qtype;
  struct bd_tld *tld;        /* the TLD it waits on or checks, or NULL */
  struct bd_verdict verdict; /* the DNS verdict, kept while it waits */
  uint64_t seq;
  uint64_t start_ns; /* of the first try */
  uint64_t sent_ns;  /* of the last try */
  unsigned tries;
  unsigned local_failures;
  bool pinned;       /* every try goes to server: a vetting query */
  size_t server;     /* of the last try */
  struct lane *lane; /* of the last try */
  size_t name_len;
  char name[BD_NAME_MAX + 1];
};

struct bd_engine {
  uv_loop_t *loop;
  struct bd_engine_config cfg;
  struct bd_engine_hooks hooks;
  struct bd_source *src;

  struct lane *lanes;
  size_t nlanes;
  struct server_state *servers;
  struct bd_health *health;
  size_t in_use; /* servers not sidelined */
  size_t rotor;  /* the server for the next new name */

  struct probe *pool;
  struct probe *free_probes;
  struct probe *retry_head;
  struct probe *retry_tail;

  uv_timer_t tick;   /* lets c-ares expire queries */
  uv_timer_t wakeup; /* pacing and local back-off */
  uv_poll_t input;   /* the source's descriptor while it would block */
  int input_fd;      /* the descriptor input watches */
  bool input_watched;
  bool input_initialized;
  bool input_closing; /* input is closing, to watch another descriptor */
  bool tick_running;
  bool wakeup_armed;
  bool source_done;
  bool stopping;
  bool closed;
  bool warned_local;

  struct bd_pacer pacer;
  uint64_t backoff_until_ns;
  uint64_t next_seq;
  struct bd_engine_stats stats;

  struct bd_trust *trust;   /* NULL when no check is wanted */
  unsigned vet_pending;     /* vetting queries still out */
  unsigned upfront_pending; /* TLDs known up front, still undecided */
  uint64_t waiting;         /* names parked on a TLD's checks */
  char fatal[256];          /* why the run cannot go on, or "" */

  unsigned char random[512];
  size_t random_left;
};

static void pump(struct bd_engine *e);

/* ---- randomness ------------------------------------------------------ */

/* Query ids and the random labels of the checks come from the kernel's
 * CSPRNG: c-ares 1.18's ares_send() keeps the id we give it, and ids must
 * be unpredictable (RFC 5452 9.2). */
static void random_bytes(struct bd_engine *e, void *out, size_t n) {
  if (e->random_left < n) {
    size_t got = 0;
    while (got < sizeof(e->random)) {
      ssize_t r = getrandom(e->random + got, sizeof(e->random) - got, 0);
      if (r < 0 && errno != EINTR)
        break;
      if (r > 0)
        got += (size_t)r;
    }
    e->random_left = got;
    if (got < n) { /* never in practice: getrandom(2) cannot fail */
      uint64_t t = uv_hrtime();
      memset(out, 0, n);
      memcpy(out, &t, n < sizeof(t) ? n : sizeof(t));
      return;
    }
  }
  e->random_left -= n;
  memcpy(out, e->random + e->random_left, n);
}

static unsigned short next_query_id(struct bd_engine *e) {
  unsigned short id;
  random_bytes(e, &id, sizeof(id));
  return id;
}

/* ---- sockets --------------------------------------------------------- */

static void on_watch_closed(uv_handle_t *h) {
  free(container_of((uv_poll_t *)h, struct watch, poll));
}

static void on_socket_event(uv_poll_t *h, int status, int events) {
  struct watch *w = container_of(h, struct watch, poll);
  struct bd_engine *e = w->lane->engine;
  ares_socket_t rd = ARES_SOCKET_BAD;
  ares_socket_t wr = ARES_SOCKET_BAD;

  /* On an error let c-ares read and write: it finds the error itself. */
  if (status < 0 || (events & UV_READABLE))
    rd = w->fd;
  if (status < 0 || (events & UV_WRITABLE))
    wr = w->fd;
  ares_process_fd(w->lane->channel, rd, wr);
  pump(e);
}

static struct watch **find_watch(struct lane *lane, ares_socket_t fd) {
  struct watch **pw = &lane->watches;
  while (*pw != NULL && (*pw)->fd != fd)
    pw = &(*pw)->next;
  return pw;
}

/* c-ares' socket state callback. On (0, 0) c-ares closes the fd right
 * after we return, so polling must stop now. */
static void on_socket_state(void *data, ares_socket_t fd, int readable,
                            int writable) {
  struct lane *lane = data;
  struct watch **pw = find_watch(lane, fd);
  struct watch *w = *pw;
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);

  if (events == 0) {
    if (w != NULL) {
      *pw = w->next;
      uv_close((uv_handle_t *)&w->poll, on_watch_closed);
    }
    return;
  }
  if (w == NULL) {
    w = malloc(sizeof(*w));
    if (w == NULL || uv_poll_init_socket(lane->engine->loop, &w->poll, fd)) {
      /* Unwatched, the socket's queries end by timeout: slower, not lost. */
      free(w);
      bd_warnf("cannot watch a socket: out of memory or descriptors");
      return;
    }
    w->fd = fd;
    w->lane = lane;
    w->next = lane->watches;
    lane->watches = w;
  }
  uv_poll_start(&w->poll, events, on_socket_event);
}

/* ---- lanes ----------------------------------------------------------- */

static int lane_init(struct bd_engine *e, struct lane *lane, size_t server) {
  static char lookups[] = "b"; /* DNS only: never /etc/hosts */
  const struct bd_server *s = &e->cfg.servers[server];
  struct ares_options opts;
  struct ares_addr_port_node node;
  int optmask;
  int rc;

  memset(lane, 0, sizeof(*lane));
  lane->engine = e;
  lane->server = server;
  lane->netio.rcvbuf = UDP_BUFFER;
  lane->netio.sndbuf = UDP_BUFFER;

  /* Everything the environment could change is set here: no search
   * domains, no rotation, one try of exactly timeout_ms. */
  memset(&opts, 0, sizeof(opts));
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
               ARES_FLAG_NOALIASES | ARES_FLAG_EDNS;
  opts.timeout = (int)e->cfg.timeout_ms;
  opts.tries = 1;
  opts.ndots = 1;
  opts.ndomains = 0;
  opts.domains = NULL;
  opts.lookups = lookups;
  opts.ednspsz = EDNS_PAYLOAD;
  opts.sock_state_cb = on_socket_state;
  opts.sock_state_cb_data = lane;
  optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
            ARES_OPT_NDOTS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
            ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE;
  rc = ares_init_options(&lane->channel, &opts, optmask);
  if (rc != ARES_SUCCESS) {
    bd_errorf("cannot start the resolver library: %s", ares_strerror(rc));
    lane->channel = NULL;
    return -1;
  }
  ares_set_socket_functions(lane->channel, bd_netio_functions(), &lane->netio);

  memset(&node, 0, sizeof(node));
  node.family = s->family;
  memcpy(&node.addr, &s->addr, s->family == AF_INET ? 4 : 16);
  node.udp_port = s->port;
  node.tcp_port = s->port;
  rc = ares_set_servers_ports(lane->channel, &node);
  if (rc != ARES_SUCCESS) {
    bd_errorf("cannot use server %s: %s", s->text, ares_strerror(rc));
    return -1;
  }
  return 0;
}

static struct lane *pick_lane(struct bd_engine *e, size_t server) {
  size_t per = e->cfg.sockets_per_server;
  size_t i = e->servers[server].next_lane++ % per;
  return &e->lanes[server * per + i];
}

/* ---- probes ---------------------------------------------------------- */

static struct probe *take_probe(struct bd_engine *e) {
  struct probe *p = e->free_probes;
  if (p != NULL)
    e->free_probes = p->next;
  return p;
}

static void give_back(struct bd_engine *e, struct probe *p) {
  p->next = e->free_probes;
  e->free_probes = p;
}

static void push_retry(struct bd_engine *e, struct probe *p) {
  p->next = NULL;
  if (e->retry_tail != NULL)
    e->retry_tail->next = p;
  else
    e->retry_head = p;
  e->retry_tail = p;
}

static struct probe *pop_retry(struct bd_engine *e) {
  struct probe *p = e->retry_head;
  if (p != NULL) {
    e->retry_head = p->next;
    if (e->retry_head == NULL)
      e->retry_tail = NULL;
  }
  return p;
}

/* Drops a probe that will have no line: a check, or a name cut off by an
 * interrupt. */
static void release(struct bd_engine *e, struct probe *p) {
  if (p->kind != PROBE_NAME) {
    free(p);
    return;
  }
  e->stats.unreached++;
  give_back(e, p);
}

static void report(struct bd_engine *e, uint64_t seq, const char *name,
                   size_t len, const struct bd_verdict *v,
                   struct bd_result *r) {
  r->seq = seq;
  r->name = name;
  r->name_len = len;
  r->verdict = v;
  r->qtype = e->cfg.qtype;
  e->stats.finished++;
  if (e->hooks.on_result(e->hooks.data, r) != 0)
    bd_engine_stop(e);
}

/* The last stage of a name: its line. */
static void deliver(struct bd_engine *e, struct probe *p) {
  struct bd_result r;
  memset(&r, 0, sizeof(r));
  r.tries = p->tries;
  r.ms = (double)(uv_hrtime() - p->start_ns) / 1e6;
  r.server = e->cfg.servers[p->server].text;
  report(e, p->seq, p->name, p->name_len, &p->verdict, &r);
  give_back(e, p);
}

/* What the checks of its TLD make of a name's DNS verdict. */
static void apply_tld(struct probe *p) {
  if (p->tld == NULL)
    return;
  if (p->tld->state == BD_TLD_WILDCARD)
    bd_verdict_apply_wildcard(&p->verdict);
  else if (p->tld->state == BD_TLD_MISSING)
    bd_verdict_apply_missing_tld(&p->verdict);
  else if (p->tld->state == BD_TLD_DENIED)
    bd_verdict_apply_denied_tld(&p->verdict);
}

static void park(struct bd_tld *tld, struct probe *p) {
  struct probe *tail = tld->parked_tail;
  p->next = NULL;
  if (tail != NULL)
    tail->next = p;
  else
    tld->parked_head = p;
  tld->parked_tail = p;
}

static void on_check_done(struct bd_engine *e, struct probe *p);

static enum bd_confirm confirm_of(enum bd_rdap_outcome o) {
  switch (o) {
  case BD_RDAP_REGISTERED:
    return BD_CONFIRM_REGISTERED;
  case BD_RDAP_AVAILABLE:
    return BD_CONFIRM_AVAILABLE;
  case BD_RDAP_NO_SERVER:
    return BD_CONFIRM_NO_SERVER;
  default:
    return BD_CONFIRM_FAILED;
  }
}

static void on_rdap(void *arg, const struct bd_rdap_result *r) {
  struct probe *p = arg;
  struct bd_engine *e = p->engine;
  e->waiting--;
  if (r->outcome == BD_RDAP_CANCELLED) {
    release(e, p);
    return;
  }
  bd_verdict_apply_confirm(&p->verdict, confirm_of(r->outcome), r->http_status);
  deliver(e, p);
  pump(e);
}

/* With --confirm, a name DNS calls free is not free until its registry
 * agrees: the line waits for the RDAP answer. */
static void confirm_or_deliver(struct bd_engine *e, struct probe *p) {
  if (e->cfg.rdap != NULL && p->verdict.status == BD_NOTFOUND && !e->stopping &&
      bd_rdap_lookup(e->cfg.rdap, p->name, on_rdap, p) == 0) {
    e->waiting++;
    return;
  }
  deliver(e, p);
}

/* A name has its DNS verdict: it waits for its TLD's checks if they are
 * still out, then goes on to its line. */
static void finish_probe(struct bd_engine *e, struct probe *p,
                         const struct bd_verdict *v) {
  p->verdict = *v;
  if (p->kind != PROBE_NAME) {
    on_check_done(e, p);
    return;
  }
  if (p->tld != NULL && p->tld->state == BD_TLD_CHECKING) {
    park(p->tld, p);
    e->waiting++;
    return;
  }
  apply_tld(p);
  confirm_or_deliver(e, p);
}

static void finish_invalid(struct bd_engine *e, uint64_t seq,
                           const struct bd_item *item) {
  struct bd_verdict v;
  struct bd_result r;
  char shown[BD_ESCAPED_SIZE(256) + 4];
  size_t n;

  bd_verdict_invalid_name(&v, bd_name_is_host_error(item->error));
  memset(&r, 0, sizeof(r));
  r.truncated = item->truncated;
  r.detail = bd_name_strerror(item->error);
  n = bd_text_escape(shown, sizeof(shown) - 4, item->text,
                     item->len < 256 ? item->len : 256);
  if (item->truncated || item->len > 256)
    memcpy(shown + n, "...", 4);
  bd_notef("invalid name %s: %s", shown, r.detail);
  report(e, seq, item->text, item->len, &v, &r);
}

/* ---- answers --------------------------------------------------------- */

/* A failure on this host (no descriptor, full socket buffer): the query
 * never left, so it costs no try; the window shrinks and sending pauses.
 * A name that meets it again and again (no descriptor can ever be had)
 * pays tries after all, so the run still ends. */
static bool retry_local_failure(struct bd_engine *e, struct probe *p,
                                struct lane *lane) {
  int err = lane->netio.local_errno;
  uint64_t now = uv_hrtime();

  if (err == 0 || e->stopping)
    return false;
  lane->netio.local_errno = 0;
  if (++p->local_failures > LOCAL_RETRIES_MAX)
    return false;
  if (!e->warned_local) {
    bd_warnf("sending paused: %s; lowering concurrency", strerror(err));
    e->warned_local = true;
  }
  bd_window_on_local_failure(&e->servers[p->server].window, now,
                             LOCAL_BACKOFF_NS);
  e->backoff_until_ns = now + LOCAL_BACKOFF_NS;
  p->tries--;
  push_retry(e, p);
  return true;
}

static bool should_retry(const struct bd_engine *e, const struct probe *p,
                         const struct bd_verdict *v) {
  if (e->stopping || p->tries >= e->cfg.tries)
    return false;
  if (bd_verdict_is_transport_failure(v))
    return true;
  /* A server's refusal is its final word unless another server can ask;
   * a vetting query asks its own server alone. */
  return bd_verdict_is_server_failure(v) && !p->pinned &&
         (e->in_use > 1 || e->health[p->server].sidelined);
}

/* Each server in use may have an equal share of the concurrency in flight:
 * without it, the server whose answers happen to be read first in each
 * turn of the loop would take every free slot. A slower server still gets
 * fewer names a second, as its slots stay busy longer. */
static void share_concurrency(struct bd_engine *e) {
  unsigned share = e->cfg.window_max / (unsigned)(e->in_use ? e->in_use : 1);
  for (size_t i = 0; i < e->cfg.nservers; i++)
    bd_window_set_max(&e->servers[i].window, share ? share : 1);
}

/* A server that stops answering mid-run is said once: its names go to the
 * others, or turn '?' when it is the last. A run of unanswered tries alone
 * is not enough, as a lossy path has those too: there must also have been
 * no answer at all for a few timeouts. */
#define SILENT_TRIES 8
#define SILENT_TIMEOUTS 3

static void watch_silence(struct bd_engine *e, size_t server, bool answered) {
  struct server_state *ss = &e->servers[server];
  uint64_t now = uv_hrtime();
  uint64_t quiet = (uint64_t)SILENT_TIMEOUTS * e->cfg.timeout_ms * 1000000u;

  if (answered) {
    ss->unanswered = 0;
    ss->last_answer_ns = now;
    return;
  }
  if (ss->last_answer_ns == 0)
    ss->last_answer_ns = now;
  if (++ss->unanswered < SILENT_TRIES || now - ss->last_answer_ns < quiet ||
      ss->warned_silent)
    return;
  ss->warned_silent = true;
  bd_warnf("server %s has stopped answering (%u tries in a row without an "
           "answer)%s",
           e->cfg.servers[server].text, ss->unanswered,
           e->in_use > 1 ? "" : "; it is the only server left");
}

/* Feeds the outcome of one try to the server's window and health, and
 * sidelines the server when it fails much more than the others. */
static void judge_server(struct bd_engine *e, size_t server, uint64_t sent_ns,
                         const struct bd_verdict *v) {
  struct server_state *ss = &e->servers[server];
  bool transport = bd_verdict_is_transport_failure(v);
  /* Losses seen within a timeout of a cut were caused before it. */
  uint64_t hold = (uint64_t)e->cfg.timeout_ms * 1000000u;

  watch_silence(e, server,
                v->reason != BD_REASON_TIMEOUT &&
                    v->reason != BD_REASON_UNREACHABLE);

  if (v->reason == BD_REASON_TIMEOUT) {
    e->stats.timeouts++;
    bd_window_on_loss(&ss->window, uv_hrtime(), sent_ns, hold);
  } else if (!transport) {
    bd_window_on_answer(&ss->window, uv_hrtime(), sent_ns, hold);
  }
  bd_health_record(&e->health[server],
                   transport || bd_verdict_is_server_failure(v));
  if (bd_health_should_sideline(e->health, e->cfg.nservers, server)) {
    e->health[server].sidelined = true;
    e->in_use--;
    share_concurrency(e);
    e->stats.sidelined++;
    bd_warnf("server %s sidelined: %.0f%% of its last queries failed; its "
             "names go to the other servers",
             e->cfg.servers[server].text, 100 * e->health[server].failure_rate);
  }
}

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf,
                      int alen) {
  struct probe *p = arg;
  struct bd_engine *e = p->engine;
  struct lane *lane = p->lane;
  struct bd_verdict v;

  (void)timeouts;
  e->stats.inflight--;
  e->servers[p->server].inflight--;
  if (status == ARES_EDESTRUCTION || status == ARES_ECANCELLED) {
    release(e, p);
    return;
  }
  if (status == ARES_ECONNREFUSED && retry_local_failure(e, p, lane))
    return;
  if (status == ARES_SUCCESS)
    bd_verdict_from_answer(abuf, (size_t)alen, p->qtype, &v);
  else
    bd_verdict_from_status(status, &v);

  /* Vetting judges its server by rules of its own. */
  if (!p->pinned)
    judge_server(e, p->server, p->sent_ns, &v);
  if (should_retry(e, p, &v)) {
    e->stats.retries++;
    push_retry(e, p);
    return;
  }
  finish_probe(e, p, &v);
}

/* ---- vetting and TLD checks ------------------------------------------ */

#define RANDOM_LABEL 24
#define TYPE_A 1
#define TYPE_SOA 6

/* Queues one check query for name. A vetting query is pinned to the server
 * it judges; the others go to any server in use. */
static int start_check(struct bd_engine *e, enum probe_kind kind,
                       const char *name, uint16_t qtype, struct bd_tld *tld,
                       size_t server) {
  struct probe *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  p->engine = e;
  p->kind = kind;
  p->qtype = qtype;
  p->tld = tld;
  p->pinned = server != NO_SERVER;
  /* Unpinned, the first try goes to the first server in use. */
  p->server = p->pinned ? server : e->cfg.nservers - 1;
  p->name_len = strlen(name);
  memcpy(p->name, name, p->name_len + 1);
  push_retry(e, p);
  return 0;
}

static void random_name(struct bd_engine *e, char *out, const char *suffix) {
  unsigned char rnd[RANDOM_LABEL];
  random_bytes(e, rnd, sizeof(rnd));
  bd_trust_random_label(out, RANDOM_LABEL, rnd);
  if (suffix != NULL) {
    out[RANDOM_LABEL] = '.';
    strcpy(out + RANDOM_LABEL + 1, suffix);
  }
}

/* Before any name is read, every server is asked two questions whose
 * answers are known: a name that cannot exist and a TLD that must. All
 * servers at once, so vetting costs one round trip. */
static int start_vetting(struct bd_engine *e) {
  char name[2 * RANDOM_LABEL + 2];
  char tld[RANDOM_LABEL + 1];
  for (size_t i = 0; i < e->cfg.nservers; i++) {
    random_name(e, tld, NULL);
    random_name(e, name, tld);
    if (start_check(e, PROBE_REWRITE, name, TYPE_A, NULL, i) != 0 ||
        start_check(e, PROBE_REFERENCE, "com", TYPE_SOA, NULL, i) != 0)
      return -1;
    e->vet_pending += 2;
  }
  return 0;
}

/* On first sight of a TLD: its own name, and a random name under it. */
static void start_tld_checks(struct bd_engine *e, struct bd_tld *tld) {
  char name[RANDOM_LABEL + BD_LABEL_MAX + 2];
  if (!e->cfg.trust_resolver &&
      start_check(e, PROBE_APEX, tld->name, TYPE_SOA, tld, NO_SERVER) == 0)
    tld->pending++;
  if (e->cfg.wildcard_check) {
    random_name(e, name, tld->name);
    if (start_check(e, PROBE_RANDOM, name, e->cfg.qtype, tld, NO_SERVER) == 0)
      tld->pending++;
  }
  if (tld->pending == 0)
    tld->state = BD_TLD_FINE;
}

static void start_upfront_check(struct bd_tld *tld, void *data) {
  if (tld->upfront)
    start_tld_checks(data, tld);
}

/* The TLDs known before the first name (-t, NAME arguments) are checked
 * before any name is sent, so that a failure ends the run before its first
 * line. */
static void add_upfront_tld(const char *name, void *data) {
  struct bd_engine *e = data;
  bool created;
  struct bd_tld *tld = bd_trust_tld(e->trust, name, &created);
  if (tld != NULL && created) {
    tld->upfront = true;
    e->upfront_pending++;
  }
}

static void fail_run(struct bd_engine *e, const char *why) {
  if (e->fatal[0] == '\0')
    snprintf(e->fatal, sizeof(e->fatal), "%s", why);
  bd_engine_stop(e);
}

/* Hands the names parked on a decided TLD on to their lines. */
static void release_parked(struct bd_engine *e, struct bd_tld *tld) {
  struct probe *p = tld->parked_head;
  tld->parked_head = tld->parked_tail = NULL;
  while (p != NULL) {
    struct probe *next = p->next;
    e->waiting--;
    apply_tld(p);
    confirm_or_deliver(e, p);
    p = next;
  }
}

static void decide_tld(struct bd_tld *tld, void *data) {
  struct bd_engine *e = data;
  char why[200];
  if (tld->state != BD_TLD_CHECKING || tld->pending > 0 || e->fatal[0])
    return;
  if (tld->upfront)
    e->upfront_pending--;
  if (!bd_trust_decide(tld)) {
    snprintf(why, sizeof(why),
             "the resolver answers NXDOMAIN for %s., a TLD that exists: its "
             "verdicts cannot be trusted (--trust-resolver to go on anyway)",
             tld->name);
    /* Known before the first name: nothing is printed yet, and nothing
     * would be worth printing. Met later: its names alone get '?'. */
    if (tld->upfront) {
      fail_run(e, why);
      return;
    }
    bd_warnf("the resolver answers NXDOMAIN for %s., a TLD that exists: "
             "names under .%s are '?' (reason resolver-denies-tld)",
             tld->name, tld->name);
  }
  if (tld->state == BD_TLD_WILDCARD)
    bd_warnf("every name under .%s seems to exist (a wildcard): its '+' "
             "lines are '?' (reason wildcard)",
             tld->name);
  if (tld->state == BD_TLD_MISSING)
    bd_warnf("the TLD .%s does not exist: its names are '?' (reason "
             "no-such-tld)",
             tld->name);
  release_parked(e, tld);
}

/* Stops using a server that failed vetting. */
static void drop_server(struct bd_engine *e, size_t server) {
  e->health[server].sidelined = true;
  e->in_use--;
}

/* Every vetting answer is in: servers that failed are dropped, each with a
 * line that says what it did. With none left the run ends before its first
 * line; each server's line is an error then, the last one saying so. */
static void finish_vetting(struct bd_engine *e) {
  size_t last_bad = NO_SERVER;
  char buf[64];

  for (size_t i = 0; i < e->cfg.nservers; i++) {
    struct server_state *ss = &e->servers[i];
    ss->vet =
        bd_trust_vet(&ss->vet_rewrite, &ss->vet_reference, &ss->vet_rcode);
    if (ss->vet != BD_VET_OK) {
      drop_server(e, i);
      last_bad = i;
    }
  }
  if (last_bad == NO_SERVER)
    return;
  for (size_t i = 0; i < e->cfg.nservers; i++) {
    const struct server_state *ss = &e->servers[i];
    const char *what =
        bd_vet_describe(ss->vet, ss->vet_rcode, buf, sizeof(buf));
    if (ss->vet == BD_VET_OK)
      continue;
    if (e->in_use > 0)
      bd_warnf("server %s %s: dropped", e->cfg.servers[i].text, what);
    else if (i != last_bad)
      bd_errorf("server %s %s", e->cfg.servers[i].text, what);
    else
      snprintf(e->fatal, sizeof(e->fatal),
               "server %s %s: no usable DNS server left",
               e->cfg.servers[i].text, what);
  }
  if (e->in_use == 0) {
    bd_engine_stop(e);
    return;
  }
  share_concurrency(e);
}

static void on_check_done(struct bd_engine *e, struct probe *p) {
  const struct bd_verdict *v = &p->verdict;
  struct bd_tld *tld = p->tld;

  switch (p->kind) {
  case PROBE_REWRITE:
    e->servers[p->server].vet_rewrite = *v;
    e->vet_pending--;
    break;
  case PROBE_REFERENCE:
    e->servers[p->server].vet_reference = *v;
    e->vet_pending--;
    break;
  case PROBE_APEX:
    tld->pending--;
    tld->apex_missing = v->status == BD_NOTFOUND;
    break;
  case PROBE_RANDOM:
    tld->pending--;
    tld->random_found = v->status == BD_FOUND;
    break;
  case PROBE_NAME:
    break;
  }
  if (p->pinned && e->vet_pending == 0) {
    finish_vetting(e);
    if (e->trust != NULL && !e->stopping)
      bd_trust_each(e->trust, start_upfront_check, e);
  }
  free(p);
  /* TLDs are decided once every server has been vetted. */
  if (e->vet_pending == 0 && e->trust != NULL)
    bd_trust_each(e->trust, decide_tld, e);
}

/* ---- sending --------------------------------------------------------- */

/* The next server in turn after `after` that is in use and has room in its
 * window, or NO_SERVER. */
static size_t choose_server(const struct bd_engine *e, size_t after) {
  size_t n = e->cfg.nservers;
  for (size_t k = 1; k <= n; k++) {
    size_t i = (after + k) % n;
    const struct server_state *ss = &e->servers[i];
    if (!e->health[i].sidelined && ss->inflight < bd_window_size(&ss->window))
      return i;
  }
  return NO_SERVER;
}

static void send_try(struct bd_engine *e, struct probe *p, size_t server) {
  unsigned char *query;
  int qlen;
  int rc;

  p->server = server;
  p->lane = pick_lane(e, server);
  p->sent_ns = uv_hrtime();
  if (p->tries == 0)
    p->start_ns = p->sent_ns;
  p->tries++;
  rc = ares_create_query(p->name, 1 /* IN */, p->qtype, next_query_id(e), 1,
                         &query, &qlen, EDNS_PAYLOAD);
  if (rc != ARES_SUCCESS) {
    struct bd_verdict v;
    bd_verdict_from_status(rc, &v);
    finish_probe(e, p, &v);
    return;
  }
  e->stats.queries++;
  bd_pacer_consume(&e->pacer, uv_hrtime());
  e->servers[server].inflight++;
  if (++e->stats.inflight > e->stats.inflight_peak)
    e->stats.inflight_peak = e->stats.inflight;
  /* May call on_answer before it returns (a failed send). */
  ares_send(p->lane->channel, query, qlen, on_answer, p);
  ares_free_string(query);
}

static void on_tick(uv_timer_t *t) {
  struct bd_engine *e = container_of(t, struct bd_engine, tick);
  for (size_t i = 0; i < e->nlanes; i++)
    ares_process_fd(e->lanes[i].channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  pump(e);
}

static void on_wakeup(uv_timer_t *t) {
  struct bd_engine *e = container_of(t, struct bd_engine, wakeup);
  e->wakeup_armed = false;
  pump(e);
}

static void watch_input(struct bd_engine *e);

static void on_input_closed(uv_handle_t *h) {
  struct bd_engine *e = container_of((uv_poll_t *)h, struct bd_engine, input);
  e->input_closing = false;
  if (!e->closed)
    pump(e);
}

static void on_input_readable(uv_poll_t *h, int status, int events) {
  struct bd_engine *e = container_of(h, struct bd_engine, input);
  (void)status;
  (void)events;
  uv_poll_stop(&e->input);
  e->input_watched = false;
  pump(e);
}

/* The source would block: come back when its descriptor is readable. The
 * descriptor changes from one input file to the next, and a poll handle
 * left on a finished one (always readable at EOF) would spin the loop. */
static void watch_input(struct bd_engine *e) {
  int fd = bd_source_wait_fd(e->src);
  if (e->input_watched && e->input_fd == fd)
    return;
  if (e->input_closing)
    return; /* on_input_closed comes back here with the handle free */
  if (e->input_initialized && e->input_fd != fd) {
    e->input_initialized = false;
    e->input_watched = false;
    e->input_closing = true;
    uv_close((uv_handle_t *)&e->input, on_input_closed);
    return;
  }
  if (!e->input_initialized) {
    if (uv_poll_init(e->loop, &e->input, fd) != 0) {
      bd_errorf("cannot wait for input on descriptor %d", fd);
      e->source_done = true;
      return;
    }
    e->input_initialized = true;
    e->input_fd = fd;
  }
  if (uv_poll_start(&e->input, UV_READABLE, on_input_readable) != 0) {
    bd_errorf("cannot wait for input on descriptor %d", fd);
    e->source_done = true;
    return;
  }
  e->input_watched = true;
}

static void arm_wakeup(struct bd_engine *e, uint64_t wait_ns) {
  uint64_t ms = (wait_ns + 999999) / 1000000;
  if (e->wakeup_armed)
    return;
  uv_timer_start(&e->wakeup, on_wakeup, ms > 0 ? ms : 1, 0);
  e->wakeup_armed = true;
}

/* May one more query go out now, as far as the pace and a local back-off
 * go? If only time stands in the way, arms the wake-up. */
static bool may_send(struct bd_engine *e) {
  uint64_t now;
  uint64_t wait;

  if (!e->cfg.rate && e->backoff_until_ns == 0)
    return true;
  now = uv_hrtime();
  if (now < e->backoff_until_ns) {
    arm_wakeup(e, e->backoff_until_ns - now);
    return false;
  }
  e->backoff_until_ns = 0;
  wait = bd_pacer_delay(&e->pacer, now);
  if (wait > 0) {
    arm_wakeup(e, wait);
    return false;
  }
  return true;
}

/* Takes the next name from the source and starts it. Returns false when
 * nothing more can be taken now. */
static bool start_next_name(struct bd_engine *e, size_t server) {
  static struct bd_item item;
  struct probe *p;
  enum bd_source_status st;

  if (e->source_done || e->free_probes == NULL || e->vet_pending > 0 ||
      e->upfront_pending > 0 || e->fatal[0] != '\0' ||
      !e->hooks.has_room(e->hooks.data, e->next_seq))
    return false;
  st = bd_source_next(e->src, &item);
  if (st == BD_SOURCE_AGAIN) {
    watch_input(e);
    return false;
  }
  if (st != BD_SOURCE_ITEM) {
    e->source_done = true;
    return false;
  }
  e->stats.started++;
  if (item.error != BD_NAME_OK) {
    finish_invalid(e, e->next_seq++, &item);
    return true;
  }
  p = take_probe(e);
  p->seq = e->next_seq++;
  p->kind = PROBE_NAME;
  p->qtype = e->cfg.qtype;
  p->tries = 0;
  p->local_failures = 0;
  p->name_len = item.len;
  memcpy(p->name, item.text, item.len + 1);
  p->tld = NULL;
  if (e->trust != NULL) {
    bool created;
    p->tld = bd_trust_tld(e->trust, p->name, &created);
    if (created)
      start_tld_checks(e, p->tld);
  }
  send_try(e, p, server);
  return true;
}

static void close_engine(struct bd_engine *e);

/* Sends what the window, the pace and the input allow; retries first. The
 * only caller of ares_send(), always from the top of an event. */
static void pump(struct bd_engine *e) {
  while (!e->stopping && may_send(e)) {
    struct probe *p = e->retry_head;
    size_t server;
    if (p != NULL) {
      /* A retry goes to the next server in turn (the same one if alone);
       * a vetting query to its own server. */
      server = p->pinned ? p->server : choose_server(e, p->server);
      if (server == NO_SERVER)
        break;
      send_try(e, pop_retry(e), server);
    } else {
      server = choose_server(e, e->rotor + e->cfg.nservers - 1);
      if (server == NO_SERVER || !start_next_name(e, server))
        break;
      e->rotor = server + 1;
    }
  }
  if (e->stats.inflight > 0 && !e->tick_running) {
    uint64_t tick = e->cfg.timeout_ms / 20;
    tick = tick < 1 ? 1 : tick > 50 ? 50 : tick;
    uv_timer_start(&e->tick, on_tick, tick, tick);
    e->tick_running = true;
  } else if (e->stats.inflight == 0 && e->tick_running) {
    uv_timer_stop(&e->tick);
    e->tick_running = false;
  }
  if (e->hooks.on_batch != NULL)
    e->hooks.on_batch(e->hooks.data);
  if (e->stopping || (e->source_done && e->stats.inflight == 0 &&
                      e->retry_head == NULL && e->waiting == 0))
    close_engine(e);
}

/* ---- life cycle ------------------------------------------------------ */

int bd_engine_new(struct bd_engine **out, uv_loop_t *loop,
                  const struct bd_engine_config *cfg, struct bd_source *src,
                  const struct bd_engine_hooks *hooks) {
  struct bd_engine *e = calloc(1, sizeof(*e));
  size_t per = cfg->sockets_per_server ? cfg->sockets_per_server : 1;

  if (e == NULL)
    goto nomem;
  e->loop = loop;
  e->cfg = *cfg;
  e->cfg.sockets_per_server = (unsigned)per;
  e->hooks = *hooks;
  e->src = src;
  e->nlanes = cfg->nservers * per;
  e->lanes = calloc(e->nlanes, sizeof(*e->lanes));
  e->servers = calloc(cfg->nservers, sizeof(*e->servers));
  e->health = calloc(cfg->nservers, sizeof(*e->health));
  e->pool = calloc(cfg->window_max, sizeof(*e->pool));
  if (e->lanes == NULL || e->servers == NULL || e->health == NULL ||
      e->pool == NULL)
    goto nomem;
  e->in_use = cfg->nservers;
  for (size_t i = 0; i < cfg->nservers; i++)
    bd_window_init(&e->servers[i].window, cfg->window_init, 1, cfg->window_max);
  share_concurrency(e);
  for (size_t i = 0; i < cfg->window_max; i++) {
    e->pool[i].engine = e;
    give_back(e, &e->pool[cfg->window_max - 1 - i]);
  }
  for (size_t i = 0; i < e->nlanes; i++) {
    if (lane_init(e, &e->lanes[i], i / per) != 0) {
      e->nlanes = i + 1;
      bd_engine_free(e);
      return -1;
    }
  }
  /* 10 ms of slack: a loop that wakes late by up to that still sends its
   * share; the pacer paces 2% under the rate so that no second ever holds
   * more than the rate, even as the server sees them. */
  bd_pacer_init(&e->pacer, cfg->rate, PACER_SLACK_NS);
  uv_timer_init(loop, &e->tick);
  uv_timer_init(loop, &e->wakeup);
  if (cfg->wildcard_check || !cfg->trust_resolver) {
    e->trust = bd_trust_new();
    if (e->trust == NULL)
      goto nomem;
  }
  if (e->trust != NULL) {
    bd_source_each_known_tld(src, add_upfront_tld, e);
    if (cfg->trust_resolver)
      bd_trust_each(e->trust, start_upfront_check, e);
  }
  if (!cfg->trust_resolver && start_vetting(e) != 0)
    goto nomem;
  *out = e;
  return 0;

nomem:
  bd_errorf("out of memory");
  bd_engine_free(e);
  return -1;
}

void bd_engine_start(struct bd_engine *e) {
  pump(e);
}

static void drop_parked(struct bd_tld *tld, void *data) {
  struct bd_engine *e = data;
  struct probe *p = tld->parked_head;
  tld->parked_head = tld->parked_tail = NULL;
  while (p != NULL) {
    struct probe *next = p->next;
    e->waiting--;
    release(e, p);
    p = next;
  }
}

static void drop_unreached(struct bd_engine *e) {
  struct probe *p;
  while ((p = pop_retry(e)) != NULL)
    release(e, p);
  if (e->trust != NULL)
    bd_trust_each(e->trust, drop_parked, e);
}

/* Destroying a channel ends its queries (ARES_EDESTRUCTION) and closes its
 * sockets, which closes their watches through on_socket_state. */
static void close_engine(struct bd_engine *e) {
  if (e->closed)
    return;
  e->closed = true;
  e->stopping = true;
  for (size_t i = 0; i < e->nlanes; i++) {
    if (e->lanes[i].channel != NULL) {
      ares_destroy(e->lanes[i].channel);
      e->lanes[i].channel = NULL;
    }
  }
  drop_unreached(e);
  if (e->cfg.rdap != NULL)
    bd_rdap_close(e->cfg.rdap); /* cancels what is still asked */
  uv_close((uv_handle_t *)&e->tick, NULL);
  uv_close((uv_handle_t *)&e->wakeup, NULL);
  if (e->input_initialized)
    uv_close((uv_handle_t *)&e->input, NULL);
}

/* May run inside a c-ares callback, where ares_destroy() must not: the
 * channels are closed from the next pump, at the top of an event. */
void bd_engine_stop(struct bd_engine *e) {
  if (e->stopping)
    return;
  e->stopping = true;
  if (!e->closed) {
    uv_timer_stop(&e->wakeup);
    uv_timer_start(&e->wakeup, on_wakeup, 0, 0);
    e->wakeup_armed = true;
  }
}

const char *bd_engine_fatal(const struct bd_engine *e) {
  return e->fatal[0] != '\0' ? e->fatal : NULL;
}

void bd_engine_get_stats(const struct bd_engine *e,
                         struct bd_engine_stats *stats) {
  unsigned window = 0;
  for (size_t i = 0; i < e->cfg.nservers; i++)
    if (!e->health[i].sidelined)
      window += bd_window_size(&e->servers[i].window);
  *stats = e->stats;
  stats->window = window < e->cfg.window_max ? window : e->cfg.window_max;
}

void bd_engine_free(struct bd_engine *e) {
  if (e == NULL)
    return;
  if (e->lanes != NULL) {
    for (size_t i = 0; i < e->nlanes; i++)
      if (e->lanes[i].channel != NULL)
        ares_destroy(e->lanes[i].channel);
  }
  free(e->lanes);
  free(e->servers);
  free(e->health);
  bd_trust_free(e->trust);
  free(e->pool);
  free(e);
}
