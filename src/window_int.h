/* What the files of one server's window and pace share, and no other
 * module sees: the pacing slack they all pace with, and the functions one
 * of them calls in another (as engine_int.h is for the engine).
 * blogdom/window.h is the window's face to the peers; this header is its
 * inside, and is not installed. The window's files are:
 *   window.c         the window: its limits, the bookkeeping of sends and
 *                    answers, slow start and the bandwidth x delay cap,
 *                    the round trip and the delivery-rate samples, and
 *                    every public bd_window_* entry point
 *   windowpace.c     the pace: epochs judged for loss, back-offs, the
 *                    recall after a burst of loss, probing upwards, the
 *                    search from the delivery-rate samples
 *   windowsilence.c  a silence: found, probed at doubling gaps, forgiven,
 *                    ended with the rate held before it
 * Shared functions are named win_...: they are the window's own, and the
 * prefix keeps them from clashing with another module's in the library. */
#ifndef BLOGDOM_WINDOW_INT_H
#define BLOGDOM_WINDOW_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "blogdom/window.h"

/* Pacing slack: a loop turn late by this much still sends its share. */
#define PACE_SLACK_NS (10 * BD_NS_PER_MS)

/* ---- window.c: the delivery-rate samples ------------------------------ */

/* Answers a second: `answers` over span_ns (0 over no span). */
double win_rate_of(unsigned answers, uint64_t span_ns);

/* The answers a second of a sample, or of a sum of them. */
double win_sample_rate(const struct bd_window_rate *r);

/* The delivery-rate sample taken n samples before the latest (0: the
 * latest). */
const struct bd_window_rate *win_sample_back(const struct bd_window *w,
                                             unsigned n);

/* How long a delivery-rate sample is counted: a round trip, at least
 * 10 ms. */
uint64_t win_rate_interval(const struct bd_window *w);

/* ---- windowpace.c: losses judged, and the pace ------------------------ */

/* A delivery-rate sample was just taken: the samples since the last
 * back-off may pace the server down, or let a searching pace grow. */
void win_check_pace(struct bd_window *w, uint64_t now_ns);

/* Judges the epochs whose answers have had their time and whose losses
 * are known: a clear rise backs the pace off, a calm epoch probes it. */
void win_judge_settled(struct bd_window *w, uint64_t now_ns);

/* The server is silent: a back-off taken since its latest answer counted
 * the first moments of the silence as a rate allowed, and is undone. */
void win_undo_cut(struct bd_window *w, uint64_t now_ns);

/* ---- windowsilence.c: a server that answers nothing ------------------- */

/* How long nothing must come back for the server to be silent. */
uint64_t win_silent_after(const struct bd_window *w);

/* Whether the server has answered nothing for long enough to be silent. */
bool win_gone_silent(const struct bd_window *w, uint64_t now_ns);

/* The server falls silent: only probes go out, the first at once. */
void win_fall_silent(struct bd_window *w, uint64_t now_ns);

/* The first answer after a silence: the window and the pace held before
 * come back, refilled at a little over the bandwidth. */
void win_end_silence(struct bd_window *w, uint64_t now_ns);

/* A probe of a silent server goes now: the next waits longer. */
void win_send_probe(struct bd_window *w, uint64_t now_ns);

#endif
