/* --zone: zone files into mapped indexes (zonefile.c reads, zoneindex.c
 * keeps), and names judged by them. */
#include "blogdom/zoneset.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>
/* For XXH3_state_t on the stack. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "blogdom/cachefile.h"
#include "blogdom/msg.h"
#include "blogdom/verdict.h"
#include "blogdom/zonefile.h"
#include "blogdom/zoneindex.h"

#define TYPE_NS 2
/* The head of the file, hashed into its identity: it holds the SOA, and
 * so the serial. */
#define HEAD_BYTES (64u << 10)

struct zone {
  const char *path;
  struct bd_zoneindex *index;
  char origin[256];   /* text, no trailing dot; "." for the root */
  char evidence[300]; /* "zone:ORIGIN@SERIAL" */
};

struct bd_zoneset {
  struct zone *zones;
  size_t n;
};

/* What the reading of one file builds. */
struct build {
  struct bd_zoneindex_builder b;
  struct bd_zoneindex_meta meta;
  uint8_t last[256]; /* the last owner added, to skip its next records */
  size_t last_len;
  enum bd_zonename last_kind;
  bool nomem;
  uint64_t records; /* read, and skipped outside the origin */
  uint64_t outside;
  uint64_t t0; /* when the reading started */
  const char *path;
  bd_zoneset_progress_cb progress;
  void *progress_data;
};

/* ---- identity and cache --------------------------------------------- */

/* The file as it is now: where it lives, its size and time, and its head,
 * so that a file rewritten in place within a second still differs. */
static int identity(const char *path, uint64_t *key) {
  struct {
    uint64_t dev, ino, size, sec, nsec;
  } id;
  unsigned char head[HEAD_BYTES];
  struct stat st;
  XXH3_state_t hs;
  ssize_t got;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0)
    return -errno;
  if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    int rc = S_ISDIR(st.st_mode) ? -EISDIR : -errno;
    close(fd);
    return rc;
  }
  memset(&id, 0, sizeof(id));
  id.dev = (uint64_t)st.st_dev;
  id.ino = (uint64_t)st.st_ino;
  id.size = (uint64_t)st.st_size;
  id.sec = (uint64_t)st.st_mtim.tv_sec;
  id.nsec = (uint64_t)st.st_mtim.tv_nsec;
  do
    got = read(fd, head, sizeof(head));
  while (got < 0 && errno == EINTR);
  close(fd);
  if (got < 0)
    return -errno;
  XXH3_64bits_reset(&hs);
  XXH3_64bits_update(&hs, &id, sizeof(id));
  XXH3_64bits_update(&hs, head, (size_t)got);
  *key = XXH3_64bits_digest(&hs);
  return 0;
}

/* One index file per zone file, named by the file's full path: a new
 * version of the file replaces its index rather than adding one. */
static int cache_path(const char *path, char *buf, size_t size) {
  char full[PATH_MAX];
  char file[64];
  if (realpath(path, full) == NULL)
    return -errno;
  snprintf(file, sizeof(file), "zone-%016llx.idx",
           (unsigned long long)XXH3_64bits(full, strlen(full)));
  return bd_cache_path(buf, size, getenv("XDG_CACHE_HOME"), getenv("HOME"),
                       file) == 0
             ? 0
             : -ENOENT;
}

/* ---- building -------------------------------------------------------- */

static void on_soa(void *data, const uint8_t *origin, size_t len,
                   uint32_t serial) {
  struct build *bu = data;
  memcpy(bu->meta.origin, origin, len);
  bu->meta.origin_len = (uint8_t)len;
  bu->meta.serial = serial;
}

static void add(struct build *bu, const uint8_t *name, size_t len,
                enum bd_zonename kind) {
  if (bd_zoneindex_add(&bu->b, name, len, kind) != 0)
    bu->nomem = true;
}

/* Each owner goes in with its kind, and each name between it and the
 * origin as an empty non-terminal (the larger kind wins when the name
 * owns records too). A zone file lists an owner's records one after the
 * other: the repeats are skipped here, before they cost memory. */
static void on_record(void *data, const uint8_t *owner, size_t len,
                      uint16_t type) {
  struct build *bu = data;
  size_t origin_len = bu->meta.origin_len;
  enum bd_zonename kind = type == TYPE_NS ? BD_ZONENAME_CUT : BD_ZONENAME_OWNER;

  if (len == origin_len)
    return; /* the apex: the origin always exists */
  if (len == bu->last_len && kind <= bu->last_kind &&
      memcmp(owner, bu->last, len) == 0)
    return;
  add(bu, owner, len, kind);
  if (owner[0] == 1 && owner[1] == '*')
    bu->meta.wildcards = true;
  for (size_t i = (size_t)owner[0] + 1; len - i > origin_len;
       i += (size_t)owner[i] + 1)
    add(bu, owner + i, len - i, BD_ZONENAME_EMPTY);
  memcpy(bu->last, owner, len);
  bu->last_len = len;
  bu->last_kind = kind;
}

