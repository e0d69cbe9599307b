/* Command-line parsing: the option table is the single source of truth for
 * getopt_long, --help and the test that checks the man page. */
#include "blogdom/cli.h"

#include <errno.h>
#include <ares.h>
#include <curl/curl.h>
#include <dlfcn.h>
#include <getopt.h>
#include <idn2.h>
#include <jansson.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "blogdom/dnsmsg.h"
#include "blogdom/names.h"
#include "blogdom/output.h"
#include "blogdom/rrtype.h"
#include "blogdom/text.h"

/* For XXH3_state_t on the stack. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

enum option_id {
  OPT_FILE = 'f',
  OPT_TLD = 't',
  OPT_MAX_LEN = 'm',
  OPT_SERVER = 's',
  OPT_RESOLVERS = 'r',
  OPT_CONCURRENCY = 'c',
  OPT_JSON = 'j',
  OPT_QUIET = 'q',
  OPT_VERBOSE = 'v',
  OPT_HELP = 'h',
  OPT_VERSION = 'V',
  OPT_AUTHORITATIVE = 'A',
  OPT_OUTPUT = 'o',
  OPT_TIMEOUT = 256,
  OPT_TRIES,
  OPT_TYPE,
  OPT_RATE,
  OPT_ORDER,
  OPT_ONLY,
  OPT_STATS,
  OPT_PROGRESS,
  OPT_NO_PROGRESS,
  OPT_SHARD,
  OPT_NO_WILDCARD_CHECK,
  OPT_TRUST_RESOLVER,
  OPT_CONFIRM,
  OPT_RDAP_BOOTSTRAP,
  OPT_RDAP_URL,
  OPT_RDAP_RATE,
  OPT_RDAP_TIMEOUT,
  OPT_RDAP_TRIES,
  OPT_ROOT,
  OPT_SERVER_RATE,
  OPT_FOR_SALE,
  OPT_ZONE,
  OPT_STATE
};

/* Flags of an option: how its argument is used and completed. */
#define F_FILE 1u    /* the argument is a path */
#define F_REPEAT 2u  /* each use adds to the last */
#define F_LIST 4u    /* the argument may be a comma-separated list */
#define F_ANYCASE 8u /* word() is matched in any case */

struct option_spec {
  const char *name;
  int id;
  const char *arg; /* NULL: takes no argument */
  const char *help;
  unsigned flags;
  const char *(*word)(size_t i); /* a fixed set of arguments, or NULL */
};

/* The words of --only and --order, for parsing and for the completions.
 * --only's first three follow enum bd_status, the last is
 * BD_ONLY_FOR_SALE: word i is bit 1u << i. */
static const char *const only_words[] = {"found", "notfound", "error",
                                         "for-sale"};
static const char *const order_words[] = {"arrival", "input"};

static const char *only_word(size_t i) {
  return i < sizeof(only_words) / sizeof(only_words[0]) ? only_words[i] : NULL;
}

static const char *order_word(size_t i) {
  return i < sizeof(order_words) / sizeof(order_words[0]) ? order_words[i]
                                                          : NULL;
}

