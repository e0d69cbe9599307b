/* Vetting of servers and checks of TLDs: which questions to ask, when, and
 * what to tell the user of the answers (the rules are trust.c's). */
#include "blogdom/checks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/msg.h"
#include "blogdom/random.h"

#define RANDOM_LABEL 24

struct bd_checks {
  struct bd_checks_config cfg;
  struct bd_checks_ops ops;
  struct bd_trust *trust;
  struct bd_random random;
  unsigned vet_pending;        /* vetting queries still out */
  unsigned upfront_pending;    /* TLDs known up front, still undecided */
  bool vetted;                 /* every vetting answer is in */
  char fatal[2 * BD_NAME_MAX]; /* why the run cannot go on, or "" */
};

int bd_checks_new(struct bd_checks **out, const struct bd_checks_config *cfg,
                  const struct bd_checks_ops *ops) {
  struct bd_checks *c;

  *out = NULL;
  if (!cfg->vet && !cfg->wildcard)
    return 0;
  c = calloc(1, sizeof(*c));
  if (c == NULL)
    return -ENOMEM;
  c->cfg = *cfg;
  c->ops = *ops;
  c->vetted = !cfg->vet;
  c->trust = bd_trust_new();
  if (c->trust == NULL) {
    free(c);
    return -ENOMEM;
  }
  *out = c;
  return 0;
}

void bd_checks_free(struct bd_checks *c) {
  if (c == NULL)
    return;
  bd_trust_free(c->trust);
  free(c);
}

static void random_name(struct bd_checks *c, char *out, const char *suffix) {
  unsigned char rnd[RANDOM_LABEL];
  bd_random_bytes(&c->random, rnd, sizeof(rnd));
  bd_trust_random_label(out, RANDOM_LABEL, rnd);
  if (suffix != NULL) {
    out[RANDOM_LABEL] = '.';
    strcpy(out + RANDOM_LABEL + 1, suffix);
  }
}

static void fail(struct bd_checks *c, const char *why) {
  if (c->fatal[0] == '\0')
    snprintf(c->fatal, sizeof(c->fatal), "%s", why);
  c->ops.stop(c->ops.data);
}

/* Every server is asked two questions whose answers are known: a name
 * that cannot exist and a TLD that must. All servers at once, so vetting
 * costs one round trip. */
static int start_vetting(struct bd_checks *c) {
  char name[2 * RANDOM_LABEL + 2];
  char tld[RANDOM_LABEL + 1];
  for (size_t i = 0; i < c->cfg.zone->count; i++) {
    random_name(c, tld, NULL);
    random_name(c, name, tld);
    if (c->ops.ask(c->ops.data, BD_PROBE_REWRITE, name, BD_DNS_TYPE_A, NULL,
                   i) != 0 ||
        c->ops.ask(c->ops.data, BD_PROBE_REFERENCE, "com", BD_DNS_TYPE_SOA,
                   NULL, i) != 0)
      return -ENOMEM;
    c->vet_pending += 2;
  }
  return 0;
}

/* On first sight of a TLD: its own name, and a random name under it. */
static void start_tld_checks(struct bd_checks *c, struct bd_tld *tld) {
  char name[RANDOM_LABEL + BD_NAME_MAX + 2];
  if (c->cfg.vet && c->ops.ask(c->ops.data, BD_PROBE_APEX, tld->name,
                               BD_DNS_TYPE_SOA, tld, BD_ZONE_NONE) == 0)
    tld->pending++;
  /* A random label must fit in front of the suffix. */
  if (c->cfg.wildcard && strlen(tld->name) + RANDOM_LABEL + 1 <= BD_NAME_MAX) {
    random_name(c, name, tld->name);
    if (c->ops.ask(c->ops.data, BD_PROBE_RANDOM, name, c->cfg.qtype, tld,
                   BD_ZONE_NONE) == 0)
      tld->pending++;
  }
  if (tld->pending == 0)
    tld->state = BD_TLD_FINE;
}

