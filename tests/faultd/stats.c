/* What became of the queries: counted by outcome, written at exit. */
#include "stats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

static const char *const NAMES[OUTCOME_COUNT] = {
    [OUTCOME_ANSWERED] = "answered",   [OUTCOME_TRUNCATED] = "truncated",
    [OUTCOME_DROPPED] = "dropped",     [OUTCOME_GARBAGE] = "garbage",
    [OUTCOME_MALFORMED] = "malformed", [OUTCOME_TCP_CLOSE] = "tcp-close",
    [OUTCOME_FORMERR] = "formerr",     [OUTCOME_IGNORED] = "ignored",
    [OUTCOME_LIMITED] = "limited",     [OUTCOME_SLIPPED] = "slipped",
    [OUTCOME_SILENCED] = "silenced",
};

const char *outcome_name(enum outcome outcome) {
  return NAMES[outcome];
}

static bool write_lines(const struct stats *stats, FILE *file) {
  bool ok = fprintf(file,
                    "queries %" PRIu64 "\nudp %" PRIu64 "\ntcp %" PRIu64
                    "\nbogus %" PRIu64 "\n",
                    stats->udp + stats->tcp, stats->udp, stats->tcp,
                    stats->bogus) > 0;
  for (int i = 0; ok && i < OUTCOME_COUNT; i++)
    ok = fprintf(file, "%s %" PRIu64 "\n", NAMES[i], stats->outcomes[i]) > 0;
  return ok;
}

bool stats_write(const struct stats *stats, const char *path) {
  size_t len = strlen(path);
  char *tmp = xmalloc(len + sizeof ".tmp");
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp", sizeof ".tmp");
  FILE *file = fopen(tmp, "w");
  bool ok = file != NULL;
  if (ok) {
    ok = write_lines(stats, file);
    ok = fclose(file) == 0 && ok;
  }
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    int saved = errno; /* for the caller's message */
    unlink(tmp);
    errno = saved;
  }
  free(tmp);
  return ok;
}