static const struct option_spec table[] = {
    {"file", OPT_FILE, "FILE",
     "read names from FILE, one a line ('-': stdin); repeatable",
     F_FILE | F_REPEAT, NULL},
    {"zone", OPT_ZONE, "FILE",
     "judge names under FILE's zone by that zone file (plain or gzip), "
     "with no query; repeatable",
     F_FILE | F_REPEAT, NULL},
    {"tld", OPT_TLD, "TLD", "probe labels under TLD; repeatable (default dev)",
     F_REPEAT, NULL},
    {"max-len", OPT_MAX_LEN, "N",
     "built-in keywords of at most N letters, 0: all (default 4)", 0, NULL},
    {"server", OPT_SERVER, "ADDR[:PORT]",
     "DNS server to ask; repeatable, comma-separated, [v6]:port",
     F_REPEAT | F_LIST, NULL},
    {"resolvers", OPT_RESOLVERS, "FILE", "read servers from FILE, one a line",
     F_FILE | F_REPEAT, NULL},
    {"authoritative", OPT_AUTHORITATIVE, NULL,
     "ask each zone's own servers, from the root down; no resolver", 0, NULL},
    {"root", OPT_ROOT, "ADDR[:PORT]",
     "root server for --authoritative (implies it); repeatable",
     F_REPEAT | F_LIST, NULL},
    {"concurrency", OPT_CONCURRENCY, "N",
     "at most N queries in flight (default: as the path allows)", 0, NULL},
    {"timeout", OPT_TIMEOUT, "MS", "wait for each try (default 1500)", 0, NULL},
    {"tries", OPT_TRIES, "N", "tries in all before giving up (default 3)", 0,
     NULL},
    {"type", OPT_TYPE, "TYPE", "record type to ask for (default A)", F_ANYCASE,
     bd_rrtype_mnemonic},
    {"rate", OPT_RATE, "QPS",
     "at most QPS queries a second (default: no limit)", 0, NULL},
    {"server-rate", OPT_SERVER_RATE, "QPS",
     "at most QPS queries a second to each server, 0: no cap (default 0; "
     "100 with --authoritative)",
     0, NULL},
    {"order", OPT_ORDER, "WHEN", "'arrival' (default) or 'input' order", 0,
     order_word},
    {"json", OPT_JSON, NULL, "one JSON object a line", 0, NULL},
    {"output", OPT_OUTPUT, "FILE", "write the lines to FILE, not stdout",
     F_FILE, NULL},
    {"state", OPT_STATE, "FILE",
     "keep in FILE how far the run got: the same command continues it "
     "(needs -o)",
     F_FILE, NULL},
    {"only", OPT_ONLY, "STATUS",
     "print only found, notfound, error or for-sale lines; repeatable",
     F_REPEAT | F_LIST, only_word},
    {"stats", OPT_STATS, NULL, "print a summary on stderr at the end", 0, NULL},
    {"progress", OPT_PROGRESS, NULL, "show the progress line even off a TTY", 0,
     NULL},
    {"no-progress", OPT_NO_PROGRESS, NULL, "never show the progress line", 0,
     NULL},
    {"shard", OPT_SHARD, "K/N", "probe only shard K (0..N-1) of N", 0, NULL},
    {"no-wildcard-check", OPT_NO_WILDCARD_CHECK, NULL,
     "do not ask a random name under each TLD first", 0, NULL},
    {"trust-resolver", OPT_TRUST_RESOLVER, NULL,
     "skip the checks for a resolver that lies", 0, NULL},
    {"confirm", OPT_CONFIRM, NULL,
     "ask the registry (RDAP) about every name DNS calls free", 0, NULL},
    {"rdap-bootstrap", OPT_RDAP_BOOTSTRAP, "FILE",
     "RDAP servers from this dns.json (implies --confirm)", F_FILE, NULL},
    {"rdap-url", OPT_RDAP_URL, "URL",
     "send every RDAP query to this base URL (implies --confirm)", 0, NULL},
    {"rdap-rate", OPT_RDAP_RATE, "QPS",
     "RDAP queries a second per registry (default 10)", 0, NULL},
    {"rdap-timeout", OPT_RDAP_TIMEOUT, "MS",
     "wait for each RDAP request, connection included (default 10000)", 0,
     NULL},
    {"rdap-tries", OPT_RDAP_TRIES, "N",
     "RDAP requests a name may take when its registry fails (default 3)", 0,
     NULL},
    {"for-sale", OPT_FOR_SALE, NULL,
     "read the _for-sale TXT records (RFC 10023) of every name that exists", 0,
     NULL},
    {"quiet", OPT_QUIET, NULL, "print only fatal errors on stderr", 0, NULL},
    {"verbose", OPT_VERBOSE, NULL, "say more on stderr", 0, NULL},
    {"help", OPT_HELP, NULL, "show this help and exit", 0, NULL},
    {"version", OPT_VERSION, NULL, "show the version and exit", 0, NULL},
};

#define NOPTIONS (sizeof(table) / sizeof(table[0]))

