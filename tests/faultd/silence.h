/* A silence: for a while the server answers nothing, as a real one does
   during a route flap or a restart. Queries that arrive then are dropped,
   not queued, so a client sees neither answers nor a late burst of them. */
#ifndef FAULTD_SILENCE_H
#define FAULTD_SILENCE_H

#include <stdbool.h>
#include <stdint.h>

enum {
  SILENCE_MAX_MS = 3600000 /* an hour, as for delay= */
};

/* A zeroed struct never falls silent. */
struct silence {
  uint64_t after;   /* queries received before the silence starts */
  uint64_t span_ns; /* how long it lasts; 0: no silence */
  uint64_t end_ns;  /* when it ends, once it has started */
  bool started;
};

/* Once `after` queries have been received in all, the silence starts with
   the next one and lasts span_ms milliseconds from its arrival. */
void silence_init(struct silence *silence, uint64_t after, uint64_t span_ms);
/* Whether a query that arrives at now_ns (monotonic), after `received`
   others, falls into the silence. The silence comes only once. */
bool silence_drops(struct silence *silence, uint64_t received, uint64_t now_ns);

#endif
