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
  BD_SOURCE_END,   /* all input consumed */
  BD_SOURCE_ERROR  /* a read failed: reported on stderr, input ends */
};

struct bd_source;

/* Opens every file up front, so a missing file is a set-up error before any
 * query is sent. Returns 0, or -1 after printing why. */
int bd_source_open(struct bd_source **out, const struct bd_source_config *cfg);
void bd_source_close(struct bd_source *src);

enum bd_source_status bd_source_next(struct bd_source *src,
                                     struct bd_item *item);

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
