/* The RDAP client: a lookup becomes requests to its name's registry, queued
 * until the bootstrap routes them, and its outcome goes back to the
 * caller. A request's tries over HTTP, and what their responses mean, are
 * rdapreq.c's. The bootstrap is rdapload's, when each request may leave
 * rdapsched's, the transfers curluv's on the caller's loop. Every event
 * ends in settle(), the one place where callbacks are called and requests
 * start, always outside curl's callbacks. What the client has to say to a
 * person is worded here and in rdapreq.c. */
#include "blogdom/rdap.h"
#include "rdap_int.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/curlapi.h"
#include "blogdom/curluv.h"
#include "blogdom/http.h"
#include "blogdom/msg.h"
#include "blogdom/rdapboot.h"
#include "blogdom/rdapload.h"
#include "blogdom/rdapsched.h"

#define ORIGIN_MAX 512

static void push(struct bd_fifo *f, struct request *q) {
  bd_fifo_push(f, &q->link);
}

static struct request *pop(struct bd_fifo *f) {
  struct bd_fifo_link *l = bd_fifo_pop(f);
  return l != NULL ? container_of(l, struct request, link) : NULL;
}

/* ---- outcomes -------------------------------------------------------- */

/* Ends a request: its callback is called from settle(). The request must
 * be out of the scheduler and its transfer over. */
void rdap_finish(struct request *q, enum bd_rdap_outcome outcome,
                 int http_status, const char *detail) {
  assert(!q->item.queued && !q->item.inflight && q->xfer.easy == NULL);
  if (q->easy != NULL) {
    bd_curl.easy_cleanup(q->easy);
    q->easy = NULL;
  }
  bd_http_body_free(&q->body);
  q->result.outcome = outcome;
  q->result.http_status = http_status;
  q->result.domain = q->domain;
  q->result.tries = q->item.sent;
  q->result.detail = NULL;
  if (detail != NULL) {
    snprintf(q->detail, sizeof(q->detail), "%s", detail);
    q->result.detail = q->detail;
  }
  push(&q->rdap->done, q);
}

static void deliver(struct bd_rdap *r) {
  struct request *q;
  while ((q = pop(&r->done)) != NULL) {
    assert(r->pending > 0);
    r->pending--;
    q->cb(q->arg, &q->result);
    free(q->domain);
    free(q);
  }
}

/* Queues q at the registry of its base URL. Returns 0, or -1 when the URL
 * is bad or memory is short. */
static int enqueue(struct bd_rdap *r, struct request *q) {
  char key[ORIGIN_MAX];
  int rc = bd_http_origin(key, sizeof(key), q->base);
  if (rc == 0)
    rc = bd_rdapsched_add(&r->sched, &q->item, key);
  if (rc == 1)
    bd_debugf("rdap: registry %s", key);
  return rc < 0 ? -1 : 0;
}

/* Queues q at its registry, once the bootstrap is there; NO_SERVER when
 * no RDAP server is known for its TLD. */
static void route(struct bd_rdap *r, struct request *q) {
  if (r->forced_url != NULL) {
    q->bases = (const char *const *)&r->forced_url;
    q->nbases = 1;
  } else {
    q->nbases = bd_rdapboot_lookup_all(&r->table, q->name, &q->bases);
  }
  if (q->nbases == 0) {
    rdap_finish(q, BD_RDAP_NO_SERVER, 0, NULL);
    return;
  }
  q->base = q->bases[0];
  if (enqueue(r, q) != 0)
    rdap_finish(q, BD_RDAP_FAILED, 0, "bad server URL or out of memory");
}

/* A registry's server that cannot be reached at one of its base URLs
 * (none answered over the tries) may be at another the bootstrap lists:
 * q starts again there, with tries of its own. False when there is no
 * other, or it cannot be queued. */
bool rdap_try_next_base(struct bd_rdap *r, struct request *q,
                        enum bd_rdap_failure failure, const char *detail) {
  if (failure == BD_RDAP_FAILURE_STATUS || q->base_index + 1 >= q->nbases)
    return false;
  bd_debugf("rdap: %s for %s (%s): asking %s", q->base, q->name, detail,
            q->bases[q->base_index + 1]);
  q->base = q->bases[++q->base_index];
  bd_curl.easy_cleanup(q->easy); /* its URL was the other server's */
  q->easy = NULL;
  memset(&q->item, 0, sizeof(q->item));
  return enqueue(r, q) == 0;
}

/* ---- the turn of an event ------------------------------------------- */

static void on_loaded(struct bd_rdapload *l, int rc, const char *why) {
  struct bd_rdap *r = container_of(l, struct bd_rdap, load);
  if (why != NULL)
    bd_warnf("rdap: %s; using the built-in list of RDAP servers", why);
  if (rc != 0)
    bd_errorf("out of memory"); /* every name then has NO_SERVER */
  r->boot = BOOT_READY;
}

