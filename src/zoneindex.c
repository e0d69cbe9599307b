/* The zone index on disk: a header, a directory of buckets by the top bits
 * of the fingerprint, then the sorted fingerprints. The directory, one
 * slot for about 256 fingerprints, stays in the CPU's cache; within a
 * bucket the fingerprints are spread evenly, so a lookup starts where its
 * own would be and finds it a few slots away: one page, one or two cache
 * lines of the fingerprints however big the zone. */
#include "blogdom/zoneindex.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
/* For XXH3_state_t on the stack. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "blogdom/cachefile.h"

#define MAGIC "blogdomZ"
#define VERSION 2u
#define HEADER_SIZE 512
#define TAG 3u
#define PER_BUCKET 256
#define MAX_DIR_BITS 28

struct header {
  char magic[8];
  uint32_t version;
  uint32_t dir_bits;
  uint64_t count;
  uint64_t checksum; /* XXH3 of the directory and the fingerprints */
  uint64_t key;
  uint32_t serial;
  uint8_t wildcards;
  uint8_t origin_len;
  uint8_t origin[255];
};

_Static_assert(sizeof(struct header) <= HEADER_SIZE, "header fits");

struct bd_zoneindex {
  void *map;
  size_t size;
  struct bd_zoneindex_meta meta;
  unsigned dir_bits;
  const uint32_t *dir;     /* 2^dir_bits + 1 entries */
  const uint64_t *entries; /* count, sorted */
  uint64_t count;
};

uint64_t bd_zoneindex_fingerprint(const uint8_t *name, size_t len) {
  return XXH3_64bits(name, len) & ~(uint64_t)TAG;
}

/* ---- building -------------------------------------------------------- */

int bd_zoneindex_add(struct bd_zoneindex_builder *b, const uint8_t *name,
                     size_t len, enum bd_zonename kind) {
  if (b->len == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 4096;
    uint64_t *more = realloc(b->tagged, cap * sizeof(*more));
    if (more == NULL)
      return -ENOMEM;
    b->tagged = more;
    b->cap = cap;
  }
  b->tagged[b->len++] = bd_zoneindex_fingerprint(name, len) | (uint64_t)kind;
  return 0;
}

void bd_zoneindex_builder_free(struct bd_zoneindex_builder *b) {
  free(b->tagged);
  memset(b, 0, sizeof(*b));
}

static int compare_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a;
  uint64_t y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Sorted, a name added as several kinds lies in one run, the largest kind
 * last: keeps that one. Returns the count left. */
static size_t sort_unique(uint64_t *v, size_t n) {
  size_t out = 0;
  qsort(v, n, sizeof(*v), compare_u64);
  for (size_t i = 0; i < n; i++) {
    if (i + 1 < n && (v[i + 1] & ~(uint64_t)TAG) == (v[i] & ~(uint64_t)TAG))
      continue;
    v[out++] = v[i];
  }
  return out;
}

static unsigned dir_bits_for(uint64_t count) {
  unsigned bits = 0;
  while (bits < MAX_DIR_BITS && ((uint64_t)PER_BUCKET << (bits + 1)) <= count)
    bits++;
  return bits;
}

static size_t bucket_of(uint64_t fp, unsigned bits) {
  return bits == 0 ? 0 : (size_t)(fp >> (64 - bits));
}

/* dir[k] is the first fingerprint of bucket k; dir[2^bits] the count. */
static void fill_directory(uint32_t *dir, unsigned bits, const uint64_t *v,
                           size_t n) {
  size_t buckets = (size_t)1 << bits;
  size_t i = 0;
  for (size_t k = 0; k < buckets; k++) {
    while (i < n && bucket_of(v[i], bits) < k)
      i++;
    dir[k] = (uint32_t)i;
  }
  dir[buckets] = (uint32_t)n;
}

static uint64_t checksum(const void *dir, size_t dir_bytes, const void *entries,
                         size_t entry_bytes) {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  XXH3_64bits_update(&st, dir, dir_bytes);
  XXH3_64bits_update(&st, entries, entry_bytes);
  return XXH3_64bits_digest(&st);
}

