/* Which servers to trust with more names: failure rates per server and the
 * rule that sidelines one that fails much more than the rest. */
#ifndef BLOGDOM_HEALTH_H
#define BLOGDOM_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Outcomes needed before a server can be judged. */
#define BD_HEALTH_MIN_SAMPLES 20

struct bd_health {
  double failure_rate; /* moving average of failed tries, 0..1 */
  uint64_t samples;
  bool sidelined;
};

/* Records the outcome of one try: failed means no usable answer (timeout,
 * unreachable, garbage) or a refusal (SERVFAIL, REFUSED, ...). */
void bd_health_record(struct bd_health *h, bool failed);

/* Should server i be sidelined now? Yes when it has been judged, fails at
 * least half of its tries, and another server still in use fails less than
 * half as often: then the failures are the server's, not the names'. The
 * last server in use is never sidelined. */
bool bd_health_should_sideline(const struct bd_health *all, size_t n, size_t i);

#endif
