/* Rules: parsing "GLOB ACTIONS" lines and finding the rule for a name. */
#include "rules.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

enum { MAX_DELAY_MS = 3600 * 1000 };

static const char TOKEN_SEPARATORS[] = ", \t\r\n";

enum token_id {
  TOK_ANSWER,
  TOK_NXDOMAIN,
  TOK_NODATA,
  TOK_SERVFAIL,
  TOK_REFUSED,
  TOK_FORMERR,
  TOK_NOTIMP,
  TOK_RCODE,
  TOK_A,
  TOK_AAAA,
  TOK_CNAME,
  TOK_BIG,
  TOK_DELAY,
  TOK_DROP,
  TOK_DROP_FIRST,
  TOK_LOSS,
  TOK_TC,
  TOK_TCP_CLOSE,
  TOK_WRONG_ID,
  TOK_WRONG_QUESTION,
  TOK_GARBAGE,
  TOK_MALFORMED
};

struct token_spec {
  const char *name;
  enum token_id id;
  bool takes_value;
  bool repeatable;
};

static const struct token_spec TOKENS[] = {
    {"answer", TOK_ANSWER, false, false},
    {"nxdomain", TOK_NXDOMAIN, false, false},
    {"nodata", TOK_NODATA, false, false},
    {"servfail", TOK_SERVFAIL, false, false},
    {"refused", TOK_REFUSED, false, false},
    {"formerr", TOK_FORMERR, false, false},
    {"notimp", TOK_NOTIMP, false, false},
    {"rcode", TOK_RCODE, true, false},
    {"a", TOK_A, true, true},
    {"aaaa", TOK_AAAA, true, true},
    {"cname", TOK_CNAME, true, false},
    {"big", TOK_BIG, false, false},
    {"delay", TOK_DELAY, true, false},
    {"drop", TOK_DROP, false, false},
    {"drop-first", TOK_DROP_FIRST, true, false},
    {"loss", TOK_LOSS, true, false},
    {"tc", TOK_TC, false, false},
    {"tcp-close", TOK_TCP_CLOSE, false, false},
    {"wrong-id", TOK_WRONG_ID, false, false},
    {"wrong-question", TOK_WRONG_QUESTION, false, false},
    {"garbage", TOK_GARBAGE, false, false},
    {"malformed", TOK_MALFORMED, false, false},
};

enum { TOKEN_COUNT = sizeof TOKENS / sizeof TOKENS[0] };

static bool fail(char *err, size_t err_len, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  vsnprintf(err, err_len, fmt, args);
  va_end(args);
  return false;
}

static const struct token_spec *find_token(const char *name, size_t len) {
  for (size_t i = 0; i < TOKEN_COUNT; i++)
    if (strlen(TOKENS[i].name) == len && memcmp(TOKENS[i].name, name, len) == 0)
      return &TOKENS[i];
  return NULL;
}

/* Strict decimal: no sign, no spaces, no trailing junk. */
static bool parse_uint(const char *text, unsigned long max,
                       unsigned long *out) {
  if (!isdigit((unsigned char)text[0]))
    return false;
  char *end;
  errno = 0;
  unsigned long value = strtoul(text, &end, 10);
  if (errno || *end || value > max)
    return false;
  *out = value;
  return true;
}

static bool parse_loss(const char *text, double *out) {
  char *end;
  errno = 0;
  double value = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(value) || value < 0 ||
      value > 100)
    return false;
  *out = value;
  return true;
}

static bool set_rcode(struct actions *act, int rcode, const char *token,
                      char *err, size_t err_len) {
  if (act->rcode >= 0)
    return fail(err, err_len, "'%s': more than one rcode given", token);
  act->rcode = rcode;
  return true;
}

static bool add_address(struct actions *act, bool v6, const char *value,
                        char *err, size_t err_len) {
  size_t *count = v6 ? &act->aaaa_count : &act->a_count;
  if (*count == RULE_MAX_ADDRS)
    return fail(err, err_len, "more than %d %s= addresses", RULE_MAX_ADDRS,
                v6 ? "aaaa" : "a");
  void *slot = v6 ? (void *)act->aaaa[*count] : (void *)act->a[*count];
  if (inet_pton(v6 ? AF_INET6 : AF_INET, value, slot) != 1)
    return fail(err, err_len, "'%s' is not an IPv%d address", value,
                v6 ? 6 : 4);
  ++*count;
  return true;
}

