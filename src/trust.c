/* Resolver and TLD checks: what the answers for names that must exist (a
 * TLD's own name) and names that cannot (random labels) tell of the
 * resolver and of the TLD. */
#include "blogdom/trust.h"

#include <stdint.h>
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

struct bd_tld *bd_trust_tld(struct bd_trust *t, const char *name,
                            bool *created) {
  const char *dot = strrchr(name, '.');
  const char *tld = dot != NULL ? dot + 1 : name;
  size_t b = hash(tld);
  struct bd_tld *e;

  *created = false;
  for (e = t->buckets[b]; e != NULL; e = e->next)
    if (strcmp(e->name, tld) == 0)
      return e;
  if (strlen(tld) > BD_LABEL_MAX)
    return NULL;
  e = calloc(1, sizeof(*e));
  if (e == NULL)
    return NULL;
  strcpy(e->name, tld);
  e->state = BD_TLD_CHECKING;
  e->next = t->buckets[b];
  t->buckets[b] = e;
  *created = true;
  return e;
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
    if (bd_tld_is_known(tld->name))
      return false;
    tld->state = BD_TLD_MISSING;
  } else if (tld->random_found) {
    tld->state = BD_TLD_WILDCARD;
  } else {
    tld->state = BD_TLD_FINE;
  }
  return true;
}

bool bd_trust_is_rewrite(const struct bd_verdict *random_answer) {
  return random_answer->status == BD_FOUND;
}

void bd_trust_random_label(char *out, size_t len, const unsigned char *rnd) {
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (size_t i = 0; i < len; i++)
    out[i] = alphabet[rnd[i] % 36];
  out[len] = '\0';
}
