/* JSON text from outside data, capped and escaped: the one writer of a
 * line's facts (records, rdap_status, for_sale: format.c). Outside text is
 * escaped for JSON alone, so a reader gets what was sent, and for the terminal
 * only where text.c's rule says a character would hide or reorder what is
 * around it. */
#include "blogdom/jsonbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/text.h"

/* ASCII text is escaped a run at a time through a buffer this size. */
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

/* Appends "\uXXXX" for code point c (< U+10000). */
static void put_unicode(struct bd_jsonbuf *b, uint32_t c) {
  static const char hex[] = "0123456789abcdef";
  char out[6] = {'\\',
                 'u',
                 hex[(c >> 12) & 0xf],
                 hex[(c >> 8) & 0xf],
                 hex[(c >> 4) & 0xf],
                 hex[c & 0xf]};
  bd_jsonbuf_raw(b, out, sizeof(out));
}

/* The length of the code point at s[i..n) that goes into a JSON string as
 * it is (printable ASCII but '"' and '\\', valid UTF-8 that neither hides
 * nor reorders text), or 0. */
static size_t plain_at(const unsigned char *s, size_t n, size_t i) {
  uint32_t cp;
  size_t len;
  if (s[i] < 0x80)
    return s[i] >= 0x20 && s[i] != 0x7f && s[i] != '"' && s[i] != '\\';
  len = bd_text_utf8_sequence(s + i, n - i, &cp);
  return len > 0 && !bd_text_is_deceptive(cp) ? len : 0;
}

/* Outside text as the JSON string of exactly what was sent: a reader
 * that decodes it gets the same characters. Only what JSON needs and what
 * would hide or reorder text on a terminal is escaped ("\\", "\"",
 * "\u001b", "\u202e"); a byte that is not UTF-8, which no JSON string
 * can hold, becomes U+FFFD. */
void bd_jsonbuf_text(struct bd_jsonbuf *b, const char *s, size_t n) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;

  bd_jsonbuf_raw(b, "\"", 1);
  while (i < n) {
    size_t start = i;
    size_t len;
    uint32_t cp;
    while (i < n && (len = plain_at(u, n, i)) > 0)
      i += len;
    bd_jsonbuf_raw(b, s + start, i - start);
    if (i == n)
      break;
    if (u[i] == '"' || u[i] == '\\') {
      char esc[2] = {'\\', s[i]};
      bd_jsonbuf_raw(b, esc, 2);
      i++;
    } else if (u[i] < 0x80) {
      put_unicode(b, u[i]);
      i++;
    } else if ((len = bd_text_utf8_sequence(u + i, n - i, &cp)) > 0) {
      put_unicode(b, cp); /* every deceptive code point is in the BMP */
      i += len;
    } else {
      put_unicode(b, 0xfffd);
      i++;
    }
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
