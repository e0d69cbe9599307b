/* Diagnostics on stderr: the one place where blogdom speaks to a person. */
#ifndef BLOGDOM_MSG_H
#define BLOGDOM_MSG_H

#if defined(__GNUC__)
#define BD_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define BD_PRINTF(fmt, args)
#endif

/* How much blogdom says on stderr besides errors. */
enum bd_verbosity {
  BD_QUIET = 0,  /* errors only */
  BD_NORMAL = 1, /* errors, warnings and per-name reasons */
  BD_VERBOSE = 2 /* also what the engine decides (servers, window) */
};

void bd_msg_set_verbosity(enum bd_verbosity v);

/* Lets the progress line erase itself before a message is printed. */
void bd_msg_set_before_hook(void (*hook)(void *data), void *data);

/* "blogdom: <text>" on stderr, always. */
void bd_errorf(const char *fmt, ...) BD_PRINTF(1, 2);
/* "blogdom: warning: <text>", unless quiet. */
void bd_warnf(const char *fmt, ...) BD_PRINTF(1, 2);
/* "blogdom: <text>", unless quiet: a per-name reason. */
void bd_notef(const char *fmt, ...) BD_PRINTF(1, 2);
/* "blogdom: <text>", only when verbose, and at most a few lines a second
 * (a burst of twenty, then five a second; the lines left out are
 * counted on the next one shown). */
void bd_debugf(const char *fmt, ...) BD_PRINTF(1, 2);

#endif
