/* Escaping of names and messages before they reach a terminal or a parser. */
#include "blogdom/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char hex[] = "0123456789abcdef";

size_t bd_text_utf8_sequence(const unsigned char *s, size_t len, uint32_t *cp) {
  size_t n;
  uint32_t c;
  uint32_t min;

  if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    n = 2, c = s[0] & 0x1fu, min = 0x80;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3, c = s[0] & 0x0fu, min = 0x800;
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4, c = s[0] & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (len < n)
    return 0;
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    c = (c << 6) | (s[i] & 0x3fu);
  }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

/* A name holding such code points could look like another name on a
 * terminal. */
bool bd_text_is_deceptive(uint32_t c) {
  return (c >= 0x80 && c <= 0x9f) || c == 0xad || c == 0x34f || c == 0x61c ||
         (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
         (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
         (c >= 0xfff9 && c <= 0xfffb);
}

size_t bd_text_escape(char *out, size_t cap, const char *in, size_t len) {
  const unsigned char *s = (const unsigned char *)in;
  size_t o = 0;
  size_t i = 0;

  if (cap == 0)
    return 0;
  while (i < len) {
    unsigned char b = s[i];
    size_t n = 1;
    uint32_t cp = 0;
    bool plain;

    if (b >= 0x80)
      n = bd_text_utf8_sequence(s + i, len - i, &cp);
    if (b > 0x20 && b < 0x7f && b != '\\') {
      plain = true;
    } else if (b >= 0x80 && n > 0 && !bd_text_is_deceptive(cp)) {
      plain = true;
    } else {
      plain = false;
      n = n == 0 ? 1 : n;
    }
    if (plain) {
      if (o + n >= cap)
        break;
      memcpy(out + o, s + i, n);
      o += n;
    } else if (b == '\\') {
      if (o + 2 >= cap)
        break;
      out[o++] = '\\';
      out[o++] = '\\';
    } else {
      if (o + 4 * n >= cap)
        break;
      for (size_t k = 0; k < n; k++) {
        out[o++] = '\\';
        out[o++] = 'x';
        out[o++] = hex[s[i + k] >> 4];
        out[o++] = hex[s[i + k] & 0xf];
      }
    }
    i += n;
  }
  out[o] = '\0';
  return o;
}

size_t bd_text_json(char *out, size_t cap, const char *s, size_t len) {
  size_t o = 0;

  if (cap == 0)
    return 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char b = (unsigned char)s[i];
    if (b == '"' || b == '\\') {
      if (o + 2 >= cap)
        break;
      out[o++] = '\\';
      out[o++] = (char)b;
    } else if (b < 0x20 || b == 0x7f) {
      if (o + 6 >= cap)
        break;
      memcpy(out + o, "\\u00", 4);
      out[o + 4] = hex[b >> 4];
      out[o + 5] = hex[b & 0xf];
      o += 6;
    } else {
      if (o + 1 >= cap)
        break;
      out[o++] = (char)b;
    }
  }
  out[o] = '\0';
  return o;
}