static void start_upfront(struct bd_tld *tld, void *data) {
  if (tld->upfront)
    start_tld_checks(data, tld);
}

void bd_checks_add_upfront(struct bd_checks *c, const char *name) {
  bool created;
  struct bd_tld *tld = bd_trust_tld(c->trust, name, &created);
  if (tld != NULL && created) {
    tld->upfront = true;
    c->upfront_pending++;
  }
}

int bd_checks_start(struct bd_checks *c) {
  if (c->cfg.vet)
    return start_vetting(c);
  bd_trust_each(c->trust, start_upfront, c);
  return 0;
}

bool bd_checks_ready(const struct bd_checks *c) {
  return c == NULL || (c->vetted && c->upfront_pending == 0);
}

struct bd_tld *bd_checks_tld(struct bd_checks *c, const char *name) {
  bool created;
  struct bd_tld *tld = bd_trust_tld(c->trust, name, &created);
  if (tld != NULL && created)
    start_tld_checks(c, tld);
  return tld;
}

struct bd_tld *bd_checks_suffix(struct bd_checks *c, const char *suffix) {
  bool created;
  struct bd_tld *tld = bd_trust_suffix(c->trust, suffix, &created);
  if (tld != NULL && created)
    start_tld_checks(c, tld);
  return tld;
}

static void park(struct bd_tld *tld, struct bd_probe *p) {
  struct bd_probe *tail = tld->parked_tail;
  p->next = NULL;
  if (tail != NULL)
    tail->next = p;
  else
    tld->parked_head = p;
  tld->parked_tail = p;
}

bool bd_checks_park(struct bd_checks *c, struct bd_probe *p) {
  (void)c;
  if (p->tld == NULL || p->tld->state != BD_TLD_CHECKING)
    return false;
  park(p->tld, p);
  return true;
}

void bd_checks_apply(const struct bd_probe *p, struct bd_verdict *v) {
  if (p->tld == NULL)
    return;
  switch (p->tld->state) {
  case BD_TLD_WILDCARD:
    bd_verdict_apply_wildcard(v);
    break;
  case BD_TLD_MISSING:
    bd_verdict_apply_missing_tld(v);
    break;
  case BD_TLD_DENIED:
    bd_verdict_apply_denied_tld(v);
    break;
  case BD_TLD_CHECKING:
  case BD_TLD_FINE:
    break;
  }
}

/* Hands the names parked on a decided TLD on to their lines. */
static void release_parked(struct bd_checks *c, struct bd_tld *tld) {
  struct bd_probe *p = tld->parked_head;
  tld->parked_head = tld->parked_tail = NULL;
  while (p != NULL) {
    struct bd_probe *next = p->next;
    c->ops.release(c->ops.data, p);
    p = next;
  }
}

static void decide_tld(struct bd_tld *tld, void *data) {
  struct bd_checks *c = data;
  char why[2 * BD_NAME_MAX];
  if (tld->state != BD_TLD_CHECKING || tld->pending > 0 || c->fatal[0])
    return;
  if (tld->upfront)
    c->upfront_pending--;
  if (!bd_trust_decide(tld)) {
    /* Known before the first name: nothing is printed yet, and nothing
     * would be worth printing. Met later: its names alone get '?'. */
    if (tld->upfront) {
      snprintf(why, sizeof(why),
               "the resolver answers NXDOMAIN for %s., a TLD that exists: "
               "its verdicts cannot be trusted (--trust-resolver to go on "
               "anyway)",
               tld->name);
      fail(c, why);
      return;
    }
    bd_warnf("the resolver answers NXDOMAIN for %s., a TLD that exists: "
             "names under .%s are '?' (reason resolver-denies-tld)",
             tld->name, tld->name);
  }
  if (tld->state == BD_TLD_WILDCARD)
    bd_warnf("every name under .%s seems to exist (a wildcard): its '+' "
             "lines are '?' (reason wildcard)",
             tld->name);
  if (tld->state == BD_TLD_MISSING)
    bd_warnf("the TLD .%s does not exist: its names are '?' (reason "
             "no-such-tld)",
             tld->name);
  release_parked(c, tld);
}

