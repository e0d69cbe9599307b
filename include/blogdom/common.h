/* The few macros every module may need, defined once. */
#ifndef BLOGDOM_COMMON_H
#define BLOGDOM_COMMON_H

#include <stddef.h>

/* The struct of type that holds member at ptr (libuv's src/uv-common.h). */
#define container_of(ptr, type, member)                                        \
  ((type *)((char *)(ptr)-offsetof(type, member)))

/* The same, for a pointer to const. */
#define const_container_of(ptr, type, member)                                  \
  ((const type *)((const char *)(ptr)-offsetof(type, member)))

#define BD_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define BD_NS_PER_MS 1000000ull
#define BD_NS_PER_S 1000000000ull

#endif
