/* The per-registry scheduler of RDAP requests: a queue and a pace per
 * registry (one RDAP server, by origin), the cap on requests in flight,
 * 429 pauses and back-offs. No I/O and no clock of its own, so that its
 * policy is tested with made-up times. */
#include "blogdom/rdapsched.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/pacer.h"

/* The pace is kept by the pacer's GCRA without slack: a request never
 * leaves sooner than one interval after the one before. The interval is 5%
 * longer than 1/rate, so that a server counting arrivals, with its own
 * jitter and ours (tens of milliseconds on a loaded machine), still never
 * sees more than the rate in any one second. Registries' limits are
 * politeness, not throughput: 5% under is cheap. */
#define PACE_STRETCH 1.05

/* A FIFO of items, linked both ways so that one can leave from the middle
 * (a back-off that ends, a request cancelled in flight). */
struct queue {
  struct bd_rdapsched_item *head;
  struct bd_rdapsched_item *tail;
};

struct bd_rdapsched_registry {
  struct bd_rdapsched_registry *next;
  struct queue waiting; /* fresh items at the back, retries at the front */
  struct queue inflight;
  unsigned ninflight;
  unsigned unsent;          /* of which not on the wire yet */
  struct bd_pacer pacer;    /* counts requests as they leave */
  uint64_t paused_until_ns; /* a 429's Retry-After */
  char key[];
};

/* ---- queues ---------------------------------------------------------- */

static void push_back(struct queue *q, struct bd_rdapsched_item *it) {
  it->next = NULL;
  it->prev = q->tail;
  if (q->tail != NULL)
    q->tail->next = it;
  else
    q->head = it;
  q->tail = it;
}

static void push_front(struct queue *q, struct bd_rdapsched_item *it) {
  it->prev = NULL;
  it->next = q->head;
  if (q->head != NULL)
    q->head->prev = it;
  else
    q->tail = it;
  q->head = it;
}

static void unlink_item(struct queue *q, struct bd_rdapsched_item *it) {
  if (it->prev != NULL)
    it->prev->next = it->next;
  else
    q->head = it->next;
  if (it->next != NULL)
    it->next->prev = it->prev;
  else
    q->tail = it->prev;
  it->prev = it->next = NULL;
}

/* ---- registries ------------------------------------------------------ */

/* The GCRA of bd_pacer, with a rate that need not be whole:
 * bd_pacer_init() takes whole rates only. */
static void pacer_init(struct bd_pacer *p, double rate) {
  p->enabled = true;
  p->tolerance_ns = 0;
  p->tat_ns = 0;
  p->interval_ns = (uint64_t)((double)BD_NS_PER_S * PACE_STRETCH / rate);
}

void bd_rdapsched_init(struct bd_rdapsched *s,
                       const struct bd_rdapsched_config *cfg) {
  assert(cfg->concurrency > 0 && cfg->rate > 0 && cfg->tries > 0);
  s->cfg = *cfg;
  s->registries = NULL;
}

int bd_rdapsched_add(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                     const char *key) {
  struct bd_rdapsched_registry *g;
  size_t n = strlen(key);
  int rc = 0;

  assert(!it->queued && !it->inflight);
  for (g = s->registries; g != NULL; g = g->next)
    if (strcmp(g->key, key) == 0)
      break;
  if (g == NULL) {
    g = calloc(1, sizeof(*g) + n + 1);
    if (g == NULL)
      return -ENOMEM;
    memcpy(g->key, key, n + 1);
    pacer_init(&g->pacer, s->cfg.rate);
    g->next = s->registries;
    s->registries = g;
    rc = 1;
  }
  it->reg = g;
  it->queued = true;
  push_back(&g->waiting, it);
  return rc;
}

const char *bd_rdapsched_key(const struct bd_rdapsched_item *it) {
  return it->reg->key;
}

/* ---- leaving --------------------------------------------------------- */

/* The first item of g that may go at now, if any. */
static struct bd_rdapsched_item *first_ready(struct bd_rdapsched_registry *g,
                                             uint64_t now) {
  for (struct bd_rdapsched_item *it = g->waiting.head; it != NULL;
       it = it->next)
    if (it->not_before_ns <= now)
      return it;
  return NULL;
}

/* One request at a time leaves a registry: the next goes once the last
 * is on the wire (bd_rdapsched_left). Else a request held up by its
 * connection (a TLS handshake, or waiting to share an HTTP/2 one) would
 * reach the registry right before the next one, a burst. */
static bool may_send(const struct bd_rdapsched *s,
                     const struct bd_rdapsched_registry *g, uint64_t now) {
  return g->ninflight < s->cfg.concurrency && g->unsent == 0 &&
         now >= g->paused_until_ns && bd_pacer_delay(&g->pacer, now) == 0;
}

struct bd_rdapsched_item *bd_rdapsched_ready(struct bd_rdapsched *s,
                                             uint64_t now) {
  for (struct bd_rdapsched_registry *g = s->registries; g != NULL;
       g = g->next) {
    struct bd_rdapsched_item *it;
    if (may_send(s, g, now) && (it = first_ready(g, now)) != NULL)
      return it;
  }
  return NULL;
}

void bd_rdapsched_start(struct bd_rdapsched *s, struct bd_rdapsched_item *it) {
  struct bd_rdapsched_registry *g = it->reg;

  (void)s;
  assert(it->queued && !it->inflight);
  unlink_item(&g->waiting, it);
  it->queued = false;
  it->inflight = true;
  it->not_before_ns = 0;
  it->sent++;
  it->unsent = true;
  g->unsent++;
  g->ninflight++;
  push_back(&g->inflight, it);
}