static bool apply_value_token(struct actions *act, enum token_id id,
                              const char *value, char *err, size_t err_len) {
  unsigned long number;
  switch (id) {
  case TOK_RCODE:
    if (!parse_uint(value, 15, &number))
      return fail(err, err_len, "rcode=%s: want 0..15", value);
    return set_rcode(act, (int)number, "rcode", err, err_len);
  case TOK_A:
  case TOK_AAAA:
    return add_address(act, id == TOK_AAAA, value, err, err_len);
  case TOK_CNAME:
    if (!wire_name_from_text(value, act->cname, &act->cname_len))
      return fail(err, err_len, "cname=%s: not a domain name", value);
    return true;
  case TOK_DELAY:
    if (!parse_uint(value, MAX_DELAY_MS, &number))
      return fail(err, err_len, "delay=%s: want 0..%d ms", value, MAX_DELAY_MS);
    act->delay_ms = (uint32_t)number;
    return true;
  case TOK_DROP_FIRST:
    if (!parse_uint(value, UINT32_MAX, &number))
      return fail(err, err_len, "drop-first=%s: want a count", value);
    act->drop_first = (uint32_t)number;
    return true;
  case TOK_LOSS:
    if (!parse_loss(value, &act->loss_pct))
      return fail(err, err_len, "loss=%s: want 0..100", value);
    return true;
  default:
    return fail(err, err_len, "internal error: token %d", (int)id);
  }
}

static bool apply_flag_token(struct actions *act, enum token_id id,
                             const char *token, char *err, size_t err_len) {
  switch (id) {
  case TOK_ANSWER:
    return true;
  case TOK_NXDOMAIN:
    return set_rcode(act, DNS_RCODE_NXDOMAIN, token, err, err_len);
  case TOK_NODATA:
    return set_rcode(act, DNS_RCODE_NOERROR, token, err, err_len);
  case TOK_SERVFAIL:
    return set_rcode(act, DNS_RCODE_SERVFAIL, token, err, err_len);
  case TOK_REFUSED:
    return set_rcode(act, DNS_RCODE_REFUSED, token, err, err_len);
  case TOK_FORMERR:
    return set_rcode(act, DNS_RCODE_FORMERR, token, err, err_len);
  case TOK_NOTIMP:
    return set_rcode(act, DNS_RCODE_NOTIMP, token, err, err_len);
  case TOK_BIG:
    act->big = true;
    return true;
  case TOK_DROP:
    act->drop = true;
    return true;
  case TOK_TC:
    act->tc = true;
    return true;
  case TOK_TCP_CLOSE:
    act->tcp_close = true;
    return true;
  case TOK_WRONG_ID:
    act->wrong_id = true;
    return true;
  case TOK_WRONG_QUESTION:
    act->wrong_question = true;
    return true;
  case TOK_GARBAGE:
    act->garbage = true;
    return true;
  case TOK_MALFORMED:
    act->malformed = true;
    return true;
  default:
    return fail(err, err_len, "internal error: token %d", (int)id);
  }
}

static bool apply_token(struct actions *act, const char *token,
                        bool seen[TOKEN_COUNT], char *err, size_t err_len) {
  const char *equals = strchr(token, '=');
  size_t name_len = equals ? (size_t)(equals - token) : strlen(token);
  const struct token_spec *spec = find_token(token, name_len);
  if (!spec)
    return fail(err, err_len, "unknown action '%s'", token);
  if (spec->takes_value != (equals != NULL))
    return fail(err, err_len,
                spec->takes_value ? "'%s' needs =VALUE" : "'%s' takes no value",
                spec->name);
  /* A repeated token is more likely a typo than a wish for "last wins". */
  if (seen[spec->id] && !spec->repeatable)
    return fail(err, err_len, "'%s' given twice", spec->name);
  seen[spec->id] = true;
  if (spec->takes_value)
    return apply_value_token(act, spec->id, equals + 1, err, err_len);
  return apply_flag_token(act, spec->id, token, err, err_len);
}

