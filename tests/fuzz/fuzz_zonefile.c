/* Fuzzes the zone file reader: read in blocks of 1 MiB (one block here)
 * and in blocks of 16 bytes (an edge every few records), a file gives the
 * same records, or fails at the same line for the same reason; every
 * owner handed out is at or below the origin. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blogdom/zonefile.h"

struct seen {
  uint8_t origin[256];
  size_t origin_len;
  uint64_t records;
  uint64_t sum;
};

static void on_soa(void *data, const uint8_t *origin, size_t len,
                   uint32_t serial) {
  struct seen *s = data;
  (void)serial;
  if (s->origin_len != 0 || len == 0 || len > 255)
    abort();
  memcpy(s->origin, origin, len);
  s->origin_len = len;
}

static void on_record(void *data, const uint8_t *owner, size_t len,
                      uint16_t type) {
  struct seen *s = data;
  uint64_t h = 1469598103934665603u;
  if (s->origin_len == 0 || len > 255 ||
      !bd_zonefile_within(owner, len, s->origin, s->origin_len))
    abort();
  for (size_t i = 0; i < len; i++) {
    if (owner[i] >= 'A' && owner[i] <= 'Z')
      abort(); /* owners are lower-cased */
    h = (h ^ owner[i]) * 1099511628211u;
  }
  s->records++;
  s->sum += h ^ type;
}

static int read_with(const char *path, size_t block, struct seen *s,
                     struct bd_zonefile_report *r) {
  struct bd_zonefile_visitor v = {s, on_soa, on_record, NULL};
  memset(s, 0, sizeof(*s));
  return bd_zonefile_read_blocks(path, &v, r, block);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  struct seen a, b;
  struct bd_zonefile_report ra, rb;
  int fd = memfd_create("zone", 0);
  int rc_a, rc_b;

  if (fd < 0)
    return 0;
  if (write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  rc_a = read_with(path, 1u << 20, &a, &ra);
  rc_b = read_with(path, 16, &b, &rb);
  if (rc_a != rc_b || ra.records != rb.records || ra.outside != rb.outside ||
      a.records != b.records || a.sum != b.sum)
    abort();
  if (rc_a != 0 && (ra.line != rb.line || strcmp(ra.what, rb.what) != 0))
    abort();
  close(fd);
  return 0;
}
