/* Command line parsing: turns argv into options and the rule set. */
#ifndef FAULTD_OPTIONS_H
#define FAULTD_OPTIONS_H

#include <stdint.h>
#include <sys/socket.h>

#include "rules.h"

struct options {
  struct sockaddr_storage bind_addr;
  socklen_t bind_addr_len;
  uint16_t port;          /* 0: pick a free one */
  const char *port_file;  /* NULL: none */
  const char *log_path;   /* NULL: no log */
  const char *stats_path; /* NULL: no counts at exit */
  uint64_t seed;
  uint64_t rate_limit;    /* UDP queries a second per source; 0: no limit */
  uint64_t rate_burst;    /* 0: rate_limit (one second's worth) */
  uint64_t slip;          /* every slip-th limited query gets TC=1; 0: none */
  uint64_t silence_after; /* queries received before the silence */
  uint64_t silence_ms;    /* its length; 0: no --silence */
  struct rule_set rules;  /* --rules and --rule in order, plus --default */
};

enum options_result {
  OPTIONS_RUN,
  OPTIONS_EXIT_OK, /* --help was printed */
  OPTIONS_EXIT_BAD /* an error line was printed */
};

/* On every result, options_free must be called afterwards. */
enum options_result options_parse(int argc, char **argv,
                                  struct options *options);
void options_free(struct options *options);

#endif
