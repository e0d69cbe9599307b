/* DNS response -> verdict: the pure rules over a message that dnsmsg.c
 * has parsed and bounds-checked. */
#include "blogdom/verdict.h"

#include <ares.h>
#include <stdio.h>
#include <string.h>

#include "blogdom/dnsmsg.h"

static void set(struct bd_verdict *v, enum bd_status s, enum bd_reason r) {
  v->status = s;
  v->reason = r;
}

static void keep_address(struct bd_verdict *v, const struct bd_dnsmsg *m,
                         const struct bd_dnsrr *rr) {
  int n;
  if (v->naddrs >= BD_VERDICT_MAX_ADDRS)
    return;
  n = bd_dnsmsg_read_addr(m, rr, v->addrs[v->naddrs].bytes);
  if (n > 0)
    v->addrs[v->naddrs++].len = (uint8_t)n;
}

static bool asked_for(uint16_t qtype, uint16_t type) {
  return type == qtype || qtype == BD_DNS_TYPE_ANY;
}

/* Walks the answer section. *records counts records of qtype; *alias tells
 * whether the question's own name is an alias (CNAME or DNAME owner). */
static void read_answers(const struct bd_dnsmsg *m, uint16_t qtype,
                         struct bd_verdict *v, unsigned *records, bool *alias) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  bd_dnsmsg_walk(m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    if (asked_for(qtype, rr.type))
      (*records)++;
    if ((rr.type == BD_DNS_TYPE_A || rr.type == BD_DNS_TYPE_AAAA) &&
        asked_for(qtype, rr.type))
      keep_address(v, m, &rr);
    if ((rr.type == BD_DNS_TYPE_CNAME || rr.type == BD_DNS_TYPE_DNAME) &&
        bd_dnsmsg_same_name(m, rr.owner, m, m->qname))
      *alias = true;
  }
}

/* Looks in the authority section for NS and SOA records (RFC 2308 2.1-2.2:
 * a negative answer carries the zone's SOA; a referral carries the NS
 * records of the zone it hands the question to). */
static void read_authority(const struct bd_dnsmsg *m, bool *ns, bool *soa) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  bd_dnsmsg_walk(m, BD_DNS_AUTHORITY, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    if (rr.type == BD_DNS_TYPE_NS)
      *ns = true;
    else if (rr.type == BD_DNS_TYPE_SOA)
      *soa = true;
  }
}

static void judge_rcode(int rcode, unsigned records, bool alias,
                        struct bd_verdict *v) {
  switch (rcode) {
  case BD_DNS_RCODE_NOERROR:
    set(v, BD_FOUND, records > 0 ? BD_REASON_ANSWER : BD_REASON_NODATA);
    return;
  case BD_DNS_RCODE_NXDOMAIN:
    if (alias)
      set(v, BD_FOUND, BD_REASON_ALIAS);
    else
      set(v, BD_NOTFOUND, BD_REASON_NXDOMAIN);
    return;
  case BD_DNS_RCODE_FORMERR:
    set(v, BD_ERROR, BD_REASON_FORMERR);
    return;
  case BD_DNS_RCODE_SERVFAIL:
    set(v, BD_ERROR, BD_REASON_SERVFAIL);
    return;
  case BD_DNS_RCODE_NOTIMP:
    set(v, BD_ERROR, BD_REASON_NOTIMP);
    return;
  case BD_DNS_RCODE_REFUSED:
    set(v, BD_ERROR, BD_REASON_REFUSED);
    return;
  default:
    set(v, BD_ERROR, BD_REASON_RCODE);
    return;
  }
}

void bd_verdict_from_answer(const unsigned char *abuf, size_t alen,
                            uint16_t qtype, struct bd_verdict *v) {
  struct bd_dnsmsg m;
  unsigned records = 0;
  bool alias = false;
  bool ns = false;
  bool soa = false;

  memset(v, 0, sizeof(*v));
  v->rcode = -1;
  set(v, BD_ERROR, BD_REASON_BAD_RESPONSE);
  if (abuf == NULL || bd_dnsmsg_parse(&m, abuf, alen) != 0)
    return;
  /* Only a response (QR) to a standard query with our one question can
   * carry a verdict, and a truncated one is the start of an answer, never
   * an answer. */
  if (!(m.flags & BD_DNS_FLAG_QR) || m.opcode != BD_DNS_OPCODE_QUERY ||
      (m.flags & BD_DNS_FLAG_TC))
    return;
  read_answers(&m, qtype, v, &records, &alias);
  read_authority(&m, &ns, &soa);
  v->rcode = m.rcode;
  if (m.rcode == BD_DNS_RCODE_NOERROR && m.counts[BD_DNS_ANSWER] == 0 && ns &&
      !soa && !(m.flags & BD_DNS_FLAG_AA)) {
    set(v, BD_ERROR, BD_REASON_REFERRAL);
    return;
  }
  judge_rcode(v->rcode, records, alias, v);
}

