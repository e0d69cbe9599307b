/* Rules: parsing "GLOB ACTIONS" lines and finding the rule for a name. */
#ifndef FAULTD_RULES_H
#define FAULTD_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum { RULE_MAX_ADDRS = 64 };

/* What to answer and how to deliver it; see README.md for each token. */
struct actions {
  /* The answer. */
  int rcode; /* -1: no rcode token given */
  bool big;
  size_t cname_len; /* 0: no cname= */
  uint8_t cname[DNS_NAME_MAX];
  size_t a_count;
  uint8_t a[RULE_MAX_ADDRS][4];
  size_t aaaa_count;
  uint8_t aaaa[RULE_MAX_ADDRS][16];
  /* Its delivery. */
  uint32_t delay_ms;
  bool drop;
  uint32_t drop_first;
  double loss_pct;
  bool tc;
  bool tcp_close;
  bool wrong_id;
  bool wrong_question;
  bool garbage;
  bool malformed;
};

struct rule {
  char *glob;
  struct actions actions;
};

struct rule_set {
  struct rule *rules;
  size_t count;
  size_t cap;
  struct actions fallback; /* for names no rule matches */
};

/* Starts with no rules and a fallback of "nxdomain". */
void rule_set_init(struct rule_set *set);
void rule_set_free(struct rule_set *set);

/* Parse failures return false with a message in err. */
bool actions_parse(const char *text, struct actions *actions, char *err,
                   size_t err_len);
bool rule_set_add_line(struct rule_set *set, const char *line, char *err,
                       size_t err_len);
/* Adds every rule of a file; err names the file and line on failure. */
bool rule_set_add_file(struct rule_set *set, const char *path, char *err,
                       size_t err_len);

/* name: lower-cased, without trailing dot. */
const struct actions *rule_set_match(const struct rule_set *set,
                                     const char *name);

#endif
