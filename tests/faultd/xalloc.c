/* Allocation helpers that end the process when memory runs out. */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(void) {
  fputs("faultd: out of memory\n", stderr);
  exit(1);
}

void *xmalloc(size_t size) {
  void *ptr = malloc(size ? size : 1);
  if (!ptr)
    out_of_memory();
  return ptr;
}

void *xcalloc(size_t count, size_t size) {
  void *ptr = calloc(count ? count : 1, size ? size : 1);
  if (!ptr)
    out_of_memory();
  return ptr;
}

void *xrealloc(void *ptr, size_t size) {
  void *grown = realloc(ptr, size ? size : 1);
  if (!grown)
    out_of_memory();
  return grown;
}

char *xstrdup(const char *text) {
  size_t len = strlen(text) + 1;
  return memcpy(xmalloc(len), text, len);
}
