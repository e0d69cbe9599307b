/* The DNS message parser, over hand-built messages. */
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/rrtype.h"

/* A message under construction. */
struct msg {
  unsigned char b[4096];
  size_t len;
};

static void put8(struct msg *m, unsigned v) {
  m->b[m->len++] = (unsigned char)v;
}

static void put16(struct msg *m, unsigned v) {
  put8(m, v >> 8);
  put8(m, v & 0xff);
}

static void put32(struct msg *m, uint32_t v) {
  put16(m, v >> 16);
  put16(m, v & 0xffff);
}

static void put_bytes(struct msg *m, const void *p, size_t n) {
  memcpy(m->b + m->len, p, n);
  m->len += n;
}

/* Labels of a dotted name, without the root octet: the caller ends the
 * name with put8(m, 0) or a pointer. */
static void put_labels(struct msg *m, const char *name) {
  while (*name) {
    const char *dot = strchr(name, '.');
    size_t n = dot ? (size_t)(dot - name) : strlen(name);
    put8(m, (unsigned)n);
    put_bytes(m, name, n);
    name += n + (dot ? 1 : 0);
  }
}

/* A whole uncompressed name; returns its offset. */
static size_t put_name(struct msg *m, const char *name) {
  size_t at = m->len;
  put_labels(m, name);
  put8(m, 0);
  return at;
}

static void put_ptr(struct msg *m, size_t to) {
  put16(m, 0xc000 | (unsigned)to);
}

static void header(struct msg *m, unsigned flags, unsigned qd, unsigned an,
                   unsigned ns, unsigned ar) {
  m->len = 0;
  put16(m, 0xbeef);
  put16(m, flags);
  put16(m, qd);
  put16(m, an);
  put16(m, ns);
  put16(m, ar);
}

/* A response header and the question for qname/qtype IN; qname is at 12. */
static void start(struct msg *m, unsigned an, unsigned ns, unsigned ar,
                  const char *qname, unsigned qtype) {
  header(m, 0x8180, 1, an, ns, ar);
  put_name(m, qname);
  put16(m, qtype);
  put16(m, BD_DNS_CLASS_IN);
}

/* The fixed part of a record after its owner name; returns where rdlen
 * goes, for end_rr(). */
static size_t begin_rr(struct msg *m, unsigned type, unsigned klass,
                       uint32_t ttl) {
  size_t at;
  put16(m, type);
  put16(m, klass);
  put32(m, ttl);
  at = m->len;
  put16(m, 0);
  return at;
}

static void end_rr(struct msg *m, size_t at) {
  size_t n = m->len - at - 2;
  m->b[at] = (unsigned char)(n >> 8);
  m->b[at + 1] = (unsigned char)n;
}

/* A record owned by the question name with the given data. */
static void add_rr(struct msg *m, unsigned type, const void *rdata,
                   size_t rdlen) {
  size_t at;
  put_ptr(m, 12);
  at = begin_rr(m, type, BD_DNS_CLASS_IN, 300);
  put_bytes(m, rdata, rdlen);
  end_rr(m, at);
}

static void set_count(struct msg *m, enum bd_dns_section s, unsigned n) {
  m->b[6 + 2 * s] = (unsigned char)(n >> 8);
  m->b[7 + 2 * s] = (unsigned char)n;
}

/* Parses a private copy of exactly the message's size, so that AddressSanitizer
 * sees any read past its end. */
static int parse_copy(const struct msg *m, size_t len, unsigned char **copy,
                      struct bd_dnsmsg *d) {
  *copy = malloc(len > 0 ? len : 1);
  assert_non_null(*copy);
  memcpy(*copy, m->b, len);
  return bd_dnsmsg_parse(d, *copy, len);
}

static void assert_name(const struct bd_dnsmsg *d, size_t off,
                        const char *want) {
  char text[BD_DNS_NAME_TEXT_MAX];
  int n = bd_dnsmsg_write_name(d, off, text, sizeof(text));
  if (n < 0)
    fail_msg("name at %zu: %s, want %s", off, bd_dnsmsg_strerror(n), want);
  assert_string_equal(text, want);
  assert_int_equal((size_t)n, strlen(want));
}

/* The first record of a section. */
static void first_rr(const struct bd_dnsmsg *d, enum bd_dns_section s,
                     struct bd_dnsrr *rr) {
  struct bd_dnsmsg_cursor c;
  bd_dnsmsg_walk(d, s, &c);
  assert_true(bd_dnsmsg_next(&c, rr));
}

static void test_header_bits(void **state) {
  static const struct {
    const char *what;
    unsigned word; /* the header's second 16 bits */
    unsigned flags;
    unsigned opcode;
    unsigned rcode;
  } cases[] = {
      {"none", 0x0000, 0, 0, 0},
      {"QR", 0x8000, BD_DNS_FLAG_QR, 0, 0},
      {"AA", 0x0400, BD_DNS_FLAG_AA, 0, 0},
      {"TC", 0x0200, BD_DNS_FLAG_TC, 0, 0},
      {"RD", 0x0100, BD_DNS_FLAG_RD, 0, 0},
      {"RA", 0x0080, BD_DNS_FLAG_RA, 0, 0},
      {"Z", 0x0040, BD_DNS_FLAG_Z, 0, 0},
      {"AD", 0x0020, BD_DNS_FLAG_AD, 0, 0},
      {"CD", 0x0010, BD_DNS_FLAG_CD, 0, 0},
      {"all flags", 0x87f0, 0x87f0, 0, 0},
      {"opcode STATUS", 0x1000, 0, BD_DNS_OPCODE_STATUS, 0},
      {"opcode NOTIFY", 0x2000, 0, BD_DNS_OPCODE_NOTIFY, 0},
      {"opcode UPDATE", 0x2800, 0, BD_DNS_OPCODE_UPDATE, 0},
      {"opcode 15", 0x7800, 0, 15, 0},
      {"NXDOMAIN", 0x0003, 0, 0, BD_DNS_RCODE_NXDOMAIN},
      {"SERVFAIL", 0x0002, 0, 0, BD_DNS_RCODE_SERVFAIL},
      {"REFUSED", 0x0005, 0, 0, BD_DNS_RCODE_REFUSED},
      {"rcode 15", 0x000f, 0, 0, 15},
      {"typical", 0x8583,
       BD_DNS_FLAG_QR | BD_DNS_FLAG_AA | BD_DNS_FLAG_RD | BD_DNS_FLAG_RA, 0,
       BD_DNS_RCODE_NXDOMAIN},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    header(&m, cases[i].word, 1, 0, 0, 0);
    put_name(&m, "x.dev");
    put16(&m, BD_DNS_TYPE_A);
    put16(&m, BD_DNS_CLASS_IN);
    if (bd_dnsmsg_parse(&d, m.b, m.len) != 0)
      fail_msg("%s: no parse", cases[i].what);
    if (d.flags != cases[i].flags || d.opcode != cases[i].opcode ||
        d.rcode != cases[i].rcode)
      fail_msg("%s: flags %04x opcode %u rcode %u", cases[i].what, d.flags,
               d.opcode, d.rcode);
    assert_int_equal(d.id, 0xbeef);
    assert_false(d.edns);
  }
}

