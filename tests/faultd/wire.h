/* DNS wire format: parsing queries and building faultd's responses. */
#ifndef FAULTD_WIRE_H
#define FAULTD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
  DNS_HEADER_LEN = 12,
  DNS_NAME_MAX = 255,      /* wire length of a name, root byte included */
  DNS_TEXT_NAME_MAX = 1280 /* worst case with every byte \DDD-escaped */
};

enum {
  DNS_TYPE_A = 1,
  DNS_TYPE_CNAME = 5,
  DNS_TYPE_AAAA = 28,
  DNS_TYPE_OPT = 41
};

enum {
  DNS_RCODE_NOERROR = 0,
  DNS_RCODE_FORMERR = 1,
  DNS_RCODE_SERVFAIL = 2,
  DNS_RCODE_NXDOMAIN = 3,
  DNS_RCODE_NOTIMP = 4,
  DNS_RCODE_REFUSED = 5
};

enum query_status {
  QUERY_OK,
  QUERY_FORMERR, /* header readable, rest is not: answer FORMERR */
  QUERY_IGNORE   /* not even a header, or a response: stay silent */
};

struct dns_query {
  uint16_t id;
  uint16_t flags;
  const uint8_t *question; /* raw name + type + class inside the packet */
  size_t question_len;
  size_t qname_len; /* wire length of the name at the start of question */
  uint16_t qtype;
  uint16_t qclass;
  bool has_opt;
  uint16_t udp_size; /* class field of the OPT RR, if has_opt */
  /* Presentation form, lower-cased, no trailing dot ("" for the root). */
  char name[DNS_TEXT_NAME_MAX];
};

struct dns_rr {
  uint16_t type;
  uint16_t rdlen;
  const uint8_t *rdata;
};

struct dns_reply {
  uint8_t rcode;
  bool tc; /* set TC and leave the answer section empty */
  const struct dns_rr *answers;
  size_t answer_count;
  /* Question to echo instead of the query's own (NULL: the query's). */
  const uint8_t *question;
  size_t question_len;
};

/* The question pointer in the result points into pkt. */
enum query_status wire_parse_query(const uint8_t *pkt, size_t len,
                                   struct dns_query *query);

/* Each builder returns the message length, or 0 if cap is too small. */
size_t wire_build_reply(const struct dns_query *query,
                        const struct dns_reply *reply, uint8_t *out,
                        size_t cap);
size_t wire_build_formerr(const struct dns_query *query, uint8_t *out,
                          size_t cap);
/* A NOERROR reply whose single answer record is cut off mid-RDATA. */
size_t wire_build_malformed(const struct dns_query *query, uint8_t *out,
                            size_t cap);
/* The query's question with an 'x' put in front of the first label. */
size_t wire_build_altered_question(const struct dns_query *query, uint8_t *out,
                                   size_t cap);

void wire_set_id(uint8_t *msg, uint16_t id);

/* Converts "www.example.com" (trailing dot optional, "." for the root)
   to wire form; false if the text is not a valid name. */
bool wire_name_from_text(const char *text, uint8_t *out, size_t *out_len);

#endif
