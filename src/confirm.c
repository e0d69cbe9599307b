/* The --confirm stage: a name DNS calls free is not free until its
 * registry agrees, so its line waits for the RDAP answer; what the
 * registry says of a name it has (status values, dates) goes on the
 * line. */
#include "blogdom/confirm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/engine.h"
#include "blogdom/jsonbuf.h"
#include "blogdom/rdap.h"
#include "blogdom/rdapdomain.h"

/* Status values and two dates, escaped: at most 16 x (64 x 4 + 3) + 2 x
 * (64 x 4 + 14) + 20, well under a line's cap. */
#define FIELDS_MAX 8192

static bool wants(void *impl, const struct bd_verdict *v) {
  (void)impl;
  return v->status == BD_NOTFOUND;
}

static enum bd_confirm confirm_of(enum bd_rdap_outcome o) {
  switch (o) {
  case BD_RDAP_REGISTERED:
    return BD_CONFIRM_REGISTERED;
  case BD_RDAP_AVAILABLE:
    return BD_CONFIRM_AVAILABLE;
  case BD_RDAP_NO_SERVER:
    return BD_CONFIRM_NO_SERVER;
  case BD_RDAP_BAD_RESPONSE:
    return BD_CONFIRM_BAD_RESPONSE;
  default:
    return BD_CONFIRM_FAILED;
  }
}

int bd_confirm_fields(const struct bd_rdapdomain *d, char **fields) {
  struct bd_jsonbuf b;
  int rc;

  bd_jsonbuf_init(&b, FIELDS_MAX);
  bd_jsonbuf_raw(&b, ",\"rdap_status\":[", 16);
  for (unsigned i = 0; i < d->nstatus; i++) {
    if (i > 0)
      bd_jsonbuf_raw(&b, ",", 1);
    bd_jsonbuf_text(&b, d->status[i], strlen(d->status[i]));
  }
  bd_jsonbuf_raw(&b, "]", 1);
  if (d->expires[0] != '\0') {
    bd_jsonbuf_raw(&b, ",\"expires\":", 11);
    bd_jsonbuf_text(&b, d->expires, strlen(d->expires));
  }
  if (d->deletes[0] != '\0') {
    bd_jsonbuf_raw(&b, ",\"deletes\":", 11);
    bd_jsonbuf_text(&b, d->deletes, strlen(d->deletes));
  }
  /* FIELDS_MAX holds the most the caps allow: full means a broken cap. */
  rc = b.failed || b.full ? -ENOMEM : bd_jsonbuf_append_to(fields, b.text);
  bd_jsonbuf_free(&b);
  return rc;
}

static void on_rdap(void *arg, const struct bd_rdap_result *r) {
  struct bd_probe *p = arg;
  struct bd_confirm_stage *c = bd_engine_stage_impl(p);

  if (r->outcome == BD_RDAP_CANCELLED) {
    bd_engine_stage_done(p, true);
    return;
  }
  bd_verdict_apply_confirm(p->verdict, confirm_of(r->outcome), r->http_status);
  if (r->outcome == BD_RDAP_REGISTERED && r->domain != NULL) {
    bd_verdict_apply_registry_status(p->verdict, r->domain->holds);
    /* Out of memory, the line goes without them: the verdict stands. */
    if (c->json)
      (void)bd_confirm_fields(r->domain, &p->fields);
  }
  bd_engine_stage_done(p, false);
}

static int start(void *impl, struct bd_probe *p) {
  struct bd_confirm_stage *c = impl;
  return bd_rdap_lookup(c->rdap, p->name, on_rdap, p);
}

static void close_stage(void *impl) {
  struct bd_confirm_stage *c = impl;
  bd_rdap_close(c->rdap); /* cancels what is still asked */
}

void bd_confirm_stage_init(struct bd_stage *stage, struct bd_confirm_stage *c,
                           unsigned budget) {
  *stage = (struct bd_stage){.name = "confirm",
                             .budget = budget,
                             .impl = c,
                             .wants = wants,
                             .start = start,
                             .close = close_stage};
}
