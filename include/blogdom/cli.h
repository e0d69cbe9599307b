/* The command line: one option table feeds getopt_long and --help. */
#ifndef BLOGDOM_CLI_H
#define BLOGDOM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "blogdom/format.h"
#include "blogdom/msg.h"
#include "blogdom/servers.h"
#include "blogdom/shard.h"

#define BD_DEFAULT_TLD "dev"
#define BD_DEFAULT_MAX_LEN 4
#define BD_DEFAULT_TIMEOUT_MS 1500
#define BD_DEFAULT_TRIES 3
/* What a server's window may hold however short its round trip (the loop
 * needs that much to keep a near server busy). */
#define BD_WINDOW_FLOOR 1000
/* The most queries in flight without -c, whatever the path: a query in
 * flight costs about 0.55 KiB (its probe, its try and c-ares's copy), so
 * this bounds them to under 7 MiB. It is 240,000 queries a second at 50 ms,
 * 60,000 at 200 ms: past what a resolver lets one client have. -c lifts it. */
#define BD_DEFAULT_WINDOW_MAX 12288
#define BD_DEFAULT_WINDOW_INIT 100
/* Each authoritative server gets at most this many queries a second unless
 * --server-rate says otherwise: half of NSD's default response rate limit
 * (200 a second per client network), and a TLD has several servers. */
#define BD_DEFAULT_AUTH_SERVER_RATE 100

enum bd_progress_mode { BD_PROGRESS_AUTO, BD_PROGRESS_ON, BD_PROGRESS_OFF };

struct bd_config {
  char **names; /* NAME arguments (pointers into argv) */
  size_t nnames;
  char **files; /* -f paths (pointers into argv) */
  size_t nfiles;
  char **zones; /* --zone paths (pointers into argv) */
  size_t nzones;
  const char *output; /* -o FILE, or NULL: stdout (a pointer into argv) */
  const char *state;  /* --state FILE, or NULL */
  char **tlds;        /* normalized, owned */
  size_t ntlds;
  unsigned max_len;
  struct bd_server_list servers; /* empty: the system's */
  bool authoritative;            /* ask each zone's servers, from the root */
  uint64_t server_rate;          /* queries a second to each server, 0: all */
  bool server_rate_given;
  struct bd_server_list roots; /* empty: the built-in root hints */
  unsigned concurrency;        /* 0: adaptive up to the default */
  unsigned timeout_ms;
  unsigned tries;
  uint16_t qtype;
  bool qtype_given; /* --type: -A asks a delegated name's own servers */
  uint64_t rate;
  bool input_order;
  enum bd_format format;
  unsigned only; /* BD_ONLY_* bits */
  bool stats;
  enum bd_progress_mode progress;
  struct bd_shard shard;
  enum bd_verbosity verbosity;
  bool no_wildcard_check;
  bool trust_resolver;
  bool confirm;
  const char *rdap_bootstrap; /* pointers into argv, or NULL */
  const char *rdap_url;
  unsigned rdap_rate;       /* 0: the default */
  unsigned rdap_timeout_ms; /* 0: the default */
  unsigned rdap_tries;      /* 0: the default */
  const char *whois_host;   /* pointers into argv, or NULL */
  const char *whois_servers;
  unsigned whois_rate;       /* 0: the default */
  unsigned whois_timeout_ms; /* 0: the default */
  bool for_sale;             /* ask _for-sale.NAME of every name that exists */
};

enum bd_cli_status {
  BD_CLI_RUN,  /* cfg is ready */
  BD_CLI_DONE, /* --help or --version was printed: exit 0 */
  BD_CLI_USAGE /* an error was printed: exit 2 */
};

/* Parses argv into cfg (which bd_config_free releases in every case). With
 * no NAME and no -f, stdin is read as by "-f -" when
 * bd_cli_stdin_has_names(STDIN_FILENO). */
enum bd_cli_status bd_cli_parse(int argc, char **argv, struct bd_config *cfg);

void bd_config_free(struct bd_config *cfg);

/* A key of the options that change which names get which lines (-t, -m,
 * --type, --confirm, --shard, --json, --only, -A, --for-sale, --zone, the
 * wildcard check): a --state made with another key is refused. Servers,
 * pace, order and timeouts are not in it. */
uint64_t bd_config_lines_key(const struct bd_config *cfg);

/* True when fd is a pipe, a FIFO, a socket or a regular file: input that
 * was put there; false for a terminal, a character device such as
 * /dev/null, anything else, or a closed fd. */
bool bd_cli_stdin_has_names(int fd);

/* Writes --help; every option of the table is in it. */
void bd_cli_help(FILE *out);

/* Writes --version: "blogdom X.Y.Z", then the libraries it runs with as
 * curl does ("libuv/1.44.2 c-ares/1.18.1 ..."), libcurl only when it can be
 * loaded. */
void bd_cli_version(FILE *out);

/* What a shell may offer as an option's argument. */
enum bd_cli_arg {
  BD_CLI_ARG_NONE, /* the option takes no argument */
  BD_CLI_ARG_TEXT, /* free text (an address, a number): nothing to offer */
  BD_CLI_ARG_FILE, /* a path */
  BD_CLI_ARG_WORD  /* one of a fixed set of words: bd_cli_option.word */
};

/* One option of the table, as --help, the man page test and the shell
 * completions (completions/gencompletions.c) see it. */
struct bd_cli_option {
  const char *name; /* the long name, without "--" */
  char letter;      /* the short form, or 0 */
  const char *arg;  /* the argument's name in --help, or NULL */
  const char *help;
  enum bd_cli_arg kind;
  bool repeatable; /* each use adds (-f, -t, -s ...), not replaces */
  bool list;       /* the argument may be a comma-separated list */
  bool any_case;   /* BD_CLI_ARG_WORD: the words are matched in any case */
  /* BD_CLI_ARG_WORD: the i-th word, NULL past the last. */
  const char *(*word)(size_t i);
};

/* Calls fn with each option of the table, in --help's order. */
void bd_cli_each_option(void (*fn)(const struct bd_cli_option *o, void *data),
                        void *data);

#endif
