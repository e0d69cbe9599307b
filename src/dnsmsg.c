/* Reads a whole DNS message in place: header, question, the three record
 * sections, names and the record data later features need.
 *
 * Our own parser rather than c-ares': the ares_parse_*_reply functions of
 * c-ares 1.18 each allocate their result, read only the answer section of
 * one record type, and show neither the header bits, the authority and
 * additional sections nor the OPT record; ares_expand_name allocates too.
 * A general message API (ares_dns_record_t) came with c-ares 1.22, newer
 * than the 1.18 we build against. Here nothing is copied or allocated and
 * every read is checked against the buffer: the bytes come from the
 * network. */
#include "blogdom/dnsmsg.h"

#include <string.h>

#define HEADER_SIZE 12      /* RFC 1035 4.1.1 */
#define QUESTION_FIXED 4    /* QTYPE, QCLASS after the name (4.1.2) */
#define RR_FIXED 10         /* TYPE, CLASS, TTL, RDLENGTH (4.1.3) */
#define NAME_MAX_OCTETS 255 /* RFC 1035 3.1 */
/* A compressor that points each new name at the longest suffix already
 * written makes a chain of at most one pointer per label, and a name has
 * at most 127 labels; more pointers than that are no compression. The
 * "prior occurrence" rule bounds the walk already; this bounds its cost. */
#define MAX_POINTERS 128

static unsigned get16(const unsigned char *p) {
  return ((unsigned)p[0] << 8) | p[1];
}

static uint32_t get32(const unsigned char *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
         ((uint32_t)p[2] << 8) | p[3];
}

static unsigned char lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* The labels of one name, followed through its pointers. */
struct labels {
  const unsigned char *buf;
  size_t len;
  size_t pos;      /* of the next length octet */
  size_t floor;    /* a pointer must point below this */
  size_t limit;    /* the labels must end before this */
  size_t end;      /* just past the name where it is written; 0 until seen */
  unsigned octets; /* of the name so far, uncompressed */
  unsigned pointers;
};

static void labels_start(struct labels *l, const unsigned char *buf, size_t len,
                         size_t off) {
  l->buf = buf;
  l->len = len;
  l->pos = off;
  l->floor = off;
  l->limit = len;
  l->end = 0;
  l->octets = 0;
  l->pointers = 0;
}

/* What running into l->limit means: the end of the buffer, or a name
 * pointed at that does not end before the pointer. */
static int overrun(const struct labels *l) {
  return l->limit == l->len ? BD_DNSMSG_ESHORT : BD_DNSMSG_ENAME;
}

/* Returns the length of the next label, 0 at the root, with *label at its
 * first octet; or BD_DNSMSG_ESHORT when the name runs past the buffer,
 * BD_DNSMSG_ENAME when it is malformed. */
static int next_label(struct labels *l, const unsigned char **label) {
  for (;;) {
    unsigned c;
    size_t target;

    if (l->pos >= l->limit)
      return overrun(l);
    c = l->buf[l->pos];
    switch (c & 0xc0) {
    case 0x00:
      l->octets += 1 + c;
      if (l->octets > NAME_MAX_OCTETS)
        return BD_DNSMSG_ENAME;
      if (c + 1 > l->limit - l->pos)
        return overrun(l);
      *label = l->buf + l->pos + 1;
      l->pos += 1 + c;
      if (c == 0 && l->end == 0)
        l->end = l->pos;
      return (int)c;
    case 0xc0:
      /* RFC 1035 4.1.4: a pointer to a prior occurrence, so the name it
       * points at lies wholly before the pointer. Each target lies below
       * the last, so the walk ends; and a name reads no byte after its
       * own, so bytes after a message's records never change it. */
      if (l->limit - l->pos < 2)
        return overrun(l);
      target = get16(l->buf + l->pos) & 0x3fffu;
      if (target >= l->floor || ++l->pointers > MAX_POINTERS)
        return BD_DNSMSG_ENAME;
      if (l->end == 0)
        l->end = l->pos + 2;
      l->floor = target;
      l->limit = l->pos;
      l->pos = target;
      continue;
    default:
      /* 0x40 was the extended label type (RFC 6891 5, deprecated); 0x80
       * was never assigned (RFC 1035 4.1.4). */
      return BD_DNSMSG_ENAME;
    }
  }
}

/* Follows the name at off to its end; *end is where it stops being
 * written in place, after its root octet or its first pointer. */
