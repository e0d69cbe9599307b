/* One domain name: normalization and validation, before anything is sent. */
#ifndef BLOGDOM_NAMES_H
#define BLOGDOM_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Longest name in presentation form without the trailing dot (RFC 1035
 * 3.1: 255 octets on the wire). */
#define BD_NAME_MAX 253
/* Longest label (RFC 1035 2.3.4). */
#define BD_LABEL_MAX 63

enum bd_name_error {
  BD_NAME_OK = 0,
  BD_NAME_EMPTY,
  BD_NAME_TOO_LONG,
  BD_NAME_LABEL_TOO_LONG,
  BD_NAME_EMPTY_LABEL,
  BD_NAME_NUL,
  BD_NAME_CONTROL,
  BD_NAME_NON_ASCII, /* bytes that are not UTF-8 */
  BD_NAME_BAD_CHAR,
  BD_NAME_BAD_IDN, /* UTF-8, but not a name IDNA2008 allows */
  /* A valid DNS name whose registrable label no registry would sell (see
   * bd_name_check_host); bd_name_is_host_error() tells these apart. */
  BD_NAME_HOST_CHAR,     /* not a letter, digit or hyphen */
  BD_NAME_HOST_HYPHEN,   /* a hyphen first or last */
  BD_NAME_HOST_RESERVED, /* "--" in positions 3-4, not "xn--" */
  BD_NAME_HOST_ALABEL    /* "xn--" that is not a valid A-label */
};

/* Normalizes the name in[0..len): lower case, one trailing dot dropped, an
 * internationalized name converted to its ASCII form (IDNA2008,
 * non-transitional).
 * Letters, digits, '-' and '_' are accepted in any label; every label has 1
 * to 63 characters and the whole name at most 253. On success writes the
 * normalized name, NUL-terminated, to out (BD_NAME_MAX + 1 bytes) and its
 * length to *out_len. */
enum bd_name_error bd_name_normalize(const char *in, size_t len, char *out,
                                     size_t *out_len);

/* Host-name rules (RFC 952/1123 LDH, RFC 5890 4.2.3.1, RFC 5891 5.4) for
 * the label of a normalized ASCII name that would be registered: the one
 * right under its public suffix (the Public Suffix List, by libpsl), so
 * "example.co.uk" is judged on "example". That label holds letters, digits
 * and hyphens, no hyphen first or last, and "--" in positions 3-4 only as a
 * valid A-label: Punycode that decodes to a valid IDNA2008 U-label and
 * encodes back to the same A-label. Labels below it keep DNS's looser rules
 * ("_dmarc.example.com" is a valid probe); a name that is itself a public
 * suffix has no such label. Returns BD_NAME_OK or a BD_NAME_HOST_* code. */
enum bd_name_error bd_name_check_host(const char *ascii, size_t len);

/* The registrable domain of a normalized ASCII name (NUL-terminated): the
 * label right under its public suffix and the suffix, a tail of ascii
 * ("hold.dev" of "www.hold.dev"); NULL when the name is a public suffix
 * itself. By the Public Suffix List (libpsl); without the library's
 * built-in list, the last two labels. */
const char *bd_name_registrable(const char *ascii);

/* True for the errors of bd_name_check_host. */
bool bd_name_is_host_error(enum bd_name_error err);

/* True when in[0..len) holds a dot: such a name is probed as given, a name
 * without one is a label probed under each TLD. The dots that UTS #46 maps
 * to '.' (U+3002, U+FF0E, U+FF61) count: "bücher" U+3002 "dev" is the name
 * "bücher.dev", as IDNA mapping then writes it. */
bool bd_name_has_dot(const char *in, size_t len);

/* Writes the Unicode form of a normalized ASCII name into out (cap bytes,
 * terminated): "xn--bcher-kva.dev" is "bücher.dev". Only valid A-labels
 * are decoded; every other label is copied as it is, so an invalid one
 * never shows as a guess. Returns the length written. */
size_t bd_name_to_unicode(const char *ascii, char *out, size_t cap);

/* A short English reason, for stderr and JSON. */
const char *bd_name_strerror(enum bd_name_error err);

#endif
