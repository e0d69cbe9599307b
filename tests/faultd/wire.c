/* DNS wire format: parsing queries and building faultd's responses. */
#include "wire.h"

#include <string.h>

enum {
  FLAG_QR = 0x8000,
  FLAG_OPCODE = 0x7800,
  FLAG_AA = 0x0400,
  FLAG_TC = 0x0200,
  FLAG_RD = 0x0100,
  FLAG_RA = 0x0080,
  FLAG_CD = 0x0010,
  LABEL_MAX = 63,
  RR_FIXED_LEN = 10, /* type, class, TTL, RDLENGTH */
  CLASS_IN = 1,
  ANSWER_TTL = 60,
  OPT_PAYLOAD = 1232,
  NAME_POINTER_TO_QNAME = 0xc00c
};

/* Bounded output buffer: writes past cap set overflow instead. */
struct wbuf {
  uint8_t *data;
  size_t len;
  size_t cap;
  bool overflow;
};

static uint16_t get16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_bytes(struct wbuf *buf, const void *src, size_t n) {
  if (buf->overflow || n > buf->cap - buf->len) {
    buf->overflow = true;
    return;
  }
  if (n > 0)
    memcpy(buf->data + buf->len, src, n);
  buf->len += n;
}

static void put16(struct wbuf *buf, uint16_t value) {
  uint8_t bytes[2] = {(uint8_t)(value >> 8), (uint8_t)value};
  put_bytes(buf, bytes, sizeof bytes);
}

static void put32(struct wbuf *buf, uint32_t value) {
  put16(buf, (uint16_t)(value >> 16));
  put16(buf, (uint16_t)value);
}

static size_t wbuf_result(const struct wbuf *buf) {
  return buf->overflow ? 0 : buf->len;
}

/* Writes one name byte in presentation form, lower-cased. Dots, backslashes
   and unprintable bytes are escaped so every name stays one unambiguous,
   space-free word (fnmatch and the log both depend on that). */
static size_t put_text_byte(char *out, uint8_t c) {
  if (c >= 'A' && c <= 'Z') {
    out[0] = (char)(c - 'A' + 'a');
    return 1;
  }
  if (c <= 0x20 || c >= 0x7f) {
    out[0] = '\\';
    out[1] = (char)('0' + c / 100);
    out[2] = (char)('0' + c / 10 % 10);
    out[3] = (char)('0' + c % 10);
    return 4;
  }
  if (c == '.' || c == '\\') {
    out[0] = '\\';
    out[1] = (char)c;
    return 2;
  }
  out[0] = (char)c;
  return 1;
}

/* Queries carry no compression, so a pointer here is a format error. */
static bool parse_qname(const uint8_t *pkt, size_t len, size_t *off,
                        char *text) {
  size_t pos = *off;
  size_t wire_len = 1; /* the root label */
  size_t out = 0;
  for (;;) {
    if (pos >= len)
      return false;
    uint8_t label = pkt[pos++];
    if (label == 0)
      break;
    if (label > LABEL_MAX || label > len - pos)
      return false;
    wire_len += 1u + label;
    if (wire_len > DNS_NAME_MAX)
      return false;
    if (out > 0)
      text[out++] = '.';
    for (size_t i = 0; i < label; i++)
      out += put_text_byte(text + out, pkt[pos + i]);
    pos += label;
  }
  text[out] = '\0';
  *off = pos;
  return true;
}

/* Names in other sections may be compressed; they are only skipped. */
static bool skip_name(const uint8_t *pkt, size_t len, size_t *off) {
  size_t pos = *off;
  for (;;) {
    if (pos >= len)
      return false;
    uint8_t label = pkt[pos];
    if (label == 0) {
      pos += 1;
      break;
    }
    if ((label & 0xc0) == 0xc0) {
      if (len - pos < 2)
        return false;
      pos += 2;
      break;
    }
    if (label > LABEL_MAX || label >= len - pos)
      return false;
    pos += 1u + label;
  }
  *off = pos;
  return true;
}

