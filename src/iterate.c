/* The authoritative mode's map: zones found by following referrals from the
 * root, the zone that holds each public suffix's names, and the lookups of
 * name servers that came without glue. Every question is a probe the
 * engine sends; the map decides where it goes and what its answer means
 * (the rules are auth.c's).
 *
 * This file acts on the answers: a name gets its verdict, a suffix its
 * zone, a name server its addresses; a server that does not serve its zone
 * is taken out of it, with a warning, and the probe asked elsewhere; a
 * root with no server left stops the run. It also makes and frees the map.
 * The map's zones are mapzones.c's, its suffixes suffixes.c's and its
 * name server lookups nslookup.c's; iterate_int.h is what they share. */
#include "blogdom/iterate.h"
#include "iterate_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/auth.h"
#include "blogdom/common.h"
#include "blogdom/dnsmsg.h"
#include "blogdom/msg.h"

/* Names waiting in the zones' queues, at most (about 1 MiB of probes): a
 * dead zone's names wait there for their tries while the names of live
 * zones behind them in the input go past. */
#define HOLD 4096

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

void map_fail_probe(struct bd_iterate *it, struct bd_probe *p,
                    enum bd_reason reason) {
  struct bd_verdict v;
  switch (p->kind) {
  case BD_PROBE_SUFFIX:
    map_suffix_failed(it, p->route, p, reason);
    it->ops.release(it->ops.data, p);
    return;
  case BD_PROBE_HOST:
    map_host_done(it, p, NULL);
    return;
  default:
    memset(&v, 0, sizeof(v));
    v.status = BD_ERROR;
    v.reason = reason;
    v.rcode = -1;
    if (p->zone == NULL && p->route != NULL) {
      /* Never sent: the zone that failed its suffix answers for it. */
      const struct suffix *s = p->route;
      map_use_zone(it, p, s->said);
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
  struct entry *e = map_find_zone(it, z->name);
  if (z->health[i].sidelined)
    return;
  bd_zone_sideline(z, i);
  bd_warnf("server %s for zone %s %s: its names go to the zone's other "
           "servers",
           z->servers[i]->addr.text, map_zone_name(z), what);
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
  struct entry *e = map_find_zone(it, p->zone->name);
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
    map_send_to(it, p, e);
  else
    map_fail_probe(it, p, reason_of_kind(kind));
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
  struct entry *e = map_zone_from(it, j, j->kind == BD_AUTH_DELEGATED);
  if (e != NULL && send) {
    p->tries--;
    map_send_to(it, p, e);
  }
  return e;
}

/* A name's delegation, kept for what the stages ask about the name next
 * (map_route sends their questions there, sparing its parent a second
 * query): a transient zone, swept unless a question comes for it before
 * the next sweep. Out of memory, the questions go through the parent. */
static void keep_delegation(struct bd_iterate *it,
                            const struct bd_auth_judgement *j) {
  struct entry *e;
  if (!it->cfg.keep_delegations)
    return;
  e = map_zone_from(it, j, true);
  if (e != NULL)
    map_doom(it, e);
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
        map_fail_probe(it, p, BD_REASON_NO_MEMORY);
      return;
    }
    keep_delegation(it, j);
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
      map_fail_probe(it, p, BD_REASON_NO_MEMORY);
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
    map_suffix_found(it, s, map_find_zone(it, p->zone->name));
    it->ops.release(it->ops.data, p);
    return;
  case BD_AUTH_NXDOMAIN:
    map_suffix_failed(it, s, p, BD_REASON_NO_SUCH_TLD);
    it->ops.release(it->ops.data, p);
    return;
  case BD_AUTH_ZONE:
  case BD_AUTH_STEP:
    e = follow(it, p, j, j->kind == BD_AUTH_STEP);
    if (e == NULL) {
      map_fail_probe(it, p, BD_REASON_NO_MEMORY);
    } else if (j->kind == BD_AUTH_ZONE) {
      map_suffix_found(it, s, e);
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
    map_host_done(it, p, j);
    return;
  case BD_AUTH_NXDOMAIN:
    map_host_done(it, p, NULL);
    return;
  case BD_AUTH_STEP:
  case BD_AUTH_ZONE:
    if (follow(it, p, j, true) == NULL)
      map_host_done(it, p, NULL);
    return;
  default:
    sideline(it, p, j->kind);
    return;
  }
}

void map_answer(struct bd_iterate *it, struct bd_probe *p,
                const unsigned char *abuf, size_t alen) {
  struct bd_dnsmsg m;
  struct bd_auth_judgement *j = malloc(sizeof(*j));
  const char *suffix;
  enum bd_auth_question q = p->kind == BD_PROBE_SUFFIX ? BD_AUTH_SUFFIX
                            : p->kind == BD_PROBE_HOST ? BD_AUTH_HOST
                                                       : BD_AUTH_NAME;

  if (j == NULL) {
    map_fail_probe(it, p, BD_REASON_NO_MEMORY);
    return;
  }
  if (bd_dnsmsg_parse(&m, abuf, alen) != 0) {
    memset(j, 0, sizeof(*j));
    j->kind = BD_AUTH_BAD;
  } else {
    suffix = q == BD_AUTH_NAME ? ((struct suffix *)p->route)->name : "";
    bd_auth_judge(&m, q, p->name, p->qtype, map_registrable_of(p->name, suffix),
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
void map_gave_up(struct bd_iterate *it, struct bd_probe *p,
                 const struct bd_verdict *v) {
  struct bd_zone *z = p->zone;
  struct entry *e;
  bool silent =
      v->reason == BD_REASON_TIMEOUT || v->reason == BD_REASON_UNREACHABLE;

  if (!silent || z == NULL || p->server == BD_ZONE_NONE ||
      z->servers[p->server]->answered ||
      (e = map_find_zone(it, z->name)) == NULL) {
    map_fail_probe(it, p, v->reason);
    return;
  }
  drop_server(it, z, p->server, v->reason,
              v->reason == BD_REASON_TIMEOUT
                  ? "does not answer"
                  : "cannot be reached (nothing listens, or no route)");
  p->tries = 0;
  map_send_to(it, p, e);
}

void map_resend(struct bd_iterate *it, struct bd_probe *p) {
  struct entry *e = map_find_zone(it, p->zone->name);
  if (e != NULL)
    map_send_to(it, p, e);
  else
    map_fail_probe(it, p, BD_REASON_LAME);
}

/* ---- life cycle ------------------------------------------------------ */

static const char *map_fatal(const struct bd_iterate *it) {
  return it != NULL && it->fatal[0] != '\0' ? it->fatal : NULL;
}

static void map_free(struct bd_iterate *it) {
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

/* ---- the map as the engine's router ---------------------------------- */

static struct bd_iterate *of(struct bd_router *r) {
  return container_of(r, struct bd_iterate, router);
}

static void r_route(struct bd_router *r, struct bd_probe *p) {
  map_route(of(r), p);
}

static void r_answer(struct bd_router *r, struct bd_probe *p,
                     const unsigned char *abuf, size_t alen,
                     const struct bd_verdict *v) {
  (void)v; /* the map reads the response itself */
  map_answer(of(r), p, abuf, alen);
}

static void r_gave_up(struct bd_router *r, struct bd_probe *p,
                      const struct bd_verdict *v) {
  map_gave_up(of(r), p, v);
}

static void r_resend(struct bd_router *r, struct bd_probe *p) {
  map_resend(of(r), p);
}

static void r_forget(struct bd_router *r, struct bd_probe *p) {
  map_forget(of(r), p);
}

static void r_sweep(struct bd_router *r) {
  map_sweep(of(r));
}

/* Each public suffix has a zone of its own: a name's checks are its
 * suffix's. */
static const char *r_check_group(const struct bd_router *r, const char *name) {
  (void)r;
  return map_suffix_of(name);
}

static const char *r_zone_name(const struct bd_router *r,
                               const struct bd_zone *z) {
  (void)r;
  return z != NULL ? map_zone_name(z) : NULL;
}

/* The map asks no resolver: there is none to vet. */
static struct bd_zone *r_resolvers(const struct bd_router *r) {
  (void)r;
  return NULL;
}

static const char *r_fatal(const struct bd_router *r) {
  return map_fatal(const_container_of(r, struct bd_iterate, router));
}

static void r_free(struct bd_router *r) {
  map_free(of(r));
}

static const struct bd_router_ops router_ops = {
    r_route,       r_answer,    r_gave_up,   r_resend, r_forget, r_sweep,
    r_check_group, r_zone_name, r_resolvers, r_fatal,  r_free};

int bd_iterate_open(struct bd_router **out, const struct bd_zone_config *zc,
                    const struct bd_router_hooks *hooks, const void *arg) {
  const struct bd_iterate_config *cfg = arg;
  struct bd_iterate *it = calloc(1, sizeof(*it));
  *out = NULL;
  if (it == NULL)
    return -ENOMEM;
  it->router.ops = &router_ops;
  /* A zone's own server answers from its zone (RFC 1034 4.3.1). */
  it->router.recursion_desired = false;
  it->router.judges_responses = true;
  it->router.hold = HOLD;
  it->cfg = *cfg;
  it->zone_cfg = *zc;
  it->ops = *hooks;
  it->root = map_add_zone(it, "", false);
  if (it->root == NULL) {
    free(it);
    return -ENOMEM;
  }
  *out = &it->router; /* from here on, ops.free undoes it */
  for (size_t i = 0; i < cfg->nroots; i++)
    if (map_usable(it, &cfg->roots[i]) &&
        bd_zone_add_server(it->root->zone, &cfg->roots[i]) == -ENOMEM)
      return -ENOMEM;
  if (it->root->zone->in_use > 0)
    return 0;
  bd_errorf("no usable root server");
  return -EINVAL;
}
