/* Zone files through libzscanner (Knot DNS), fed from zlib in blocks
 * that end between records. */
#include "blogdom/zonefile.h"

#include <errno.h>
#include <fcntl.h>
#include <libzscanner/scanner.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define TYPE_SOA 6
#define BLOCK (1u << 20)
/* A record longer than this (a parenthesized one that never closes, or
 * no newline at all) is not a zone file's. */
#define MAX_BLOCK (64u << 20)

struct reader {
  zs_scanner_t zs;
  const struct bd_zonefile_visitor *visitor;
  struct bd_zonefile_report *report;
  uint8_t origin[256];
  size_t origin_len; /* 0 until the SOA is read */
  /* The scanner ends every block with a newline of its own, which its
   * line counter counts. */
  unsigned long added_lines;
  bool failed;
};

static void fail(struct reader *r, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct reader *r, unsigned long line, const char *fmt, ...) {
  va_list ap;
  r->failed = true;
  r->report->line = line;
  va_start(ap, fmt);
  vsnprintf(r->report->what, sizeof(r->report->what), fmt, ap);
  va_end(ap);
}

static unsigned long current_line(const struct reader *r) {
  return (unsigned long)r->zs.line_counter - r->added_lines;
}

/* Lower-cases the letters of a wire-form name, leaving its length
 * octets alone. */
static void lower_name(uint8_t *out, const uint8_t *in, size_t len) {
  size_t i = 0;
  while (i < len) {
    size_t label = in[i];
    out[i] = in[i];
    for (size_t k = i + 1; k <= i + label && k < len; k++)
      out[k] = in[k] >= 'A' && in[k] <= 'Z' ? (uint8_t)(in[k] | 0x20) : in[k];
    i += label + 1;
  }
}

bool bd_zonefile_within(const uint8_t *name, size_t len, const uint8_t *origin,
                        size_t origin_len) {
  size_t i = 0;
  while (i < len && len - i > origin_len)
    i += (size_t)name[i] + 1;
  return len - i == origin_len && memcmp(name + i, origin, origin_len) == 0;
}

/* The serial of an SOA's data: after two names, the first of five 32-bit
 * numbers (RFC 1035 3.3.13). */
static bool soa_serial(const uint8_t *rdata, size_t len, uint32_t *serial) {
  size_t i = 0;
  for (int names = 0; names < 2; names++) {
    while (i < len && rdata[i] != 0)
      i += (size_t)rdata[i] + 1;
    i++;
  }
  if (i + 20 > len)
    return false;
  *serial = (uint32_t)rdata[i] << 24 | (uint32_t)rdata[i + 1] << 16 |
            (uint32_t)rdata[i + 2] << 8 | rdata[i + 3];
  return true;
}

static void take_soa(struct reader *r, const uint8_t *owner, size_t len) {
  uint32_t serial;
  if (!soa_serial(r->zs.r_data, r->zs.r_data_length, &serial)) {
    fail(r, current_line(r), "the SOA record's data is cut short");
    return;
  }
  memcpy(r->origin, owner, len);
  r->origin_len = len;
  r->visitor->on_soa(r->visitor->data, owner, len, serial);
}

static void take_record(struct reader *r) {
  zs_scanner_t *zs = &r->zs;
  uint8_t owner[sizeof(zs->r_owner)];
  size_t len = zs->r_owner_length;

  lower_name(owner, zs->r_owner, len);
  if (r->origin_len == 0) {
    if (zs->r_type != TYPE_SOA) {
      fail(r, current_line(r),
           "the first record is not the zone's SOA (RFC 1035 5.2)");
      return;
    }
    take_soa(r, owner, len);
    if (r->failed)
      return;
  }
  if (!bd_zonefile_within(owner, len, r->origin, r->origin_len)) {
    r->report->outside++;
    return;
  }
  r->report->records++;
  r->visitor->on_record(r->visitor->data, owner, len, zs->r_type);
}

/* Where the block may end: after its last newline that is outside
 * parentheses, quotes and comments, so that every record lies whole in
 * one block. 0: no such place yet. */
