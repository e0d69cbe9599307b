/* What a WHOIS reply (RFC 3912) says of a domain: free, registered, a rate
 * limit, or nothing we can tell. WHOIS has no format: each registry words
 * its replies its own way, so each format the registries use is a table of
 * the lines that say "free", "registered" and "slow down", and a reply is
 * judged by the format of its TLD's registry. Pure. */
#ifndef BLOGDOM_WHOISREPLY_H
#define BLOGDOM_WHOISREPLY_H

#include <stddef.h>

enum bd_whoisreply {
  BD_WHOISREPLY_FREE,        /* the registry does not have the domain */
  BD_WHOISREPLY_REGISTERED,  /* it does */
  BD_WHOISREPLY_LIMITED,     /* a rate limit or a refusal: says nothing */
  BD_WHOISREPLY_UNRECOGNIZED /* no line of the format, or lines of both */
};

/* One registry's way of wording its replies. Each pattern is matched
 * against every line of a reply, the line first lower-cased, its leading
 * comment marks ('%', '#', '>', '*') and blanks dropped and its runs of
 * blanks made one space; a pattern starting with '^' must begin the line,
 * one ending with '$' must end it, any other may be anywhere in it. Lists
 * end with NULL. */
struct bd_whoisformat {
  const char *name;              /* "denic", "verisign", ... */
  const char *const *tlds;       /* the TLDs whose registries use it */
  const char *const *free;       /* lines that say the domain is free */
  const char *const *registered; /* lines that say it is registered */
  const char *const *limited;    /* lines of a rate limit or refusal */
};

/* The format of the replies about domain: by its TLD, or the generic one
 * of ICANN's registry agreements ("icann") for a TLD no other names. */
const struct bd_whoisformat *bd_whoisreply_format(const char *domain);

/* The format called name, or NULL; and the i-th of them all, NULL past
 * the last (for the tests). */
const struct bd_whoisformat *bd_whoisreply_format_named(const char *name);
const struct bd_whoisformat *bd_whoisreply_format_at(size_t i);

/* Judges reply[0..len) in format f. A line of a rate limit (the format's,
 * or one every registry may send) makes it LIMITED whatever else it says:
 * some registries add "no entries found" to their refusals. Then FREE
 * when a free line is there and no registered one, REGISTERED when the
 * other way round; anything else is UNRECOGNIZED, never a guess. */
enum bd_whoisreply bd_whoisreply_classify(const struct bd_whoisformat *f,
                                          const char *reply, size_t len);

/* "free", "registered", "limited", "unrecognized". */
const char *bd_whoisreply_name(enum bd_whoisreply r);

#endif