void bd_cli_each_option(void (*fn)(const struct bd_cli_option *o, void *data),
                        void *data) {
  for (size_t i = 0; i < NOPTIONS; i++) {
    const struct option_spec *t = &table[i];
    struct bd_cli_option o = {t->name,
                              t->id < 256 ? (char)t->id : 0,
                              t->arg,
                              t->help,
                              BD_CLI_ARG_TEXT,
                              (t->flags & F_REPEAT) != 0,
                              (t->flags & F_LIST) != 0,
                              (t->flags & F_ANYCASE) != 0,
                              t->word};
    if (t->arg == NULL)
      o.kind = BD_CLI_ARG_NONE;
    else if (t->word != NULL)
      o.kind = BD_CLI_ARG_WORD;
    else if (t->flags & F_FILE)
      o.kind = BD_CLI_ARG_FILE;
    fn(&o, data);
  }
}

void bd_cli_help(FILE *out) {
  fputs("Usage: blogdom [OPTION]... [NAME]...\n"
        "Probe domain names with DNS and print one line per name, as the\n"
        "answers arrive: '+ NAME' exists, '  NAME' does not exist (NXDOMAIN),\n"
        "'? NAME' no definitive answer. A NAME without a dot is a label,\n"
        "probed under each TLD. With no NAME and no --file: the names on\n"
        "standard input when it is a pipe, a socket or a file (as -f -),\n"
        "else (a terminal, /dev/null) Python's keywords.\n\nOptions:\n",
        out);
  for (size_t i = 0; i < NOPTIONS; i++) {
    char left[48];
    const struct option_spec *o = &table[i];
    if (o->id < 256)
      snprintf(left, sizeof(left), "-%c, --%s%s%s", o->id, o->name,
               o->arg ? "=" : "", o->arg ? o->arg : "");
    else
      snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->arg ? "=" : "",
               o->arg ? o->arg : "");
    fprintf(out, "  %-28s %s\n", left, o->help);
  }
  fputs("\nExit status: 0 every name answered definitively, 1 some '?',\n"
        "2 usage or set-up error, an input file that failed while read, or\n"
        "a write error on standard output, 130/143 interrupted\n"
        "(SIGINT/SIGTERM), 141 standard output closed by its reader (as by\n"
        "head).\n"
        "See blogdom(1) for the line formats and examples.\n",
        out);
}

/* The version of the libcurl that --confirm would load, or NULL when it
 * cannot be loaded. curlapi.c's loader is not used: it resolves the whole
 * API and treats a missing libcurl as an error, while here its absence is
 * only a fact to leave out. The library stays loaded, as curlapi.c keeps
 * it: the string lives in it. */
static const char *libcurl_version(void) {
  void *lib = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
  curl_version_info_data *(*info)(CURLversion);
  const curl_version_info_data *data;

  if (lib == NULL)
    return NULL;
  /* dlsym(3)'s documented way to a function pointer. */
  *(void **)&info = dlsym(lib, "curl_version_info");
  if (info == NULL)
    return NULL;
  data = info(CURLVERSION_NOW);
  return data != NULL ? data->version : NULL;
}

/* The versions are those of the libraries loaded now, not of the headers
 * blogdom was built with: what a bug report needs. */
void bd_cli_version(FILE *out) {
  const char *curl = libcurl_version();
#if JANSSON_VERSION_HEX >= 0x020d00
  const char *jansson = jansson_version_str();
#else
  const char *jansson = JANSSON_VERSION;
#endif

  const char *psl = psl_get_version();

  fprintf(out, "blogdom %s\n", BD_VERSION);
  /* libpsl adds the IDNA library it was built with ("0.21.2
   * (+libidn2/2.3.3)"): one word per library keeps the list parseable. */
  fprintf(out, "libuv/%s c-ares/%s libidn2/%s libpsl/%.*s jansson/%s",
          uv_version_string(), ares_version(NULL), idn2_check_version(NULL),
          (int)strcspn(psl, " "), psl, jansson);
  if (curl != NULL)
    fprintf(out, " libcurl/%s", curl);
  fputc('\n', out);
}

/* Builds getopt's tables from ours. */
static void build_getopt(struct option *longs, char *shorts) {
  size_t n = 0;
  for (size_t i = 0; i < NOPTIONS; i++) {
    longs[i].name = table[i].name;
    longs[i].has_arg = table[i].arg ? required_argument : no_argument;
    longs[i].flag = NULL;
    longs[i].val = table[i].id;
    if (table[i].id < 256) {
      shorts[n++] = (char)table[i].id;
      if (table[i].arg)
        shorts[n++] = ':';
    }
  }
  memset(&longs[NOPTIONS], 0, sizeof(longs[0]));
  shorts[n] = '\0';
}