static int walk_name(const unsigned char *buf, size_t len, size_t off,
                     size_t *end) {
  struct labels l;
  const unsigned char *label;
  int n;

  labels_start(&l, buf, len, off);
  while ((n = next_label(&l, &label)) > 0)
    ;
  if (n < 0)
    return n;
  *end = l.end;
  return 0;
}

/* Reads the record at *pos into *rr and moves *pos past it. */
static int read_rr(const unsigned char *buf, size_t len, size_t *pos,
                   struct bd_dnsrr *rr) {
  size_t p;
  int rc = walk_name(buf, len, *pos, &p);

  if (rc != 0)
    return rc;
  if (len - p < RR_FIXED)
    return BD_DNSMSG_ESHORT;
  rr->owner = *pos;
  rr->type = (uint16_t)get16(buf + p);
  rr->klass = (uint16_t)get16(buf + p + 2);
  rr->ttl = get32(buf + p + 4);
  rr->rdlen = (uint16_t)get16(buf + p + 8);
  rr->rdata = p + RR_FIXED;
  if (len - rr->rdata < rr->rdlen)
    return BD_DNSMSG_ESHORT;
  *pos = rr->rdata + rr->rdlen;
  return 0;
}

/* RFC 6891 6.1.2-6.1.3: one OPT record, owned by the root, whose CLASS is
 * the sender's UDP payload size and whose TTL holds the upper rcode bits,
 * the version and the flags. */
static int read_opt(struct bd_dnsmsg *m, const struct bd_dnsrr *rr) {
  if (m->edns || m->buf[rr->owner] != 0)
    return BD_DNSMSG_EOPT;
  m->edns = true;
  m->edns_udp_size = rr->klass;
  m->rcode = (uint16_t)(((rr->ttl >> 24) << 4) | m->rcode);
  m->edns_version = (uint8_t)(rr->ttl >> 16);
  m->edns_flags = (uint16_t)rr->ttl;
  return 0;
}

static int read_sections(struct bd_dnsmsg *m, size_t pos) {
  for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
    m->sections[s] = pos;
    for (unsigned i = 0; i < m->counts[s]; i++) {
      struct bd_dnsrr rr;
      int rc = read_rr(m->buf, m->len, &pos, &rr);
      if (rc != 0)
        return rc;
      if (s == BD_DNS_ADDITIONAL && rr.type == BD_DNS_TYPE_OPT &&
          (rc = read_opt(m, &rr)) != 0)
        return rc;
    }
  }
  m->end = pos;
  return 0;
}

int bd_dnsmsg_parse(struct bd_dnsmsg *m, const unsigned char *buf, size_t len) {
  size_t pos;
  int rc;

  memset(m, 0, sizeof(*m));
  if (buf == NULL || len < HEADER_SIZE)
    return BD_DNSMSG_ESHORT;
  m->buf = buf;
  m->len = len;
  m->id = (uint16_t)get16(buf);
  m->flags = (uint16_t)(get16(buf + 2) & 0x87f0u);
  m->opcode = (uint8_t)((buf[2] >> 3) & 0x0f);
  m->rcode = buf[3] & 0x0f;
  m->qdcount = (uint16_t)get16(buf + 4);
  for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++)
    m->counts[s] = (uint16_t)get16(buf + 6 + 2 * s);
  if (m->qdcount != 1)
    return BD_DNSMSG_EQDCOUNT;
  m->qname = HEADER_SIZE;
  if ((rc = walk_name(buf, len, m->qname, &pos)) != 0)
    goto fail;
  rc = BD_DNSMSG_ESHORT;
  if (len - pos < QUESTION_FIXED)
    goto fail;
  m->qtype = (uint16_t)get16(buf + pos);
  m->qclass = (uint16_t)get16(buf + pos + 2);
  if ((rc = read_sections(m, pos + QUESTION_FIXED)) != 0)
    goto fail;
  return 0;
fail:
  /* A message that fails to parse shows nothing, not half of itself. */
  memset(m, 0, sizeof(*m));
  return rc;
}

void bd_dnsmsg_walk(const struct bd_dnsmsg *m, enum bd_dns_section s,
                    struct bd_dnsmsg_cursor *c) {
  c->msg = m;
  c->pos = m->sections[s];
  /* Sections of a message that failed to parse walk empty. */
  c->left = m->sections[s] != 0 ? m->counts[s] : 0;
}

