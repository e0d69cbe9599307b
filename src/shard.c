/* Stable sharding of names: FNV-1a, the same on every host and version. */
#include "blogdom/shard.h"

#include <errno.h>
#include <stdlib.h>

static int parse_u32(const char *s, char **end, uint32_t *out) {
  unsigned long v;
  if (*s < '0' || *s > '9')
    return -1;
  errno = 0;
  v = strtoul(s, end, 10);
  if (errno != 0 || v > UINT32_MAX)
    return -1;
  *out = (uint32_t)v;
  return 0;
}

int bd_shard_parse(const char *text, struct bd_shard *out) {
  char *end;
  uint32_t k;
  uint32_t n;

  if (parse_u32(text, &end, &k) != 0 || *end != '/')
    return -1;
  if (parse_u32(end + 1, &end, &n) != 0 || *end != '\0')
    return -1;
  if (n == 0 || k >= n)
    return -1;
  out->index = k;
  out->count = n;
  return 0;
}

bool bd_shard_keeps(const struct bd_shard *shard, const char *name,
                    size_t len) {
  uint64_t h = 0xcbf29ce484222325u;
  if (shard->count <= 1)
    return true;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)name[i];
    h *= 0x100000001b3u;
  }
  return h % shard->count == shard->index;
}
