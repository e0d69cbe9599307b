/* RFC 10023's "_for-sale" TXT records read: the version tag, one content
 * tag and its value, each value checked against what its tag allows. A
 * record that claims the version and breaks a rule is malformed, never
 * half-read.
 *
 * The reading, where the RFC leaves room: the version tag and the content
 * tags are case-sensitive; the text is the record's strings concatenated
 * (RFC 1035 3.3.14 splits long text into strings, and RFC 7208 3.3 reads
 * SPF's TXT the same way), at most 255 octets; a value runs to the end of
 * the text; a price is an ISO 4217 alphabetic code (three capitals) and
 * an amount with an optional decimal fraction; a URI is printed, never
 * fetched, and only the schemes http, https, mailto and tel are taken. */
#include "blogdom/forsaletxt.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "blogdom/common.h"
#include "blogdom/text.h"

static const struct {
  const char *prefix; /* with its '=' */
  enum bd_forsale_tag tag;
} tags[] = {
    {"ftxt=", BD_FORSALE_FTXT},
    {"furi=", BD_FORSALE_FURI},
    {"fval=", BD_FORSALE_FVAL},
    {"fcod=", BD_FORSALE_FCOD},
};

const char *bd_forsale_tag_name(enum bd_forsale_tag tag) {
  switch (tag) {
  case BD_FORSALE_FTXT:
    return "ftxt";
  case BD_FORSALE_FURI:
    return "furi";
  case BD_FORSALE_FVAL:
    return "fval";
  case BD_FORSALE_FCOD:
    return "fcod";
  }
  return "ftxt";
}

/* Length of the valid UTF-8 sequence at s that is no control character
 * (C0, DEL, C1), or 0. Overlong forms, surrogates and values past
 * U+10FFFF are not valid (RFC 3629 4). */
static size_t printable_char(const unsigned char *s, size_t len) {
  uint32_t c;
  size_t n;

  if (s[0] >= 0x20 && s[0] < 0x7f)
    return 1;
  n = bd_text_utf8_sequence(s, len, &c);
  return n > 0 && c > 0x9f ? n : 0; /* not C1 */
}

static bool is_printable_text(const char *v, size_t len) {
  const unsigned char *s = (const unsigned char *)v;
  size_t i = 0;
  if (len == 0)
    return false;
  while (i < len) {
    size_t n = printable_char(s + i, len - i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

static bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* 3UPALPHA 1*DIGIT ["." 1*DIGIT] */
static bool is_price(const char *v, size_t len) {
  size_t i = 3;
  size_t digits = 0;
  if (len < 4)
    return false;
  for (size_t k = 0; k < 3; k++)
    if (v[k] < 'A' || v[k] > 'Z')
      return false;
  while (i < len && is_digit(v[i]))
    i++, digits++;
  if (digits == 0)
    return false;
  if (i == len)
    return true;
  if (v[i++] != '.' || i == len)
    return false;
  while (i < len && is_digit(v[i]))
    i++;
  return i == len;
}

/* RFC 3986 2: unreserved, reserved and pct-encoded characters only. */
static bool is_uri_chars(const char *v, size_t len) {
  static const char allowed[] = "-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = 0; i < len; i++) {
    char c = v[i];
    if (c == '%') {
      if (len - i < 3 || !is_hex(v[i + 1]) || !is_hex(v[i + 2]))
        return false;
      i += 2;
    } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 is_digit(c) || (c != '\0' && strchr(allowed, c) != NULL))) {
      return false;
    }
  }
  return true;
}

/* A URI of one of the four schemes: "http://host...", "https://host...",
 * "mailto:x", "tel:x". */
static bool is_uri(const char *v, size_t len) {
  static const char *const schemes[] = {"http:", "https:", "mailto:", "tel:"};
  if (!is_uri_chars(v, len))
    return false;
  for (size_t i = 0; i < BD_ARRAY_SIZE(schemes); i++) {
    size_t n = strlen(schemes[i]);
    if (len <= n || strncasecmp(v, schemes[i], n) != 0)
      continue;
    if (i >= 2)
      return true;
    /* http and https name a host (RFC 9110 4.2.1): "//" and at least
     * one character of it. */
    return len > n + 2 && v[n] == '/' && v[n + 1] == '/' && v[n + 2] != '/' &&
           v[n + 2] != '?' && v[n + 2] != '#';
  }
  return false;
}

static bool value_ok(enum bd_forsale_tag tag, const char *v, size_t len) {
  switch (tag) {
  case BD_FORSALE_FTXT:
  case BD_FORSALE_FCOD:
    return is_printable_text(v, len);
  case BD_FORSALE_FURI:
    return is_uri(v, len);
  case BD_FORSALE_FVAL:
    return is_price(v, len);
  }
  return false;
}

/* The strings of TXT data concatenated into text, at most
 * BD_FORSALE_TEXT_MAX bytes of it; *total is the whole length, and false
 * says the strings run past the data (or there is none). */
static bool concatenate(const unsigned char *rdata, size_t len, char *text,
                        size_t *kept, size_t *total) {
  size_t pos = 0;
  *kept = *total = 0;
  if (len == 0)
    return false;
  while (pos < len) {
    size_t n = rdata[pos];
    size_t room = BD_FORSALE_TEXT_MAX - *kept;
    bool cut = n > len - pos - 1;
    if (cut) /* what is there still tells whose record it was */
      n = len - pos - 1;
    memcpy(text + *kept, rdata + pos + 1, n < room ? n : room);
    *kept += n < room ? n : room;
    *total += n;
    pos += 1 + n;
    if (cut)
      return false;
  }
  return true;
}

enum bd_forsale_result bd_forsale_parse(const unsigned char *rdata, size_t len,
                                        char *text,
                                        struct bd_forsale_record *rec) {
  static const size_t vlen = sizeof(BD_FORSALE_VERSION) - 1;
  size_t kept;
  size_t total;
  bool whole = concatenate(rdata, len, text, &kept, &total);
  const char *content = text + vlen;

  text[kept] = '\0';
  if (kept < vlen || memcmp(text, BD_FORSALE_VERSION, vlen) != 0)
    return BD_FORSALE_OTHER;
  if (!whole || total > BD_FORSALE_TEXT_MAX)
    return BD_FORSALE_MALFORMED;
  for (size_t i = 0; i < BD_ARRAY_SIZE(tags); i++) {
    size_t n = strlen(tags[i].prefix);
    if (kept - vlen < n || memcmp(content, tags[i].prefix, n) != 0)
      continue;
    rec->tag = tags[i].tag;
    rec->value = content + n;
    rec->len = kept - vlen - n;
    return value_ok(rec->tag, rec->value, rec->len) ? BD_FORSALE_OK
                                                    : BD_FORSALE_MALFORMED;
  }
  return BD_FORSALE_MALFORMED;
}
