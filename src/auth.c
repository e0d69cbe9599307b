/* What a zone's own server says: the rules of the authoritative mode, over
 * a message dnsmsg.c has parsed. A referral (RFC 1034 4.3.1: no AA, NS
 * records of a zone below in the authority section) either delegates the
 * name asked about, which is then registered, or points nearer the
 * question; an authoritative answer (AA, RFC 1035 4.1.1) is the zone's own
 * word; anything else is a server that does not serve the zone (lame). */
#include "blogdom/auth.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define DNS_PORT 53

bool bd_auth_in_zone(const char *name, const char *zone) {
  size_t n = strlen(name);
  size_t z = strlen(zone);
  if (z == 0)
    return true;
  if (n < z || strcmp(name + n - z, zone) != 0)
    return false;
  return n == z || name[n - z - 1] == '.';
}

/* The text of the name at off, or "" when it is malformed. */
static void name_at(const struct bd_dnsmsg *m, size_t off, char *buf,
                    size_t cap) {
  if (bd_dnsmsg_write_name(m, off, buf, cap) < 0)
    buf[0] = '\0';
  else if (strcmp(buf, ".") == 0)
    buf[0] = '\0';
}

/* Copies a name that fits a name's room (escapes can make the text of a
 * malformed one longer). */
static bool copy_name(char *dst, size_t cap, const char *src) {
  size_t n = strlen(src);
  if (n >= cap)
    return false;
  memcpy(dst, src, n + 1);
  return true;
}

static struct bd_auth_ns *find_ns(struct bd_auth_judgement *j,
                                  const char *name) {
  for (size_t i = 0; i < j->nns; i++)
    if (strcmp(j->ns[i].name, name) == 0)
      return &j->ns[i];
  return NULL;
}

static void add_address(struct bd_auth_ns *ns, const unsigned char *addr,
                        int len) {
  struct bd_server *s;
  char text[INET6_ADDRSTRLEN];
  if (ns->naddrs >= BD_AUTH_MAX_ADDRS)
    return;
  s = &ns->addrs[ns->naddrs++];
  memset(s, 0, sizeof(*s));
  s->family = len == 4 ? AF_INET : AF_INET6;
  memcpy(len == 4 ? s->addr.v4 : s->addr.v6, addr, (size_t)len);
  s->port = DNS_PORT;
  inet_ntop(s->family, addr, text, sizeof(text));
  snprintf(s->text, sizeof(s->text), len == 4 ? "%s:%u" : "[%s]:%u", text,
           DNS_PORT);
}

/* Collects the NS records of section s that the first NS record's owner
 * owns, and that owner as j->zone. */
static void collect_ns(const struct bd_dnsmsg *m, enum bd_dns_section s,
                       struct bd_auth_judgement *j) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  char owner[BD_DNS_NAME_TEXT_MAX];
  char target[BD_DNS_NAME_TEXT_MAX];
  size_t off;

  bd_dnsmsg_walk(m, s, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    if (rr.type != BD_DNS_TYPE_NS || rr.klass != BD_DNS_CLASS_IN)
      continue;
    name_at(m, rr.owner, owner, sizeof(owner));
    if (j->nns == 0) {
      if (!copy_name(j->zone, sizeof(j->zone), owner))
        continue;
    } else if (strcmp(owner, j->zone) != 0) {
      continue; /* one zone per referral */
    }
    if (bd_dnsmsg_read_target(m, &rr, &off) != 0 || j->nns >= BD_AUTH_MAX_NS)
      continue;
    name_at(m, off, target, sizeof(target));
    if (target[0] == '\0' || find_ns(j, target) != NULL ||
        !copy_name(j->ns[j->nns].name, sizeof(j->ns[0].name), target))
      continue;
    j->ns[j->nns++].naddrs = 0;
  }
}

/* Addresses of section s for the name servers collected (glue). Only
 * glue for names inside the zone asked is believed (in bailiwick, RFC
 * 2181 5.4.1): a server may not vouch for addresses of names it does not
 * serve. The root serves them all. */
static void collect_glue(const struct bd_dnsmsg *m, enum bd_dns_section s,
                         const char *bailiwick, struct bd_auth_judgement *j) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  char owner[BD_DNS_NAME_TEXT_MAX];
  unsigned char addr[16];

  bd_dnsmsg_walk(m, s, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    struct bd_auth_ns *ns;
    int len;
    if (rr.type != BD_DNS_TYPE_A && rr.type != BD_DNS_TYPE_AAAA)
      continue;
    name_at(m, rr.owner, owner, sizeof(owner));
    ns = find_ns(j, owner);
    if (ns == NULL || !bd_auth_in_zone(owner, bailiwick))
      continue;
    len = bd_dnsmsg_read_addr(m, &rr, addr);
    if (len > 0)
      add_address(ns, addr, len);
  }
}

/* The addresses the answer section gives for qname (HOST). */
static void collect_host(const struct bd_dnsmsg *m, const char *qname,
                         struct bd_auth_judgement *j) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  char owner[BD_DNS_NAME_TEXT_MAX];
  unsigned char addr[16];

  if (!copy_name(j->ns[0].name, sizeof(j->ns[0].name), qname))
    return;
  j->nns = 1;
  j->ns[0].naddrs = 0;
  bd_dnsmsg_walk(m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr)) {
    int len;
    if (rr.type != BD_DNS_TYPE_A && rr.type != BD_DNS_TYPE_AAAA)
      continue;
    name_at(m, rr.owner, owner, sizeof(owner));
    if (strcmp(owner, qname) != 0)
      continue;
    len = bd_dnsmsg_read_addr(m, &rr, addr);
    if (len > 0)
      add_address(&j->ns[0], addr, len);
  }
}

