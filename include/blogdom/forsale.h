/* The --for-sale stage: for each name that exists, its "_for-sale" TXT
 * records (RFC 10023), asked through the engine's own servers, go on its
 * line. */
#ifndef BLOGDOM_FORSALE_H
#define BLOGDOM_FORSALE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/stage.h"

struct bd_engine;
struct bd_facts;

struct bd_forsale {
  bool keep_facts;     /* the lines show the records' content */
  uint64_t names;      /* names with a valid record */
  uint64_t malformed;  /* records with the version tag, not valid */
  uint64_t unanswered; /* lookups that got no answer (timeouts, ...) */
};

/* A stage over f, which must outlive it, letting budget names wait for
 * their lookup at once. */
void bd_forsale_stage_init(struct bd_stage *stage, struct bd_forsale *f,
                           unsigned budget);

/* Reads the _for-sale records of a response to a TXT query for
 * "_for-sale.NAME", abuf[0..alen): the TXT records of the answer section
 * owned by the question's name, in the order sent. Valid ones are counted
 * in *valid and, when facts is not NULL, added to *facts (made on the
 * first; at most BD_FORSALE_RECORDS_MAX, facts.h); malformed ones counted
 * in *malformed. Returns 0 or -ENOMEM. */
int bd_forsale_read(const unsigned char *abuf, size_t alen, unsigned *valid,
                    unsigned *malformed, struct bd_facts **facts);

#endif