static const struct option_spec *find_option(int id) {
  for (size_t i = 0; i < NOPTIONS; i++)
    if (table[i].id == id)
      return &table[i];
  return NULL;
}

/* How many long options start with the name typed (up to any '='):
 * getopt_long accepts a prefix when it names one option only. */
static size_t prefix_matches(const char *typed) {
  size_t len = strcspn(typed, "=");
  size_t n = 0;
  for (size_t i = 0; i < NOPTIONS; i++)
    if (strncmp(table[i].name, typed, len) == 0)
      n++;
  return n;
}

/* getopt_long's optopt is the option's id, which for a long option with a
 * short form is its letter: "--json=yes" would be "unknown option -j". The
 * option is named as it was typed, its long name always shown. */
static void report_bad_option(int c, const char *typed) {
  const struct option_spec *o = optopt != 0 ? find_option(optopt) : NULL;
  bool typed_long = strncmp(typed, "--", 2) == 0;

  if (o != NULL && c == '?') {
    /* A known option is refused only when given a value it does not
     * take, which only the "--name=value" form can do. */
    bd_errorf("option --%s takes no value", o->name);
  } else if (o != NULL && typed_long) {
    bd_errorf("option --%s needs a value (--%s=%s)", o->name, o->name, o->arg);
  } else if (o != NULL) {
    bd_errorf("option -%c (--%s) needs a value", o->id, o->name);
  } else if (optopt != 0 && optopt < 256) {
    bd_errorf("unknown option -%c", optopt);
  } else {
    char shown[BD_ESCAPED_SIZE(64)];
    bd_text_escape(shown, sizeof(shown), typed, strnlen(typed, 64));
    bd_errorf("%s option '%s'",
              typed_long && prefix_matches(typed + 2) > 1 ? "ambiguous"
                                                          : "unknown",
              shown);
  }
  bd_errorf("try 'blogdom --help'");
}

static int parse_uint(const char *opt, const char *text, unsigned long long min,
                      unsigned long long max, unsigned long long *out) {
  char *end;
  unsigned long long v;
  if (text[0] < '0' || text[0] > '9')
    goto bad;
  errno = 0;
  v = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    goto bad;
  *out = v;
  return 0;
bad:
  bd_errorf("--%s takes a whole number from %llu to %llu", opt, min, max);
  return -1;
}

static int push(char ***list, size_t *n, char *item) {
  char **grown = realloc(*list, (*n + 1) * sizeof(**list));
  if (grown == NULL) {
    bd_errorf("out of memory");
    return -1;
  }
  grown[(*n)++] = item;
  *list = grown;
  return 0;
}

static int add_tld(struct bd_config *cfg, const char *text) {
  char name[BD_NAME_MAX + 1];
  size_t len;
  char *copy;
  enum bd_name_error err;

  if (text[0] == '.')
    text++;
  err = bd_name_normalize(text, strlen(text), name, &len);
  if (err != BD_NAME_OK) {
    char shown[BD_ESCAPED_SIZE(64)];
    bd_text_escape(shown, sizeof(shown), text, strnlen(text, 64));
    bd_errorf("invalid TLD '%s': %s", shown, bd_name_strerror(err));
    return -1;
  }
  copy = strdup(name);
  if (copy == NULL || push(&cfg->tlds, &cfg->ntlds, copy) != 0) {
    free(copy);
    return -1;
  }
  return 0;
}

static int add_server_specs(struct bd_server_list *list, const char *csv,
                            const char *where) {
  const char *bad;
  size_t bad_len;
  enum bd_server_error err = bd_server_list_add(list, csv, &bad, &bad_len);
  char readings[2 * BD_SERVER_TEXT + 8];
  if (err == BD_SERVER_AMBIGUOUS) {
    /* Only addresses and digits: nothing to escape. */
    bd_server_readings(bad, bad_len, readings, sizeof(readings));
    bd_errorf("%sambiguous server '%.*s': %s; write [ADDR]:PORT for a port, "
              "[ADDR] for port 53",
              where, (int)bad_len, bad, readings);
    return -1;
  }
  if (err != BD_SERVER_OK) {
    char shown[BD_ESCAPED_SIZE(64)];
    bd_text_escape(shown, sizeof(shown), bad, bad_len < 64 ? bad_len : 64);
    bd_errorf("%sinvalid server '%s': %s", where, shown,
              bd_server_strerror(err));
    return -1;
  }
  return 0;
}

