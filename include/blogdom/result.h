/* One finished probe, as the engine hands it to the output. */
#ifndef BLOGDOM_RESULT_H
#define BLOGDOM_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/verdict.h"

struct bd_facts;

struct bd_result {
  uint64_t seq;     /* position in the input, from 0 */
  const char *name; /* normalized name, or the input text if invalid */
  size_t name_len;
  bool truncated;     /* the input text was cut short */
  const char *detail; /* why an invalid name is invalid, else NULL */
  const struct bd_verdict *verdict;
  uint16_t qtype;
  unsigned tries;     /* queries sent for this name */
  double ms;          /* from the first query to the verdict */
  const char *server; /* server of the last try, or NULL */
  const char *zone;   /* --authoritative: the zone it was judged in */
  /* The evidence in full when the verdict's own word for it is not enough:
   * a zone file's verdict names its zone and serial; NULL: the verdict's
   * (bd_verdict_evidence). */
  const char *evidence;
  /* What the answer and the stages found beyond the verdict: records,
   * the registry's word, for-sale signs (facts.h); NULL: none. */
  const struct bd_facts *facts;
};

#endif
