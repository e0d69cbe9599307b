/* The authoritative mode's map: zones found by following referrals from the
 * root, the zone that holds each public suffix's names, and the lookups of
 * name servers that came without glue. Every question is a probe the
 * engine sends; the map decides where it goes and what its answer means
 * (the rules are auth.c's). */
#include "blogdom/iterate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "blogdom/auth.h"
#include "blogdom/common.h"
#include "blogdom/dnsmsg.h"
#include "blogdom/msg.h"
#include "blogdom/names.h"

#define BUCKETS 256
/* A zone's name server names looked up at most, when none came with glue:
 * a few answering servers are enough to ask a zone. */
#define MAX_HOST_LOOKUPS 4

/* A zone of the map, and what waits for it. */
struct entry {
  struct entry *next; /* hash chain */
  struct bd_zone *zone;
  /* A delegated name's own zone, found for a stage's question about the
   * name: one name's, usually, so it goes once no probe uses it. */
  bool transient;
  bool doomed;                   /* on the list of zones to sweep */
  struct entry *dead;            /* that list */
  bool said_empty;               /* "no server of the zone answered" was said */
  unsigned lookups;              /* name server lookups still out */
  struct bd_probe_queue waiting; /* probes waiting for a first server */
  enum bd_reason failure;        /* why it has no server, when it has none */
};

enum suffix_state { SUFFIX_FINDING, SUFFIX_FOUND, SUFFIX_FAILED };

/* A public suffix met in the input, and the zone that holds its names. */
struct suffix {
  struct suffix *next; /* hash chain */
  enum suffix_state state;
  struct entry *holder;
  enum bd_reason failure;        /* SUFFIX_FAILED: why */
  struct bd_zone *said;          /* SUFFIX_FAILED: the zone that said so */
  size_t said_by;                /* and its server */
  struct bd_probe_queue waiting; /* names waiting for the holder */
  char name[BD_NAME_MAX + 1];
};

struct bd_iterate {
  struct bd_iterate_config cfg;
  struct bd_iterate_ops ops;
  struct entry *zones[BUCKETS];
  struct suffix *suffixes[BUCKETS];
  struct entry *root;
  struct entry *doomed; /* transient zones no probe used, last seen */
  char fatal[160];      /* "": the map can judge */
};

static size_t hash(const char *s) {
  uint32_t h = 2166136261u;
  while (*s)
    h = (h ^ (unsigned char)*s++) * 16777619u;
  return h % BUCKETS;
}

/* ---- zones ----------------------------------------------------------- */

const char *bd_iterate_zone_name(const struct bd_zone *z) {
  return z->name[0] != '\0' ? z->name : ".";
}

static struct entry *find_zone(struct bd_iterate *it, const char *name) {
  for (struct entry *e = it->zones[hash(name)]; e != NULL; e = e->next)
    if (strcmp(e->zone->name, name) == 0)
      return e;
  return NULL;
}

static struct entry *add_zone(struct bd_iterate *it, const char *name,
                              bool transient) {
  struct entry *e = calloc(1, sizeof(*e));
  size_t b = hash(name);

  if (e == NULL)
    return NULL;
  if (bd_zone_new(&e->zone, name, &it->cfg.zone) != 0) {
    free(e);
    return NULL;
  }
  e->failure = BD_REASON_LAME;
  e->transient = transient;
  e->next = it->zones[b];
  it->zones[b] = e;
  return e;
}

/* p is asked of zone z from now on (NULL: of none). A transient zone
 * that no probe uses any more is swept at the next bd_iterate_sweep, from
 * the top of an event: the engine may hold it while it sends. */
static void use_zone(struct bd_iterate *it, struct bd_probe *p,
                     struct bd_zone *z) {
  struct bd_zone *old = p->zone;
  struct entry *e;

  if (old == z)
    return;
  if (z != NULL)
    z->users++;
  p->zone = z;
  if (old == NULL || --old->users > 0)
    return;
  e = find_zone(it, old->name);
  if (e != NULL && e->transient && !e->doomed) {
    e->doomed = true;
    e->dead = it->doomed;
    it->doomed = e;
  }
}

void bd_iterate_forget(struct bd_iterate *it, struct bd_probe *p) {
  if (it != NULL)
    use_zone(it, p, NULL);
}

static void unlink_zone(struct bd_iterate *it, struct entry *e) {
  struct entry **at = &it->zones[hash(e->zone->name)];
  while (*at != e)
    at = &(*at)->next;
  *at = e->next;
  bd_zone_free(e->zone);
  free(e);
}

