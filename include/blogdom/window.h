/* How many queries may be in flight: a congestion window that grows while
 * answers come back and halves when they stop coming (like TCP's). */
#ifndef BLOGDOM_WINDOW_H
#define BLOGDOM_WINDOW_H

#include <stdint.h>

struct bd_window {
  double cwnd;
  double ssthresh;
  unsigned min;
  unsigned max;
  uint64_t recovery_until_ns; /* losses before this belong to the last cut */
};

/* Starts at initial (clamped to [min, max]) in slow start. */
void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max);

/* An answer came back: grow by one per answer in slow start (doubling per
 * round trip), by one per window afterwards. */
void bd_window_on_answer(struct bd_window *w);

/* A query was lost (timed out). Halves the window once per congestion
 * event: losses within hold_ns of a cut are part of the same event. */
void bd_window_on_loss(struct bd_window *w, uint64_t now_ns,
                       uint64_t hold_ns);

unsigned bd_window_size(const struct bd_window *w);

#endif
