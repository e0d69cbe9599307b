/* Which zone holds the names under each public suffix met in the input.
 * The Public Suffix List (libpsl) says where a name's suffix starts; one
 * NS lookup of the suffix, from the closest zone the map knows, finds the
 * zone that holds its names. The names of a suffix wait for that lookup,
 * not for each other, and fail with it when it fails. */
#include "blogdom/iterate.h"
#include "iterate_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"

static struct suffix *find_suffix(struct bd_iterate *it, const char *name) {
  for (struct suffix *s = it->suffixes[hash(name)]; s != NULL; s = s->next)
    if (strcmp(s->name, name) == 0)
      return s;
  return NULL;
}

/* The public suffix of name, by the Public Suffix List (libpsl): the part
 * after the registrable label; for a name that is a suffix itself, its
 * parent. */
const char *map_suffix_of(const char *name) {
  const char *reg = bd_name_registrable(name);
  const char *dot;
  if (reg == NULL)
    reg = name;
  dot = strchr(reg, '.');
  return dot != NULL ? dot + 1 : "";
}

/* The registrable name: the label under the suffix, and the suffix. */
const char *map_registrable_of(const char *name, const char *suffix) {
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
  map_send_to(it, p, at);
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
    start_suffix_lookup(it, s, map_closest_zone(it, name));
  }
  return s;
}

/* Where the names of a suffix go, once its holder is known. */
void map_suffix_found(struct bd_iterate *it, struct suffix *s,
                      struct entry *holder) {
  struct bd_probe *p;
  s->state = SUFFIX_FOUND;
  s->holder = holder;
  while ((p = bd_probe_queue_pop(&s->waiting)) != NULL)
    map_send_to(it, p, holder);
}

/* No name under the suffix can be judged: each fails as if the zone that
 * said so (or the last one asked) had answered it. */
void map_suffix_failed(struct bd_iterate *it, struct suffix *s,
                       const struct bd_probe *lookup, enum bd_reason reason) {
  struct bd_probe *p;
  s->state = SUFFIX_FAILED;
  s->failure = reason;
  s->said = lookup->zone;
  s->said_by = lookup->server;
  while ((p = bd_probe_queue_pop(&s->waiting)) != NULL)
    map_fail_probe(it, p, reason);
}

void map_route(struct bd_iterate *it, struct bd_probe *p) {
  const char *name = map_suffix_of(p->name);
  struct suffix *s = find_suffix(it, name);

  if (s == NULL)
    s = add_suffix(it, name);
  if (s == NULL) {
    map_fail_probe(it, p, BD_REASON_NO_MEMORY);
    return;
  }
  p->route = s;
  switch (s->state) {
  case SUFFIX_FOUND:
    /* A stage's question about a name whose delegation the map holds
     * goes to the name's own zone. */
    if (p->kind == BD_PROBE_ASK) {
      struct entry *own = map_closest_zone(it, p->name);
      if (own->transient) {
        map_send_to(it, p, own);
        return;
      }
    }
    map_send_to(it, p, s->holder);
    return;
  case SUFFIX_FAILED:
    map_fail_probe(it, p, s->failure);
    return;
  case SUFFIX_FINDING:
    it->ops.park(it->ops.data, p);
    bd_probe_queue_push(&s->waiting, p);
    return;
  }
}
