/* Random bytes for query ids and check labels, from getrandom(2) in
 * batches so that a query costs no system call. */
#include "blogdom/random.h"

#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <uv.h>

static void refill(struct bd_random *r) {
  size_t got = 0;
  while (got < sizeof(r->buf)) {
    ssize_t n = getrandom(r->buf + got, sizeof(r->buf) - got, 0);
    if (n < 0 && errno != EINTR)
      break;
    if (n > 0)
      got += (size_t)n;
  }
  r->left = got;
}

void bd_random_bytes(struct bd_random *r, void *out, size_t n) {
  assert(n <= sizeof(r->buf));
  if (r->left < n)
    refill(r);
  if (r->left < n) { /* never in practice: getrandom(2) does not fail */
    uint64_t t = uv_hrtime();
    memset(out, 0, n);
    memcpy(out, &t, n < sizeof(t) ? n : sizeof(t));
    return;
  }
  r->left -= n;
  memcpy(out, r->buf + r->left, n);
}

uint16_t bd_random_id(struct bd_random *r) {
  uint16_t id;
  bd_random_bytes(r, &id, sizeof(id));
  return id;
}