static bool is_alias(const struct bd_dnsmsg *m) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  bd_dnsmsg_walk(m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr))
    if ((rr.type == BD_DNS_TYPE_CNAME || rr.type == BD_DNS_TYPE_DNAME) &&
        bd_dnsmsg_same_name(m, rr.owner, m, m->qname))
      return true;
  return false;
}

static bool answers_type(const struct bd_dnsmsg *m, uint16_t qtype) {
  struct bd_dnsmsg_cursor c;
  struct bd_dnsrr rr;
  bd_dnsmsg_walk(m, BD_DNS_ANSWER, &c);
  while (bd_dnsmsg_next(&c, &rr))
    if (rr.type == qtype || qtype == BD_DNS_TYPE_ANY)
      return true;
  return false;
}

/* A referral's zone must lie strictly below the zone asked and above or
 * at the question (RFC 1034 4.3.2): anything else (an upward referral, a
 * zone beside the question) is the mark of a lame server. */
static enum bd_auth_kind judge_referral(enum bd_auth_question q,
                                        const char *qname,
                                        const char *registrable,
                                        const char *zone,
                                        const struct bd_auth_judgement *j) {
  if (strcmp(j->zone, zone) == 0 || !bd_auth_in_zone(j->zone, zone) ||
      !bd_auth_in_zone(qname, j->zone))
    return BD_AUTH_LAME;
  switch (q) {
  case BD_AUTH_NAME:
    /* The registrable name, or a name between it and the question, has
     * servers of its own: somebody registered it. A cut above it is a
     * zone that the search for the suffix's zone did not see. */
    return bd_auth_in_zone(j->zone, registrable) ? BD_AUTH_DELEGATED
                                                 : BD_AUTH_STEP;
  case BD_AUTH_SUFFIX:
    return strcmp(j->zone, qname) == 0 ? BD_AUTH_ZONE : BD_AUTH_STEP;
  case BD_AUTH_HOST:
    return BD_AUTH_STEP;
  }
  return BD_AUTH_LAME;
}

static enum bd_auth_kind judge_rcode(int rcode) {
  switch (rcode) {
  case BD_DNS_RCODE_REFUSED:
    return BD_AUTH_REFUSED;
  case BD_DNS_RCODE_SERVFAIL:
    return BD_AUTH_SERVFAIL;
  default:
    return BD_AUTH_RCODE;
  }
}

void bd_auth_judge(const struct bd_dnsmsg *m, enum bd_auth_question q,
                   const char *qname, uint16_t qtype, const char *registrable,
                   const char *zone, struct bd_auth_judgement *out) {
  bool aa = (m->flags & BD_DNS_FLAG_AA) != 0;

  memset(out, 0, sizeof(*out));
  out->rcode = m->rcode;
  out->kind = BD_AUTH_BAD;
  if (!(m->flags & BD_DNS_FLAG_QR) || m->opcode != BD_DNS_OPCODE_QUERY ||
      (m->flags & BD_DNS_FLAG_TC))
    return;
  if (m->rcode != BD_DNS_RCODE_NOERROR && m->rcode != BD_DNS_RCODE_NXDOMAIN) {
    out->kind = judge_rcode(m->rcode);
    return;
  }
  if (!aa) {
    /* Only a referral can be worth anything without AA. */
    collect_ns(m, BD_DNS_AUTHORITY, out);
    if (m->rcode != BD_DNS_RCODE_NOERROR || m->counts[BD_DNS_ANSWER] > 0 ||
        out->nns == 0) {
      out->kind = BD_AUTH_LAME;
      return;
    }
    out->kind = judge_referral(q, qname, registrable, zone, out);
    /* A delegated name's glue too: a stage's question about it is asked
     * of its own servers. */
    if (out->kind == BD_AUTH_STEP || out->kind == BD_AUTH_ZONE ||
        out->kind == BD_AUTH_DELEGATED)
      collect_glue(m, BD_DNS_ADDITIONAL, zone, out);
    return;
  }
  /* An NXDOMAIN that follows the question's own alias speaks of the
   * alias's target (RFC 6604 3): the name exists. */
  if (m->rcode == BD_DNS_RCODE_NXDOMAIN && !is_alias(m)) {
    out->kind = BD_AUTH_NXDOMAIN;
    return;
  }
  out->kind = BD_AUTH_EXISTS;
  out->has_records = answers_type(m, qtype);
  if (q == BD_AUTH_HOST) {
    collect_host(m, qname, out);
  } else if (q == BD_AUTH_SUFFIX) {
    /* A server of both the parent and the child answers from the child:
     * the suffix's own NS records, with AA, make it a zone of its own. */
    collect_ns(m, BD_DNS_ANSWER, out);
    if (out->nns > 0 && strcmp(out->zone, qname) == 0) {
      out->kind = BD_AUTH_ZONE;
      collect_glue(m, BD_DNS_ADDITIONAL, zone, out);
    } else {
      out->nns = 0;
      out->zone[0] = '\0';
    }
  }
}
