/* Diagnostics on stderr: one prefix, one line per call, written whole. */
#include "blogdom/msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum bd_verbosity verbosity = BD_NORMAL;
static void (*before_hook)(void *data);
static void *before_hook_data;

void bd_msg_set_verbosity(enum bd_verbosity v) {
  verbosity = v;
}

void bd_msg_set_before_hook(void (*hook)(void *data), void *data) {
  before_hook = hook;
  before_hook_data = data;
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
  if (write(STDERR_FILENO, line, (size_t)n) < 0)
    return; /* Nowhere left to report it. */
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

void bd_debugf(const char *fmt, ...) {
  va_list ap;
  if (verbosity < BD_VERBOSE)
    return;
  va_start(ap, fmt);
  vsay("", fmt, ap);
  va_end(ap);
}
