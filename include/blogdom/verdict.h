/* From what the server said to one of three verdicts: a pure mapping. */
#ifndef BLOGDOM_VERDICT_H
#define BLOGDOM_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum bd_status {
  BD_FOUND,    /* "+": the name exists */
  BD_NOTFOUND, /* "  ": NXDOMAIN, the name does not exist */
  BD_ERROR     /* "?": no definitive answer */
};

enum bd_reason {
  BD_REASON_ANSWER,       /* NOERROR with records of the asked type */
  BD_REASON_NODATA,       /* NOERROR without them: the name still exists */
  BD_REASON_ALIAS,        /* NXDOMAIN for the target of the name's alias */
  BD_REASON_NXDOMAIN,     /* the name does not exist */
  BD_REASON_SERVFAIL,     /* rcode 2 */
  BD_REASON_REFUSED,      /* rcode 5 */
  BD_REASON_FORMERR,      /* rcode 1 */
  BD_REASON_NOTIMP,       /* rcode 4 */
  BD_REASON_RCODE,        /* any other rcode */
  BD_REASON_TIMEOUT,      /* no answer within the tries */
  BD_REASON_UNREACHABLE,  /* the server refused the connection or the
                             datagram (ICMP), or sending failed */
  BD_REASON_BAD_RESPONSE, /* an answer that does not parse */
  BD_REASON_INVALID_NAME, /* never sent: the input is not a domain name */
  BD_REASON_NO_MEMORY,
  BD_REASON_FAILED,              /* any other resolver error */
  BD_REASON_WILDCARD,            /* found, but so is any name of its TLD */
  BD_REASON_NO_SUCH_TLD,         /* the TLD itself does not exist */
  BD_REASON_REGISTERED_NO_DNS,   /* NXDOMAIN, but the registry has it */
  BD_REASON_RDAP_FAILED,         /* NXDOMAIN, and the registry did not say:
                                    it answered with an error status */
  BD_REASON_REFERRAL,            /* the server delegated instead of answering */
  BD_REASON_INVALID_HOSTNAME,    /* never sent: no registry sells that label */
  BD_REASON_RESOLVER_DENIES_TLD, /* the resolver calls the TLD nonexistent */
  BD_REASON_DELEGATED, /* --authoritative: the registry's zone delegates it */
  BD_REASON_LAME,      /* --authoritative: no server of the zone answers for
                          it (answers without AA, or refers elsewhere) */
  /* NXDOMAIN, and the registry has it in one of the states on its way
   * out or held (--confirm; RFC 9083 10.2.2, RFC 8056): */
  BD_REASON_REDEMPTION,        /* "redemption period" */
  BD_REASON_PENDING_DELETE,    /* "pending delete" */
  BD_REASON_ON_HOLD,           /* "client hold" or "server hold" */
  BD_REASON_RDAP_BAD_RESPONSE, /* NXDOMAIN, and the registry's 200 is no
                                  domain object we can read */
  /* NXDOMAIN, and the registry's server could not be asked (--confirm): */
  BD_REASON_RDAP_TIMEOUT,     /* no answer in time */
  BD_REASON_RDAP_UNREACHABLE, /* no connection, or one broken or empty */
  BD_REASON_RDAP_TLS,         /* no TLS session: handshake or certificate */
  /* --zone: judged by a zone file, with no query (zoneset.h): */
  BD_REASON_IN_ZONE,     /* the zone holds the name, or delegates it */
  BD_REASON_NOT_IN_ZONE, /* the zone's servers would say NXDOMAIN */
  /* NXDOMAIN, and the TLD's WHOIS server, asked where there is no RDAP
   * (--confirm), said nothing definitive: */
  BD_REASON_WHOIS_LIMITED,      /* a rate limit or a refusal */
  BD_REASON_WHOIS_UNRECOGNIZED, /* a reply in no format we read */
  BD_REASON_WHOIS_UNREACHABLE   /* no connection, no reply, or no address */
};

/* What the registry said of a name DNS calls free (--confirm). */
enum bd_confirm {
  BD_CONFIRM_NONE,         /* not asked */
  BD_CONFIRM_REGISTERED,   /* RDAP 200 */
  BD_CONFIRM_AVAILABLE,    /* RDAP 404 */
  BD_CONFIRM_NO_SERVER,    /* the TLD has no RDAP service */
  BD_CONFIRM_FAILED,       /* no definitive answer: an error status */
  BD_CONFIRM_TIMEOUT,      /* no answer from the registry's server in time */
  BD_CONFIRM_UNREACHABLE,  /* no connection to it, or one broken or empty */
  BD_CONFIRM_TLS,          /* no TLS session with it */
  BD_CONFIRM_BAD_RESPONSE, /* RDAP 200 with a body that is no domain object */
  /* No RDAP service, and its WHOIS server (whois.h) said nothing
   * definitive; REGISTERED and AVAILABLE may come from WHOIS too. */
  BD_CONFIRM_WHOIS_LIMITED,
  BD_CONFIRM_WHOIS_UNRECOGNIZED,
  BD_CONFIRM_WHOIS_UNREACHABLE,
  BD_CONFIRM_KINDS
};

/* Bits of the states a registry's status values put a name in (see
 * rdapdomain.h), which bd_verdict_apply_registry_status() turns into a
 * reason. */
#define BD_REGISTRY_REDEMPTION 1u
#define BD_REGISTRY_PENDING_DELETE 2u
#define BD_REGISTRY_HOLD 4u

#define BD_VERDICT_MAX_ADDRS 8