static int add_servers(struct bd_config *cfg, const char *csv,
                       const char *where) {
  return add_server_specs(&cfg->servers, csv, where);
}

/* -r FILE: one server a line, '#' comments, as massdns reads them. */
static int add_resolver_file(struct bd_config *cfg, const char *path) {
  FILE *f = fopen(path, "r");
  char line[256];
  char where[300];
  int rc = 0;
  unsigned lineno = 0;
  size_t before = cfg->servers.count + cfg->servers.merged;

  if (f == NULL) {
    bd_errorf("cannot open %s: %s", path, strerror(errno));
    return -1;
  }
  while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
    size_t len = strcspn(line, "#\r\n");
    lineno++;
    line[len] = '\0';
    if (strspn(line, " \t") == len)
      continue;
    snprintf(where, sizeof(where), "%s:%u: ", path, lineno);
    rc = add_servers(cfg, line, where);
  }
  if (rc == 0 && ferror(f)) {
    bd_errorf("cannot read %s: %s", path, strerror(errno));
    rc = -1;
  }
  /* A list with nothing in it must not fall back to the system's resolver:
   * the names would go to a server the user never chose. */
  if (rc == 0 && cfg->servers.count + cfg->servers.merged == before) {
    bd_errorf("no servers in %s", path);
    rc = -1;
  }
  fclose(f);
  return rc;
}

/* only_words[]: word i is bit 1u << i (BD_ONLY_*). "for-sale" implies
 * --for-sale, which alone can find such names. */
static int add_only(struct bd_config *cfg, const char *text) {
  const char *p = text;
  for (;;) {
    size_t len = strcspn(p, ",");
    size_t i;
    for (i = 0; only_word(i) != NULL; i++)
      if (strlen(only_word(i)) == len && strncmp(p, only_word(i), len) == 0)
        break;
    if (only_word(i) == NULL) {
      bd_errorf("--only takes found, notfound, error or for-sale");
      return -1;
    }
    cfg->only |= 1u << i;
    if ((1u << i) == BD_ONLY_FOR_SALE)
      cfg->for_sale = true;
    if (p[len] == '\0')
      return 0;
    p += len + 1;
  }
}

