/* An RDAP domain object (RFC 9083) read for what --confirm shows: status
 * values, the expiration and deletion dates, and the holds the status
 * values mean. Every member read is type-checked: a body that is not what
 * RFC 9083 says, or speaks of another domain, is no answer, and the caller
 * says '?'; a value only too long, or a date that cannot be read, costs
 * that value alone, with a flag. */
#include "blogdom/rdapdomain.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>

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

/* Keeps at most cap bytes of s (n long), cut before a UTF-8 sequence
 * that would not fit whole. Returns the bytes kept. */
static size_t keep_utf8(char *out, const char *s, size_t n, size_t cap) {
  if (n > cap) {
    n = cap;
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
      n--;
  }
  memcpy(out, s, n);
  out[n] = '\0';
  return n;
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
    if (n == 0)
      return -EINVAL; /* no registered value is empty */
    d->holds |= hold_of(s);
    if (d->nstatus == BD_RDAPDOMAIN_STATUS_MAX || n > BD_RDAPDOMAIN_STATUS_LEN)
      d->status_truncated = true;
    if (d->nstatus < BD_RDAPDOMAIN_STATUS_MAX)
      keep_utf8(d->status[d->nstatus++], s, n, BD_RDAPDOMAIN_STATUS_LEN);
  }
  return 0;
}

/* The number in s[0..n) of digits only, or -1. */
static int number(const char *s, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* The time an RFC 3339 date-time or full-date (4.5 of RFC 9083 has
 * eventDate in that form; a date alone is midnight UTC) stands for, as
 * seconds since the epoch. False when s is neither. */
static bool parse_date(const char *s, size_t n, time_t *out) {
  struct tm tm;
  long offset = 0;
  size_t i = 19;
  time_t t;

  memset(&tm, 0, sizeof(tm));
  if (n < 10 || s[4] != '-' || s[7] != '-' || (tm.tm_year = number(s, 4)) < 0 ||
      (tm.tm_mon = number(s + 5, 2)) < 1 || tm.tm_mon > 12 ||
      (tm.tm_mday = number(s + 8, 2)) < 1 || tm.tm_mday > 31)
    return false;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  if (n > 10) {
    if (n < 20 || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':' || (tm.tm_hour = number(s + 11, 2)) < 0 ||
        tm.tm_hour > 23 || (tm.tm_min = number(s + 14, 2)) < 0 ||
        tm.tm_min > 59 || (tm.tm_sec = number(s + 17, 2)) < 0 || tm.tm_sec > 60)
      return false;
    if (s[i] == '.') {
      while (++i < n && s[i] >= '0' && s[i] <= '9')
        ;
      if (i == 20)
        return false; /* a dot with no digit */
    }
    if (i + 1 == n && (s[i] == 'Z' || s[i] == 'z')) {
      offset = 0;
    } else if (i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
      int h = number(s + i + 1, 2);
      int m = number(s + i + 4, 2);
      if (h < 0 || h > 23 || m < 0 || m > 59)
        return false;
      offset = (s[i] == '-' ? -1 : 1) * (h * 3600L + m * 60L);
    } else {
      return false;
    }
  }
  {
    int mday = tm.tm_mday;
    t = timegm(&tm);
    if (t == (time_t)-1 || tm.tm_mday != mday)
      return false; /* no such day: February 30 */
  }
  *out = t - offset;
  return true;
}

/* A date as RFC 3339 in UTC, to the second, into out; false (out left
 * alone) when s is no date, or one whose UTC year has no four digits
 * (an offset can carry 0000-01-01 or 9999-12-31 out of them). The year is
 * written with all four (strftime's %Y drops leading zeros). */
static bool normalize_date(const char *s, size_t n, char *out, size_t cap) {
  struct tm tm;
  time_t t;
  int len;
  if (!parse_date(s, n, &t) || gmtime_r(&t, &tm) == NULL ||
      tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
    return false;
  len = snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return len > 0 && (size_t)len < cap;
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
  if (into[0] != '\0')
    return 0; /* the first event of its action counts */
  date = json_object_get(ev, "eventDate");
  if (!json_is_string(date) ||
      !normalize_date(json_string_value(date), json_string_length(date), into,
                      BD_RDAPDOMAIN_DATE_LEN + 1))
    d->dates_dropped = true;
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

/* An ldhName, when sent, must be the domain asked about (RFC 9083 5.3),
 * in any case, with or without its final dot. */
static bool is_domain_asked(json_t *ldh, const char *asked) {
  const char *s;
  size_t n;
  if (ldh == NULL || asked == NULL)
    return true;
  if (!json_is_string(ldh))
    return false;
  s = json_string_value(ldh);
  n = json_string_length(ldh);
  if (n > 0 && s[n - 1] == '.')
    n--;
  return n == strlen(asked) && strncasecmp(s, asked, n) == 0;
}

int bd_rdapdomain_parse(const char *body, size_t len, const char *asked,
                        struct bd_rdapdomain *d) {
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
      is_domain_asked(json_object_get(root, "ldhName"), asked) &&
      (rc = read_status(json_object_get(root, "status"), d)) == 0)
    rc = read_events(json_object_get(root, "events"), d);
  json_decref(root);
  if (rc != 0)
    memset(d, 0, sizeof(*d));
  return rc;
}
