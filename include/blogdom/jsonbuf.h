/* JSON text built from outside data (records, a registry's strings,
 * for-sale records) when it arrives, capped, into one small heap string
 * that a name keeps until its line is out. */
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

/* Appends a JSON string (quotes included) of outside text, escaped as
 * names are (text.h: control, invisible and bidirectional characters
 * and invalid UTF-8 as \xHH, a backslash doubled) except that a plain
 * space stays a space; then '"' and '\' escaped for JSON. */
void bd_jsonbuf_text(struct bd_jsonbuf *b, const char *s, size_t n);

/* Appends a JSON string of text that is printable ASCII already (zone
 * file text, whose own escapes stay as they are). */
void bd_jsonbuf_ascii(struct bd_jsonbuf *b, const char *s, size_t n);

/* Where the text ends now, and going back there: a caller that keeps
 * whole items only takes one back when it did not fit. */
size_t bd_jsonbuf_mark(const struct bd_jsonbuf *b);
void bd_jsonbuf_rewind(struct bd_jsonbuf *b, size_t mark);

/* Appends text (NUL-terminated, may be NULL) to the heap string *to
 * (NULL: none yet). Returns 0 or -ENOMEM (*to is then unchanged). */
int bd_jsonbuf_append_to(char **to, const char *text);

#endif
