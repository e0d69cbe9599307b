/* How far the resolver and each TLD can be trusted: the TLD table, the
 * TLDs known to exist, and what the check queries' answers mean. */
#ifndef BLOGDOM_TRUST_H
#define BLOGDOM_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/names.h"
#include "blogdom/verdict.h"

enum bd_tld_state {
  BD_TLD_CHECKING, /* its check queries are out: verdicts wait */
  BD_TLD_FINE,     /* verdicts stand */
  BD_TLD_WILDCARD, /* random names exist: "found" means nothing */
  BD_TLD_MISSING   /* the TLD does not exist */
};

/* One TLD met in the input. The engine parks the names waiting for its
 * checks on it. */
struct bd_tld {
  struct bd_tld *next; /* hash chain */
  enum bd_tld_state state;
  unsigned pending;  /* check queries still out */
  bool apex_missing; /* the TLD's own name is NXDOMAIN */
  bool random_found; /* a random name under it exists */
  void *parked_head; /* engine's probes waiting for the verdict */
  void *parked_tail;
  char name[BD_LABEL_MAX + 1];
};

struct bd_trust;

struct bd_trust *bd_trust_new(void);
void bd_trust_free(struct bd_trust *t);

/* The entry of the TLD of name (its last label), created on first sight
 * with *created set. NULL if out of memory. */
struct bd_tld *bd_trust_tld(struct bd_trust *t, const char *name,
                            bool *created);

/* Calls fn for every TLD met so far. */
void bd_trust_each(struct bd_trust *t, void (*fn)(struct bd_tld *, void *),
                   void *data);

/* True for TLDs of the root zone that blogdom knows exist. */
bool bd_tld_is_known(const char *tld);

/* What a TLD's checks mean, once both are in: the answer for the TLD's
 * own name (apex) and, when asked, for a random name under it. Returns
 * false when the resolver cannot be believed: it calls a TLD blogdom knows
 * to exist nonexistent. */
bool bd_trust_decide(struct bd_tld *tld);

/* True when the answer for a random name under a random TLD-like label
 * shows a resolver that turns NXDOMAIN into addresses. */
bool bd_trust_is_rewrite(const struct bd_verdict *random_answer);

/* Writes a random label of len letters and digits (from random bytes). */
void bd_trust_random_label(char *out, size_t len, const unsigned char *rnd);

#endif
