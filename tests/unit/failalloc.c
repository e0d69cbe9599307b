/* Allocation failure on demand for unit tests (see failalloc.h): hidden
 * definitions of the allocation functions, counting and failing on
 * demand, over the process's real allocator. */
#include "failalloc.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define HIDDEN __attribute__((visibility("hidden")))

HIDDEN void *malloc(size_t n);
HIDDEN void *calloc(size_t count, size_t size);
HIDDEN void *realloc(void *p, size_t n);
HIDDEN char *strdup(const char *s);
HIDDEN char *strndup(const char *s, size_t n);
HIDDEN void free(void *p);

/* The real allocator: libc's, or a sanitizer's that replaces it. */
static struct {
  void *(*malloc)(size_t n);
  void *(*calloc)(size_t count, size_t size);
  void *(*realloc)(void *p, size_t n);
  void (*free)(void *p);
} fa_real;

static unsigned long fa_countdown; /* 0: disarmed */
static bool fa_fired;
static long fa_live;

/* dlopen(NULL) looks up the program's global scope, where the hidden
 * definitions are not. dlsym returns object pointers; storing them into
 * function pointers through void ** is the documented way (dlsym(3)). */
static void fa_find_real(void) {
  void *self;
  if (fa_real.free != NULL)
    return;
  self = dlopen(NULL, RTLD_NOW);
  *(void **)&fa_real.malloc = dlsym(self, "malloc");
  *(void **)&fa_real.calloc = dlsym(self, "calloc");
  *(void **)&fa_real.realloc = dlsym(self, "realloc");
  *(void **)&fa_real.free = dlsym(self, "free");
  if (fa_real.malloc == NULL || fa_real.calloc == NULL ||
      fa_real.realloc == NULL || fa_real.free == NULL)
    abort();
}

/* Whether this allocation is the one to fail. */
static bool fa_must_fail(void) {
  fa_find_real();
  if (fa_countdown == 0 || --fa_countdown > 0)
    return false;
  fa_fired = true;
  return true;
}

void bd_failalloc_arm(unsigned long n) {
  fa_countdown = n;
  fa_fired = false;
}

void bd_failalloc_disarm(void) {
  fa_countdown = 0;
}

bool bd_failalloc_fired(void) {
  return fa_fired;
}

long bd_failalloc_live(void) {
  return fa_live;
}

void *bd_failalloc_malloc(size_t n) {
  void *p = fa_must_fail() ? NULL : fa_real.malloc(n);
  fa_live += p != NULL;
  return p;
}

void *bd_failalloc_calloc(size_t count, size_t size) {
  void *p = fa_must_fail() ? NULL : fa_real.calloc(count, size);
  fa_live += p != NULL;
  return p;
}

/* A failed realloc leaves p as it was; realloc(NULL, n) is a malloc, and
 * realloc(p, 0) is taken as a free. */
void *bd_failalloc_realloc(void *p, size_t n) {
  void *q;
  if (p != NULL && n == 0) {
    bd_failalloc_free(p);
    return NULL;
  }
  q = fa_must_fail() ? NULL : fa_real.realloc(p, n);
  fa_live += p == NULL && q != NULL;
  return q;
}

char *bd_failalloc_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *p = bd_failalloc_malloc(n);
  if (p != NULL)
    memcpy(p, s, n);
  return p;
}

void bd_failalloc_free(void *p) {
  if (p == NULL)
    return;
  fa_find_real();
  fa_live--;
  fa_real.free(p);
}

void *malloc(size_t n) {
  return bd_failalloc_malloc(n);
}

void *calloc(size_t count, size_t size) {
  return bd_failalloc_calloc(count, size);
}

void *realloc(void *p, size_t n) {
  return bd_failalloc_realloc(p, n);
}

char *strdup(const char *s) {
  return bd_failalloc_strdup(s);
}

char *strndup(const char *s, size_t n) {
  size_t len = strnlen(s, n);
  char *p = bd_failalloc_malloc(len + 1);
  if (p != NULL) {
    memcpy(p, s, len);
    p[len] = '\0';
  }
  return p;
}

void free(void *p) {
  bd_failalloc_free(p);
}
