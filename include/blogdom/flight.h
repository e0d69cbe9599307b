/* The tries in flight to one server, in the order they went, and the ones
 * that answers to later tries show lost (RACK, RFC 8985 6.2): a try still
 * out when one sent after it has been answered, and out for longer than
 * the server takes to answer, is lost, long before its timeout. */
#ifndef BLOGDOM_FLIGHT_H
#define BLOGDOM_FLIGHT_H

#include <stdbool.h>
#include <stdint.h>

struct bd_probe;

/* Where a try is. */
enum bd_try_state {
  BD_TRY_ALONE,   /* in no list: not watched (TCP), or left to its timeout */
  BD_TRY_WATCHED, /* in the flight, in send order: may be found lost */
  BD_TRY_HELD,    /* written off, its slot in the window still held */
  BD_TRY_RELEASED /* written off, its slot free; c-ares still holds it */
};

/* One try on the wire: the context c-ares calls back with, freed by that
 * callback (bd_flight_done), whatever happened to the probe meanwhile. A
 * try written off as lost has no probe: c-ares holds its query until its
 * timeout, or until an answer shows the write-off wrong. */
struct bd_try {
  struct bd_probe *probe; /* NULL once written off */
  void *owner;            /* whom the callback reaches for a written-off try */
  struct bd_flight *flight;
  struct bd_try *prev; /* in its list (watched or held) */
  struct bd_try *next;
  uint64_t sent_ns;
  enum bd_try_state state;
};

struct bd_try_list {
  struct bd_try *head;
  struct bd_try *tail;
};

struct bd_flight {
  struct bd_try_list watched; /* in send order */
  struct bd_try_list held;    /* written off, in that order */
  unsigned released;          /* written off, slot free, no callback yet */
};

/* A new try of p sent at sent_ns; `watched`: it may be found lost (a UDP
 * try: TCP neither loses nor reorders). NULL when out of memory. */
struct bd_try *bd_flight_send(struct bd_flight *f, struct bd_probe *p,
                              uint64_t sent_ns, bool watched);

/* The oldest watched try, taken out of the watched list, if it went
 * before answered_sent_ns (the send of a try just answered) and has been
 * out for more than lost_after_ns at now_ns; else NULL. The caller either
 * writes it off (bd_flight_write_off) or leaves it to its timeout. */
struct bd_try *bd_flight_overtaken(struct bd_flight *f,
                                   uint64_t answered_sent_ns, uint64_t now_ns,
                                   uint64_t lost_after_ns);

/* How many tries bd_flight_overtaken would give now, counted up to
 * `most`. */
unsigned bd_flight_count_overtaken(const struct bd_flight *f,
                                   uint64_t answered_sent_ns, uint64_t now_ns,
                                   uint64_t lost_after_ns, unsigned most);

/* t's probe is lost: t forgets it, and holds its slot until
 * bd_flight_release or its callback. */
void bd_flight_write_off(struct bd_try *t);

/* The oldest try written off whose slot is still held, now released, if
 * it was sent before settled_ns and fewer than `cap` released ones wait
 * for their callback; else NULL. The caller frees its slot. */
struct bd_try *bd_flight_release(struct bd_flight *f, uint64_t settled_ns,
                                 unsigned cap);

/* t's callback came: t leaves its list and is freed. Returns its probe,
 * NULL if it was written off; *held tells whether a written-off try
 * still held its slot (the caller frees it). */
struct bd_probe *bd_flight_done(struct bd_try *t, bool *held);

#endif
