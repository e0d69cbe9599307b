/* Per-name query counters, used by drop-first=N. */
#include "namecount.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum { INITIAL_CAP = 64 };

static uint64_t hash_name(const char *name) {
  uint64_t hash = 0xcbf29ce484222325u; /* FNV-1a */
  for (; *name; name++)
    hash = (hash ^ (unsigned char)*name) * 0x100000001b3u;
  return hash;
}

static struct namecount_slot *find_slot(struct namecount_slot *slots,
                                        size_t cap, const char *name,
                                        uint64_t hash) {
  size_t i = (size_t)hash & (cap - 1);
  while (slots[i].name &&
         (slots[i].hash != hash || strcmp(slots[i].name, name) != 0))
    i = (i + 1) & (cap - 1);
  return &slots[i];
}

static void grow(struct namecount *table) {
  size_t cap = table->cap ? table->cap * 2 : INITIAL_CAP;
  struct namecount_slot *slots = xcalloc(cap, sizeof *slots);
  for (size_t i = 0; i < table->cap; i++) {
    struct namecount_slot *old = &table->slots[i];
    if (old->name)
      *find_slot(slots, cap, old->name, old->hash) = *old;
  }
  free(table->slots);
  table->slots = slots;
  table->cap = cap;
}

uint64_t namecount_bump(struct namecount *table, const char *name) {
  /* Keeping the load under one half keeps probe chains short. */
  if ((table->used + 1) * 2 > table->cap)
    grow(table);
  uint64_t hash = hash_name(name);
  struct namecount_slot *slot = find_slot(table->slots, table->cap, name, hash);
  if (!slot->name) {
    slot->name = xstrdup(name);
    slot->hash = hash;
    table->used++;
  }
  return ++slot->count;
}

void namecount_free(struct namecount *table) {
  for (size_t i = 0; i < table->cap; i++)
    free(table->slots[i].name);
  free(table->slots);
  memset(table, 0, sizeof *table);
}
