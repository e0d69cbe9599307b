/* A zone and the servers that answer for it: each server's lane, congestion
 * window, health, vetting and silence, and the choice of the server for the
 * next query. Recursive mode is one zone, the root, served by the
 * configured resolvers; servers may join a zone while the loop runs. */
#ifndef BLOGDOM_ZONE_H
#define BLOGDOM_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blogdom/health.h"
#include "blogdom/lane.h"
#include "blogdom/names.h"
#include "blogdom/pacer.h"
#include "blogdom/servers.h"
#include "blogdom/trust.h"
#include "blogdom/verdict.h"
#include "blogdom/window.h"

#define BD_ZONE_NONE ((size_t)-1)

/* One server of a zone. Allocated alone, so that its lane stays where
 * c-ares' callbacks expect it when the zone grows. */
struct bd_zone_server {
  struct bd_server addr;
  struct bd_lane lane; /* UDP */
  struct bd_lane tcp;  /* made on the first truncated answer */
  bool has_tcp;
  bool tcp_only;           /* truncates again and again: a rate limit */
  unsigned truncated;      /* truncated answers so far */
  struct bd_pacer pacer;   /* the per-server rate cap, if any */
  struct bd_window window; /* each path has its own capacity */
  unsigned inflight;
  /* Vetting: the answers to its two questions, and what they show. */
  struct bd_verdict vet_rewrite;
  struct bd_verdict vet_reference;
  enum bd_vet vet;
  int vet_rcode;
  /* Tries in a row without an answer, and when the last answer came. */
  unsigned unanswered;
  uint64_t last_answer_ns;
  bool answered; /* has answered at least once */
  bool warned_silent;
};

struct bd_zone_config {
  uv_loop_t *loop;
  unsigned timeout_ms;   /* of every try */
  unsigned window_init;  /* where each server's window starts */
  unsigned window_max;   /* queries in flight in the whole zone, at most */
  unsigned window_floor; /* each window may hold this much, bandwidth or not */
  uint64_t server_rate;  /* queries a second to each server, 0: no cap */
  void (*on_io)(void *data); /* after socket events (see lane.h) */
  void *data;
};

struct bd_zone {
  struct bd_zone_config cfg;
  struct bd_zone_server **servers;
  /* Beside servers, index for index: the pure health rule reads an
   * array. health[i].sidelined marks a server out of use. */
  struct bd_health *health;
  size_t count;
  size_t cap;
  size_t in_use; /* servers not sidelined */
  char name[BD_NAME_MAX + 1];
};

/* What a try's outcome changed about its server, for the caller to say. */
enum bd_zone_event {
  BD_ZONE_NO_EVENT,
  BD_ZONE_SIDELINED, /* failing much more than the others: out of use */
  BD_ZONE_SILENT     /* has stopped answering (said once per server) */
};

/* A zone named name ("" for the root) with no server yet. Returns 0 or
 * -ENOMEM. */
int bd_zone_new(struct bd_zone **out, const char *name,
                const struct bd_zone_config *cfg);

/* Frees the zone once its lanes are destroyed and the loop has closed
 * their watches. */
void bd_zone_free(struct bd_zone *z);

/* Adds server s, in use at once with its own lane and window. Returns its
 * index, or -ENOMEM or -EINVAL. */
int bd_zone_add_server(struct bd_zone *z, const struct bd_server *s);

/* The next server in turn after `after` (BD_ZONE_NONE to start at 0) that
 * is in use, has room in its window and may send now by its rate cap, or
 * BD_ZONE_NONE; then *wait_ns is how long until a server held back only
 * by its cap may send (0 if none is). */
size_t bd_zone_choose(const struct bd_zone *z, size_t after, uint64_t now_ns,
                      uint64_t *wait_ns);

/* A query goes to server i now: counts it against the rate cap. */
void bd_zone_sent(struct bd_zone *z, size_t i, uint64_t now_ns);

/* The lane for a try to server i: over TCP when asked or when the server
 * truncates again and again. NULL when a TCP lane cannot be made. */
struct bd_lane *bd_zone_lane(struct bd_zone *z, size_t i, bool tcp);

/* Server i sent a truncated answer: after a few, every query to it goes
 * over TCP, which response rate limiting leaves alone (RFC 8906 10). */
void bd_zone_truncated(struct bd_zone *z, size_t i);

/* Takes server i out of use; its share of the concurrency goes to the
 * others. */
void bd_zone_sideline(struct bd_zone *z, size_t i);

/* Feeds the outcome of one try to server i: its window, its health (which
 * may sideline it) and its silence. */
enum bd_zone_event bd_zone_record(struct bd_zone *z, size_t i,
                                  const struct bd_verdict *v, uint64_t sent_ns,
                                  uint64_t now_ns);

/* A try that never left this host: server i's window shrinks for a
 * while. */
void bd_zone_local_failure(struct bd_zone *z, size_t i, uint64_t now_ns,
                           uint64_t backoff_ns);

/* The windows of the servers in use, added up, at most window_max. */
unsigned bd_zone_window(const struct bd_zone *z);

/* Lets every lane expire the queries whose time is up, and every window
 * judge what it sent (a server may have stopped answering). */
void bd_zone_expire(struct bd_zone *z, uint64_t now_ns);

/* Destroys every lane: their queries end with ARES_EDESTRUCTION. */
void bd_zone_close(struct bd_zone *z);

#endif
