/* DNS response -> verdict. Parses only what the verdict needs, with every
 * offset checked against the buffer: responses come from the network. */
#include "blogdom/verdict.h"

#include <ares.h>
#include <stdio.h>
#include <string.h>

#define HEADER_SIZE 12
#define TYPE_A 1
#define TYPE_NS 2
#define TYPE_CNAME 5
#define TYPE_SOA 6
#define TYPE_AAAA 28
#define TYPE_DNAME 39
#define FLAG_AA 0x04 /* in the third header byte (RFC 1035 4.1.1) */
#define FLAG_TC 0x02
#define CLASS_IN 1
#define MAX_POINTER_HOPS 64

struct reader {
  const unsigned char *buf;
  size_t len;
  size_t pos;
};

static unsigned get16(const unsigned char *p) {
  return ((unsigned)p[0] << 8) | p[1];
}

/* Steps over a name at r->pos, compressed or not (RFC 1035 4.1.4). */
static int skip_name(struct reader *r) {
  size_t pos = r->pos;
  for (unsigned labels = 0; labels < 128; labels++) {
    unsigned char c;
    if (pos >= r->len)
      return -1;
    c = r->buf[pos];
    if (c == 0) {
      r->pos = pos + 1;
      return 0;
    }
    if ((c & 0xc0) == 0xc0) {
      if (pos + 2 > r->len)
        return -1;
      r->pos = pos + 2;
      return 0;
    }
    if ((c & 0xc0) != 0)
      return -1; /* the 0x40 and 0x80 label types are obsolete */
    pos += 1u + c;
  }
  return -1;
}

/* Moves *pos to the next label of a name, following pointers; returns its
 * length (0 at the root), or -1 when the name is malformed. */
static int next_label(const unsigned char *buf, size_t len, size_t *pos,
                      unsigned *hops) {
  for (;;) {
    unsigned char c;
    if (*pos >= len)
      return -1;
    c = buf[*pos];
    if ((c & 0xc0) == 0xc0) {
      if (*pos + 2 > len || ++*hops > MAX_POINTER_HOPS)
        return -1;
      *pos = get16(buf + *pos) & 0x3fffu;
      continue;
    }
    if ((c & 0xc0) != 0 || *pos + 1u + c > len)
      return -1;
    return c;
  }
}

static unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* True when the names at offsets a and b are equal, ignoring ASCII case
 * (RFC 4343). */
static bool same_name(const unsigned char *buf, size_t len, size_t a,
                      size_t b) {
  unsigned hops = 0;
  for (unsigned labels = 0; labels < 128; labels++) {
    int la = next_label(buf, len, &a, &hops);
    int lb = next_label(buf, len, &b, &hops);
    if (la < 0 || lb < 0 || la != lb)
      return false;
    if (la == 0)
      return true;
    for (int i = 1; i <= la; i++)
      if (lower(buf[a + (size_t)i]) != lower(buf[b + (size_t)i]))
        return false;
    a += 1u + (unsigned)la;
    b += 1u + (unsigned)lb;
  }
  return false;
}

static void set(struct bd_verdict *v, enum bd_status s, enum bd_reason r) {
  v->status = s;
  v->reason = r;
}

static void keep_address(struct bd_verdict *v, const unsigned char *rdata,
                         unsigned rdlen) {
  if (v->naddrs >= BD_VERDICT_MAX_ADDRS)
    return;
  v->addrs[v->naddrs].len = (uint8_t)rdlen;
  memcpy(v->addrs[v->naddrs].bytes, rdata, rdlen);
  v->naddrs++;
}

/* Walks the answer section. *records counts records of qtype; *alias tells
 * whether the question's own name is an alias (CNAME or DNAME owner). */
static int read_answers(struct reader *r, unsigned ancount, size_t qname,
                        uint16_t qtype, struct bd_verdict *v, unsigned *records,
                        bool *alias) {
  for (unsigned i = 0; i < ancount; i++) {
    size_t owner = r->pos;
    unsigned type;
    unsigned klass;
    unsigned rdlen;

    if (skip_name(r) != 0 || r->pos + 10 > r->len)
      return -1;
    type = get16(r->buf + r->pos);
    klass = get16(r->buf + r->pos + 2);
    rdlen = get16(r->buf + r->pos + 8);
    r->pos += 10;
    if (r->pos + rdlen > r->len)
      return -1;
    if (type == qtype || qtype == 255)
      (*records)++;
    if (klass == CLASS_IN &&
        ((type == TYPE_A && rdlen == 4) ||
         (type == TYPE_AAAA && rdlen == 16)) &&
        (qtype == type || qtype == 255))
      keep_address(v, r->buf + r->pos, rdlen);
    if ((type == TYPE_CNAME || type == TYPE_DNAME) &&
        same_name(r->buf, r->len, owner, qname))
      *alias = true;
    r->pos += rdlen;
  }
  return 0;
}

