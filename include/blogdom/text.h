/* Making untrusted bytes safe to print: one escaping rule everywhere. */
#ifndef BLOGDOM_TEXT_H
#define BLOGDOM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room bd_text_escape needs for len input bytes, terminator included. */
#define BD_ESCAPED_SIZE(len) ((len)*4 + 1)

/* Length of the valid multi-byte UTF-8 sequence at s (2-4), its code
 * point in *cp, or 0 when it is not one: overlong forms, surrogates and
 * values past U+10FFFF are not valid (RFC 3629 3-4). */
size_t bd_text_utf8_sequence(const unsigned char *s, size_t len, uint32_t *cp);

/* Whether code point c prints as nothing or reorders the text around it
 * (C1 controls, soft hyphen, zero-width and bidirectional formatting). */
bool bd_text_is_deceptive(uint32_t c);

/* Copies in[0..len) to out as one printable, whitespace-free token:
 * printable ASCII and printable UTF-8 pass; a backslash becomes "\\"; space,
 * C0 and C1 controls, DEL, invisible or bidirectional formatting characters
 * and bytes that are not valid UTF-8 become "\xHH" per byte. Never writes
 * more than cap bytes, stops at a whole escape, always terminates (cap > 0).
 * Returns the length written. */
size_t bd_text_escape(char *out, size_t cap, const char *in, size_t len);

/* Appends s to out as the body of a JSON string (no quotes), escaping '"',
 * '\\' and control characters. The input is already valid UTF-8 (it comes
 * from bd_text_escape or from ASCII tables). Same contract as above. */
size_t bd_text_json(char *out, size_t cap, const char *s, size_t len);

#endif
