/* The table of WHOIS servers by suffix: lines of text (the built-in data,
 * or a file of the same format) into a sorted table, and longest-suffix
 * lookups, as rdapboot.c does for RDAP's base URLs. */
#include "blogdom/whoisdb.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/cachefile.h"
#include "blogdom/names.h"
#include "blogdom/rdapboot.h"

/* The lines of data/whois-servers.txt, made by cmake/EmbedLines.cmake. */
extern const char *const bd_whoisdb_builtin_lines[];
extern const size_t bd_whoisdb_builtin_lines_count;

#define DATE_PREFIX "# date:"

struct bd_whoisdb_entry {
  char *suffix;
  char *server;
  size_t rank; /* order of appearance: the first of duplicates wins */
};

/* ---- one line -------------------------------------------------------- */

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

/* The next word of line[*at..len), its start in *word; its length, 0 at
 * the end. */
static size_t next_word(const char *line, size_t len, size_t *at,
                        const char **word) {
  size_t start = *at;
  while (start < len && is_blank(line[start]))
    start++;
  *at = start;
  while (*at < len && !is_blank(line[*at]))
    (*at)++;
  *word = line + start;
  return *at - start;
}

/* A suffix is letters, digits, hyphens and inner dots, as in a DNS name
 * in A-label form; a trailing dot is dropped. */
static bool valid_suffix(const char *s, size_t n) {
  if (n == 0 || n > BD_NAME_MAX || s[0] == '.')
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
      return false;
  return true;
}

/* A server is a host name or an address and port: printable, no blanks.
 * What it names is checked when it is asked (whois.c). */
static bool valid_server(const char *s, size_t n) {
  if (n == 0 || n > BD_WHOISDB_SERVER_MAX)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isgraph((unsigned char)s[i]))
      return false;
  return true;
}

static char *copy_lower(const char *s, size_t n) {
  char *copy = malloc(n + 1);
  if (copy == NULL)
    return NULL;
  for (size_t i = 0; i < n; i++)
    copy[i] = (char)tolower((unsigned char)s[i]);
  copy[n] = '\0';
  return copy;
}

static int add_entry(struct bd_whoisdb *db, const char *suffix, size_t slen,
                     const char *server, size_t vlen) {
  struct bd_whoisdb_entry *e;

  if (db->nentries == db->cap) {
    size_t cap = db->cap ? db->cap * 2 : 256;
    void *p = realloc(db->entries, cap * sizeof(*db->entries));
    if (p == NULL)
      return -ENOMEM;
    db->entries = p;
    db->cap = cap;
  }
  e = &db->entries[db->nentries];
  e->suffix = copy_lower(suffix, slen);
  e->server = copy_lower(server, vlen);
  if (e->suffix == NULL || e->server == NULL) {
    free(e->suffix);
    free(e->server);
    return -ENOMEM;
  }
  e->rank = db->nentries++;
  return 0;
}

/* Keeps the date of a "# date: YYYY-MM-DD" comment. */
static void read_comment(struct bd_whoisdb *db, const char *line, size_t len) {
  size_t n = strlen(DATE_PREFIX);
  size_t at = n;
  const char *word;
  size_t wlen;

  if (len < n || strncmp(line, DATE_PREFIX, n) != 0)
    return;
  wlen = next_word(line, len, &at, &word);
  if (wlen > 0 && wlen < sizeof(db->date)) {
    memcpy(db->date, word, wlen);
    db->date[wlen] = '\0';
  }
}

/* One line of the table. Returns 0, -1 when malformed, or -ENOMEM. */
static int add_line(struct bd_whoisdb *db, const char *line, size_t len) {
  const char *suffix;
  const char *server;
  const char *extra;
  size_t at = 0;
  size_t slen = next_word(line, len, &at, &suffix);
  size_t vlen;

  if (slen == 0)
    return 0;
  if (suffix[0] == '#') {
    read_comment(db, suffix, len - (size_t)(suffix - line));
    return 0;
  }
  vlen = next_word(line, len, &at, &server);
  if (next_word(line, len, &at, &extra) != 0)
    return -1;
  if (slen > 1 && suffix[slen - 1] == '.')
    slen--;
  if (!valid_suffix(suffix, slen) || !valid_server(server, vlen))
    return -1;
  return add_entry(db, suffix, slen, server, vlen);
}

