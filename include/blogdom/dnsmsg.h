/* A whole DNS message (RFC 1035 4.1) read in place: a read-only view over
 * the caller's buffer, with the protocol's numbers named. */
#ifndef BLOGDOM_DNSMSG_H
#define BLOGDOM_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Record types (RFC 1035 3.2.2, and the RFCs that registered the rest).
 * Their mnemonics live in one table, src/rrtype.c: bd_rrtype_name() and
 * bd_rrtype_parse(). */
enum bd_dns_type {
  BD_DNS_TYPE_A = 1,
  BD_DNS_TYPE_NS = 2,
  BD_DNS_TYPE_CNAME = 5,
  BD_DNS_TYPE_SOA = 6,
  BD_DNS_TYPE_PTR = 12,
  BD_DNS_TYPE_MX = 15,
  BD_DNS_TYPE_TXT = 16,
  BD_DNS_TYPE_AAAA = 28,   /* RFC 3596 */
  BD_DNS_TYPE_SRV = 33,    /* RFC 2782 */
  BD_DNS_TYPE_NAPTR = 35,  /* RFC 3403 */
  BD_DNS_TYPE_DNAME = 39,  /* RFC 6672 */
  BD_DNS_TYPE_OPT = 41,    /* RFC 6891 */
  BD_DNS_TYPE_DS = 43,     /* RFC 4034 */
  BD_DNS_TYPE_RRSIG = 46,  /* RFC 4034 */
  BD_DNS_TYPE_NSEC = 47,   /* RFC 4034 */
  BD_DNS_TYPE_DNSKEY = 48, /* RFC 4034 */
  BD_DNS_TYPE_NSEC3 = 50,  /* RFC 5155 */
  BD_DNS_TYPE_SVCB = 64,   /* RFC 9460 */
  BD_DNS_TYPE_HTTPS = 65,  /* RFC 9460 */
  BD_DNS_TYPE_ANY = 255,   /* a QTYPE only (RFC 1035 3.2.3, RFC 8482) */
  BD_DNS_TYPE_CAA = 257    /* RFC 8659 */
};

/* Classes (RFC 1035 3.2.4, 3.2.5). */
enum bd_dns_class {
  BD_DNS_CLASS_IN = 1,
  BD_DNS_CLASS_CH = 3,
  BD_DNS_CLASS_HS = 4,
  BD_DNS_CLASS_NONE = 254, /* RFC 2136 */
  BD_DNS_CLASS_ANY = 255
};

/* Response codes (RFC 1035 4.1.1; 6-10 RFC 2136; 11 RFC 8490). Above 15
 * only with EDNS, whose OPT record carries the upper 8 bits (RFC 6891
 * 6.1.3). */
enum bd_dns_rcode {
  BD_DNS_RCODE_NOERROR = 0,
  BD_DNS_RCODE_FORMERR = 1,
  BD_DNS_RCODE_SERVFAIL = 2,
  BD_DNS_RCODE_NXDOMAIN = 3,
  BD_DNS_RCODE_NOTIMP = 4,
  BD_DNS_RCODE_REFUSED = 5,
  BD_DNS_RCODE_YXDOMAIN = 6,
  BD_DNS_RCODE_YXRRSET = 7,
  BD_DNS_RCODE_NXRRSET = 8,
  BD_DNS_RCODE_NOTAUTH = 9,
  BD_DNS_RCODE_NOTZONE = 10,
  BD_DNS_RCODE_DSOTYPENI = 11,
  BD_DNS_RCODE_BADVERS = 16,  /* RFC 6891 9 */
  BD_DNS_RCODE_BADCOOKIE = 23 /* RFC 7873 8 */
};

/* Opcodes (RFC 1035 4.1.1; RFC 1996; RFC 2136). */
enum bd_dns_opcode {
  BD_DNS_OPCODE_QUERY = 0,
  BD_DNS_OPCODE_STATUS = 2,
  BD_DNS_OPCODE_NOTIFY = 4,
  BD_DNS_OPCODE_UPDATE = 5
};