static void test_question_and_counts(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  const unsigned char ip[4] = {192, 0, 2, 1};
  (void)state;

  start(&m, 1, 0, 0, "Example.DEV", BD_DNS_TYPE_AAAA);
  add_rr(&m, BD_DNS_TYPE_A, ip, 4);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(d.qdcount, 1);
  assert_int_equal(d.counts[BD_DNS_ANSWER], 1);
  assert_int_equal(d.counts[BD_DNS_AUTHORITY], 0);
  assert_int_equal(d.counts[BD_DNS_ADDITIONAL], 0);
  assert_int_equal(d.qname, 12);
  assert_name(&d, d.qname, "example.dev");
  assert_int_equal(d.qtype, BD_DNS_TYPE_AAAA);
  assert_int_equal(d.qclass, BD_DNS_CLASS_IN);
  assert_int_equal(d.end, m.len);

  /* No question, or two: the header is read, the rest is not. */
  for (unsigned qd = 0; qd <= 2; qd += 2) {
    struct bd_dnsmsg_cursor c;
    struct bd_dnsrr rr;
    start(&m, 1, 0, 0, "x.dev", BD_DNS_TYPE_A);
    m.b[0] = m.b[1] = 0; /* an id that reads as a root name */
    m.b[3] = BD_DNS_RCODE_FORMERR;
    m.b[5] = (unsigned char)qd;
    add_rr(&m, BD_DNS_TYPE_A, ip, 4);
    assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), BD_DNSMSG_EQDCOUNT);
    assert_int_equal(d.rcode, BD_DNS_RCODE_FORMERR);
    assert_int_equal(d.qdcount, qd);
    assert_int_equal(d.counts[BD_DNS_ANSWER], 1);
    bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
    assert_false(bd_dnsmsg_next(&c, &rr));
  }
}

/* Records in all three sections, their fields, and bytes after them. */
static void test_sections(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  const unsigned char ip[4] = {192, 0, 2, 7};
  const unsigned char txt[] = {3, 'a', 'b', 'c'};
  size_t at;
  size_t glue_owner;
  (void)state;

  start(&m, 2, 1, 1, "www.example.dev", BD_DNS_TYPE_A);
  add_rr(&m, BD_DNS_TYPE_A, ip, 4);
  add_rr(&m, BD_DNS_TYPE_TXT, txt, sizeof(txt));
  put_ptr(&m, 16); /* "example.dev" inside the question */
  at = begin_rr(&m, BD_DNS_TYPE_NS, BD_DNS_CLASS_IN, 86400);
  put_labels(&m, "ns1");
  put_ptr(&m, 16);
  end_rr(&m, at);
  glue_owner = m.len;
  put_labels(&m, "ns1");
  put_ptr(&m, 16);
  at = begin_rr(&m, BD_DNS_TYPE_A, BD_DNS_CLASS_IN, 0xffffffffu);
  put_bytes(&m, ip, 4);
  end_rr(&m, at);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);

  bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_A);
  assert_int_equal(rr.klass, BD_DNS_CLASS_IN);
  assert_int_equal(rr.ttl, 300);
  assert_int_equal(rr.rdlen, 4);
  assert_memory_equal(m.b + rr.rdata, ip, 4);
  assert_true(bd_dnsmsg_same_name(&d, rr.owner, &d, d.qname));
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_TXT);
  assert_int_equal(rr.rdlen, sizeof(txt));
  assert_memory_equal(m.b + rr.rdata, txt, sizeof(txt));
  assert_false(bd_dnsmsg_next(&c, &rr));
  assert_false(bd_dnsmsg_next(&c, &rr));

  bd_dnsmsg_walk(&d, BD_DNS_AUTHORITY, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_NS);
  assert_int_equal(rr.ttl, 86400);
  assert_name(&d, rr.owner, "example.dev");
  assert_false(bd_dnsmsg_next(&c, &rr));

  bd_dnsmsg_walk(&d, BD_DNS_ADDITIONAL, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.owner, glue_owner);
  assert_int_equal(rr.ttl, 0xffffffffu);
  assert_name(&d, rr.owner, "ns1.example.dev");
  assert_false(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(d.end, m.len);

  /* Bytes after the last record are no part of the message. */
  put16(&m, 0xdead);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(d.end, m.len - 2);
}

/* Counts that promise more records than there are fail; fewer leave the
 * rest unread. */
static void test_bad_counts(void **state) {
  static const struct {
    unsigned an, ns, ar;
    int rc;
  } cases[] = {
      {1, 1, 1, 0},
      {2, 1, 1, BD_DNSMSG_ESHORT},
      {1, 2, 1, BD_DNSMSG_ESHORT},
      {1, 1, 2, BD_DNSMSG_ESHORT},
      {0xffff, 0, 0, BD_DNSMSG_ESHORT},
      {0, 0, 0xffff, BD_DNSMSG_ESHORT},
      {1, 1, 0, 0},
      {0, 0, 0, 0},
      {3, 0, 0, 0}, /* three answers: the records are read by count */
      {4, 0, 0, BD_DNSMSG_ESHORT},
  };
  const unsigned char ip[4] = {192, 0, 2, 1};
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    start(&m, 1, 1, 1, "x.dev", BD_DNS_TYPE_A);
    for (int k = 0; k < 3; k++)
      add_rr(&m, BD_DNS_TYPE_A, ip, 4);
    set_count(&m, BD_DNS_ANSWER, cases[i].an);
    set_count(&m, BD_DNS_AUTHORITY, cases[i].ns);
    set_count(&m, BD_DNS_ADDITIONAL, cases[i].ar);
    int rc = bd_dnsmsg_parse(&d, m.b, m.len);
    if (rc != cases[i].rc)
      fail_msg("case %zu: %s", i, bd_dnsmsg_strerror(rc));
    if (rc == 0) {
      struct bd_dnsmsg_cursor c;
      struct bd_dnsrr rr;
      unsigned n = 0;
      for (int s = BD_DNS_ANSWER; s <= BD_DNS_ADDITIONAL; s++) {
        bd_dnsmsg_walk(&d, (enum bd_dns_section)s, &c);
        while (bd_dnsmsg_next(&c, &rr))
          n++;
      }
      assert_int_equal(n, cases[i].an + cases[i].ns + cases[i].ar);
    } else {
      /* A failed parse leaves nothing to read. */
      assert_null(d.buf);
      assert_int_equal(d.counts[BD_DNS_ANSWER], 0);
    }
  }
}

