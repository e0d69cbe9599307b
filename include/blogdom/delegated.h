/* The records of a delegated name, with --authoritative and --type: the
 * registry's zone only refers such a name to its own servers, so its
 * records are asked of them, after its verdict (which stays the
 * registry's: delegated, it exists). */
#ifndef BLOGDOM_DELEGATED_H
#define BLOGDOM_DELEGATED_H

#include <stdbool.h>
#include <stdint.h>

#include "blogdom/stage.h"

struct bd_delegated {
  uint16_t qtype;      /* the type asked (--type) */
  uint64_t asked;      /* delegated names asked of their own servers */
  uint64_t unanswered; /* of them, no answer (timeouts, no server, ...) */
};

/* A stage over d, which must outlive it, letting budget names wait for
 * their own servers at once. */
void bd_delegated_stage_init(struct bd_stage *stage, struct bd_delegated *d,
                             unsigned budget);

#endif
