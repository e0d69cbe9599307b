/* A probe's life, from its allocation to its line: one pool, one state per
 * probe, and every change of state through bd_probe_move, which keeps the
 * counts the engine's limits read. */
#ifndef BLOGDOM_PROBE_H
#define BLOGDOM_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/names.h"
#include "blogdom/verdict.h"

/* What a query is for: a name of the input, a check of a server or of a
 * TLD (see checks.h), or a post-DNS stage's own question. */
enum bd_probe_kind {
  BD_PROBE_NAME,
  BD_PROBE_REWRITE,   /* a random name under a made-up TLD: must not exist */
  BD_PROBE_REFERENCE, /* "com.": must exist */
  BD_PROBE_APEX,      /* a TLD's own name */
  BD_PROBE_RANDOM,    /* a random name under a TLD: exists only by wildcard */
  BD_PROBE_SUFFIX,    /* --authoritative: which zone holds a suffix */
  BD_PROBE_HOST,      /* --authoritative: a name server's address */
  BD_PROBE_ASK        /* a stage's query (engine.h: bd_engine_ask) */
};

/* The states, and the moves between them:
 *   FREE -> QUEUED      allocated: a first try waits for room
 *   QUEUED -> INFLIGHT  a try is out
 *   INFLIGHT -> QUEUED  a retry waits for room
 *   INFLIGHT -> PARKED  the DNS verdict is in; its TLD's checks are not
 *   QUEUED <-> PARKED   (--authoritative) waits for its zone's servers
 *   INFLIGHT, PARKED -> STAGED  in a post-DNS stage (RDAP)
 *   QUEUED -> STAGED    (--zone) judged by a zone file, never sent
 *   any -> FREE         its line is out, it was a check, or the run stopped
 */
enum bd_probe_state {
  BD_PROBE_FREE,
  BD_PROBE_QUEUED,
  BD_PROBE_INFLIGHT,
  BD_PROBE_PARKED,
  BD_PROBE_STAGED,
  BD_PROBE_NSTATES
};

struct bd_tld;
struct bd_stage;
struct bd_zone;

struct bd_probe {
  struct bd_probe *next; /* in the list its state keeps it on */
  enum bd_probe_state state;
  enum bd_probe_kind kind;
  uint16_t qtype;
  bool pinned;        /* every try goes to `server`: vetting */
  uint32_t send;      /* its last try's number at its server (window.h) */
  struct bd_tld *tld; /* the TLD it waits on or checks, or NULL */
  /* The DNS verdict of a name, kept from its answer to its line; NULL
   * until then, so that a probe in flight carries none. */
  struct bd_verdict *verdict;
  size_t stage; /* the next post-DNS stage to consider */
  uint64_t seq;
  uint64_t start_ns; /* of the first try */
  uint64_t sent_ns;  /* of the last try */
  unsigned tries;
  unsigned overtaken; /* tries found lost early and not counted */
  unsigned local_failures;
  struct bd_zone *zone; /* whose servers it is asked of */
  size_t server;        /* of the last try, in zone */
  bool via_tcp;         /* the next try goes over TCP (truncated) */
  void *route;          /* --authoritative: its suffix or zone (iterate.c) */
  const char *evidence; /* --zone: its zone and serial (zoneset.h) */
  void *owner; /* the engine, for callbacks that carry only the probe */
  /* BD_PROBE_ASK: whom the answer goes to (bd_engine_ask_cb). */
  void (*asker)(void *arg, const unsigned char *abuf, size_t alen,
                const struct bd_verdict *v);
  void *asker_arg;
  /* What its line may show beyond the verdict (facts.h), kept only for
   * a format that shows it and freed with the probe; NULL: none. */
  struct bd_facts *facts;
  /* Its own copy of the name, sized to fit: in flight by the ten
   * thousand at a distance, probes are the bulk of the memory. */
  char *name;
  size_t name_len;
};

struct bd_probe_chunk;

struct bd_probe_pool {
  struct bd_probe *free;
  struct bd_probe_chunk *chunks;
  /* Probes in each state, names and checks apart. */
  size_t names[BD_PROBE_NSTATES];
  size_t checks[BD_PROBE_NSTATES];
};

void bd_probe_pool_init(struct bd_probe_pool *pool);

/* Frees every probe, whatever its state, with its name, verdict, records
 * and fields. */
void bd_probe_pool_free(struct bd_probe_pool *pool);

/* A cleared probe of kind for name (len bytes), in state QUEUED, from the free
 * list or a new chunk, with its own copy of the name. NULL when out of memory.
 */
struct bd_probe *bd_probe_alloc(struct bd_probe_pool *pool, void *owner,
                                enum bd_probe_kind kind, const char *name,
                                size_t len);

/* Moves p to state `to`, which must be a transition the diagram above
 * allows (asserted), and keeps the counts. To FREE, p goes back to the
 * free list, and its name, verdict, records and fields are freed. */
void bd_probe_move(struct bd_probe_pool *pool, struct bd_probe *p,
                   enum bd_probe_state to);

/* True when the diagram allows from -> to. */
bool bd_probe_may_move(enum bd_probe_state from, enum bd_probe_state to);

/* Names in the DNS part of their life: queued, in flight or parked. */
size_t bd_probe_names_in_dns(const struct bd_probe_pool *pool);

/* A FIFO of probes linked by `next`. */
struct bd_probe_queue {
  struct bd_probe *head;
  struct bd_probe *tail;
};

void bd_probe_queue_push(struct bd_probe_queue *q, struct bd_probe *p);
struct bd_probe *bd_probe_queue_pop(struct bd_probe_queue *q);

#endif
