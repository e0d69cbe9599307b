/* Making untrusted bytes safe to print: one escaping rule everywhere. */
#ifndef BLOGDOM_TEXT_H
#define BLOGDOM_TEXT_H

#include <stddef.h>

/* Room bd_text_escape needs for len input bytes, terminator included. */
#define BD_ESCAPED_SIZE(len) ((len)*4 + 1)

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
