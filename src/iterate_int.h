/* What the files of the authoritative mode's map share, and no other module
 * sees: the map itself, its zones and its suffixes, and the functions the
 * files call across each other (as libuv's src/uv-common.h is for libuv).
 * iterate.h is the map's face to the engine; this header is its inside,
 * and is not installed. The map's files are:
 *   iterate.c   acting on answers, and the map's life cycle
 *   mapzones.c  the zones of the map and sending a probe to one
 *   suffixes.c  the zone that holds each public suffix's names
 *   nslookup.c  lookups of name servers that came without glue
 * Shared functions are named map_...: they are the map's own, and the
 * prefix keeps them from clashing with another module's. */
#ifndef BLOGDOM_ITERATE_INT_H
#define BLOGDOM_ITERATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/auth.h"
#include "blogdom/iterate.h"
#include "blogdom/names.h"
#include "blogdom/probe.h"
#include "blogdom/servers.h"
#include "blogdom/verdict.h"
#include "blogdom/zone.h"

/* Buckets of each of the map's hash tables: zones and suffixes by name. */
#define BUCKETS 256

/* A zone of the map, and what waits for it. */
struct entry {
  struct entry *next; /* hash chain */
  struct bd_zone *zone;
  /* A delegated name's own zone, found for a stage's question about the
   * name: one name's, usually, so it goes once no probe uses it. */
  bool transient;
  bool doomed;                   /* on the list of zones to sweep */
  struct entry *dead;            /* that list */
  bool said_empty;               /* "no server of the zone answered" was said */
  unsigned lookups;              /* name server lookups still out */
  struct bd_probe_queue waiting; /* probes waiting for a first server */
  enum bd_reason failure;        /* why it has no server, when it has none */
};

enum suffix_state { SUFFIX_FINDING, SUFFIX_FOUND, SUFFIX_FAILED };

/* A public suffix met in the input, and the zone that holds its names. */
struct suffix {
  struct suffix *next; /* hash chain */
  enum suffix_state state;
  struct entry *holder;
  enum bd_reason failure;        /* SUFFIX_FAILED: why */
  struct bd_zone *said;          /* SUFFIX_FAILED: the zone that said so */
  size_t said_by;                /* and its server */
  struct bd_probe_queue waiting; /* names waiting for the holder */
  char name[BD_NAME_MAX + 1];
};

/* The map: its zones and suffixes by name, the root, and the engine's
 * ops that it sends and finishes probes through. */
struct bd_iterate {
  struct bd_router router; /* what the engine holds: the map's face */
  struct bd_iterate_config cfg;
  struct bd_zone_config zone_cfg; /* of every zone of the map */
  struct bd_router_hooks ops;
  struct entry *zones[BUCKETS];
  struct suffix *suffixes[BUCKETS];
  struct entry *root;
  struct entry *doomed; /* transient zones no probe used, last seen */
  char fatal[160];      /* "": the map can judge */
};

/* FNV-1a of a name, into one of the BUCKETS of a hash table of the map. */
static inline size_t hash(const char *s) {
  uint32_t h = 2166136261u;
  while (*s)
    h = (h ^ (unsigned char)*s++) * 16777619u;
  return h % BUCKETS;
}

/* ---- mapzones.c: the zones -------------------------------------------- */

/* The zone's name as JSON shows it: "dev", "." for the root. */
const char *map_zone_name(const struct bd_zone *z);

/* p is freed: the zone it was asked of has one user fewer (the map's
 * zones for delegated names go once they have none). */
void map_forget(struct bd_iterate *it, struct bd_probe *p);

/* Frees the delegated names' zones that no probe uses any more. From the
 * top of an event, where no zone is held by the engine. */
void map_sweep(struct bd_iterate *it);

/* The map's entry for the zone called name, or NULL. */
struct entry *map_find_zone(struct bd_iterate *it, const char *name);

/* A new, empty zone of the map; NULL if out of memory. */
struct entry *map_add_zone(struct bd_iterate *it, const char *name,
                           bool transient);

/* A transient zone that no probe uses goes at the next sweep (unless one
 * uses it by then). */
void map_doom(struct bd_iterate *it, struct entry *e);

/* p is asked of zone z from now on (NULL: of none). */
void map_use_zone(struct bd_iterate *it, struct bd_probe *p, struct bd_zone *z);

/* The deepest zone of the map that name is in: where to start asking. */
struct entry *map_closest_zone(struct bd_iterate *it, const char *name);

/* Whether the map may ask server s (IPv6 only with IPv6 connectivity). */
bool map_usable(const struct bd_iterate *it, const struct bd_server *s);

/* Adds a server to a zone, unless it has it already. */
void map_add_server(struct entry *e, const struct bd_server *s);

/* The zone has a server again, or never will: what waited for it goes. */
void map_release_waiting(struct bd_iterate *it, struct entry *e);

/* The map's entry for the zone a referral names, made and filled on first
 * sight; NULL if out of memory. */
struct entry *map_zone_from(struct bd_iterate *it,
                            const struct bd_auth_judgement *j, bool transient);

/* Sends p to a zone: now, later, or p fails with the zone's reason. */
void map_send_to(struct bd_iterate *it, struct bd_probe *p, struct entry *e);

/* ---- suffixes.c: the public suffixes ---------------------------------- */

/* The public suffix a name is judged under ("" when it has none). */
const char *map_suffix_of(const char *name);

/* Sends a name (or a check under a suffix) toward the zone that holds its
 * suffix: at once when that zone and a server of it are known, else when
 * they are. */
void map_route(struct bd_iterate *it, struct bd_probe *p);

/* The registrable name: the label under the suffix, and the suffix. */
const char *map_registrable_of(const char *name, const char *suffix);

/* The suffix's names go to holder from now on, and those waiting now. */
void map_suffix_found(struct bd_iterate *it, struct suffix *s,
                      struct entry *holder);

/* No name under the suffix can be judged: each fails for reason, as if
 * lookup's zone and server had answered it. */
void map_suffix_failed(struct bd_iterate *it, struct suffix *s,
                       const struct bd_probe *lookup, enum bd_reason reason);

/* ---- nslookup.c: name servers without glue ---------------------------- */

/* Looks up the address of host, a name server of target. */
void map_start_host_lookup(struct bd_iterate *it, struct entry *target,
                           const char *host);

/* A lookup of a name server's address is over, with (j) or without (NULL)
 * one. */
void map_host_done(struct bd_iterate *it, struct bd_probe *p,
                   const struct bd_auth_judgement *j);

/* ---- iterate.c: answers ----------------------------------------------- */

/* A response to p came from server p->server of p->zone: the map judges
 * it (auth.c) and acts: a verdict for a name, a zone found, a server
 * sidelined and p asked again elsewhere, ... */
void map_answer(struct bd_iterate *it, struct bd_probe *p,
                const unsigned char *abuf, size_t alen);

/* p got no usable response within its tries (v says why). */
void map_gave_up(struct bd_iterate *it, struct bd_probe *p,
                 const struct bd_verdict *v);

/* p waits in the queue for a zone that has no server in use any more:
 * it waits for one to come, or fails with the zone's reason. */
void map_resend(struct bd_iterate *it, struct bd_probe *p);

/* p fails for reason: a name gets its verdict, a lookup of the map's own
 * fails what waits for it. */
void map_fail_probe(struct bd_iterate *it, struct bd_probe *p,
                    enum bd_reason reason);

#endif