static int apply(struct bd_config *cfg, int id, char *arg) {
  unsigned long long v;

  switch (id) {
  case OPT_FILE:
    return push(&cfg->files, &cfg->nfiles, arg);
  case OPT_ZONE:
    return push(&cfg->zones, &cfg->nzones, arg);
  case OPT_OUTPUT:
    cfg->output = arg;
    return 0;
  case OPT_STATE:
    cfg->state = arg;
    return 0;
  case OPT_TLD:
    return add_tld(cfg, arg);
  case OPT_MAX_LEN:
    if (parse_uint("max-len", arg, 0, 63, &v) != 0)
      return -1;
    cfg->max_len = (unsigned)v;
    return 0;
  case OPT_SERVER:
    return add_servers(cfg, arg, "");
  case OPT_RESOLVERS:
    return add_resolver_file(cfg, arg);
  case OPT_AUTHORITATIVE:
    cfg->authoritative = true;
    return 0;
  case OPT_ROOT:
    cfg->authoritative = true;
    return add_server_specs(&cfg->roots, arg, "--root: ");
  case OPT_CONCURRENCY:
    if (parse_uint("concurrency", arg, 1, 65536, &v) != 0)
      return -1;
    cfg->concurrency = (unsigned)v;
    return 0;
  case OPT_TIMEOUT:
    if (parse_uint("timeout", arg, 1, 600000, &v) != 0)
      return -1;
    cfg->timeout_ms = (unsigned)v;
    return 0;
  case OPT_TRIES:
    if (parse_uint("tries", arg, 1, 100, &v) != 0)
      return -1;
    cfg->tries = (unsigned)v;
    return 0;
  case OPT_TYPE:
    if (bd_rrtype_parse(arg, &cfg->qtype) != 0) {
      bd_errorf("--type takes a record type such as A, AAAA, MX or TYPE65");
      return -1;
    }
    return 0;
  case OPT_RATE:
    if (parse_uint("rate", arg, 0, 10000000, &v) != 0)
      return -1;
    cfg->rate = v;
    return 0;
  case OPT_SERVER_RATE:
    if (parse_uint("server-rate", arg, 0, 10000000, &v) != 0)
      return -1;
    cfg->server_rate = v;
    cfg->server_rate_given = true;
    return 0;
  case OPT_ORDER:
    if (strcmp(arg, order_words[0]) != 0 && strcmp(arg, order_words[1]) != 0) {
      bd_errorf("--order takes 'arrival' or 'input'");
      return -1;
    }
    cfg->input_order = strcmp(arg, order_words[1]) == 0;
    return 0;
  case OPT_JSON:
    cfg->json = true;
    return 0;
  case OPT_ONLY:
    return add_only(cfg, arg);
  case OPT_STATS:
    cfg->stats = true;
    return 0;
  case OPT_PROGRESS:
    cfg->progress = BD_PROGRESS_ON;
    return 0;
  case OPT_NO_PROGRESS:
    cfg->progress = BD_PROGRESS_OFF;
    return 0;
  case OPT_SHARD:
    if (bd_shard_parse(arg, &cfg->shard) != 0) {
      bd_errorf("--shard takes K/N with 0 <= K < N, such as 0/4");
      return -1;
    }
    return 0;
  case OPT_NO_WILDCARD_CHECK:
    cfg->no_wildcard_check = true;
    return 0;
  case OPT_TRUST_RESOLVER:
    cfg->trust_resolver = true;
    return 0;
  case OPT_CONFIRM:
    cfg->confirm = true;
    return 0;
  case OPT_RDAP_BOOTSTRAP:
    cfg->confirm = true;
    cfg->rdap_bootstrap = arg;
    return 0;
  case OPT_RDAP_URL:
    cfg->confirm = true;
    cfg->rdap_url = arg;
    return 0;
  case OPT_FOR_SALE:
    cfg->for_sale = true;
    return 0;
  case OPT_RDAP_RATE:
    if (parse_uint("rdap-rate", arg, 1, 1000, &v) != 0)
      return -1;
    cfg->rdap_rate = (unsigned)v;
    return 0;
  case OPT_RDAP_TIMEOUT:
    if (parse_uint("rdap-timeout", arg, 100, 600000, &v) != 0)
      return -1;
    cfg->rdap_timeout_ms = (unsigned)v;
    return 0;
  case OPT_RDAP_TRIES:
    if (parse_uint("rdap-tries", arg, 1, 20, &v) != 0)
      return -1;
    cfg->rdap_tries = (unsigned)v;
    return 0;
  case OPT_QUIET:
    cfg->verbosity = BD_QUIET;
    return 0;
  case OPT_VERBOSE:
    cfg->verbosity = BD_VERBOSE;
    return 0;
  default:
    return -1;
  }
}

static void set_defaults(struct bd_config *cfg) {
  memset(cfg, 0, sizeof(*cfg));
  cfg->max_len = BD_DEFAULT_MAX_LEN;
  cfg->timeout_ms = BD_DEFAULT_TIMEOUT_MS;
  cfg->tries = BD_DEFAULT_TRIES;
  cfg->qtype = BD_DNS_TYPE_A;
  cfg->progress = BD_PROGRESS_AUTO;
  cfg->verbosity = BD_NORMAL;
}

/* The name of stdin among the -f paths, which point into argv. */
static char stdin_name[] = "-";

/* ripgrep's rule: names come from stdin only when something was plainly
 * put there. A terminal would wait for typing, and a cron job or a
 * service runs with stdin on /dev/null (a character device): both keep
 * the built-in list, as does a closed stdin (main.c reopens it on
 * /dev/null). */
bool bd_cli_stdin_has_names(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0)
    return false;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode);
}