/* Moves every lookup to the done queue, as CANCELLED. */
static void cancel_everything(struct bd_rdap *r) {
  struct bd_rdapsched_item *it;
  struct request *q;

  while ((q = pop(&r->unrouted)) != NULL)
    rdap_finish(q, BD_RDAP_CANCELLED, 0, NULL);
  while ((it = bd_rdapsched_any(&r->sched)) != NULL) {
    q = container_of(it, struct request, item);
    if (it->inflight) {
      assert(r->curl != NULL); /* nothing starts once closed */
      bd_curluv_stop(r->curl, &q->xfer);
    }
    bd_rdapsched_remove(&r->sched, it);
    rdap_finish(q, BD_RDAP_CANCELLED, 0, NULL);
  }
  /* A later lookup starts the bootstrap again. */
  if (bd_rdapload_fetching(&r->load)) {
    bd_rdapload_cancel(&r->load);
    r->boot = BOOT_IDLE;
  }
}

static void on_wakeup(uv_timer_t *t);

/* Handles keep the loop alive only while some lookup is due: idle, the
 * client lets the program's loop end. */
static void set_referenced(struct bd_rdap *r, bool on) {
  if (r->referenced == on)
    return;
  r->referenced = on;
  bd_curluv_ref(r->curl, on);
}

static void arm_wakeup(struct bd_rdap *r) {
  uint64_t wait = bd_rdapsched_wait_ms(&r->sched, uv_hrtime());
  int rc;

  if (wait == UINT64_MAX) {
    rc = uv_timer_stop(&r->wakeup);
  } else {
    /* Timers count from the loop's cached time: bring it up to date, or
     * the timer fires early by the time this turn has taken. */
    uv_update_time(r->loop);
    rc = uv_timer_start(&r->wakeup, on_wakeup, wait, 0);
  }
  assert(rc == 0); /* fails only on a closing handle */
  (void)rc;
}

/* The end of every event: calls the callbacks due, routes what the
 * bootstrap allows, starts what the registries allow, and sets the
 * wake-up for what must wait. Callbacks may look up or close: the loop
 * runs until nothing is left to deliver. */
