/* Record data in presentation format (RFC 1035 5.1 and each type's RFC):
 * what a zone file would say, read from a message dnsmsg.c has parsed.
 * Every layout is checked against the record's length; what does not fit
 * is written in RFC 3597's generic form rather than guessed at. */
#include "blogdom/rrtext.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/common.h"

#define BAD (-1) /* data that does not fit its type: the generic form */

struct out {
  char *buf;
  size_t cap;
  size_t len;
  bool full;
};

static void put(struct out *o, const char *s, size_t n) {
  if (o->full || n >= o->cap - o->len) {
    o->full = true;
    return;
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static void puts_(struct out *o, const char *s) {
  put(o, s, strlen(s));
}

static void put_uint(struct out *o, unsigned long v) {
  char num[24];
  int n = snprintf(num, sizeof(num), "%lu", v);
  put(o, num, (size_t)n);
}

static unsigned get16(const unsigned char *p) {
  return ((unsigned)p[0] << 8) | p[1];
}

static void put_hex(struct out *o, const unsigned char *p, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n && !o->full; i++) {
    char two[2] = {hex[p[i] >> 4], hex[p[i] & 0xf]};
    put(o, two, 2);
  }
}

/* RFC 4648 4, with padding. */
static void put_base64(struct out *o, const unsigned char *p, size_t n) {
  static const char b64[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n && !o->full; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16;
    char four[4];
    if (i + 1 < n)
      v |= (uint32_t)p[i + 1] << 8;
    if (i + 2 < n)
      v |= p[i + 2];
    four[0] = b64[(v >> 18) & 63];
    four[1] = b64[(v >> 12) & 63];
    four[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    four[3] = i + 2 < n ? b64[v & 63] : '=';
    put(o, four, 4);
  }
}

/* One octet inside a quoted string: '"' and '\' escaped, anything
 * outside printable ASCII as \DDD (RFC 1035 5.1). */
static void put_octet(struct out *o, unsigned char c) {
  char esc[4];
  if (c < 0x20 || c > 0x7e) {
    esc[0] = '\\';
    esc[1] = (char)('0' + c / 100);
    esc[2] = (char)('0' + c / 10 % 10);
    esc[3] = (char)('0' + c % 10);
    put(o, esc, 4);
  } else if (c == '"' || c == '\\') {
    esc[0] = '\\';
    esc[1] = (char)c;
    put(o, esc, 2);
  } else {
    put(o, (const char *)&c, 1);
  }
}

static void put_quoted(struct out *o, const unsigned char *p, size_t n) {
  put(o, "\"", 1);
  for (size_t i = 0; i < n && !o->full; i++)
    put_octet(o, p[i]);
  put(o, "\"", 1);
}

/* A name of the message with its trailing dot ("." alone for the root):
 * absolute, as a zone file writes a name outside its origin. */
static int put_name(struct out *o, const struct bd_dnsmsg *m, size_t off) {
  char name[BD_DNS_NAME_TEXT_MAX];
  int n = bd_dnsmsg_write_name(m, off, name, sizeof(name));
  if (n < 0)
    return BAD;
  put(o, name, (size_t)n);
  if (strcmp(name, ".") != 0)
    put(o, ".", 1);
  return 0;
}

/* The end of an uncompressed name at pos that must end by stop (SVCB's
 * target, RFC 9460 2.2; NAPTR's replacement, RFC 3403 4.1), or 0 when
 * there is none: a pointer, a label past stop, more than 255 octets. */
static size_t plain_name_end(const struct bd_dnsmsg *m, size_t pos,
                             size_t stop) {
  size_t octets = 0;
  while (pos < stop) {
    unsigned c = m->buf[pos];
    if (c & 0xc0)
      return 0;
    octets += 1 + c;
    if (octets > 255 || c >= stop - pos)
      return 0;
    pos += 1 + c;
    if (c == 0)
      return pos;
  }
  return 0;
}

static int write_addr(struct out *o, const struct bd_dnsmsg *m,
                      const struct bd_dnsrr *rr) {
  unsigned char addr[16];
  char text[INET6_ADDRSTRLEN];
  int n = bd_dnsmsg_read_addr(m, rr, addr);
  if (n < 0 ||
      inet_ntop(n == 4 ? AF_INET : AF_INET6, addr, text, sizeof(text)) == NULL)
    return BAD;
  puts_(o, text);
  return 0;
}

static int write_target(struct out *o, const struct bd_dnsmsg *m,
                        const struct bd_dnsrr *rr) {
  size_t name;
  if (bd_dnsmsg_read_target(m, rr, &name) != 0)
    return BAD;
  return put_name(o, m, name);
}

static int write_mx(struct out *o, const struct bd_dnsmsg *m,
                    const struct bd_dnsrr *rr) {
  struct bd_dns_mx mx;
  if (bd_dnsmsg_read_mx(m, rr, &mx) != 0)
    return BAD;
  put_uint(o, mx.preference);
  put(o, " ", 1);
  return put_name(o, m, mx.exchange);
}

static int write_srv(struct out *o, const struct bd_dnsmsg *m,
                     const struct bd_dnsrr *rr) {
  struct bd_dns_srv srv;
  if (bd_dnsmsg_read_srv(m, rr, &srv) != 0)
    return BAD;
  put_uint(o, srv.priority);
  put(o, " ", 1);
  put_uint(o, srv.weight);
  put(o, " ", 1);
  put_uint(o, srv.port);
  put(o, " ", 1);
  return put_name(o, m, srv.target);
}

static int write_soa(struct out *o, const struct bd_dnsmsg *m,
                     const struct bd_dnsrr *rr) {
  struct bd_dns_soa soa;
  const uint32_t *nums[] = {&soa.serial, &soa.refresh, &soa.retry, &soa.expire,
                            &soa.minimum};
  if (bd_dnsmsg_read_soa(m, rr, &soa) != 0 || put_name(o, m, soa.mname) != 0)
    return BAD;
  put(o, " ", 1);
  if (put_name(o, m, soa.rname) != 0)
    return BAD;
  for (size_t i = 0; i < BD_ARRAY_SIZE(nums); i++) {
    put(o, " ", 1);
    put_uint(o, *nums[i]);
  }
  return 0;
}

/* RFC 1035 3.3.14: one or more <character-string>s filling the data. */
static int write_txt(struct out *o, const unsigned char *d, size_t n) {
  size_t pos = 0;
  if (n == 0)
    return BAD;
  while (pos < n) {
    size_t len = d[pos];
    if (len > n - pos - 1)
      return BAD;
    if (pos > 0)
      put(o, " ", 1);
    put_quoted(o, d + pos + 1, len);
    pos += 1 + len;
  }
  return 0;
}

/* RFC 8659 4.1: flags, a tag of 1-15 letters and digits, the value. */
static int write_caa(struct out *o, const unsigned char *d, size_t n) {
  size_t taglen;
  if (n < 2)
    return BAD;
  taglen = d[1];
  if (taglen < 1 || taglen > 15 || taglen > n - 2)
    return BAD;
  for (size_t i = 0; i < taglen; i++) {
    unsigned char c = d[2 + i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9')))
      return BAD;
  }
  put_uint(o, d[0]);
  put(o, " ", 1);
  put(o, (const char *)d + 2, taglen);
  put(o, " ", 1);
  put_quoted(o, d + 2 + taglen, n - 2 - taglen);
  return 0;
}

/* DS (RFC 4034 5.3: key tag, algorithm, digest type, the digest in hex)
 * and DNSKEY (2.2: flags, protocol, algorithm, the key in base64) share a
 * layout: 16 bits, 8, 8, then the blob. */
static int write_key_like(struct out *o, const unsigned char *d, size_t n,
                          bool base64) {
  if (n < 5)
    return BAD;
  put_uint(o, get16(d));
  put(o, " ", 1);
  put_uint(o, d[2]);
  put(o, " ", 1);
  put_uint(o, d[3]);
  put(o, " ", 1);
  if (base64)
    put_base64(o, d + 4, n - 4);
  else
    put_hex(o, d + 4, n - 4);
  return 0;
}

static int write_ds(struct out *o, const unsigned char *d, size_t n) {
  return write_key_like(o, d, n, false);
}

static int write_dnskey(struct out *o, const unsigned char *d, size_t n) {
  return write_key_like(o, d, n, true);
}

/* SvcParamKeys with a name (RFC 9460 14.3.2; dohpath RFC 9461). */
static const char *const svc_keys[] = {
    "mandatory", "alpn", "no-default-alpn", "port",
    "ipv4hint",  "ech",  "ipv6hint",        "dohpath"};

static void put_key(struct out *o, unsigned key) {
  if (key < BD_ARRAY_SIZE(svc_keys)) {
    puts_(o, svc_keys[key]);
    return;
  }
  put(o, "key", 3);
  put_uint(o, key);
}

/* An alpn-id inside a quoted value-list: ',' and '\' escaped for the
 * list (RFC 9460 A.1), then the string's own escapes. */
static void put_list_item(struct out *o, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n && !o->full; i++) {
    if (p[i] == ',' || p[i] == '\\')
      put_octet(o, '\\');
    put_octet(o, p[i]);
  }
}

static int put_addrs(struct out *o, const unsigned char *v, size_t len,
                     size_t size) {
  char text[INET6_ADDRSTRLEN];
  if (len == 0 || len % size != 0)
    return BAD;
  for (size_t i = 0; i < len; i += size) {
    if (i > 0)
      put(o, ",", 1);
    inet_ntop(size == 4 ? AF_INET : AF_INET6, v + i, text, sizeof(text));
    puts_(o, text);
  }
  return 0;
}

/* One SvcParam's value (RFC 9460 7, 2.1): what it holds, or BAD. */
static int put_svc_value(struct out *o, unsigned key, const unsigned char *v,
                         size_t len) {
  size_t i;
  switch (key) {
  case 0: /* mandatory: keys */
    if (len == 0 || len % 2 != 0)
      return BAD;
    put(o, "=", 1);
    for (i = 0; i < len; i += 2) {
      if (i > 0)
        put(o, ",", 1);
      put_key(o, get16(v + i));
    }
    return 0;
  case 1: /* alpn: length-prefixed ids */
    if (len == 0)
      return BAD;
    put(o, "=\"", 2);
    for (i = 0; i < len;) {
      size_t n = v[i];
      if (n == 0 || n > len - i - 1)
        return BAD;
      if (i > 0)
        put(o, ",", 1);
      put_list_item(o, v + i + 1, n);
      i += 1 + n;
    }
    put(o, "\"", 1);
    return 0;
  case 2: /* no-default-alpn: no value */
    return len == 0 ? 0 : BAD;
  case 3: /* port */
    if (len != 2)
      return BAD;
    put(o, "=", 1);
    put_uint(o, get16(v));
    return 0;
  case 4: /* ipv4hint */
  case 6: /* ipv6hint */
    put(o, "=", 1);
    return put_addrs(o, v, len, key == 4 ? 4 : 16);
  case 5: /* ech: base64 */
    if (len == 0)
      return BAD;
    put(o, "=", 1);
    put_base64(o, v, len);
    return 0;
  default: /* dohpath and unknown keys: the value as a string */
    if (len > 0) {
      put(o, "=", 1);
      put_quoted(o, v, len);
    }
    return 0;
  }
}

/* RFC 9460 2.2: priority, an uncompressed target, then SvcParams in
 * strictly increasing key order. */
static int write_svcb(struct out *o, const struct bd_dnsmsg *m,
                      const struct bd_dnsrr *rr) {
  size_t stop = rr->rdata + rr->rdlen;
  size_t pos;
  long last = -1;

  if (rr->rdlen < 3)
    return BAD;
  pos = plain_name_end(m, rr->rdata + 2, stop);
  if (pos == 0)
    return BAD;
  put_uint(o, get16(m->buf + rr->rdata));
  put(o, " ", 1);
  if (put_name(o, m, rr->rdata + 2) != 0)
    return BAD;
  while (pos < stop) {
    unsigned key;
    size_t len;
    if (stop - pos < 4)
      return BAD;
    key = get16(m->buf + pos);
    len = get16(m->buf + pos + 2);
    if ((long)key <= last || len > stop - pos - 4)
      return BAD;
    last = key;
    put(o, " ", 1);
    put_key(o, key);
    if (put_svc_value(o, key, m->buf + pos + 4, len) != 0)
      return BAD;
    pos += 4 + len;
  }
  return 0;
}

/* RFC 3403 4.1: order, preference, three strings, a replacement name. */
static int write_naptr(struct out *o, const struct bd_dnsmsg *m,
                       const struct bd_dnsrr *rr) {
  const unsigned char *d = m->buf + rr->rdata;
  size_t stop = rr->rdata + rr->rdlen;
  size_t pos = 4;

  if (rr->rdlen < 4)
    return BAD;
  put_uint(o, get16(d));
  put(o, " ", 1);
  put_uint(o, get16(d + 2));
  for (int i = 0; i < 3; i++) {
    size_t len;
    if (pos >= rr->rdlen)
      return BAD;
    len = d[pos];
    if (len > rr->rdlen - pos - 1)
      return BAD;
    put(o, " ", 1);
    put_quoted(o, d + pos + 1, len);
    pos += 1 + len;
  }
  if (plain_name_end(m, rr->rdata + pos, stop) != stop)
    return BAD;
  put(o, " ", 1);
  return put_name(o, m, rr->rdata + pos);
}

/* RFC 3597 5: \# length, then the data in hex. */
static void write_generic(struct out *o, const unsigned char *d, size_t n) {
  put(o, "\\# ", 3);
  put_uint(o, n);
  if (n > 0) {
    put(o, " ", 1);
    put_hex(o, d, n);
  }
}

static int write_typed(struct out *o, const struct bd_dnsmsg *m,
                       const struct bd_dnsrr *rr) {
  const unsigned char *d = m->buf + rr->rdata;
  switch (rr->type) {
  case BD_DNS_TYPE_A:
  case BD_DNS_TYPE_AAAA:
    return write_addr(o, m, rr);
  case BD_DNS_TYPE_NS:
  case BD_DNS_TYPE_CNAME:
  case BD_DNS_TYPE_DNAME:
  case BD_DNS_TYPE_PTR:
    return write_target(o, m, rr);
  case BD_DNS_TYPE_MX:
    return write_mx(o, m, rr);
  case BD_DNS_TYPE_SRV:
    return write_srv(o, m, rr);
  case BD_DNS_TYPE_SOA:
    return write_soa(o, m, rr);
  case BD_DNS_TYPE_TXT:
    return write_txt(o, d, rr->rdlen);
  case BD_DNS_TYPE_CAA:
    return write_caa(o, d, rr->rdlen);
  case BD_DNS_TYPE_DS:
    return write_ds(o, d, rr->rdlen);
  case BD_DNS_TYPE_DNSKEY:
    return write_dnskey(o, d, rr->rdlen);
  case BD_DNS_TYPE_SVCB:
  case BD_DNS_TYPE_HTTPS:
    return write_svcb(o, m, rr);
  case BD_DNS_TYPE_NAPTR:
    return write_naptr(o, m, rr);
  default:
    write_generic(o, d, rr->rdlen);
    return 0;
  }
}

int bd_rrtext_write(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                    char *buf, size_t cap) {
  struct out o = {buf, cap, 0, false};

  if (cap == 0)
    return BD_DNSMSG_ESPACE;
  buf[0] = '\0';
  if (m->buf == NULL || rr->rdata > m->len || m->len - rr->rdata < rr->rdlen)
    return BD_DNSMSG_ERDATA;
  if (write_typed(&o, m, rr) == BAD) {
    o.len = 0;
    o.full = false;
    buf[0] = '\0';
    write_generic(&o, m->buf + rr->rdata, rr->rdlen);
  }
  if (o.full) {
    buf[0] = '\0';
    return BD_DNSMSG_ESPACE;
  }
  return (int)o.len;
}
