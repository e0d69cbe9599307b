/* The command line's own header, shared by the files that make it up
 * (cli.c: the option table and the parsing; usage.c: what is said about
 * the options) and by no one else. The public interface is
 * blogdom/cli.h. */
#ifndef BLOGDOM_CLI_INT_H
#define BLOGDOM_CLI_INT_H

#include <stddef.h>

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

/* cli.c: the one option table, in --help's order. */
extern const struct option_spec cli_options[];
extern const size_t cli_noptions;

/* usage.c: says what was wrong with an option getopt_long refused. */
void cli_report_bad_option(int c, const char *typed);

#endif
