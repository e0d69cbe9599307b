/* Fuzzes the DNS message parser: parses any bytes, walks every section,
 * decodes the record data it knows and writes every name it meets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes the name at off and checks its presentation form: printable,
 * lower case, and equal as text exactly when equal as a name to the
 * question (the escaping is one-to-one, the case folding the same). */
static void check_name(const struct bd_dnsmsg *m, size_t off) {
  char text[BD_DNS_NAME_TEXT_MAX];
  char qtext[BD_DNS_NAME_TEXT_MAX];
  int n = bd_dnsmsg_write_name(m, off, text, sizeof(text));
  bool same = bd_dnsmsg_same_name(m, off, m, m->qname);

  if (n == BD_DNSMSG_ESPACE)
    abort(); /* BD_DNS_NAME_TEXT_MAX is always enough */
  if (n < 0) {
    if (text[0] != '\0' || same)
      abort();
    return;
  }
  if ((size_t)n != strlen(text) || n == 0)
    abort();
  for (int i = 0; i < n; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c <= 0x20 || c >= 0x7f || (c >= 'A' && c <= 'Z'))
      abort();
  }
  if (!bd_dnsmsg_same_name(m, off, m, off))
    abort();
  if (bd_dnsmsg_write_name(m, m->qname, qtext, sizeof(qtext)) < 0)
    abort(); /* the parse has followed the question's name */
  if (same != (strcmp(text, qtext) == 0) ||
      same != bd_dnsmsg_same_name(m, m->qname, m, off))
    abort();
}

static void check_rdata(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr) {
  size_t name;
  unsigned char addr[16];
  struct bd_dns_soa soa;
  struct bd_dns_mx mx;
  struct bd_dns_srv srv;
  int n;

  if (bd_dnsmsg_read_target(m, rr, &name) == 0)
    check_name(m, name);
  if (bd_dnsmsg_read_soa(m, rr, &soa) == 0) {
    check_name(m, soa.mname);
    check_name(m, soa.rname);
  }
  if (bd_dnsmsg_read_mx(m, rr, &mx) == 0)
    check_name(m, mx.exchange);
  if (bd_dnsmsg_read_srv(m, rr, &srv) == 0)
    check_name(m, srv.target);
  n = bd_dnsmsg_read_addr(m, rr, addr);
  if (n >= 0 && n != (rr->type == BD_DNS_TYPE_A ? 4 : 16))
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct bd_dnsmsg m;
  struct bd_dnsmsg again;
  int rc = bd_dnsmsg_parse(&m, data, size);

  (void)bd_dnsmsg_strerror(rc);
  if (rc != 0) {
    struct bd_dnsmsg_cursor c;
    struct bd_dnsrr rr;
    /* Nothing to walk in a message that failed. */
    for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
      bd_dnsmsg_walk(&m, (enum bd_dns_section)s, &c);
      if (bd_dnsmsg_next(&c, &rr))
        abort();
    }
    return 0;
  }
  if (m.end > size || m.rcode > 4095 || (!m.edns && m.rcode > 15))
    abort();
  check_name(&m, m.qname);
  for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
    struct bd_dnsmsg_cursor c;
    struct bd_dnsrr rr;
    unsigned n = 0;
    bd_dnsmsg_walk(&m, (enum bd_dns_section)s, &c);
    while (bd_dnsmsg_next(&c, &rr)) {
      if (rr.rdata + rr.rdlen > m.end || rr.owner >= rr.rdata)
        abort();
      check_name(&m, rr.owner);
      check_rdata(&m, &rr);
      n++;
    }
    if (n != m.counts[s])
      abort(); /* a parsed message walks to the end of every section */
  }
  /* Bytes after the last record change nothing. */
  if (bd_dnsmsg_parse(&again, data, m.end) != 0 || again.rcode != m.rcode ||
      again.end != m.end)
    abort();
  return 0;
}
