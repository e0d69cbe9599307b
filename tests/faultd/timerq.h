/* Timer queue of delayed messages: one FIFO lane per distinct delay. */
#ifndef FAULTD_TIMERQ_H
#define FAULTD_TIMERQ_H

#include <stddef.h>
#include <stdint.h>

#include "outmsg.h"

/* Messages that wait the same delay, in arrival order, which is also the
   order of their due times: a ring buffer of pointers. */
struct timerq_lane {
  uint64_t delay_ns;
  struct outmsg **ring;
  size_t head;
  size_t len;
  size_t cap; /* a power of two, or 0 */
};

/* A zeroed struct is an empty queue. */
struct timerq {
  struct timerq_lane *lanes;
  size_t lane_count;
  size_t lane_cap;
  size_t last_lane; /* where the previous push went: the likely next one */
  size_t len;       /* messages in all lanes */
  uint64_t next_seq;
};

/* Takes ownership of msg, whose due_ns must be its arrival time plus
   delay_ns; the arrival times of one lane must not go backwards (they come
   from a monotonic clock). */
void timerq_push(struct timerq *queue, uint64_t delay_ns, struct outmsg *msg);
/* The earliest message (ties: the one pushed first), or NULL when empty. */
struct outmsg *timerq_peek(const struct timerq *queue);
/* Removes and returns what timerq_peek returns. */
struct outmsg *timerq_pop(struct timerq *queue);
/* Frees the queue and every message still in it. */
void timerq_free(struct timerq *queue);

#endif
