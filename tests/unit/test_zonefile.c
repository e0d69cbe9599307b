/* Zone files read whole across block edges, plain and gzip, refused at
 * the line at fault (zonefile.c); their names' index, built, mapped and
 * asked as the zone's servers would answer (zoneindex.c). */
#include "unit.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "blogdom/zonefile.h"
#include "blogdom/zoneindex.h"

/* What a read heard. */
struct heard {
  char origin[64];
  uint32_t serial;
  unsigned soas; /* on_soa calls */
  uint64_t records;
  uint64_t ns;
  uint64_t sum; /* of the owners' fingerprints, in any order */
  struct bd_zoneindex_builder b;
};

static void wire_to_text(const uint8_t *w, size_t len, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < len && w[i] != 0; i += (size_t)w[i] + 1) {
    memcpy(out + o, w + i + 1, w[i]);
    o += w[i];
    out[o++] = '.';
  }
  out[o] = '\0';
}

static void on_soa(void *data, const uint8_t *origin, size_t len,
                   uint32_t serial) {
  struct heard *h = data;
  wire_to_text(origin, len, h->origin);
  h->serial = serial;
  h->soas++;
}

static void on_record(void *data, const uint8_t *owner, size_t len,
                      uint16_t type) {
  struct heard *h = data;
  h->records++;
  h->ns += type == 2;
  h->sum += bd_zoneindex_fingerprint(owner, len);
}

static struct bd_zonefile_visitor visitor(struct heard *h) {
  struct bd_zonefile_visitor v = {h, on_soa, on_record, NULL};
  return v;
}

static char *temp_path(const char *tag) {
  static char paths[8][64];
  static int next;
  char *p = paths[next++ % 8];
  int fd;
  snprintf(p, 64, "/tmp/test_zonefile_%s.XXXXXX", tag);
  fd = mkstemp(p);
  assert_true(fd >= 0);
  close(fd);
  return p;
}

static char *write_file(const char *tag, const char *text, size_t len) {
  char *p = temp_path(tag);
  FILE *f = fopen(p, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(text, 1, len, f), len);
  fclose(f);
  return p;
}

static char *write_gzip(const char *text, size_t len) {
  char *p = temp_path("gz");
  gzFile gz = gzopen(p, "wb");
  assert_non_null(gz);
  assert_int_equal(gzwrite(gz, text, (unsigned)len), (int)len);
  assert_int_equal(gzclose(gz), Z_OK);
  return p;
}

static int read_zone(const char *path, struct heard *h,
                     struct bd_zonefile_report *r) {
  struct bd_zonefile_visitor v = visitor(h);
  memset(h, 0, sizeof(*h));
  return bd_zonefile_read(path, &v, r);
}

static void to_wire(const char *text, uint8_t *w, size_t *len) {
  size_t o = 0;
  const char *s = text;
  while (*s != '\0') {
    const char *dot = strchr(s, '.');
    size_t n = dot != NULL ? (size_t)(dot - s) : strlen(s);
    w[o++] = (uint8_t)n;
    memcpy(w + o, s, n);
    o += n;
    s += n + (dot != NULL);
  }
  w[o++] = 0;
  *len = o;
}

static uint64_t fp_of(const char *text) {
  uint8_t w[256];
  size_t len;
  to_wire(text, w, &len);
  return bd_zoneindex_fingerprint(w, len);
}

static const char small_zone[] =
    "; relative names, directives, parentheses and comments\n"
    "$ORIGIN Dev.\n"
    "$TTL 300\n"
    "@ IN SOA ns1 host ( 2026120301 ; serial\n"
    "   3600 900 ) 604800 300\n"
    "@ NS ns1\n"
    "FOO NS ns1.foo ; the owner is lowered\n"
    "  NS ns2.foo\n"
    "bar.example. A 192.0.2.1\n"
    "txt TXT \"a ; ( quoted\" \"b\"\n";

static void test_directives_relative_names_and_outside_records(void **state) {
  struct heard h;
  struct bd_zonefile_report r;
  char *path = write_file("small", small_zone, sizeof(small_zone) - 1);
  (void)state;

  assert_int_equal(read_zone(path, &h, &r), 0);
  assert_string_equal(h.origin, "dev.");
  assert_int_equal(h.serial, 2026120301u);
  assert_int_equal(h.soas, 1);
  /* SOA, NS at the apex, two NS of foo, TXT; bar.example. is outside. */
  assert_int_equal(r.records, 5);
  assert_int_equal(h.records, 5);
  assert_int_equal(r.outside, 1);
  assert_int_equal(h.ns, 3);
  assert_int_equal(h.sum,
                   2 * fp_of("dev") + 2 * fp_of("foo.dev") + fp_of("txt.dev"));
  unlink(path);
}