bool bd_dnsmsg_next(struct bd_dnsmsg_cursor *c, struct bd_dnsrr *rr) {
  /* The parse has checked every record; checking again costs little and
   * keeps a cursor over a message that failed to parse harmless. */
  if (c->left == 0 || c->msg->buf == NULL ||
      read_rr(c->msg->buf, c->msg->len, &c->pos, rr) != 0)
    return false;
  c->left--;
  return true;
}

/* Appends the presentation form of one label octet (RFC 1035 5.1; the
 * specials are those of the master file format). */
static size_t put_octet(char *out, unsigned char c) {
  static const char specials[] = ".\\\"();@$";
  c = lower(c);
  if (c <= 0x20 || c >= 0x7f) {
    out[0] = '\\';
    out[1] = (char)('0' + c / 100);
    out[2] = (char)('0' + c / 10 % 10);
    out[3] = (char)('0' + c % 10);
    return 4;
  }
  if (strchr(specials, c) != NULL) {
    out[0] = '\\';
    out[1] = (char)c;
    return 2;
  }
  out[0] = (char)c;
  return 1;
}

/* Appends s[0..k) to buf, keeping room for the NUL. */
static int append(char *buf, size_t cap, size_t *n, const char *s, size_t k) {
  if (k >= cap - *n)
    return -1;
  memcpy(buf + *n, s, k);
  *n += k;
  return 0;
}

int bd_dnsmsg_write_name(const struct bd_dnsmsg *m, size_t off, char *buf,
                         size_t cap) {
  struct labels l;
  const unsigned char *label;
  size_t n = 0;
  int len;

  if (cap == 0)
    return BD_DNSMSG_ESPACE;
  buf[0] = '\0';
  if (m->buf == NULL)
    return BD_DNSMSG_ENAME;
  labels_start(&l, m->buf, m->len, off);
  while ((len = next_label(&l, &label)) > 0) {
    if (n > 0 && append(buf, cap, &n, ".", 1) != 0)
      goto space;
    for (int i = 0; i < len; i++) {
      char octet[4];
      size_t k = put_octet(octet, label[i]);
      if (append(buf, cap, &n, octet, k) != 0)
        goto space;
    }
  }
  if (len < 0) {
    buf[0] = '\0';
    return len;
  }
  if (n == 0 && append(buf, cap, &n, ".", 1) != 0)
    goto space;
  buf[n] = '\0';
  return (int)n;
space:
  buf[0] = '\0';
  return BD_DNSMSG_ESPACE;
}

bool bd_dnsmsg_same_name(const struct bd_dnsmsg *ma, size_t a,
                         const struct bd_dnsmsg *mb, size_t b) {
  struct labels la;
  struct labels lb;

  if (ma->buf == NULL || mb->buf == NULL)
    return false;
  labels_start(&la, ma->buf, ma->len, a);
  labels_start(&lb, mb->buf, mb->len, b);
  for (;;) {
    const unsigned char *pa;
    const unsigned char *pb;
    int na = next_label(&la, &pa);
    int nb = next_label(&lb, &pb);
    if (na < 0 || nb < 0 || na != nb)
      return false;
    if (na == 0)
      return true;
    for (int i = 0; i < na; i++)
      if (lower(pa[i]) != lower(pb[i]))
        return false;
  }
}

/* A name inside record data at *pos, ending by stop; moves *pos past it.
 * Names in record data may be compressed: RFC 3597 4 has receivers
 * decompress the well-known types, and SRV and DNAME too in practice. */
static int rdata_name(const struct bd_dnsmsg *m, size_t *pos, size_t stop,
                      size_t *name) {
  size_t end;
  int rc;

  if (*pos >= stop)
    return BD_DNSMSG_ERDATA;
  rc = walk_name(m->buf, m->len, *pos, &end);
  if (rc == BD_DNSMSG_ENAME)
    return rc;
  if (rc != 0 || end > stop)
    return BD_DNSMSG_ERDATA; /* the name does not fit the record data */
  *name = *pos;
  *pos = end;
  return 0;
}

/* Checks that rr lies in a parsed message and has the given type. */
static int check_rr(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                    unsigned type) {
  if (m->buf == NULL || rr->rdata > m->len || m->len - rr->rdata < rr->rdlen)
    return BD_DNSMSG_ERDATA;
  return rr->type == type ? 0 : BD_DNSMSG_ETYPE;
}