void bd_iterate_sweep(struct bd_iterate *it) {
  struct entry *e;
  if (it == NULL)
    return;
  while ((e = it->doomed) != NULL) {
    it->doomed = e->dead;
    e->doomed = false;
    /* Used again since, or still looking up its servers' addresses. */
    if (e->zone->users == 0 && e->lookups == 0 && e->waiting.head == NULL)
      unlink_zone(it, e);
  }
}

/* The deepest zone of the map that name is in: where to start asking. */
static struct entry *closest_zone(struct bd_iterate *it, const char *name) {
  const char *p = name;
  for (;;) {
    struct entry *e = find_zone(it, p);
    if (e != NULL)
      return e;
    p = strchr(p, '.');
    if (p == NULL)
      return it->root;
    p++;
  }
}

/* IPv6 addresses only with IPv6 connectivity, or on this host. */
static bool usable(const struct bd_iterate *it, const struct bd_server *s) {
  static const unsigned char loopback[16] = {[15] = 1};
  return s->family == AF_INET || it->cfg.ipv6 ||
         memcmp(s->addr.v6, loopback, 16) == 0;
}

/* Adds a server to a zone, unless it has it already. */
static void add_server(struct entry *e, const struct bd_server *s) {
  struct bd_zone *z = e->zone;
  if (bd_zone_add_server(z, s) < 0)
    bd_warnf("cannot use server %s for zone %s", s->text,
             bd_iterate_zone_name(z));
}

static void send_to(struct bd_iterate *it, struct bd_probe *p, struct entry *e);

/* The zone has a server again, or never will: what waited for it goes. */
static void release_waiting(struct bd_iterate *it, struct entry *e) {
  struct bd_probe_queue q = e->waiting;
  struct bd_probe *p;
  e->waiting.head = e->waiting.tail = NULL;
  while ((p = bd_probe_queue_pop(&q)) != NULL)
    send_to(it, p, e);
}

static void start_host_lookup(struct bd_iterate *it, struct entry *target,
                              const char *host);

/* Fills a zone from a referral: the glue's addresses, and lookups for the
 * name servers that came without any. */
static void fill_zone(struct bd_iterate *it, struct entry *e,
                      const struct bd_auth_judgement *j) {
  size_t lookups = 0;
  for (size_t i = 0; i < j->nns; i++)
    for (size_t k = 0; k < j->ns[i].naddrs; k++)
      if (usable(it, &j->ns[i].addrs[k]))
        add_server(e, &j->ns[i].addrs[k]);
  if (e->zone->in_use > 0) {
    release_waiting(it, e);
    return;
  }
  for (size_t i = 0; i < j->nns && lookups < MAX_HOST_LOOKUPS; i++) {
    /* A name server inside its own zone without glue cannot be found. */
    if (bd_auth_in_zone(j->ns[i].name, e->zone->name))
      continue;
    start_host_lookup(it, e, j->ns[i].name);
    lookups++;
  }
  if (e->lookups == 0)
    release_waiting(it, e); /* nothing will come: they fail */
}

/* A referral names a zone: the map's entry for it, made and filled on
 * first sight. */
static struct entry *zone_from(struct bd_iterate *it,
                               const struct bd_auth_judgement *j,
                               bool transient) {
  struct entry *e = find_zone(it, j->zone);
  if (e != NULL)
    return e;
  e = add_zone(it, j->zone, transient);
  if (e != NULL)
    fill_zone(it, e, j);
  return e;
}

/* ---- sending --------------------------------------------------------- */

static void fail_probe(struct bd_iterate *it, struct bd_probe *p,
                       enum bd_reason reason);

/* Sends p to a zone: now if the zone has a server in use, later if one
 * may still come, else p fails with the zone's reason. */
static void send_to(struct bd_iterate *it, struct bd_probe *p,
                    struct entry *e) {
  use_zone(it, p, e->zone);
  p->server = BD_ZONE_NONE;
  if (e->zone->in_use > 0) {
    it->ops.send(it->ops.data, p);
    return;
  }
  /* A lookup never waits for another lookup: two zones whose servers are
   * named only in each other would wait for ever. */
  if (e->lookups > 0 && p->kind != BD_PROBE_HOST) {
    if (p->state != BD_PROBE_PARKED)
      it->ops.park(it->ops.data, p);
    bd_probe_queue_push(&e->waiting, p);
    return;
  }
  fail_probe(it, p, e->failure);
}