/* A zone of several MiB whose records span lines, with parentheses and
 * semicolons inside quotes and comments: blocks of 1 MiB must still end
 * between records, so every record is read once. */
static char *big_zone(size_t *len, uint64_t *sum, uint64_t *records) {
  size_t cap = 6u << 20;
  char *z = malloc(cap);
  size_t n = 0;
  assert_non_null(z);
  n += (size_t)snprintf(z, cap, "big. 60 IN SOA ns. h. 7 1 1 1 1\n");
  *sum = fp_of("big");
  *records = 1;
  for (unsigned i = 0; n + 200 < cap; i++) {
    char owner[32];
    snprintf(owner, sizeof(owner), "n%u.big", i);
    if (i % 3 == 0)
      n += (size_t)snprintf(z + n, cap - n,
                            "%s. 60 IN TXT ( \"x ) ; y\"\n  \"(\" ) ; (\n",
                            owner);
    else if (i % 3 == 1)
      n += (size_t)snprintf(z + n, cap - n, "%s. 60 IN NS ns1.h.\n", owner);
    else
      n += (size_t)snprintf(z + n, cap - n, "%s. 60 IN MX ( 10\n\n   mx.h. )\n",
                            owner);
    *sum += fp_of(owner);
    ++*records;
  }
  *len = n;
  return z;
}

/* The big zone, its expected reading, and a gzip copy of it on disk. */
struct big {
  char *text;
  size_t len;
  uint64_t sum;
  uint64_t records;
  char *gz;
};

static void make_big(struct big *b) {
  b->text = big_zone(&b->len, &b->sum, &b->records);
  b->gz = write_gzip(b->text, b->len);
}

static void free_big(struct big *b) {
  unlink(b->gz);
  free(b->text);
}

static void test_records_across_block_edges_plain_and_gzip(void **state) {
  struct heard h;
  struct bd_zonefile_report r;
  struct big b;
  char *plain;
  (void)state;

  make_big(&b);
  plain = write_file("big", b.text, b.len);
  assert_int_equal(read_zone(plain, &h, &r), 0);
  assert_int_equal(h.records, b.records);
  assert_int_equal(h.sum, b.sum);
  assert_int_equal(read_zone(b.gz, &h, &r), 0);
  assert_int_equal(h.records, b.records);
  assert_int_equal(h.sum, b.sum);
  unlink(plain);
  free_big(&b);
}