enum bd_cli_status bd_cli_parse(int argc, char **argv, struct bd_config *cfg) {
  struct option longs[NOPTIONS + 1];
  char shorts[2 * NOPTIONS + 2];
  int c;

  set_defaults(cfg);
  build_getopt(longs, shorts + 1);
  shorts[0] = ':'; /* report a missing argument apart from an unknown one */
  opterr = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
    if (c == OPT_HELP) {
      bd_cli_help(stdout);
      return BD_CLI_DONE;
    }
    if (c == OPT_VERSION) {
      bd_cli_version(stdout);
      return BD_CLI_DONE;
    }
    if (c == '?' || c == ':') {
      report_bad_option(c, argv[optind - 1]);
      return BD_CLI_USAGE;
    }
    if (apply(cfg, c, optarg) != 0)
      return BD_CLI_USAGE;
  }
  /* A resolver in between is what this mode does without. */
  if (cfg->authoritative && cfg->servers.count > 0) {
    bd_errorf("--authoritative asks each zone's own servers: it takes no "
              "--server or --resolvers");
    return BD_CLI_USAGE;
  }
  if (cfg->state != NULL && cfg->output == NULL) {
    bd_errorf("--state keeps how far the output got: it needs -o FILE");
    return BD_CLI_USAGE;
  }
  if (cfg->servers.merged == 1)
    bd_notef("server %s given twice: asked as one server",
             cfg->servers.first_merged);
  else if (cfg->servers.merged > 1)
    bd_notef("server addresses given more than once (%zu repeats, the first "
             "%s): each is asked as one server",
             cfg->servers.merged, cfg->servers.first_merged);
  if (cfg->authoritative && !cfg->server_rate_given)
    cfg->server_rate = BD_DEFAULT_AUTH_SERVER_RATE;
  cfg->names = argv + optind;
  cfg->nnames = (size_t)(argc - optind);
  if (cfg->nnames == 0 && cfg->nfiles == 0 &&
      bd_cli_stdin_has_names(STDIN_FILENO) &&
      push(&cfg->files, &cfg->nfiles, stdin_name) != 0)
    return BD_CLI_USAGE;
  if (cfg->ntlds == 0 && add_tld(cfg, BD_DEFAULT_TLD) != 0)
    return BD_CLI_USAGE;
  if (cfg->only == 0)
    cfg->only = BD_ONLY_ALL;
  return BD_CLI_RUN;
}

/* Feeds one option's value to the key. */
static void key_bytes(XXH3_state_t *st, const void *p, size_t n) {
  XXH3_64bits_update(st, &n, sizeof(n));
  XXH3_64bits_update(st, p, n);
}

uint64_t bd_config_lines_key(const struct bd_config *cfg) {
  XXH3_state_t st;
  unsigned flags = (unsigned)cfg->confirm | (unsigned)cfg->json << 1 |
                   (unsigned)cfg->authoritative << 2 |
                   (unsigned)cfg->for_sale << 3 |
                   (unsigned)cfg->no_wildcard_check << 4;
  XXH3_64bits_reset(&st);
  for (size_t i = 0; i < cfg->ntlds; i++)
    key_bytes(&st, cfg->tlds[i], strlen(cfg->tlds[i]));
  for (size_t i = 0; i < cfg->nzones; i++)
    key_bytes(&st, cfg->zones[i], strlen(cfg->zones[i]));
  key_bytes(&st, &cfg->max_len, sizeof(cfg->max_len));
  key_bytes(&st, &cfg->qtype, sizeof(cfg->qtype));
  key_bytes(&st, &cfg->shard, sizeof(cfg->shard));
  key_bytes(&st, &cfg->only, sizeof(cfg->only));
  key_bytes(&st, &flags, sizeof(flags));
  return XXH3_64bits_digest(&st);
}

void bd_config_free(struct bd_config *cfg) {
  for (size_t i = 0; i < cfg->ntlds; i++)
    free(cfg->tlds[i]);
  free(cfg->tlds);
  free(cfg->files);
  free(cfg->zones);
  bd_server_list_free(&cfg->servers);
  bd_server_list_free(&cfg->roots);
  memset(cfg, 0, sizeof(*cfg));
}
