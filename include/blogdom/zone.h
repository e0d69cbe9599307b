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

#include "blogdom/flight.h"
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
  struct bd_flight flight; /* its UDP tries, in send order */
  /* Vetting: the answers to its two questions, and what they show. */
  struct bd_verdict vet_rewrite;
  struct bd_verdict vet_reference;
  enum bd_vet vet;
  int vet_rcode;
  bool answered;              /* has answered at least once */
  bool said_silent;           /* BD_ZONE_SILENT was told, no BACK yet */
  enum bd_window_phase phase; /* as last told (BD_ZONE_PHASE) */
  double said_pace;           /* the pace last told, queries a second */
};

/* What changed about a server, for the owner to say (bd_zone_config's
 * on_event). */
enum bd_zone_event {
  BD_ZONE_SIDELINED, /* failing much more than the others: out of use */
  BD_ZONE_SILENT,    /* silent past the tries of its names (timeout x
                        tries): its names go to the others, or end */
  BD_ZONE_BACK,      /* answers again after BD_ZONE_SILENT */
  BD_ZONE_RESEND,    /* a silence ended: the probes sent during it are
                        lost; the owner calls bd_zone_write_off */
  BD_ZONE_PHASE,     /* its window's phase, or its pace, changed */
  BD_ZONE_OVERDUE    /* its oldest try is overdue while a later one was
                        answered, or tries written off hold slots: the
                        owner writes off what is lost, releases what is
                        due */
};

struct bd_zone;

struct bd_zone_config {
  uv_loop_t *loop;
  unsigned timeout_ms;   /* of every try */
  unsigned tries;        /* of every name: timeout x tries is the longest
                            silence a name waits out */
  unsigned window_init;  /* where each server's window starts */
  unsigned window_max;   /* queries in flight in the whole zone, at most */
  unsigned window_floor; /* each window may hold this much, bandwidth or not */
  uint64_t server_rate;  /* queries a second to each server, 0: no cap */
  void (*on_io)(void *data); /* after socket events (see lane.h) */
  /* Server i of z changed (may be called from bd_zone_record and
   * bd_zone_expire). */
  void (*on_event)(void *data, struct bd_zone *z, size_t i,
                   enum bd_zone_event ev);
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

/* A query goes to server i now: counts it against the rate cap. Returns
 * its number for bd_zone_record. */
uint32_t bd_zone_sent(struct bd_zone *z, size_t i, uint64_t now_ns);

/* The lane for a try to server i: over TCP when asked or when the server
 * truncates again and again. NULL when a TCP lane cannot be made. */
struct bd_lane *bd_zone_lane(struct bd_zone *z, size_t i, bool tcp);

/* Server i sent a truncated answer: after a few, every query to it goes
 * over TCP, which response rate limiting leaves alone (RFC 8906 10). */
void bd_zone_truncated(struct bd_zone *z, size_t i);

/* Writes off what is in flight to server i (its queries end with
 * ARES_ECANCELLED). From the top of an event, not inside a c-ares
 * callback. */
void bd_zone_write_off(struct bd_zone *z, size_t i);

/* Takes server i out of use; its share of the concurrency goes to the
 * others. */
void bd_zone_sideline(struct bd_zone *z, size_t i);

/* Feeds the outcome of one try to server i, sent at sent_ns as number
 * `send`: its window and its health (which may sideline it). */
void bd_zone_record(struct bd_zone *z, size_t i, const struct bd_verdict *v,
                    uint64_t sent_ns, uint32_t send, uint64_t now_ns);

/* Whether every server in use has been silent past the tries of a name:
 * nothing sent to the zone would be answered, but a probe now and then. */
bool bd_zone_unreachable(const struct bd_zone *z, uint64_t now_ns);

/* A try that never left this host: server i's window shrinks for a
 * while. */
void bd_zone_local_failure(struct bd_zone *z, size_t i, uint64_t now_ns,
                           uint64_t backoff_ns);

/* The windows of the servers in use, added up, at most window_max. */
unsigned bd_zone_window(const struct bd_zone *z);

/* Lets every lane read what waits in its sockets, then expire the queries
 * whose time is up, and every window judge what it sent. A server found
 * silent has its queries in flight written off: they end with
 * ARES_ECANCELLED, to be sent again, to another server where there is
 * one. Not from inside a c-ares callback. */
void bd_zone_expire(struct bd_zone *z, uint64_t now_ns);

/* Destroys every lane: their queries end with ARES_EDESTRUCTION. */
void bd_zone_close(struct bd_zone *z);

#endif