/* A gzip file cut short is an error, never the part that was read. */
static void test_truncated_gzip_is_an_error(void **state) {
  struct heard h;
  struct bd_zonefile_report r;
  struct big b;
  FILE *f;
  long size;
  char *data;
  char *cut;
  (void)state;

  make_big(&b);
  f = fopen(b.gz, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  size = ftell(f);
  rewind(f);
  data = malloc((size_t)size);
  assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
  fclose(f);
  cut = write_file("cut", data, (size_t)size / 2);
  assert_int_equal(read_zone(cut, &h, &r), -1);
  assert_int_equal(r.line, 0);
  assert_non_null(strstr(r.what, "truncated"));
  unlink(cut);
  free(data);
  free_big(&b);
}

static void expect_refusal(const char *text, unsigned long line,
                           const char *what) {
  struct heard h;
  struct bd_zonefile_report r;
  char *path = write_file("bad", text, strlen(text));
  assert_int_equal(read_zone(path, &h, &r), -1);
  assert_int_equal(r.line, line);
  if (strstr(r.what, what) == NULL)
    fail_msg("\"%s\" does not say \"%s\"", r.what, what);
  unlink(path);
}

static void test_refusals_name_the_line(void **state) {
  (void)state;
  expect_refusal("$ORIGIN dev.\n@ SOA a b 1 2 3 4 5\nok A 192.0.2.1\n"
                 "; fine\nbad A 999.1.1.1\nlater A 192.0.2.2\n",
                 5, "");
  expect_refusal("$ORIGIN dev.\nfoo A 192.0.2.1\n@ SOA a b 1 2 3 4 5\n", 2,
                 "first record is not the zone's SOA");
  expect_refusal("", 0, "no SOA");
  /* a file from elsewhere reads no file of this machine */
  expect_refusal("$ORIGIN dev.\n@ SOA a b 1 2 3 4 5\n$INCLUDE /etc/hosts\n", 3,
                 "$INCLUDE is not supported");
  expect_refusal("; only a comment\n", 0, "no SOA");
  expect_refusal("$ORIGIN dev.\n@ SOA a b ( 1 2 3 4 5\nfoo A 192.0.2.1\n", 4,
                 "");
}

static void test_missing_file_and_directory(void **state) {
  struct heard h;
  struct bd_zonefile_report r;
  (void)state;
  assert_int_equal(read_zone("/nonexistent/zone", &h, &r), -1);
  assert_non_null(strstr(r.what, "No such file"));
  assert_int_equal(read_zone("/tmp", &h, &r), -1);
  assert_non_null(strstr(r.what, "directory"));
}

/* ---- the index -------------------------------------------------------- */

static void add(struct bd_zoneindex_builder *b, const char *name,
                enum bd_zonename kind) {
  uint8_t w[256];
  size_t len;
  to_wire(name, w, &len);
  assert_int_equal(bd_zoneindex_add(b, w, len, kind), 0);
}

static enum bd_zonematch match(const struct bd_zoneindex *z, const char *name) {
  uint8_t w[256];
  size_t len;
  to_wire(name, w, &len);
  return bd_zoneindex_match(z, w, len);
}

/* The names a zone file of dev. gives the index (zoneset.c adds the
 * empty non-terminals the same way). */
static struct bd_zoneindex *dev_index(char **path, bool wildcards) {
  struct bd_zoneindex_builder b = {0};
  struct bd_zoneindex_meta meta;
  struct bd_zoneindex *z;

  memset(&meta, 0, sizeof(meta));
  to_wire("dev", meta.origin, &(size_t){0});
  meta.origin_len = 5;
  meta.serial = 9;
  meta.key = 42;
  meta.wildcards = wildcards;
  add(&b, "deleg.dev", BD_ZONENAME_CUT);
  add(&b, "ns1.deleg.dev", BD_ZONENAME_OWNER); /* glue */
  add(&b, "deleg.dev", BD_ZONENAME_EMPTY);
  add(&b, "host.dev", BD_ZONENAME_OWNER);
  add(&b, "deep.empty.dev", BD_ZONENAME_OWNER);
  add(&b, "empty.dev", BD_ZONENAME_EMPTY);
  add(&b, "host.dev", BD_ZONENAME_OWNER); /* a second record */
  if (wildcards) {
    add(&b, "*.wild.dev", BD_ZONENAME_OWNER);
    add(&b, "wild.dev", BD_ZONENAME_EMPTY);
  }
  for (int i = 0; i < 5000; i++) {
    char name[32];
    snprintf(name, sizeof(name), "d%d.dev", i);
    add(&b, name, BD_ZONENAME_CUT);
  }
  *path = temp_path("idx");
  assert_int_equal(bd_zoneindex_save(&b, &meta, *path), 0);
  assert_null(b.tagged);
  assert_int_equal(bd_zoneindex_open(&z, *path), 0);
  return z;
}

static void test_index_answers_as_the_zone_would(void **state) {
  char *path;
  struct bd_zoneindex *z = dev_index(&path, false);
  (void)state;

  assert_int_equal(bd_zoneindex_count(z), 5005);
  assert_int_equal(bd_zoneindex_meta(z)->serial, 9);
  assert_int_equal(bd_zoneindex_meta(z)->key, 42);
  assert_int_equal(match(z, "dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "host.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "d4999.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "d5000.dev"), BD_ZONEMATCH_NONE);
  /* an empty non-terminal exists (RFC 8020); below it, nothing does */
  assert_int_equal(match(z, "empty.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "deep.empty.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "other.empty.dev"), BD_ZONEMATCH_NONE);
  /* below a name that owns records but is no delegation: NXDOMAIN */
  assert_int_equal(match(z, "www.host.dev"), BD_ZONEMATCH_NONE);
  /* a delegation owns everything below it, glue or not */
  assert_int_equal(match(z, "deleg.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "www.deleg.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "a.ns1.deleg.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(bd_zoneindex_find(z, (const uint8_t *)"\5deleg\3dev", 11),
                   BD_ZONENAME_CUT);
  assert_int_equal(match(z, "nowhere.dev"), BD_ZONEMATCH_NONE);
  bd_zoneindex_close(z);
  unlink(path);
}

static void test_wildcards_match_below_their_encloser(void **state) {
  char *path;
  struct bd_zoneindex *z = dev_index(&path, true);
  (void)state;

  assert_int_equal(match(z, "wild.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "a.wild.dev"), BD_ZONEMATCH_WILDCARD);
  assert_int_equal(match(z, "a.b.wild.dev"), BD_ZONEMATCH_WILDCARD);
  assert_int_equal(match(z, "*.wild.dev"), BD_ZONEMATCH_NAME);
  assert_int_equal(match(z, "nowhere.dev"), BD_ZONEMATCH_NONE);
  bd_zoneindex_close(z);
  unlink(path);
}

/* Every name put in is found with its kind, and names never put in are
 * not, whatever the zone's size: lookups start at a guess within their
 * bucket and must find names at its edges too. */
static void test_every_name_in_is_found_and_no_other(void **state) {
  static const size_t sizes[] = {1, 255, 256, 513, 100000};
  (void)state;

  for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
    struct bd_zoneindex_builder b = {0};
    struct bd_zoneindex_meta meta;
    struct bd_zoneindex *z;
    char *path = temp_path("many");
    char name[32];

    memset(&meta, 0, sizeof(meta));
    meta.origin_len = 1;
    for (size_t i = 0; i < sizes[s]; i++) {
      snprintf(name, sizeof(name), "n%zu.x", i);
      add(&b, name, (enum bd_zonename)(1 + i % 3));
    }
    assert_int_equal(bd_zoneindex_save(&b, &meta, path), 0);
    assert_int_equal(bd_zoneindex_open(&z, path), 0);
    assert_int_equal(bd_zoneindex_count(z), sizes[s]);
    for (size_t i = 0; i < 2 * sizes[s]; i++) {
      uint8_t w[64];
      size_t len;
      snprintf(name, sizeof(name), "n%zu.x", i);
      to_wire(name, w, &len);
      assert_int_equal(bd_zoneindex_find(z, w, len),
                       i < sizes[s] ? (enum bd_zonename)(1 + i % 3)
                                    : BD_ZONENAME_NONE);
    }
    bd_zoneindex_close(z);
    unlink(path);
  }
}

/* An index cut short or with a byte changed is refused, to be built
 * again, never read as a smaller or different zone. */
static void test_damaged_index_is_refused(void **state) {
  char *path;
  struct bd_zoneindex *z = dev_index(&path, false);
  uint64_t size = bd_zoneindex_bytes(z);
  FILE *f;
  int c;
  (void)state;

  bd_zoneindex_close(z);
  f = fopen(path, "r+b");
  assert_non_null(f);
  fseek(f, (long)size - 3, SEEK_SET);
  c = fgetc(f);
  fseek(f, (long)size - 3, SEEK_SET);
  fputc(c ^ 0x10, f);
  fclose(f);
  assert_int_equal(bd_zoneindex_open(&z, path), -EINVAL);
  assert_null(z);
  assert_int_equal(truncate(path, (off_t)size - 8), 0);
  assert_int_equal(bd_zoneindex_open(&z, path), -EINVAL);
  assert_int_equal(truncate(path, 100), 0);
  assert_int_equal(bd_zoneindex_open(&z, path), -EINVAL);
  unlink(path);
  assert_int_equal(bd_zoneindex_open(&z, path), -ENOENT);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_directives_relative_names_and_outside_records),
      cmocka_unit_test(test_records_across_block_edges_plain_and_gzip),
      cmocka_unit_test(test_truncated_gzip_is_an_error),
      cmocka_unit_test(test_refusals_name_the_line),
      cmocka_unit_test(test_missing_file_and_directory),
      cmocka_unit_test(test_index_answers_as_the_zone_would),
      cmocka_unit_test(test_wildcards_match_below_their_encloser),
      cmocka_unit_test(test_every_name_in_is_found_and_no_other),
      cmocka_unit_test(test_damaged_index_is_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