int bd_dnsmsg_read_target(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                          size_t *name) {
  size_t pos = rr->rdata;
  size_t stop = rr->rdata + rr->rdlen;
  int rc = check_rr(m, rr, rr->type);

  if (rc != 0)
    return rc;
  if (rr->type != BD_DNS_TYPE_NS && rr->type != BD_DNS_TYPE_CNAME &&
      rr->type != BD_DNS_TYPE_DNAME && rr->type != BD_DNS_TYPE_PTR)
    return BD_DNSMSG_ETYPE;
  if ((rc = rdata_name(m, &pos, stop, name)) != 0)
    return rc;
  return pos == stop ? 0 : BD_DNSMSG_ERDATA;
}

int bd_dnsmsg_read_soa(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                       struct bd_dns_soa *soa) {
  size_t pos = rr->rdata;
  size_t stop = rr->rdata + rr->rdlen;
  const unsigned char *p;
  int rc = check_rr(m, rr, BD_DNS_TYPE_SOA);

  if (rc != 0 || (rc = rdata_name(m, &pos, stop, &soa->mname)) != 0 ||
      (rc = rdata_name(m, &pos, stop, &soa->rname)) != 0)
    return rc;
  if (stop - pos != 20)
    return BD_DNSMSG_ERDATA;
  p = m->buf + pos;
  soa->serial = get32(p);
  soa->refresh = get32(p + 4);
  soa->retry = get32(p + 8);
  soa->expire = get32(p + 12);
  soa->minimum = get32(p + 16);
  return 0;
}

int bd_dnsmsg_read_mx(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                      struct bd_dns_mx *mx) {
  size_t pos = rr->rdata + 2;
  size_t stop = rr->rdata + rr->rdlen;
  int rc = check_rr(m, rr, BD_DNS_TYPE_MX);

  if (rc != 0)
    return rc;
  if (rr->rdlen < 2)
    return BD_DNSMSG_ERDATA;
  mx->preference = (uint16_t)get16(m->buf + rr->rdata);
  if ((rc = rdata_name(m, &pos, stop, &mx->exchange)) != 0)
    return rc;
  return pos == stop ? 0 : BD_DNSMSG_ERDATA;
}

int bd_dnsmsg_read_srv(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                       struct bd_dns_srv *srv) {
  size_t pos = rr->rdata + 6;
  size_t stop = rr->rdata + rr->rdlen;
  const unsigned char *p;
  int rc = check_rr(m, rr, BD_DNS_TYPE_SRV);

  if (rc != 0)
    return rc;
  if (rr->rdlen < 6)
    return BD_DNSMSG_ERDATA;
  p = m->buf + rr->rdata;
  srv->priority = (uint16_t)get16(p);
  srv->weight = (uint16_t)get16(p + 2);
  srv->port = (uint16_t)get16(p + 4);
  if ((rc = rdata_name(m, &pos, stop, &srv->target)) != 0)
    return rc;
  return pos == stop ? 0 : BD_DNSMSG_ERDATA;
}

int bd_dnsmsg_read_addr(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                        unsigned char *out) {
  unsigned want;
  int rc = check_rr(m, rr, rr->type);

  if (rc != 0)
    return rc;
  /* The address formats are those of class IN (RFC 1035 3.4.1). */
  if (rr->klass != BD_DNS_CLASS_IN)
    return BD_DNSMSG_ETYPE;
  if (rr->type == BD_DNS_TYPE_A)
    want = 4;
  else if (rr->type == BD_DNS_TYPE_AAAA)
    want = 16;
  else
    return BD_DNSMSG_ETYPE;
  if (rr->rdlen != want)
    return BD_DNSMSG_ERDATA;
  memcpy(out, m->buf + rr->rdata, want);
  return (int)want;
}

const char *bd_dnsmsg_strerror(int err) {
  switch (err) {
  case 0:
    return "success";
  case BD_DNSMSG_ESHORT:
    return "truncated message";
  case BD_DNSMSG_ENAME:
    return "malformed name";
  case BD_DNSMSG_EQDCOUNT:
    return "not exactly one question";
  case BD_DNSMSG_EOPT:
    return "malformed OPT record";
  case BD_DNSMSG_ETYPE:
    return "wrong record type";
  case BD_DNSMSG_ERDATA:
    return "malformed record data";
  case BD_DNSMSG_ESPACE:
    return "buffer too small";
  }
  return "unknown error";
}