/* Every vetting answer is in: servers that failed are dropped, each with a
 * line that says what it did. With none left the run ends before its
 * first line; each server's line is an error then, the last one saying
 * so. */
static void finish_vetting(struct bd_checks *c) {
  struct bd_zone *z = c->cfg.zone;
  size_t last_bad = BD_ZONE_NONE;
  char buf[64];

  c->vetted = true;
  for (size_t i = 0; i < z->count; i++) {
    struct bd_peer *zs = z->servers[i];
    zs->vet =
        bd_trust_vet(&zs->vet_rewrite, &zs->vet_reference, &zs->vet_rcode);
    if (zs->vet != BD_VET_OK) {
      bd_zone_sideline(z, i);
      last_bad = i;
    }
  }
  for (size_t i = 0; last_bad != BD_ZONE_NONE && i < z->count; i++) {
    const struct bd_peer *zs = z->servers[i];
    const char *what =
        bd_vet_describe(zs->vet, zs->vet_rcode, buf, sizeof(buf));
    if (zs->vet == BD_VET_OK)
      continue;
    if (z->in_use > 0)
      bd_warnf("server %s %s: dropped", zs->addr.text, what);
    else if (i != last_bad)
      bd_errorf("server %s %s", zs->addr.text, what);
    else
      snprintf(c->fatal, sizeof(c->fatal),
               "server %s %s: no usable DNS server left", zs->addr.text, what);
  }
  if (z->in_use == 0) {
    c->ops.stop(c->ops.data);
    return;
  }
  bd_trust_each(c->trust, start_upfront, c);
}

void bd_checks_answer(struct bd_checks *c, const struct bd_probe *p,
                      const struct bd_verdict *v) {
  struct bd_tld *tld = p->tld;

  switch (p->kind) {
  case BD_PROBE_REWRITE:
    c->cfg.zone->servers[p->server]->vet_rewrite = *v;
    c->vet_pending--;
    break;
  case BD_PROBE_REFERENCE:
    c->cfg.zone->servers[p->server]->vet_reference = *v;
    c->vet_pending--;
    break;
  case BD_PROBE_APEX:
    tld->pending--;
    tld->apex_missing = v->status == BD_NOTFOUND;
    break;
  case BD_PROBE_RANDOM:
    tld->pending--;
    tld->random_found = v->status == BD_FOUND;
    break;
  case BD_PROBE_NAME:
  case BD_PROBE_SUFFIX:
  case BD_PROBE_HOST:
  case BD_PROBE_ASK:
    return;
  }
  if (!c->vetted) {
    if (c->vet_pending == 0)
      finish_vetting(c);
    return;
  }
  bd_trust_each(c->trust, decide_tld, c);
}

const char *bd_checks_fatal(const struct bd_checks *c) {
  return c != NULL && c->fatal[0] != '\0' ? c->fatal : NULL;
}

struct drop {
  void (*fn)(void *data, struct bd_probe *p);
  void *data;
};

static void drop_tld(struct bd_tld *tld, void *data) {
  struct drop *d = data;
  struct bd_probe *p = tld->parked_head;
  tld->parked_head = tld->parked_tail = NULL;
  while (p != NULL) {
    struct bd_probe *next = p->next;
    d->fn(d->data, p);
    p = next;
  }
}

void bd_checks_drop_parked(struct bd_checks *c,
                           void (*fn)(void *data, struct bd_probe *p),
                           void *data) {
  struct drop d = {fn, data};
  if (c != NULL)
    bd_trust_each(c->trust, drop_tld, &d);
}