static bool skip_rr(const uint8_t *pkt, size_t len, size_t *off) {
  size_t pos = *off;
  if (!skip_name(pkt, len, &pos) || len - pos < RR_FIXED_LEN)
    return false;
  size_t rdlen = get16(pkt + pos + 8);
  pos += RR_FIXED_LEN;
  if (rdlen > len - pos)
    return false;
  *off = pos + rdlen;
  return true;
}

/* Finds an OPT RR (root owner, type 41) among the additional records. */
static bool parse_additional(const uint8_t *pkt, size_t len, size_t off,
                             unsigned count, struct dns_query *query) {
  for (unsigned i = 0; i < count; i++) {
    size_t start = off;
    if (!skip_rr(pkt, len, &off))
      return false;
    bool root_owner = pkt[start] == 0;
    if (root_owner && get16(pkt + start + 1) == DNS_TYPE_OPT &&
        !query->has_opt) {
      query->has_opt = true;
      query->udp_size = get16(pkt + start + 3);
    }
  }
  return true;
}

enum query_status wire_parse_query(const uint8_t *pkt, size_t len,
                                   struct dns_query *query) {
  memset(query, 0, offsetof(struct dns_query, name));
  query->name[0] = '\0';
  if (len < DNS_HEADER_LEN)
    return QUERY_IGNORE;
  query->id = get16(pkt);
  query->flags = get16(pkt + 2);
  /* Answering responses could make two servers ping-pong forever. */
  if (query->flags & FLAG_QR)
    return QUERY_IGNORE;
  if (get16(pkt + 4) != 1)
    return QUERY_FORMERR;

  size_t off = DNS_HEADER_LEN;
  if (!parse_qname(pkt, len, &off, query->name) || len - off < 4)
    return QUERY_FORMERR;
  query->question = pkt + DNS_HEADER_LEN;
  query->qname_len = off - DNS_HEADER_LEN;
  query->question_len = query->qname_len + 4;
  query->qtype = get16(pkt + off);
  query->qclass = get16(pkt + off + 2);
  off += 4;

  unsigned skipped = (unsigned)get16(pkt + 6) + get16(pkt + 8);
  for (unsigned i = 0; i < skipped; i++)
    if (!skip_rr(pkt, len, &off))
      return QUERY_FORMERR;
  if (!parse_additional(pkt, len, off, get16(pkt + 10), query))
    return QUERY_FORMERR;
  return QUERY_OK;
}

static uint16_t reply_flags(const struct dns_query *query, uint8_t rcode,
                            bool tc) {
  uint16_t copied = query->flags & (FLAG_OPCODE | FLAG_RD | FLAG_CD);
  uint16_t flags = FLAG_QR | FLAG_AA | FLAG_RA | copied | (rcode & 0x0f);
  return tc ? flags | FLAG_TC : flags;
}

static void put_header(struct wbuf *buf, uint16_t id, uint16_t flags,
                       uint16_t qdcount, uint16_t ancount, uint16_t arcount) {
  put16(buf, id);
  put16(buf, flags);
  put16(buf, qdcount);
  put16(buf, ancount);
  put16(buf, 0);
  put16(buf, arcount);
}

static void put_answer(struct wbuf *buf, const struct dns_rr *rr) {
  put16(buf, NAME_POINTER_TO_QNAME);
  put16(buf, rr->type);
  put16(buf, CLASS_IN);
  put32(buf, ANSWER_TTL);
  put16(buf, rr->rdlen);
  put_bytes(buf, rr->rdata, rr->rdlen);
}

static void put_opt(struct wbuf *buf) {
  put_bytes(buf, "", 1); /* root owner */
  put16(buf, DNS_TYPE_OPT);
  put16(buf, OPT_PAYLOAD);
  put32(buf, 0); /* extended rcode, version, flags */
  put16(buf, 0); /* no options */
}

