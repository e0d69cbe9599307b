/* A name's facts beyond its verdict (facts.h): small owned copies, capped
 * so that a hostile answer costs a name a few KiB at most. */
#include "blogdom/facts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/rdapdomain.h"

struct bd_facts *bd_facts_at(struct bd_facts **slot) {
  if (*slot == NULL)
    *slot = calloc(1, sizeof(**slot));
  return *slot;
}

void bd_facts_clear_records(struct bd_facts *f) {
  for (unsigned i = 0; i < f->nrecords; i++)
    free(f->records[i].data);
  f->nrecords = 0;
  f->record_bytes = 0;
  f->records_truncated = false;
}

void bd_facts_free(struct bd_facts *f) {
  if (f == NULL)
    return;
  bd_facts_clear_records(f);
  for (unsigned i = 0; i < f->nfor_sale; i++)
    free(f->for_sale[i].value);
  free(f->registrable);
  free(f->registry);
  free(f);
}

/* text[0..len) as a NUL-ended heap string. */
static char *copy_of(const char *text, size_t len) {
  char *s = malloc(len + 1);
  if (s != NULL) {
    memcpy(s, text, len);
    s[len] = '\0';
  }
  return s;
}

int bd_facts_add_record(struct bd_facts *f, uint16_t type, uint32_t ttl,
                        const char *data, size_t len) {
  struct bd_fact_record *r;
  if (f->nrecords == BD_FACTS_RECORDS_MAX ||
      len > BD_FACTS_RECORDS_BYTES - f->record_bytes) {
    f->records_truncated = true;
    return -ENOSPC;
  }
  r = &f->records[f->nrecords];
  if ((r->data = copy_of(data, len)) == NULL)
    return -ENOMEM;
  r->type = type;
  r->ttl = ttl;
  f->record_bytes += len;
  f->nrecords++;
  return 0;
}

int bd_facts_add_sale(struct bd_facts *f, enum bd_forsale_tag tag,
                      const char *value, size_t len) {
  struct bd_fact_sale *s;
  if (f->nfor_sale == BD_FORSALE_RECORDS_MAX) {
    f->for_sale_truncated = true;
    return -ENOSPC;
  }
  s = &f->for_sale[f->nfor_sale];
  if ((s->value = copy_of(value, len)) == NULL)
    return -ENOMEM;
  s->tag = tag;
  s->len = len;
  f->nfor_sale++;
  return 0;
}

int bd_facts_set_registrable(struct bd_facts *f, const char *domain) {
  char *copy = copy_of(domain, strlen(domain));
  if (copy == NULL)
    return -ENOMEM;
  free(f->registrable);
  f->registrable = copy;
  return 0;
}

int bd_facts_set_registry(struct bd_facts *f, const struct bd_rdapdomain *d) {
  struct bd_rdapdomain *copy = malloc(sizeof(*copy));
  if (copy == NULL)
    return -ENOMEM;
  *copy = *d;
  free(f->registry);
  f->registry = copy;
  return 0;
}
