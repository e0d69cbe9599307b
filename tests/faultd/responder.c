/* Turns one received query into a plan: which packets to send, and when,
   according to the rules. Owns the drop-first counters and the PRNG. */
#include "responder.h"

#include <stdio.h>
#include <string.h>

enum {
  CLASSIC_UDP_MAX = 512,
  GARBAGE_MAX = 64,
  WRONG_ID_MASK = 0x5555,
  QUESTION_MAX = DNS_NAME_MAX + 4
};

static const uint8_t DEFAULT_A[4] = {192, 0, 2, 1};
static const uint8_t DEFAULT_AAAA[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                         0,    0,    0,    0,    0, 0, 0, 1};

void responder_init(struct responder *responder, const struct rule_set *rules,
                    uint64_t seed, struct qlog *log) {
  memset(responder, 0, sizeof *responder);
  responder->rules = rules;
  responder->log = log;
  prng_seed(&responder->prng, seed);
  for (unsigned i = 0; i < BIG_RECORDS; i++) {
    static const uint8_t base[4] = {192, 0, 2, 0};
    memcpy(responder->big_rdata[i], base, sizeof base);
    responder->big_rdata[i][3] = (uint8_t)(i + 1);
  }
}

void responder_limit(struct responder *responder, uint64_t rate, uint64_t burst,
                     uint64_t slip) {
  ratelimit_free(&responder->limit);
  ratelimit_init(&responder->limit, rate, burst, slip);
}

void responder_silence(struct responder *responder, uint64_t after,
                       uint64_t span_ms) {
  silence_init(&responder->silence, after, span_ms);
}

void responder_free(struct responder *responder) {
  namecount_free(&responder->counts);
  ratelimit_free(&responder->limit);
}

static struct plan_packet *plan_add(struct plan *plan, bool delayed) {
  struct plan_packet *packet = &plan->packets[plan->count++];
  packet->delayed = delayed;
  packet->len = 0;
  return packet;
}

static size_t add_addresses(struct dns_rr *rrs, uint16_t type,
                            const uint8_t *addrs, size_t count,
                            size_t addr_len) {
  for (size_t i = 0; i < count; i++)
    rrs[i] = (struct dns_rr){type, (uint16_t)addr_len, addrs + i * addr_len};
  return count;
}

/* Fills the answer section; rrs must hold RULE_MAX_ADDRS records. */
static size_t collect_answers(const struct responder *responder,
                              const struct actions *act, uint16_t qtype,
                              struct dns_rr *rrs) {
  if (act->cname_len > 0) {
    rrs[0] =
        (struct dns_rr){DNS_TYPE_CNAME, (uint16_t)act->cname_len, act->cname};
    return 1;
  }
  if (act->big)
    return add_addresses(rrs, DNS_TYPE_A, &responder->big_rdata[0][0],
                         BIG_RECORDS, 4);
  bool explicit_addrs = act->a_count + act->aaaa_count > 0;
  /* An rcode token alone means "no records", like nodata. */
  if (!explicit_addrs && act->rcode >= 0)
    return 0;
  if (qtype == DNS_TYPE_A)
    return explicit_addrs
               ? add_addresses(rrs, DNS_TYPE_A, &act->a[0][0], act->a_count, 4)
               : add_addresses(rrs, DNS_TYPE_A, DEFAULT_A, 1, 4);
  if (qtype == DNS_TYPE_AAAA)
    return explicit_addrs
               ? add_addresses(rrs, DNS_TYPE_AAAA, &act->aaaa[0][0],
                               act->aaaa_count, 16)
               : add_addresses(rrs, DNS_TYPE_AAAA, DEFAULT_AAAA, 1, 16);
  return 0;
}

/* RFC 6891: an advertised size below 512 counts as 512. */
static size_t udp_limit(const struct dns_query *query) {
  if (query->has_opt && query->udp_size > CLASSIC_UDP_MAX)
    return query->udp_size;
  return CLASSIC_UDP_MAX;
}

/* Builds the reply as this transport carries it: over UDP it is truncated
   (TC=1, no answers) when forced or when it would not fit. */
