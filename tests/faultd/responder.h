/* Turns one received query into a plan: which packets to send, and when,
   according to the rules. Owns the drop-first counters and the PRNG. */
#ifndef FAULTD_RESPONDER_H
#define FAULTD_RESPONDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "namecount.h"
#include "prng.h"
#include "qlog.h"
#include "ratelimit.h"
#include "rules.h"
#include "silence.h"
#include "stats.h"
#include "wire.h"

enum {
  PLAN_MAX_PACKETS = 3,   /* wrong-id, wrong-question, the real answer */
  PLAN_PACKET_MAX = 4096, /* well above the largest answer faultd makes */
  BIG_RECORDS = 60
};

struct plan_packet {
  bool delayed; /* the real answer, which waits for the plan's delay */
  size_t len;
  uint8_t data[PLAN_PACKET_MAX];
};

struct plan {
  size_t count;
  uint32_t delay_ms;
  bool close_after_last; /* TCP: send half the last packet, then close */
  struct plan_packet packets[PLAN_MAX_PACKETS];
};

struct responder {
  const struct rule_set *rules;
  struct qlog *log;
  struct namecount counts;
  struct prng prng;
  struct ratelimit limit; /* UDP queries only */
  struct silence silence; /* UDP and TCP alike */
  struct stats stats;
  uint8_t big_rdata[BIG_RECORDS][4];
  uint8_t normal[PLAN_PACKET_MAX]; /* the answer before any fault */
};

void responder_init(struct responder *responder, const struct rule_set *rules,
                    uint64_t seed, struct qlog *log);
/* Sets the per-client rate limit (see ratelimit.h); none by default. */
void responder_limit(struct responder *responder, uint64_t rate, uint64_t burst,
                     uint64_t slip);
/* Sets the silence (see silence.h): once `after` queries have been
   received, nothing is answered for span_ms; span_ms 0, the default, is
   none. */
void responder_silence(struct responder *responder, uint64_t after,
                       uint64_t span_ms);
/* Plans the answer to the query in pkt, which came over UDP from `from`,
   or over TCP if from is NULL. Also counts it in responder->stats and
   writes its log line. */
void responder_handle(struct responder *responder, const uint8_t *pkt,
                      size_t len, const struct sockaddr_storage *from,
                      uint64_t now_ns, struct plan *plan);
void responder_free(struct responder *responder);

#endif