/* Owner names spelled out, as one pointer, as labels then a pointer, and
 * as pointers to pointers: all the same name. */
static void test_compression(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  size_t owners[5];
  (void)state;

  start(&m, 5, 0, 0, "www.example.dev", BD_DNS_TYPE_A);
  owners[0] = m.len; /* spelled out, upper case */
  put_name(&m, "WWW.Example.Dev");
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  owners[1] = m.len; /* one pointer to the question */
  put_ptr(&m, 12);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  owners[2] = m.len; /* "www" then a pointer to "example.dev" */
  put_labels(&m, "www");
  put_ptr(&m, 16);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  owners[3] = m.len; /* a pointer to the pointer of owners[1] */
  put_ptr(&m, owners[1]);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  /* "www" then a pointer to the pointer after "www" in owners[2]. */
  owners[4] = m.len;
  put_labels(&m, "www");
  put_ptr(&m, owners[2] + 4);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
  for (int i = 0; i < 5; i++) {
    assert_true(bd_dnsmsg_next(&c, &rr));
    assert_int_equal(rr.owner, owners[i]);
    assert_name(&d, rr.owner, "www.example.dev");
    assert_true(bd_dnsmsg_same_name(&d, rr.owner, &d, d.qname));
    assert_true(bd_dnsmsg_same_name(&d, d.qname, &d, rr.owner));
  }
  assert_false(bd_dnsmsg_next(&c, &rr));
}

/* build() writes whole records, if any, then the owner name of one more,
 * and returns how many records it wrote whole; the test finishes that
 * record with a TXT type and the name "later.dev" as its data. */
struct owner_case {
  const char *what;
  unsigned (*build)(struct msg *m);
  int rc;
};

static unsigned owner_backward(struct msg *m) {
  put_ptr(m, 12);
  return 0;
}

static unsigned owner_self(struct msg *m) {
  put_ptr(m, m->len);
  return 0;
}

static unsigned owner_forward(struct msg *m) {
  /* Points at the valid name in its own record data, after it. */
  put_ptr(m, m->len + 2 + 10);
  return 0;
}

static unsigned owner_own_prefix(struct msg *m) {
  /* "a" then a pointer back to "a": a loop through its own labels. */
  size_t start = m->len;
  put_labels(m, "a");
  put_ptr(m, start);
  return 0;
}