static size_t build_for_transport(const struct dns_query *query,
                                  struct dns_reply *reply, bool tcp,
                                  bool force_tc, uint8_t *out,
                                  bool *truncated) {
  reply->tc = false;
  size_t len = wire_build_reply(query, reply, out, PLAN_PACKET_MAX);
  *truncated = !tcp && (force_tc || len == 0 || len > udp_limit(query));
  if (*truncated) {
    reply->tc = true;
    len = wire_build_reply(query, reply, out, PLAN_PACKET_MAX);
  }
  if (len == 0) {
    /* Cannot happen with the rule limits; fail visibly, not silently. */
    reply->rcode = DNS_RCODE_SERVFAIL;
    reply->answer_count = 0;
    len = wire_build_reply(query, reply, out, PLAN_PACKET_MAX);
  }
  return len;
}

static bool should_drop(struct responder *responder, const struct actions *act,
                        const char *name) {
  bool drop = act->drop;
  /* Counting only under drop-first keeps other names allocation-free. */
  if (act->drop_first > 0 &&
      namecount_bump(&responder->counts, name) <= act->drop_first)
    drop = true;
  if (act->loss_pct > 0 && prng_unit(&responder->prng) * 100.0 < act->loss_pct)
    drop = true;
  return drop;
}

static void add_wrong_id(struct plan *plan, const uint8_t *normal, size_t len,
                         uint16_t id) {
  struct plan_packet *packet = plan_add(plan, false);
  memcpy(packet->data, normal, len);
  packet->len = len;
  wire_set_id(packet->data, id ^ WRONG_ID_MASK);
}

static void add_wrong_question(const struct dns_query *query,
                               const struct dns_reply *reply, bool tcp,
                               bool force_tc, struct plan *plan) {
  uint8_t question[QUESTION_MAX + 2];
  struct dns_reply altered = *reply;
  altered.question = question;
  altered.question_len =
      wire_build_altered_question(query, question, sizeof question);
  struct plan_packet *packet = plan_add(plan, false);
  bool truncated;
  packet->len = build_for_transport(query, &altered, tcp, force_tc,
                                    packet->data, &truncated);
}

static size_t fill_garbage(struct prng *prng, uint8_t *out) {
  size_t len = prng_range(prng, 1, GARBAGE_MAX);
  for (size_t i = 0; i < len; i++)
    out[i] = (uint8_t)prng_next(prng);
  return len;
}

static void add_real_answer(struct responder *responder,
                            const struct dns_query *query,
                            const struct actions *act, bool tcp,
                            size_t normal_len, struct plan *plan) {
  struct plan_packet *packet = plan_add(plan, true);
  if (act->garbage) {
    packet->len = fill_garbage(&responder->prng, packet->data);
  } else if (act->malformed) {
    packet->len =
        wire_build_malformed(query, packet->data, sizeof packet->data);
  } else {
    memcpy(packet->data, responder->normal, normal_len);
    packet->len = normal_len;
  }
  plan->close_after_last = tcp && act->tcp_close;
}

static enum outcome outcome(const struct actions *act, bool tcp, bool dropped,
                            bool truncated) {
  if (dropped)
    return OUTCOME_DROPPED;
  if (act->garbage)
    return OUTCOME_GARBAGE;
  if (act->malformed)
    return OUTCOME_MALFORMED;
  if (tcp && act->tcp_close)
    return OUTCOME_TCP_CLOSE;
  return truncated ? OUTCOME_TRUNCATED : OUTCOME_ANSWERED;
}

/* Counts the query and writes its log line; query NULL: not even its
   header could be read. */
static void record(struct responder *responder, uint64_t now_ns, bool tcp,
                   const struct dns_query *query, bool has_question,
                   enum outcome what, bool bogus) {
  struct stats *stats = &responder->stats;
  if (tcp)
    stats->tcp++;
  else
    stats->udp++;
  stats->outcomes[what]++;
  stats->bogus += bogus;
  if (!qlog_enabled(responder->log))
    return;
  char text[64];
  snprintf(text, sizeof text, "%s%s", bogus ? "bogus+" : "",
           outcome_name(what));
  qlog_write(responder->log, now_ns, tcp, has_question ? query->name : NULL,
             has_question ? query->qtype : -1, query ? query->id : -1, text);
}

/* Over the rate limit: no answer, or a truncated one after the rule's
   delay (the distance to the client is the same for every answer); the
   rule's faults are not applied. */
