/* --rate: even pacing of queries, retries included (a GCRA). */
#ifndef BLOGDOM_PACER_H
#define BLOGDOM_PACER_H

#include <stdbool.h>
#include <stdint.h>

struct bd_pacer {
  bool enabled;
  uint64_t interval_ns;  /* emission interval */
  uint64_t tolerance_ns; /* how far ahead of schedule a send may be */
  uint64_t tat_ns;       /* theoretical arrival time of the next send */
};

/* rate queries a second; 0 disables pacing. tolerance_ns lets a loop that
 * wakes every millisecond send the millisecond's share at once; the
 * interval is stretched so that even with that slack no closed one-second
 * window ever holds more than rate sends. */
void bd_pacer_init(struct bd_pacer *p, uint64_t rate, uint64_t tolerance_ns);

/* Nanoseconds until a send conforms at now_ns (0: it may go now). */
uint64_t bd_pacer_delay(const struct bd_pacer *p, uint64_t now_ns);

/* Counts one send made at now_ns. */
void bd_pacer_consume(struct bd_pacer *p, uint64_t now_ns);

#endif