static unsigned owner_loop(struct msg *m) {
  /* At p, "b" and a pointer to q; at q, the next owner, a pointer to p:
   * entered at either, the walk would go round for ever. */
  size_t p = m->len;
  put_labels(m, "b");
  put_ptr(m, p + 4 + 10);
  end_rr(m, begin_rr(m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  put_ptr(m, p);
  return 1;
}

static unsigned owner_past_end(struct msg *m) {
  put_ptr(m, 0x3fff);
  return 0;
}

static unsigned owner_label_0x40(struct msg *m) {
  put8(m, 0x41);
  put8(m, 'x');
  put8(m, 0);
  return 0;
}

static unsigned owner_label_0x80(struct msg *m) {
  put8(m, 0x81);
  put8(m, 'x');
  put8(m, 0);
  return 0;
}

static unsigned owner_to_bad_name(struct msg *m) {
  /* A pointer back to bad labels kept in an earlier record's data. */
  size_t at;
  put_name(m, "ok.dev");
  at = begin_rr(m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1);
  put8(m, 0x80);
  put8(m, 0);
  end_rr(m, at);
  put_ptr(m, at + 2);
  return 1;
}

static unsigned owner_into_header(struct msg *m) {
  /* Back into the header: its bytes are followed like any, and the id
   * 0xbeef starts with the label type 0x80. */
  put_ptr(m, 0);
  return 0;
}

static unsigned owner_over_255(struct msg *m) {
  /* Four labels of 63 before a pointer to "q.dev": 256 + 7 octets. */
  for (int i = 0; i < 4; i++) {
    put8(m, 63);
    memset(m->b + m->len, 'x', 63);
    m->len += 63;
  }
  put_ptr(m, 12);
  return 0;
}

static unsigned owner_to_unfinished(struct msg *m) {
  /* Back to a label of 4 in an earlier record's data that holds only 2:
   * the other 2 are this pointer itself, and the root after it is the
   * first octet of this record's type. A name pointed at must end
   * before the pointer. */
  size_t at;
  put_ptr(m, 12);
  at = begin_rr(m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1);
  put_bytes(m, "\4ab", 3);
  end_rr(m, at);
  put_ptr(m, at + 2);
  return 1;
}

static void test_pointer_rules(void **state) {
  static const struct owner_case cases[] = {
      {"backward pointer", owner_backward, 0},
      {"pointer to itself", owner_self, BD_DNSMSG_ENAME},
      {"forward pointer", owner_forward, BD_DNSMSG_ENAME},
      {"pointer into own labels", owner_own_prefix, BD_DNSMSG_ENAME},
      {"loop of two pointers", owner_loop, BD_DNSMSG_ENAME},
      {"pointer past the end", owner_past_end, BD_DNSMSG_ENAME},
      {"label type 0x40", owner_label_0x40, BD_DNSMSG_ENAME},
      {"label type 0x80", owner_label_0x80, BD_DNSMSG_ENAME},
      {"pointer to a bad name", owner_to_bad_name, BD_DNSMSG_ENAME},
      {"pointer into the header", owner_into_header, BD_DNSMSG_ENAME},
      {"over 255 octets", owner_over_255, BD_DNSMSG_ENAME},
      {"pointer to a name not ended before it", owner_to_unfinished,
       BD_DNSMSG_ENAME},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    unsigned char *copy;
    unsigned whole;
    size_t at;
    int rc;
    start(&m, 0, 0, 0, "q.dev", BD_DNS_TYPE_A);
    whole = cases[i].build(&m);
    at = begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1);
    put_name(&m, "later.dev");
    end_rr(&m, at);
    set_count(&m, BD_DNS_ANSWER, whole + 1);
    rc = parse_copy(&m, m.len, &copy, &d);
    if (rc != cases[i].rc)
      fail_msg("%s: got %s", cases[i].what, bd_dnsmsg_strerror(rc));
    free(copy);
  }
}

/* The question name itself bad: a pointer has nothing prior to point at. */
static void test_question_name_rules(void **state) {
  static const struct {
    const char *what;
    unsigned char name[4];
    size_t len;
    int rc;
  } cases[] = {
      {"pointer to itself", {0xc0, 12}, 2, BD_DNSMSG_ENAME},
      {"forward pointer", {0xc0, 14, 0}, 3, BD_DNSMSG_ENAME},
      {"label type 0x40", {0x40, 0}, 2, BD_DNSMSG_ENAME},
      {"label type 0x80", {0x80, 0}, 2, BD_DNSMSG_ENAME},
      {"no root", {3, 'd', 'e', 'v'}, 4, BD_DNSMSG_ESHORT},
      {"half a pointer", {0xc0}, 1, BD_DNSMSG_ESHORT},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    unsigned char *copy;
    int rc;
    header(&m, 0x8180, 1, 0, 0, 0);
    put_bytes(&m, cases[i].name, cases[i].len);
    rc = parse_copy(&m, m.len, &copy, &d);
    if (rc != cases[i].rc)
      fail_msg("%s: got %s", cases[i].what, bd_dnsmsg_strerror(rc));
    free(copy);
  }
}

/* A chain of stored pointers, each to the one before, ending at the
 * question; the owner is one more pointer. */
static int parse_chain(unsigned stored) {
  struct msg m;
  struct bd_dnsmsg d;
  size_t at;
  size_t prev = 12;
  int rc;

  start(&m, 2, 0, 0, "q.dev", BD_DNS_TYPE_A);
  put_ptr(&m, 12);
  at = begin_rr(&m, 65280, BD_DNS_CLASS_IN, 1); /* private use, opaque */
  for (unsigned i = 0; i < stored; i++) {
    size_t here = m.len;
    put_ptr(&m, prev);
    prev = here;
  }
  end_rr(&m, at);
  put_ptr(&m, prev);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  rc = bd_dnsmsg_parse(&d, m.b, m.len);
  if (rc == 0) {
    struct bd_dnsmsg_cursor c;
    struct bd_dnsrr rr;
    bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
    assert_true(bd_dnsmsg_next(&c, &rr));
    assert_true(bd_dnsmsg_next(&c, &rr));
    assert_name(&d, rr.owner, "q.dev");
  }
  return rc;
}

static void test_pointer_chains(void **state) {
  (void)state;
  assert_int_equal(parse_chain(0), 0);
  assert_int_equal(parse_chain(5), 0);
  assert_int_equal(parse_chain(127), 0); /* 128 pointers in all */
  assert_int_equal(parse_chain(128), BD_DNSMSG_ENAME);
}

/* A name of `total` wire octets: labels of 63 and one shorter. */
static size_t put_long_name(struct msg *m, size_t total, char fill) {
  size_t at = m->len;
  size_t left = total - 1; /* the root octet */
  char label[63];
  memset(label, fill, sizeof(label));
  while (left > 0) {
    size_t n = left - 1 > 63 ? 63 : left - 1;
    put8(m, (unsigned)n);
    put_bytes(m, label, n);
    left -= n + 1;
  }
  put8(m, 0);
  return at;
}

static void test_long_names(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsrr rr;
  char text[BD_DNS_NAME_TEXT_MAX];
  char want[300];
  size_t at;
  (void)state;

  /* 255 octets: the longest name (RFC 1035 3.1), 253 characters. */
  header(&m, 0x8180, 1, 0, 0, 0);
  put_long_name(&m, 255, 'a');
  put16(&m, BD_DNS_TYPE_A);
  put16(&m, BD_DNS_CLASS_IN);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, sizeof(text)), 253);
  memset(want, 'a', 253);
  want[63] = want[127] = want[191] = '.';
  want[253] = '\0';
  assert_string_equal(text, want);

  /* 256 octets spelled out. */
  header(&m, 0x8180, 1, 0, 0, 0);
  put_long_name(&m, 256, 'a');
  put16(&m, BD_DNS_TYPE_A);
  put16(&m, BD_DNS_CLASS_IN);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), BD_DNSMSG_ENAME);

  /* 257 octets only once decompressed: "x" before a pointer to the
   * 255-octet question. */
  header(&m, 0x8180, 1, 1, 0, 0);
  put_long_name(&m, 255, 'a');
  put16(&m, BD_DNS_TYPE_A);
  put16(&m, BD_DNS_CLASS_IN);
  put_labels(&m, "x");
  put_ptr(&m, 12);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), BD_DNSMSG_ENAME);

  /* The longest presentation form: 250 octets that all need \DDD. */
  header(&m, 0x8180, 1, 1, 0, 0);
  put_name(&m, "q");
  put16(&m, BD_DNS_TYPE_A);
  put16(&m, BD_DNS_CLASS_IN);
  put_ptr(&m, 12);
  at = begin_rr(&m, BD_DNS_TYPE_NS, BD_DNS_CLASS_IN, 1);
  put_long_name(&m, 255, '\x01');
  end_rr(&m, at);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  first_rr(&d, BD_DNS_ANSWER, &rr);
  {
    size_t target;
    assert_int_equal(bd_dnsmsg_read_target(&d, &rr, &target), 0);
    assert_int_equal(bd_dnsmsg_write_name(&d, target, text, sizeof(text)),
                     BD_DNS_NAME_TEXT_MAX - 1);
    assert_memory_equal(text, "\\001\\001", 8);
    assert_int_equal(text[63 * 4], '.');
    /* One byte less and it does not fit: an error, never a cut name. */
    assert_int_equal(
        bd_dnsmsg_write_name(&d, target, text, BD_DNS_NAME_TEXT_MAX - 1),
        BD_DNSMSG_ESPACE);
    assert_string_equal(text, "");
  }
}

/* Every cut of a message with all three sections, names compressed and
 * an OPT record fails cleanly: parsed from an exact-size copy, so a read
 * past the end is AddressSanitizer's to catch. */
