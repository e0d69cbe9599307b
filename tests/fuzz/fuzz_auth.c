/* Fuzzes the authoritative mode's rules: any bytes that parse as a DNS
 * message are judged as an answer to each kind of question, at the root
 * and in a TLD's zone. A judgement must be one of the kinds, name only
 * zones inside the zone asked and above the question, and carry only
 * well-formed server addresses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct bd_auth_judgement *j, const char *qname,
                  const char *zone) {
  if (j->kind > BD_AUTH_BAD || j->nns > BD_AUTH_MAX_NS)
    abort();
  if ((j->kind == BD_AUTH_STEP || j->kind == BD_AUTH_ZONE ||
       j->kind == BD_AUTH_DELEGATED) &&
      (!bd_auth_in_zone(j->zone, zone) || strcmp(j->zone, zone) == 0 ||
       !bd_auth_in_zone(qname, j->zone)))
    abort();
  for (size_t i = 0; i < j->nns; i++) {
    if (strlen(j->ns[i].name) > BD_NAME_MAX ||
        j->ns[i].naddrs > BD_AUTH_MAX_ADDRS)
      abort();
    for (size_t k = 0; k < j->ns[i].naddrs; k++)
      if (j->ns[i].addrs[k].port != 53 ||
          memchr(j->ns[i].addrs[k].text, '\0', BD_SERVER_TEXT) == NULL)
        abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const struct {
    enum bd_auth_question q;
    const char *qname;
    const char *registrable;
    const char *zone;
  } asks[] = {
      {BD_AUTH_NAME, "www.example.dev", "example.dev", "dev"},
      {BD_AUTH_NAME, "example.co.uk", "example.co.uk", "uk"},
      {BD_AUTH_SUFFIX, "dev", "", ""},
      {BD_AUTH_SUFFIX, "co.uk", "", "uk"},
      {BD_AUTH_HOST, "ns.nic.net", "", "net"},
  };
  struct bd_dnsmsg m;
  struct bd_auth_judgement *j;

  if (bd_dnsmsg_parse(&m, data, size) != 0)
    return 0;
  j = malloc(sizeof(*j));
  if (j == NULL)
    return 0;
  for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
    bd_auth_judge(&m, asks[i].q, asks[i].qname, BD_DNS_TYPE_A,
                  asks[i].registrable, asks[i].zone, j);
    check(j, asks[i].qname, asks[i].zone);
  }
  free(j);
  return 0;
}
