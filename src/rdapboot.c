/* The RDAP bootstrap registry for DNS (RFC 9224): IANA's dns.json or the
 * built-in table into a sorted suffix -> base URL table, longest-suffix
 * lookups, and the disk cache that spares a fetch on every run. */
#include "blogdom/rdapboot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blogdom/cachefile.h"
#include "blogdom/common.h"
#include "blogdom/http.h"
#include "blogdom/names.h"

/* A cached copy is never trusted for longer than this, whatever its
 * max-age: a registry that moves its server should not be missed for
 * ever. */
#define MAX_AGE_CAP (7L * 24 * 60 * 60)

struct bd_rdapboot_entry {
  char *suffix;
  size_t url;  /* its service's first URL, in the table's urls */
  size_t nurl; /* and how many it has, one after the other */
  size_t rank; /* order of appearance: the first of duplicates wins */
};

/* The table while it is filled: capacities live here, not in the table. */
struct builder {
  struct bd_rdapboot *b;
  size_t entries_cap;
  size_t urls_cap;
};

static bool grow(void **items, size_t *cap, size_t count, size_t size) {
  size_t n;
  void *p;
  if (count < *cap)
    return true;
  n = *cap ? *cap * 2 : 16;
  p = realloc(*items, n * size);
  if (p == NULL)
    return false;
  *items = p;
  *cap = n;
  return true;
}

static bool is_http_url(const char *u) {
  return strncasecmp(u, "https://", 8) == 0 ||
         strncasecmp(u, "http://", 7) == 0;
}

/* Keeps a copy of url, with a '/' appended when it lacks one. Returns the
 * copy, or NULL when out of memory. */
static const char *add_url(struct builder *bl, const char *url) {
  struct bd_rdapboot *b = bl->b;
  size_t n = strlen(url);
  bool slash = n > 0 && url[n - 1] == '/';
  char *copy;

  if (!grow((void **)&b->urls, &bl->urls_cap, b->nurls, sizeof(*b->urls)))
    return NULL;
  copy = malloc(n + (slash ? 1 : 2));
  if (copy == NULL)
    return NULL;
  memcpy(copy, url, n);
  if (!slash)
    copy[n++] = '/';
  copy[n] = '\0';
  b->urls[b->nurls++] = copy;
  return copy;
}

/* Adds suffix -> url. A suffix that cannot be a DNS name's (empty, too
 * long) is skipped: it could never match. Returns false when out of
 * memory. */
static bool add_entry(struct builder *bl, const char *suffix, size_t url,
                      size_t nurl) {
  struct bd_rdapboot *b = bl->b;
  struct bd_rdapboot_entry *e;
  size_t n = strlen(suffix);

  if (n > 0 && suffix[n - 1] == '.')
    n--;
  if (n == 0 || n > BD_NAME_MAX)
    return true;
  if (!grow((void **)&b->entries, &bl->entries_cap, b->nentries,
            sizeof(*b->entries)))
    return false;
  e = &b->entries[b->nentries];
  e->suffix = malloc(n + 1);
  if (e->suffix == NULL)
    return false;
  for (size_t i = 0; i < n; i++)
    e->suffix[i] = (char)tolower((unsigned char)suffix[i]);
  e->suffix[n] = '\0';
  e->url = url;
  e->nurl = nurl;
  e->rank = b->nentries++;
  return true;
}

static int by_suffix_then_rank(const void *a, const void *b) {
  const struct bd_rdapboot_entry *x = a;
  const struct bd_rdapboot_entry *y = b;
  int c = strcmp(x->suffix, y->suffix);
  if (c != 0)
    return c;
  return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Sorts the entries for bsearch() and drops all but the first of each
 * suffix. */
static void finish(struct bd_rdapboot *b) {
  size_t kept = 0;
  if (b->nentries == 0)
    return;
  qsort(b->entries, b->nentries, sizeof(*b->entries), by_suffix_then_rank);
  for (size_t i = 0; i < b->nentries; i++) {
    if (kept > 0 &&
        strcmp(b->entries[kept - 1].suffix, b->entries[i].suffix) == 0) {
      free(b->entries[i].suffix);
      continue;
    }
    b->entries[kept++] = b->entries[i];
  }
  b->nentries = kept;
}

/* True when every element of a service's URL array is a string. */
static bool all_strings(json_t *array) {
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v) {
    if (!json_is_string(v))
      return false;
  }
  return true;
}

