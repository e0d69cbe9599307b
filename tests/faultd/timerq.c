/* Timer queue of delayed messages: a binary min-heap on due time. */
#include "timerq.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

/* Ties go to the older message so equal delays keep arrival order. */
static bool earlier(const struct outmsg *a, const struct outmsg *b) {
  if (a->due_ns != b->due_ns)
    return a->due_ns < b->due_ns;
  return a->seq < b->seq;
}

static void swap(struct outmsg **heap, size_t i, size_t j) {
  struct outmsg *tmp = heap[i];
  heap[i] = heap[j];
  heap[j] = tmp;
}

static void sift_up(struct outmsg **heap, size_t i) {
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!earlier(heap[i], heap[parent]))
      break;
    swap(heap, i, parent);
    i = parent;
  }
}

static void sift_down(struct outmsg **heap, size_t len, size_t i) {
  for (;;) {
    size_t left = 2 * i + 1;
    size_t right = left + 1;
    size_t least = i;
    if (left < len && earlier(heap[left], heap[least]))
      least = left;
    if (right < len && earlier(heap[right], heap[least]))
      least = right;
    if (least == i)
      break;
    swap(heap, i, least);
    i = least;
  }
}

void timerq_push(struct timerq *queue, struct outmsg *msg) {
  if (queue->len == queue->cap) {
    queue->cap = queue->cap ? queue->cap * 2 : 256;
    queue->heap = xrealloc(queue->heap, queue->cap * sizeof *queue->heap);
  }
  msg->seq = queue->next_seq++;
  queue->heap[queue->len] = msg;
  sift_up(queue->heap, queue->len);
  queue->len++;
}

struct outmsg *timerq_peek(const struct timerq *queue) {
  return queue->len ? queue->heap[0] : NULL;
}

struct outmsg *timerq_pop(struct timerq *queue) {
  if (queue->len == 0)
    return NULL;
  struct outmsg *top = queue->heap[0];
  queue->len--;
  queue->heap[0] = queue->heap[queue->len];
  sift_down(queue->heap, queue->len, 0);
  return top;
}

void timerq_free(struct timerq *queue) {
  for (size_t i = 0; i < queue->len; i++)
    free(queue->heap[i]);
  free(queue->heap);
  queue->heap = NULL;
  queue->len = queue->cap = 0;
}
