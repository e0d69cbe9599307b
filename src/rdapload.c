/* Gets the RDAP client its bootstrap table: the --rdap-bootstrap file, or
 * else a fresh disk cache, IANA's dns.json fetched on the loop (then
 * cached for as long as its Cache-Control allows), or the built-in table,
 * the last resort the caller is told about. */
#include "blogdom/rdapload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blogdom/common.h"
#include "blogdom/curlapi.h"
#include "blogdom/http.h"
#include "blogdom/msg.h"

int bd_rdapload_file(struct bd_rdapboot *table, const char *path) {
  char *data = NULL;
  size_t len = 0;
  int rc = bd_rdapboot_read_file(path, &data, &len);

  if (rc != 0)
    return rc;
  rc = bd_rdapboot_parse(table, data, len);
  free(data);
  return rc == -1 ? -EINVAL : rc;
}

static bool cache_path(char *buf, size_t size) {
  return bd_rdapboot_cache_path(buf, size, getenv("XDG_CACHE_HOME"),
                                getenv("HOME")) == 0;
}

/* Fills table from the cached copy at path if it is fresh and sound. */
static bool load_cache(struct bd_rdapboot *table, const char *path) {
  char *data = NULL;
  size_t len = 0;
  int rc = bd_rdapboot_cache_load(path, time(NULL), &data, &len);

  if (rc == 1) {
    bd_debugf("rdap: no fresh bootstrap in %s", path);
    return false;
  }
  if (rc < 0) {
    bd_debugf("rdap: cannot read %s: %s", path, strerror(-rc));
    return false;
  }
  rc = bd_rdapboot_parse(table, data, len);
  free(data);
  if (rc != 0) {
    bd_debugf("rdap: %s is malformed", path);
    return false;
  }
  bd_debugf("rdap: bootstrap from %s", path);
  return true;
}

static void store_cache(const struct bd_rdapload *l) {
  char path[4096];
  long max_age = bd_rdapboot_max_age(l->cache_control);
  int rc;

  if (max_age == 0)
    return; /* the server asks not to keep it */
  if (!cache_path(path, sizeof(path))) {
    bd_debugf("rdap: no cache directory ($XDG_CACHE_HOME, $HOME)");
    return;
  }
  if (max_age < 0)
    max_age = BD_RDAPBOOT_DEFAULT_TTL;
  rc = bd_rdapboot_cache_store(path, l->body.data, l->body.len,
                               time(NULL) + max_age);
  if (rc != 0)
    bd_debugf("rdap: cannot write %s: %s", path, strerror(-rc));
  else
    bd_debugf("rdap: bootstrap cached in %s for %ld s", path, max_age);
}

/* Hands the table over; when why says the other sources failed, it is the
 * built-in one. */
static void ready(struct bd_rdapload *l, const char *why) {
  int rc = 0;
  if (why != NULL) {
    bd_rdapboot_free(l->table);
    if (bd_rdapboot_builtin(l->table) != 0)
      rc = -ENOMEM;
  }
  l->on_ready(l, rc, why);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  struct bd_rdapload *l = arg;
  size_t len = size * n;
  /* Too large, or no memory: 0 fails the transfer. */
  return bd_http_body_append(&l->body, data, len, BD_RDAPBOOT_MAX_SIZE) == 0
             ? len
             : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *arg) {
  struct bd_rdapload *l = arg;
  if (bd_http_is_status_line(data, n))
    l->cache_control[0] = '\0';
  else
    bd_http_header_value(data, n, "Cache-Control", l->cache_control,
                         sizeof(l->cache_control));
  return size * n;
}

static void on_fetched(struct bd_curluv_xfer *x, CURL *easy, CURLcode rc) {
  struct bd_rdapload *l = container_of(x, struct bd_rdapload, xfer);
  long status = 0;
  bool retry; /* not for the bootstrap: the built-in table will do */
  int err;
  char why[160];

  bd_curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  bd_curl.easy_cleanup(easy);
  if (rc != CURLE_OK)
    snprintf(why, sizeof(why), "cannot fetch %s: %s", BD_RDAPBOOT_IANA_URL,
             bd_http_curl_error(rc, &retry));
  else if (status != 200)
    snprintf(why, sizeof(why), "cannot fetch %s: http %ld",
             BD_RDAPBOOT_IANA_URL, status);
  else if ((err = bd_rdapboot_parse(l->table, l->body.data, l->body.len)) != 0)
    snprintf(why, sizeof(why), "%s %s", BD_RDAPBOOT_IANA_URL,
             err == -ENOMEM ? "is too large for memory" : "is malformed");
  else
    why[0] = '\0';
  if (why[0] == '\0')
    store_cache(l);
  bd_http_body_free(&l->body);
  ready(l, why[0] != '\0' ? why : NULL);
}

void bd_rdapload_start(struct bd_rdapload *l, struct bd_curluv *curl,
                       struct bd_rdapboot *table, long timeout_ms,
                       bd_rdapload_cb on_ready) {
  static const char *cannot = "cannot fetch " BD_RDAPBOOT_IANA_URL;
  char path[4096];
  CURL *easy;

  l->curl = curl;
  l->table = table;
  l->on_ready = on_ready;
  if (cache_path(path, sizeof(path)) && load_cache(table, path)) {
    ready(l, NULL);
    return;
  }
  easy = bd_curluv_easy(BD_RDAPBOOT_IANA_URL, "https", timeout_ms);
  if (easy == NULL ||
      bd_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_WRITEDATA, l) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_HEADERDATA, l) != CURLE_OK ||
      bd_curluv_start(curl, &l->xfer, easy, on_fetched) != 0) {
    if (easy != NULL)
      bd_curl.easy_cleanup(easy);
    ready(l, cannot);
    return;
  }
  bd_debugf("rdap: fetching %s", BD_RDAPBOOT_IANA_URL);
  l->body.len = 0;
  l->cache_control[0] = '\0';
}

bool bd_rdapload_fetching(const struct bd_rdapload *l) {
  return l->xfer.easy != NULL;
}

void bd_rdapload_cancel(struct bd_rdapload *l) {
  CURL *easy = l->xfer.easy;
  if (easy == NULL)
    return;
  bd_curluv_stop(l->curl, &l->xfer);
  bd_curl.easy_cleanup(easy);
  bd_http_body_free(&l->body);
}
