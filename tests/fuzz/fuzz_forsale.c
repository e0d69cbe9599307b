/* Fuzzes the "_for-sale" record reader (RFC 10023): any bytes as one
 * TXT record's data, and as a whole response whose records a line
 * keeps. A valid record's value must obey its tag's rules. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/facts.h"
#include "blogdom/forsale.h"
#include "blogdom/forsaletxt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char text[BD_FORSALE_TEXT_MAX + 1];
  struct bd_forsale_record rec;
  unsigned valid;
  unsigned malformed;
  struct bd_facts *f = NULL;

  switch (bd_forsale_parse(data, size, text, &rec)) {
  case BD_FORSALE_OK:
    if (rec.len == 0 || rec.value < text ||
        rec.value + rec.len > text + BD_FORSALE_TEXT_MAX ||
        strncmp(text, BD_FORSALE_VERSION, strlen(BD_FORSALE_VERSION)) != 0)
      abort();
    for (size_t i = 0; i < rec.len; i++)
      if ((unsigned char)rec.value[i] < 0x20 || rec.value[i] == 0x7f)
        abort();
    break;
  case BD_FORSALE_OTHER:
  case BD_FORSALE_MALFORMED:
    break;
  }
  if (bd_forsale_read(data, size, &valid, &malformed, &f) != 0) {
    bd_facts_free(f);
    return 0;
  }
  if (f != NULL &&
      (valid == 0 || f->nfor_sale == 0 ||
       f->nfor_sale > BD_FORSALE_RECORDS_MAX || f->nfor_sale > valid))
    abort();
  bd_facts_free(f);
  return 0;
}
