/* Name normalization and validation (RFC 1035 2.3.4 sizes; RFC 2181 11 lets
 * any octet into a label, but a prober only asks for names that can be
 * looked up as typed: letters, digits, '-' and '_'), and the stricter
 * host-name rules for the one label that would be registered.
 * Internationalized names become their ASCII form by IDNA2008 with UTS #46
 * non-transitional mapping (libidn2): "Bücher" is "xn--bcher-kva", and
 * "straße" keeps its sharp s. */
#include "blogdom/names.h"

#include <idn2.h>
#include <libpsl.h>
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

/* True when label[0..len) is an A-label that IDNA2008 registration
 * accepts: libidn2 decodes it, checks the U-label and encodes it back to
 * the same bytes. */
static bool is_valid_alabel(const char *label, size_t len) {
  char buf[BD_LABEL_MAX + 1];
  uint8_t *checked = NULL;
  int rc;

  if (len > BD_LABEL_MAX)
    return false;
  memcpy(buf, label, len);
  buf[len] = '\0';
  rc = idn2_register_u8(NULL, (const uint8_t *)buf, &checked, 0);
  idn2_free(checked);
  return rc == IDN2_OK;
}

static bool is_alabel_prefix(const char *label, size_t len) {
  return len >= 4 && memcmp(label, "xn--", 4) == 0;
}

size_t bd_name_to_unicode(const char *ascii, char *out, size_t cap) {
  size_t n = 0;
  const char *label = ascii;

  if (cap == 0)
    return 0;
  for (;;) {
    size_t len = strcspn(label, ".");
    char buf[BD_LABEL_MAX + 1];
    char *u = NULL;
    const char *shown = label;
    size_t shown_len = len;

    if (is_alabel_prefix(label, len) && is_valid_alabel(label, len)) {
      memcpy(buf, label, len);
      buf[len] = '\0';
      if (idn2_to_unicode_8z8z(buf, &u, 0) == IDN2_OK) {
        shown = u;
        shown_len = strlen(u);
      }
    }
    if (shown_len > cap - 1 - n)
      shown_len = cap - 1 - n;
    memcpy(out + n, shown, shown_len);
    n += shown_len;
    idn2_free(u);
    if (label[len] == '\0' || n + 1 >= cap)
      break;
    out[n++] = '.';
    label += len + 1;
  }
  out[n] = '\0';
  return n;
}

const char *bd_name_registrable(const char *ascii) {
  const psl_ctx_t *psl = psl_builtin();
  const char *reg = NULL;

  if (psl != NULL) {
    reg = psl_registrable_domain(psl, ascii);
  } else {
    const char *last = strrchr(ascii, '.');
    if (last != NULL) {
      reg = last;
      while (reg > ascii && reg[-1] != '.')
        reg--;
    }
  }
  return reg;
}

/* The label under the public suffix, or NULL when the name is a public
 * suffix itself. */
static const char *registrable_label(const char *ascii, size_t *len) {
  const char *reg = bd_name_registrable(ascii);
  if (reg == NULL)
    return NULL;
  *len = strcspn(reg, ".");
  return reg;
}

/* True when every label keeps the rules below, whichever is registrable:
 * then the public suffix list need not be asked which one that is (it
 * costs more than the rest of a name's reading). A label with "--" at its
 * third character is left to the full check. */
static bool every_label_is_host(const char *name, size_t len) {
  size_t start = 0;
  for (size_t i = 0; i <= len; i++) {
    char c = i < len ? name[i] : '.';
    if (c == '.') {
      size_t n = i - start;
      if (n == 0 || name[start] == '-' || name[i - 1] == '-' ||
          (n >= 4 && name[start + 2] == '-' && name[start + 3] == '-'))
        return false;
      start = i + 1;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '-')) {
      return false;
    }
  }
  return true;
}

enum bd_name_error bd_name_check_host(const char *ascii, size_t len) {
  char name[BD_NAME_MAX + 1];
  const char *label;
  size_t n;

  if (len > BD_NAME_MAX)
    return BD_NAME_TOO_LONG;
  if (every_label_is_host(ascii, len))
    return BD_NAME_OK;
  memcpy(name, ascii, len);
  name[len] = '\0';
  label = registrable_label(name, &n);
  if (label == NULL || n == 0)
    return BD_NAME_OK;
  for (size_t i = 0; i < n; i++) {
    char c = label[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return BD_NAME_HOST_CHAR;
  }
  if (label[0] == '-' || label[n - 1] == '-')
    return BD_NAME_HOST_HYPHEN;
  if (n >= 4 && label[2] == '-' && label[3] == '-') {
    if (!is_alabel_prefix(label, n))
      return BD_NAME_HOST_RESERVED;
    if (!is_valid_alabel(label, n))
      return BD_NAME_HOST_ALABEL;
  }
  return BD_NAME_OK;
}

bool bd_name_is_host_error(enum bd_name_error err) {
  return err == BD_NAME_HOST_CHAR || err == BD_NAME_HOST_HYPHEN ||
         err == BD_NAME_HOST_RESERVED || err == BD_NAME_HOST_ALABEL;
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

/* The UTF-8 forms of U+3002, U+FF0E and U+FF61. */
static bool is_wide_dot(const unsigned char *p, size_t left) {
  return left >= 3 && ((p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x82) ||
                       (p[0] == 0xef && p[1] == 0xbc && p[2] == 0x8e) ||
                       (p[0] == 0xef && p[1] == 0xbd && p[2] == 0xa1));
}

bool bd_name_has_dot(const char *in, size_t len) {
  for (size_t i = 0; i < len; i++)
    if (in[i] == '.' || is_wide_dot((const unsigned char *)in + i, len - i))
      return true;
  return false;
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
  case BD_NAME_HOST_CHAR:
    return "the label to register may hold only letters, digits and hyphens";
  case BD_NAME_HOST_HYPHEN:
    return "the label to register starts or ends with a hyphen";
  case BD_NAME_HOST_RESERVED:
    return "the label to register has '--' in positions 3-4 and is not an "
           "A-label";
  case BD_NAME_HOST_ALABEL:
    return "the label to register is not a valid A-label (IDNA2008)";
  }
  return "invalid name";
}