static void answer_limited(struct responder *responder,
                           const struct dns_query *query, bool slip,
                           uint64_t now_ns, struct plan *plan) {
  const struct actions *act = rule_set_match(responder->rules, query->name);
  if (slip) {
    struct dns_reply reply = {0};
    reply.rcode = (uint8_t)(act->rcode < 0 ? DNS_RCODE_NOERROR : act->rcode);
    bool truncated;
    struct plan_packet *packet = plan_add(plan, true);
    packet->len = build_for_transport(query, &reply, false, true, packet->data,
                                      &truncated);
    plan->delay_ms = act->delay_ms;
  }
  record(responder, now_ns, false, query, true,
         slip ? OUTCOME_SLIPPED : OUTCOME_LIMITED, false);
}

static void answer_query(struct responder *responder,
                         const struct dns_query *query, bool tcp,
                         uint64_t now_ns, struct plan *plan) {
  const struct actions *act = rule_set_match(responder->rules, query->name);
  bool dropped = should_drop(responder, act, query->name);
  struct dns_rr rrs[RULE_MAX_ADDRS];
  struct dns_reply reply = {0};
  reply.rcode = (uint8_t)(act->rcode < 0 ? DNS_RCODE_NOERROR : act->rcode);
  reply.answers = rrs;
  reply.answer_count = collect_answers(responder, act, query->qtype, rrs);

  bool force_tc = act->tc || act->tcp_close;
  bool truncated;
  size_t len = build_for_transport(query, &reply, tcp, force_tc,
                                   responder->normal, &truncated);
  /* Bogus packets first and at once; the real answer waits for delay=. */
  if (act->wrong_id)
    add_wrong_id(plan, responder->normal, len, query->id);
  if (act->wrong_question)
    add_wrong_question(query, &reply, tcp, force_tc, plan);
  if (!dropped)
    add_real_answer(responder, query, act, tcp, len, plan);
  plan->delay_ms = act->delay_ms;

  record(responder, now_ns, tcp, query, true,
         outcome(act, tcp, dropped, truncated),
         act->wrong_id || act->wrong_question);
}

static void answer_formerr(struct responder *responder,
                           const struct dns_query *query, bool tcp,
                           uint64_t now_ns, struct plan *plan) {
  struct plan_packet *packet = plan_add(plan, false);
  packet->len = wire_build_formerr(query, packet->data, sizeof packet->data);
  record(responder, now_ns, tcp, query, query->question != NULL,
         OUTCOME_FORMERR, false);
}

void responder_handle(struct responder *responder, const uint8_t *pkt,
                      size_t len, const struct sockaddr_storage *from,
                      uint64_t now_ns, struct plan *plan) {
  struct dns_query query;
  bool tcp = from == NULL;
  plan->count = 0;
  plan->delay_ms = 0;
  plan->close_after_last = false;
  enum query_status status = wire_parse_query(pkt, len, &query);
  /* A silent server answers nothing at all, FORMERR included, and spends
     no rate-limit tokens; the query is parsed only for its log line. */
  const struct stats *stats = &responder->stats;
  if (silence_drops(&responder->silence, stats->udp + stats->tcp, now_ns)) {
    record(responder, now_ns, tcp, len >= DNS_HEADER_LEN ? &query : NULL,
           status != QUERY_IGNORE && query.question != NULL, OUTCOME_SILENCED,
           false);
    return;
  }
  switch (status) {
  case QUERY_IGNORE:
    record(responder, now_ns, tcp, len >= DNS_HEADER_LEN ? &query : NULL, false,
           OUTCOME_IGNORED, false);
    return;
  case QUERY_FORMERR:
    answer_formerr(responder, &query, tcp, now_ns, plan);
    return;
  case QUERY_OK:
    /* Only UDP is limited, as by RRL: TCP is where a limited client goes. */
    switch (tcp ? RATELIMIT_PASS
                : ratelimit_take(&responder->limit, from, now_ns)) {
    case RATELIMIT_PASS:
      answer_query(responder, &query, tcp, now_ns, plan);
      return;
    case RATELIMIT_DROP:
      answer_limited(responder, &query, false, now_ns, plan);
      return;
    case RATELIMIT_SLIP:
      answer_limited(responder, &query, true, now_ns, plan);
      return;
    }
    return;
  }
}
