/* A server address and what is learned of it: its lanes, congestion
 * window, pace and rate cap, tries in flight and silence. One object per
 * address, shared by every zone the address serves (one back-end answers
 * for many TLDs): the window, the pace and --server-rate are the
 * address's, whichever zone a query is for. */
#ifndef BLOGDOM_PEER_H
#define BLOGDOM_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "blogdom/flight.h"
#include "blogdom/lane.h"
#include "blogdom/pacer.h"
#include "blogdom/servers.h"
#include "blogdom/trust.h"
#include "blogdom/verdict.h"
#include "blogdom/window.h"

#define BD_PEER_BUCKETS 256

struct bd_peers;

/* Allocated alone, so that its lanes stay where c-ares' callbacks expect
 * them. */
struct bd_peer {
  struct bd_peers *owner;
  struct bd_peer *next; /* in the owner's hash chain */
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
  unsigned zones;          /* zones that have it among their servers */
  /* Vetting: the answers to its two questions, and what they show. */
  struct bd_verdict vet_rewrite;
  struct bd_verdict vet_reference;
  enum bd_vet vet;
  int vet_rcode;
  bool answered;              /* has answered at least once */
  uint64_t first_sent_ns;     /* of its first query, 0: none yet */
  bool said_silent;           /* BD_PEER_SILENT was told, no BACK yet */
  enum bd_window_phase phase; /* as last told (BD_PEER_PHASE) */
  double said_pace;           /* the pace last told, queries a second */
};

/* What changed about a server, for the owner to say (on_event). */
enum bd_peer_event {
  BD_PEER_SILENT,  /* silent past the tries of its names (timeout x
                      tries) after it had answered: its names go to the
                      others, or end */
  BD_PEER_BACK,    /* answers again after BD_PEER_SILENT */
  BD_PEER_RESEND,  /* a silence ended: the probes sent during it are lost;
                      the owner calls bd_peer_write_off */
  BD_PEER_PHASE,   /* its window's phase, or its pace, changed */
  BD_PEER_OVERDUE, /* its oldest try is overdue while a later one was
                      answered, or tries written off hold slots: the owner
                      writes off what is lost, releases what is due */
  BD_PEER_NEVENTS
};

struct bd_peers_config {
  uv_loop_t *loop;
  unsigned timeout_ms;       /* of every try */
  unsigned tries;            /* of every name: timeout x tries is the longest
                                silence a name waits out */
  unsigned window_init;      /* where each server's window starts */
  unsigned window_max;       /* queries in flight in one zone, at most */
  unsigned window_floor;     /* each zone's windows may hold this much */
  uint64_t server_rate;      /* queries a second to each address, 0: no cap */
  void (*on_io)(void *data); /* after socket events (see lane.h) */
  /* Something changed about p (from bd_peer_answered or
   * bd_peers_expire). */
  void (*on_event)(void *data, struct bd_peer *p, enum bd_peer_event ev);
  void *data;
};

struct bd_peers {
  struct bd_peers_config cfg;
  struct bd_peer *buckets[BD_PEER_BUCKETS];
  size_t count;
};

void bd_peers_init(struct bd_peers *ps, const struct bd_peers_config *cfg);

/* The one object for s's address and port, made with its lane and window
 * on first sight. Returns 0, -ENOMEM or -EINVAL (no lane for it). */
int bd_peers_get(struct bd_peers *ps, const struct bd_server *s,
                 struct bd_peer **out);

/* Lets every lane read what waits in its sockets, then expire the queries
 * whose time is up, and every window judge what it sent. A server found
 * silent has its tries in flight written off (ARES_ECANCELLED). Not from
 * inside a c-ares callback. */
void bd_peers_expire(struct bd_peers *ps, uint64_t now_ns);

/* Destroys every lane: their queries end with ARES_EDESTRUCTION. */
void bd_peers_close(struct bd_peers *ps);

/* Frees every peer, once the loop has closed their lanes' watches. */
void bd_peers_free(struct bd_peers *ps);

/* Gives p at most max queries in flight, and lets it hold floor whatever
 * its bandwidth; an address shared by several zones keeps the largest
 * share one of them gives it. */
void bd_peer_share(struct bd_peer *p, unsigned max, unsigned floor);

/* How long until p may take a query by its rate cap and its pace (0: now);
 * whether its window has room is bd_peer_has_room's. */
uint64_t bd_peer_delay(const struct bd_peer *p, uint64_t now_ns);
bool bd_peer_has_room(const struct bd_peer *p);

/* A query goes to p now: counts it against the cap and the window.
 * Returns its number for bd_peer_answered. */
uint32_t bd_peer_sent(struct bd_peer *p, uint64_t now_ns);

/* One try's outcome, sent at sent_ns as number `send`: the window learns
 * from an answer; what changed is told. */
void bd_peer_answered(struct bd_peer *p, const struct bd_verdict *v,
                      uint64_t sent_ns, uint32_t send, uint64_t now_ns);

/* How long p has been silent: since its last answer once the window
 * found it silent, or since its first query when it never answered. */
uint64_t bd_peer_silence(const struct bd_peer *p, uint64_t now_ns);

/* Whether p has been silent past the tries of a name: nothing sent to it
 * would be answered. */
bool bd_peer_silent_past_tries(const struct bd_peer *p, uint64_t now_ns);

/* The lane for a try: over TCP when asked or when p truncates again and
 * again. NULL when a TCP lane cannot be made. */
struct bd_lane *bd_peer_lane(struct bd_peer *p, bool tcp);

/* p sent a truncated answer: after a few, every query to it goes over TCP,
 * which response rate limiting leaves alone (RFC 8906 10). */
void bd_peer_truncated(struct bd_peer *p);

/* Writes off what is in flight to p (its queries end with
 * ARES_ECANCELLED). From the top of an event, not inside a c-ares
 * callback. */
void bd_peer_write_off(struct bd_peer *p);

/* A try that never left this host: p's window shrinks for a while. */
void bd_peer_local_failure(struct bd_peer *p, uint64_t now_ns,
                           uint64_t backoff_ns);

#endif
