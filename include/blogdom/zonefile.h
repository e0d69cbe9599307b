/* A zone file in RFC 1035 master format (section 5), plain or gzip, read
 * once from start to end: its SOA, then the owner of every record. */
#ifndef BLOGDOM_ZONEFILE_H
#define BLOGDOM_ZONEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a reader of the file hears. Names are in wire form (RFC 1035 3.1),
 * ASCII letters in lower case; they are borrowed for the call. */
struct bd_zonefile_visitor {
  void *data;
  /* The first record, which must be the zone's SOA: its owner is the
   * zone's origin. */
  void (*on_soa)(void *data, const uint8_t *origin, size_t len,
                 uint32_t serial);
  /* The owner and type of each record at or below the origin, the SOA's
   * included. */
  void (*on_record)(void *data, const uint8_t *owner, size_t len,
                    uint16_t type);
  /* done bytes of the file's size read so far (compressed bytes for a
   * gzip file); after each block of input. NULL: not asked. */
  void (*on_progress)(void *data, uint64_t done, uint64_t size);
};

struct bd_zonefile_report {
  uint64_t records; /* handed to on_record */
  uint64_t outside; /* skipped: not at or below the origin */
  /* Why the file was refused: line is 0 when the fault is not one line's
   * (it cannot be read, it ends too soon, it has no SOA). */
  unsigned long line;
  char what[160];
};

/* Reads the zone file at path: gzip when it starts with gzip's magic,
 * else plain text; directives ($ORIGIN, $TTL, $INCLUDE), relative names,
 * parentheses and comments as RFC 1035 5.1 has them, with Knot DNS's
 * zone scanner. Stops at the first record that does not parse. Returns
 * 0, or -1 with the report's line and what saying why; the report's
 * counts hold either way. */
int bd_zonefile_read(const char *path, const struct bd_zonefile_visitor *v,
                     struct bd_zonefile_report *report);

/* The same, reading blocks of block bytes to begin with (1 MiB above):
 * small ones put many block edges in a small file, for tests. */
int bd_zonefile_read_blocks(const char *path,
                            const struct bd_zonefile_visitor *v,
                            struct bd_zonefile_report *report, size_t block);

/* True when name (wire form, lower case) is origin or below it: origin is
 * the name's tail, starting at one of its labels. */
bool bd_zonefile_within(const uint8_t *name, size_t len, const uint8_t *origin,
                        size_t origin_len);

#endif