/* Bits of the header's second 16-bit word, struct bd_dnsmsg.flags (RFC
 * 1035 4.1.1; AD and CD RFC 4035 3.2). */
enum bd_dns_flag {
  BD_DNS_FLAG_QR = 0x8000, /* a response */
  BD_DNS_FLAG_AA = 0x0400, /* authoritative answer */
  BD_DNS_FLAG_TC = 0x0200, /* truncated */
  BD_DNS_FLAG_RD = 0x0100, /* recursion desired */
  BD_DNS_FLAG_RA = 0x0080, /* recursion available */
  BD_DNS_FLAG_Z = 0x0040,  /* reserved, zero */
  BD_DNS_FLAG_AD = 0x0020, /* authentic data */
  BD_DNS_FLAG_CD = 0x0010  /* checking disabled */
};

/* The DO bit of the OPT record's flags, struct bd_dnsmsg.edns_flags (RFC
 * 3225 3). */
#define BD_DNS_EDNS_DO 0x8000

/* Room for any name from bd_dnsmsg_write_name(), NUL included: 250
 * octets in four labels, each octet escaped as \DDD, three dots. */
#define BD_DNS_NAME_TEXT_MAX 1004

enum bd_dnsmsg_error {
  BD_DNSMSG_ESHORT = -1,   /* ends inside the header, question or a record */
  BD_DNSMSG_ENAME = -2,    /* a malformed name (see bd_dnsmsg_parse) */
  BD_DNSMSG_EQDCOUNT = -3, /* not exactly one question */
  BD_DNSMSG_EOPT = -4,     /* a second OPT record, or one not at the root */
  BD_DNSMSG_ETYPE = -5,    /* record data asked of another type or class */
  BD_DNSMSG_ERDATA = -6,   /* record data that does not fit its type */
  BD_DNSMSG_ESPACE = -7    /* the caller's buffer is too small */
};

enum bd_dns_section { BD_DNS_ANSWER, BD_DNS_AUTHORITY, BD_DNS_ADDITIONAL };

/* A parsed message. Names are offsets into buf; read them with
 * bd_dnsmsg_write_name() and bd_dnsmsg_same_name(). */
struct bd_dnsmsg {
  const unsigned char *buf; /* borrowed: must outlive the view */
  size_t len;
  uint16_t id;
  uint16_t flags; /* BD_DNS_FLAG_* */
  uint8_t opcode; /* BD_DNS_OPCODE_* */
  /* 12 bits: the header's 4, and the OPT record's 8 above them when there
   * is one (RFC 6891 6.1.3). BD_DNS_RCODE_*. */
  uint16_t rcode;
  uint16_t qdcount;
  uint16_t counts[3]; /* records per section, by enum bd_dns_section */
  size_t qname;       /* the question (RFC 1035 4.1.2) */
  uint16_t qtype;
  uint16_t qclass;
  size_t sections[3]; /* offset of each section's first record */
  size_t end;         /* just past the last record; later bytes are ignored */
  /* The OPT record of the additional section (RFC 6891 6.1.2). */
  bool edns;
  uint8_t edns_version;
  uint16_t edns_udp_size;
  uint16_t edns_flags; /* BD_DNS_EDNS_DO */
};

/* One resource record (RFC 1035 4.1.3). */
struct bd_dnsrr {
  size_t owner; /* offset of the owner name */
  uint16_t type;
  uint16_t klass;
  uint32_t ttl; /* as sent; RFC 2181 8 reads values above 2^31-1 as 0 */
  size_t rdata; /* offset of the record data */
  uint16_t rdlen;
};

/* Walks one section; see bd_dnsmsg_walk(). */
struct bd_dnsmsg_cursor {
  const struct bd_dnsmsg *msg;
  size_t pos;
  unsigned left;
};

/* SOA record data (RFC 1035 3.3.13). */
struct bd_dns_soa {
  size_t mname; /* the zone's primary server */
  size_t rname; /* its mailbox */
  uint32_t serial;
  uint32_t refresh;
  uint32_t retry;
  uint32_t expire;
  uint32_t minimum; /* the negative-caching TTL (RFC 2308 4) */
};

