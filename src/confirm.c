/* The --confirm stage: a name DNS calls free is not free until its
 * registry agrees, so its line waits for the RDAP answer; what the
 * registry says of a name it has (status values, dates) goes on the
 * line. Registries hold registrable domains, not the names under them:
 * "www.hold.dev" is asked about as "hold.dev", once for all the names
 * that share it. Where the TLD has no RDAP service, its WHOIS server is
 * asked instead (on_rdap's one hook, whois.c). */
#include "blogdom/confirm.h"

#include <errno.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/engine.h"
#include "blogdom/facts.h"
#include "blogdom/msg.h"
#include "blogdom/names.h"
#include "blogdom/rdap.h"
#include "blogdom/rdapdomain.h"
#include "blogdom/whois.h"

/* Answers kept after they came, for the names that share a registrable
 * domain but come later in the input: the most recent ones, at most. */
#define ANSWERS_KEPT 4096

/* One registrable domain asked of its registry: in flight, with the names
 * waiting for it, or answered. */
struct bd_confirm_ask {
  char *domain;
  bool answered;
  enum bd_confirm confirm;
  int http_status;
  bool by_whois; /* the answer came over WHOIS */
  unsigned holds;
  /* What the domain object said, kept for the lines that show it; or
   * NULL. */
  struct bd_rdapdomain *object;
  /* The names waiting for it, in the order they came, linked by next
   * (theirs to use while in the stage). */
  struct bd_probe *waiting;
  struct bd_probe **last;
  struct bd_confirm_ask *newer; /* answered ones, oldest first */
  struct bd_confirm_stage *stage;
};

static int compare_asks(const void *a, const void *b) {
  return strcmp(((const struct bd_confirm_ask *)a)->domain,
                ((const struct bd_confirm_ask *)b)->domain);
}

static bool wants(void *impl, const struct bd_verdict *v) {
  (void)impl;
  return v->status == BD_NOTFOUND;
}

static enum bd_confirm confirm_of(const struct bd_rdap_result *r) {
  static const enum bd_confirm failed[] = {
      [BD_RDAP_FAILURE_STATUS] = BD_CONFIRM_FAILED,
      [BD_RDAP_FAILURE_TIMEOUT] = BD_CONFIRM_TIMEOUT,
      [BD_RDAP_FAILURE_UNREACHABLE] = BD_CONFIRM_UNREACHABLE,
      [BD_RDAP_FAILURE_TLS] = BD_CONFIRM_TLS};
  switch (r->outcome) {
  case BD_RDAP_REGISTERED:
    return BD_CONFIRM_REGISTERED;
  case BD_RDAP_AVAILABLE:
    return BD_CONFIRM_AVAILABLE;
  case BD_RDAP_NO_SERVER:
    return BD_CONFIRM_NO_SERVER;
  case BD_RDAP_BAD_RESPONSE:
    return BD_CONFIRM_BAD_RESPONSE;
  case BD_RDAP_FAILED:
    return failed[r->failure];
  default:
    return BD_CONFIRM_FAILED;
  }
}

/* ---- the asks ---------------------------------------------------------- */

static struct bd_confirm_ask *find_ask(struct bd_confirm_stage *c,
                                       const char *domain) {
  char name[BD_NAME_MAX + 1];
  struct bd_confirm_ask key = {.domain = name};
  struct bd_confirm_ask **found;

  snprintf(name, sizeof(name), "%s", domain);
  found = tfind(&key, &c->asks, compare_asks);
  return found != NULL ? *found : NULL;
}

static void free_ask(struct bd_confirm_ask *a) {
  free(a->domain);
  free(a->object);
  free(a);
}

static void forget(struct bd_confirm_stage *c, struct bd_confirm_ask *a) {
  tdelete(a, &c->asks, compare_asks);
  free_ask(a);
}

static struct bd_confirm_ask *new_ask(struct bd_confirm_stage *c,
                                      const char *domain) {
  struct bd_confirm_ask *a = calloc(1, sizeof(*a));
  if (a == NULL || (a->domain = strdup(domain)) == NULL) {
    free(a);
    return NULL;
  }
  a->stage = c;
  a->last = &a->waiting;
  if (tsearch(a, &c->asks, compare_asks) == NULL) {
    free_ask(a);
    return NULL;
  }
  return a;
}

/* Keeps an answered ask for the names to come, the oldest answer going
 * when too many are kept. */
static void keep_answer(struct bd_confirm_stage *c, struct bd_confirm_ask *a) {
  if (c->newest != NULL)
    c->newest->newer = a;
  else
    c->oldest = a;
  c->newest = a;
  if (++c->nanswers <= ANSWERS_KEPT)
    return;
  a = c->oldest;
  c->oldest = a->newer;
  c->nanswers--;
  forget(c, a);
}

/* ---- what could not be confirmed --------------------------------------- */

