/* A zone's index: the 64-bit fingerprints of the names it holds, each
 * tagged with what the name is there, sorted, in a file that is mapped
 * rather than read. */
#ifndef BLOGDOM_ZONEINDEX_H
#define BLOGDOM_ZONEINDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a name is in a zone; a larger value wins when a name is two. */
enum bd_zonename {
  BD_ZONENAME_NONE = 0,  /* not in the zone */
  BD_ZONENAME_EMPTY = 1, /* owns nothing, but names below it do: an empty
                            non-terminal, which exists (RFC 8020 2) */
  BD_ZONENAME_OWNER = 2, /* owns records */
  BD_ZONENAME_CUT = 3    /* owns NS records below the apex: a delegation,
                            and every name below it is the child's */
};

/* Names are in wire form, lower case (zonefile.h). A fingerprint keeps 62
 * bits of XXH3's 64; the two left are the tag. */
uint64_t bd_zoneindex_fingerprint(const uint8_t *name, size_t len);

/* ---- building -------------------------------------------------------- */

struct bd_zoneindex_builder {
  uint64_t *tagged; /* fingerprint | tag, in the order added */
  size_t len;
  size_t cap;
};

/* Adds name as kind; a name added twice keeps the larger kind. Returns 0,
 * or -ENOMEM. */
int bd_zoneindex_add(struct bd_zoneindex_builder *b, const uint8_t *name,
                     size_t len, enum bd_zonename kind);

void bd_zoneindex_builder_free(struct bd_zoneindex_builder *b);

/* What the index says of its zone, beside the names. */
struct bd_zoneindex_meta {
  uint64_t key; /* the zone file's identity (zoneset.c) */
  uint32_t serial;
  bool wildcards; /* some owner's first label is "*" (RFC 4592) */
  uint8_t origin[255];
  uint8_t origin_len;
};

/* Sorts b's names and writes the index to path, replacing any file there
 * whole (cachefile.h); b is emptied then. On failure b keeps its names,
 * sorted, for another path. Returns 0, or a negative errno
 * value. */
int bd_zoneindex_save(struct bd_zoneindex_builder *b,
                      const struct bd_zoneindex_meta *meta, const char *path);

/* ---- reading --------------------------------------------------------- */

struct bd_zoneindex;

/* Maps the index at path. Returns 0; -ENOENT when there is none; -EINVAL
 * when it is not an index of this version, is cut short or fails its
 * checksum (build it again); another negative errno value when it cannot
 * be read. */
int bd_zoneindex_open(struct bd_zoneindex **out, const char *path);

void bd_zoneindex_close(struct bd_zoneindex *z);

const struct bd_zoneindex_meta *bd_zoneindex_meta(const struct bd_zoneindex *z);

/* Names in the index, and its size in bytes. */
uint64_t bd_zoneindex_count(const struct bd_zoneindex *z);
uint64_t bd_zoneindex_bytes(const struct bd_zoneindex *z);

/* What name (wire form, lower case) is in the zone. */
enum bd_zonename bd_zoneindex_find(const struct bd_zoneindex *z,
                                   const uint8_t *name, size_t len);

/* What the zone's servers would say of a name at or below the origin. */
enum bd_zonematch {
  BD_ZONEMATCH_NONE,    /* NXDOMAIN */
  BD_ZONEMATCH_NAME,    /* it exists: it is the origin, it is in the index,
                           or it lies below a delegation */
  BD_ZONEMATCH_WILDCARD /* it exists only as a wildcard at its closest
                           encloser makes it (RFC 4592 3.3.1) */
};

enum bd_zonematch bd_zoneindex_match(const struct bd_zoneindex *z,
                                     const uint8_t *name, size_t len);

#endif
