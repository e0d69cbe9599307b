/* A zone and the servers that answer for it: which of them are in use
 * (health and sidelining are the zone's: a server lame for one zone may
 * serve another well), the choice of the server for the next query, and
 * the probes waiting to be sent to the zone. The servers themselves are
 * peers, shared by address (peer.h). Recursive mode is one zone, the
 * root, served by the configured resolvers; servers may join a zone while
 * the loop runs. */
#ifndef BLOGDOM_ZONE_H
#define BLOGDOM_ZONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/health.h"
#include "blogdom/names.h"
#include "blogdom/peer.h"
#include "blogdom/probe.h"
#include "blogdom/verdict.h"

#define BD_ZONE_NONE ((size_t)-1)

struct bd_zone;

struct bd_zone_config {
  struct bd_peers *peers; /* where its servers' addresses are found */
  /* Server i of z was sidelined: it fails much more than the others. */
  void (*on_sidelined)(void *data, struct bd_zone *z, size_t i);
  void *data;
};

struct bd_zone {
  struct bd_zone_config cfg;
  struct bd_peer **servers;
  /* Beside servers, index for index: the pure health rule reads an
   * array. health[i].sidelined marks a server out of use. */
  struct bd_health *health;
  size_t count;
  size_t cap;
  size_t in_use;  /* servers not sidelined */
  unsigned users; /* probes asked of it now: the map counts them */
  /* Probes waiting for one of its servers (QUEUED): those sent before
   * (retries, a name referred here) ahead of those never sent; the server
   * after which the next new one goes; its link in the engine's ring of
   * zones with something waiting. */
  struct bd_probe_queue again;
  struct bd_probe_queue queue;
  size_t rotor;
  struct bd_zone *next_waiting;
  bool waiting;
  char name[BD_NAME_MAX + 1];
};

/* A zone named name ("" for the root) with no server yet. Returns 0 or
 * -ENOMEM. */
int bd_zone_new(struct bd_zone **out, const char *name,
                const struct bd_zone_config *cfg);

/* Frees the zone; its peers are their registry's. */
void bd_zone_free(struct bd_zone *z);

/* Adds server s, in use at once; the zone shares its address's peer with
 * every other zone it serves. Returns its index (the one it had if the
 * zone has it already), or -ENOMEM or -EINVAL. */
int bd_zone_add_server(struct bd_zone *z, const struct bd_server *s);

/* The next server in turn after `after` (BD_ZONE_NONE to start at 0) that
 * is in use, has room in its window and may send now by its rate cap, or
 * BD_ZONE_NONE; then *wait_ns is how long until a server held back only
 * by its cap may send (0 if none is). */
size_t bd_zone_choose(const struct bd_zone *z, size_t after, uint64_t now_ns,
                      uint64_t *wait_ns);

/* Takes server i out of use; its share of the concurrency goes to the
 * others. */
void bd_zone_sideline(struct bd_zone *z, size_t i);

/* Feeds the outcome of one try to server i, sent at sent_ns as number
 * `send`: its peer's window and the zone's health (which may sideline
 * it). */
void bd_zone_record(struct bd_zone *z, size_t i, const struct bd_verdict *v,
                    uint64_t sent_ns, uint32_t send, uint64_t now_ns);

/* Whether every server in use has been silent past the tries of a name:
 * nothing sent to the zone would be answered, but a probe now and then. */
bool bd_zone_unreachable(const struct bd_zone *z, uint64_t now_ns);

/* The windows of the servers in use, added up, at most window_max. */
unsigned bd_zone_window(const struct bd_zone *z);

/* p waits for a server of z. A probe that went out before goes ahead of
 * those that never did: a name's tries keep their timing however many
 * new names wait. */
void bd_zone_enqueue(struct bd_zone *z, struct bd_probe *p);

/* The probe to go next, or NULL; and the same, out of the queue. */
struct bd_probe *bd_zone_next(const struct bd_zone *z);
struct bd_probe *bd_zone_dequeue(struct bd_zone *z);

#endif