static bool check_conflicts(const struct actions *act, char *err,
                            size_t err_len) {
  int record_sources =
      (act->cname_len > 0) + act->big + (act->a_count + act->aaaa_count > 0);
  if (record_sources > 1)
    return fail(err, err_len, "cname=, big and a=/aaaa= exclude each other");
  if (act->garbage && act->malformed)
    return fail(err, err_len, "garbage and malformed exclude each other");
  return true;
}

static void actions_clear(struct actions *act) {
  memset(act, 0, sizeof *act);
  act->rcode = -1;
}

bool actions_parse(const char *text, struct actions *actions, char *err,
                   size_t err_len) {
  struct actions act;
  bool seen[TOKEN_COUNT] = {false};
  char *copy = xstrdup(text);
  char *saveptr = NULL;
  bool ok = true;
  size_t tokens = 0;
  actions_clear(&act);
  for (char *token = strtok_r(copy, TOKEN_SEPARATORS, &saveptr);
       ok && token && token[0] != '#';
       token = strtok_r(NULL, TOKEN_SEPARATORS, &saveptr)) {
    ok = apply_token(&act, token, seen, err, err_len);
    tokens++;
  }
  free(copy);
  if (ok && tokens == 0)
    ok = fail(err, err_len, "no actions given (use 'answer' for default)");
  if (ok)
    ok = check_conflicts(&act, err, err_len);
  if (ok)
    *actions = act;
  return ok;
}

void rule_set_init(struct rule_set *set) {
  char unused[8];
  memset(set, 0, sizeof *set);
  actions_parse("nxdomain", &set->fallback, unused, sizeof unused);
}

void rule_set_free(struct rule_set *set) {
  for (size_t i = 0; i < set->count; i++)
    free(set->rules[i].glob);
  free(set->rules);
  set->rules = NULL;
  set->count = set->cap = 0;
}

/* Names are matched lower-cased and without trailing dot; the glob is
   brought to the same form so "And.Dev." still means and.dev. */
static char *normalize_glob(const char *glob, size_t len) {
  char *out = xmalloc(len + 1);
  for (size_t i = 0; i < len; i++)
    out[i] = (char)tolower((unsigned char)glob[i]);
  if (len > 0 && out[len - 1] == '.')
    len--;
  out[len] = '\0';
  return out;
}

static void append_rule(struct rule_set *set, char *glob,
                        const struct actions *actions) {
  if (set->count == set->cap) {
    set->cap = set->cap ? set->cap * 2 : 16;
    set->rules = xrealloc(set->rules, set->cap * sizeof *set->rules);
  }
  set->rules[set->count].glob = glob;
  set->rules[set->count].actions = *actions;
  set->count++;
}

/* Splits "GLOB ACTIONS"; blank and '#' lines are accepted and add nothing. */
bool rule_set_add_line(struct rule_set *set, const char *line, char *err,
                       size_t err_len) {
  line += strspn(line, " \t\r\n");
  if (*line == '\0' || *line == '#')
    return true;
  size_t glob_len = strcspn(line, " \t\r\n");
  const char *rest = line + glob_len;
  if (strspn(rest, " \t\r\n") == strlen(rest))
    return fail(err, err_len, "no ACTIONS after '%.*s'", (int)glob_len, line);
  struct actions actions;
  if (!actions_parse(rest, &actions, err, err_len))
    return false;
  append_rule(set, normalize_glob(line, glob_len), &actions);
  return true;
}

bool rule_set_add_file(struct rule_set *set, const char *path, char *err,
                       size_t err_len) {
  FILE *file = fopen(path, "r");
  if (!file)
    return fail(err, err_len, "%s: %s", path, strerror(errno));
  char *line = NULL;
  size_t line_cap = 0;
  unsigned line_no = 0;
  bool ok = true;
  char why[256];
  while (ok && getline(&line, &line_cap, file) >= 0) {
    line_no++;
    if (!rule_set_add_line(set, line, why, sizeof why))
      ok = fail(err, err_len, "%s:%u: %s", path, line_no, why);
  }
  if (ok && ferror(file))
    ok = fail(err, err_len, "%s: read error", path);
  free(line);
  fclose(file);
  return ok;
}

const struct actions *rule_set_match(const struct rule_set *set,
                                     const char *name) {
  for (size_t i = 0; i < set->count; i++)
    if (fnmatch(set->rules[i].glob, name, 0) == 0)
      return &set->rules[i].actions;
  return &set->fallback;
}
