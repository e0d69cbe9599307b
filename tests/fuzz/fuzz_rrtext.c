/* Fuzzes the presentation-format writer and the records kept for a line:
 * parses any bytes as a DNS message, writes the data of every record of
 * every section and checks it is printable ASCII that fits what was
 * asked, then keeps the records and checks their caps and the JSON line
 * that shows them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/facts.h"
#include "blogdom/format.h"
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

/* The records as a JSON line shows them: a line, whole, with the member. */
static void check_line(const struct bd_facts *f) {
  static char line[BD_LINE_CAP];
  struct bd_verdict v = {.status = BD_FOUND, .reason = BD_REASON_ANSWER};
  struct bd_result r = {
      .name = "x.dev", .name_len = 5, .verdict = &v, .facts = f};
  size_t n = bd_format_json(line, sizeof(line), &r);
  if (n == 0 || line[n - 1] != '\n' || memchr(line, '\0', n) != NULL ||
      strstr(line, ",\"records\":[") == NULL)
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_dnsmsg m;
  struct bd_facts *f = NULL;

  if (bd_dnsmsg_parse(&m, data, size) == 0) {
    for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
      struct bd_dnsmsg_cursor c;
      struct bd_dnsrr rr;
      bd_dnsmsg_walk(&m, (enum bd_dns_section)s, &c);
      while (bd_dnsmsg_next(&c, &rr))
        check_record(&m, &rr);
    }
  }
  if (bd_records_keep(data, size, &f) != 0)
    return 0;
  if (f != NULL && (f->nrecords > BD_FACTS_RECORDS_MAX ||
                    f->record_bytes > BD_FACTS_RECORDS_BYTES ||
                    (f->nrecords == 0 && !f->records_truncated)))
    abort();
  if (f != NULL)
    check_line(f);
  bd_facts_free(f);
  return 0;
}