/* ---- the table ------------------------------------------------------- */

static int by_suffix_then_rank(const void *a, const void *b) {
  const struct bd_whoisdb_entry *x = a;
  const struct bd_whoisdb_entry *y = b;
  int c = strcmp(x->suffix, y->suffix);
  if (c != 0)
    return c;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Sorts the entries for bsearch() and drops all but the first of each
 * suffix. */
static void finish(struct bd_whoisdb *db) {
  size_t kept = 0;
  if (db->nentries == 0)
    return;
  qsort(db->entries, db->nentries, sizeof(*db->entries), by_suffix_then_rank);
  for (size_t i = 0; i < db->nentries; i++) {
    if (kept > 0 &&
        strcmp(db->entries[kept - 1].suffix, db->entries[i].suffix) == 0) {
      free(db->entries[i].suffix);
      free(db->entries[i].server);
      continue;
    }
    db->entries[kept++] = db->entries[i];
  }
  db->nentries = kept;
}

int bd_whoisdb_parse(struct bd_whoisdb *db, const char *text, size_t len,
                     unsigned *bad_line) {
  size_t at = 0;
  unsigned lineno = 0;
  int rc = 0;

  memset(db, 0, sizeof(*db));
  while (rc == 0 && at < len) {
    const char *nl = memchr(text + at, '\n', len - at);
    size_t end = nl != NULL ? (size_t)(nl - text) : len;
    lineno++;
    rc = add_line(db, text + at, end - at);
    at = end + 1;
  }
  if (rc != 0) {
    if (rc == -1 && bad_line != NULL)
      *bad_line = lineno;
    bd_whoisdb_free(db);
    return rc;
  }
  finish(db);
  return 0;
}

int bd_whoisdb_builtin(struct bd_whoisdb *db) {
  memset(db, 0, sizeof(*db));
  for (size_t i = 0; i < bd_whoisdb_builtin_lines_count; i++) {
    const char *line = bd_whoisdb_builtin_lines[i];
    /* The shipped data is checked by its unit test: only memory fails. */
    if (add_line(db, line, strlen(line)) == -ENOMEM) {
      bd_whoisdb_free(db);
      return -ENOMEM;
    }
  }
  finish(db);
  return 0;
}

int bd_whoisdb_load(struct bd_whoisdb *db, const char *path,
                    unsigned *bad_line) {
  char *data = NULL;
  size_t len = 0;
  int rc = bd_rdapboot_read_file(path, &data, &len);

  memset(db, 0, sizeof(*db));
  if (rc != 0)
    return rc;
  rc = bd_whoisdb_parse(db, data, len, bad_line);
  free(data);
  return rc == -1 ? -EINVAL : rc;
}

static int by_suffix(const void *key, const void *elem) {
  const struct bd_whoisdb_entry *e = elem;
  return strcmp(key, e->suffix);
}

const char *bd_whoisdb_lookup(const struct bd_whoisdb *db, const char *domain) {
  char name[BD_NAME_MAX + 1];
  size_t n = strlen(domain);

  if (n > 0 && domain[n - 1] == '.')
    n--;
  if (n == 0 || n > BD_NAME_MAX || db->nentries == 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    name[i] = (char)tolower((unsigned char)domain[i]);
  name[n] = '\0';
  /* The whole name first, then one label fewer each time: the first hit
   * is the longest matching suffix. */
  for (const char *s = name; s != NULL; s = strchr(s, '.')) {
    const struct bd_whoisdb_entry *e;
    if (*s == '.')
      s++;
    e = bsearch(s, db->entries, db->nentries, sizeof(*e), by_suffix);
    if (e != NULL)
      return e->server;
  }
  return NULL;
}

void bd_whoisdb_free(struct bd_whoisdb *db) {
  for (size_t i = 0; i < db->nentries; i++) {
    free(db->entries[i].suffix);
    free(db->entries[i].server);
  }
  free(db->entries);
  memset(db, 0, sizeof(*db));
}

int bd_whoisdb_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                          const char *home) {
  return bd_cache_path(buf, size, xdg_cache_home, home, "whois-servers.txt");
}
