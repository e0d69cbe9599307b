/* Record type names (RFC 1035 3.2.2 and later registrations). */
#ifndef BLOGDOM_RRTYPE_H
#define BLOGDOM_RRTYPE_H

#include <stddef.h>
#include <stdint.h>

/* "A", "aaaa", "TYPE65" or "65" into a type number. Returns 0 on success,
 * -1 for an unknown name or a number out of range. */
int bd_rrtype_parse(const char *text, uint16_t *out);

/* Writes the mnemonic (or "TYPEn") into buf (at least 12 bytes). */
const char *bd_rrtype_name(uint16_t type, char *buf, unsigned cap);

/* The i-th mnemonic that bd_rrtype_parse() knows ("A", "NS", ...), or NULL
 * past the last: what the shell completions offer for --type. */
const char *bd_rrtype_mnemonic(size_t i);

#endif