static void on_progress(void *data, uint64_t done, uint64_t size) {
  struct build *bu = data;
  if (bu->progress != NULL)
    bu->progress(bu->progress_data, bu->path, done, size);
}

/* Reads the zone file at path into bu. Returns 0, or -1 with why saying
 * what is wrong with the file (bu is then freed). */
static int read_zone(struct build *bu, const char *path, uint64_t key,
                     bd_zoneset_progress_cb progress, void *progress_data,
                     char *why, size_t why_size) {
  struct bd_zonefile_report report;
  struct bd_zonefile_visitor v = {bu, on_soa, on_record, on_progress};
  uint64_t t0 = uv_hrtime();
  int rc;

  memset(bu, 0, sizeof(*bu));
  bu->meta.key = key;
  bu->path = path;
  bu->progress = progress;
  bu->progress_data = progress_data;
  rc = bd_zonefile_read(path, &v, &report);
  if (rc == 0 && bu->nomem) {
    rc = -1;
    snprintf(report.what, sizeof(report.what), "out of memory");
  }
  if (rc != 0) {
    if (report.line > 0)
      snprintf(why, why_size, "%s:%lu: %s", path, report.line, report.what);
    else
      snprintf(why, why_size, "%s: %s", path, report.what);
    bd_zoneindex_builder_free(&bu->b);
    return -1;
  }
  bu->records = report.records;
  bu->outside = report.outside;
  bu->t0 = t0;
  return 0;
}

/* ---- opening --------------------------------------------------------- */

static void name_to_text(const uint8_t *wire, size_t len, char *out,
                         size_t cap) {
  size_t o = 0;
  if (len <= 1) {
    snprintf(out, cap, ".");
    return;
  }
  for (size_t i = 0; i < len && wire[i] != 0; i += (size_t)wire[i] + 1) {
    for (size_t k = 1; k <= wire[i] && o + 5 < cap; k++) {
      unsigned char c = wire[i + k];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '*')
        out[o++] = (char)c;
      else
        o += (size_t)snprintf(out + o, cap - o, "\\%03u", c);
    }
    if (o + 1 < cap && i + wire[i] + 1 < len - 1)
      out[o++] = '.';
  }
  out[o] = '\0';
}

/* Where an index goes when the cache directory cannot have it: a
 * temporary file, unlinked once mapped. */
static void temporary_path(char *buf, size_t size) {
  const char *tmp = getenv("TMPDIR");
  snprintf(buf, size, "%s/blogdom-zone-%ld.idx",
           tmp != NULL && tmp[0] == '/' ? tmp : "/tmp", (long)getpid());
}

/* Builds the index of z's file at index_path, or in a temporary file when
 * that cannot be written (the file is read once either way), and maps
 * it. */
static int build_and_map(struct zone *z, uint64_t key, char *index_path,
                         size_t index_size, bool temporary,
                         bd_zoneset_progress_cb progress, void *progress_data,
                         char *why, size_t why_size) {
  struct build bu;
  int rc;

  if (read_zone(&bu, z->path, key, progress, progress_data, why, why_size) != 0)
    return -1;
  rc = bd_zoneindex_save(&bu.b, &bu.meta, index_path);
  if (rc != 0 && !temporary) {
    bd_warnf("cannot keep the index of %s in %s (%s): it is built again on "
             "every run",
             z->path, index_path, strerror(-rc));
    temporary_path(index_path, index_size);
    temporary = true;
    rc = bd_zoneindex_save(&bu.b, &bu.meta, index_path);
  }
  bd_zoneindex_builder_free(&bu.b);
  if (rc != 0) {
    snprintf(why, why_size, "%s: cannot write its index %s: %s", z->path,
             index_path, strerror(-rc));
    return -1;
  }
  bd_debugf("zone file %s: %llu records (%llu outside its zone) indexed in "
            "%.1f s",
            z->path, (unsigned long long)bu.records,
            (unsigned long long)bu.outside,
            (double)(uv_hrtime() - bu.t0) / 1e9);
  rc = bd_zoneindex_open(&z->index, index_path);
  if (temporary)
    unlink(index_path);
  if (rc != 0) {
    snprintf(why, why_size, "%s: cannot read its index %s: %s", z->path,
             index_path, strerror(-rc));
    return -1;
  }
  return 0;
}

/* Maps the index of z's file, building it first when the cache has none
 * for the file as it is now. */