/* ---- suffixes -------------------------------------------------------- */

static struct suffix *find_suffix(struct bd_iterate *it, const char *name) {
  for (struct suffix *s = it->suffixes[hash(name)]; s != NULL; s = s->next)
    if (strcmp(s->name, name) == 0)
      return s;
  return NULL;
}

/* The public suffix of name, by the Public Suffix List (libpsl): the part
 * after the registrable label; for a name that is a suffix itself, its
 * parent. */
static const char *suffix_of(const char *name) {
  const char *reg = bd_name_registrable(name);
  const char *dot;
  if (reg == NULL)
    reg = name;
  dot = strchr(reg, '.');
  return dot != NULL ? dot + 1 : "";
}

const char *bd_iterate_suffix_of(const struct bd_probe *p) {
  return suffix_of(p->name);
}

/* The registrable name: the label under the suffix, and the suffix. */
static const char *registrable_of(const char *name, const char *suffix) {
  const char *p = name;
  size_t n = strlen(name);
  size_t s = strlen(suffix);
  if (s == 0 || n <= s + 1)
    return name;
  p = name + n - s - 1; /* the dot before the suffix */
  while (p > name && p[-1] != '.')
    p--;
  return p;
}

static void start_suffix_lookup(struct bd_iterate *it, struct suffix *s,
                                struct entry *at) {
  struct bd_probe *p =
      it->ops.alloc(it->ops.data, BD_PROBE_SUFFIX, s->name, strlen(s->name));
  if (p == NULL) {
    s->state = SUFFIX_FAILED;
    s->failure = BD_REASON_NO_MEMORY;
    return;
  }
  p->qtype = BD_DNS_TYPE_NS;
  p->route = s;
  send_to(it, p, at);
}

static struct suffix *add_suffix(struct bd_iterate *it, const char *name) {
  struct suffix *s = calloc(1, sizeof(*s));
  size_t b = hash(name);
  if (s == NULL)
    return NULL;
  snprintf(s->name, sizeof(s->name), "%s", name);
  s->state = SUFFIX_FINDING;
  s->next = it->suffixes[b];
  it->suffixes[b] = s;
  /* The root holds the names under a suffix that is a TLD... unless the
   * TLD is a zone of its own, which the lookup finds out. */
  if (name[0] == '\0') {
    s->state = SUFFIX_FOUND;
    s->holder = it->root;
  } else {
    start_suffix_lookup(it, s, closest_zone(it, name));
  }
  return s;
}

/* Where the names of a suffix go, once its holder is known. */
static void suffix_found(struct bd_iterate *it, struct suffix *s,
                         struct entry *holder) {
  struct bd_probe *p;
  s->state = SUFFIX_FOUND;
  s->holder = holder;
  while ((p = bd_probe_queue_pop(&s->waiting)) != NULL)
    send_to(it, p, holder);
}

/* No name under the suffix can be judged: each fails as if the zone that
 * said so (or the last one asked) had answered it. */
static void suffix_failed(struct bd_iterate *it, struct suffix *s,
                          const struct bd_probe *lookup,
                          enum bd_reason reason) {
  struct bd_probe *p;
  s->state = SUFFIX_FAILED;
  s->failure = reason;
  s->said = lookup->zone;
  s->said_by = lookup->server;
  while ((p = bd_probe_queue_pop(&s->waiting)) != NULL)
    fail_probe(it, p, reason);
}

void bd_iterate_route(struct bd_iterate *it, struct bd_probe *p) {
  const char *name = suffix_of(p->name);
  struct suffix *s = find_suffix(it, name);

  if (s == NULL)
    s = add_suffix(it, name);
  if (s == NULL) {
    fail_probe(it, p, BD_REASON_NO_MEMORY);
    return;
  }
  p->route = s;
  switch (s->state) {
  case SUFFIX_FOUND:
    send_to(it, p, s->holder);
    return;
  case SUFFIX_FAILED:
    fail_probe(it, p, s->failure);
    return;
  case SUFFIX_FINDING:
    it->ops.park(it->ops.data, p);
    bd_probe_queue_push(&s->waiting, p);
    return;
  }
}

/* ---- name server lookups --------------------------------------------- */

static void start_host_lookup(struct bd_iterate *it, struct entry *target,
                              const char *host) {
  struct bd_probe *p;
  if (strlen(host) > BD_NAME_MAX)
    return;
  p = it->ops.alloc(it->ops.data, BD_PROBE_HOST, host, strlen(host));
  if (p == NULL)
    return;
  p->qtype = BD_DNS_TYPE_A;
  p->route = target;
  target->lookups++;
  send_to(it, p, closest_zone(it, host));
}

