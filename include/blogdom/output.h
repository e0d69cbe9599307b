/* Verdict lines on stdout (their text: format.h), filtered, in arrival or
 * input order, written in batches. */
#ifndef BLOGDOM_OUTPUT_H
#define BLOGDOM_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "blogdom/format.h"
#include "blogdom/result.h"

/* Bits of bd_output_config.only. */
#define BD_ONLY_FOUND (1u << BD_FOUND)
#define BD_ONLY_NOTFOUND (1u << BD_NOTFOUND)
#define BD_ONLY_ERROR (1u << BD_ERROR)
#define BD_ONLY_ALL (BD_ONLY_FOUND | BD_ONLY_NOTFOUND | BD_ONLY_ERROR)
/* Names with a valid _for-sale record (--for-sale). A line is printed
 * when any bit of the set matches it. */
#define BD_ONLY_FOR_SALE (1u << 3)

/* Bytes waiting for stdout (queued on its stream, or in the chunk being
 * filled) over which no new name is taken, and at or under which names
 * are taken again: a reader that pauses (a pager, a slow filter, a full
 * pipe) holds names back in the input, not lines in memory. The lines of
 * names already in flight are still queued past the high mark, so memory
 * stays within the mark plus a window's lines. A quarter of a MiB is four
 * pipe buffers; the low mark leaves a pipe buffer's worth queued, so a
 * reader that reads again finds lines waiting while new names go out. */
#define BD_OUTPUT_HIGH_WATER (256 * 1024)
#define BD_OUTPUT_LOW_WATER (64 * 1024)

/* Two marks with hysteresis, as Node's streams use their highWaterMark:
 * full once the level is over high, and full until it is back at or
 * under low. */
struct bd_water {
  size_t high;
  size_t low;
  bool full;
};

/* Takes the level (bytes waiting) into w. Returns true when this level
 * ends a full spell: the moment to take names again. */
bool bd_water_level(struct bd_water *w, size_t level);

struct bd_output_config {
  int fd;
  enum bd_format format;
  bool input_order;
  unsigned only;      /* BD_ONLY_* bits */
  size_t reorder_cap; /* lines held back at most in input order */
  /* The loop that writes to fd without blocking when fd is a pipe, a
   * socket or a terminal; NULL: blocking writes, whatever fd is. */
  uv_loop_t *loop;
  /* Called from the loop when the lines waiting fall back to the low-water
   * mark after being over the high one (bd_output_has_room says yes
   * again), and when a write fails (bd_output_error says why). */
  void (*on_wake)(void *data);
  /* Called when the line of the name with this sequence number (or its
   * absence, when --only filters it away) takes its place in the output,
   * to be written by the next flush; in the order of the output. NULL:
   * not asked. */
  void (*on_settled)(void *data, uint64_t seq, enum bd_status status);
  void *data;
};

struct bd_output;

/* Opens the output on cfg->fd. With a loop, a pipe or a socket becomes a
 * libuv stream (the descriptor is made non-blocking, and its flags are put
 * back by bd_output_close), a terminal a libuv TTY (reopened by libuv, so
 * the description shared with the shell is left alone); anything else
 * (a regular file, a device) is written with blocking writes. Returns
 * NULL when out of memory. */
struct bd_output *bd_output_new(const struct bd_output_config *cfg);

/* Puts back the descriptor's flags and closes the stream: writes still
 * queued are dropped, so a run that ends normally runs the loop until
 * bd_output_queued is 0 first. The memory goes in bd_output_free, once
 * the loop has run again. Nothing without a stream; once only. */
void bd_output_close(struct bd_output *out);

/* Frees everything, after bd_output_close and a run of the loop; lines
 * not yet flushed are lost (call flush first). */
void bd_output_free(struct bd_output *out);

/* Queues the line for r. Never blocks on a stream: a line is queued
 * whatever the level (a line is never dropped for room; only new names
 * wait). Returns 0, or once a write to stdout has failed, the negative
 * errno of that failure (-EPIPE: the reader went away), again at every
 * later call: the run should stop. */
int bd_output_emit(struct bd_output *out, const struct bd_result *r);

/* The name with this sequence number has its line from an earlier run
 * (--state): in input order, the lines after it need not wait for it.
 * Returns 0 or a write error, as bd_output_emit. */
int bd_output_skip(struct bd_output *out, uint64_t seq);

/* True while a result with this sequence number can be taken: without
 * holding back more than reorder_cap lines, and while stdout is not full
 * (bd_water_level; on_wake tells when it is no longer). */
bool bd_output_has_room(const struct bd_output *out, uint64_t seq);

/* Hands what is queued to the stream (written at once as far as the
 * reader lets, the rest from the loop), or writes it with blocking
 * writes. Returns 0 or a negative errno as above; the lines queued are
 * dropped when a write fails. */
int bd_output_flush(struct bd_output *out);

/* Bytes of lines not yet written. */
size_t bd_output_queued(const struct bd_output *out);

/* Releases the lines held back for input order, in order, leaving gaps
 * where names had no verdict yet. Returns 0 or a negative errno as
 * above. */
int bd_output_release_held(struct bd_output *out);

/* At an interrupt, which must not wait for the reader: releases the lines
 * held back for input order (as bd_output_release_held), writes what is
 * queued as far as stdout takes it now, without waiting, in whole lines
 * where it can (a pipe takes up to PIPE_BUF bytes whole or not at all),
 * and closes the stream (bd_output_close). Lines that did not go out are
 * dropped and counted (bd_output_dropped), as are lines emitted later
 * that cannot go out at once, and, in input order, every later line.
 * Without a stream, lines are written as usual (a file never keeps a
 * writer waiting long). */
void bd_output_interrupt(struct bd_output *out);

/* Lines that an interrupt kept from stdout. */
uint64_t bd_output_dropped(const struct bd_output *out);

/* 0 while every write succeeded; else the negative errno of the write that
 * failed: -EPIPE when the reader went away, anything else (-ENOSPC, -EIO,
 * -EBADF, ...) a write error worth reporting. */
int bd_output_error(const struct bd_output *out);

#endif
