/* Fuzzes the RDAP domain object reader: any bytes as a 200's body. What
 * it keeps must be what its header promises: NUL-terminated strings
 * within their caps, dates that start with a full-date. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/rdapdomain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_rdapdomain d;
  int rc = bd_rdapdomain_parse((const char *)data, size,
                               size % 2 ? "example.dev" : NULL, &d);

  if (rc != 0) {
    if ((rc != -EINVAL && rc != -ENOMEM && rc != -EFBIG) || d.nstatus != 0 ||
        d.holds != 0 || d.expires[0] != '\0')
      abort();
    return 0;
  }
  if (d.nstatus > BD_RDAPDOMAIN_STATUS_MAX || d.holds > 7)
    abort();
  for (unsigned i = 0; i < d.nstatus; i++) {
    size_t n = strnlen(d.status[i], sizeof(d.status[i]));
    if (n == 0 || n > BD_RDAPDOMAIN_STATUS_LEN)
      abort();
  }
  if (strnlen(d.expires, sizeof(d.expires)) > BD_RDAPDOMAIN_DATE_LEN ||
      strnlen(d.deletes, sizeof(d.deletes)) > BD_RDAPDOMAIN_DATE_LEN)
    abort();
  /* Dates are RFC 3339 in UTC to the second, or nothing. */
  for (const char *date = d.expires; date != NULL;
       date = date == d.expires ? d.deletes : NULL)
    if (date[0] != '\0' && (strlen(date) != 20 || date[4] != '-' ||
                            date[10] != 'T' || date[19] != 'Z'))
      abort();
  return 0;
}