/* A lookup of a name server's address is over, with or without one. */
static void host_done(struct bd_iterate *it, struct bd_probe *p,
                      const struct bd_auth_judgement *j) {
  struct entry *target = p->route;
  if (j != NULL && j->nns > 0)
    for (size_t k = 0; k < j->ns[0].naddrs; k++)
      if (usable(it, &j->ns[0].addrs[k]))
        add_server(target, &j->ns[0].addrs[k]);
  target->lookups--;
  it->ops.release(it->ops.data, p);
  if (target->zone->in_use > 0 || target->lookups == 0)
    release_waiting(it, target);
}

/* ---- answers --------------------------------------------------------- */

static enum bd_reason reason_of_kind(enum bd_auth_kind k) {
  switch (k) {
  case BD_AUTH_REFUSED:
    return BD_REASON_REFUSED;
  case BD_AUTH_SERVFAIL:
    return BD_REASON_SERVFAIL;
  case BD_AUTH_RCODE:
    return BD_REASON_RCODE;
  default:
    return BD_REASON_LAME;
  }
}

static void fail_probe(struct bd_iterate *it, struct bd_probe *p,
                       enum bd_reason reason) {
  struct bd_verdict v;
  switch (p->kind) {
  case BD_PROBE_SUFFIX:
    suffix_failed(it, p->route, p, reason);
    it->ops.release(it->ops.data, p);
    return;
  case BD_PROBE_HOST:
    host_done(it, p, NULL);
    return;
  default:
    memset(&v, 0, sizeof(v));
    v.status = BD_ERROR;
    v.reason = reason;
    v.rcode = -1;
    if (p->zone == NULL && p->route != NULL) {
      /* Never sent: the zone that failed its suffix answers for it. */
      const struct suffix *s = p->route;
      use_zone(it, p, s->said);
      p->server = s->said_by;
    }
    it->ops.finish(it->ops.data, p, &v);
    return;
  }
}

static const char *zone_said(const struct bd_zone *z) {
  return z->name[0] != '\0' ? z->name : "the root zone";
}

/* The root is the map's one way in: with none of its servers left and
 * none that ever answered, nothing can be judged. That is a set-up
 * error, as an unusable resolver is in the recursive mode: the run stops
 * and no name gets a line. */
static bool root_is_dead(struct bd_iterate *it, size_t last, const char *what) {
  const struct bd_zone *z = it->root->zone;
  if (z->in_use > 0)
    return false;
  for (size_t i = 0; i < z->count; i++)
    if (z->servers[i]->answered)
      return false;
  snprintf(it->fatal, sizeof(it->fatal),
           "no root server answered: %s, the last, %s",
           z->servers[last]->addr.text, what);
  it->ops.stop(it->ops.data);
  return true;
}

/* Takes a server out of its zone with one warning saying what it did;
 * when it was the zone's last, says that too, once. */
static void drop_server(struct bd_iterate *it, struct bd_zone *z, size_t i,
                        enum bd_reason why, const char *what) {
  struct entry *e = find_zone(it, z->name);
  if (z->health[i].sidelined)
    return;
  bd_zone_sideline(z, i);
  bd_warnf("server %s for zone %s %s: its names go to the zone's other "
           "servers",
           z->servers[i]->addr.text, bd_iterate_zone_name(z), what);
  if (e == NULL)
    return;
  e->failure = why;
  if (e == it->root && root_is_dead(it, i, what))
    return;
  if (z->in_use == 0 && !e->said_empty) {
    e->said_empty = true;
    bd_warnf("no server of %s answered: its names are '?'", zone_said(z));
  }
}

/* The server does not serve its zone as it should: out of the zone; p is
 * asked of another server, or fails with the zone's reason when none is
 * left. */
static void sideline(struct bd_iterate *it, struct bd_probe *p,
                     enum bd_auth_kind kind) {
  struct entry *e = find_zone(it, p->zone->name);
  static const char *const what[] = {[BD_AUTH_LAME] = "is lame (answers "
                                                      "without authority)",
                                     [BD_AUTH_REFUSED] = "refuses queries",
                                     [BD_AUTH_SERVFAIL] = "fails queries",
                                     [BD_AUTH_RCODE] = "answers with errors",
                                     [BD_AUTH_BAD] = "sends bad answers"};
  const char *said = (size_t)kind < BD_ARRAY_SIZE(what) && what[kind] != NULL
                         ? what[kind]
                         : "cannot be used";

  drop_server(it, p->zone, p->server, reason_of_kind(kind), said);
  p->tries--; /* the server's fault, not the name's */
  if (e != NULL)
    send_to(it, p, e);
  else
    fail_probe(it, p, reason_of_kind(kind));
}