static size_t record_boundary(const char *buf, size_t len) {
  int depth = 0;
  bool quoted = false;
  bool comment = false;
  size_t end = len;

  if (memchr(buf, '(', len) == NULL) {
    while (end > 0 && buf[end - 1] != '\n')
      end--;
    return end;
  }
  end = 0;
  for (size_t i = 0; i < len; i++) {
    char c = buf[i];
    if (comment) {
      comment = c != '\n';
    } else if (c == '\\') {
      i++; /* the escaped character is data, whatever it is */
      continue;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (quoted) {
      continue;
    } else if (c == ';') {
      comment = true;
    } else if (c == '(') {
      depth++;
    } else if (c == ')') {
      depth -= depth > 0;
    }
    if (buf[i] == '\n' && !comment && !quoted && depth == 0)
      end = i + 1;
  }
  return end;
}

/* Parses one block record by record. $INCLUDE is refused: a zone file
 * from elsewhere must not make blogdom read files of this machine, and
 * the zone services never use it. */
static void parse_block(struct reader *r, const char *block, size_t len) {
  if (len == 0 || zs_set_input_string(&r->zs, block, len) != 0)
    return;
  while (!r->failed && zs_parse_record(&r->zs) == 0) {
    if (r->zs.state == ZS_STATE_DATA)
      take_record(r);
    else if (r->zs.state == ZS_STATE_ERROR)
      fail(r, current_line(r), "%s", zs_strerror(r->zs.error.code));
    else if (r->zs.state == ZS_STATE_INCLUDE)
      fail(r, current_line(r), "$INCLUDE is not supported");
    else
      break; /* the end of the block */
  }
  if (!r->failed && r->zs.error.fatal)
    fail(r, current_line(r), "%s", zs_strerror(r->zs.error.code));
  /* The scanner ends every block with a newline of its own. */
  r->added_lines++;
}

static int open_input(const char *path, gzFile *gz, uint64_t *size,
                      struct bd_zonefile_report *report) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0 || fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    snprintf(report->what, sizeof(report->what), "%s",
             fd < 0 ? strerror(errno) : "a directory, not a zone file");
    if (fd >= 0)
      close(fd);
    return -1;
  }
  *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
  *gz = gzdopen(fd, "rb");
  if (*gz == NULL) {
    close(fd);
    snprintf(report->what, sizeof(report->what), "out of memory");
    return -1;
  }
  gzbuffer(*gz, 256u << 10);
  return 0;
}

/* Reads the next piece of input after the held bytes of *buf, growing it
 * when a record does not fit. Returns the bytes read, 0 at the end, or -1
 * (the report says why). */
static int read_more(struct reader *r, gzFile gz, char **buf, size_t *cap,
                     size_t held) {
  const char *msg;
  int n;
  int err;

  if (held == *cap) {
    char *bigger = *cap < MAX_BLOCK ? realloc(*buf, *cap * 2) : NULL;
    if (bigger == NULL) {
      fail(r, current_line(r) + 1, "a record longer than %u MiB",
           MAX_BLOCK >> 20);
      return -1;
    }
    *buf = bigger;
    *cap *= 2;
  }
  n = gzread(gz, *buf + held, (unsigned)(*cap - held));
  if (n > 0)
    return n;
  msg = gzerror(gz, &err);
  if (n == 0 && err == Z_OK)
    return 0;
  if (n == 0 || err == Z_BUF_ERROR)
    fail(r, 0, "the gzip data ends too soon (a truncated file)");
  else
    fail(r, 0, "%s", err == Z_ERRNO ? strerror(errno) : msg);
  return -1;
}

static void read_blocks(struct reader *r, gzFile gz, uint64_t size,
                        size_t block) {
  size_t cap = block;
  size_t held = 0;
  char *buf = malloc(cap);

  if (buf == NULL) {
    fail(r, 0, "out of memory");
    return;
  }
  while (!r->failed) {
    int n = read_more(r, gz, &buf, &cap, held);
    size_t cut;
    if (n < 0)
      break;
    held += (size_t)n;
    cut = n == 0 ? held : record_boundary(buf, held);
    parse_block(r, buf, cut);
    memmove(buf, buf + cut, held - cut);
    held -= cut;
    if (r->visitor->on_progress != NULL)
      r->visitor->on_progress(r->visitor->data, (uint64_t)gzoffset(gz), size);
    if (n == 0)
      break;
  }
  free(buf);
}

int bd_zonefile_read(const char *path, const struct bd_zonefile_visitor *v,
                     struct bd_zonefile_report *report) {
  return bd_zonefile_read_blocks(path, v, report, BLOCK);
}

int bd_zonefile_read_blocks(const char *path,
                            const struct bd_zonefile_visitor *v,
                            struct bd_zonefile_report *report, size_t block) {
  struct reader *r;
  gzFile gz;
  uint64_t size = 0;
  int rc = -1;

  memset(report, 0, sizeof(*report));
  if (open_input(path, &gz, &size, report) != 0)
    return -1;
  /* The scanner holds its longest record's data inline: too big for a
   * stack. */
  r = calloc(1, sizeof(*r));
  if (r == NULL) {
    snprintf(report->what, sizeof(report->what), "out of memory");
    goto done;
  }
  r->visitor = v;
  r->report = report;
  if (zs_init(&r->zs, ".", 1 /* IN */, 3600) != 0) {
    snprintf(report->what, sizeof(report->what), "out of memory");
    free(r);
    goto done;
  }
  read_blocks(r, gz, size, block > 0 ? block : BLOCK);
  if (!r->failed && r->origin_len == 0)
    fail(r, 0, "no SOA record: not a zone file");
  rc = r->failed ? -1 : 0;
  zs_deinit(&r->zs);
  free(r);
done:
  gzclose(gz);
  return rc;
}
