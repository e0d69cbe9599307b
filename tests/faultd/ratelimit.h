/* Per-client rate limit: a token bucket per source address, as public
   resolvers keep one, with the slip of Response Rate Limiting as BIND and
   NSD do it: some refused queries get a truncated answer instead of
   silence, so that a real client can go on over TCP. */
#ifndef FAULTD_RATELIMIT_H
#define FAULTD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

enum ratelimit_verdict {
  RATELIMIT_PASS, /* within the limit: answer as the rules say */
  RATELIMIT_DROP, /* over it: no answer */
  RATELIMIT_SLIP  /* over it: a truncated answer (TC=1), to move to TCP */
};

struct ratelimit_slot {
  bool used;
  uint8_t family;
  uint8_t addr[16];
  uint64_t tokens;  /* in units of 1/RATELIMIT_UNIT query */
  uint64_t last_ns; /* when tokens was last brought up to date */
  uint64_t over;    /* queries refused so far, for the slip count */
};

/* A zeroed struct (rate 0) limits nothing. */
struct ratelimit {
  uint64_t rate;  /* queries a second per source address; 0: no limit */
  uint64_t burst; /* bucket size in queries */
  uint64_t slip;  /* every slip-th refused query slips; 0: none */
  struct ratelimit_slot *slots;
  size_t cap; /* a power of two, or 0 */
  size_t used;
};

enum {
  RATELIMIT_MAX_RATE = 10000000, /* keeps the token arithmetic in 64 bits */
  RATELIMIT_MAX_SOURCES = 65536  /* past this, every bucket starts over */
};

/* rate and burst at most RATELIMIT_MAX_RATE; burst 0 means rate (one
   second's worth, as dnsdist's MaxQPSIPRule has it). */
void ratelimit_init(struct ratelimit *limit, uint64_t rate, uint64_t burst,
                    uint64_t slip);
static inline bool ratelimit_enabled(const struct ratelimit *limit) {
  return limit->rate > 0;
}
/* Takes a token from the bucket of addr's address (the port does not
   count) at time now_ns (monotonic), and says what to do with the query.
   A source starts with a full bucket. */
enum ratelimit_verdict ratelimit_take(struct ratelimit *limit,
                                      const struct sockaddr_storage *addr,
                                      uint64_t now_ns);
void ratelimit_free(struct ratelimit *limit);

#endif
