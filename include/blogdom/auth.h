/* The authoritative mode's rules: what a zone server's response says, to a
 * question about a name, about the zone that holds a public suffix, or
 * about the address of a name server. Pure: a parsed message in, a
 * judgement out. */
#ifndef BLOGDOM_AUTH_H
#define BLOGDOM_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"
#include "blogdom/servers.h"

#define BD_AUTH_MAX_NS 13   /* name servers kept from a referral */
#define BD_AUTH_MAX_ADDRS 8 /* addresses kept for one name server */

/* What was asked of the zone's server. */
enum bd_auth_question {
  BD_AUTH_NAME,   /* a name of the input (or a check under a suffix) */
  BD_AUTH_SUFFIX, /* NS of a public suffix: which zone holds its names? */
  BD_AUTH_HOST    /* A or AAAA of a name server without glue */
};

enum bd_auth_kind {
  BD_AUTH_DELEGATED, /* NAME: the registrable name is delegated: taken */
  BD_AUTH_EXISTS,    /* NAME: AA answer or NODATA. SUFFIX: it is inside
                        the zone asked (no cut). HOST: addresses below */
  BD_AUTH_NXDOMAIN,  /* NAME: AA NXDOMAIN: not in the zone. SUFFIX, HOST:
                        there is no such name */
  BD_AUTH_ZONE,      /* SUFFIX: the suffix is a zone of its own, below */
  BD_AUTH_STEP,      /* a referral to a zone nearer the question: ask it */
  BD_AUTH_LAME,      /* no AA and no useful referral: not a server of the
                        zone asked */
  BD_AUTH_REFUSED,
  BD_AUTH_SERVFAIL,
  BD_AUTH_RCODE, /* another rcode */
  BD_AUTH_BAD    /* not a response to a standard query, or truncated */
};

/* A zone below the one asked, from a referral (or an AA answer of NS
 * records for the suffix): its name servers and the addresses given for
 * them (glue, RFC 1034 4.2.1). */
struct bd_auth_ns {
  char name[BD_NAME_MAX + 1];
  size_t naddrs;
  struct bd_server addrs[BD_AUTH_MAX_ADDRS];
};

struct bd_auth_judgement {
  enum bd_auth_kind kind;
  int rcode;
  bool has_records; /* EXISTS for NAME: records of the type asked */
  /* ZONE and STEP: the zone and its servers. HOST: the addresses, as one
   * name server of the question's name. */
  char zone[BD_NAME_MAX + 1]; /* no trailing dot; "" is the root */
  size_t nns;
  struct bd_auth_ns ns[BD_AUTH_MAX_NS];
};

/* Judges m, the response of a server of zone `zone` to a question about
 * qname (type qtype). For NAME, registrable is the name under the public
 * suffix (qname or one of its parents). Names are lower-case, without a
 * trailing dot; "" is the root. */
void bd_auth_judge(const struct bd_dnsmsg *m, enum bd_auth_question q,
                   const char *qname, uint16_t qtype, const char *registrable,
                   const char *zone, struct bd_auth_judgement *out);

/* True when name is zone or below it ("" is above every name). */
bool bd_auth_in_zone(const char *name, const char *zone);

#endif
