/* Fuzzes -s server specs, single and comma-separated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/servers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_server s;
  struct bd_server_list list = {0};
  const char *bad;
  size_t bad_len;
  char *csv = malloc(size + 1);

  if (bd_server_parse((const char *)data, size, &s) == BD_SERVER_OK &&
      (s.port == 0 || strlen(s.text) >= sizeof(s.text)))
    abort();
  if (csv == NULL)
    return 0;
  memcpy(csv, data, size);
  csv[size] = '\0';
  if (bd_server_list_add(&list, csv, &bad, &bad_len) != BD_SERVER_OK &&
      (bad < csv || bad + bad_len > csv + size))
    abort();
  bd_server_list_free(&list);
  free(csv);
  return 0;
}