/* Copies a service's URLs that we can speak to into the table, the https
 * ones first, each in the order given (RFC 9224 section 3 leaves the
 * choice to the client). Returns how many, or -2 when out of memory. */
static int add_urls(struct builder *bl, json_t *urls) {
  int added = 0;
  for (int https = 1; https >= 0; https--) {
    size_t i;
    json_t *u;
    json_array_foreach(urls, i, u) {
      const char *s = json_string_value(u);
      if (!is_http_url(s) || (strncasecmp(s, "https://", 8) == 0) != https)
        continue;
      if (add_url(bl, s) == NULL)
        return -2;
      added++;
    }
  }
  return added;
}

/* One service, [[suffix, ...], [url, ...]]. Returns 0, -1 when it is
 * malformed, -2 when out of memory. */
static int add_service(struct builder *bl, json_t *svc) {
  json_t *suffixes = json_array_get(svc, 0);
  json_t *urls = json_array_get(svc, 1);
  size_t first = bl->b->nurls;
  int n;
  size_t i;
  json_t *s;

  /* Two arrays for DNS (RFC 9224 section 3); object tags have three. */
  if (!json_is_array(svc) || json_array_size(svc) < 2 ||
      !json_is_array(suffixes) || !json_is_array(urls) ||
      !all_strings(suffixes) || !all_strings(urls))
    return -1;
  n = add_urls(bl, urls);
  if (n < 0)
    return -2;
  if (n == 0)
    return 0; /* no server we can speak to: as if unlisted */
  json_array_foreach(suffixes, i, s) {
    if (!add_entry(bl, json_string_value(s), first, (size_t)n))
      return -2;
  }
  return 0;
}

int bd_rdapboot_parse(struct bd_rdapboot *b, const char *json, size_t len) {
  struct builder bl = {b, 0, 0};
  json_error_t err;
  json_t *root;
  json_t *services;
  json_t *svc;
  size_t i;
  int rc = -1;

  memset(b, 0, sizeof(*b));
  /* jansson says nothing when it cannot start for want of memory; later
   * failures to allocate may show as syntax errors. */
  memset(&err, 0, sizeof(err));
  root = json_loadb(json, len, 0, &err);
  if (root == NULL && (err.text[0] == '\0' ||
                       json_error_code(&err) == json_error_out_of_memory)) {
    rc = -ENOMEM;
    goto done;
  }
  services = json_object_get(root, "services");
  if (!json_is_array(services))
    goto done;
  json_array_foreach(services, i, svc) {
    int added = add_service(&bl, svc);
    if (added != 0) {
      rc = added == -2 ? -ENOMEM : -1;
      goto done;
    }
  }
  finish(b);
  rc = 0;

done:
  json_decref(root);
  if (rc != 0)
    bd_rdapboot_free(b);
  return rc;
}

int bd_rdapboot_builtin(struct bd_rdapboot *b) {
  static const struct {
    const char *suffixes[4];
    const char *url;
  } table[] = {
      {{"com"}, "https://rdap.verisign.com/com/v1/"},
      {{"net"}, "https://rdap.verisign.com/net/v1/"},
      {{"org"}, "https://rdap.publicinterestregistry.org/rdap/"},
      {{"io"}, "https://rdap.identitydigital.services/rdap/"},
      {{"dev", "app", "page"}, "https://pubapi.registry.google/rdap/"},
  };
  struct builder bl = {b, 0, 0};

  memset(b, 0, sizeof(*b));
  for (size_t i = 0; i < BD_ARRAY_SIZE(table); i++) {
    size_t url = b->nurls;
    if (add_url(&bl, table[i].url) == NULL)
      goto nomem;
    for (size_t j = 0; j < 4 && table[i].suffixes[j] != NULL; j++)
      if (!add_entry(&bl, table[i].suffixes[j], url, 1))
        goto nomem;
  }
  finish(b);
  return 0;

nomem:
  bd_rdapboot_free(b);
  return -1;
}

