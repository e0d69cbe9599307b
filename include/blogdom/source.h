/* Where names come from: arguments, streamed files or stdin, or the built-in
 * keyword list, each label crossed with every TLD. A pull iterator: the
 * engine asks for the next name only when it has room for it. */
#ifndef BLOGDOM_SOURCE_H
#define BLOGDOM_SOURCE_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/linereader.h"
#include "blogdom/names.h"
#include "blogdom/shard.h"

struct bd_source_config {
  char *const *names; /* NAME arguments, in order */
  size_t nnames;
  char *const *files; /* -f paths, "-" is stdin */
  size_t nfiles;
  char *const *tlds; /* normalized TLDs (at least one) */
  size_t ntlds;
  unsigned max_len; /* built-in keywords up to this length; 0: all */
  struct bd_shard shard;
};

/* One probe to make. A valid name is normalized in name[]; an invalid one
 * keeps the input text (possibly cut short) for the error line. */
struct bd_item {
  enum bd_name_error error;
  size_t len;
  bool truncated; /* the input was longer than text[] holds */
  char text[BD_LINE_KEEP + BD_NAME_MAX + 2];
};

enum bd_source_status {
  BD_SOURCE_ITEM,  /* *item is the next probe */
  BD_SOURCE_AGAIN, /* wait until bd_source_wait_fd() is readable */
  BD_SOURCE_END    /* all input consumed; a failed file ends early */
};

/* An input file that could not be read to its end. */
struct bd_source_failure {
  const char *path; /* as given (borrowed from the config); "-" is stdin */
  int err;          /* why, as a negative errno */
  bool opening;     /* open(2) itself failed, rather than a later read */
};

struct bd_source;

/* Opens every file up front, so that the caller can make a missing file a
 * set-up error before any query is sent: a file that cannot be opened, or
 * is a directory, is a failure (bd_source_next_failure) right away. Prints
 * nothing. Returns 0, or -ENOMEM. */
int bd_source_open(struct bd_source **out, const struct bd_source_config *cfg);
void bd_source_close(struct bd_source *src);

/* The next probe. A file whose read(2) fails is a failure and is left
 * there: its line cut short by the error is not taken, since a partial
 * name cannot be trusted, and the next file is read, so that one bad
 * input loses no other input's names. */
enum bd_source_status bd_source_next(struct bd_source *src,
                                     struct bd_item *item);

/* Hands out each failed input once, in the order the failures happened.
 * Returns false when no failure is left to hand out; the caller decides
 * what to tell (the source never prints). */
bool bd_source_next_failure(struct bd_source *src,
                            struct bd_source_failure *failure);

/* Calls fn with every name whose TLD is known before the input is read:
 * each TLD that labels will be crossed with (when the input can hold
 * labels), and each valid dotted NAME argument, normalized. */
void bd_source_each_known_tld(const struct bd_source *src,
                              void (*fn)(const char *name, void *data),
                              void *data);

/* The descriptor a BD_SOURCE_AGAIN waits on. */
int bd_source_wait_fd(const struct bd_source *src);

/* How many names the input holds, when known before reading it (arguments
 * and the built-in list); -1 for files. Sharding makes it an estimate. */
long long bd_source_total(const struct bd_source *src);

#endif