/* The directory starts after the header; the fingerprints after it, on
 * an 8-byte boundary. */
static size_t dir_bytes_of(unsigned bits) {
  return (((size_t)1 << bits) + 1) * sizeof(uint32_t);
}

static size_t entries_offset(unsigned bits) {
  return (HEADER_SIZE + dir_bytes_of(bits) + 7) & ~(size_t)7;
}

int bd_zoneindex_save(struct bd_zoneindex_builder *b,
                      const struct bd_zoneindex_meta *meta, const char *path) {
  static const uint8_t zeros[8];
  unsigned char head[HEADER_SIZE];
  struct header h;
  size_t n = b->len = sort_unique(b->tagged, b->len);
  unsigned bits = dir_bits_for(n);
  size_t dir_bytes = dir_bytes_of(bits);
  uint32_t *dir;
  int rc;

  if (n > UINT32_MAX)
    return -EFBIG;
  dir = malloc(dir_bytes);
  if (dir == NULL)
    return -ENOMEM;
  fill_directory(dir, bits, b->tagged, n);
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, MAGIC, sizeof(h.magic));
  h.version = VERSION;
  h.dir_bits = bits;
  h.count = n;
  h.checksum = checksum(dir, dir_bytes, b->tagged, n * sizeof(uint64_t));
  h.key = meta->key;
  h.serial = meta->serial;
  h.wildcards = meta->wildcards;
  h.origin_len = meta->origin_len;
  memcpy(h.origin, meta->origin, meta->origin_len);
  memset(head, 0, sizeof(head));
  memcpy(head, &h, sizeof(h));
  {
    struct bd_cache_piece pieces[] = {
        {head, sizeof(head)},
        {dir, dir_bytes},
        {zeros, entries_offset(bits) - HEADER_SIZE - dir_bytes},
        {b->tagged, n * sizeof(uint64_t)},
    };
    rc = bd_cache_store(path, pieces, sizeof(pieces) / sizeof(pieces[0]), 0,
                        false);
  }
  free(dir);
  if (rc == 0)
    bd_zoneindex_builder_free(b);
  return rc;
}

/* ---- reading --------------------------------------------------------- */

/* Checks the mapped file against its header. */
static int validate(struct bd_zoneindex *z) {
  struct header h;
  size_t off;

  if (z->size < HEADER_SIZE)
    return -EINVAL;
  memcpy(&h, z->map, sizeof(h));
  if (memcmp(h.magic, MAGIC, sizeof(h.magic)) != 0 || h.version != VERSION ||
      h.dir_bits > MAX_DIR_BITS || h.count > UINT32_MAX)
    return -EINVAL;
  off = entries_offset(h.dir_bits);
  if (z->size != off + h.count * sizeof(uint64_t))
    return -EINVAL;
  z->dir_bits = h.dir_bits;
  z->count = h.count;
  z->dir = (const uint32_t *)((const char *)z->map + HEADER_SIZE);
  z->entries = (const uint64_t *)((const char *)z->map + off);
  if (checksum(z->dir, dir_bytes_of(h.dir_bits), z->entries,
               h.count * sizeof(uint64_t)) != h.checksum)
    return -EINVAL;
  z->meta.key = h.key;
  z->meta.serial = h.serial;
  z->meta.wildcards = h.wildcards != 0;
  z->meta.origin_len = h.origin_len;
  memcpy(z->meta.origin, h.origin, h.origin_len);
  return 0;
}

