/* Splitting one input across N independent runs by a stable hash. */
#ifndef BLOGDOM_SHARD_H
#define BLOGDOM_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bd_shard {
  uint32_t index; /* 0 <= index < count */
  uint32_t count; /* 0 or 1: no sharding */
};

/* Parses "K/N" with 0 <= K < N. Returns 0, or -1 when the text is not such
 * a pair. */
int bd_shard_parse(const char *text, struct bd_shard *out);

/* True when the name belongs to this shard. The hash (64-bit FNV-1a of the
 * bytes) never changes between versions or machines, so shards computed on
 * different hosts partition the same input exactly. */
bool bd_shard_keeps(const struct bd_shard *shard, const char *name, size_t len);

#endif
