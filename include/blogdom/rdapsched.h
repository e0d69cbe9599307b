/* When each RDAP request may leave: per registry, at most so many in
 * flight, at most so many a second, a pause after a 429, and retries after
 * a back-off. Pure: the caller passes the time and makes the requests. */
#ifndef BLOGDOM_RDAPSCHED_H
#define BLOGDOM_RDAPSCHED_H

#include <stdbool.h>
#include <stdint.h>

/* A 429 without a usable Retry-After pauses its registry this long; a
 * longer Retry-After is cut to the cap, so that one registry's hour-long
 * ban cannot hold the whole run (the name then meets 429 again and, after
 * its pauses are spent, fails). */
#define BD_RDAPSCHED_PAUSE_DEFAULT_S 5
#define BD_RDAPSCHED_PAUSE_MAX_S 60
/* Back-off after the n-th failed try: 1 s, 2 s, 4 s ..., at most this. */
#define BD_RDAPSCHED_BACKOFF_MAX_S 30

struct bd_rdapsched_registry;

/* One request: embed it in the caller's and zero it before
 * bd_rdapsched_add(). The fields are the module's, to read only. */
struct bd_rdapsched_item {
  struct bd_rdapsched_item *prev;
  struct bd_rdapsched_item *next;
  struct bd_rdapsched_registry *reg;
  uint64_t not_before_ns; /* a back-off; 0 when it may go at once */
  unsigned sent;          /* tries started */
  unsigned pauses;        /* of which ended in a 429 pause */
  bool queued;            /* waiting in its registry's queue */
  bool inflight;          /* started, not yet ended */
  bool unsent;            /* started, not yet on the wire */
};

struct bd_rdapsched_config {
  unsigned concurrency; /* requests in flight per registry, at most */
  double rate;          /* requests a second per registry, > 0 */
  unsigned tries;       /* tries per item that ends in failures */
  unsigned max_pauses;  /* 429 pauses per item */
};

/* The registries met so far; zero-initialized before
 * bd_rdapsched_init(). */
struct bd_rdapsched {
  struct bd_rdapsched_config cfg;
  struct bd_rdapsched_registry *registries;
};

void bd_rdapsched_init(struct bd_rdapsched *s,
                       const struct bd_rdapsched_config *cfg);

/* Queues it at the registry named key (an origin, see bd_http_origin()).
 * Returns 0, 1 when key is a registry not seen before, or -ENOMEM. */
int bd_rdapsched_add(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                     const char *key);

/* The key of the registry of it. */
const char *bd_rdapsched_key(const struct bd_rdapsched_item *it);

/* A queued item that may start at now, or NULL. It stays queued until
 * bd_rdapsched_start() or bd_rdapsched_remove(). */
struct bd_rdapsched_item *bd_rdapsched_ready(struct bd_rdapsched *s,
                                             uint64_t now);

/* The caller starts it: it is in flight, not yet on the wire. Its
 * registry sends nothing more until it has left. */
void bd_rdapsched_start(struct bd_rdapsched *s, struct bd_rdapsched_item *it);

/* The request of it is leaving at now, on a connection made or reused:
 * the rate counts it from here. Called again for a try, it does nothing. */
void bd_rdapsched_left(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                       uint64_t now);

/* How a try ended, as the caller judges it. */
enum bd_rdapsched_end {
  BD_RDAPSCHED_FINAL,     /* an answer, or a failure no retry can mend */
  BD_RDAPSCHED_RETRYABLE, /* a failure another try may mend */
  BD_RDAPSCHED_THROTTLED  /* 429 (RFC 6585 section 4): too many requests */
};

/* The try of it ended at now. A retryable failure with tries left is
 * queued again after a back-off; a 429 with pauses left pauses the whole
 * registry for retry_after_s seconds (-1: the default; cut to the cap) and
 * is queued again at the front. Returns the wait before its next try, in
 * *wait_ns, and true when it is queued again; false when it is out of the
 * scheduler and the caller ends it. */
bool bd_rdapsched_end(struct bd_rdapsched *s, struct bd_rdapsched_item *it,
                      enum bd_rdapsched_end how, long retry_after_s,
                      uint64_t now, uint64_t *wait_ns);

/* Takes it out, queued or in flight (a cancellation, a start that
 * failed). */
void bd_rdapsched_remove(struct bd_rdapsched *s, struct bd_rdapsched_item *it);

/* Some item still in the scheduler, in flight ones first, or NULL: for
 * cancelling them all. */
struct bd_rdapsched_item *bd_rdapsched_any(const struct bd_rdapsched *s);

/* When the next queued item may start, given what is in flight; UINT64_MAX
 * when none waits for time alone (nothing queued, or only behind requests
 * in flight). */
uint64_t bd_rdapsched_deadline(const struct bd_rdapsched *s, uint64_t now);

/* The same as a wait for a libuv timer: milliseconds from now, rounded
 * up (a timer that fires early finds nothing to start), 0 when due;
 * UINT64_MAX when nothing waits for time. */
uint64_t bd_rdapsched_wait_ms(const struct bd_rdapsched *s, uint64_t now);

/* Releases the registries; every item must be out. */
void bd_rdapsched_free(struct bd_rdapsched *s);

#endif
