/* HTTP helpers without I/O: response header lines, Retry-After and
 * Cache-Control values, http(s) URLs, what libcurl's errors mean, and a
 * response body kept as it comes. They
 * use libcurl's date and URL parsers: call bd_curl_load() first. Every
 * input may come off the network. */
#ifndef BLOGDOM_HTTP_H
#define BLOGDOM_HTTP_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* The largest number of seconds a delta-seconds value stands for: larger
 * ones count as this (RFC 9111 section 1.2.2). */
#define BD_HTTP_DELTA_MAX 2147483647L

/* A response body as CURLOPT_WRITEFUNCTION hands it over, in memory of
 * its own (freed by bd_http_body_free; zeroed: empty). */
struct bd_http_body {
  char *data;
  size_t len;
  size_t cap;
};

/* Appends data[0..len), growing the buffer by doubling. Returns 0, -EFBIG
 * when the body would pass max bytes (nothing is kept of this piece), or
 * -ENOMEM. */
int bd_http_body_append(struct bd_http_body *b, const char *data, size_t len,
                        size_t max);

void bd_http_body_free(struct bd_http_body *b);

/* Whether header line[0..n), as CURLOPT_HEADERFUNCTION hands it over, is
 * a status line: a new response begins (after a redirect or an interim
 * response), whose headers alone count. */
bool bd_http_is_status_line(const char *line, size_t n);

/* When header line[0..n) is field name (RFC 9110 section 5: compared
 * without regard to case), copies its value into out[size], trimmed of
 * whitespace and CRLF, cut to fit, and returns true. */
bool bd_http_header_value(const char *line, size_t n, const char *name,
                          char *out, size_t size);

/* Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date,
 * as seconds from now (0 for a date gone by), at most BD_HTTP_DELTA_MAX;
 * -1 when value is neither. */
long bd_http_retry_after(const char *value, time_t now);

/* The max-age of a Cache-Control value (RFC 9111 section 5.2.2.1), in
 * seconds, at most BD_HTTP_DELTA_MAX: 0 when no-store or no-cache forbid
 * reusing the response without asking again, -1 when there is no
 * (well-formed) max-age. */
long bd_http_max_age(const char *cache_control);

/* The origin of an http or https URL (RFC 6454 section 4: scheme, host,
 * port), as "scheme://host:port" in lower case with the scheme's default
 * port made explicit, into buf[size]: requests to one origin share its
 * politeness. Returns 0, -EINVAL when url is not an http(s) URL with a
 * host (RFC 9110 section 4.2), -ENAMETOOLONG when buf is too small, or
 * -ENOMEM. */
int bd_http_origin(char *buf, size_t size, const char *url);

/* The URL of base with segs[0..nsegs) appended to its path, each as one
 * path segment (every byte but RFC 3986's unreserved ones escaped), the
 * path of base taken as a directory: base "https://h/rdap" and segments
 * "domain", "a/b" make "https://h/rdap/domain/a%2Fb". Its query, if any,
 * is kept. Into buf[size]; returns as bd_http_origin(). */
int bd_http_url(char *buf, size_t size, const char *base,
                const char *const *segs, size_t nsegs);

/* What a transfer error means: a short reason ("timeout", "connection
 * failed", ...; else libcurl's own words), and in *retryable whether
 * another try may fare better. */
const char *bd_http_curl_error(CURLcode rc, bool *retryable);

#endif
