/* Fuzzes name normalization, the host-name rules, the Unicode form and the
 * escaping of whatever is rejected. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/names.h"
#include "blogdom/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char out[BD_NAME_MAX + 1];
  char *shown = malloc(BD_ESCAPED_SIZE(size));
  size_t len = 0;
  enum bd_name_error err =
      bd_name_normalize((const char *)data, size, out, &len);

  if (err == BD_NAME_OK) {
    /* A valid name is short, lower case, and normalizes to itself. */
    char again[BD_NAME_MAX + 1];
    size_t len2 = 0;
    if (len > BD_NAME_MAX || strlen(out) != len)
      abort();
    char unicode[4 * BD_NAME_MAX + 1];
    enum bd_name_error host;
    if (bd_name_normalize(out, len, again, &len2) != BD_NAME_OK ||
        len2 != len || memcmp(out, again, len) != 0)
      abort();
    /* The host-name rules judge valid names only, and answer in kind. */
    host = bd_name_check_host(out, len);
    if (host != BD_NAME_OK && !bd_name_is_host_error(host))
      abort();
    if (bd_name_to_unicode(out, unicode, sizeof(unicode)) >= sizeof(unicode))
      abort();
  }
  if (shown != NULL) {
    size_t n =
        bd_text_escape(shown, BD_ESCAPED_SIZE(size), (const char *)data, size);
    /* The escaped form is one token of printable characters. */
    for (size_t i = 0; i < n; i++) {
      unsigned char c = (unsigned char)shown[i];
      if (c <= 0x20 || c == 0x7f)
        abort();
    }
    free(shown);
  }
  (void)bd_name_strerror(err);
  return 0;
}
