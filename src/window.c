/* Additive increase, multiplicative decrease (RFC 5681's shape, counted in
 * queries instead of bytes). */
#include "blogdom/window.h"

static double clamp(const struct bd_window *w, double v) {
  if (v < w->min)
    return w->min;
  if (v > w->max)
    return w->max;
  return v;
}

void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max) {
  w->min = min > 0 ? min : 1;
  w->max = max >= w->min ? max : w->min;
  w->cwnd = clamp(w, initial);
  w->ssthresh = w->max;
  w->recovery_until_ns = 0;
}

void bd_window_on_answer(struct bd_window *w) {
  if (w->cwnd < w->ssthresh)
    w->cwnd += 1.0;
  else
    w->cwnd += 1.0 / w->cwnd;
  w->cwnd = clamp(w, w->cwnd);
}

void bd_window_on_loss(struct bd_window *w, uint64_t now_ns,
                       uint64_t hold_ns) {
  if (now_ns < w->recovery_until_ns)
    return;
  w->ssthresh = clamp(w, w->cwnd / 2);
  w->cwnd = w->ssthresh;
  w->recovery_until_ns = now_ns + hold_ns;
}

unsigned bd_window_size(const struct bd_window *w) {
  return (unsigned)w->cwnd;
}
