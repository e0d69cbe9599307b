/* How far each server and each TLD can be trusted: the TLD table, the
 * TLDs known to exist, and what the answers to the vetting and check
 * queries mean. Pure rules; the engine asks the questions. */
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
  BD_TLD_MISSING,  /* the TLD does not exist */
  BD_TLD_DENIED    /* it exists, yet the resolver says it does not */
};

/* One TLD met in the input. The engine parks the names waiting for its
 * checks on it. */
struct bd_tld {
  struct bd_tld *next; /* hash chain */
  enum bd_tld_state state;
  unsigned pending;  /* check queries still out */
  bool apex_missing; /* the TLD's own name is NXDOMAIN */
  bool random_found; /* a random name under it exists */
  bool upfront;      /* known before the first name: its failure ends the
                        run before any line */
  void *parked_head; /* engine's probes waiting for the verdict */
  void *parked_tail;
  char name[BD_NAME_MAX + 1]; /* the TLD, or a public suffix */
};

struct bd_trust;

struct bd_trust *bd_trust_new(void);
void bd_trust_free(struct bd_trust *t);

/* The entry of the TLD of name (its last label), created on first sight
 * with *created set. NULL if out of memory. */
struct bd_tld *bd_trust_tld(struct bd_trust *t, const char *name,
                            bool *created);

/* The entry keyed by a whole public suffix ("co.uk"), as the
 * authoritative mode checks each suffix's zone. */
struct bd_tld *bd_trust_suffix(struct bd_trust *t, const char *suffix,
                               bool *created);

/* Calls fn for every TLD met so far. */
void bd_trust_each(struct bd_trust *t, void (*fn)(struct bd_tld *, void *),
                   void *data);

/* True for TLDs of the root zone that blogdom knows exist. */
bool bd_tld_is_known(const char *tld);

/* What a TLD's checks mean, once both are in: the answer for the TLD's
 * own name (apex) and, when asked, for a random name under it. Returns
 * false, with the state BD_TLD_DENIED, when the resolver cannot be
 * believed: it calls a TLD blogdom knows to exist nonexistent. */
bool bd_trust_decide(struct bd_tld *tld);

/* What vetting found a server to do, worst first where both vetting
 * questions fail. */
enum bd_vet {
  BD_VET_OK,
  BD_VET_CONN_REFUSED, /* ICMP port unreachable: nothing listens there */
  BD_VET_SILENT,       /* no answer within the tries */
  BD_VET_REFERRAL,     /* refers instead of answering: not a resolver */
  BD_VET_REWRITES,     /* answers for a name that cannot exist */
  BD_VET_DENIES_COM,   /* NXDOMAIN for com. */
  BD_VET_REFUSED,
  BD_VET_SERVFAIL,
  BD_VET_RCODE, /* another rcode */
  BD_VET_BAD_RESPONSE,
  BD_VET_FAILED /* failed on this host */
};

/* Judges a server by its answers to the two vetting questions, asked
 * before it gets any name: a random name under a made-up TLD must not
 * exist (rewrite), and com. must (reference). *rcode is the rcode of the
 * answer judged, for bd_vet_describe. */
enum bd_vet bd_trust_vet(const struct bd_verdict *rewrite,
                         const struct bd_verdict *reference, int *rcode);

/* What the server did, as a phrase that follows its address: "rewrites
 * NXDOMAIN", "answers with a referral", ... (rcode names "answers
 * NOTAUTH"). Written into buf (at least 64 bytes). */
const char *bd_vet_describe(enum bd_vet vet, int rcode, char *buf, size_t cap);

/* True when the server answers, but its answers cannot be believed:
 * --trust-resolver would use it anyway. */
bool bd_vet_is_content(enum bd_vet vet);

/* Writes a random label of len letters and digits (from random bytes). */
void bd_trust_random_label(char *out, size_t len, const unsigned char *rnd);

#endif