/* Walks the authority section for NS and SOA records (RFC 2308 2.1-2.2:
 * a negative answer carries the zone's SOA; a referral carries the NS
 * records of the zone it hands the question to). */
static int read_authority(struct reader *r, unsigned nscount, bool *ns,
                          bool *soa) {
  for (unsigned i = 0; i < nscount; i++) {
    unsigned type;
    unsigned rdlen;

    if (skip_name(r) != 0 || r->pos + 10 > r->len)
      return -1;
    type = get16(r->buf + r->pos);
    rdlen = get16(r->buf + r->pos + 8);
    r->pos += 10;
    if (r->pos + rdlen > r->len)
      return -1;
    if (type == TYPE_NS)
      *ns = true;
    else if (type == TYPE_SOA)
      *soa = true;
    r->pos += rdlen;
  }
  return 0;
}

static void judge_rcode(int rcode, unsigned records, bool alias,
                        struct bd_verdict *v) {
  switch (rcode) {
  case 0:
    set(v, BD_FOUND, records > 0 ? BD_REASON_ANSWER : BD_REASON_NODATA);
    return;
  case 3:
    if (alias)
      set(v, BD_FOUND, BD_REASON_ALIAS);
    else
      set(v, BD_NOTFOUND, BD_REASON_NXDOMAIN);
    return;
  case 1:
    set(v, BD_ERROR, BD_REASON_FORMERR);
    return;
  case 2:
    set(v, BD_ERROR, BD_REASON_SERVFAIL);
    return;
  case 4:
    set(v, BD_ERROR, BD_REASON_NOTIMP);
    return;
  case 5:
    set(v, BD_ERROR, BD_REASON_REFUSED);
    return;
  default:
    set(v, BD_ERROR, BD_REASON_RCODE);
    return;
  }
}

void bd_verdict_from_answer(const unsigned char *abuf, size_t alen,
                            uint16_t qtype, struct bd_verdict *v) {
  struct reader r = {abuf, alen, HEADER_SIZE};
  unsigned records = 0;
  unsigned ancount;
  bool alias = false;
  bool ns = false;
  bool soa = false;
  size_t qname;

  memset(v, 0, sizeof(*v));
  v->rcode = -1;
  set(v, BD_ERROR, BD_REASON_BAD_RESPONSE);
  if (abuf == NULL || alen < HEADER_SIZE)
    return;
  /* Only a response (QR) to a standard query (opcode 0) with our one
   * question can carry a verdict. */
  if ((abuf[2] & 0x80) == 0 || (abuf[2] & 0x78) != 0 || get16(abuf + 4) != 1)
    return;
  qname = r.pos;
  if (skip_name(&r) != 0 || r.pos + 4 > alen)
    return;
  r.pos += 4;
  ancount = get16(abuf + 6);
  if (read_answers(&r, ancount, qname, qtype, v, &records, &alias) != 0 ||
      read_authority(&r, get16(abuf + 8), &ns, &soa) != 0) {
    v->naddrs = 0;
    return;
  }
  /* A truncated response is the start of an answer, never an answer. */
  if (abuf[2] & FLAG_TC)
    return;
  v->rcode = abuf[3] & 0x0f;
  if (v->rcode == 0 && ancount == 0 && ns && !soa && !(abuf[2] & FLAG_AA)) {
    set(v, BD_ERROR, BD_REASON_REFERRAL);
    return;
  }
  judge_rcode(v->rcode, records, alias, v);
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
}

const char *bd_verdict_evidence(const struct bd_verdict *v, char *buf,
                                size_t cap) {
  const char *rcode = bd_rcode_name(v->rcode);
  char lower[16];
  size_t i;

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
  case BD_REASON_REGISTERED_NO_DNS:
  case BD_REASON_RDAP_FAILED:
    if (v->http_status > 0)
      snprintf(buf, cap, "rdap:%d", v->http_status);
    else
      snprintf(buf, cap, "rdap:%s",
               v->reason == BD_REASON_RDAP_FAILED ? "no-answer" : "200");
    return buf;
  default:
    break;
  }
  if (v->confirm == BD_CONFIRM_AVAILABLE) {
    snprintf(buf, cap, "rdap:%d", v->http_status ? v->http_status : 404);
    return buf;
  }
  if (v->rcode < 0) {
    snprintf(buf, cap, "dns:%s", bd_reason_name(v->reason));
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
      [BD_REASON_REFERRAL] = "referral",
      [BD_REASON_INVALID_HOSTNAME] = "invalid-hostname",
      [BD_REASON_RESOLVER_DENIES_TLD] = "resolver-denies-tld",
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
