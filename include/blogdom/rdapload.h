/* Where the RDAP client gets its bootstrap table (RFC 9224): the file of
 * --rdap-bootstrap, or else a fresh disk cache, IANA's dns.json fetched
 * on the loop (and cached), or the built-in table. */
#ifndef BLOGDOM_RDAPLOAD_H
#define BLOGDOM_RDAPLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/curluv.h"
#include "blogdom/http.h"
#include "blogdom/rdapboot.h"

struct bd_rdapload;

/* The table is ready. rc is 0, or -ENOMEM when even the built-in table
 * could not be made (the table is then empty). why is NULL when the
 * table came from the cache or from IANA, else the reason it is the
 * built-in one, for the caller to tell; valid during the call only. */
typedef void (*bd_rdapload_cb)(struct bd_rdapload *l, int rc, const char *why);

/* One load; zero it before bd_rdapload_start(). The fields are the
 * module's. */
struct bd_rdapload {
  struct bd_curluv_xfer xfer;
  struct bd_curluv *curl;
  struct bd_rdapboot *table;
  bd_rdapload_cb on_ready;
  struct bd_http_body body; /* of IANA's response, so far */
  char cache_control[128];
};

/* Reads the bootstrap file at path into table. Returns 0, a negative
 * errno value when it cannot be read (-EFBIG: larger than
 * BD_RDAPBOOT_MAX_SIZE), -EINVAL when it is not a bootstrap file, or
 * -ENOMEM. */
int bd_rdapload_file(struct bd_rdapboot *table, const char *path);

/* Fills table (empty) from the cache, or starts fetching IANA's copy on
 * curl's loop, each try limited to timeout_ms; falls back on the built-in
 * table. on_ready(l, ...) is called once: from inside this call when no
 * fetch is needed or none can start, else from the loop. */
void bd_rdapload_start(struct bd_rdapload *l, struct bd_curluv *curl,
                       struct bd_rdapboot *table, long timeout_ms,
                       bd_rdapload_cb on_ready);

/* Whether a fetch is under way. */
bool bd_rdapload_fetching(const struct bd_rdapload *l);

/* Abandons the fetch under way, if any: on_ready is not called. */
void bd_rdapload_cancel(struct bd_rdapload *l);

#endif
