/* Generic cell rate algorithm (ITU-T I.371): a send conforms when it is at
 * most tolerance ahead of its theoretical time; each conforming send moves
 * that time one interval on. Any n conforming sends span at least
 * (n - 1) * interval - tolerance, so a closed window of length W holds at
 * most floor((W + tolerance) / interval) + 1 of them: an interval just
 * over (1 s + tolerance) / rate keeps every second at rate or less. */
#include "blogdom/pacer.h"

#define NS_PER_S 1000000000ull

void bd_pacer_init(struct bd_pacer *p, uint64_t rate, uint64_t tolerance_ns) {
  p->enabled = rate > 0;
  p->tolerance_ns = tolerance_ns;
  p->tat_ns = 0;
  if (!p->enabled)
    p->interval_ns = 0;
  else /* interval > (1 s + tolerance) / rate: rate sends at most; one
        * more tolerance keeps that true at the receiver too, where
        * queries arrive with some jitter (the pace is 2% under rate) */
    p->interval_ns = (NS_PER_S + 2 * tolerance_ns) / rate + 1;
}

uint64_t bd_pacer_delay(const struct bd_pacer *p, uint64_t now_ns) {
  if (!p->enabled || p->tat_ns <= now_ns + p->tolerance_ns)
    return 0;
  return p->tat_ns - now_ns - p->tolerance_ns;
}

void bd_pacer_consume(struct bd_pacer *p, uint64_t now_ns) {
  if (p->enabled)
    p->tat_ns = (p->tat_ns > now_ns ? p->tat_ns : now_ns) + p->interval_ns;
}
