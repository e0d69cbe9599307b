/* WHOIS (RFC 3912) asks a TLD's registry about a domain where the TLD has
 * no RDAP service: one TCP connection a query to port 43, "domain\r\n"
 * sent, the reply read until the server closes, and judged by the
 * registry's format (whoisreply.h). Asynchronous, on the caller's libuv
 * loop; each server gets at most one query at a time, at most so many a
 * second. */
#ifndef BLOGDOM_WHOIS_H
#define BLOGDOM_WHOIS_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "blogdom/servers.h"

#define BD_WHOIS_PORT 43
#define BD_WHOIS_DEFAULT_RATE 1
#define BD_WHOIS_DEFAULT_TIMEOUT_MS 10000
/* Replies are a few kilobytes; a longer one is not a reply we read. */
#define BD_WHOIS_REPLY_MAX (64u * 1024)

struct bd_whois;

/* A field left 0 (or NULL) takes its default. */
struct bd_whois_config {
  /* --whois-servers FILE: the table of servers read at bd_whois_new(),
   * instead of the cache copy or the built-in one. */
  const char *servers_file;
  /* --whois-host ADDR[:PORT]: every WHOIS query goes to this server, for
   * every TLD without RDAP, whether the table lists a server for it or
   * not; no name is resolved. */
  const char *forced_host;
  unsigned rate;       /* queries a second per server (default 1) */
  unsigned timeout_ms; /* per query, connection and reply (default 10000) */
  /* Who resolves the servers' host names: the run's resolvers. */
  const struct bd_server *resolvers;
  size_t nresolvers;
};

enum bd_whois_outcome {
  BD_WHOIS_FREE,         /* the registry does not have the domain */
  BD_WHOIS_REGISTERED,   /* it does */
  BD_WHOIS_LIMITED,      /* a rate limit or a refusal */
  BD_WHOIS_UNRECOGNIZED, /* a reply in no form we can read */
  BD_WHOIS_UNREACHABLE,  /* no connection, no reply in time, an empty one,
                            or a server name that does not resolve */
  BD_WHOIS_CANCELLED     /* bd_whois_close() */
};

struct bd_whois_result {
  enum bd_whois_outcome outcome;
  /* The server asked, and for what is not FREE or REGISTERED a short
   * reason ("connection refused", "no reply in time", ...); valid during
   * the callback only. */
  const char *server;
  const char *detail;
};

typedef void (*bd_whois_cb)(void *arg, const struct bd_whois_result *r);

/* Makes a client on loop, its table read now: --whois-servers's file, or
 * else the cache copy (whoisdb.h) when there is one, or else the built-in
 * table. Returns 0, or a negative errno value after saying why with
 * bd_errorf() (-EINVAL: a --whois-host that is no address, a malformed
 * file; the file's read error; -ENOMEM), leaving nothing behind. */
int bd_whois_new(struct bd_whois **out, uv_loop_t *loop,
                 const struct bd_whois_config *cfg);

/* Asks about domain (copied). Returns 0, and cb(arg, result) is called
 * once, later, from the loop; or -ENOENT when no WHOIS server is known for
 * its TLD, -ENOMEM, or -ECANCELED after bd_whois_close(): cb is then never
 * called. */
int bd_whois_lookup(struct bd_whois *w, const char *domain, bd_whois_cb cb,
                    void *arg);

/* Ends every lookup not yet reported (cb with BD_WHOIS_CANCELLED, now)
 * and closes the client's handles: the loop must run before
 * bd_whois_free(). From one of its callbacks too (a name let go may end
 * the run). A second call does nothing. */
void bd_whois_close(struct bd_whois *w);

/* Releases the client; after close and a uv_run() since. NULL is fine. */
void bd_whois_free(struct bd_whois *w);

#endif
