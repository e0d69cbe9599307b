/* The registries' WHOIS formats, and a reply judged by one of them. Every
 * pattern below has a reply of its own in tests/whois/, one file per
 * format: change one, change the other. */
#include "blogdom/whoisreply.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "blogdom/common.h"

/* Longer lines are judged by their start: every pattern is short. */
#define LINE_MAX 256

#define LIST(...) ((const char *const[]){__VA_ARGS__, NULL})

/* What any registry may say when it will not answer: a limit on queries
 * a client may make, or a refusal. */
static const char *const any_limit[] = {"limit exceeded",
                                        "limit reached",
                                        "too many requests",
                                        "too many queries",
                                        "exceeded allowed connection rate",
                                        "maximum number of queries",
                                        "maximum queries",
                                        "query quota",
                                        "please slow down",
                                        "try again later",
                                        "excessive querying",
                                        "access denied",
                                        NULL};

static const struct bd_whoisformat formats[] = {
    /* The gTLD registries' format of ICANN's registry agreements
     * (Specification 4), which most registries without a format of their
     * own follow: Identity Digital's .io, .co, .me, CentralNic, GoDaddy
     * Registry's .us. The default. */
    {"icann", LIST("io", "co", "me", "us", "ac", "sh", "ag", "bz"),
     LIST("^no match for", "^not found", "^domain not found", "^no data found",
          "^the queried object does not exist", "^no entries found",
          "^no object found"),
     LIST("^domain name: ", "^registry domain id:"), LIST("^whois limit")},
    /* Verisign's registries: "No match for "X"." */
    {"verisign", LIST("com", "net", "cc", "tv", "name"),
     LIST("^no match for \""), LIST("^domain name: ", "^registry domain id:"),
     LIST("^whois limit")},
    /* DENIC: one status line, "free" or "connect" (in the zone) or
     * "failed" (registered, its name servers broken). */
    {"denic", LIST("de"), LIST("^status: free$"),
     LIST("^status: connect$", "^status: failed$"),
     LIST("^error: 55000000002", "access control limit")},
    /* Registro .it: "Status: AVAILABLE"; "UNASSIGNABLE" (reserved) is
     * neither. */
    {"nicit", LIST("it"), LIST("^status: available$"),
     LIST("^created: ", "^registrar$"), LIST("^error: too many")},
    /* Nominet (.uk): "This domain name has not been registered." */
    {"nominet", LIST("uk"),
     LIST("^this domain name has not been registered", "^no match for \""),
     LIST("^registrar:$", "^registration status:$", "^relevant dates:$"),
     LIST("quota")},
    /* JPRS (.jp): "No match!!", or records in brackets. */
    {"jprs", LIST("jp"), LIST("^no match!!"),
     LIST("[domain name]", "[registrant]"), LIST("^query limit")},
    /* Registro.br: "% No match for domain "X"". */
    {"registrobr", LIST("br"), LIST("^no match for domain"),
     LIST("^owner: ", "^created: "), LIST("^query rate limit")},
    /* EURid (.eu): "Status: AVAILABLE"; a registered domain has no status
     * line, but its registrar and name servers. */
    {"eurid", LIST("eu"), LIST("^status: available$"),
     LIST("^registrar:$", "^name servers:$"),
     LIST("still in grace period", "^-8:")},
    /* TCI, the .ru, .su and .рф registry (RIPN's format). */
    {"tcinet", LIST("ru", "su", "xn--p1ai"),
     LIST("^no entries found for the selected source"),
     LIST("^state: registered", "^registrar: "),
     LIST("you are exceeded allowed connection rate")},
    /* AFNIC (.fr and the overseas TLDs): a refusal ends with "No entries
     * found", which is why limits are judged first. */
    {"afnic", LIST("fr", "re", "pm", "tf", "wf", "yt"),
     LIST("^no entries found in the afnic database"),
     LIST("^holder-c: ", "^status: active$", "^status: registered$"),
     LIST("^too many requests")},
    /* DNS Belgium (.be): "AVAILABLE" or "NOT AVAILABLE". */
    {"dnsbe", LIST("be"), LIST("^status: available$"),
     LIST("^status: not available$", "^registered: "),
     LIST("excessive querying", "maximum queries per hour")},
    /* CNNIC (.cn, .中国). */
    {"cnnic", LIST("cn", "xn--fiqs8s", "xn--fiqz9s"),
     LIST("^no matching record"), LIST("^roid: ", "^registration time: "),
     LIST("^you have exceeded")},
};

