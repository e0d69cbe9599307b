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
  BD_NAME_BAD_IDN /* UTF-8, but not a name IDNA2008 allows */
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

/* True when in[0..len) holds a dot: such a name is probed as given, a name
 * without one is a label probed under each TLD. */
bool bd_name_has_dot(const char *in, size_t len);

/* Writes the Unicode form of a normalized ASCII name into out (cap bytes,
 * terminated): "xn--bcher-kva.dev" is "bücher.dev"; a name without
 * A-labels, or one that does not decode, is copied as it is. Returns the
 * length written. */
size_t bd_name_to_unicode(const char *ascii, char *out, size_t cap);

/* A short English reason, for stderr and JSON. */
const char *bd_name_strerror(enum bd_name_error err);

#endif
