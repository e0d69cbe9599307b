/* How many queries may be in flight to one server: a congestion window
 * that grows while answers come back and shrinks when losses rise above
 * what the path loses anyway. */
#ifndef BLOGDOM_WINDOW_H
#define BLOGDOM_WINDOW_H

#include <stdbool.h>
#include <stdint.h>

/* Outcomes an epoch needs before its loss rate is judged. */
#define BD_WINDOW_EPOCH 32
/* Epochs open at once: the one being sent and the two still resolving. */
#define BD_WINDOW_EPOCHS 4

/* Outcomes of the queries sent in one hold period. */
struct bd_window_epoch {
  bool used;
  uint64_t id; /* send time / hold */
  unsigned outcomes;
  unsigned losses;
};

struct bd_window {
  double cwnd;
  double ssthresh;
  unsigned min;
  unsigned max;
  uint64_t last_cut_ns;
  bool cut_before;
  bool have_base;
  double base_loss; /* the loss rate the path has whatever our pace */
  struct bd_window_epoch epochs[BD_WINDOW_EPOCHS];
};

/* Starts at initial (clamped to [min, max]) in slow start. */
void bd_window_init(struct bd_window *w, unsigned initial, unsigned min,
                    unsigned max);

/* Changes the ceiling (the server's share of the concurrency). */
void bd_window_set_max(struct bd_window *w, unsigned max);

/* An answer came back to a query sent at sent_ns: grow by one per answer
 * in slow start (doubling per round trip), by about one per window
 * afterwards. hold_ns is the query timeout. */
void bd_window_on_answer(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                         uint64_t hold_ns);

/* A query sent at sent_ns was lost (timed out). */
void bd_window_on_loss(struct bd_window *w, uint64_t now_ns, uint64_t sent_ns,
                       uint64_t hold_ns);

/* A failure on this host (a full socket buffer): halve at once, once per
 * hold_ns. */
void bd_window_on_local_failure(struct bd_window *w, uint64_t now_ns,
                                uint64_t hold_ns);

unsigned bd_window_size(const struct bd_window *w);

#endif
