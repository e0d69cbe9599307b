/* A server's tries in send order, and RACK's test of which are lost (RFC
 * 8985 6.2). The list is ordered by construction, as tries are appended
 * when they go, so the test looks at the head only: a try that is not
 * overtaken, or not out for long enough, leaves every later one so too.
 * Tries written off wait in a second list, in the order they were, until
 * their slots are released. */
#include "blogdom/flight.h"

#include <stdlib.h>

static void push(struct bd_try_list *l, struct bd_try *t) {
  t->prev = l->tail;
  t->next = NULL;
  if (l->tail != NULL)
    l->tail->next = t;
  else
    l->head = t;
  l->tail = t;
}

static void unlink_from(struct bd_try_list *l, struct bd_try *t) {
  if (t->prev != NULL)
    t->prev->next = t->next;
  else
    l->head = t->next;
  if (t->next != NULL)
    t->next->prev = t->prev;
  else
    l->tail = t->prev;
  t->prev = t->next = NULL;
}

/* Takes t out of whatever list holds it. */
static void leave(struct bd_try *t) {
  if (t->state == BD_TRY_WATCHED)
    unlink_from(&t->flight->watched, t);
  else if (t->state == BD_TRY_HELD)
    unlink_from(&t->flight->held, t);
}

struct bd_try *bd_flight_send(struct bd_flight *f, struct bd_probe *p,
                              uint64_t sent_ns, bool watched) {
  struct bd_try *t = calloc(1, sizeof(*t));
  if (t == NULL)
    return NULL;
  t->probe = p;
  t->flight = f;
  t->sent_ns = sent_ns;
  t->state = BD_TRY_ALONE;
  if (watched) {
    push(&f->watched, t);
    t->state = BD_TRY_WATCHED;
  }
  return t;
}

struct bd_try *bd_flight_overtaken(struct bd_flight *f,
                                   uint64_t answered_sent_ns, uint64_t now_ns,
                                   uint64_t lost_after_ns) {
  struct bd_try *t = f->watched.head;
  if (t == NULL || t->sent_ns >= answered_sent_ns ||
      now_ns - t->sent_ns <= lost_after_ns)
    return NULL;
  leave(t);
  t->state = BD_TRY_ALONE;
  return t;
}

unsigned bd_flight_count_overtaken(const struct bd_flight *f,
                                   uint64_t answered_sent_ns, uint64_t now_ns,
                                   uint64_t lost_after_ns, unsigned most) {
  unsigned n = 0;
  for (const struct bd_try *t = f->watched.head;
       t != NULL && n < most && t->sent_ns < answered_sent_ns &&
       now_ns - t->sent_ns > lost_after_ns;
       t = t->next)
    n++;
  return n;
}

void bd_flight_write_off(struct bd_try *t) {
  leave(t);
  t->probe = NULL;
  push(&t->flight->held, t);
  t->state = BD_TRY_HELD;
}

struct bd_try *bd_flight_release(struct bd_flight *f, uint64_t settled_ns,
                                 unsigned cap) {
  struct bd_try *t = f->held.head;
  if (t == NULL || f->released >= cap || t->sent_ns >= settled_ns)
    return NULL;
  leave(t);
  t->state = BD_TRY_RELEASED;
  f->released++;
  return t;
}

struct bd_probe *bd_flight_done(struct bd_try *t, bool *held) {
  struct bd_probe *p = t->probe;
  *held = t->state == BD_TRY_HELD;
  if (t->state == BD_TRY_RELEASED)
    t->flight->released--;
  leave(t);
  free(t);
  return p;
}
