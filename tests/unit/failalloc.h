/* Allocation failure on demand, for the start-up paths of a unit test:
 * while armed, the Nth allocation made by blogdom's own code fails, and
 * the blocks it holds are counted, so that a test can check that a
 * failed set-up freed what it made and nothing else.
 *
 * How: failalloc.c defines malloc, calloc, realloc, strdup, strndup and
 * free with hidden visibility. Inside the test executable they take the
 * calls of every object linked into it statically (the test and the
 * blogdom_core library), as -Wl,--wrap would, yet stay out of its dynamic
 * symbol table: libc, libuv, cmocka and the sanitizers keep the real
 * allocator, which the definitions call in the end. Include failalloc.c in
 * exactly one source of the test executable (a unit test is one source).
 *
 *   long before = bd_failalloc_live();
 *   for (unsigned long n = 1;; n++) {
 *     bd_failalloc_arm(n);
 *     rc = bd_thing_new(&t, ...);
 *     bd_failalloc_disarm();
 *     if (rc != 0)
 *       assert_int_equal(bd_failalloc_live(), before);  (nothing leaked)
 *     else
 *       ... close and free t ...
 *     if (!bd_failalloc_fired())
 *       break;  (the whole set-up ran without a failure: all done)
 *   }
 *
 * Libraries that take an allocator count and fail too when handed the
 * bd_failalloc_* functions: curl_global_init_mem(), json_set_alloc_funcs().
 * Memory that our code frees but a library allocated with its own
 * allocator makes the count go down: it shows as a negative balance. */
#ifndef BLOGDOM_TESTS_FAILALLOC_H
#define BLOGDOM_TESTS_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Makes the nth allocation from now fail (n >= 1), once. */
void bd_failalloc_arm(unsigned long n);

/* No more failures. */
void bd_failalloc_disarm(void);

/* Whether the armed failure happened since the last bd_failalloc_arm(). */
bool bd_failalloc_fired(void);

/* Blocks allocated through failalloc and not freed yet. */
long bd_failalloc_live(void);

/* The allocator itself, for libraries that take one. */
void *bd_failalloc_malloc(size_t n);
void *bd_failalloc_calloc(size_t count, size_t size);
void *bd_failalloc_realloc(void *p, size_t n);
char *bd_failalloc_strdup(const char *s);
void bd_failalloc_free(void *p);

#endif
