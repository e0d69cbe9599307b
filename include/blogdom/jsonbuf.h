/* JSON text built from outside data (records, a registry's strings,
 * for-sale records) as a line is written, capped, in a growable heap
 * string. */
#ifndef BLOGDOM_JSONBUF_H
#define BLOGDOM_JSONBUF_H

#include <stdbool.h>
#include <stddef.h>

/* A growable string with a cap on its length. Appending past the cap
 * sets `full` and appends nothing; running out of memory sets `failed`.
 * Both are sticky until bd_jsonbuf_rewind(). */
struct bd_jsonbuf {
  char *text; /* NUL-terminated once anything is in it; NULL before */
  size_t len;
  size_t cap; /* allocated */
  size_t max; /* most bytes text may hold, NUL excluded */
  bool full;
  bool failed;
};

void bd_jsonbuf_init(struct bd_jsonbuf *b, size_t max);

/* Frees the text. */
void bd_jsonbuf_free(struct bd_jsonbuf *b);

/* Appends s[0..n) as it is: keys, punctuation and numbers we wrote. */
void bd_jsonbuf_raw(struct bd_jsonbuf *b, const char *s, size_t n);

/* Appends a JSON string (quotes included) of outside text that decodes
 * to exactly s[0..n): '"' and '\' escaped as JSON has them, controls and
 * the characters that hide or reorder text (text.h) as \uXXXX, and a
 * byte that is not UTF-8 as U+FFFD. */
void bd_jsonbuf_text(struct bd_jsonbuf *b, const char *s, size_t n);

/* Appends a JSON string of text that is printable ASCII already (zone
 * file text, whose own escapes stay as they are). */
void bd_jsonbuf_ascii(struct bd_jsonbuf *b, const char *s, size_t n);

/* Where the text ends now, and going back there: a caller that keeps
 * whole items only takes one back when it did not fit. */
size_t bd_jsonbuf_mark(const struct bd_jsonbuf *b);
void bd_jsonbuf_rewind(struct bd_jsonbuf *b, size_t mark);

#endif
