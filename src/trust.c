/* Resolver and TLD checks: what the answers for names that must exist (a
 * TLD's own name) and names that cannot (random labels) tell of the
 * resolver and of the TLD. */
#include "blogdom/trust.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 256

struct bd_trust {
  struct bd_tld *buckets[BUCKETS];
};

/* TLDs of the root zone that exist (IANA's list holds some 1,450; these
 * are the ones names are most often probed under). A TLD not listed here
 * is judged by the resolver's own answers. */
static const char *const known[] = {
    "ac",   "ad",      "ae",     "ag",   "ai",    "app",   "ar",   "art",
    "at",   "au",      "be",     "bg",   "biz",   "blog",  "br",   "by",
    "ca",   "cc",      "ch",     "cl",   "cloud", "cn",    "co",   "com",
    "cz",   "de",      "design", "dev",  "dk",    "ee",    "es",   "eu",
    "fi",   "fm",      "fr",     "gg",   "gr",    "hk",    "hu",   "id",
    "ie",   "il",      "in",     "info", "io",    "ir",    "is",   "it",
    "jp",   "kr",      "la",     "li",   "live",  "lt",    "lu",   "lv",
    "ly",   "me",      "mx",     "my",   "net",   "new",   "nl",   "no",
    "nu",   "nz",      "online", "org",  "page",  "ph",    "pk",   "pl",
    "pro",  "pt",      "ro",     "rs",   "ru",    "se",    "sg",   "sh",
    "shop", "si",      "site",   "sk",   "so",    "store", "tech", "th",
    "to",   "tr",      "tv",     "tw",   "ua",    "uk",    "us",   "vc",
    "vn",   "website", "ws",     "xyz",  "za"};

static size_t hash(const char *s) {
  uint32_t h = 2166136261u;
  while (*s)
    h = (h ^ (unsigned char)*s++) * 16777619u;
  return h % BUCKETS;
}

struct bd_trust *bd_trust_new(void) {
  return calloc(1, sizeof(struct bd_trust));
}

void bd_trust_free(struct bd_trust *t) {
  if (t == NULL)
    return;
  for (size_t i = 0; i < BUCKETS; i++) {
    struct bd_tld *e = t->buckets[i];
    while (e != NULL) {
      struct bd_tld *next = e->next;
      free(e);
      e = next;
    }
  }
  free(t);
}

struct bd_tld *bd_trust_suffix(struct bd_trust *t, const char *suffix,
                               bool *created) {
  size_t b = hash(suffix);
  struct bd_tld *e;

  *created = false;
  for (e = t->buckets[b]; e != NULL; e = e->next)
    if (strcmp(e->name, suffix) == 0)
      return e;
  if (strlen(suffix) > BD_NAME_MAX)
    return NULL;
  e = calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL;
  strcpy(e->name, suffix);
  e->state = BD_TLD_CHECKING;
  e->next = t->buckets[b];
  t->buckets[b] = e;
  *created = true;
  return e;
}

struct bd_tld *bd_trust_tld(struct bd_trust *t, const char *name,
                            bool *created) {
  const char *dot = strrchr(name, '.');
  return bd_trust_suffix(t, dot != NULL ? dot + 1 : name, created);
}

void bd_trust_each(struct bd_trust *t, void (*fn)(struct bd_tld *, void *),
                   void *data) {
  for (size_t i = 0; i < BUCKETS; i++)
    for (struct bd_tld *e = t->buckets[i]; e != NULL; e = e->next)
      fn(e, data);
}

bool bd_tld_is_known(const char *tld) {
  size_t lo = 0;
  size_t hi = sizeof(known) / sizeof(known[0]);
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(tld, known[mid]);
    if (c == 0)
      return true;
    if (c < 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return false;
}

bool bd_trust_decide(struct bd_tld *tld) {
  if (tld->apex_missing) {
    if (bd_tld_is_known(tld->name)) {
      tld->state = BD_TLD_DENIED;
      return false;
    }
    tld->state = BD_TLD_MISSING;
  } else if (tld->random_found) {
    tld->state = BD_TLD_WILDCARD;
  } else {
    tld->state = BD_TLD_FINE;
  }
  return true;
}

/* What an answer that is neither "exists" nor "does not exist" says of
 * the server. */
static enum bd_vet vet_failure(const struct bd_verdict *v) {
  switch (v->reason) {
  case BD_REASON_UNREACHABLE:
    return BD_VET_CONN_REFUSED;
  case BD_REASON_TIMEOUT:
    return BD_VET_SILENT;
  case BD_REASON_REFERRAL:
    return BD_VET_REFERRAL;
  case BD_REASON_REFUSED:
    return BD_VET_REFUSED;
  case BD_REASON_SERVFAIL:
    return BD_VET_SERVFAIL;
  case BD_REASON_FORMERR:
  case BD_REASON_NOTIMP:
  case BD_REASON_RCODE:
    return BD_VET_RCODE;
  case BD_REASON_BAD_RESPONSE:
    return BD_VET_BAD_RESPONSE;
  default:
    return BD_VET_FAILED;
  }
}

enum bd_vet bd_trust_vet(const struct bd_verdict *rewrite,
                         const struct bd_verdict *reference, int *rcode) {
  enum bd_vet a = BD_VET_OK;
  enum bd_vet b = BD_VET_OK;

  if (rewrite->status == BD_FOUND)
    a = BD_VET_REWRITES;
  else if (rewrite->status == BD_ERROR)
    a = vet_failure(rewrite);
  if (reference->status == BD_NOTFOUND)
    b = BD_VET_DENIES_COM;
  else if (reference->status == BD_ERROR)
    b = vet_failure(reference);
  /* The enum runs from the most telling failure to the least. */
  if (a == BD_VET_OK || (b != BD_VET_OK && b < a)) {
    *rcode = reference->rcode;
    return b;
  }
  *rcode = rewrite->rcode;
  return a;
}

const char *bd_vet_describe(enum bd_vet vet, int rcode, char *buf, size_t cap) {
  const char *name;
  switch (vet) {
  case BD_VET_OK:
    return "answers as a resolver should";
  case BD_VET_CONN_REFUSED:
    return "refuses connections (nothing listens there)";
  case BD_VET_SILENT:
    return "does not answer";
  case BD_VET_REFERRAL:
    return "answers with a referral (it is not a recursive resolver)";
  case BD_VET_REWRITES:
    return "rewrites NXDOMAIN (it answers for names that cannot exist; "
           "--trust-resolver to use it anyway)";
  case BD_VET_DENIES_COM:
    return "answers NXDOMAIN for com., a TLD that exists (--trust-resolver "
           "to use it anyway)";
  case BD_VET_REFUSED:
    return "refuses queries (REFUSED)";
  case BD_VET_SERVFAIL:
    return "fails queries (SERVFAIL)";
  case BD_VET_RCODE:
    name = bd_rcode_name(rcode);
    if (name != NULL)
      snprintf(buf, cap, "answers %s", name);
    else
      snprintf(buf, cap, "answers rcode %d", rcode);
    return buf;
  case BD_VET_BAD_RESPONSE:
    return "sends answers that do not parse";
  case BD_VET_FAILED:
    return "cannot be asked from this host";
  }
  return "cannot be used";
}

bool bd_vet_is_content(enum bd_vet vet) {
  return vet == BD_VET_REWRITES || vet == BD_VET_DENIES_COM;
}

void bd_trust_random_label(char *out, size_t len, const unsigned char *rnd) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t i = 0; i < len; i++)
    out[i] = alphabet[rnd[i] % 36];
  out[len] = '\0';
}
