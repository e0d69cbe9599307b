/* What became of the queries: counted by outcome, written at exit for
   benchmarks that compare a client's queries with its names. */
#ifndef FAULTD_STATS_H
#define FAULTD_STATS_H

#include <stdbool.h>
#include <stdint.h>

/* One per query; the log's last column names it (see README.md). */
enum outcome {
  OUTCOME_ANSWERED,
  OUTCOME_TRUNCATED,
  OUTCOME_DROPPED,
  OUTCOME_GARBAGE,
  OUTCOME_MALFORMED,
  OUTCOME_TCP_CLOSE,
  OUTCOME_FORMERR,
  OUTCOME_IGNORED,
  OUTCOME_LIMITED,
  OUTCOME_SLIPPED,
  OUTCOME_SILENCED, /* arrived during a --silence: no answer */
  OUTCOME_COUNT
};

struct stats {
  uint64_t udp;
  uint64_t tcp;
  uint64_t bogus; /* queries that drew wrong-id/wrong-question packets */
  uint64_t outcomes[OUTCOME_COUNT];
};

const char *outcome_name(enum outcome outcome);
/* Writes "NAME COUNT" lines to path.tmp and renames that to path; false
   with errno set on failure. */
bool stats_write(const struct stats *stats, const char *path);

#endif
