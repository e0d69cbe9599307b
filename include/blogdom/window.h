/* How many queries may be in flight to one server: a congestion window
 * that grows while answers come back and shrinks when losses rise above
 * what the path loses anyway. */
#ifndef BLOGDOM_WINDOW_H
#define BLOGDOM_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

/* Outcomes judged together: one loss rate per epoch. */
#define BD_WINDOW_EPOCH 64

struct bd_window {
  double cwnd;
  double ssthresh;
  unsigned min;
  unsigned max;
  uint64_t recovery_until_ns; /* no second cut before this */
  unsigned epoch_outcomes;
  unsigned epoch_losses;
  double base_loss; /* the loss rate the path has whatever our pace */
};

/* Starts at initial (clamped to [min, max]) in slow start. */
void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max);

/* Changes the ceiling (the server's share of the concurrency). */
void bd_window_set_max(struct bd_window *w, unsigned max);

/* An answer came back: grow by one per answer in slow start (doubling per
 * round trip), by about one per window afterwards. */
void bd_window_on_answer(struct bd_window *w, uint64_t now_ns,
                         uint64_t hold_ns);

/* A query was lost (timed out). */
void bd_window_on_loss(struct bd_window *w, uint64_t now_ns,
                       uint64_t hold_ns);

/* A failure on this host (a full socket buffer): halve at once, once per
 * hold_ns. */
void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns);

unsigned bd_window_size(const struct bd_window *w);

#endif
