/* HTTP helpers without I/O: header lines, Retry-After, Cache-Control's
 * max-age, an URL's origin and URLs built from a base and path segments
 * (with libcurl's URL API rather than by hand), and what a transfer error
 * means. */
#include "blogdom/http.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blogdom/curlapi.h"

/* ---- header lines --------------------------------------------------- */

bool bd_http_is_status_line(const char *line, size_t n) {
  return n > 5 && strncmp(line, "HTTP/", 5) == 0;
}

bool bd_http_header_value(const char *line, size_t n, const char *name,
                          char *out, size_t size) {
  size_t len = strlen(name);

  /* No whitespace between a field name and its colon (RFC 9112 5.1). */
  if (n <= len || line[len] != ':' || strncasecmp(line, name, len) != 0)
    return false;
  line += len + 1;
  n -= len + 1;
  while (n > 0 && (*line == ' ' || *line == '\t'))
    line++, n--;
  while (n > 0 && isspace((unsigned char)line[n - 1]))
    n--;
  if (n >= size)
    n = size - 1;
  memcpy(out, line, n);
  out[n] = '\0';
  return true;
}

/* ---- values --------------------------------------------------------- */

/* Reads the digits at *s as delta-seconds (RFC 9111 section 1.2.2),
 * saturating at BD_HTTP_DELTA_MAX, and moves *s past them. Returns false
 * when there is no digit. */
static bool delta_seconds(const char **s, long *secs) {
  const char *p = *s;
  long v = 0;

  if (!isdigit((unsigned char)*p))
    return false;
  for (; isdigit((unsigned char)*p); p++) {
    int d = *p - '0';
    v = v <= (BD_HTTP_DELTA_MAX - d) / 10 ? v * 10 + d : BD_HTTP_DELTA_MAX;
  }
  *s = p;
  *secs = v;
  return true;
}

long bd_http_retry_after(const char *value, time_t now) {
  const char *s = value;
  long secs;
  time_t when;

  if (delta_seconds(&s, &secs))
    return *s == '\0' ? secs : -1;
  /* The three date formats of RFC 9110 section 5.6.7, and more. */
  when = bd_curl.getdate(value, NULL);
  if (when == (time_t)-1)
    return -1;
  if (when <= now)
    return 0;
  return when - now < BD_HTTP_DELTA_MAX ? (long)(when - now)
                                        : BD_HTTP_DELTA_MAX;
}

/* Skips optional whitespace (RFC 9110 section 5.6.3). */
static const char *skip_ows(const char *s) {
  while (*s == ' ' || *s == '\t')
    s++;
  return s;
}

/* Skips a directive's value up to the comma after it: a token, or a
 * quoted string, in which a comma is no separator (RFC 9110 5.6.4). */
static const char *skip_value(const char *s) {
  s = skip_ows(s);
  if (*s == '"') {
    for (s++; *s != '\0' && *s != '"'; s++)
      if (*s == '\\' && s[1] != '\0')
        s++; /* a quoted-pair */
  }
  return s + strcspn(s, ",");
}

static bool directive_is(const char *s, size_t n, const char *name) {
  return n == strlen(name) && strncasecmp(s, name, n) == 0;
}

long bd_http_max_age(const char *cache_control) {
  const char *s = cache_control;
  long max_age = -1;
  bool forbidden = false;

  while (*s != '\0') {
    const char *name = s = skip_ows(s);
    size_t n = strcspn(s, "=,");
    const char *end = name + n;

    while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
      end--;
    s += n;
    if (directive_is(name, (size_t)(end - name), "no-store") ||
        directive_is(name, (size_t)(end - name), "no-cache"))
      forbidden = true;
    if (*s == '=') {
      const char *v = skip_ows(s + 1);
      bool quoted = *v == '"';
      long secs = 0;
      bool digits;

      v += quoted;
      digits = delta_seconds(&v, &secs);
      if (quoted && *v == '"')
        v++;
      v = skip_ows(v);
      if (directive_is(name, (size_t)(end - name), "max-age") && digits &&
          (*v == ',' || *v == '\0'))
        max_age = secs;
      s = skip_value(s + 1);
    }
    if (*s == ',')
      s++;
  }
  return forbidden ? 0 : max_age;
}

/* ---- URLs ----------------------------------------------------------- */

static int errno_of(CURLUcode uc) {
  return uc == CURLUE_OUT_OF_MEMORY ? -ENOMEM : -EINVAL;
}

/* Parses url into u when it is an http or https URL with a host. curl
 * would take "http:///x" for a URL of host x; RFC 9110 section 4.2.1
 * says to reject it. */
static int parse(CURLU *u, const char *url) {
  const char *auth;
  CURLUcode uc;

  if (strncasecmp(url, "http://", 7) == 0)
    auth = url + 7;
  else if (strncasecmp(url, "https://", 8) == 0)
    auth = url + 8;
  else
    return -EINVAL;
  if (*auth == '\0' || strchr("/?#", *auth) != NULL)
    return -EINVAL;
  uc = bd_curl.url_set(u, CURLUPART_URL, url, 0);
  return uc == CURLUE_OK ? 0 : errno_of(uc);
}

static int get(CURLU *u, CURLUPart part, char **out, unsigned flags) {
  CURLUcode uc = bd_curl.url_get(u, part, out, flags);
  return uc == CURLUE_OK ? 0 : errno_of(uc);
}

/* Copies s into buf[size] when it fits. */
static int copy_out(char *buf, size_t size, const char *s) {
  size_t n = strlen(s);
  if (n >= size)
    return -ENAMETOOLONG;
  memcpy(buf, s, n + 1);
  return 0;
}

