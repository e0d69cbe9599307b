/* What a person watching sees on stderr: the live progress line (redrawn
 * in place on a terminal, plain lines elsewhere) and the final summary. */
#ifndef BLOGDOM_PROGRESS_H
#define BLOGDOM_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/delegated.h"
#include "blogdom/engine.h"
#include "blogdom/forsale.h"
#include "blogdom/verdict.h"

struct bd_counts {
  uint64_t by_status[3]; /* indexed by enum bd_status */
};

struct bd_progress {
  bool enabled;
  bool in_place;   /* redraw one line in place ("\r", erase-line), for a
                      terminal; else write one plain line at each draw */
  bool drawn;      /* an in-place line is on the screen now */
  long long total; /* names expected, -1 if unknown */
  uint64_t start_ns;
  struct bd_counts counts;
};

void bd_progress_init(struct bd_progress *p, bool enabled, bool in_place,
                      long long total, uint64_t now_ns);

void bd_progress_count(struct bd_progress *p, enum bd_status s);

/* Formats the progress line (no newline) into buf: done, of total when
 * known, names/s, marks, in flight, ETA. */
size_t bd_progress_format(char *buf, size_t cap, const struct bd_counts *c,
                          const struct bd_engine_stats *st, long long total,
                          double elapsed_s);

/* Redraws the line on stderr in place, or writes it as one more plain line
 * "blogdom: ...\n" (only when enabled). */
void bd_progress_draw(struct bd_progress *p, const struct bd_engine_stats *st,
                      uint64_t now_ns);

/* Erases the in-place line, if one is drawn; plain lines stay. */
void bd_progress_erase(struct bd_progress *p);

/* What the stages that ran found, for the summary; NULL: not run. */
struct bd_summary_stages {
  const struct bd_forsale *for_sale;
  const struct bd_delegated *delegated;
};

/* Formats the final summary line (no newline), with what the stages
 * found; after an interrupt (signum), how far the run got, and the lines
 * of names answered that stdout did not take at the interrupt
 * (dropped). */
size_t bd_progress_summary(char *buf, size_t cap, const struct bd_counts *c,
                           const struct bd_engine_stats *st,
                           const struct bd_summary_stages *stages,
                           double elapsed_s, int signum, uint64_t dropped);

#endif
