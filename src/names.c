/* Name normalization and validation (RFC 1035 2.3.4 sizes; RFC 2181 11 lets
 * any octet into a label, but a prober only asks for names that can be
 * registered or looked up as typed: letters, digits, '-' and '_').
 * Internationalized names become their ASCII form by IDNA2008 with UTS #46
 * non-transitional mapping (libidn2): "Bücher" is "xn--bcher-kva", and
 * "straße" keeps its sharp s. */
#include "blogdom/names.h"

#include <idn2.h>
#include <stdlib.h>
#include <string.h>

static enum bd_name_error classify_byte(unsigned char c, char *lower) {
  if (c >= 'A' && c <= 'Z') {
    *lower = (char)(c - 'A' + 'a');
    return BD_NAME_OK;
  }
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
      c == '_') {
    *lower = (char)c;
    return BD_NAME_OK;
  }
  if (c == 0)
    return BD_NAME_NUL;
  if (c < 0x20 || c == 0x7f)
    return BD_NAME_CONTROL;
  if (c >= 0x80)
    return BD_NAME_NON_ASCII;
  return BD_NAME_BAD_CHAR;
}

static enum bd_name_error normalize_ascii(const char *in, size_t len, char *out,
                                          size_t *out_len);

/* Longest input handed to libidn2: far more than any name can take. */
#define IDN_INPUT_MAX 1024

static enum bd_name_error normalize_idn(const char *in, size_t len, char *out,
                                        size_t *out_len) {
  char buf[IDN_INPUT_MAX + 1];
  uint8_t *ascii = NULL;
  enum bd_name_error err;
  int rc;

  if (len > IDN_INPUT_MAX)
    return BD_NAME_TOO_LONG;
  memcpy(buf, in, len);
  buf[len] = '\0';
  rc = idn2_lookup_u8((const uint8_t *)buf, &ascii,
                      IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
  if (rc == IDN2_ENCODING_ERROR)
    return BD_NAME_NON_ASCII;
  if (rc == IDN2_TOO_BIG_DOMAIN)
    return BD_NAME_TOO_LONG;
  if (rc == IDN2_TOO_BIG_LABEL)
    return BD_NAME_LABEL_TOO_LONG;
  if (rc != IDN2_OK)
    return BD_NAME_BAD_IDN;
  err = normalize_ascii((const char *)ascii, strlen((const char *)ascii), out,
                        out_len);
  idn2_free(ascii);
  return err;
}

static bool has_high_bytes(const char *in, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)in[i] >= 0x80)
      return true;
  return false;
}

enum bd_name_error bd_name_normalize(const char *in, size_t len, char *out,
                                     size_t *out_len) {
  /* Control bytes are refused before libidn2 sees them. */
  if (has_high_bytes(in, len)) {
    for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)in[i];
      if (c == 0)
        return BD_NAME_NUL;
      if (c < 0x20 || c == 0x7f)
        return BD_NAME_CONTROL;
    }
    if (len > 0 && in[len - 1] == '.')
      len--;
    if (len == 0)
      return BD_NAME_EMPTY;
    return normalize_idn(in, len, out, out_len);
  }
  return normalize_ascii(in, len, out, out_len);
}

size_t bd_name_to_unicode(const char *ascii, char *out, size_t cap) {
  char *u = NULL;
  size_t n = strlen(ascii);
  const char *shown = ascii;

  if (strstr(ascii, "xn--") != NULL &&
      idn2_to_unicode_8z8z(ascii, &u, 0) == IDN2_OK)
    shown = u;
  n = strlen(shown);
  if (n >= cap)
    n = cap - 1;
  memcpy(out, shown, n);
  out[n] = '\0';
  idn2_free(u);
  return n;
}

static enum bd_name_error normalize_ascii(const char *in, size_t len, char *out,
                                          size_t *out_len) {
  size_t label = 0;
  enum bd_name_error first_byte_error = BD_NAME_OK;

  if (len > 0 && in[len - 1] == '.')
    len--;
  if (len == 0)
    return BD_NAME_EMPTY;

  /* Bad bytes are reported before sizes: "holds a NUL byte" says more about
   * a line of binary junk than "longer than 253 characters". */
  for (size_t i = 0; i < len; i++) {
    char lower;
    if (in[i] == '.')
      continue;
    enum bd_name_error e = classify_byte((unsigned char)in[i], &lower);
    if (e != BD_NAME_OK &&
        (first_byte_error == BD_NAME_OK || e < first_byte_error))
      first_byte_error = e;
  }
  if (first_byte_error != BD_NAME_OK)
    return first_byte_error;
  if (len > BD_NAME_MAX)
    return BD_NAME_TOO_LONG;

  for (size_t i = 0; i < len; i++) {
    if (in[i] == '.') {
      if (label == 0)
        return BD_NAME_EMPTY_LABEL;
      label = 0;
      out[i] = '.';
      continue;
    }
    if (++label > BD_LABEL_MAX)
      return BD_NAME_LABEL_TOO_LONG;
    (void)classify_byte((unsigned char)in[i], &out[i]);
  }
  if (label == 0)
    return BD_NAME_EMPTY_LABEL; /* "a.dev.." */
  out[len] = '\0';
  *out_len = len;
  return BD_NAME_OK;
}

bool bd_name_has_dot(const char *in, size_t len) {
  return memchr(in, '.', len) != NULL;
}

const char *bd_name_strerror(enum bd_name_error err) {
  switch (err) {
  case BD_NAME_OK:
    return "valid";
  case BD_NAME_EMPTY:
    return "empty name";
  case BD_NAME_TOO_LONG:
    return "name longer than 253 characters";
  case BD_NAME_LABEL_TOO_LONG:
    return "label longer than 63 characters";
  case BD_NAME_EMPTY_LABEL:
    return "empty label";
  case BD_NAME_NUL:
    return "NUL byte in name";
  case BD_NAME_CONTROL:
    return "control character in name";
  case BD_NAME_NON_ASCII:
    return "bytes that are not UTF-8 in name";
  case BD_NAME_BAD_IDN:
    return "not a valid internationalized name (IDNA2008)";
  case BD_NAME_BAD_CHAR:
    return "character not allowed in a domain name";
  }
  return "invalid name";
}