static int open_zone(struct zone *z, bd_zoneset_progress_cb progress,
                     void *progress_data, char *why, size_t why_size) {
  char index_path[PATH_MAX];
  uint64_t key;
  int rc = identity(z->path, &key);
  bool temporary = false;

  if (rc != 0) {
    snprintf(why, why_size, "%s: %s", z->path, strerror(-rc));
    return -1;
  }
  if (cache_path(z->path, index_path, sizeof(index_path)) != 0) {
    temporary_path(index_path, sizeof(index_path));
    temporary = true;
  }
  rc = bd_zoneindex_open(&z->index, index_path);
  if (rc == 0 && bd_zoneindex_meta(z->index)->key == key) {
    bd_debugf("zone file %s: index %s", z->path, index_path);
    return 0;
  }
  bd_zoneindex_close(z->index);
  z->index = NULL;
  return build_and_map(z, key, index_path, sizeof(index_path), temporary,
                       progress, progress_data, why, why_size);
}

static void describe(struct zone *z) {
  const struct bd_zoneindex_meta *m = bd_zoneindex_meta(z->index);
  name_to_text(m->origin, m->origin_len, z->origin, sizeof(z->origin));
  snprintf(z->evidence, sizeof(z->evidence), "zone:%s@%lu", z->origin,
           (unsigned long)m->serial);
}

/* Two files of one zone would judge its names twice over: which one is
 * meant is the user's to say. */
static int check_distinct(const struct bd_zoneset *set, size_t i, char *why,
                          size_t why_size) {
  for (size_t k = 0; k < i; k++) {
    if (strcmp(set->zones[k].origin, set->zones[i].origin) == 0) {
      snprintf(why, why_size, "--zone %s and --zone %s are both the zone %s",
               set->zones[k].path, set->zones[i].path, set->zones[i].origin);
      return -1;
    }
  }
  return 0;
}

int bd_zoneset_open(struct bd_zoneset **out, char *const *paths, size_t n,
                    bd_zoneset_progress_cb progress, void *progress_data,
                    char *why, size_t why_size) {
  struct bd_zoneset *set = calloc(1, sizeof(*set));

  *out = NULL;
  if (set == NULL || (set->zones = calloc(n, sizeof(*set->zones))) == NULL) {
    free(set);
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    struct zone *z = &set->zones[i];
    z->path = paths[i];
    set->n = i + 1;
    if (open_zone(z, progress, progress_data, why, why_size) != 0)
      goto fail;
    describe(z);
    if (check_distinct(set, i, why, why_size) != 0)
      goto fail;
    bd_debugf("zone %s from %s: serial %lu, %llu names, index of %llu bytes",
              z->origin, z->path,
              (unsigned long)bd_zoneindex_meta(z->index)->serial,
              (unsigned long long)bd_zoneindex_count(z->index),
              (unsigned long long)bd_zoneindex_bytes(z->index));
  }
  *out = set;
  return 0;

fail:
  bd_zoneset_free(set);
  return -1;
}

void bd_zoneset_free(struct bd_zoneset *set) {
  if (set == NULL)
    return;
  for (size_t i = 0; i < set->n; i++)
    bd_zoneindex_close(set->zones[i].index);
  free(set->zones);
  free(set);
}

/* ---- judging --------------------------------------------------------- */

/* "a.b" into "\1a\1b\0"; false when it cannot be a name. */
static bool text_to_wire(const char *name, size_t len, uint8_t *out,
                         size_t *out_len) {
  size_t o = 0;
  size_t start = 0;
  if (len == 0 || len > 253)
    return false;
  for (size_t i = 0; i <= len; i++) {
    if (i < len && name[i] != '.')
      continue;
    size_t label = i - start;
    if (label == 0 || label > 63)
      return false;
    out[o++] = (uint8_t)label;
    memcpy(out + o, name + start, label);
    o += label;
    start = i + 1;
  }
  out[o++] = 0;
  *out_len = o;
  return true;
}

bool bd_zoneset_judge(const struct bd_zoneset *set, const char *name,
                      size_t len, bool wildcard_check, struct bd_verdict *v,
                      const char **evidence) {
  uint8_t wire[256];
  size_t wire_len;
  enum bd_zonematch match;
  const struct zone *best = NULL;
  size_t best_len = 0;

  if (set == NULL || !text_to_wire(name, len, wire, &wire_len))
    return false;
  for (size_t i = 0; i < set->n; i++) {
    const struct bd_zoneindex_meta *m = bd_zoneindex_meta(set->zones[i].index);
    if (m->origin_len > best_len &&
        bd_zonefile_within(wire, wire_len, m->origin, m->origin_len)) {
      best = &set->zones[i];
      best_len = m->origin_len;
    }
  }
  if (best == NULL)
    return false;
  match = bd_zoneindex_match(best->index, wire, wire_len);
  bd_verdict_from_zone(v, match != BD_ZONEMATCH_NONE);
  if (match == BD_ZONEMATCH_WILDCARD && wildcard_check)
    bd_verdict_apply_wildcard(v);
  *evidence = best->evidence;
  return true;
}
