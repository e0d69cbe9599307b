/* Verdict lines on stdout: marks or JSON, filtered, in arrival or input
 * order, written in batches. */
#ifndef BLOGDOM_OUTPUT_H
#define BLOGDOM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/result.h"

/* Longest input text shown for an invalid name; longer input is shown cut,
 * followed by "...". */
#define BD_SHOWN_INPUT_MAX 1024

/* Bits of bd_output_config.only. */
#define BD_ONLY_FOUND (1u << BD_FOUND)
#define BD_ONLY_NOTFOUND (1u << BD_NOTFOUND)
#define BD_ONLY_ERROR (1u << BD_ERROR)
#define BD_ONLY_ALL (BD_ONLY_FOUND | BD_ONLY_NOTFOUND | BD_ONLY_ERROR)
/* Names with a valid _for-sale record (--for-sale). A line is printed
 * when any bit of the set matches it. */
#define BD_ONLY_FOR_SALE (1u << 3)

struct bd_output_config {
  int fd;
  bool json;
  bool input_order;
  unsigned only;      /* BD_ONLY_* bits */
  size_t reorder_cap; /* lines held back at most in input order */
};

struct bd_output;

/* Formats one line, newline included, into buf. Returns its length, or 0
 * if it does not fit in cap (cap of BD_LINE_CAP always fits: a JSON line
 * whose records and fields would not fit is written without them, with
 * "fields_dropped":true). JSON lines carry r->records (the answer
 * records, when there are any) and r->fields as they are. */
#define BD_LINE_CAP 16384
size_t bd_format_marks(char *buf, size_t cap, const struct bd_result *r);
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r);

struct bd_output *bd_output_new(const struct bd_output_config *cfg);
/* Frees everything; lines not yet flushed are lost (call flush first). */
void bd_output_free(struct bd_output *out);

/* Queues the line for r. Returns 0, or once a write to stdout has failed,
 * the negative errno of that failure (-EPIPE: the reader went away), again
 * at every later call: the run should stop. */
int bd_output_emit(struct bd_output *out, const struct bd_result *r);

/* True while a result with this sequence number can be taken without
 * holding back more than reorder_cap lines. */
bool bd_output_has_room(const struct bd_output *out, uint64_t seq);

/* Writes what is queued. Returns 0 or a negative errno as above; the
 * lines queued are dropped when a write fails. */
int bd_output_flush(struct bd_output *out);

/* At an interrupt: releases the lines held back for input order, in order,
 * leaving gaps where names had no verdict yet. Returns 0 or a negative
 * errno as above. */
int bd_output_release_held(struct bd_output *out);

/* 0 while every write succeeded; else the negative errno of the write that
 * failed: -EPIPE when the reader went away, anything else (-ENOSPC, -EIO,
 * -EBADF, ...) a write error worth reporting. */
int bd_output_error(const struct bd_output *out);

#endif
