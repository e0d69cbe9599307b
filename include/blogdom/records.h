/* The answer records of a name's response, as its line may show them:
 * type, TTL and presentation-format data, capped. */
#ifndef BLOGDOM_RECORDS_H
#define BLOGDOM_RECORDS_H

#include <stddef.h>

struct bd_facts;

/* The records of the answer section of the response abuf[0..alen) that
 * belong to its question's name: those owned by the name itself or by a
 * name its CNAME chain leads to (at most 8 links), in the order the
 * server sent them, CNAMEs included, each with its data in presentation
 * format (rrtext.h). They replace the records in *facts, made when there
 * is anything to keep, within the caps of facts.h (records_truncated is
 * set past a cap, and when the chain is cut). A response that does not
 * parse keeps nothing. Returns 0 or -ENOMEM (*facts then holds no
 * records). */
int bd_records_keep(const unsigned char *abuf, size_t alen,
                    struct bd_facts **facts);

#endif