struct bd_addr {
  uint8_t len; /* 4 or 16 */
  unsigned char bytes[16];
};

struct bd_verdict {
  enum bd_status status;
  enum bd_reason reason;
  int rcode;       /* -1 when no answer was parsed */
  unsigned naddrs; /* addresses kept, at most BD_VERDICT_MAX_ADDRS */
  struct bd_addr addrs[BD_VERDICT_MAX_ADDRS];
  enum bd_confirm confirm;
  int http_status;    /* of the RDAP answer, 0 if none */
  bool by_whois;      /* the registry's word came over WHOIS, not RDAP */
  bool authoritative; /* the zone's own server said it (--authoritative) */
  bool for_sale;      /* --for-sale: a valid _for-sale record (RFC 10023) */
};

/* The verdict of a zone file (zoneset.h): the zone holds the name, or it
 * does not. */
void bd_verdict_from_zone(struct bd_verdict *v, bool holds);

/* Judges a whole DNS response to a query for one name and qtype (RFC 1035
 * 4.1). NOERROR means the name exists, with or without records of qtype
 * (RFC 2308 2.2, NODATA); NXDOMAIN means it does not (RFC 2308 2.1, RFC
 * 8020), except when the answer holds an alias owned by the name itself:
 * then the NXDOMAIN speaks of the alias's target (RFC 6604 3) and the name
 * exists. A referral is no answer at all (RFC 1034 4.3.1 and 2308 2.2: an
 * empty answer with NS records and no SOA in the authority section, AA
 * clear, is a server handing the question on): BD_REASON_REFERRAL. Other
 * rcodes give no verdict. A response that does not parse, or is truncated,
 * is BD_REASON_BAD_RESPONSE. */
void bd_verdict_from_answer(const unsigned char *abuf, size_t alen,
                            uint16_t qtype, struct bd_verdict *v);

/* True when abuf is a truncated response (TC, RFC 1035 4.1.1): the start
 * of an answer, to be asked again over TCP. */
bool bd_verdict_is_truncated(const unsigned char *abuf, size_t alen);

/* The verdict for a query that ended without a response: status is a
 * c-ares error code (ARES_ETIMEOUT, ARES_ECONNREFUSED, ...). */
void bd_verdict_from_status(int status, struct bd_verdict *v);

/* The verdict for a name that was never sent: invalid as a domain name, or
 * (host is true) a valid one whose registrable label no registry sells. */
void bd_verdict_invalid_name(struct bd_verdict *v, bool host);

/* Under a TLD the resolver denies though it exists, nothing can be
 * judged. */
void bd_verdict_apply_denied_tld(struct bd_verdict *v);

/* Under a TLD where random names exist too, "found" means nothing. */
void bd_verdict_apply_wildcard(struct bd_verdict *v);

/* Under a TLD that does not exist, no name can be registered or judged. */
void bd_verdict_apply_missing_tld(struct bd_verdict *v);

/* Folds the registry's word into a DNS NXDOMAIN: registered makes it
 * found (registered-no-dns), a failure or a body that is no domain object
 * makes it an error (rdap-failed, rdap-timeout, rdap-unreachable,
 * rdap-tls, rdap-bad-response), available or no
 * RDAP service leaves it free. */
void bd_verdict_apply_confirm(struct bd_verdict *v, enum bd_confirm c,
                              int http_status);

/* The same for a word that came over WHOIS where the TLD has no RDAP:
 * registered and available as from RDAP, the evidence "whois:registered"
 * and "whois:free"; a limit, a reply we cannot read or no reply makes it
 * an error (whois-limited, whois-unrecognized, whois-unreachable), never
 * free. */
void bd_verdict_apply_whois(struct bd_verdict *v, enum bd_confirm c);

/* A registered name's state (BD_REGISTRY_* bits) names its reason: the
 * redemption period first, then a pending delete, then a hold (a name in
 * redemption is pending delete too, RFC 3915 3.1); none leaves
 * registered-no-dns. Only after bd_verdict_apply_confirm() said
 * registered. */
void bd_verdict_apply_registry_status(struct bd_verdict *v, unsigned holds);

/* How the verdict was reached: "dns:noerror", "dns:nxdomain",
 * "dns:timeout", "rdap:404", "rdap:200", "whois:free", "whois:registered",
 * "wildcard", "no-such-tld",
 * "input", ... written into buf (at least 32 bytes). A zone file's verdict
 * is BD_EVIDENCE_ZONE, for the line to name the zone and its serial
 * instead (result.h). */
#define BD_EVIDENCE_ZONE "zone"
const char *bd_verdict_evidence(const struct bd_verdict *v, char *buf,
                                size_t cap);

/* True when the registry was asked and gave no definitive answer (an
 * error status, no answer, no connection, no TLS session; a WHOIS limit,
 * a reply we cannot read). */
bool bd_verdict_is_registry_failure(const struct bd_verdict *v);

/* True when another try may change the outcome: no usable answer came
 * (timeouts, network errors, garbage), as opposed to a server's word. */
bool bd_verdict_is_transport_failure(const struct bd_verdict *v);

/* True when the server answered but declined (SERVFAIL, REFUSED, ...):
 * another server may know better. */
bool bd_verdict_is_server_failure(const struct bd_verdict *v);

/* "found", "notfound", "error". */
const char *bd_status_name(enum bd_status s);
/* "answer", "nxdomain", "timeout", ... */
const char *bd_reason_name(enum bd_reason r);
/* "NOERROR", "NXDOMAIN", ... or NULL for an rcode without a mnemonic. */
const char *bd_rcode_name(int rcode);

#endif