size_t wire_build_reply(const struct dns_query *query,
                        const struct dns_reply *reply, uint8_t *out,
                        size_t cap) {
  struct wbuf buf = {out, 0, cap, false};
  const uint8_t *question = query->question;
  size_t question_len = query->question_len;
  if (reply->question) {
    question = reply->question;
    question_len = reply->question_len;
  }
  size_t ancount = reply->tc ? 0 : reply->answer_count;
  if (ancount > UINT16_MAX)
    return 0;
  put_header(&buf, query->id, reply_flags(query, reply->rcode, reply->tc), 1,
             (uint16_t)ancount, query->has_opt ? 1 : 0);
  put_bytes(&buf, question, question_len);
  for (size_t i = 0; i < ancount; i++)
    put_answer(&buf, &reply->answers[i]);
  if (query->has_opt)
    put_opt(&buf);
  return wbuf_result(&buf);
}

size_t wire_build_formerr(const struct dns_query *query, uint8_t *out,
                          size_t cap) {
  struct wbuf buf = {out, 0, cap, false};
  put_header(&buf, query->id, reply_flags(query, DNS_RCODE_FORMERR, false), 0,
             0, 0);
  return wbuf_result(&buf);
}

size_t wire_build_malformed(const struct dns_query *query, uint8_t *out,
                            size_t cap) {
  static const uint8_t half_address[] = {192, 0};
  struct wbuf buf = {out, 0, cap, false};
  put_header(&buf, query->id, reply_flags(query, DNS_RCODE_NOERROR, false), 1,
             1, 0);
  put_bytes(&buf, query->question, query->question_len);
  put16(&buf, NAME_POINTER_TO_QNAME);
  put16(&buf, DNS_TYPE_A);
  put16(&buf, CLASS_IN);
  put32(&buf, ANSWER_TTL);
  put16(&buf, 4);
  /* RDLENGTH promises 4 bytes; the message ends after 2. */
  put_bytes(&buf, half_address, sizeof half_address);
  return wbuf_result(&buf);
}

size_t wire_build_altered_question(const struct dns_query *query, uint8_t *out,
                                   size_t cap) {
  struct wbuf buf = {out, 0, cap, false};
  const uint8_t *q = query->question;
  uint8_t first_len = q[0];
  if (first_len == 0) {
    /* The root has no label to prefix: ask about "x." instead. */
    put_bytes(&buf, "\001x", 2);
    put_bytes(&buf, q, query->question_len);
  } else if (first_len < LABEL_MAX && query->qname_len < DNS_NAME_MAX) {
    uint8_t prefix[2] = {(uint8_t)(first_len + 1), 'x'};
    put_bytes(&buf, prefix, sizeof prefix);
    put_bytes(&buf, q + 1, query->question_len - 1);
  } else {
    /* No room to grow the name: change its first character instead. */
    put_bytes(&buf, q, query->question_len);
    if (!buf.overflow)
      out[1] = (q[1] == 'x' || q[1] == 'X') ? 'y' : 'x';
  }
  return wbuf_result(&buf);
}

void wire_set_id(uint8_t *msg, uint16_t id) {
  msg[0] = (uint8_t)(id >> 8);
  msg[1] = (uint8_t)id;
}

bool wire_name_from_text(const char *text, uint8_t *out, size_t *out_len) {
  size_t len = 0;
  if (strcmp(text, ".") != 0) {
    const char *label = text;
    while (*label) {
      size_t n = strcspn(label, ".");
      if (n == 0 || n > LABEL_MAX || len + 1 + n + 1 > DNS_NAME_MAX)
        return false;
      out[len++] = (uint8_t)n;
      memcpy(out + len, label, n);
      len += n;
      label += n;
      if (*label == '.')
        label++;
    }
  }
  if (len == 0 && strcmp(text, ".") != 0)
    return false;
  out[len++] = 0;
  *out_len = len;
  return true;
}
