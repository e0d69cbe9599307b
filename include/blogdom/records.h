/* The answer records of a name's response, as its JSON line shows them:
 * type, TTL and presentation-format data, capped. */
#ifndef BLOGDOM_RECORDS_H
#define BLOGDOM_RECORDS_H

#include <stddef.h>

/* The most records a line shows, and the most bytes the member takes
 * (",\"records\":[...]" whole); past either, the records that fit are
 * kept and ,"records_truncated":true follows. */
#define BD_RECORDS_MAX 16
#define BD_RECORDS_TEXT_MAX 4096

/* The records of the answer section of the response abuf[0..alen) that
 * belong to its question's name: those owned by the name itself or by a
 * name its CNAME chain leads to (at most 8 links), in the order the
 * server sent them, CNAMEs included. Each is {"type":"MX","ttl":300,
 * "data":"10 mx.example.com."} (rrtext.h for the data). *out becomes
 * the JSON member ,"records":[...] as a heap string, or NULL when the
 * response holds no such record or does not parse. Returns 0 or
 * -ENOMEM. */
int bd_records_json(const unsigned char *abuf, size_t alen, char **out);

#endif
