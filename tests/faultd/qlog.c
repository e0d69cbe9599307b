/* The query log: one flushed line per received query, for tests to read. */
#include "qlog.h"

#include <inttypes.h>

bool qlog_open(struct qlog *log, const char *path, uint64_t start_ns) {
  log->start_ns = start_ns;
  log->file = NULL;
  if (!path)
    return true;
  log->file = fopen(path, "a");
  return log->file != NULL;
}

static void write_number_or_dash(FILE *file, long value) {
  if (value < 0)
    fputs(" -", file);
  else
    fprintf(file, " %ld", value);
}

void qlog_write(struct qlog *log, uint64_t now_ns, bool tcp, const char *name,
                long qtype, long id, const char *what) {
  if (!log->file)
    return;
  uint64_t us = (now_ns - log->start_ns) / 1000;
  const char *shown = !name ? "-" : name[0] ? name : ".";
  fprintf(log->file, "%" PRIu64 ".%03u %s %s", us / 1000, (unsigned)(us % 1000),
          tcp ? "tcp" : "udp", shown);
  write_number_or_dash(log->file, qtype);
  write_number_or_dash(log->file, id);
  fprintf(log->file, " %s\n", what);
  /* Tests read the log while faultd runs, so every line goes out now. */
  fflush(log->file);
}

void qlog_close(struct qlog *log) {
  if (log->file)
    fclose(log->file);
  log->file = NULL;
}
