/* -o and --state: lines to a file, and a run that can be killed at any
 * moment and continued by the same command line, the file holding exactly
 * one line per name at the end.
 *
 * The state file says how long the output was when it last said so, and
 * which names have their lines in that much of it: every name below a
 * watermark (by a hash chained over their texts, in input order), and the
 * few above it that came early (each by its text's hash). The output is
 * made durable before the state that covers it, and the state is
 * replaced whole (cachefile.h), so a kill at any moment leaves a state
 * that covers a prefix of the output: a run that continues cuts the
 * output back to it, skips the names it covers, checking each against
 * its hash, and asks the rest. */
#ifndef BLOGDOM_RESUME_H
#define BLOGDOM_RESUME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "blogdom/verdict.h"

/* The state file's format; a file of another version is refused. */
#define BD_RESUME_VERSION 1

enum bd_resume_start {
  BD_RESUME_FRESH,    /* no state yet: the output was created or emptied */
  BD_RESUME_CONTINUE, /* the output cut back to what the state covers */
  BD_RESUME_COMPLETE  /* the run had ended: nothing to do, output as is */
};

enum bd_resume_name {
  BD_RESUME_ASK,        /* no line yet: ask it */
  BD_RESUME_DONE,       /* its line is in the output: skip it */
  BD_RESUME_OTHER_INPUT /* not the name the state has at that place */
};

struct bd_resume;

/* Opens the output at output_path for the lines, and, with state_path,
 * the state. options_key stands for the options that change the lines
 * (resume.c does not know them: the caller hashes them); a state made
 * with another is refused. On success *fd is the output's descriptor
 * (the resume's: closed by bd_resume_close) and *start says which case
 * it is; for BD_RESUME_COMPLETE, *status is the exit status of the run
 * that ended. Returns 0, or -1 with why filled: the state file cannot be
 * read, is cut short, damaged, of another version or made with other
 * options; the output is missing or shorter than the state says; a file
 * cannot be opened. The output is not touched then. */
int bd_resume_open(struct bd_resume **out, const char *output_path,
                   const char *state_path, uint64_t options_key, int *fd,
                   enum bd_resume_start *start, int *status, char *why,
                   size_t why_size);

/* Each name taken from the input, in order from 0, as its text came.
 * BD_RESUME_OTHER_INPUT also when memory ran out
 * (bd_resume_out_of_memory): either way the run stops. */
enum bd_resume_name bd_resume_name(struct bd_resume *r, uint64_t seq,
                                   const char *text, size_t len);

/* The input ended after count names: false when the state covers names
 * that it does not hold (another input). */
bool bd_resume_input_ended(struct bd_resume *r, uint64_t count);

/* The line of the name with sequence number seq, or its absence, is in
 * the output's order now (output.h: on_settled). */
void bd_resume_settled(struct bd_resume *r, uint64_t seq,
                       enum bd_status status);

/* Names by status whose lines the output held when the run started. */
void bd_resume_earlier(const struct bd_resume *r, uint64_t counts[3]);

/* What the output's descriptor holds, written by now, is made durable,
 * then the state says so (nothing without a state). Not before the input
 * has been checked as far as the state reached: a wrong input must not be
 * recorded. complete: the run's last, with its exit status. Returns 0 or
 * a negative errno value. */
int bd_resume_commit(struct bd_resume *r, bool complete, int status);

/* Cuts the output back to what the state covered when the run started:
 * after another input was found, whatever this run wrote goes. Returns 0
 * or a negative errno value. */
int bd_resume_restore(struct bd_resume *r);

/* True when the run stopped for want of memory, not for another input. */
bool bd_resume_out_of_memory(const struct bd_resume *r);

/* Closes the output and frees everything. NULL is fine. */
void bd_resume_close(struct bd_resume *r);

#endif
