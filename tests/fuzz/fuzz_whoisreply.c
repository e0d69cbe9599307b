/* Fuzzes the WHOIS reply reader: any bytes as a server's reply, judged in
 * every registry format. Every reply gets one of the four verdicts, the
 * reader never reads past the reply (ASan), and an empty reply is
 * unrecognized, never free. */
#include <stdint.h>
#include <stdlib.h>

#include "blogdom/whoisreply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const struct bd_whoisformat *f;
  for (size_t i = 0; (f = bd_whoisreply_format_at(i)) != NULL; i++) {
    enum bd_whoisreply r = bd_whoisreply_classify(f, (const char *)data, size);
    if (r != BD_WHOISREPLY_FREE && r != BD_WHOISREPLY_REGISTERED &&
        r != BD_WHOISREPLY_LIMITED && r != BD_WHOISREPLY_UNRECOGNIZED)
      abort();
    /* Nothing at all says nothing. */
    if (size == 0 && r != BD_WHOISREPLY_UNRECOGNIZED)
      abort();
  }
  return 0;
}
