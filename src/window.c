/* Congestion window: TCP's growth (RFC 5681, counted in queries), but a
 * cut only when the loss rate rises clearly above the path's base rate. A
 * lossy path loses the same share at any pace, and halving the window for
 * it only slows the run; losses that rise with the pace are congestion.
 * The base follows the lowest rates seen and creeps up when losses
 * persist, so a path that is just lossy stops being cut after an epoch or
 * two.
 *
 * Loss rates are counted per epoch of *send* time, one hold period (the
 * query timeout) long, and an epoch is judged only once all its queries
 * have had their outcome (two periods after it began). Counted by arrival
 * instead, answers would come at once and losses a timeout later, and
 * every epoch would be all answers or all losses. */
#include "blogdom/window.h"

#include <string.h>

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
  memset(w, 0, sizeof(*w));
  w->min = min > 0 ? min : 1;
  w->max = max >= w->min ? max : w->min;
  w->cwnd = clamp(w, initial);
  w->ssthresh = w->max;
}

void bd_window_set_max(struct bd_window *w, unsigned max) {
  w->max = max >= w->min ? max : w->min;
  w->cwnd = clamp(w, w->cwnd);
}

static void cut(struct bd_window *w, uint64_t now_ns) {
  w->ssthresh = clamp(w, w->cwnd / 2);
  w->cwnd = w->ssthresh;
  w->last_cut_ns = now_ns;
  w->cut_before = true;
}

/* Judges epoch e (complete): learns the base, cuts on a clear rise. Only
 * an epoch sent wholly after the last cut may cut again: earlier ones
 * speak of the window that was. */
static void judge(struct bd_window *w, const struct bd_window_epoch *e,
                  uint64_t hold_ns, uint64_t now_ns) {
  double rate;
  double rise;
  bool congested;

  if (e->outcomes < BD_WINDOW_EPOCH)
    return;
  rate = (double)e->losses / e->outcomes;
  rise = w->base_loss * RISE_RELATIVE;
  if (rise < RISE_ABSOLUTE)
    rise = RISE_ABSOLUTE;
  congested = rate > w->base_loss + rise;
  if (!w->have_base || rate < w->base_loss)
    w->base_loss = rate;
  else
    w->base_loss += BASE_CREEP * (rate - w->base_loss);
  w->have_base = true;
  if (congested && (!w->cut_before || e->id * hold_ns >= w->last_cut_ns))
    cut(w, now_ns);
}

/* Judges every epoch whose queries have all had their outcome by now, and
 * returns the slot for epoch id. */
static struct bd_window_epoch *epoch_for(struct bd_window *w, uint64_t id,
                                         uint64_t now_ns, uint64_t hold_ns) {
  uint64_t complete_below = now_ns / hold_ns; /* id + 2 <= now / hold */
  struct bd_window_epoch *slot;

  for (unsigned i = 0; i < BD_WINDOW_EPOCHS; i++) {
    struct bd_window_epoch *e = &w->epochs[i];
    if (e->used && e->id + 2 <= complete_below) {
      judge(w, e, hold_ns, now_ns);
      e->used = false;
    }
  }
  slot = &w->epochs[id % BD_WINDOW_EPOCHS];
  if (!slot->used || slot->id != id) {
    slot->used = true;
    slot->id = id;
    slot->outcomes = slot->losses = 0;
  }
  return slot;
}

static void count(struct bd_window *w, bool lost, uint64_t now_ns,
                  uint64_t sent_ns, uint64_t hold_ns) {
  struct bd_window_epoch *e;
  if (hold_ns == 0)
    return;
  e = epoch_for(w, sent_ns / hold_ns, now_ns, hold_ns);
  e->outcomes++;
  if (lost)
    e->losses++;
}

void bd_window_on_answer(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                         uint64_t hold_ns) {
  if (w->cwnd < w->ssthresh)
    w->cwnd += 1.0;
  else
    w->cwnd += 1.0 / w->cwnd;
  w->cwnd = clamp(w, w->cwnd);
  count(w, false, now_ns, sent_ns, hold_ns);
}

void bd_window_on_loss(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                       uint64_t hold_ns) {
  count(w, true, now_ns, sent_ns, hold_ns);
}

void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns) {
  if (w->cut_before && now_ns - w->last_cut_ns < hold_ns)
    return;
  cut(w, now_ns);
}

unsigned bd_window_size(const struct bd_window *w) {
  return (unsigned)w->cwnd;
}
