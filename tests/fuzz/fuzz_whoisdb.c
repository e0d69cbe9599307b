/* Fuzzes the WHOIS server table's parser (--whois-servers FILE, the cache
 * copy): any bytes as a table. A table that parses answers lookups with
 * servers within their cap; one that does not is left empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/whoisdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const domains[] = {"example.com", "a.b.co.uk", "x.dev",
                                        "com", ""};
  struct bd_whoisdb db;
  unsigned bad_line = 0;
  int rc;

  memset(&db, 0, sizeof(db));
  rc = bd_whoisdb_parse(&db, (const char *)data, size, &bad_line);
  if (rc != 0) {
    if (db.nentries != 0)
      abort();
    bd_whoisdb_free(&db);
    return 0;
  }
  for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++) {
    const char *server = bd_whoisdb_lookup(&db, domains[i]);
    if (server != NULL &&
        (server[0] == '\0' || strlen(server) > BD_WHOISDB_SERVER_MAX))
      abort();
  }
  bd_whoisdb_free(&db);
  return 0;
}
