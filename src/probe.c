/* The probe pool and the one place a probe changes state (see probe.h for
 * the moves). Probes come in chunks that live until the pool is freed, so
 * memory follows the most probes alive at once, not the input. */
#include "blogdom/probe.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/facts.h"

#define CHUNK_PROBES 256

struct bd_probe_chunk {
  struct bd_probe_chunk *next;
  struct bd_probe probes[CHUNK_PROBES];
};

void bd_probe_pool_init(struct bd_probe_pool *pool) {
  memset(pool, 0, sizeof(*pool));
}

/* What a probe owns: its line is out, or it never will be. */
static void drop_owned(struct bd_probe *p) {
  free(p->name);
  free(p->verdict);
  bd_facts_free(p->facts);
  p->facts = NULL;
  p->name = NULL;
  p->verdict = NULL;
}

void bd_probe_pool_free(struct bd_probe_pool *pool) {
  struct bd_probe_chunk *c = pool->chunks;
  while (c != NULL) {
    struct bd_probe_chunk *next = c->next;
    /* Probes still alive when a run stops (a name parked in a zone that
     * never got a server) keep what they had. */
    for (size_t i = 0; i < CHUNK_PROBES; i++)
      if (c->probes[i].state != BD_PROBE_FREE)
        drop_owned(&c->probes[i]);
    free(c);
    c = next;
  }
  bd_probe_pool_init(pool);
}

static int grow(struct bd_probe_pool *pool) {
  struct bd_probe_chunk *c = malloc(sizeof(*c));
  if (c == NULL)
    return -1;
  c->next = pool->chunks;
  pool->chunks = c;
  for (size_t i = CHUNK_PROBES; i-- > 0;) {
    c->probes[i].state = BD_PROBE_FREE;
    c->probes[i].next = pool->free;
    pool->free = &c->probes[i];
  }
  return 0;
}

static size_t *counts(struct bd_probe_pool *pool, const struct bd_probe *p) {
  return p->kind == BD_PROBE_NAME ? pool->names : pool->checks;
}

struct bd_probe *bd_probe_alloc(struct bd_probe_pool *pool, void *owner,
                                enum bd_probe_kind kind, const char *name,
                                size_t len) {
  struct bd_probe *p;
  char *copy;
  if (pool->free == NULL && grow(pool) != 0)
    return NULL;
  copy = malloc(len + 1);
  if (copy == NULL)
    return NULL;
  memcpy(copy, name, len);
  copy[len] = '\0';
  p = pool->free;
  pool->free = p->next;
  assert(p->state == BD_PROBE_FREE);
  memset(p, 0, sizeof(*p));
  p->name = copy;
  p->name_len = len;
  p->owner = owner;
  p->kind = kind;
  p->state = BD_PROBE_QUEUED;
  counts(pool, p)[BD_PROBE_QUEUED]++;
  return p;
}

bool bd_probe_may_move(enum bd_probe_state from, enum bd_probe_state to) {
  switch (to) {
  case BD_PROBE_FREE:
    return from != BD_PROBE_FREE;
  case BD_PROBE_QUEUED:
    return from == BD_PROBE_INFLIGHT || from == BD_PROBE_PARKED;
  case BD_PROBE_INFLIGHT:
    return from == BD_PROBE_QUEUED;
  case BD_PROBE_PARKED:
    return from == BD_PROBE_INFLIGHT || from == BD_PROBE_QUEUED;
  case BD_PROBE_STAGED:
    return from == BD_PROBE_INFLIGHT || from == BD_PROBE_PARKED ||
           from == BD_PROBE_STAGED || from == BD_PROBE_QUEUED;
  case BD_PROBE_NSTATES:
    break;
  }
  return false;
}

void bd_probe_move(struct bd_probe_pool *pool, struct bd_probe *p,
                   enum bd_probe_state to) {
  size_t *n = counts(pool, p);
  assert(bd_probe_may_move(p->state, to));
  assert(n[p->state] > 0);
  n[p->state]--;
  p->state = to;
  if (to == BD_PROBE_FREE) {
    drop_owned(p);
    p->next = pool->free;
    pool->free = p;
    return;
  }
  n[to]++;
}

size_t bd_probe_names_in_dns(const struct bd_probe_pool *pool) {
  return pool->names[BD_PROBE_QUEUED] + pool->names[BD_PROBE_INFLIGHT] +
         pool->names[BD_PROBE_PARKED];
}

void bd_probe_queue_push(struct bd_probe_queue *q, struct bd_probe *p) {
  p->next = NULL;
  if (q->tail != NULL)
    q->tail->next = p;
  else
    q->head = p;
  q->tail = p;
}

struct bd_probe *bd_probe_queue_pop(struct bd_probe_queue *q) {
  struct bd_probe *p = q->head;
  if (p != NULL) {
    q->head = p->next;
    if (q->head == NULL)
      q->tail = NULL;
    p->next = NULL;
  }
  return p;
}
