/* Fuzzes the presentation-format writer and the records member: parses
 * any bytes as a DNS message, writes the data of every record of every
 * section and checks it is printable ASCII that fits what was asked, then
 * makes the records member and checks it is within its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/records.h"
#include "blogdom/rrtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr) {
  /* 64 KiB of data in hex is 128 KiB: the most any record can need. */
  static char text[140000];
  char small[16];
  int n = bd_rrtext_write(m, rr, text, sizeof(text));
  int k;

  if (n < 0 || (size_t)n != strlen(text))
    abort();
  for (int i = 0; i < n; i++)
    if (text[i] < 0x20 || text[i] > 0x7e)
      abort();
  /* A smaller buffer: the same text when it fits, else ESPACE and "". */
  k = bd_rrtext_write(m, rr, small, sizeof(small));
  if ((size_t)n < sizeof(small) ? k != n || strcmp(small, text) != 0
                                : k != BD_DNSMSG_ESPACE || small[0] != '\0')
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_dnsmsg m;
  char *out = NULL;

  if (bd_dnsmsg_parse(&m, data, size) == 0) {
    for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
      struct bd_dnsmsg_cursor c;
      struct bd_dnsrr rr;
      bd_dnsmsg_walk(&m, (enum bd_dns_section)s, &c);
      while (bd_dnsmsg_next(&c, &rr))
        check_record(&m, &rr);
    }
  }
  if (bd_records_json(data, size, &out) != 0)
    return 0;
  if (out != NULL && (strlen(out) > BD_RECORDS_TEXT_MAX ||
                      strncmp(out, ",\"records\":[", 12) != 0))
    abort();
  free(out);
  return 0;
}
