/* Congestion window: TCP's growth (RFC 5681, counted in queries), but a
 * cut only when the loss rate of an epoch rises clearly above the path's
 * base loss rate. A lossy path loses the same share at any pace, and
 * halving the window for it only slows the run; losses that rise with the
 * pace are congestion. The base follows the lowest rates seen and creeps
 * up when losses persist, so a path that is just lossy stops being cut
 * after a few epochs. */
#include "blogdom/window.h"

/* A rise over the base of more than this share of it, and more than two
 * points, is congestion. */
#define RISE_RELATIVE 0.5
#define RISE_ABSOLUTE 0.02
/* How fast the base creeps up towards a higher loss rate. */
#define BASE_CREEP 0.5

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
  w->epoch_outcomes = 0;
  w->epoch_losses = 0;
  w->base_loss = 0;
}

void bd_window_set_max(struct bd_window *w, unsigned max) {
  w->max = max >= w->min ? max : w->min;
  w->cwnd = clamp(w, w->cwnd);
}

static void cut(struct bd_window *w, uint64_t now_ns, uint64_t hold_ns) {
  if (now_ns < w->recovery_until_ns)
    return;
  w->ssthresh = clamp(w, w->cwnd / 2);
  w->cwnd = w->ssthresh;
  w->recovery_until_ns = now_ns + hold_ns;
}

static void end_epoch_if_due(struct bd_window *w, uint64_t now_ns,
                             uint64_t hold_ns) {
  double rate;
  double rise;

  if (w->epoch_outcomes < BD_WINDOW_EPOCH)
    return;
  rate = (double)w->epoch_losses / w->epoch_outcomes;
  rise = w->base_loss * RISE_RELATIVE;
  if (rise < RISE_ABSOLUTE)
    rise = RISE_ABSOLUTE;
  if (rate > w->base_loss + rise)
    cut(w, now_ns, hold_ns);
  if (rate < w->base_loss)
    w->base_loss = rate;
  else
    w->base_loss += BASE_CREEP * (rate - w->base_loss);
  w->epoch_outcomes = 0;
  w->epoch_losses = 0;
}

void bd_window_on_answer(struct bd_window *w, uint64_t now_ns,
                         uint64_t hold_ns) {
  if (w->cwnd < w->ssthresh)
    w->cwnd += 1.0;
  else
    w->cwnd += 1.0 / w->cwnd;
  w->cwnd = clamp(w, w->cwnd);
  w->epoch_outcomes++;
  end_epoch_if_due(w, now_ns, hold_ns);
}

void bd_window_on_loss(struct bd_window *w, uint64_t now_ns,
                       uint64_t hold_ns) {
  w->epoch_outcomes++;
  w->epoch_losses++;
  end_epoch_if_due(w, now_ns, hold_ns);
}

void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns) {
  cut(w, now_ns, hold_ns);
}

unsigned bd_window_size(const struct bd_window *w) {
  return (unsigned)w->cwnd;
}
