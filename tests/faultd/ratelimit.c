/* Per-client rate limit: a token bucket per source address, with
   RRL-style slip. Integer arithmetic only: a bucket holds tokens in units
   of one nanosecond of credit at one query a second (RATELIMIT_UNIT per
   query), so refilling is elapsed_ns * rate with no rounding drift. */
#include "ratelimit.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum { INITIAL_CAP = 16 };
#define RATELIMIT_UNIT 1000000000u

void ratelimit_init(struct ratelimit *limit, uint64_t rate, uint64_t burst,
                    uint64_t slip) {
  memset(limit, 0, sizeof *limit);
  limit->rate = rate;
  limit->burst = burst ? burst : rate;
  limit->slip = slip;
}

/* The address bytes of a source; false for a family faultd never binds. */
static bool source_key(const struct sockaddr_storage *addr, uint8_t *family,
                       uint8_t key[16]) {
  memset(key, 0, 16);
  if (addr->ss_family == AF_INET) {
    memcpy(key, &((const struct sockaddr_in *)addr)->sin_addr, 4);
  } else if (addr->ss_family == AF_INET6) {
    memcpy(key, &((const struct sockaddr_in6 *)addr)->sin6_addr, 16);
  } else {
    return false;
  }
  *family = (uint8_t)addr->ss_family;
  return true;
}

static size_t hash_key(uint8_t family, const uint8_t key[16]) {
  uint64_t hash = 0xcbf29ce484222325u ^ family; /* FNV-1a */
  for (int i = 0; i < 16; i++)
    hash = (hash ^ key[i]) * 0x100000001b3u;
  return (size_t)hash;
}

static struct ratelimit_slot *find_slot(struct ratelimit_slot *slots,
                                        size_t cap, uint8_t family,
                                        const uint8_t key[16]) {
  size_t i = hash_key(family, key) & (cap - 1);
  while (slots[i].used &&
         (slots[i].family != family || memcmp(slots[i].addr, key, 16) != 0))
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static void grow(struct ratelimit *limit) {
  size_t cap = limit->cap ? limit->cap * 2 : INITIAL_CAP;
  struct ratelimit_slot *slots = xcalloc(cap, sizeof *slots);
  for (size_t i = 0; i < limit->cap; i++) {
    struct ratelimit_slot *old = &limit->slots[i];
    if (old->used)
      *find_slot(slots, cap, old->family, old->addr) = *old;
  }
  free(limit->slots);
  limit->slots = slots;
  limit->cap = cap;
}

/* A test server meets few sources; should a test meet a flood of them,
   forgetting them all bounds the memory and only makes buckets full. */
static void forget_all(struct ratelimit *limit) {
  memset(limit->slots, 0, limit->cap * sizeof *limit->slots);
  limit->used = 0;
}

static struct ratelimit_slot *bucket(struct ratelimit *limit, uint8_t family,
                                     const uint8_t key[16], uint64_t now_ns) {
  if (limit->used >= RATELIMIT_MAX_SOURCES)
    forget_all(limit);
  /* Keeping the load under one half keeps probe chains short. */
  if ((limit->used + 1) * 2 > limit->cap)
    grow(limit);
  struct ratelimit_slot *slot =
      find_slot(limit->slots, limit->cap, family, key);
  if (!slot->used) {
    slot->used = true;
    slot->family = family;
    memcpy(slot->addr, key, 16);
    slot->tokens = limit->burst * RATELIMIT_UNIT;
    slot->last_ns = now_ns;
    slot->over = 0;
    limit->used++;
  }
  return slot;
}

static void refill(const struct ratelimit *limit, struct ratelimit_slot *slot,
                   uint64_t now_ns) {
  uint64_t full = limit->burst * RATELIMIT_UNIT;
  uint64_t elapsed = now_ns > slot->last_ns ? now_ns - slot->last_ns : 0;
  slot->last_ns = now_ns > slot->last_ns ? now_ns : slot->last_ns;
  /* Past the time to fill an empty bucket it is full; below it the
     product fits in 64 bits (full <= 1e16, so elapsed * rate <= 1e16). */
  if (elapsed >= full / limit->rate) {
    slot->tokens = full;
    return;
  }
  uint64_t tokens = slot->tokens + elapsed * limit->rate;
  slot->tokens = tokens < full ? tokens : full;
}

enum ratelimit_verdict ratelimit_take(struct ratelimit *limit,
                                      const struct sockaddr_storage *addr,
                                      uint64_t now_ns) {
  uint8_t family;
  uint8_t key[16];
  if (!ratelimit_enabled(limit) || !source_key(addr, &family, key))
    return RATELIMIT_PASS;
  struct ratelimit_slot *slot = bucket(limit, family, key, now_ns);
  refill(limit, slot, now_ns);
  if (slot->tokens >= RATELIMIT_UNIT) {
    slot->tokens -= RATELIMIT_UNIT;
    return RATELIMIT_PASS;
  }
  slot->over++;
  if (limit->slip > 0 && slot->over % limit->slip == 0)
    return RATELIMIT_SLIP;
  return RATELIMIT_DROP;
}

void ratelimit_free(struct ratelimit *limit) {
  free(limit->slots);
  memset(limit, 0, sizeof *limit);
}