static int by_suffix(const void *key, const void *elem) {
  const struct bd_rdapboot_entry *e = elem;
  return strcmp(key, e->suffix);
}

const char *bd_rdapboot_lookup(const struct bd_rdapboot *b,
                               const char *domain) {
  const char *const *urls;
  return bd_rdapboot_lookup_all(b, domain, &urls) > 0 ? urls[0] : NULL;
}

size_t bd_rdapboot_lookup_all(const struct bd_rdapboot *b, const char *domain,
                              const char *const **urls) {
  char name[BD_NAME_MAX + 1];
  size_t n = strlen(domain);
  const char *s;

  if (n > 0 && domain[n - 1] == '.')
    n--;
  if (n == 0 || n > BD_NAME_MAX || b->nentries == 0)
    return 0;
  for (size_t i = 0; i < n; i++)
    name[i] = (char)tolower((unsigned char)domain[i]);
  name[n] = '\0';
  /* The whole name first, then one label fewer each time: the first hit
   * is the longest matching suffix. */
  for (s = name;; s++) {
    const struct bd_rdapboot_entry *e =
        bsearch(s, b->entries, b->nentries, sizeof(*e), by_suffix);
    if (e != NULL) {
      *urls = (const char *const *)&b->urls[e->url];
      return e->nurl;
    }
    s = strchr(s, '.');
    if (s == NULL)
      return 0;
  }
}

void bd_rdapboot_free(struct bd_rdapboot *b) {
  for (size_t i = 0; i < b->nentries; i++)
    free(b->entries[i].suffix);
  for (size_t i = 0; i < b->nurls; i++)
    free(b->urls[i]);
  free(b->entries);
  free(b->urls);
  memset(b, 0, sizeof(*b));
}

/* ---- files and the disk cache --------------------------------------- */

/* Reads to end of file rather than trusting st_size, so that a pipe
 * (--rdap-bootstrap /dev/stdin) works too. */
static int read_fd(int fd, char **data, size_t *len) {
  size_t cap = 64 * 1024;
  size_t n = 0;
  char *buf = malloc(cap + 1);

  if (buf == NULL)
    return -ENOMEM;
  for (;;) {
    ssize_t got;
    if (n == cap) {
      char *p;
      if (cap > BD_RDAPBOOT_MAX_SIZE) {
        free(buf);
        return -EFBIG;
      }
      cap *= 2;
      p = realloc(buf, cap + 1);
      if (p == NULL) {
        free(buf);
        return -ENOMEM;
      }
      buf = p;
    }
    got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      int err = errno;
      free(buf);
      return -err;
    }
    if (got == 0)
      break;
    n += (size_t)got;
  }
  if (n > BD_RDAPBOOT_MAX_SIZE) {
    free(buf);
    return -EFBIG;
  }
  buf[n] = '\0';
  *data = buf;
  *len = n;
  return 0;
}

int bd_rdapboot_read_file(const char *path, char **data, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int rc;
  if (fd < 0)
    return -errno;
  rc = read_fd(fd, data, len);
  close(fd);
  return rc;
}

int bd_rdapboot_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                           const char *home) {
  return bd_cache_path(buf, size, xdg_cache_home, home, "rdap-dns.json");
}

int bd_rdapboot_cache_load(const char *path, time_t now, char **data,
                           size_t *len) {
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int rc;

  if (fd < 0)
    return errno == ENOENT ? 1 : -errno;
  if (fstat(fd, &st) != 0) {
    rc = -errno;
    goto done;
  }
  if (st.st_mtime <= now) {
    rc = 1;
    goto done;
  }
  rc = read_fd(fd, data, len);

done:
  close(fd);
  return rc;
}

int bd_rdapboot_cache_store(const char *path, const char *data, size_t len,
                            time_t expires) {
  /* The expiry is the modification time (rdapboot.h). */
  struct bd_cache_piece piece = {data, len};
  return bd_cache_store(path, &piece, 1, expires, false);
}

long bd_rdapboot_max_age(const char *cache_control) {
  long max_age = bd_http_max_age(cache_control);
  return max_age < MAX_AGE_CAP ? max_age : MAX_AGE_CAP;
}