static void build_full(struct msg *m) {
  const unsigned char ip[4] = {192, 0, 2, 1};
  size_t at;

  start(m, 2, 2, 3, "www.example.dev", BD_DNS_TYPE_A);
  put_ptr(m, 12);
  at = begin_rr(m, BD_DNS_TYPE_CNAME, BD_DNS_CLASS_IN, 60);
  put_labels(m, "web");
  put_ptr(m, 16);
  end_rr(m, at);
  add_rr(m, BD_DNS_TYPE_A, ip, 4);
  put_ptr(m, 16);
  at = begin_rr(m, BD_DNS_TYPE_SOA, BD_DNS_CLASS_IN, 3600);
  put_labels(m, "ns1");
  put_ptr(m, 16);
  put_labels(m, "hostmaster");
  put_ptr(m, 16);
  for (int i = 0; i < 5; i++)
    put32(m, (uint32_t)i + 1);
  end_rr(m, at);
  put_ptr(m, 16);
  at = begin_rr(m, BD_DNS_TYPE_NS, BD_DNS_CLASS_IN, 3600);
  put_labels(m, "ns2");
  put_ptr(m, 16);
  end_rr(m, at);
  put_labels(m, "ns2");
  put_ptr(m, 16);
  at = begin_rr(m, BD_DNS_TYPE_AAAA, BD_DNS_CLASS_IN, 3600);
  put_bytes(m, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x35", 16);
  end_rr(m, at);
  put8(m, 0);
  at = begin_rr(m, BD_DNS_TYPE_OPT, 1232, 0);
  put16(m, 10); /* COOKIE option, as a server might send one */
  put16(m, 8);
  put32(m, 0x01020304);
  put32(m, 0x05060708);
  end_rr(m, at);
  put_ptr(m, 12);
  at = begin_rr(m, BD_DNS_TYPE_MX, BD_DNS_CLASS_IN, 60);
  put16(m, 10);
  put_labels(m, "mail");
  put_ptr(m, 16);
  end_rr(m, at);
}

static void test_truncated_everywhere(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  unsigned char *copy;
  (void)state;

  build_full(&m);
  assert_int_equal(parse_copy(&m, m.len, &copy, &d), 0);
  assert_int_equal(d.end, m.len);
  free(copy);
  for (size_t cut = 0; cut < m.len; cut++) {
    struct bd_dnsmsg_cursor c;
    struct bd_dnsrr rr;
    int rc = parse_copy(&m, cut, &copy, &d);
    if (rc != BD_DNSMSG_ESHORT)
      fail_msg("cut at %zu of %zu: %s", cut, m.len, bd_dnsmsg_strerror(rc));
    bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
    assert_false(bd_dnsmsg_next(&c, &rr));
    free(copy);
  }
  assert_int_equal(bd_dnsmsg_parse(&d, NULL, 0), BD_DNSMSG_ESHORT);
}

/* The record data of each decoded type, from the full message. */
static void test_rdata_decoded(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  unsigned char addr[16];
  size_t name;
  struct bd_dns_soa soa;
  struct bd_dns_mx mx;
  (void)state;

  build_full(&m);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_CNAME);
  assert_int_equal(bd_dnsmsg_read_target(&d, &rr, &name), 0);
  assert_name(&d, name, "web.example.dev");
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(bd_dnsmsg_read_addr(&d, &rr, addr), 4);
  assert_memory_equal(addr, "\xc0\x00\x02\x01", 4);

  bd_dnsmsg_walk(&d, BD_DNS_AUTHORITY, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(bd_dnsmsg_read_soa(&d, &rr, &soa), 0);
  assert_name(&d, soa.mname, "ns1.example.dev");
  assert_name(&d, soa.rname, "hostmaster.example.dev");
  assert_int_equal(soa.serial, 1);
  assert_int_equal(soa.refresh, 2);
  assert_int_equal(soa.retry, 3);
  assert_int_equal(soa.expire, 4);
  assert_int_equal(soa.minimum, 5);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(bd_dnsmsg_read_target(&d, &rr, &name), 0);
  assert_name(&d, name, "ns2.example.dev");

  bd_dnsmsg_walk(&d, BD_DNS_ADDITIONAL, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  /* The glue's owner is the NS target: the match a referral follows. */
  assert_true(bd_dnsmsg_same_name(&d, rr.owner, &d, name));
  assert_int_equal(bd_dnsmsg_read_addr(&d, &rr, addr), 16);
  assert_memory_equal(addr, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x35", 16);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_OPT);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(bd_dnsmsg_read_mx(&d, &rr, &mx), 0);
  assert_int_equal(mx.preference, 10);
  assert_name(&d, mx.exchange, "mail.example.dev");
  assert_false(bd_dnsmsg_next(&c, &rr));
  assert_true(d.edns);
}

/* One record of the given type, class and data, owned by the question. */
struct rdata_case {
  const char *what;
  unsigned type;
  unsigned klass;
  unsigned char data[48];
  size_t len;
  int rc;          /* of the decoder for the type */
  const char *out; /* the decoded name, address or numbers as text */
};

/* Decodes rr with the decoder its type calls for, and says what came out. */
static int decode(const struct bd_dnsmsg *d, const struct bd_dnsrr *rr,
                  unsigned as, char *out, size_t cap) {
  size_t name;
  unsigned char addr[16];
  struct bd_dns_soa soa;
  struct bd_dns_mx mx;
  struct bd_dns_srv srv;
  char a[BD_DNS_NAME_TEXT_MAX];
  char b[BD_DNS_NAME_TEXT_MAX];
  int rc;

  switch (as) {
  case BD_DNS_TYPE_SOA:
    if ((rc = bd_dnsmsg_read_soa(d, rr, &soa)) != 0)
      return rc;
    bd_dnsmsg_write_name(d, soa.mname, a, sizeof(a));
    bd_dnsmsg_write_name(d, soa.rname, b, sizeof(b));
    snprintf(out, cap, "%s %s %u %u %u %u %u", a, b, soa.serial, soa.refresh,
             soa.retry, soa.expire, soa.minimum);
    return 0;
  case BD_DNS_TYPE_MX:
    if ((rc = bd_dnsmsg_read_mx(d, rr, &mx)) != 0)
      return rc;
    bd_dnsmsg_write_name(d, mx.exchange, a, sizeof(a));
    snprintf(out, cap, "%u %s", mx.preference, a);
    return 0;
  case BD_DNS_TYPE_SRV:
    if ((rc = bd_dnsmsg_read_srv(d, rr, &srv)) != 0)
      return rc;
    bd_dnsmsg_write_name(d, srv.target, a, sizeof(a));
    snprintf(out, cap, "%u %u %u %s", srv.priority, srv.weight, srv.port, a);
    return 0;
  case BD_DNS_TYPE_A:
  case BD_DNS_TYPE_AAAA:
    if ((rc = bd_dnsmsg_read_addr(d, rr, addr)) < 0)
      return rc;
    out[0] = '\0';
    for (int i = 0; i < rc; i++)
      snprintf(out + strlen(out), cap - strlen(out), "%s%u", i ? "." : "",
               addr[i]);
    return 0;
  default:
    if ((rc = bd_dnsmsg_read_target(d, rr, &name)) != 0)
      return rc;
    bd_dnsmsg_write_name(d, name, out, cap);
    return 0;
  }
}

static void test_rdata_table(void **state) {
  /* The question is "q.dev" at 12, so 0xc0 0x0e points at "dev". */
  static const struct rdata_case cases[] = {
      {"NS", BD_DNS_TYPE_NS, 1, "\2ns\xc0\x0e", 5, 0, "ns.dev"},
      {"NS spelled out", BD_DNS_TYPE_NS, 1, "\2NS\3org\0", 8, 0, "ns.org"},
      {"NS root", BD_DNS_TYPE_NS, 1, "\0", 1, 0, "."},
      {"CNAME", BD_DNS_TYPE_CNAME, 1, "\1w\xc0\x0c", 4, 0, "w.q.dev"},
      {"DNAME", BD_DNS_TYPE_DNAME, 1, "\3new\xc0\x0e", 6, 0, "new.dev"},
      {"PTR", BD_DNS_TYPE_PTR, 1, "\xc0\x0c", 2, 0, "q.dev"},
      {"NS in class CH", BD_DNS_TYPE_NS, 3, "\xc0\x0c", 2, 0, "q.dev"},
      {"NS empty", BD_DNS_TYPE_NS, 1, "", 0, BD_DNSMSG_ERDATA, NULL},
      {"NS with a byte after", BD_DNS_TYPE_NS, 1, "\xc0\x0c\x00", 3,
       BD_DNSMSG_ERDATA, NULL},
      {"NS past its data", BD_DNS_TYPE_NS, 1, "\2ns", 3, BD_DNSMSG_ERDATA,
       NULL},
      {"NS bad label", BD_DNS_TYPE_NS, 1, "\x40\0", 2, BD_DNSMSG_ENAME, NULL},
      {"NS forward pointer", BD_DNS_TYPE_NS, 1, "\xc0\x30", 2, BD_DNSMSG_ENAME,
       NULL},
      {"SOA", BD_DNS_TYPE_SOA, 1,
       "\xc0\x0c\3dns\xc0\x0e"
       "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\xff\xff\xff\xff",
       28, 0, "q.dev dns.dev 1 2 3 4 4294967295"},
      {"SOA short", BD_DNS_TYPE_SOA, 1, "\xc0\x0c\xc0\x0c\0\0\0\1", 8,
       BD_DNSMSG_ERDATA, NULL},
      {"SOA long", BD_DNS_TYPE_SOA, 1,
       "\xc0\x0c\xc0\x0c\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\5\0", 25,
       BD_DNSMSG_ERDATA, NULL},
      {"SOA one name", BD_DNS_TYPE_SOA, 1, "\xc0\x0c", 2, BD_DNSMSG_ERDATA,
       NULL},
      {"MX", BD_DNS_TYPE_MX, 1, "\0\x0a\2mx\xc0\x0e", 7, 0, "10 mx.dev"},
      {"MX short", BD_DNS_TYPE_MX, 1, "\0", 1, BD_DNSMSG_ERDATA, NULL},
      {"MX no name", BD_DNS_TYPE_MX, 1, "\0\1", 2, BD_DNSMSG_ERDATA, NULL},
      {"SRV", BD_DNS_TYPE_SRV, 1, "\0\1\0\2\x01\xbb\3srv\xc0\x0e", 12, 0,
       "1 2 443 srv.dev"},
      {"SRV short", BD_DNS_TYPE_SRV, 1, "\0\1\0\2\0", 5, BD_DNSMSG_ERDATA,
       NULL},
      {"A", BD_DNS_TYPE_A, 1, "\xc0\0\2\1", 4, 0, "192.0.2.1"},
      {"A short", BD_DNS_TYPE_A, 1, "\xc0\0\2", 3, BD_DNSMSG_ERDATA, NULL},
      {"A long", BD_DNS_TYPE_A, 1, "\xc0\0\2\1\1", 5, BD_DNSMSG_ERDATA, NULL},
      {"A in class CH", BD_DNS_TYPE_A, 3, "\xc0\0\2\1", 4, BD_DNSMSG_ETYPE,
       NULL},
      {"AAAA", BD_DNS_TYPE_AAAA, 1, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\1",
       16, 0, "32.1.13.184.0.0.0.0.0.0.0.0.0.0.0.1"},
      {"AAAA as A", BD_DNS_TYPE_AAAA, 1, "\xc0\0\2\1", 4, BD_DNSMSG_ERDATA,
       NULL},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    const struct rdata_case *k = &cases[i];
    struct msg m;
    struct bd_dnsmsg d;
    struct bd_dnsrr rr;
    unsigned char *copy;
    char out[2 * BD_DNS_NAME_TEXT_MAX + 64];
    size_t at;
    int rc;

    start(&m, 1, 0, 0, "q.dev", BD_DNS_TYPE_ANY);
    put_ptr(&m, 12);
    at = begin_rr(&m, k->type, k->klass, 60);
    put_bytes(&m, k->data, k->len);
    end_rr(&m, at);
    put8(&m, 0); /* after the message: a name must not end here */
    assert_int_equal(parse_copy(&m, m.len, &copy, &d), 0);
    first_rr(&d, BD_DNS_ANSWER, &rr);
    rc = decode(&d, &rr, k->type, out, sizeof(out));
    if (rc != k->rc)
      fail_msg("%s: got %s", k->what, bd_dnsmsg_strerror(rc));
    if (rc == 0 && strcmp(out, k->out) != 0)
      fail_msg("%s: got \"%s\"", k->what, out);
    free(copy);
  }
}

/* Each decoder refuses records of the other types. */
static void test_rdata_wrong_type(void **state) {
  static const unsigned types[] = {
      BD_DNS_TYPE_A,   BD_DNS_TYPE_NS,    BD_DNS_TYPE_CNAME, BD_DNS_TYPE_SOA,
      BD_DNS_TYPE_PTR, BD_DNS_TYPE_MX,    BD_DNS_TYPE_TXT,   BD_DNS_TYPE_AAAA,
      BD_DNS_TYPE_SRV, BD_DNS_TYPE_DNAME, BD_DNS_TYPE_OPT};
  static const unsigned decoders[] = {BD_DNS_TYPE_SOA, BD_DNS_TYPE_MX,
                                      BD_DNS_TYPE_SRV, BD_DNS_TYPE_A,
                                      BD_DNS_TYPE_NS};
  (void)state;
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    struct bd_dnsrr rr;
    char out[BD_DNS_NAME_TEXT_MAX];
    start(&m, 1, 0, 0, "q.dev", BD_DNS_TYPE_ANY);
    add_rr(&m, types[i], "\xc0\x0c", 2);
    assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
    first_rr(&d, BD_DNS_ANSWER, &rr);
    for (size_t k = 0; k < sizeof(decoders) / sizeof(decoders[0]); k++) {
      unsigned as = decoders[k];
      bool targets =
          as == BD_DNS_TYPE_NS &&
          (types[i] == BD_DNS_TYPE_NS || types[i] == BD_DNS_TYPE_CNAME ||
           types[i] == BD_DNS_TYPE_DNAME || types[i] == BD_DNS_TYPE_PTR);
      bool addr = as == BD_DNS_TYPE_A &&
                  (types[i] == BD_DNS_TYPE_A || types[i] == BD_DNS_TYPE_AAAA);
      int rc = decode(&d, &rr, as, out, sizeof(out));
      if (targets)
        assert_int_equal(rc, 0);
      else if (addr)
        assert_int_equal(rc, BD_DNSMSG_ERDATA); /* 2 bytes, no address */
      else if (as != types[i] && rc != BD_DNSMSG_ETYPE)
        fail_msg("type %u read as %u: %s", types[i], as,
                 bd_dnsmsg_strerror(rc));
    }
  }
}

/* RFC 6891 6.1.3: the OPT record's TTL carries the upper 8 rcode bits,
 * the version and the DO bit; its CLASS the UDP payload size. */
static void add_opt(struct msg *m, unsigned ext_rcode, unsigned version,
                    unsigned flags) {
  put8(m, 0);
  end_rr(m, begin_rr(m, BD_DNS_TYPE_OPT, 1232,
                     (uint32_t)ext_rcode << 24 | version << 16 | flags));
}

static void test_edns(void **state) {
  static const struct {
    const char *what;
    unsigned header_rcode;
    unsigned ext_rcode;
    unsigned rcode;
  } cases[] = {
      {"NOERROR", 0, 0, BD_DNS_RCODE_NOERROR},
      {"NXDOMAIN", 3, 0, BD_DNS_RCODE_NXDOMAIN},
      {"BADVERS", 0, 1, BD_DNS_RCODE_BADVERS},
      {"BADCOOKIE", 7, 1, BD_DNS_RCODE_BADCOOKIE},
      {"largest", 15, 255, 4095},
  };
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  (void)state;

  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    start(&m, 0, 0, 1, "q.dev", BD_DNS_TYPE_A);
    m.b[3] = (unsigned char)(0x80 | cases[i].header_rcode);
    add_opt(&m, cases[i].ext_rcode, 0, BD_DNS_EDNS_DO);
    assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
    if (d.rcode != cases[i].rcode)
      fail_msg("%s: rcode %u", cases[i].what, d.rcode);
    assert_true(d.edns);
    assert_int_equal(d.edns_udp_size, 1232);
    assert_int_equal(d.edns_version, 0);
    assert_int_equal(d.edns_flags, BD_DNS_EDNS_DO);
    assert_int_equal(d.flags, BD_DNS_FLAG_QR | BD_DNS_FLAG_RD | BD_DNS_FLAG_RA);
  }

  /* Version and flags as sent. */
  start(&m, 0, 0, 1, "q.dev", BD_DNS_TYPE_A);
  add_opt(&m, 0, 1, 0x0001);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(d.edns_version, 1);
  assert_int_equal(d.edns_flags, 0x0001);

  /* Two OPT records (RFC 6891 6.1.1: the only one in the message). */
  start(&m, 0, 0, 2, "q.dev", BD_DNS_TYPE_A);
  add_opt(&m, 0, 0, 0);
  add_opt(&m, 0, 0, 0);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), BD_DNSMSG_EOPT);

  /* An OPT record not owned by the root (6.1.2). */
  start(&m, 0, 0, 1, "q.dev", BD_DNS_TYPE_A);
  put_ptr(&m, 12);
  end_rr(&m, begin_rr(&m, BD_DNS_TYPE_OPT, 1232, 0));
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), BD_DNSMSG_EOPT);

  /* Outside the additional section OPT means nothing: a record like any. */
  start(&m, 1, 0, 0, "q.dev", BD_DNS_TYPE_A);
  m.b[3] = 0x83;
  add_opt(&m, 1, 0, 0);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_false(d.edns);
  assert_int_equal(d.rcode, BD_DNS_RCODE_NXDOMAIN);
  bd_dnsmsg_walk(&d, BD_DNS_ANSWER, &c);
  assert_true(bd_dnsmsg_next(&c, &rr));
  assert_int_equal(rr.type, BD_DNS_TYPE_OPT);
  assert_name(&d, rr.owner, ".");
}

