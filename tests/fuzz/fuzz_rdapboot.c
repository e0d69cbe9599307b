/* Fuzzes the RDAP bootstrap parser (IANA's dns.json comes off the network)
 * and the cache-control parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/rdapboot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_rdapboot b;
  char *text = malloc(size + 1);

  memset(&b, 0, sizeof(b));
  if (bd_rdapboot_parse(&b, (const char *)data, size) == 0) {
    /* Every base URL found ends with a slash. */
    for (size_t i = 0; i < b.nurls; i++) {
      size_t n = strlen(b.urls[i]);
      if (n == 0 || b.urls[i][n - 1] != '/')
        abort();
    }
    (void)bd_rdapboot_lookup(&b, "x.com");
    (void)bd_rdapboot_lookup(&b, "a.b.example.dev");
    bd_rdapboot_free(&b);
  }
  if (text != NULL) {
    memcpy(text, data, size);
    text[size] = '\0';
    (void)bd_rdapboot_max_age(text);
    free(text);
  }
  return 0;
}
