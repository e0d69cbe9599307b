/* Server health: an exponentially weighted failure rate per server. */
#include "blogdom/health.h"

/* Weight of the newest outcome: about the last 32 tries count. */
#define ALPHA (1.0 / 32)

void bd_health_record(struct bd_health *h, bool failed) {
  double x = failed ? 1.0 : 0.0;
  /* Until the average has warmed up, a plain mean is fairer. */
  double a = h->samples < 32 ? 1.0 / (double)(h->samples + 1) : ALPHA;
  h->failure_rate += a * (x - h->failure_rate);
  h->samples++;
}

bool bd_health_should_sideline(const struct bd_health *all, size_t n,
                               size_t i) {
  const struct bd_health *h = &all[i];
  bool healthier_peer = false;

  if (h->sidelined || h->samples < BD_HEALTH_MIN_SAMPLES ||
      h->failure_rate < 0.5)
    return false;
  for (size_t k = 0; k < n; k++) {
    if (k == i || all[k].sidelined)
      continue;
    if (all[k].failure_rate < h->failure_rate / 2)
      healthier_peer = true;
  }
  return healthier_peer;
}
