/* Timer queue of delayed messages: one FIFO lane per distinct delay.
 *
 * A message is due at its arrival time plus its rule's delay. Arrival times
 * only grow, so the messages of one delay fall due in the order they came:
 * a FIFO per delay is already sorted, and pushing and popping cost O(1)
 * with no comparisons among the thousands of answers a 50 ms delay holds
 * at 100k queries/s. Only the lane heads are compared, and there are as
 * many lanes as distinct delay= values in the rules (usually one or two).
 * A binary heap would cost O(log n) pointer-chasing comparisons per answer;
 * a timer wheel would suit arbitrary timeouts, which faultd does not have. */
#include "timerq.h"

#include <stdbool.h>
#include <stdlib.h>

#include "xalloc.h"

enum { FIRST_RING_CAP = 256, FIRST_LANE_CAP = 4 };

static struct outmsg *lane_head(const struct timerq_lane *lane) {
  return lane->len ? lane->ring[lane->head] : NULL;
}

static struct outmsg *lane_tail(const struct timerq_lane *lane) {
  return lane->ring[(lane->head + lane->len - 1) & (lane->cap - 1)];
}

/* Unwraps the ring into a buffer twice the size. */
static void lane_grow(struct timerq_lane *lane) {
  size_t cap = lane->cap ? lane->cap * 2 : FIRST_RING_CAP;
  struct outmsg **ring = xmalloc(cap * sizeof *ring);
  for (size_t i = 0; i < lane->len; i++)
    ring[i] = lane->ring[(lane->head + i) & (lane->cap - 1)];
  free(lane->ring);
  lane->ring = ring;
  lane->cap = cap;
  lane->head = 0;
}

static struct timerq_lane *find_lane(struct timerq *queue, uint64_t delay_ns) {
  if (queue->last_lane < queue->lane_count &&
      queue->lanes[queue->last_lane].delay_ns == delay_ns)
    return &queue->lanes[queue->last_lane];
  for (size_t i = 0; i < queue->lane_count; i++) {
    if (queue->lanes[i].delay_ns == delay_ns) {
      queue->last_lane = i;
      return &queue->lanes[i];
    }
  }
  if (queue->lane_count == queue->lane_cap) {
    queue->lane_cap = queue->lane_cap ? queue->lane_cap * 2 : FIRST_LANE_CAP;
    queue->lanes =
        xrealloc(queue->lanes, queue->lane_cap * sizeof *queue->lanes);
  }
  struct timerq_lane *lane = &queue->lanes[queue->lane_count];
  *lane = (struct timerq_lane){.delay_ns = delay_ns};
  queue->last_lane = queue->lane_count++;
  return lane;
}

void timerq_push(struct timerq *queue, uint64_t delay_ns, struct outmsg *msg) {
  struct timerq_lane *lane = find_lane(queue, delay_ns);
  if (lane->len == lane->cap)
    lane_grow(lane);
  /* Keeps the lane sorted even if a caller broke the monotonic promise:
     such a message leaves a little late, never out of order. */
  if (lane->len > 0 && msg->due_ns < lane_tail(lane)->due_ns)
    msg->due_ns = lane_tail(lane)->due_ns;
  msg->seq = queue->next_seq++;
  lane->ring[(lane->head + lane->len) & (lane->cap - 1)] = msg;
  lane->len++;
  queue->len++;
}

/* Ties go to the older message so equal due times keep arrival order. */
static bool earlier(const struct outmsg *a, const struct outmsg *b) {
  if (a->due_ns != b->due_ns)
    return a->due_ns < b->due_ns;
  return a->seq < b->seq;
}

static struct timerq_lane *earliest_lane(const struct timerq *queue) {
  struct timerq_lane *best = NULL;
  for (size_t i = 0; i < queue->lane_count; i++) {
    struct timerq_lane *lane = &queue->lanes[i];
    if (lane->len > 0 && (!best || earlier(lane_head(lane), lane_head(best))))
      best = lane;
  }
  return best;
}

struct outmsg *timerq_peek(const struct timerq *queue) {
  if (queue->len == 0)
    return NULL;
  if (queue->lane_count == 1)
    return lane_head(&queue->lanes[0]);
  return lane_head(earliest_lane(queue));
}

struct outmsg *timerq_pop(struct timerq *queue) {
  if (queue->len == 0)
    return NULL;
  struct timerq_lane *lane =
      queue->lane_count == 1 ? &queue->lanes[0] : earliest_lane(queue);
  struct outmsg *msg = lane->ring[lane->head];
  lane->head = (lane->head + 1) & (lane->cap - 1);
  lane->len--;
  queue->len--;
  return msg;
}

void timerq_free(struct timerq *queue) {
  for (size_t i = 0; i < queue->lane_count; i++) {
    struct timerq_lane *lane = &queue->lanes[i];
    for (size_t k = 0; k < lane->len; k++)
      free(lane->ring[(lane->head + k) & (lane->cap - 1)]);
    free(lane->ring);
  }
  free(queue->lanes);
  *queue = (struct timerq){0};
}
