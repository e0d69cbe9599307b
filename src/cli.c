/* Command-line parsing: the option table is the single source of truth for
 * getopt_long, --help and the test that checks the man page. What is said
 * about the options (--help, --version, a refused option) is usage.c's. */
#include "blogdom/cli.h"
#include "cli_int.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
  OPT_WHOIS_HOST,
  OPT_WHOIS_SERVERS,
  OPT_WHOIS_RATE,
  OPT_WHOIS_TIMEOUT,
  OPT_ROOT,
  OPT_SERVER_RATE,
  OPT_FOR_SALE,
  OPT_ZONE,
  OPT_STATE
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

const struct option_spec cli_options[] = {
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
    {"whois-servers", OPT_WHOIS_SERVERS, "FILE",
     "WHOIS servers of the TLDs without RDAP from FILE (implies --confirm)",
     F_FILE, NULL},
    {"whois-host", OPT_WHOIS_HOST, "ADDR[:PORT]",
     "send every WHOIS query to this server (implies --confirm)", 0, NULL},
    {"whois-rate", OPT_WHOIS_RATE, "QPS",
     "WHOIS queries a second per server (default 1)", 0, NULL},
    {"whois-timeout", OPT_WHOIS_TIMEOUT, "MS",
     "wait for each WHOIS query, connection included (default 10000)", 0, NULL},
    {"for-sale", OPT_FOR_SALE, NULL,
     "read the _for-sale TXT records (RFC 10023) of every name that exists", 0,
     NULL},
    {"quiet", OPT_QUIET, NULL, "print only fatal errors on stderr", 0, NULL},
    {"verbose", OPT_VERBOSE, NULL, "say more on stderr", 0, NULL},
    {"help", OPT_HELP, NULL, "show this help and exit", 0, NULL},
    {"version", OPT_VERSION, NULL, "show the version and exit", 0, NULL},
};

#define NOPTIONS (sizeof(cli_options) / sizeof(cli_options[0]))
const size_t cli_noptions = NOPTIONS;

void bd_cli_each_option(void (*fn)(const struct bd_cli_option *o, void *data),
                        void *data) {
  for (size_t i = 0; i < NOPTIONS; i++) {
    const struct option_spec *t = &cli_options[i];
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

/* Builds getopt's tables from ours. */
static void build_getopt(struct option *longs, char *shorts) {
  size_t n = 0;
  for (size_t i = 0; i < NOPTIONS; i++) {
    longs[i].name = cli_options[i].name;
    longs[i].has_arg = cli_options[i].arg ? required_argument : no_argument;
    longs[i].flag = NULL;
    longs[i].val = cli_options[i].id;
    if (cli_options[i].id < 256) {
      shorts[n++] = (char)cli_options[i].id;
      if (cli_options[i].arg)
        shorts[n++] = ':';
    }
  }
  memset(&longs[NOPTIONS], 0, sizeof(longs[0]));
  shorts[n] = '\0';
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
    cfg->qtype_given = true;
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
    cfg->format = BD_FORMAT_JSON;
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
  case OPT_WHOIS_SERVERS:
    cfg->confirm = true;
    cfg->whois_servers = arg;
    return 0;
  case OPT_WHOIS_HOST:
    cfg->confirm = true;
    cfg->whois_host = arg;
    return 0;
  case OPT_WHOIS_RATE:
    if (parse_uint("whois-rate", arg, 1, 100, &v) != 0)
      return -1;
    cfg->whois_rate = (unsigned)v;
    return 0;
  case OPT_WHOIS_TIMEOUT:
    if (parse_uint("whois-timeout", arg, 100, 600000, &v) != 0)
      return -1;
    cfg->whois_timeout_ms = (unsigned)v;
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
      cli_report_bad_option(c, argv[optind - 1]);
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
  unsigned flags = (unsigned)cfg->confirm | (unsigned)cfg->authoritative << 2 |
                   (unsigned)cfg->for_sale << 3 |
                   (unsigned)cfg->no_wildcard_check << 4 |
                   (unsigned)cfg->qtype_given << 5;
  XXH3_64bits_reset(&st);
  key_bytes(&st, &cfg->format, sizeof(cfg->format));
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
