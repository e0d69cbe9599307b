/* A verdict's line as text: marks or JSON, one line each. Pure functions
 * of a result, so that a new format touches format.c and the option table
 * only. */
#ifndef BLOGDOM_FORMAT_H
#define BLOGDOM_FORMAT_H

#include <stddef.h>

#include "blogdom/result.h"

/* Longest input text shown for an invalid name; longer input is shown cut,
 * followed by "...". */
#define BD_SHOWN_INPUT_MAX 1024

/* Formats one line, newline included, into buf. Returns its length, or 0
 * if it does not fit in cap (cap of BD_LINE_CAP always fits: a JSON line
 * whose records and fields would not fit is written without them, with
 * "fields_dropped":true). JSON lines carry r->records (the answer
 * records, when there are any) and r->fields as they are. */
#define BD_LINE_CAP 16384
size_t bd_format_marks(char *buf, size_t cap, const struct bd_result *r);
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r);

#endif