static void settle(struct bd_rdap *r) {
  struct bd_rdapsched_item *it;
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
      if (r->boot == BOOT_IDLE && r->unrouted.head != NULL) {
        r->boot = BOOT_FETCHING;
        bd_rdapload_start(&r->load, r->curl, &r->table, (long)r->cfg.timeout_ms,
                          on_loaded);
      }
      if (r->boot == BOOT_READY)
        while ((q = pop(&r->unrouted)) != NULL)
          route(r, q);
      while ((it = bd_rdapsched_ready(&r->sched, uv_hrtime())) != NULL)
        rdap_start_try(r, container_of(it, struct request, item));
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

static void on_wakeup(uv_timer_t *t) {
  settle(container_of(t, struct bd_rdap, wakeup));
}

static void on_curl_events(void *data, int watch_error) {
  struct bd_rdap *r = data;
  if (watch_error != 0)
    bd_warnf("rdap: cannot watch a socket: %s", uv_strerror(watch_error));
  settle(r);
}

/* ---- life cycle ------------------------------------------------------ */

static int set_forced_url(struct bd_rdap *r, const char *url) {
  char key[ORIGIN_MAX];
  int rc = bd_http_origin(key, sizeof(key), url);

  if (rc != 0)
    return rc == -ENOMEM ? rc : -EINVAL;
  r->forced_url = strdup(url);
  if (r->forced_url == NULL)
    return -ENOMEM;
  r->boot = BOOT_READY;
  return 0;
}

static void take_defaults(struct bd_rdap_config *c) {
  c->bootstrap_file = NULL;
  c->forced_url = NULL;
  if (c->per_registry_concurrency == 0)
    c->per_registry_concurrency = BD_RDAP_DEFAULT_CONCURRENCY;
  if (!(c->per_registry_rate > 0))
    c->per_registry_rate = BD_RDAP_DEFAULT_RATE;
  if (c->timeout_ms == 0)
    c->timeout_ms = BD_RDAP_DEFAULT_TIMEOUT_MS;
  if (c->tries == 0)
    c->tries = BD_RDAP_DEFAULT_TRIES;
}

/* Everything that can fail, each failure said in its own words: then
 * only memory is left to free. */
static int set_up(struct bd_rdap *r, const struct bd_rdap_config *cfg) {
  struct bd_curluv_config cc;
  const char *why = NULL;
  int rc = bd_curl_load(&why);

  if (rc != 0) {
    if (rc == -ENOENT)
      bd_errorf("--confirm needs libcurl (Debian package libcurl4): %s", why);
    else
      bd_errorf("libcurl lacks %s", why);
    return rc;
  }
  if (cfg->forced_url != NULL) {
    rc = set_forced_url(r, cfg->forced_url);
    if (rc == -EINVAL) {
      bd_errorf("--rdap-url %s: not an http or https URL", cfg->forced_url);
      return rc;
    }
  } else if (cfg->bootstrap_file != NULL) {
    rc = bd_rdapload_file(&r->table, cfg->bootstrap_file);
    if (rc == -EINVAL) {
      bd_errorf("%s: not an RDAP bootstrap file (RFC 9224)",
                cfg->bootstrap_file);
      return rc;
    }
    if (rc != 0 && rc != -ENOMEM) {
      bd_errorf("cannot read %s: %s", cfg->bootstrap_file,
                rc == -EFBIG ? "larger than 4 MiB" : strerror(-rc));
      return rc;
    }
    if (rc == 0)
      r->boot = BOOT_READY;
  }
  if (rc == 0) {
    r->headers = bd_curl.slist_append(NULL, "Accept: application/rdap+json");
    rc = r->headers != NULL ? 0 : -ENOMEM;
  }
  if (rc == 0) {
    cc.max_host_connections = (long)r->cfg.per_registry_concurrency;
    cc.after_events = on_curl_events;
    cc.data = r;
    rc = bd_curluv_new(&r->curl, r->loop, &cc);
  }
  if (rc == -ENOMEM)
    bd_errorf("out of memory");
  else if (rc != 0)
    bd_errorf("cannot start the HTTP library: %s", strerror(-rc));
  return rc;
}

int bd_rdap_new(struct bd_rdap **out, uv_loop_t *loop,
                const struct bd_rdap_config *cfg) {
  struct bd_rdap *r = calloc(1, sizeof(*r));
  struct bd_rdapsched_config sc;
  int rc;

  if (r == NULL) {
    bd_errorf("out of memory");
    return -ENOMEM;
  }
  r->loop = loop;
  r->cfg = *cfg;
  take_defaults(&r->cfg);
  r->boot = BOOT_IDLE;
  rc = set_up(r, cfg);
  if (rc == 0) {
    rc = uv_timer_init(loop, &r->wakeup);
    if (rc != 0) { /* never in libuv 1.x, whose timers cannot fail */
      bd_errorf("cannot start a timer: %s", uv_strerror(rc));
      bd_curluv_close(r->curl); /* its memory goes with the loop's run */
    }
  }
  if (rc != 0) {
    if (r->headers != NULL)
      bd_curl.slist_free_all(r->headers);
    bd_rdapboot_free(&r->table);
    free(r->forced_url);
    free(r);
    return rc;
  }
  sc.concurrency = r->cfg.per_registry_concurrency;
  sc.rate = r->cfg.per_registry_rate;
  sc.tries = r->cfg.tries;
  sc.max_pauses = BD_RDAP_MAX_PAUSES;
  bd_rdapsched_init(&r->sched, &sc);
  r->referenced = true;
  set_referenced(r, false);
  *out = r;
  return 0;
}

int bd_rdap_lookup(struct bd_rdap *r, const char *domain, bd_rdap_cb cb,
                   void *arg) {
  size_t n = strlen(domain);
  struct request *q;
  int rc;

  /* Callbacks run by bd_rdap_close() may still look up: cancelled. */
  if (r->closed && !r->settling)
    return -ECANCELED;
  if (n > 0 && domain[n - 1] == '.')
    n--; /* RDAP names have no trailing dot (RFC 9082 section 3.1.3) */
  q = calloc(1, sizeof(*q) + n + 1);
  if (q == NULL)
    return -ENOMEM;
  q->rdap = r;
  q->cb = cb;
  q->arg = arg;
  q->retry_after = -1;
  memcpy(q->name, domain, n);
  q->name[n] = '\0';
  push(&r->unrouted, q);
  r->pending++;
  /* Everything starts from the loop, so cb can never run in here. */
  if (!r->settling) {
    rc = uv_timer_start(&r->wakeup, on_wakeup, 0, 0);
    assert(rc == 0); /* fails only on a closing handle */
    (void)rc;
    set_referenced(r, true);
  }
  return 0;
}

void bd_rdap_close(struct bd_rdap *r) {
  if (r->closed)
    return;
  r->closed = true;
  cancel_everything(r);
  settle(r); /* delivers now, unless a settle() below us will */
  bd_curluv_close(r->curl);
  r->curl = NULL;
  uv_close((uv_handle_t *)&r->wakeup, NULL);
}

void bd_rdap_free(struct bd_rdap *r) {
  if (r == NULL)
    return;
  assert(r->closed && r->pending == 0);
  bd_rdapsched_free(&r->sched);
  bd_rdapboot_free(&r->table);
  bd_curl.slist_free_all(r->headers);
  free(r->forced_url);
  free(r);
}
