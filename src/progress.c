/* The progress line (redrawn in place on a terminal, else one plain line a
 * time) and the summary. */
#include "blogdom/progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NS_PER_S 1e9

void bd_progress_init(struct bd_progress *p, bool enabled, bool in_place,
                      long long total, uint64_t now_ns) {
  memset(p, 0, sizeof(*p));
  p->enabled = enabled;
  p->in_place = in_place;
  p->total = total;
  p->start_ns = now_ns;
}

void bd_progress_count(struct bd_progress *p, enum bd_status s) {
  p->counts.by_status[s]++;
}

static uint64_t done_of(const struct bd_counts *c) {
  return c->by_status[BD_FOUND] + c->by_status[BD_NOTFOUND] +
         c->by_status[BD_ERROR];
}

size_t bd_progress_format(char *buf, size_t cap, const struct bd_counts *c,
                          const struct bd_engine_stats *st, long long total,
                          double elapsed_s) {
  uint64_t done = done_of(c);
  double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0;
  int n;

  if (total >= 0)
    n = snprintf(buf, cap, "%llu/%lld names", (unsigned long long)done, total);
  else
    n = snprintf(buf, cap, "%llu names", (unsigned long long)done);
  if (n < 0 || (size_t)n >= cap)
    return 0;
  n += snprintf(buf + n, cap - (size_t)n,
                "  %.0f/s  +%llu  %llu free  ?%llu  %u in flight", rate,
                (unsigned long long)c->by_status[BD_FOUND],
                (unsigned long long)c->by_status[BD_NOTFOUND],
                (unsigned long long)c->by_status[BD_ERROR], st->inflight);
  if ((size_t)n >= cap)
    return cap - 1;
  if (total >= 0 && rate > 0 && (uint64_t)total >= done) {
    double eta = (double)((uint64_t)total - done) / rate;
    n += snprintf(buf + n, cap - (size_t)n, "  ETA %02u:%02u",
                  (unsigned)(eta / 60), (unsigned)eta % 60);
  }
  return (size_t)n < cap ? (size_t)n : cap - 1;
}

static void put(const char *s, size_t len) {
  if (write(STDERR_FILENO, s, len) < 0)
    return; /* a progress line is not worth an error */
}

void bd_progress_draw(struct bd_progress *p, const struct bd_engine_stats *st,
                      uint64_t now_ns) {
  char line[256];
  double elapsed = (double)(now_ns - p->start_ns) / NS_PER_S;
  size_t n;
  if (!p->enabled)
    return;
  if (!p->in_place) {
    /* A log or a pipe keeps every line, and cursor movement would only
     * garble it: a whole line each time, prefixed like every other line
     * blogdom writes on stderr. */
    n = (size_t)snprintf(line, sizeof(line), "blogdom: ");
    n += bd_progress_format(line + n, sizeof(line) - n - 1, &p->counts, st,
                            p->total, elapsed);
    line[n++] = '\n';
    put(line, n);
    return;
  }
  /* "\r" then erase-line: redraw in place, whatever was there. */
  memcpy(line, "\r\033[K", 4);
  n = 4 + bd_progress_format(line + 4, sizeof(line) - 4, &p->counts, st,
                             p->total, elapsed);
  put(line, n);
  p->drawn = true;
}

void bd_progress_erase(struct bd_progress *p) {
  if (!p->drawn)
    return;
  put("\r\033[K", 4);
  p->drawn = false;
}

size_t bd_progress_summary(char *buf, size_t cap, const struct bd_counts *c,
                           const struct bd_engine_stats *st,
                           const struct bd_summary_stages *stages,
                           double elapsed_s, int signum, uint64_t dropped) {
  const struct bd_forsale *for_sale = stages->for_sale;
  const struct bd_delegated *delegated = stages->delegated;
  uint64_t done = done_of(c);
  int n;

  if (signum != 0)
    n = snprintf(buf, cap,
                 "interrupted by %s: %llu names answered, %llu in flight "
                 "not answered",
                 signum == SIGINT ? "SIGINT" : "SIGTERM",
                 (unsigned long long)done, (unsigned long long)st->unreached);
  else
    n = snprintf(buf, cap,
                 "%llu names in %.3f s (%.0f names/s): %llu found, %llu "
                 "notfound, %llu error; %llu queries, %llu retries, "
                 "%llu timeouts, %llu found lost early, peak %u in flight",
                 (unsigned long long)done, elapsed_s,
                 elapsed_s > 0 ? (double)done / elapsed_s : 0.0,
                 (unsigned long long)c->by_status[BD_FOUND],
                 (unsigned long long)c->by_status[BD_NOTFOUND],
                 (unsigned long long)c->by_status[BD_ERROR],
                 (unsigned long long)st->queries,
                 (unsigned long long)st->retries,
                 (unsigned long long)st->timeouts,
                 (unsigned long long)st->written_off, st->inflight_peak);
  if (n >= 0 && (size_t)n < cap && signum != 0 && dropped > 0)
    n += snprintf(buf + n, cap - (size_t)n,
                  ", %llu of their lines not written (standard output was "
                  "full)",
                  (unsigned long long)dropped);
  if (n >= 0 && (size_t)n < cap && signum == 0 && st->zone_judged > 0)
    n += snprintf(buf + n, cap - (size_t)n,
                  "; %llu judged by zone files, with no query",
                  (unsigned long long)st->zone_judged);
  if (n >= 0 && (size_t)n < cap && signum == 0 && for_sale != NULL)
    n += snprintf(buf + n, cap - (size_t)n,
                  "; for sale: %llu names, %llu malformed records, %llu "
                  "lookups without an answer",
                  (unsigned long long)for_sale->names,
                  (unsigned long long)for_sale->malformed,
                  (unsigned long long)for_sale->unanswered);
  if (n >= 0 && (size_t)n < cap && signum == 0 && delegated != NULL)
    n += snprintf(buf + n, cap - (size_t)n,
                  "; delegated names' records: %llu asked of their own "
                  "servers, %llu without an answer",
                  (unsigned long long)delegated->asked,
                  (unsigned long long)delegated->unanswered);
  if (n < 0)
    return 0;
  return (size_t)n < cap ? (size_t)n : cap - 1;
}
