/* The --confirm stage: the registry's word (RDAP, or WHOIS where the TLD
 * has no RDAP service) on the names DNS calls free, folded into their
 * verdicts, with the registry's status values and dates for the lines that
 * show them (facts.h). The registry is asked about each name's registrable
 * domain, once for the names that share it (the last 4096 domains answered
 * are kept). */
#ifndef BLOGDOM_CONFIRM_H
#define BLOGDOM_CONFIRM_H

#include <stdbool.h>
#include <stdint.h>

#include "blogdom/stage.h"
#include "blogdom/verdict.h"

struct bd_rdap;
struct bd_whois;

struct bd_confirm_ask;

struct bd_confirm_unserved {
  char tld[64]; /* ".zz" */
  uint64_t names;
};

struct bd_confirm_stage {
  struct bd_rdap *rdap; /* not owned */
  bool keep_facts;      /* the lines show status values and dates */
  /* Not owned; NULL: no WHOIS for the TLDs without RDAP. */
  struct bd_whois *whois;
  /* Registrable domains asked (confirm.c), by name (tsearch(3)): in
   * flight, or answered and kept, oldest first, for later names. */
  void *asks;
  struct bd_confirm_ask *oldest;
  struct bd_confirm_ask *newest;
  size_t nanswers;
  /* Names the registry did not answer for: by TLD without a registry
   * service (neither RDAP nor WHOIS), and by enum bd_confirm; said at the
   * end. */
  struct bd_confirm_unserved *unserved;
  size_t nunserved;
  size_t last_unserved;
  uint64_t unconfirmed[BD_CONFIRM_KINDS];
};

/* A stage over c (which must outlive it) that lets budget names wait for
 * their registry at once. */
void bd_confirm_stage_init(struct bd_stage *stage, struct bd_confirm_stage *c,
                           unsigned budget);

#endif
