/* The query log: one flushed line per received query, for tests to read. */
#ifndef FAULTD_QLOG_H
#define FAULTD_QLOG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct qlog {
  FILE *file; /* NULL: logging is off */
  uint64_t start_ns;
};

/* path NULL turns logging off; false (errno set) if it cannot be opened. */
bool qlog_open(struct qlog *log, const char *path, uint64_t start_ns);
static inline bool qlog_enabled(const struct qlog *log) {
  return log->file != NULL;
}
/* name NULL: the query did not parse far enough to have one; likewise a
   negative qtype or id prints "-". */
void qlog_write(struct qlog *log, uint64_t now_ns, bool tcp, const char *name,
                long qtype, long id, const char *what);
void qlog_close(struct qlog *log);

#endif