/* Names compare without regard to ASCII case (RFC 4343), across
 * compression and across messages. */
static void test_name_compare(void **state) {
  static const struct {
    const char *a;
    const char *b;
    bool same;
  } cases[] = {
      {"example.dev", "example.dev", true},
      {"Example.DEV", "eXAMPLE.dev", true},
      {"example.dev", "example.de", false},
      {"example.dev", "xample.dev", false},
      {"a.example.dev", "example.dev", false},
      {"example.dev", "example.dev.x", false},
      {"ab.dev", "a.bdev", false},
      {"", "", true},
      {"", "dev", false},
      {"a-z_0", "A-Z_0", true},
      {"[", "{", false}, /* 0x5b and 0x7b differ by 0x20, yet are no letters */
      {"@", "`", false},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg ma;
    struct msg mb;
    struct bd_dnsmsg da;
    struct bd_dnsmsg db;
    size_t a;
    size_t b;
    /* a is the question of one message; b is spelled out in another
     * whose question is a too. */
    start(&ma, 0, 0, 0, cases[i].a, BD_DNS_TYPE_A);
    start(&mb, 1, 0, 0, cases[i].a, BD_DNS_TYPE_A);
    b = mb.len;
    put_name(&mb, cases[i].b);
    end_rr(&mb, begin_rr(&mb, BD_DNS_TYPE_TXT, BD_DNS_CLASS_IN, 1));
    assert_int_equal(bd_dnsmsg_parse(&da, ma.b, ma.len), 0);
    assert_int_equal(bd_dnsmsg_parse(&db, mb.b, mb.len), 0);
    a = da.qname;
    if (bd_dnsmsg_same_name(&da, a, &db, b) != cases[i].same ||
        bd_dnsmsg_same_name(&db, b, &da, a) != cases[i].same ||
        bd_dnsmsg_same_name(&db, b, &db, db.qname) != cases[i].same)
      fail_msg("\"%s\" vs \"%s\"", cases[i].a, cases[i].b);
    assert_true(bd_dnsmsg_same_name(&da, a, &da, a));
  }
}

