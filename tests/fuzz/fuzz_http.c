/* Fuzzes the HTTP helpers with what a server or a bootstrap file may send:
 * header lines, Retry-After and Cache-Control values, URLs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/curlapi.h"
#include "blogdom/http.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  const char *why;
  (void)argc;
  (void)argv;
  if (bd_curl_load(&why) != 0)
    abort();
  return 0;
}

/* An origin is "http(s)://host:port" in lower case. */
static void check_origin(const char *o) {
  const char *port = strrchr(o, ':');
  if (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0)
    abort();
  if (port == NULL || port[1] == '\0' ||
      strspn(port + 1, "0123456789") != strlen(port + 1))
    abort();
  for (const char *p = o; *p != '\0'; p++)
    if (*p >= 'A' && *p <= 'Z')
      abort();
}

/* A segment is escaped whole: after the prefix, only unreserved bytes and
 * percent-encodings. */
static void check_escaped(const char *url, const char *prefix) {
  size_t n = strlen(prefix);
  if (strncmp(url, prefix, n) != 0)
    abort();
  for (const char *p = url + n; *p != '\0'; p++)
    if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
               "0123456789-._~%",
               *p) == NULL)
      abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *line = (const char *)data;
  char *text = malloc(size + 1);
  char out[256];
  long v;

  if (text == NULL)
    return 0;
  memcpy(text, data, size);
  text[size] = '\0';

  (void)bd_http_is_status_line(line, size);
  if (bd_http_header_value(line, size, "Retry-After", out, sizeof(out)) &&
      strlen(out) >= sizeof(out))
    abort();
  v = bd_http_retry_after(text, 784111777);
  if (v < -1 || v > BD_HTTP_DELTA_MAX)
    abort();
  v = bd_http_max_age(text);
  if (v < -1 || v > BD_HTTP_DELTA_MAX)
    abort();
  if (bd_http_origin(out, sizeof(out), text) == 0)
    check_origin(out);
  {
    const char *segs[] = {"domain", text};
    if (bd_http_url(out, sizeof(out), "http://h/", segs, 2) == 0) {
      check_escaped(out, "http://h/domain/");
      /* No dot-segment for curl to remove. */
      if (strcmp(out + 16, ".") == 0 || strcmp(out + 16, "..") == 0)
        abort();
    }
    segs[1] = "x.com";
    (void)bd_http_url(out, sizeof(out), text, segs, 2);
  }
  free(text);
  return 0;
}
