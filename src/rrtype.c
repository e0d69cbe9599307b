/* Record type mnemonics, both ways. */
#include "blogdom/rrtype.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
  const char *name;
  uint16_t type;
} types[] = {{"A", 1},     {"NS", 2},     {"CNAME", 5}, {"SOA", 6},
             {"PTR", 12},  {"MX", 15},    {"TXT", 16},  {"AAAA", 28},
             {"SRV", 33},  {"NAPTR", 35}, {"DS", 43},   {"DNSKEY", 48},
             {"SVCB", 64}, {"HTTPS", 65}, {"ANY", 255}, {"CAA", 257}};

static int parse_number(const char *s, uint16_t *out) {
  char *end;
  unsigned long v;
  if (*s < '0' || *s > '9')
    return -1;
  v = strtoul(s, &end, 10);
  if (*end != '\0' || v == 0 || v > 65535)
    return -1;
  *out = (uint16_t)v;
  return 0;
}

int bd_rrtype_parse(const char *text, uint16_t *out) {
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
    if (strcasecmp(text, types[i].name) == 0) {
      *out = types[i].type;
      return 0;
    }
  }
  if (strncasecmp(text, "TYPE", 4) == 0)
    return parse_number(text + 4, out);
  return parse_number(text, out);
}

const char *bd_rrtype_name(uint16_t type, char *buf, unsigned cap) {
  for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
    if (types[i].type == type)
      return types[i].name;
  snprintf(buf, cap, "TYPE%u", type);
  return buf;
}

const char *bd_rrtype_mnemonic(size_t i) {
  return i < sizeof(types) / sizeof(types[0]) ? types[i].name : NULL;
}
