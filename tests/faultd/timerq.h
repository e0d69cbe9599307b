/* Timer queue of delayed messages: a binary min-heap on due time. */
#ifndef FAULTD_TIMERQ_H
#define FAULTD_TIMERQ_H

#include <stddef.h>
#include <stdint.h>

#include "outmsg.h"

/* A zeroed struct is an empty queue. */
struct timerq {
  struct outmsg **heap;
  size_t len;
  size_t cap;
  uint64_t next_seq;
};

/* Takes ownership of msg; its due_ns must be set. */
void timerq_push(struct timerq *queue, struct outmsg *msg);
/* The earliest message, or NULL when empty. */
struct outmsg *timerq_peek(const struct timerq *queue);
struct outmsg *timerq_pop(struct timerq *queue);
/* Frees the queue and every message still in it. */
void timerq_free(struct timerq *queue);

#endif