/* The zone's word on a name. An answer's addresses are kept as the
 * recursive mode keeps them. */
static void name_verdict(struct bd_iterate *it, struct bd_probe *p,
                         const struct bd_auth_judgement *j,
                         const unsigned char *abuf, size_t alen) {
  struct bd_verdict v;
  memset(&v, 0, sizeof(v));
  if (j->kind == BD_AUTH_EXISTS)
    bd_verdict_from_answer(abuf, alen, p->qtype, &v);
  v.rcode = j->rcode;
  v.authoritative = true;
  switch (j->kind) {
  case BD_AUTH_DELEGATED:
    v.status = BD_FOUND;
    v.reason = BD_REASON_DELEGATED;
    break;
  case BD_AUTH_EXISTS:
    v.status = BD_FOUND;
    if (v.reason != BD_REASON_ALIAS)
      v.reason = j->has_records ? BD_REASON_ANSWER : BD_REASON_NODATA;
    break;
  default:
    v.status = BD_NOTFOUND;
    v.reason = BD_REASON_NXDOMAIN;
    break;
  }
  it->ops.finish(it->ops.data, p, &v);
}

/* A referral nearer the question: the zone it names (made on first sight)
 * is asked next, at no cost to p's tries. NULL when the zone cannot be
 * made; p is then not sent. */
static struct entry *follow(struct bd_iterate *it, struct bd_probe *p,
                            const struct bd_auth_judgement *j, bool send) {
  struct entry *e = zone_from(it, j, j->kind == BD_AUTH_DELEGATED);
  if (e != NULL && send) {
    p->tries--;
    send_to(it, p, e);
  }
  return e;
}

static void on_name(struct bd_iterate *it, struct bd_probe *p,
                    const struct bd_auth_judgement *j,
                    const unsigned char *abuf, size_t alen) {
  struct suffix *s = p->route;
  struct entry *e;
  switch (j->kind) {
  case BD_AUTH_DELEGATED:
    /* A stage's question about a name (its _for-sale TXT) is for the
     * name's own servers, as a resolver would ask them. */
    if (p->kind == BD_PROBE_ASK) {
      if (follow(it, p, j, true) == NULL)
        fail_probe(it, p, BD_REASON_NO_MEMORY);
      return;
    }
    name_verdict(it, p, j, abuf, alen);
    return;
  case BD_AUTH_EXISTS:
  case BD_AUTH_NXDOMAIN:
    name_verdict(it, p, j, abuf, alen);
    return;
  case BD_AUTH_STEP:
  case BD_AUTH_ZONE:
    /* A cut between the holder and the name that the suffix lookup did
     * not see: the names of the suffix go there from now on. */
    e = follow(it, p, j, true);
    if (e == NULL)
      fail_probe(it, p, BD_REASON_NO_MEMORY);
    else
      s->holder = e;
    return;
  default:
    sideline(it, p, j->kind);
    return;
  }
}

static void on_suffix(struct bd_iterate *it, struct bd_probe *p,
                      const struct bd_auth_judgement *j) {
  struct suffix *s = p->route;
  struct entry *e;
  switch (j->kind) {
  case BD_AUTH_EXISTS: /* inside the zone asked, no cut */
    suffix_found(it, s, find_zone(it, p->zone->name));
    it->ops.release(it->ops.data, p);
    return;
  case BD_AUTH_NXDOMAIN:
    suffix_failed(it, s, p, BD_REASON_NO_SUCH_TLD);
    it->ops.release(it->ops.data, p);
    return;
  case BD_AUTH_ZONE:
  case BD_AUTH_STEP:
    e = follow(it, p, j, j->kind == BD_AUTH_STEP);
    if (e == NULL) {
      fail_probe(it, p, BD_REASON_NO_MEMORY);
    } else if (j->kind == BD_AUTH_ZONE) {
      suffix_found(it, s, e);
      it->ops.release(it->ops.data, p);
    }
    return;
  default:
    sideline(it, p, j->kind);
    return;
  }
}