bool bd_verdict_is_truncated(const unsigned char *abuf, size_t alen) {
  return abuf != NULL && alen >= 4 && (abuf[2] & (BD_DNS_FLAG_TC >> 8)) &&
         (abuf[2] & (BD_DNS_FLAG_QR >> 8));
}

void bd_verdict_from_status(int status, struct bd_verdict *v) {
  memset(v, 0, sizeof(*v));
  v->rcode = -1;
  v->status = BD_ERROR;
  switch (status) {
  case ARES_ETIMEOUT:
    v->reason = BD_REASON_TIMEOUT;
    break;
  case ARES_ECONNREFUSED:
    v->reason = BD_REASON_UNREACHABLE;
    break;
  case ARES_EBADRESP:
  case ARES_EFORMERR:
    v->reason = BD_REASON_BAD_RESPONSE;
    break;
  case ARES_ENOMEM:
    v->reason = BD_REASON_NO_MEMORY;
    break;
  default:
    v->reason = BD_REASON_FAILED;
    break;
  }
}

void bd_verdict_invalid_name(struct bd_verdict *v, bool host) {
  memset(v, 0, sizeof(*v));
  v->rcode = -1;
  set(v, BD_ERROR, host ? BD_REASON_INVALID_HOSTNAME : BD_REASON_INVALID_NAME);
}

void bd_verdict_from_zone(struct bd_verdict *v, bool holds) {
  memset(v, 0, sizeof(*v));
  v->rcode = -1;
  if (holds)
    set(v, BD_FOUND, BD_REASON_IN_ZONE);
  else
    set(v, BD_NOTFOUND, BD_REASON_NOT_IN_ZONE);
}

void bd_verdict_apply_wildcard(struct bd_verdict *v) {
  if (v->status == BD_FOUND)
    set(v, BD_ERROR, BD_REASON_WILDCARD);
}

/* Input that was never sent keeps its own reason whatever its TLD. */
static bool never_sent(const struct bd_verdict *v) {
  return v->reason == BD_REASON_INVALID_NAME ||
         v->reason == BD_REASON_INVALID_HOSTNAME;
}

void bd_verdict_apply_missing_tld(struct bd_verdict *v) {
  if (!never_sent(v))
    set(v, BD_ERROR, BD_REASON_NO_SUCH_TLD);
}

void bd_verdict_apply_denied_tld(struct bd_verdict *v) {
  if (!never_sent(v))
    set(v, BD_ERROR, BD_REASON_RESOLVER_DENIES_TLD);
}

void bd_verdict_apply_confirm(struct bd_verdict *v, enum bd_confirm c,
                              int http_status) {
  v->confirm = c;
  v->http_status = http_status;
  if (c == BD_CONFIRM_REGISTERED)
    set(v, BD_FOUND, BD_REASON_REGISTERED_NO_DNS);
  else if (c == BD_CONFIRM_FAILED)
    set(v, BD_ERROR, BD_REASON_RDAP_FAILED);
  else if (c == BD_CONFIRM_TIMEOUT)
    set(v, BD_ERROR, BD_REASON_RDAP_TIMEOUT);
  else if (c == BD_CONFIRM_UNREACHABLE)
    set(v, BD_ERROR, BD_REASON_RDAP_UNREACHABLE);
  else if (c == BD_CONFIRM_TLS)
    set(v, BD_ERROR, BD_REASON_RDAP_TLS);
  else if (c == BD_CONFIRM_BAD_RESPONSE)
    set(v, BD_ERROR, BD_REASON_RDAP_BAD_RESPONSE);
  else if (c == BD_CONFIRM_WHOIS_LIMITED)
    set(v, BD_ERROR, BD_REASON_WHOIS_LIMITED);
  else if (c == BD_CONFIRM_WHOIS_UNRECOGNIZED)
    set(v, BD_ERROR, BD_REASON_WHOIS_UNRECOGNIZED);
  else if (c == BD_CONFIRM_WHOIS_UNREACHABLE)
    set(v, BD_ERROR, BD_REASON_WHOIS_UNREACHABLE);
}

