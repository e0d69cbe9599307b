/* A record's data in presentation format: the text a zone file holds
 * (RFC 1035 5.1), for the records JSON lines show. */
#ifndef BLOGDOM_RRTEXT_H
#define BLOGDOM_RRTEXT_H

#include <stddef.h>

#include "blogdom/dnsmsg.h"

/* Writes the data of rr, a record of the parsed message m, into buf as a
 * zone file would hold it, NUL-terminated:
 *   A, AAAA            192.0.2.1, 2001:db8::1 (RFC 1035 3.4.1, RFC 5952)
 *   NS, CNAME, DNAME,  a name with its trailing dot, lower case
 *   PTR
 *   MX                 10 mx.example.com.
 *   SRV                priority weight port target (RFC 2782)
 *   SOA                mname rname serial refresh retry expire minimum
 *   TXT                each string quoted: "v=spf1 -all" "more"
 *   CAA                flags tag "value" (RFC 8659 4.1.1)
 *   DS                 key-tag algorithm digest-type HEX (RFC 4034 5.3)
 *   DNSKEY             flags protocol algorithm base64 (RFC 4034 2.2)
 *   SVCB, HTTPS        priority target key=value ... (RFC 9460 2.1)
 *   NAPTR              order preference "flags" "service" "regexp"
 *                      replacement (RFC 3403 4.1)
 *   anything else      \# length HEX, RFC 3597 5's generic form
 * Data that does not fit its type's layout (a short address, a string
 * running past the data, a compressed SVCB target) is written in the
 * generic form too: what was sent, never a guess. Inside quoted strings
 * '"' and '\' are escaped with '\' and every byte outside printable
 * ASCII is \DDD (RFC 1035 5.1), so the text is printable ASCII.
 * Returns the length written, or BD_DNSMSG_ESPACE when cap is too small
 * (buf then holds ""). */
int bd_rrtext_write(const struct bd_dnsmsg *m, const struct bd_dnsrr *rr,
                    char *buf, size_t cap);

#endif