int bd_zoneindex_open(struct bd_zoneindex **out, const char *path) {
  struct bd_zoneindex *z;
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int rc;

  *out = NULL;
  if (fd < 0)
    return -errno;
  z = calloc(1, sizeof(*z));
  if (z == NULL || fstat(fd, &st) != 0) {
    rc = z == NULL ? -ENOMEM : -errno;
    goto fail;
  }
  z->size = (size_t)st.st_size;
  if (z->size < HEADER_SIZE) {
    rc = -EINVAL;
    goto fail;
  }
  /* Populated at once: the checksum reads every page anyway. */
  z->map = mmap(NULL, z->size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
  if (z->map == MAP_FAILED) {
    z->map = NULL;
    rc = -errno;
    goto fail;
  }
  rc = validate(z);
  if (rc != 0)
    goto fail;
  close(fd);
  *out = z;
  return 0;

fail:
  close(fd);
  bd_zoneindex_close(z);
  return rc;
}

void bd_zoneindex_close(struct bd_zoneindex *z) {
  if (z == NULL)
    return;
  if (z->map != NULL)
    munmap(z->map, z->size);
  free(z);
}

const struct bd_zoneindex_meta *
bd_zoneindex_meta(const struct bd_zoneindex *z) {
  return &z->meta;
}

uint64_t bd_zoneindex_count(const struct bd_zoneindex *z) {
  return z->count;
}

uint64_t bd_zoneindex_bytes(const struct bd_zoneindex *z) {
  return z->size;
}

/* Where fp would be among the n fingerprints of its bucket, were they
 * spread exactly evenly: the bits below the bucket's scaled to n. */
static size_t guess_in_bucket(uint64_t fp, unsigned bits, size_t n) {
  uint64_t below = bits == 0 ? fp : fp << bits;
  return (size_t)(((below >> 32) * (uint64_t)n) >> 32);
}

enum bd_zonename bd_zoneindex_find(const struct bd_zoneindex *z,
                                   const uint8_t *name, size_t len) {
  uint64_t fp = bd_zoneindex_fingerprint(name, len);
  size_t k = bucket_of(fp, z->dir_bits);
  size_t lo = z->dir[k];
  size_t hi = z->dir[k + 1];
  size_t i;

  if (lo == hi)
    return BD_ZONENAME_NONE;
  i = lo + guess_in_bucket(fp, z->dir_bits, hi - lo);
  while (i > lo && (z->entries[i] & ~(uint64_t)TAG) > fp)
    i--;
  while (i < hi && (z->entries[i] & ~(uint64_t)TAG) < fp)
    i++;
  if (i < hi && (z->entries[i] & ~(uint64_t)TAG) == fp)
    return (enum bd_zonename)(z->entries[i] & TAG);
  return BD_ZONENAME_NONE;
}

/* The answer for a name not in the zone: a wildcard *.<encloser> makes
 * it exist, else it does not. */
static enum bd_zonematch by_wildcard(const struct bd_zoneindex *z,
                                     const uint8_t *encloser, size_t len) {
  uint8_t wild[257];
  if (!z->meta.wildcards || len + 2 > sizeof(wild))
    return BD_ZONEMATCH_NONE;
  wild[0] = 1;
  wild[1] = '*';
  memcpy(wild + 2, encloser, len);
  return bd_zoneindex_find(z, wild, len + 2) != BD_ZONENAME_NONE
             ? BD_ZONEMATCH_WILDCARD
             : BD_ZONEMATCH_NONE;
}

enum bd_zonematch bd_zoneindex_match(const struct bd_zoneindex *z,
                                     const uint8_t *name, size_t len) {
  size_t origin_len = z->meta.origin_len;
  size_t starts[128];
  size_t n = 0;
  size_t encloser; /* offset of the closest encloser in name */

  if (len <= origin_len)
    return BD_ZONEMATCH_NAME; /* the origin itself */
  for (size_t i = 0; i < len - origin_len && n < 128; i += (size_t)name[i] + 1)
    starts[n++] = i;
  /* From the origin down: the first ancestor missing means no name below
   * it is in the zone either (every owner's ancestors went in as empty
   * non-terminals), and a delegation on the way owns all below it. */
  encloser = len - origin_len;
  for (size_t k = n; k-- > 1;) {
    enum bd_zonename kind =
        bd_zoneindex_find(z, name + starts[k], len - starts[k]);
    if (kind == BD_ZONENAME_CUT)
      return BD_ZONEMATCH_NAME;
    if (kind == BD_ZONENAME_NONE)
      return by_wildcard(z, name + encloser, len - encloser);
    encloser = starts[k];
  }
  if (bd_zoneindex_find(z, name, len) != BD_ZONENAME_NONE)
    return BD_ZONEMATCH_NAME;
  return by_wildcard(z, name + encloser, len - encloser);
}