void bd_verdict_apply_whois(struct bd_verdict *v, enum bd_confirm c) {
  bd_verdict_apply_confirm(v, c, 0);
  v->by_whois = true;
}

/* How WHOIS reached the verdict, or NULL when it did not. */
static const char *whois_evidence(const struct bd_verdict *v) {
  if (!v->by_whois)
    return NULL;
  switch (v->reason) {
  case BD_REASON_WHOIS_LIMITED:
    return "whois:limited";
  case BD_REASON_WHOIS_UNRECOGNIZED:
    return "whois:unrecognized";
  case BD_REASON_WHOIS_UNREACHABLE:
    return "whois:no-answer";
  default:
    break;
  }
  if (v->confirm == BD_CONFIRM_REGISTERED)
    return "whois:registered";
  return v->confirm == BD_CONFIRM_AVAILABLE ? "whois:free" : NULL;
}

void bd_verdict_apply_registry_status(struct bd_verdict *v, unsigned holds) {
  if (v->confirm != BD_CONFIRM_REGISTERED)
    return;
  if (holds & BD_REGISTRY_REDEMPTION)
    set(v, BD_FOUND, BD_REASON_REDEMPTION);
  else if (holds & BD_REGISTRY_PENDING_DELETE)
    set(v, BD_FOUND, BD_REASON_PENDING_DELETE);
  else if (holds & BD_REGISTRY_HOLD)
    set(v, BD_FOUND, BD_REASON_ON_HOLD);
}

const char *bd_verdict_evidence(const struct bd_verdict *v, char *buf,
                                size_t cap) {
  const char *rcode = bd_rcode_name(v->rcode);
  const char *whois = whois_evidence(v);
  char lower[16];
  size_t i;

  if (whois != NULL)
    return whois;
  switch (v->reason) {
  case BD_REASON_WILDCARD:
    return "wildcard";
  case BD_REASON_NO_SUCH_TLD:
    return "no-such-tld";
  case BD_REASON_INVALID_NAME:
  case BD_REASON_INVALID_HOSTNAME:
    return "input";
  case BD_REASON_RESOLVER_DENIES_TLD:
    return "tld-check";
  case BD_REASON_REFERRAL:
    return "dns:referral";
  case BD_REASON_DELEGATED:
    return "auth:referral";
  case BD_REASON_LAME:
    return "auth:lame";
  case BD_REASON_REGISTERED_NO_DNS:
  case BD_REASON_REDEMPTION:
  case BD_REASON_PENDING_DELETE:
  case BD_REASON_ON_HOLD:
  case BD_REASON_RDAP_BAD_RESPONSE:
  case BD_REASON_RDAP_FAILED:
  case BD_REASON_RDAP_TIMEOUT:
  case BD_REASON_RDAP_UNREACHABLE:
  case BD_REASON_RDAP_TLS:
    if (v->http_status > 0)
      snprintf(buf, cap, "rdap:%d", v->http_status);
    else
      snprintf(buf, cap, "rdap:%s",
               bd_verdict_is_registry_failure(v) ? "no-answer" : "200");
    return buf;
  default:
    break;
  }
  if (v->confirm == BD_CONFIRM_AVAILABLE) {
    snprintf(buf, cap, "rdap:%d", v->http_status ? v->http_status : 404);
    return buf;
  }
  if (v->reason == BD_REASON_IN_ZONE || v->reason == BD_REASON_NOT_IN_ZONE)
    return BD_EVIDENCE_ZONE;
  if (v->rcode < 0) {
    snprintf(buf, cap, "dns:%s", bd_reason_name(v->reason));
    return buf;
  }
  if (v->authoritative && v->status != BD_ERROR) {
    snprintf(buf, cap, "auth:%s",
             v->status == BD_NOTFOUND ? "nxdomain" : "noerror");
    return buf;
  }
  if (rcode == NULL) {
    snprintf(buf, cap, "dns:rcode%d", v->rcode);
    return buf;
  }
  for (i = 0; rcode[i] != '\0' && i < sizeof(lower) - 1; i++)
    lower[i] = (char)(rcode[i] - 'A' + 'a');
  lower[i] = '\0';
  snprintf(buf, cap, "dns:%s", lower);
  return buf;
}