static void on_host(struct bd_iterate *it, struct bd_probe *p,
                    const struct bd_auth_judgement *j) {
  switch (j->kind) {
  case BD_AUTH_EXISTS:
    host_done(it, p, j);
    return;
  case BD_AUTH_NXDOMAIN:
    host_done(it, p, NULL);
    return;
  case BD_AUTH_STEP:
  case BD_AUTH_ZONE:
    if (follow(it, p, j, true) == NULL)
      host_done(it, p, NULL);
    return;
  default:
    sideline(it, p, j->kind);
    return;
  }
}

void bd_iterate_answer(struct bd_iterate *it, struct bd_probe *p,
                       const unsigned char *abuf, size_t alen) {
  struct bd_dnsmsg m;
  struct bd_auth_judgement *j = malloc(sizeof(*j));
  const char *suffix;
  enum bd_auth_question q = p->kind == BD_PROBE_SUFFIX ? BD_AUTH_SUFFIX
                            : p->kind == BD_PROBE_HOST ? BD_AUTH_HOST
                                                       : BD_AUTH_NAME;

  if (j == NULL) {
    fail_probe(it, p, BD_REASON_NO_MEMORY);
    return;
  }
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0) {
    memset(j, 0, sizeof(*j));
    j->kind = BD_AUTH_BAD;
  } else {
    suffix = q == BD_AUTH_NAME ? ((struct suffix *)p->route)->name : "";
    bd_auth_judge(&m, q, p->name, p->qtype, registrable_of(p->name, suffix),
                  p->zone->name, j);
  }
  if (q == BD_AUTH_SUFFIX)
    on_suffix(it, p, j);
  else if (q == BD_AUTH_HOST)
    on_host(it, p, j);
  else
    on_name(it, p, j, abuf, alen);
  free(j);
}

/* No answer within the tries. A server that never answered anything is
 * taken to be down: out of its zone, and p starts again with another
 * server. One that answered before only lost p's tries: p fails. */
void bd_iterate_gave_up(struct bd_iterate *it, struct bd_probe *p,
                        const struct bd_verdict *v) {
  struct bd_zone *z = p->zone;
  struct entry *e;
  bool silent =
      v->reason == BD_REASON_TIMEOUT || v->reason == BD_REASON_UNREACHABLE;

  if (!silent || z == NULL || p->server == BD_ZONE_NONE ||
      z->servers[p->server]->answered || (e = find_zone(it, z->name)) == NULL) {
    fail_probe(it, p, v->reason);
    return;
  }
  drop_server(it, z, p->server, v->reason,
              v->reason == BD_REASON_TIMEOUT
                  ? "does not answer"
                  : "cannot be reached (nothing listens, or no route)");
  p->tries = 0;
  send_to(it, p, e);
}

void bd_iterate_resend(struct bd_iterate *it, struct bd_probe *p) {
  struct entry *e = find_zone(it, p->zone->name);
  if (e != NULL)
    send_to(it, p, e);
  else
    fail_probe(it, p, BD_REASON_LAME);
}

/* ---- life cycle ------------------------------------------------------ */

int bd_iterate_new(struct bd_iterate **out, const struct bd_iterate_config *cfg,
                   const struct bd_iterate_ops *ops) {
  struct bd_iterate *it = calloc(1, sizeof(*it));
  *out = NULL;
  if (it == NULL)
    return -ENOMEM;
  it->cfg = *cfg;
  it->ops = *ops;
  it->root = add_zone(it, "", false);
  if (it->root == NULL) {
    free(it);
    return -ENOMEM;
  }
  *out = it; /* from here on, bd_iterate_close and _free undo it */
  for (size_t i = 0; i < cfg->nroots; i++)
    if (usable(it, &cfg->roots[i]) &&
        bd_zone_add_server(it->root->zone, &cfg->roots[i]) == -ENOMEM)
      return -ENOMEM;
  return it->root->zone->in_use > 0 ? 0 : -EINVAL;
}

const char *bd_iterate_fatal(const struct bd_iterate *it) {
  return it != NULL && it->fatal[0] != '\0' ? it->fatal : NULL;
}

void bd_iterate_free(struct bd_iterate *it) {
  if (it == NULL)
    return;
  for (size_t b = 0; b < BUCKETS; b++) {
    struct entry *e = it->zones[b];
    struct suffix *s = it->suffixes[b];
    while (e != NULL) {
      struct entry *next = e->next;
      bd_zone_free(e->zone);
      free(e);
      e = next;
    }
    while (s != NULL) {
      struct suffix *next = s->next;
      free(s);
      s = next;
    }
  }
  free(it);
}
