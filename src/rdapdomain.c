/* An RDAP domain object (RFC 9083) read for what --confirm shows: status
 * values, the expiration and deletion dates, and the holds the status
 * values mean. Every member read is type-checked: a body that is not what
 * RFC 9083 says is no answer, and the caller says '?'. */
#include "blogdom/rdapdomain.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/verdict.h"

/* Status values that mean the name is on its way out or held, in the
 * squeezed form squeeze() makes. */
static const struct {
  const char *value;
  unsigned bit;
} holds[] = {
    {"redemptionperiod", BD_REGISTRY_REDEMPTION},
    {"pendingdelete", BD_REGISTRY_PENDING_DELETE},
    {"clienthold", BD_REGISTRY_HOLD},
    {"serverhold", BD_REGISTRY_HOLD},
};

/* s lower-cased without ' ', '-' and '_', into out (cap bytes); false
 * when it does not fit (then it is no value we know). */
static bool squeeze(const char *s, char *out, size_t cap) {
  size_t n = 0;
  for (; *s != '\0'; s++) {
    if (*s == ' ' || *s == '-' || *s == '_')
      continue;
    if (n + 1 >= cap)
      return false;
    out[n++] = (char)tolower((unsigned char)*s);
  }
  out[n] = '\0';
  return true;
}

static unsigned hold_of(const char *value) {
  char s[32];
  if (!squeeze(value, s, sizeof(s)))
    return 0;
  for (size_t i = 0; i < BD_ARRAY_SIZE(holds); i++)
    if (strcmp(s, holds[i].value) == 0)
      return holds[i].bit;
  return 0;
}

static int read_status(json_t *status, struct bd_rdapdomain *d) {
  size_t i;
  json_t *v;

  if (status == NULL)
    return 0;
  if (!json_is_array(status))
    return -EINVAL;
  json_array_foreach(status, i, v) {
    const char *s;
    size_t n;
    if (!json_is_string(v))
      return -EINVAL;
    s = json_string_value(v);
    n = json_string_length(v);
    /* No registered value is that long, and none is empty. */
    if (n == 0 || n > BD_RDAPDOMAIN_STATUS_LEN)
      return -EINVAL;
    d->holds |= hold_of(s);
    if (d->nstatus < BD_RDAPDOMAIN_STATUS_MAX)
      memcpy(d->status[d->nstatus++], s, n + 1);
  }
  return 0;
}

static bool is_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

/* RFC 9083 4.5 has eventDate in RFC 3339's form: its full-date, then
 * anything printable (the time and offset are shown as sent). */
static bool is_date(const char *s, size_t n) {
  if (n < 10 || n > BD_RDAPDOMAIN_DATE_LEN || !is_digits(s, 4) || s[4] != '-' ||
      !is_digits(s + 5, 2) || s[7] != '-' || !is_digits(s + 8, 2))
    return false;
  for (size_t i = 10; i < n; i++)
    if (s[i] < 0x21 || s[i] > 0x7e)
      return false;
  return true;
}

/* Keeps the date of the first event of each action we show. */
static int read_event(json_t *ev, struct bd_rdapdomain *d) {
  json_t *action = json_object_get(ev, "eventAction");
  json_t *date;
  char *into;
  const char *s;

  if (!json_is_object(ev) || !json_is_string(action))
    return -EINVAL;
  s = json_string_value(action);
  if (strcmp(s, "expiration") == 0)
    into = d->expires;
  else if (strcmp(s, "deletion") == 0)
    into = d->deletes;
  else
    return 0;
  date = json_object_get(ev, "eventDate");
  if (!json_is_string(date) ||
      !is_date(json_string_value(date), json_string_length(date)))
    return -EINVAL;
  if (into[0] == '\0')
    memcpy(into, json_string_value(date), json_string_length(date) + 1);
  return 0;
}

static int read_events(json_t *events, struct bd_rdapdomain *d) {
  size_t i;
  json_t *ev;
  int rc;

  if (events == NULL)
    return 0;
  if (!json_is_array(events))
    return -EINVAL;
  json_array_foreach(events, i, ev) {
    if ((rc = read_event(ev, d)) != 0)
      return rc;
  }
  return 0;
}

int bd_rdapdomain_parse(const char *body, size_t len, struct bd_rdapdomain *d) {
  json_error_t err;
  json_t *root;
  json_t *cls;
  int rc = -EINVAL;

  memset(d, 0, sizeof(*d));
  if (len > BD_RDAPDOMAIN_BODY_MAX)
    return -EFBIG;
  /* Duplicate keys would make "status" mean whichever copy a reader
   * takes: refused. NUL inside strings is refused by default. */
  root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
  if (root == NULL)
    return json_error_code(&err) == json_error_out_of_memory ? -ENOMEM
                                                             : -EINVAL;
  cls = json_object_get(root, "objectClassName");
  if (json_is_object(root) && json_is_string(cls) &&
      strcmp(json_string_value(cls), "domain") == 0 &&
      (rc = read_status(json_object_get(root, "status"), d)) == 0)
    rc = read_events(json_object_get(root, "events"), d);
  json_decref(root);
  if (rc != 0)
    memset(d, 0, sizeof(*d));
  return rc;
}