/* Counts a name among those the registry did not answer for, by why;
 * those of a TLD without RDAP by TLD (a run's input comes TLD by TLD, so
 * the last one found is tried first). */
static void tally(struct bd_confirm_stage *c, const struct bd_confirm_ask *a) {
  const char *dot = strrchr(a->domain, '.');
  const char *tld = dot != NULL ? dot : a->domain;
  struct bd_confirm_unserved *u = NULL;

  if (a->confirm != BD_CONFIRM_NO_SERVER) {
    if (a->confirm != BD_CONFIRM_REGISTERED &&
        a->confirm != BD_CONFIRM_AVAILABLE)
      c->unconfirmed[a->confirm]++;
    return;
  }
  if (c->nunserved > 0 && strcmp(c->unserved[c->last_unserved].tld, tld) == 0)
    u = &c->unserved[c->last_unserved];
  for (size_t i = 0; u == NULL && i < c->nunserved; i++)
    if (strcmp(c->unserved[i].tld, tld) == 0)
      u = &c->unserved[i];
  if (u == NULL) {
    struct bd_confirm_unserved *more =
        realloc(c->unserved, (c->nunserved + 1) * sizeof(*more));
    if (more == NULL)
      return;
    c->unserved = more;
    u = &more[c->nunserved++];
    snprintf(u->tld, sizeof(u->tld), "%s", tld);
    u->names = 0;
  }
  u->names++;
  c->last_unserved = (size_t)(u - c->unserved);
}

/* Appends to buf (cap bytes, *len used) what fmt makes of the rest. */
static void add_text(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void add_text(char *buf, size_t cap, size_t *len, const char *fmt, ...) {
  va_list ap;
  int n;
  if (*len >= cap)
    return;
  va_start(ap, fmt);
  n = vsnprintf(buf + *len, cap - *len, fmt, ap);
  va_end(ap);
  if (n > 0)
    *len = *len + (size_t)n < cap ? *len + (size_t)n : cap;
}

/* Says once, at the end, how many names the registry did not answer for
 * and why, grouped: a free line that could not be confirmed is otherwise
 * silent in text mode. */
static void say_unconfirmed(struct bd_confirm_stage *c) {
  static const struct {
    enum bd_confirm confirm;
    const char *why;
  } kinds[] = {{BD_CONFIRM_FAILED, "an error status"},
               {BD_CONFIRM_TIMEOUT, "no answer in time"},
               {BD_CONFIRM_UNREACHABLE, "server unreachable"},
               {BD_CONFIRM_TLS, "TLS failure"},
               {BD_CONFIRM_BAD_RESPONSE, "an answer that is no domain"},
               {BD_CONFIRM_WHOIS_LIMITED, "WHOIS rate limit"},
               {BD_CONFIRM_WHOIS_UNRECOGNIZED, "WHOIS reply not understood"},
               {BD_CONFIRM_WHOIS_UNREACHABLE, "WHOIS server unreachable"}};
  char text[1024];
  size_t len = 0;
  uint64_t total = 0;

  text[0] = '\0';
  for (size_t i = 0; i < c->nunserved; i++) {
    total += c->unserved[i].names;
    if (i < 4)
      add_text(text, sizeof(text), &len, "%sno registry service for %s (%llu)",
               i > 0 ? ", " : "", c->unserved[i].tld,
               (unsigned long long)c->unserved[i].names);
  }
  if (c->nunserved > 4)
    add_text(text, sizeof(text), &len, " and %zu more TLDs", c->nunserved - 4);
  for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    uint64_t n = c->unconfirmed[kinds[i].confirm];
    if (n == 0)
      continue;
    add_text(text, sizeof(text), &len, "%s%s (%llu)", total > 0 ? ", " : "",
             kinds[i].why, (unsigned long long)n);
    total += n;
  }
  if (total > 0)
    bd_warnf("%llu names not confirmed by their registry: %s",
             (unsigned long long)total, text);
  free(c->unserved);
  c->unserved = NULL;
  c->nunserved = 0;
}

/* ---- the names ------------------------------------------------------- */

/* The registry's word on a's domain, on p's line. Out of memory, the line
 * goes without the domain's members: the verdict stands. */
static void apply(struct bd_confirm_stage *c, const struct bd_confirm_ask *a,
                  struct bd_probe *p) {
  tally(c, a);
  if (a->by_whois)
    bd_verdict_apply_whois(p->verdict, a->confirm);
  else
    bd_verdict_apply_confirm(p->verdict, a->confirm, a->http_status);
  if (a->confirm == BD_CONFIRM_REGISTERED) {
    bd_verdict_apply_registry_status(p->verdict, a->holds);
    if (a->object != NULL && bd_facts_at(&p->facts) != NULL)
      (void)bd_facts_set_registry(p->facts, a->object);
  }
}

/* The names waiting for a get the registry's word (a->confirm), or, when
 * cancelled, go on without it. */
