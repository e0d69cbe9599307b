/* A message waiting to go out: delayed by a rule, or held back because the
   UDP socket buffer was full. */
#include "outmsg.h"

#include <string.h>

#include "xalloc.h"

struct outmsg *outmsg_new(const uint8_t *data, size_t len) {
  struct outmsg *msg = xmalloc(sizeof *msg + len);
  memset(msg, 0, sizeof *msg);
  msg->len = len;
  if (len > 0)
    memcpy(msg->data, data, len);
  return msg;
}
