/* What a name's line may show beyond its verdict: the records of its
 * answer, its registry's word and its for-sale signs, kept as data by the
 * steps that learn them (records.c, confirm.c, forsale.c) and written out
 * by format.c alone, so that a new line format changes nothing here.
 * They are kept only for a format that shows them
 * (bd_format_shows_facts). */
#ifndef BLOGDOM_FACTS_H
#define BLOGDOM_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/forsaletxt.h"
#include "blogdom/verdict.h"

struct bd_rdapdomain;

/* The most answer records a name keeps, and the most bytes of their data
 * in all; past either, the records that fit are kept and
 * records_truncated says so. */
#define BD_FACTS_RECORDS_MAX 16
#define BD_FACTS_RECORDS_BYTES 4096

/* One answer record: its data in presentation format (rrtext.h),
 * printable ASCII. */
struct bd_fact_record {
  uint16_t type;
  uint32_t ttl;
  char *data; /* owned */
};

/* One valid _for-sale record (RFC 10023): its tag and value, as sent. */
struct bd_fact_sale {
  enum bd_forsale_tag tag;
  char *value; /* owned; may hold any byte but NUL */
  size_t len;
};

struct bd_facts {
  /* The registrable domain the registry was asked about, where it is not
   * the name itself (confirm.c). */
  char *registrable;
  struct bd_fact_record records[BD_FACTS_RECORDS_MAX];
  unsigned nrecords;
  size_t record_bytes;
  bool records_truncated;
  /* The records could not be asked (delegated.c): why, as a verdict's
   * reason. */
  bool records_failed;
  enum bd_reason records_failure;
  /* What the registry's domain object said (rdapdomain.h); owned. */
  struct bd_rdapdomain *registry;
  struct bd_fact_sale for_sale[BD_FORSALE_RECORDS_MAX];
  unsigned nfor_sale;
  bool for_sale_truncated;
};

/* The facts at *slot, made empty on first use. NULL when out of memory. */
struct bd_facts *bd_facts_at(struct bd_facts **slot);

/* Frees f (may be NULL) and all it holds. */
void bd_facts_free(struct bd_facts *f);

/* Adds a record of data[0..len). Past a cap, nothing is added,
 * records_truncated is set and -ENOSPC returned; else 0 or -ENOMEM. */
int bd_facts_add_record(struct bd_facts *f, uint16_t type, uint32_t ttl,
                        const char *data, size_t len);

/* Forgets the records (another answer brings its own). */
void bd_facts_clear_records(struct bd_facts *f);

/* Adds a _for-sale record; past BD_FORSALE_RECORDS_MAX, nothing is added,
 * for_sale_truncated is set and -ENOSPC returned; else 0 or -ENOMEM. */
int bd_facts_add_sale(struct bd_facts *f, enum bd_forsale_tag tag,
                      const char *value, size_t len);

/* Keeps a copy of the registrable domain, or of the registry's domain
 * object (replacing any before). 0 or -ENOMEM. */
int bd_facts_set_registrable(struct bd_facts *f, const char *domain);
int bd_facts_set_registry(struct bd_facts *f, const struct bd_rdapdomain *d);

#endif