/* ---- lines --------------------------------------------------------- */

static bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

static bool is_mark(char c) {
  return c == '%' || c == '#' || c == '>' || c == '*';
}

/* line[0..len) as the patterns see it, into out (LINE_MAX + 1 bytes). */
static size_t normalize(const char *line, size_t len, char *out) {
  size_t i = 0;
  size_t n = 0;

  while (i < len && (is_blank(line[i]) || is_mark(line[i])))
    i++;
  for (; i < len && n < LINE_MAX; i++) {
    if (is_blank(line[i])) {
      if (n > 0 && out[n - 1] != ' ')
        out[n++] = ' ';
      continue;
    }
    out[n++] = (char)tolower((unsigned char)line[i]);
  }
  while (n > 0 && out[n - 1] == ' ')
    n--;
  out[n] = '\0';
  return n;
}

static bool matches(const char *line, size_t len, const char *pattern) {
  bool start = pattern[0] == '^';
  size_t plen;
  bool end;

  if (start)
    pattern++;
  plen = strlen(pattern);
  end = plen > 0 && pattern[plen - 1] == '$';
  if (end)
    plen--;
  if (plen > len)
    return false;
  if (start && end)
    return plen == len && memcmp(line, pattern, plen) == 0;
  if (start)
    return memcmp(line, pattern, plen) == 0;
  if (end)
    return memcmp(line + len - plen, pattern, plen) == 0;
  for (size_t i = 0; i + plen <= len; i++)
    if (memcmp(line + i, pattern, plen) == 0)
      return true;
  return false;
}

static bool any_match(const char *line, size_t len,
                      const char *const *patterns) {
  for (; *patterns != NULL; patterns++)
    if (matches(line, len, *patterns))
      return true;
  return false;
}

/* ---- replies ------------------------------------------------------- */

enum bd_whoisreply bd_whoisreply_classify(const struct bd_whoisformat *f,
                                          const char *reply, size_t len) {
  char line[LINE_MAX + 1];
  bool free = false;
  bool registered = false;
  size_t at = 0;

  while (at < len) {
    const char *nl = memchr(reply + at, '\n', len - at);
    size_t end = nl != NULL ? (size_t)(nl - reply) : len;
    size_t n = normalize(reply + at, end - at, line);

    at = end + 1;
    if (n == 0)
      continue;
    if (any_match(line, n, f->limited) || any_match(line, n, any_limit))
      return BD_WHOISREPLY_LIMITED;
    free = free || any_match(line, n, f->free);
    registered = registered || any_match(line, n, f->registered);
  }
  if (free != registered)
    return free ? BD_WHOISREPLY_FREE : BD_WHOISREPLY_REGISTERED;
  return BD_WHOISREPLY_UNRECOGNIZED;
}

const struct bd_whoisformat *bd_whoisreply_format(const char *domain) {
  size_t n = strlen(domain);
  const char *tld;
  size_t tlen;

  if (n > 0 && domain[n - 1] == '.')
    n--;
  tld = domain + n;
  while (tld > domain && tld[-1] != '.')
    tld--;
  tlen = (size_t)(domain + n - tld);
  for (size_t i = 0; i < BD_ARRAY_SIZE(formats); i++)
    for (const char *const *t = formats[i].tlds; *t != NULL; t++)
      if (strlen(*t) == tlen && strncasecmp(*t, tld, tlen) == 0)
        return &formats[i];
  return &formats[0];
}

const struct bd_whoisformat *bd_whoisreply_format_named(const char *name) {
  for (size_t i = 0; i < BD_ARRAY_SIZE(formats); i++)
    if (strcmp(formats[i].name, name) == 0)
      return &formats[i];
  return NULL;
}

const struct bd_whoisformat *bd_whoisreply_format_at(size_t i) {
  return i < BD_ARRAY_SIZE(formats) ? &formats[i] : NULL;
}

const char *bd_whoisreply_name(enum bd_whoisreply r) {
  switch (r) {
  case BD_WHOISREPLY_FREE:
    return "free";
  case BD_WHOISREPLY_REGISTERED:
    return "registered";
  case BD_WHOISREPLY_LIMITED:
    return "limited";
  case BD_WHOISREPLY_UNRECOGNIZED:
    break;
  }
  return "unrecognized";
}