static void release(struct bd_confirm_ask *a, bool cancelled) {
  struct bd_confirm_stage *c = a->stage;
  struct bd_probe *p = a->waiting;

  a->waiting = NULL;
  a->last = &a->waiting;
  if (cancelled) {
    forget(c, a);
  } else {
    a->answered = true;
    for (struct bd_probe *q = p; q != NULL; q = q->next)
      apply(c, a, q);
    keep_answer(c, a);
  }
  /* a is not touched from here: a name let go may end the run, and the
   * stage's close frees the answers kept. */
  while (p != NULL) {
    struct bd_probe *next = p->next;
    p->next = NULL;
    bd_engine_stage_done(p, cancelled);
    p = next;
  }
}

/* ---- WHOIS where there is no RDAP ------------------------------------ */

static void on_whois(void *arg, const struct bd_whois_result *r) {
  static const enum bd_confirm confirms[] = {
      [BD_WHOIS_FREE] = BD_CONFIRM_AVAILABLE,
      [BD_WHOIS_REGISTERED] = BD_CONFIRM_REGISTERED,
      [BD_WHOIS_LIMITED] = BD_CONFIRM_WHOIS_LIMITED,
      [BD_WHOIS_UNRECOGNIZED] = BD_CONFIRM_WHOIS_UNRECOGNIZED,
      [BD_WHOIS_UNREACHABLE] = BD_CONFIRM_WHOIS_UNREACHABLE,
      [BD_WHOIS_CANCELLED] = BD_CONFIRM_NONE};
  struct bd_confirm_ask *a = arg;

  a->by_whois = true;
  a->confirm = confirms[r->outcome];
  release(a, r->outcome == BD_WHOIS_CANCELLED);
}

/* The hook: a TLD with no RDAP service is asked over WHOIS when a server
 * is known for it. False when none is: the name stays unconfirmed. */
static bool ask_whois(struct bd_confirm_ask *a) {
  struct bd_whois *w = a->stage->whois;
  return w != NULL && bd_whois_lookup(w, a->domain, on_whois, a) == 0;
}

static void on_rdap(void *arg, const struct bd_rdap_result *r) {
  struct bd_confirm_ask *a = arg;
  struct bd_confirm_stage *c = a->stage;
  bool cancelled = r->outcome == BD_RDAP_CANCELLED;

  if (r->outcome == BD_RDAP_NO_SERVER && ask_whois(a))
    return;
  if (!cancelled) {
    a->confirm = confirm_of(r);
    a->http_status = r->http_status;
    if (r->outcome == BD_RDAP_REGISTERED && r->domain != NULL) {
      a->holds = r->domain->holds;
      if (c->keep_facts && (a->object = malloc(sizeof(*a->object))) != NULL)
        *a->object = *r->domain;
    }
  }
  release(a, cancelled);
}

/* The domain the registry holds for p's name, kept for its line where it
 * is not the name itself. */
static const char *registrable_of(const struct bd_confirm_stage *c,
                                  struct bd_probe *p) {
  const char *domain = bd_name_registrable(p->name);
  if (domain == NULL)
    return p->name; /* a public suffix itself: asked as it is */
  if (domain != p->name && c->keep_facts && bd_facts_at(&p->facts) != NULL)
    (void)bd_facts_set_registrable(p->facts, domain);
  return domain;
}

static int start(void *impl, struct bd_probe *p) {
  struct bd_confirm_stage *c = impl;
  const char *domain = registrable_of(c, p);
  struct bd_confirm_ask *a = find_ask(c, domain);

  if (a != NULL && a->answered) {
    apply(c, a, p);
    bd_engine_stage_done(p, false);
    return 0;
  }
  if (a == NULL) {
    a = new_ask(c, domain);
    if (a == NULL)
      return -1;
    if (bd_rdap_lookup(c->rdap, domain, on_rdap, a) != 0) {
      forget(c, a);
      return -1;
    }
  }
  p->next = NULL;
  *a->last = p;
  a->last = &p->next;
  return 0;
}

static void close_stage(void *impl) {
  struct bd_confirm_stage *c = impl;
  bd_rdap_close(c->rdap);   /* cancels what is still asked */
  bd_whois_close(c->whois); /* after: RDAP's last answers may ask it */
  say_unconfirmed(c);
  while (c->oldest != NULL) {
    struct bd_confirm_ask *a = c->oldest;
    c->oldest = a->newer;
    forget(c, a);
  }
  c->newest = NULL;
  c->nanswers = 0;
}

void bd_confirm_stage_init(struct bd_stage *stage, struct bd_confirm_stage *c,
                           unsigned budget) {
  *stage = (struct bd_stage){.name = "confirm",
                             .budget = budget,
                             .impl = c,
                             .wants = wants,
                             .start = start,
                             .close = close_stage};
}
