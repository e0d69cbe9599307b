/* The WHOIS servers (RFC 3912) by suffix: which server speaks for which
 * TLD where the TLD has no RDAP service. The table is built in, from
 * data/whois-servers.txt (IANA's root zone database, dated), and a file
 * of the same format, given or in the cache directory, takes its place.
 * No I/O but reading that file. */
#ifndef BLOGDOM_WHOISDB_H
#define BLOGDOM_WHOISDB_H

#include <stddef.h>

/* The longest server text kept: a host name, or an address and port. */
#define BD_WHOISDB_SERVER_MAX 255

struct bd_whoisdb_entry; /* a suffix and its server */

/* A suffix -> server table; a zeroed struct is an empty one. Read it
 * through bd_whoisdb_lookup(). */
struct bd_whoisdb {
  struct bd_whoisdb_entry *entries; /* sorted by suffix, no duplicates */
  size_t nentries;
  size_t cap;
  char date[16]; /* the "# date: " line's, or "" */
};

/* Parses text[0..len) in data/whois-servers.txt's format: one "SUFFIX
 * SERVER" a line, blanks around and between; '#' starts a comment line,
 * and "# date: YYYY-MM-DD" dates the table. A suffix listed twice keeps
 * its first server; suffixes match without regard to case or a trailing
 * dot. Whatever db held is not freed: pass a zeroed or freed table.
 * Returns 0; -1 when a line is not of that form (*bad_line is its number,
 * from 1), or -ENOMEM; db is then left empty. */
int bd_whoisdb_parse(struct bd_whoisdb *db, const char *text, size_t len,
                     unsigned *bad_line);

/* Fills db with the built-in table. Returns 0 or -ENOMEM (db empty). */
int bd_whoisdb_builtin(struct bd_whoisdb *db);

/* Reads the table file at path into db (zeroed). Returns 0, a negative
 * errno value when it cannot be read (-EFBIG over 4 MiB), -EINVAL when a
 * line is malformed (*bad_line says which), or -ENOMEM. */
int bd_whoisdb_load(struct bd_whoisdb *db, const char *path,
                    unsigned *bad_line);

/* The server for domain: that of the entry matching its longest suffix of
 * whole labels, or NULL. The pointer lives as long as the table. */
const char *bd_whoisdb_lookup(const struct bd_whoisdb *db, const char *domain);

/* Releases the table and leaves db empty. */
void bd_whoisdb_free(struct bd_whoisdb *db);

/* The cache copy's path, <xdg_cache_home>/blogdom/whois-servers.txt or
 * else <home>/.cache/blogdom/whois-servers.txt (see cachefile.h). Returns
 * 0, or -1 when neither is usable. */
int bd_whoisdb_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                          const char *home);

#endif
