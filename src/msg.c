/* Diagnostics on stderr: one prefix, one line per call, written whole. */
#include "blogdom/msg.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* -v lines come in bursts when servers change state together: at most
 * DEBUG_BURST at once and DEBUG_PER_S a second after that; the next line
 * shown says how many were left out. */
#define DEBUG_PER_S 5.0
#define DEBUG_BURST 20.0

static enum bd_verbosity verbosity = BD_NORMAL;
static void (*before_hook)(void *data);
static void *before_hook_data;
static double debug_tokens = DEBUG_BURST;
static double debug_refilled; /* seconds, CLOCK_MONOTONIC */
static unsigned long debug_dropped;

void bd_msg_set_verbosity(enum bd_verbosity v) {
  verbosity = v;
}

void bd_msg_set_before_hook(void (*hook)(void *data), void *data) {
  before_hook = hook;
  before_hook_data = data;
}

/* Stderr may share a file description with stdout (2>&1 into a pipe),
 * which stdout's stream has made non-blocking (output.c): a full pipe is
 * waited for, as before, rather than the line lost. A diagnostic is rare
 * enough to hold the loop up; result lines never do. */
static void put_line(const char *line, size_t len) {
  struct pollfd p = {.fd = STDERR_FILENO, .events = POLLOUT, .revents = 0};
  while (write(STDERR_FILENO, line, len) < 0) {
    if (errno == EINTR)
      continue;
    if ((errno != EAGAIN && errno != EWOULDBLOCK) ||
        (poll(&p, 1, -1) < 0 && errno != EINTR))
      return; /* Nowhere left to report it. */
  }
}

/* The line is formatted first and written with one write(2), so that lines
 * from blogdom never interleave mid-line with other writers of stderr. */
__attribute__((format(printf, 2, 0))) static void
vsay(const char *label, const char *fmt, va_list ap) {
  char line[1024];
  int n;
  int m;

  if (before_hook != NULL)
    before_hook(before_hook_data);
  n = snprintf(line, sizeof(line), "blogdom: %s", label);
  if (n < 0)
    return;
  m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
  if (m < 0)
    return;
  n += m;
  if ((size_t)n > sizeof(line) - 2)
    n = (int)sizeof(line) - 2;
  line[n++] = '\n';
  put_line(line, (size_t)n);
}

void bd_errorf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsay("", fmt, ap);
  va_end(ap);
}

void bd_warnf(const char *fmt, ...) {
  va_list ap;
  if (verbosity < BD_NORMAL)
    return;
  va_start(ap, fmt);
  vsay("warning: ", fmt, ap);
  va_end(ap);
}

void bd_notef(const char *fmt, ...) {
  va_list ap;
  if (verbosity < BD_NORMAL)
    return;
  va_start(ap, fmt);
  vsay("", fmt, ap);
  va_end(ap);
}

/* Whether one more -v line may be shown now (a token bucket). */
static bool debug_allowed(void) {
  struct timespec ts;
  double now;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
  if (debug_refilled == 0)
    debug_refilled = now;
  debug_tokens += (now - debug_refilled) * DEBUG_PER_S;
  debug_refilled = now;
  if (debug_tokens > DEBUG_BURST)
    debug_tokens = DEBUG_BURST;
  if (debug_tokens < 1) {
    debug_dropped++;
    return false;
  }
  debug_tokens -= 1;
  return true;
}

void bd_debugf(const char *fmt, ...) {
  va_list ap;
  if (verbosity < BD_VERBOSE || !debug_allowed())
    return;
  if (debug_dropped > 0) {
    unsigned long n = debug_dropped;
    debug_dropped = 0;
    bd_notef("(%lu more lines of -v left out)", n);
  }
  va_start(ap, fmt);
  vsay("", fmt, ap);
  va_end(ap);
}