int bd_http_origin(char *buf, size_t size, const char *url) {
  CURLU *u = bd_curl.url();
  char *scheme = NULL;
  char *host = NULL;
  char *port = NULL;
  int rc;
  int n;

  if (u == NULL)
    return -ENOMEM;
  rc = parse(u, url);
  if (rc == 0)
    rc = get(u, CURLUPART_SCHEME, &scheme, 0);
  if (rc == 0)
    rc = get(u, CURLUPART_HOST, &host, 0);
  if (rc == 0)
    rc = get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
  if (rc == 0) {
    n = snprintf(buf, size, "%s://%s:%s", scheme, host, port);
    if (n < 0 || (size_t)n >= size)
      rc = -ENAMETOOLONG;
    /* Schemes and host names compare without case (RFC 3986 6.2.2.1). */
    for (char *p = buf; rc == 0 && *p != '\0'; p++)
      *p = (char)tolower((unsigned char)*p);
  }
  bd_curl.free(scheme);
  bd_curl.free(host);
  bd_curl.free(port);
  bd_curl.url_cleanup(u);
  return rc;
}

/* Appends seg, escaped, to the path in buf[size] of length *len. */
static int append_segment(char *buf, size_t size, size_t *len,
                          const char *seg) {
  bool slash = *len == 0 || buf[*len - 1] != '/';
  char *esc = NULL;
  const char *text;
  size_t n;
  int rc = 0;

  /* "." and ".." would be dot-segments, which curl removes when it takes
   * the URL (RFC 3986 section 5.2.4): their dots are escaped too. */
  if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
    text = seg[1] == '\0' ? "%2E" : "%2E%2E";
  } else {
    esc = bd_curl.easy_escape(NULL, seg, 0);
    if (esc == NULL)
      return -ENOMEM;
    text = esc;
  }
  n = strlen(text);
  if (*len + slash + n >= size) {
    rc = -ENAMETOOLONG;
  } else {
    if (slash)
      buf[(*len)++] = '/';
    memcpy(buf + *len, text, n + 1);
    *len += n;
  }
  bd_curl.free(esc);
  return rc;
}

/* Upper-cases the hex digits of percent-encodings, as RFC 3986 section
 * 6.2.2.1 has URIs normalized: libcurl 7.88 writes a path it is given in
 * lower case. */
static void upper_escapes(char *s) {
  for (; *s != '\0'; s++)
    if (s[0] == '%' && isxdigit((unsigned char)s[1]) &&
        isxdigit((unsigned char)s[2])) {
      s[1] = (char)toupper((unsigned char)s[1]);
      s[2] = (char)toupper((unsigned char)s[2]);
      s += 2;
    }
}

int bd_http_url(char *buf, size_t size, const char *base,
                const char *const *segs, size_t nsegs) {
  CURLU *u = bd_curl.url();
  char *path = NULL;
  char *url = NULL;
  int rc;

  if (u == NULL)
    return -ENOMEM;
  rc = parse(u, base);
  if (rc == 0)
    rc = get(u, CURLUPART_PATH, &path, 0);
  /* The new path is made in buf, then the whole URL replaces it. */
  if (rc == 0)
    rc = copy_out(buf, size, path);
  for (size_t i = 0, len = strlen(buf); rc == 0 && i < nsegs; i++)
    rc = append_segment(buf, size, &len, segs[i]);
  if (rc == 0) {
    CURLUcode uc = bd_curl.url_set(u, CURLUPART_PATH, buf, 0);
    rc = uc == CURLUE_OK ? 0 : errno_of(uc);
  }
  if (rc == 0)
    rc = get(u, CURLUPART_URL, &url, 0);
  if (rc == 0)
    rc = copy_out(buf, size, url);
  if (rc == 0)
    upper_escapes(buf);
  bd_curl.free(path);
  bd_curl.free(url);
  bd_curl.url_cleanup(u);
  return rc;
}

/* ---- transfer errors ------------------------------------------------ */

const char *bd_http_curl_error(CURLcode rc, bool *retryable) {
  *retryable = true;
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    return "timeout";
  case CURLE_COULDNT_CONNECT:
    return "connection failed";
  case CURLE_COULDNT_RESOLVE_HOST:
    return "cannot resolve the server";
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
    return "connection broken";
  case CURLE_GOT_NOTHING:
    return "empty reply";
  case CURLE_SSL_CONNECT_ERROR:
    return "tls handshake failed";
  default:
    break;
  }
  *retryable = false;
  switch (rc) {
  case CURLE_TOO_MANY_REDIRECTS:
    return "too many redirects";
  case CURLE_UNSUPPORTED_PROTOCOL:
    return "redirect refused";
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
    return "server certificate not trusted";
  case CURLE_URL_MALFORMAT:
    return "bad URL";
  case CURLE_OUT_OF_MEMORY:
    return "out of memory";
  case CURLE_ABORTED_BY_CALLBACK:
  case CURLE_WRITE_ERROR:
    return "aborted";
  default:
    /* Errors not listed may be passing: they are retried. */
    *retryable = true;
    return bd_curl.easy_strerror(rc);
  }
}

int bd_http_body_append(struct bd_http_body *b, const char *data, size_t len,
                        size_t max) {
  if (len > max || b->len > max - len)
    return -EFBIG;
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    char *grown;
    while (cap < b->len + len)
      cap *= 2;
    grown = realloc(b->data, cap);
    if (grown == NULL)
      return -ENOMEM;
    b->data = grown;
    b->cap = cap;
  }
  memcpy(b->data + b->len, data, len);
  b->len += len;
  return 0;
}

void bd_http_body_free(struct bd_http_body *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}