/* MX record data (RFC 1035 3.3.9). */
struct bd_dns_mx {
  uint16_t preference;
  size_t exchange;
};

/* SRV record data (RFC 2782). */
struct bd_dns_srv {
  uint16_t priority;
  uint16_t weight;
  uint16_t port;
  size_t target;
};

/* Parses the message buf[0..len) into *m without copying or allocating.
 * Every name of the question and every owner name is followed to its end,
 * and every record must lie inside the buffer: afterwards the sections
 * walk without error. A name is malformed when it uses the label types
 * 0x40 or 0x80 (RFC 6891 5), is longer than 255 octets (RFC 1035 3.1), or
 * holds a pointer that does not point at a name wholly before it, below
 * the name's start and below every earlier pointer's target: RFC 1035
 * 4.1.4 points at "a prior occurrence", and this rule makes forward
 * pointers and loops impossible. A
 * response must ask exactly one question (RFC 9619), as every caller asks
 * one: on BD_DNSMSG_EQDCOUNT the header fields, id to counts, are filled in
 * all the same (a server may send FORMERR without the question) and the
 * sections walk empty; on other errors *m is all zero. Record data is
 * checked only when read through the bd_dnsmsg_read_* functions. Returns 0
 * or a BD_DNSMSG_E* code. */
int bd_dnsmsg_parse(struct bd_dnsmsg *m, const unsigned char *buf, size_t len);

/* Starts *c at the first record of section s of a parsed message. */
void bd_dnsmsg_walk(const struct bd_dnsmsg *m, enum bd_dns_section s,
                    struct bd_dnsmsg_cursor *c);

/* Reads the next record into *rr; false at the end of the section. The
 * additional section yields the OPT record like any other. */
bool bd_dnsmsg_next(struct bd_dnsmsg_cursor *c, struct bd_dnsrr *rr);

/* Writes the name at offset off in presentation form (RFC 1035 5.1):
 * lower case (RFC 4343), no trailing dot, "." for the root, '.' and '\'
 * and the master file's specials inside a label escaped with '\', other
 * octets outside printable ASCII as \DDD. cap of BD_DNS_NAME_TEXT_MAX is
 * always enough. Returns the length written before the NUL, or a
 * BD_DNSMSG_E* code (then buf holds ""). */
int bd_dnsmsg_write_name(const struct bd_dnsmsg *m, size_t off, char *buf,
                         size_t cap);

/* True when the name at offset a of message ma equals the name at offset
 * b of mb, ignoring ASCII case (RFC 4343); false when either is
 * malformed. */
bool bd_dnsmsg_same_name(const struct bd_dnsmsg *ma, size_t a,
                         const struct bd_dnsmsg *mb, size_t b);

/* The target of an NS, CNAME, DNAME or PTR record (RFC 1035 3.3, RFC 6672
 * 2.1): *name is the offset of a name that fills the record data. Returns
 * 0 or a BD_DNSMSG_E* code. */
int bd_dnsmsg_read_target(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                          size_t *name);

/* The data of an SOA record. Returns 0 or a BD_DNSMSG_E* code. */
int bd_dnsmsg_read_soa(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                       struct bd_dns_soa *soa);

/* The data of an MX record. Returns 0 or a BD_DNSMSG_E* code. */
int bd_dnsmsg_read_mx(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                      struct bd_dns_mx *mx);

/* The data of an SRV record. Returns 0 or a BD_DNSMSG_E* code. */
int bd_dnsmsg_read_srv(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                       struct bd_dns_srv *srv);

/* Copies the address of an IN A (RFC 1035 3.4.1) or AAAA (RFC 3596 2.2)
 * record into out (16 bytes). Returns its length, 4 or 16, or a
 * BD_DNSMSG_E* code. */
int bd_dnsmsg_read_addr(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                        unsigned char *out);

/* "truncated message", "malformed name", ... for a BD_DNSMSG_E* code. */
const char *bd_dnsmsg_strerror(int err);

#endif
