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

struct bd_output_config {
  int fd;
  bool json;
  bool input_order;
  unsigned only;      /* BD_ONLY_* bits */
  size_t reorder_cap; /* lines held back at most in input order */
};

struct bd_output;

/* Formats one line, newline included, into buf. Returns its length, or 0
 * if it does not fit in cap (cap of BD_LINE_CAP always fits). */
#define BD_LINE_CAP 16384
size_t bd_format_marks(char *buf, size_t cap, const struct bd_result *r);
size_t bd_format_json(char *buf, size_t cap, const struct bd_result *r);

struct bd_output *bd_output_new(const struct bd_output_config *cfg);
/* Frees everything; lines not yet flushed are lost (call flush first). */
void bd_output_free(struct bd_output *out);

/* Queues the line for r. Returns 0, or -1 once stdout is gone (EPIPE or a
 * write error): the run should stop. */
int bd_output_emit(struct bd_output *out, const struct bd_result *r);

/* True while a result with this sequence number can be taken without
 * holding back more than reorder_cap lines. */
bool bd_output_has_room(const struct bd_output *out, uint64_t seq);

/* Writes what is queued. Returns 0 or -1 as above. */
int bd_output_flush(struct bd_output *out);

/* At an interrupt: releases the lines held back for input order, in order,
 * leaving gaps where names had no verdict yet. */
int bd_output_release_held(struct bd_output *out);

/* True when stdout was closed under us (EPIPE): end quietly. */
bool bd_output_broken_pipe(const struct bd_output *out);

#endif
