/* Post-DNS stages: a name's DNS verdict may go through stages (the
 * registry's word with --confirm, the _for-sale records with --for-sale)
 * before its line. Each stage has its own budget of names, apart from the
 * DNS window, so that a slow stage never takes the probes DNS needs. A
 * stage may ask DNS queries of its own through the engine
 * (bd_engine_ask, engine.h), under the rules the names' queries follow. */
#ifndef BLOGDOM_STAGE_H
#define BLOGDOM_STAGE_H

#include <stdbool.h>

#include "blogdom/probe.h"
#include "blogdom/verdict.h"

struct bd_stage {
  const char *name;
  unsigned budget; /* names in the stage at once, at most */
  unsigned active; /* names in the stage now (kept by the engine) */
  struct bd_probe_queue backlog; /* names waiting for room (engine's) */
  void *impl;
  /* Does a name with this verdict go through the stage? */
  bool (*wants)(void *impl, const struct bd_verdict *v);
  /* Starts p: the stage may change p->verdict, then calls
   * bd_engine_stage_done(p, cancelled) once, possibly from inside start.
   * Returns 0, or -1 when p cannot enter (it skips the stage). */
  int (*start)(void *impl, struct bd_probe *p);
  /* The run is ending: every name still in the stage is done, cancelled. */
  void (*close)(void *impl);
};

#endif
