/* Allocation helpers that end the process when memory runs out. */
#ifndef FAULTD_XALLOC_H
#define FAULTD_XALLOC_H

#include <stddef.h>

/* A test server has no sensible way to continue without memory, and
   checking every allocation would bury the logic, so these exit(1). */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *text);

#endif
