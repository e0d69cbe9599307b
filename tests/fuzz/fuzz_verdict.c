/* Fuzzes the DNS answer parser behind every verdict. */
#include <stdint.h>
#include <stdlib.h>

#include "blogdom/verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_verdict v;
  /* The first byte picks the type asked, the rest is the answer. */
  static const uint16_t types[] = {1, 28, 255, 16, 5};
  uint16_t qtype = size > 0 ? types[data[0] % 5] : 1;

  bd_verdict_from_answer(size > 0 ? data + 1 : data, size > 0 ? size - 1 : 0,
                         qtype, &v);
  if (v.naddrs > BD_VERDICT_MAX_ADDRS)
    abort();
  if (v.status != BD_ERROR && v.rcode != 0 && v.rcode != 3)
    abort();
  for (unsigned i = 0; i < v.naddrs; i++)
    if (v.addrs[i].len != 4 && v.addrs[i].len != 16)
      abort();
  return 0;
}
