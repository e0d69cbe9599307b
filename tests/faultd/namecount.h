/* Per-name query counters, used by drop-first=N. */
#ifndef FAULTD_NAMECOUNT_H
#define FAULTD_NAMECOUNT_H

#include <stddef.h>
#include <stdint.h>

struct namecount_slot {
  char *name; /* NULL: empty slot */
  uint64_t hash;
  uint64_t count;
};

/* Open-addressing hash table; a zeroed struct is an empty table. */
struct namecount {
  struct namecount_slot *slots;
  size_t cap; /* a power of two, or 0 */
  size_t used;
};

/* Counts one more query for name and returns the new total. */
uint64_t namecount_bump(struct namecount *table, const char *name);
void namecount_free(struct namecount *table);

#endif