bool bd_verdict_is_registry_failure(const struct bd_verdict *v) {
  return v->reason == BD_REASON_RDAP_FAILED ||
         v->reason == BD_REASON_RDAP_TIMEOUT ||
         v->reason == BD_REASON_RDAP_UNREACHABLE ||
         v->reason == BD_REASON_RDAP_TLS ||
         v->reason == BD_REASON_WHOIS_LIMITED ||
         v->reason == BD_REASON_WHOIS_UNRECOGNIZED ||
         v->reason == BD_REASON_WHOIS_UNREACHABLE;
}

bool bd_verdict_is_transport_failure(const struct bd_verdict *v) {
  return v->reason == BD_REASON_TIMEOUT || v->reason == BD_REASON_UNREACHABLE ||
         v->reason == BD_REASON_BAD_RESPONSE || v->reason == BD_REASON_FAILED;
}

bool bd_verdict_is_server_failure(const struct bd_verdict *v) {
  return v->reason == BD_REASON_SERVFAIL || v->reason == BD_REASON_REFUSED ||
         v->reason == BD_REASON_FORMERR || v->reason == BD_REASON_NOTIMP ||
         v->reason == BD_REASON_RCODE || v->reason == BD_REASON_REFERRAL;
}

const char *bd_status_name(enum bd_status s) {
  switch (s) {
  case BD_FOUND:
    return "found";
  case BD_NOTFOUND:
    return "notfound";
  case BD_ERROR:
    return "error";
  }
  return "error";
}

const char *bd_reason_name(enum bd_reason r) {
  static const char *const names[] = {
      [BD_REASON_ANSWER] = "answer",
      [BD_REASON_NODATA] = "nodata",
      [BD_REASON_ALIAS] = "alias",
      [BD_REASON_NXDOMAIN] = "nxdomain",
      [BD_REASON_SERVFAIL] = "servfail",
      [BD_REASON_REFUSED] = "refused",
      [BD_REASON_FORMERR] = "formerr",
      [BD_REASON_NOTIMP] = "notimp",
      [BD_REASON_RCODE] = "rcode",
      [BD_REASON_TIMEOUT] = "timeout",
      [BD_REASON_UNREACHABLE] = "unreachable",
      [BD_REASON_BAD_RESPONSE] = "bad-response",
      [BD_REASON_INVALID_NAME] = "invalid-name",
      [BD_REASON_NO_MEMORY] = "no-memory",
      [BD_REASON_FAILED] = "failed",
      [BD_REASON_WILDCARD] = "wildcard",
      [BD_REASON_NO_SUCH_TLD] = "no-such-tld",
      [BD_REASON_REGISTERED_NO_DNS] = "registered-no-dns",
      [BD_REASON_RDAP_FAILED] = "rdap-failed",
      [BD_REASON_RDAP_TIMEOUT] = "rdap-timeout",
      [BD_REASON_RDAP_UNREACHABLE] = "rdap-unreachable",
      [BD_REASON_RDAP_TLS] = "rdap-tls",
      [BD_REASON_REFERRAL] = "referral",
      [BD_REASON_INVALID_HOSTNAME] = "invalid-hostname",
      [BD_REASON_RESOLVER_DENIES_TLD] = "resolver-denies-tld",
      [BD_REASON_DELEGATED] = "delegated",
      [BD_REASON_LAME] = "lame",
      [BD_REASON_REDEMPTION] = "redemption",
      [BD_REASON_PENDING_DELETE] = "pending-delete",
      [BD_REASON_ON_HOLD] = "on-hold",
      [BD_REASON_RDAP_BAD_RESPONSE] = "rdap-bad-response",
      [BD_REASON_IN_ZONE] = "in-zone",
      [BD_REASON_NOT_IN_ZONE] = "not-in-zone",
      [BD_REASON_WHOIS_LIMITED] = "whois-limited",
      [BD_REASON_WHOIS_UNRECOGNIZED] = "whois-unrecognized",
      [BD_REASON_WHOIS_UNREACHABLE] = "whois-unreachable",
  };
  if ((size_t)r < sizeof(names) / sizeof(names[0]) && names[r] != NULL)
    return names[r];
  return "failed";
}

const char *bd_rcode_name(int rcode) {
  static const char *const names[] = {
      "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
      "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "DSOTYPENI"};
  if (rcode >= 0 && (size_t)rcode < sizeof(names) / sizeof(names[0]))
    return names[rcode];
  return NULL;
}
