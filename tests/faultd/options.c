/* Command line parsing: turns argv into options and the rule set. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ratelimit.h"
#include "silence.h"
#include "sockets.h"

enum {
  OPT_BIND = 256,
  OPT_PORT,
  OPT_PORT_FILE,
  OPT_RULES,
  OPT_RULE,
  OPT_DEFAULT,
  OPT_LOG,
  OPT_SEED,
  OPT_STATS,
  OPT_RATE_LIMIT,
  OPT_RATE_BURST,
  OPT_SLIP,
  OPT_SILENCE,
  OPT_HELP
};

static const struct option LONG_OPTIONS[] = {
    {"bind", required_argument, NULL, OPT_BIND},
    {"port", required_argument, NULL, OPT_PORT},
    {"port-file", required_argument, NULL, OPT_PORT_FILE},
    {"rules", required_argument, NULL, OPT_RULES},
    {"rule", required_argument, NULL, OPT_RULE},
    {"default", required_argument, NULL, OPT_DEFAULT},
    {"log", required_argument, NULL, OPT_LOG},
    {"seed", required_argument, NULL, OPT_SEED},
    {"stats", required_argument, NULL, OPT_STATS},
    {"rate-limit", required_argument, NULL, OPT_RATE_LIMIT},
    {"rate-burst", required_argument, NULL, OPT_RATE_BURST},
    {"slip", required_argument, NULL, OPT_SLIP},
    {"silence", required_argument, NULL, OPT_SILENCE},
    {"help", no_argument, NULL, OPT_HELP},
    {NULL, 0, NULL, 0},
};

static const char USAGE[] =
    "usage: faultd [--bind ADDR] [--port N] [--port-file FILE]\n"
    "              [--rules FILE] [--rule 'GLOB ACTIONS']...\n"
    "              [--default ACTIONS] [--log FILE] [--seed N]\n"
    "              [--stats FILE] [--rate-limit QPS [--rate-burst N]\n"
    "              [--slip N]] [--silence AFTER:MS]\n"
    "A fault-injecting DNS server for tests; see tests/faultd/README.md.\n";

static enum options_result bad(const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  fputs("faultd: ", stderr);
  vfprintf(stderr, fmt, args);
  fputc('\n', stderr);
  va_end(args);
  return OPTIONS_EXIT_BAD;
}

static bool parse_u64(const char *text, uint64_t max, uint64_t *out) {
  if (text[0] < '0' || text[0] > '9')
    return false;
  char *end;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  if (errno || *end || value > max)
    return false;
  *out = value;
  return true;
}

/* AFTER:MS, as --silence takes it. */
static bool parse_silence(const char *text, uint64_t *after, uint64_t *ms) {
  const char *colon = strchr(text, ':');
  if (!colon || colon == text)
    return false;
  char head[32];
  size_t len = (size_t)(colon - text);
  if (len >= sizeof head)
    return false;
  memcpy(head, text, len);
  head[len] = '\0';
  return parse_u64(head, UINT64_MAX, after) &&
         parse_u64(colon + 1, SILENCE_MAX_MS, ms) && *ms > 0;
}

static enum options_result apply_option(int opt, const char *arg,
                                        struct options *options) {
  char err[512];
  uint64_t number;
  switch (opt) {
  case OPT_BIND:
    if (!sockets_parse_addr(arg, &options->bind_addr, &options->bind_addr_len))
      return bad("--bind %s: not an IPv4 or IPv6 address", arg);
    return OPTIONS_RUN;
  case OPT_PORT:
    if (!parse_u64(arg, UINT16_MAX, &number))
      return bad("--port %s: want 0..65535", arg);
    options->port = (uint16_t)number;
    return OPTIONS_RUN;
  case OPT_PORT_FILE:
    options->port_file = arg;
    return OPTIONS_RUN;
  case OPT_RULES:
    if (!rule_set_add_file(&options->rules, arg, err, sizeof err))
      return bad("--rules: %s", err);
    return OPTIONS_RUN;
  case OPT_RULE:
    if (!rule_set_add_line(&options->rules, arg, err, sizeof err))
      return bad("--rule '%s': %s", arg, err);
    return OPTIONS_RUN;
  case OPT_DEFAULT:
    if (!actions_parse(arg, &options->rules.fallback, err, sizeof err))
      return bad("--default '%s': %s", arg, err);
    return OPTIONS_RUN;
  case OPT_LOG:
    options->log_path = arg;
    return OPTIONS_RUN;
  case OPT_SEED:
    if (!parse_u64(arg, UINT64_MAX, &number))
      return bad("--seed %s: want an unsigned integer", arg);
    options->seed = number;
    return OPTIONS_RUN;
  case OPT_STATS:
    options->stats_path = arg;
    return OPTIONS_RUN;
  case OPT_RATE_LIMIT:
    if (!parse_u64(arg, RATELIMIT_MAX_RATE, &number))
      return bad("--rate-limit %s: want 0..%d queries a second", arg,
                 RATELIMIT_MAX_RATE);
    options->rate_limit = number;
    return OPTIONS_RUN;
  case OPT_RATE_BURST:
    if (!parse_u64(arg, RATELIMIT_MAX_RATE, &number) || number == 0)
      return bad("--rate-burst %s: want 1..%d queries", arg,
                 RATELIMIT_MAX_RATE);
    options->rate_burst = number;
    return OPTIONS_RUN;
  case OPT_SLIP:
    if (!parse_u64(arg, UINT32_MAX, &number))
      return bad("--slip %s: want an unsigned integer", arg);
    options->slip = number;
    return OPTIONS_RUN;
  case OPT_SILENCE:
    if (options->silence_ms)
      return bad("--silence given twice: one silence a run");
    if (!parse_silence(arg, &options->silence_after, &options->silence_ms))
      return bad("--silence %s: want AFTER:MS, AFTER queries received "
                 "before it and MS 1..%d milliseconds of it",
                 arg, SILENCE_MAX_MS);
    return OPTIONS_RUN;
  case OPT_HELP:
    fputs(USAGE, stdout);
    return OPTIONS_EXIT_OK;
  default:
    return OPTIONS_EXIT_BAD;
  }
}

static void set_defaults(struct options *options) {
  memset(options, 0, sizeof *options);
  sockets_parse_addr("127.0.0.1", &options->bind_addr, &options->bind_addr_len);
  options->seed = 1;
  rule_set_init(&options->rules);
}

enum options_result options_parse(int argc, char **argv,
                                  struct options *options) {
  set_defaults(options);
  opterr = 0; /* our own messages, all starting with "faultd: " */
  for (;;) {
    int opt = getopt_long(argc, argv, ":h", LONG_OPTIONS, NULL);
    if (opt == -1)
      break;
    if (opt == 'h')
      opt = OPT_HELP;
    if (opt == ':')
      return bad("%s needs a value", argv[optind - 1]);
    if (opt == '?')
      return bad("unknown option '%s' (try --help)", argv[optind - 1]);
    enum options_result result = apply_option(opt, optarg, options);
    if (result != OPTIONS_RUN)
      return result;
  }
  if (optind < argc)
    return bad("unexpected argument '%s'", argv[optind]);
  if ((options->rate_burst || options->slip) && !options->rate_limit)
    return bad("--rate-burst and --slip need --rate-limit");
  return OPTIONS_RUN;
}

void options_free(struct options *options) {
  rule_set_free(&options->rules);
}
