/* The questions asked before answers are believed: every server is vetted
 * before it gets a name, and each TLD is checked on first sight (its own
 * name, and a random name under it for wildcards). Driven through the
 * engine's probes; what the answers mean is trust.c's. */
#ifndef BLOGDOM_CHECKS_H
#define BLOGDOM_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "blogdom/probe.h"
#include "blogdom/trust.h"
#include "blogdom/zone.h"

/* What the checks need of the engine. */
struct bd_checks_ops {
  void *data;
  /* Queues a check query, to server (BD_ZONE_NONE: any in use). Returns
   * 0 or -ENOMEM. */
  int (*ask)(void *data, enum bd_probe_kind kind, const char *name,
             uint16_t qtype, struct bd_tld *tld, size_t server);
  /* A parked name's TLD is decided: the name goes on to its line. */
  void (*release)(void *data, struct bd_probe *p);
  /* The run cannot go on: bd_checks_fatal says why. */
  void (*stop)(void *data);
};

struct bd_checks_config {
  struct bd_zone *zone; /* whose servers are vetted (not owned) */
  bool vet;             /* vet servers and check TLDs' own names */
  bool wildcard;        /* ask a random name under each TLD */
  uint16_t qtype;       /* of the names, for the wildcard question */
};

struct bd_checks;

/* NULL in *out (and 0) when no check is wanted. Returns 0 or -ENOMEM. */
int bd_checks_new(struct bd_checks **out, const struct bd_checks_config *cfg,
                  const struct bd_checks_ops *ops);
void bd_checks_free(struct bd_checks *c);

/* The TLD of name is known before the first name: it is checked before
 * any name is sent, and its failure ends the run before any line. */
void bd_checks_add_upfront(struct bd_checks *c, const char *name);

/* Asks the first questions: vetting, or with none, the upfront TLDs'.
 * Returns 0 or -ENOMEM. */
int bd_checks_start(struct bd_checks *c);

/* May names be sent? Not before every server is vetted and every upfront
 * TLD decided. */
bool bd_checks_ready(const struct bd_checks *c);

/* The entry of name's TLD, its checks started on first sight; NULL if out
 * of memory. */
struct bd_tld *bd_checks_tld(struct bd_checks *c, const char *name);

/* The entry of a whole public suffix, its checks started on first sight
 * (--authoritative); NULL if out of memory. */
struct bd_tld *bd_checks_suffix(struct bd_checks *c, const char *suffix);

/* Parks a name whose DNS verdict is in while its TLD is undecided; returns
 * false (and leaves it) when the TLD is decided. */
bool bd_checks_park(struct bd_checks *c, struct bd_probe *p);

/* What the checks of its TLD make of a name's verdict. */
void bd_checks_apply(const struct bd_probe *p, struct bd_verdict *v);

/* A check query has its answer in p->verdict; the caller frees p after. */
void bd_checks_answer(struct bd_checks *c, const struct bd_probe *p,
                      const struct bd_verdict *v);

/* Why the run cannot go on, or NULL. */
const char *bd_checks_fatal(const struct bd_checks *c);

/* Hands every parked name to fn (the run is stopping). */
void bd_checks_drop_parked(struct bd_checks *c,
                           void (*fn)(void *data, struct bd_probe *p),
                           void *data);

#endif
