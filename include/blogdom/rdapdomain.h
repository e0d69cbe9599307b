/* What a registry's RDAP domain object (RFC 9083 5.3) says beyond "it is
 * registered": its status values and the dates it will expire and be
 * deleted. A pure parser, for --confirm. */
#ifndef BLOGDOM_RDAPDOMAIN_H
#define BLOGDOM_RDAPDOMAIN_H

#include <stdbool.h>
#include <stddef.h>

/* A body larger than this is no domain object we read (a domain object
 * with every optional member filled takes a few KiB; the largest
 * registries send under 20). */
#define BD_RDAPDOMAIN_BODY_MAX (256 * 1024)
/* Status values kept, at most; each at most this long (the longest
 * registered value, RFC 8056's "client delete prohibited" and the like,
 * is 27 characters). */
#define BD_RDAPDOMAIN_STATUS_MAX 16
#define BD_RDAPDOMAIN_STATUS_LEN 64
/* An event date's text, at most (RFC 3339 with fractions and an offset
 * takes 35). */
#define BD_RDAPDOMAIN_DATE_LEN 64

struct bd_rdapdomain {
  unsigned nstatus;
  char status[BD_RDAPDOMAIN_STATUS_MAX][BD_RDAPDOMAIN_STATUS_LEN + 1];
  char expires[BD_RDAPDOMAIN_DATE_LEN + 1]; /* "" when no such event */
  char deletes[BD_RDAPDOMAIN_DATE_LEN + 1];
  /* BD_REGISTRY_* bits (verdict.h) the status values add up to. */
  unsigned holds;
  bool status_truncated; /* values left out, or cut to their cap */
  bool dates_dropped;    /* an expiration or deletion date unreadable */
};

/* Reads body[0..len), the body of a 200 answer to a query for the domain
 * asked (NULL: not checked). It must be one JSON object (jansson;
 * duplicate keys refused) whose objectClassName is "domain"; "ldhName",
 * when present, the domain asked, in any case, with or without a final
 * dot; "status", when present, an array of non-empty strings (RFC 9083
 * 4.6); "events", when present, an array of objects whose eventAction is a
 * string (4.5). The first "expiration" and the first "deletion" event give
 * expires and deletes from their eventDate, an RFC 3339 date-time or
 * full-date, written as RFC 3339 in UTC to the second
 * ("2026-08-01T10:30:00Z"); a date that is neither is left out, and
 * dates_dropped says so. The first BD_RDAPDOMAIN_STATUS_MAX status values
 * are kept, each cut to BD_RDAPDOMAIN_STATUS_LEN bytes (at a UTF-8
 * boundary); status_truncated says when one was left out or cut. holds:
 * "redemption period" gives BD_REGISTRY_REDEMPTION, "pending delete"
 * BD_REGISTRY_PENDING_DELETE, "client hold" and "server hold"
 * BD_REGISTRY_HOLD (RFC 9083 10.2.2 with RFC 8056's additions), from every
 * value, compared without case, spaces, '-' or '_', as some registries
 * send EPP's spellings ("clientHold"). Returns 0, or -EINVAL when the
 * body is none of that (*d is then cleared), -EFBIG when it is over
 * BD_RDAPDOMAIN_BODY_MAX, -ENOMEM. */
int bd_rdapdomain_parse(const char *body, size_t len, const char *asked,
                        struct bd_rdapdomain *d);

#endif