static void test_name_compare_malformed(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  struct bd_dnsmsg empty;
  (void)state;
  start(&m, 0, 0, 0, "q.dev", BD_DNS_TYPE_A);
  put8(&m, 0x40); /* a bad name after the message's end */
  put8(&m, 0);
  put_ptr(&m, m.len); /* a loop */
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_false(bd_dnsmsg_same_name(&d, d.end, &d, d.end));
  assert_false(bd_dnsmsg_same_name(&d, d.end + 2, &d, d.end + 2));
  assert_false(bd_dnsmsg_same_name(&d, m.len + 5, &d, d.qname));
  memset(&empty, 0, sizeof(empty));
  assert_false(bd_dnsmsg_same_name(&empty, 12, &d, d.qname));
}

/* Presentation form (RFC 1035 5.1): lower case, specials escaped. */
static void test_write_name(void **state) {
  static const struct {
    unsigned char wire[32];
    size_t len;
    const char *text;
  } cases[] = {
      {"\0", 1, "."},
      {"\3DEV\0", 5, "dev"},
      {"\3a.b\3dev\0", 9, "a\\.b.dev"},
      {"\3a\\b\0", 5, "a\\\\b"},
      {"\3a b\0", 5, "a\\032b"},
      {"\2\xc3\x9c\0", 4, "\\195\\156"}, /* UTF-8 stays octets */
      {"\1\x7f\1\0\0", 5, "\\127.\\000"},
      {"\6\"();@$\0", 8, "\\\"\\(\\)\\;\\@\\$"},
      {"\5_Tcp-\0", 7, "_tcp-"},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct msg m;
    struct bd_dnsmsg d;
    header(&m, 0x8180, 1, 0, 0, 0);
    put_bytes(&m, cases[i].wire, cases[i].len);
    put16(&m, BD_DNS_TYPE_A);
    put16(&m, BD_DNS_CLASS_IN);
    assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
    assert_name(&d, d.qname, cases[i].text);
  }
}

