/* The zone files of --zone: each one's index, mapped from the cache or
 * built there on first use, and the verdict of a name a zone holds, with
 * no query at all. */
#ifndef BLOGDOM_ZONESET_H
#define BLOGDOM_ZONESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bd_verdict;
struct bd_zoneset;

/* Told while an index is built: done of size bytes of path read (size 0:
 * unknown); done == size at the end. */
typedef void (*bd_zoneset_progress_cb)(void *data, const char *path,
                                       uint64_t done, uint64_t size);

/* Opens the zone files at paths[0..n), building each index that the cache
 * ($XDG_CACHE_HOME/blogdom, else ~/.cache/blogdom) does not hold for the
 * file as it is now. Returns 0, or -1 with why filled ("FILE:LINE: what",
 * "FILE: what", or two files of one zone); *out is NULL then. */
int bd_zoneset_open(struct bd_zoneset **out, char *const *paths, size_t n,
                    bd_zoneset_progress_cb progress, void *progress_data,
                    char *why, size_t why_size);

void bd_zoneset_free(struct bd_zoneset *set);

/* Judges name (normalized, as names.c makes it) by the zone with the
 * longest origin at or above it: true, with v (bd_verdict_from_zone) and
 * *evidence ("zone:ORIGIN@SERIAL", the set's) filled, when one holds it;
 * false when the name is outside every zone, for DNS to judge. A name
 * that exists only by a wildcard of the zone is found, or with
 * wildcard_check an error (BD_REASON_WILDCARD), as DNS would have it. */
bool bd_zoneset_judge(const struct bd_zoneset *set, const char *name,
                      size_t len, bool wildcard_check, struct bd_verdict *v,
                      const char **evidence);

#endif
