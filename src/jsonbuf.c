/* JSON text from outside data, capped and escaped: the one writer of the
 * line members that stages and answers add (records, rdap_status,
 * for_sale). Escaping reuses text.c's rules, so these strings are safe on
 * a terminal for the same reasons a name is. */
#include "blogdom/jsonbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/text.h"

/* Outside text is escaped a run at a time through a buffer this size. */
#define RUN_MAX 128

void bd_jsonbuf_init(struct bd_jsonbuf *b, size_t max) {
  memset(b, 0, sizeof(*b));
  b->max = max;
}

void bd_jsonbuf_free(struct bd_jsonbuf *b) {
  free(b->text);
  bd_jsonbuf_init(b, b->max);
}

/* Room for n more bytes and the NUL, within max. */
static bool reserve(struct bd_jsonbuf *b, size_t n) {
  size_t want;
  char *grown;

  if (b->full || b->failed)
    return false;
  if (n > b->max - b->len) {
    b->full = true;
    return false;
  }
  want = b->len + n + 1;
  if (want <= b->cap)
    return true;
  /* Doubling from a small start: most members are a few dozen bytes. */
  want = want < 64 ? 64 : want;
  if (want < 2 * b->cap)
    want = 2 * b->cap;
  if (want > b->max + 1)
    want = b->max + 1;
  grown = realloc(b->text, want);
  if (grown == NULL) {
    b->failed = true;
    return false;
  }
  b->text = grown;
  b->cap = want;
  return true;
}

void bd_jsonbuf_raw(struct bd_jsonbuf *b, const char *s, size_t n) {
  if (!reserve(b, n))
    return;
  memcpy(b->text + b->len, s, n);
  b->len += n;
  b->text[b->len] = '\0';
}

/* JSON-escapes s[0..n), which is valid UTF-8 without control characters
 * or is printable ASCII, and appends it. */
static void put_json(struct bd_jsonbuf *b, const char *s, size_t n) {
  /* At most 6 bytes out for a byte in ("\u00XX"), and the NUL. */
  char out[6 * RUN_MAX + 1];
  while (n > 0) {
    size_t k = n < RUN_MAX ? n : RUN_MAX;
    size_t len = bd_text_json(out, sizeof(out), s, k);
    bd_jsonbuf_raw(b, out, len);
    s += k;
    n -= k;
  }
}

void bd_jsonbuf_ascii(struct bd_jsonbuf *b, const char *s, size_t n) {
  bd_jsonbuf_raw(b, "\"", 1);
  put_json(b, s, n);
  bd_jsonbuf_raw(b, "\"", 1);
}

/* The length of the next run of s[0..n) to escape at once: up to a space
 * or RUN_MAX bytes, never ending inside a UTF-8 sequence (a cut sequence
 * would be escaped as invalid bytes). */
static size_t run_length(const char *s, size_t n) {
  size_t k = 0;
  while (k < n && s[k] != ' ' && k < RUN_MAX)
    k++;
  if (k == RUN_MAX && k < n) {
    /* Back off to the start of the sequence the cut falls in. */
    size_t back = k;
    while (back > 0 && ((unsigned char)s[back] & 0xc0) == 0x80 && k - back < 3)
      back--;
    if (back > 0 && ((unsigned char)s[back] & 0xc0) != 0x80)
      k = back;
  }
  return k;
}

void bd_jsonbuf_text(struct bd_jsonbuf *b, const char *s, size_t n) {
  char escaped[BD_ESCAPED_SIZE(RUN_MAX)];

  bd_jsonbuf_raw(b, "\"", 1);
  while (n > 0) {
    size_t k;
    if (s[0] == ' ') {
      bd_jsonbuf_raw(b, " ", 1);
      s++, n--;
      continue;
    }
    k = run_length(s, n);
    put_json(b, escaped, bd_text_escape(escaped, sizeof(escaped), s, k));
    s += k;
    n -= k;
  }
  bd_jsonbuf_raw(b, "\"", 1);
}

size_t bd_jsonbuf_mark(const struct bd_jsonbuf *b) {
  return b->len;
}

void bd_jsonbuf_rewind(struct bd_jsonbuf *b, size_t mark) {
  if (mark > b->len)
    return;
  b->len = mark;
  if (b->text != NULL)
    b->text[b->len] = '\0';
  b->full = false;
}

int bd_jsonbuf_append_to(char **to, const char *text) {
  size_t old = *to != NULL ? strlen(*to) : 0;
  size_t n = text != NULL ? strlen(text) : 0;
  char *grown;

  if (n == 0)
    return 0;
  grown = realloc(*to, old + n + 1);
  if (grown == NULL)
    return -ENOMEM;
  memcpy(grown + old, text, n + 1);
  *to = grown;
  return 0;
}
