/* A verdict's line as text: marks or JSON, one line each. Pure functions
 * of a result, so that a new format touches format.c and the option table
 * only: a result carries data (result.h, facts.h), never text made for
 * one format. */
#ifndef BLOGDOM_FORMAT_H
#define BLOGDOM_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

#include "blogdom/result.h"

/* Longest input text shown for an invalid name; longer input is shown cut,
 * followed by "...". */
#define BD_SHOWN_INPUT_MAX 1024

enum bd_format {
  BD_FORMAT_MARKS, /* "+ name", "  name", "? name" */
  BD_FORMAT_JSON   /* one JSON object a line, with the facts */
};

/* Formats one line, newline included, into buf. Returns its length, or 0
 * if it does not fit in cap (cap of BD_LINE_CAP always fits: a JSON line
 * whose facts would not fit is written without them, with
 * "fields_dropped":true). */
#define BD_LINE_CAP 16384
size_t bd_format_line(enum bd_format format, char *buf, size_t cap,
                      const struct bd_result *r);
size_t bd_format_marks(char *buf, size_t cap, const struct bd_result *r);
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r);

/* True when lines of this format show a result's facts (facts.h): only
 * then are they kept. */
bool bd_format_shows_facts(enum bd_format format);

#endif