static void test_write_name_space(void **state) {
  struct msg m;
  struct bd_dnsmsg d;
  char text[16];
  (void)state;
  start(&m, 0, 0, 0, "abc.dev", BD_DNS_TYPE_A);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, 8), 7);
  assert_string_equal(text, "abc.dev");
  for (size_t cap = 1; cap < 8; cap++) {
    memset(text, 'x', sizeof(text));
    assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, cap),
                     BD_DNSMSG_ESPACE);
    assert_string_equal(text, "");
  }
  assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, 0),
                   BD_DNSMSG_ESPACE);
  assert_int_equal(bd_dnsmsg_write_name(&d, 0, text, sizeof(text)),
                   BD_DNSMSG_ENAME); /* the header is no name: 0xbe */
  start(&m, 0, 0, 0, "", BD_DNS_TYPE_A);
  assert_int_equal(bd_dnsmsg_parse(&d, m.b, m.len), 0);
  assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, 1),
                   BD_DNSMSG_ESPACE);
  assert_int_equal(bd_dnsmsg_write_name(&d, d.qname, text, 2), 1);
  assert_string_equal(text, ".");
}

/* The constants and the mnemonic table of --type agree. */
static void test_types_match_mnemonics(void **state) {
  static const struct {
    const char *name;
    unsigned type;
  } cases[] = {
      {"A", BD_DNS_TYPE_A},         {"NS", BD_DNS_TYPE_NS},
      {"CNAME", BD_DNS_TYPE_CNAME}, {"SOA", BD_DNS_TYPE_SOA},
      {"PTR", BD_DNS_TYPE_PTR},     {"MX", BD_DNS_TYPE_MX},
      {"TXT", BD_DNS_TYPE_TXT},     {"AAAA", BD_DNS_TYPE_AAAA},
      {"SRV", BD_DNS_TYPE_SRV},     {"NAPTR", BD_DNS_TYPE_NAPTR},
      {"DS", BD_DNS_TYPE_DS},       {"DNSKEY", BD_DNS_TYPE_DNSKEY},
      {"SVCB", BD_DNS_TYPE_SVCB},   {"HTTPS", BD_DNS_TYPE_HTTPS},
      {"ANY", BD_DNS_TYPE_ANY},     {"CAA", BD_DNS_TYPE_CAA},
  };
  (void)state;
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    uint16_t t = 0;
    char buf[12];
    assert_int_equal(bd_rrtype_parse(cases[i].name, &t), 0);
    assert_int_equal(t, cases[i].type);
    assert_string_equal(bd_rrtype_name((uint16_t)cases[i].type, buf, 12),
                        cases[i].name);
  }
}

static void test_strerror(void **state) {
  static const int codes[] = {
      0,
      BD_DNSMSG_ESHORT,
      BD_DNSMSG_ENAME,
      BD_DNSMSG_EQDCOUNT,
      BD_DNSMSG_EOPT,
      BD_DNSMSG_ETYPE,
      BD_DNSMSG_ERDATA,
      BD_DNSMSG_ESPACE,
  };
  (void)state;
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    for (size_t k = 0; k < i; k++)
      assert_string_not_equal(bd_dnsmsg_strerror(codes[i]),
                              bd_dnsmsg_strerror(codes[k]));
  assert_string_equal(bd_dnsmsg_strerror(-99), "unknown error");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_header_bits),
      cmocka_unit_test(test_question_and_counts),
      cmocka_unit_test(test_sections),
      cmocka_unit_test(test_bad_counts),
      cmocka_unit_test(test_compression),
      cmocka_unit_test(test_pointer_rules),
      cmocka_unit_test(test_question_name_rules),
      cmocka_unit_test(test_pointer_chains),
      cmocka_unit_test(test_long_names),
      cmocka_unit_test(test_truncated_everywhere),
      cmocka_unit_test(test_rdata_decoded),
      cmocka_unit_test(test_rdata_table),
      cmocka_unit_test(test_rdata_wrong_type),
      cmocka_unit_test(test_edns),
      cmocka_unit_test(test_name_compare),
      cmocka_unit_test(test_name_compare_malformed),
      cmocka_unit_test(test_write_name),
      cmocka_unit_test(test_write_name_space),
      cmocka_unit_test(test_types_match_mnemonics),
      cmocka_unit_test(test_strerror),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
