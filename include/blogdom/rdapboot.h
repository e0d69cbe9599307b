/* The RDAP bootstrap registry for DNS (RFC 9224): which RDAP server speaks
 * for which TLD, from IANA's dns.json, a disk cache of it, or a small
 * built-in table. No I/O but the cache helpers' files. */
#ifndef BLOGDOM_RDAPBOOT_H
#define BLOGDOM_RDAPBOOT_H

#include <stddef.h>
#include <time.h>

/* Where IANA publishes the registry (RFC 9224 section 3). */
#define BD_RDAPBOOT_IANA_URL "https://data.iana.org/rdap/dns.json"

/* Larger bootstrap files are refused; IANA's is about 40 kB. */
#define BD_RDAPBOOT_MAX_SIZE (4u * 1024 * 1024)

/* How long a cached copy served without a max-age stays fresh. */
#define BD_RDAPBOOT_DEFAULT_TTL (24 * 60 * 60)

struct bd_rdapboot_entry; /* a suffix and its base URLs */

/* A suffix -> base URL table; a zeroed struct is an empty one. The fields
 * are the module's: read the table through bd_rdapboot_lookup(). */
struct bd_rdapboot {
  struct bd_rdapboot_entry *entries; /* sorted by suffix, no duplicates */
  size_t nentries;
  char **urls; /* owned, each once, ending in '/' */
  size_t nurls;
};

/* Parses IANA's dns.json format, json[0..len):
 *   {"services": [[["com", "net"], ["https://rdap.verisign.com/com/v1/"]],
 *                 ...], "version": "1.0", "publication": "..."}
 * A service's http and https URLs are all kept, the https ones first, each
 * in the order given: the first is asked, the others when it cannot be
 * reached; a '/' is appended to a base URL that lacks one (RFC 9224
 * section 3 says they end in one; RFC 9082 URLs are built by appending). A
 * suffix listed twice keeps its first service. Suffixes are matched without
 * regard to case. Whatever b held is not freed: pass a zeroed or freed
 * table. Returns 0, -1 when the text is not that format (not JSON, no
 * "services" array, a service that is not two arrays of strings), or
 * -ENOMEM; b is then left empty: the caller falls back on another source.
 * Either way b is to be released with bd_rdapboot_free(). */
int bd_rdapboot_parse(struct bd_rdapboot *b, const char *json, size_t len);

/* Fills b with the built-in table, for when no bootstrap file can be had:
 * com, net, org, io, dev, app and page. Returns 0, or -1 when out of
 * memory (b is then empty). */
int bd_rdapboot_builtin(struct bd_rdapboot *b);

/* The base URL of the RDAP server for domain (a trailing dot and case are
 * ignored): that of the entry matching the longest suffix of whole labels
 * (RFC 9224 section 4), or NULL when the table has none. The pointer lives
 * as long as the table. */
const char *bd_rdapboot_lookup(const struct bd_rdapboot *b, const char *domain);

/* The same, with every base URL of that entry, the one to ask first
 * first: their count (0 when none), and *urls pointing at them. */
size_t bd_rdapboot_lookup_all(const struct bd_rdapboot *b, const char *domain,
                              const char *const **urls);

/* Releases the table and leaves b empty. */
void bd_rdapboot_free(struct bd_rdapboot *b);

/* ---- files and the disk cache --------------------------------------- */

/* Reads the whole file at path, of at most BD_RDAPBOOT_MAX_SIZE bytes,
 * into a malloc'ed, NUL-terminated buffer the caller frees. Returns 0, or
 * a negative errno value (-EFBIG when too large). */
int bd_rdapboot_read_file(const char *path, char **data, size_t *len);

/* Writes the cache path, <xdg_cache_home>/blogdom/rdap-dns.json or else
 * <home>/.cache/blogdom/rdap-dns.json, into buf (the values of
 * $XDG_CACHE_HOME and $HOME, either NULL; an XDG_CACHE_HOME that is empty
 * or relative is ignored, as the XDG Base Directory spec says). Returns 0,
 * or -1 when neither is usable or the path does not fit. */
int bd_rdapboot_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                           const char *home);

/* The cached copy's expiry is its file's modification time, set into the
 * future when it is written: one file, replaced by one rename, can never
 * pair a copy with another copy's expiry. */

/* Reads the cached copy at path when it is still fresh at now (its mtime
 * is later than now), as bd_rdapboot_read_file() does. Returns 0 when
 * fresh, 1 when missing or stale, or a negative errno value. */
int bd_rdapboot_cache_load(const char *path, time_t now, char **data,
                           size_t *len);

/* Replaces the cached copy at path with data[0..len), fresh until expires:
 * written to a temporary file beside it, then renamed over it. Missing
 * directories are created with mode 0700. Returns 0 or a negative errno
 * value. */
int bd_rdapboot_cache_store(const char *path, const char *data, size_t len,
                            time_t expires);

/* The max-age of a Cache-Control header value (RFC 9111 section 5.2.2.1),
 * in seconds, capped at a week: 0 when no-store or no-cache forbid reusing
 * the response without asking again, -1 when there is no (well-formed)
 * max-age. */
long bd_rdapboot_max_age(const char *cache_control);

#endif
