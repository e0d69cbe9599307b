/* The --confirm stage: the registry's word (RDAP) on the names DNS calls
 * free, folded into their verdicts. */
#ifndef BLOGDOM_CONFIRM_H
#define BLOGDOM_CONFIRM_H

#include "blogdom/stage.h"

struct bd_rdap;

/* A stage over rdap (not owned) that lets budget names wait for their
 * registry at once. */
void bd_confirm_stage_init(struct bd_stage *stage, struct bd_rdap *rdap,
                           unsigned budget);

#endif