void bd_rdapsched_left(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                       uint64_t now) {
  (void)s;
  if (!it->unsent)
    return;
  assert(it->inflight && it->reg->unsent > 0);
  it->unsent = false;
  it->reg->unsent--;
  bd_pacer_consume(&it->reg->pacer, now);
}

/* Takes an item out of flight. A try that ends before its request left
 * (no connection, cancelled) costs the pace nothing. */
static void land(struct bd_rdapsched_item *it) {
  struct bd_rdapsched_registry *g = it->reg;

  assert(it->inflight && g->ninflight > 0);
  unlink_item(&g->inflight, it);
  g->ninflight--;
  it->inflight = false;
  if (it->unsent) {
    assert(g->unsent > 0);
    it->unsent = false;
    g->unsent--;
  }
}

/* ---- ending ---------------------------------------------------------- */

/* Waits before the next try: 1 s after the first failure, then twice as
 * long each time. */
static uint64_t back_off(struct bd_rdapsched_item *it, uint64_t now) {
  unsigned failures = it->sent - it->pauses;
  uint64_t secs;

  assert(failures >= 1);
  secs = failures >= 6 ? BD_RDAPSCHED_BACKOFF_MAX_S : 1u << (failures - 1);
  if (secs > BD_RDAPSCHED_BACKOFF_MAX_S)
    secs = BD_RDAPSCHED_BACKOFF_MAX_S;
  it->not_before_ns = now + secs * BD_NS_PER_S;
  return secs * BD_NS_PER_S;
}

/* A 429 is about the client, not the name: the whole registry pauses, and
 * the name goes first when it resumes. */
static uint64_t pause_registry(struct bd_rdapsched_item *it, long retry_after,
                               uint64_t now) {
  long secs = retry_after >= 0 ? retry_after : BD_RDAPSCHED_PAUSE_DEFAULT_S;
  uint64_t until;

  if (secs > BD_RDAPSCHED_PAUSE_MAX_S)
    secs = BD_RDAPSCHED_PAUSE_MAX_S;
  until = now + (uint64_t)secs * BD_NS_PER_S;
  if (until > it->reg->paused_until_ns)
    it->reg->paused_until_ns = until;
  it->pauses++;
  return (uint64_t)secs * BD_NS_PER_S;
}

bool bd_rdapsched_end(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                      enum bd_rdapsched_end how, long retry_after_s,
                      uint64_t now, uint64_t *wait_ns) {
  bool may_retry = it->sent - it->pauses < s->cfg.tries;

  land(it);
  if (how == BD_RDAPSCHED_RETRYABLE && may_retry)
    *wait_ns = back_off(it, now);
  else if (how == BD_RDAPSCHED_THROTTLED && it->pauses < s->cfg.max_pauses)
    *wait_ns = pause_registry(it, retry_after_s, now);
  else
    return false;
  it->queued = true;
  push_front(&it->reg->waiting, it);
  return true;
}

void bd_rdapsched_remove(struct bd_rdapsched *s, struct bd_rdapsched_item *it) {
  (void)s;
  if (it->inflight) {
    land(it);
  } else if (it->queued) {
    unlink_item(&it->reg->waiting, it);
    it->queued = false;
  }
}

struct bd_rdapsched_item *bd_rdapsched_any(const struct bd_rdapsched *s) {
  for (const struct bd_rdapsched_registry *g = s->registries; g != NULL;
       g = g->next) {
    if (g->inflight.head != NULL)
      return g->inflight.head;
    if (g->waiting.head != NULL)
      return g->waiting.head;
  }
  return NULL;
}

/* When g may send next, if it has anything to send and room for it; a
 * request that has not left yet is waited for by its own events, not by
 * time. Back-offs sit at the front of the queue: the scan ends at the
 * first item that may go at once. */
static uint64_t next_deadline(const struct bd_rdapsched *s,
                              const struct bd_rdapsched_registry *g,
                              uint64_t now) {
  uint64_t t = UINT64_MAX;
  uint64_t pace;

  if (g->waiting.head == NULL || g->unsent > 0 ||
      g->ninflight >= s->cfg.concurrency)
    return UINT64_MAX;
  for (const struct bd_rdapsched_item *it = g->waiting.head; it != NULL;
       it = it->next) {
    if (it->not_before_ns < t)
      t = it->not_before_ns;
    if (it->not_before_ns == 0)
      break;
  }
  pace = now + bd_pacer_delay(&g->pacer, now);
  if (t < pace)
    t = pace;
  if (t < g->paused_until_ns)
    t = g->paused_until_ns;
  return t;
}

uint64_t bd_rdapsched_deadline(const struct bd_rdapsched *s, uint64_t now) {
  uint64_t next = UINT64_MAX;
  for (const struct bd_rdapsched_registry *g = s->registries; g != NULL;
       g = g->next) {
    uint64_t t = next_deadline(s, g, now);
    if (t < next)
      next = t;
  }
  return next;
}

void bd_rdapsched_free(struct bd_rdapsched *s) {
  struct bd_rdapsched_registry *g;
  while ((g = s->registries) != NULL) {
    assert(g->waiting.head == NULL && g->inflight.head == NULL);
    s->registries = g->next;
    free(g);
  }
}

uint64_t bd_rdapsched_wait_ms(const struct bd_rdapsched *s, uint64_t now) {
  uint64_t next = bd_rdapsched_deadline(s, now);
  if (next == UINT64_MAX)
    return UINT64_MAX;
  return next > now ? (next - now + BD_NS_PER_MS - 1) / BD_NS_PER_MS : 0;
}
