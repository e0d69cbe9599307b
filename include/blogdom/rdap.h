/* RDAP (RFC 7480-7484, RFC 9082/9083) asks a name's registry whether the
 * name is registered: for --confirm, when DNS said NXDOMAIN. Asynchronous,
 * over libcurl's multi interface driven by the caller's libuv loop. */
#ifndef BLOGDOM_RDAP_H
#define BLOGDOM_RDAP_H

#include <uv.h>

#include "blogdom/rdapdomain.h"

#define BD_RDAP_DEFAULT_CONCURRENCY 4
#define BD_RDAP_DEFAULT_RATE 10.0
#define BD_RDAP_DEFAULT_TIMEOUT_MS 10000
#define BD_RDAP_DEFAULT_TRIES 3
/* 429 pauses one name may meet before it fails; they cost no tries. */
#define BD_RDAP_MAX_PAUSES 5

struct bd_rdap;

/* A field left 0 (or NULL) takes its default. */
struct bd_rdap_config {
  /* --rdap-bootstrap FILE: a dns.json read at bd_rdap_new(), instead of
   * the cache or IANA's copy. */
  const char *bootstrap_file;
  /* --rdap-url URL: every name goes to this base URL (http or https);
   * no bootstrap at all. */
  const char *forced_url;
  /* Requests in flight per registry, at most (default 4). */
  unsigned per_registry_concurrency;
  /* Requests a second per registry, retries included, evenly spaced
   * (default 10; fractions such as 0.5 are fine). */
  double per_registry_rate;
  /* Per request, connection included (default 10000). */
  unsigned timeout_ms;
  /* Requests per name when the registry fails (5xx), the connection
   * fails or the request times out (default 3). */
  unsigned tries;
};

enum bd_rdap_outcome {
  BD_RDAP_REGISTERED,   /* 200 with a domain object: the name is taken */
  BD_RDAP_AVAILABLE,    /* 404: the registry does not have it (free) */
  BD_RDAP_NO_SERVER,    /* no RDAP server is known for the name's TLD */
  BD_RDAP_FAILED,       /* no definitive answer; detail says why */
  BD_RDAP_BAD_RESPONSE, /* 200 with a body that is no domain object we
                           read (rdapdomain.h), or over its size cap */
  BD_RDAP_CANCELLED     /* bd_rdap_close() */
};

/* What kind of FAILED it was, for the line's reason. */
enum bd_rdap_failure {
  BD_RDAP_FAILURE_STATUS,      /* an error status (5xx, 429, ...), or a
                                  failure of this host (out of memory) */
  BD_RDAP_FAILURE_TIMEOUT,     /* no answer in time */
  BD_RDAP_FAILURE_UNREACHABLE, /* no connection, or one broken or empty */
  BD_RDAP_FAILURE_TLS          /* a TLS handshake or certificate failure */
};

struct bd_rdap_result {
  enum bd_rdap_outcome outcome;
  enum bd_rdap_failure failure; /* FAILED: of which kind */
  int http_status;              /* of the last response; 0 if there was none */
  unsigned tries;               /* requests sent for the name, 429s included */
  /* A short reason for FAILED: "timeout", "http 500", "http 429",
   * "connection failed", ...; NULL otherwise. Valid during the callback
   * only. */
  const char *detail;
  /* REGISTERED: what the domain object says (status values, dates).
   * Valid during the callback only. */
  const struct bd_rdapdomain *domain;
};

typedef void (*bd_rdap_cb)(void *arg, const struct bd_rdap_result *r);

/* Makes a client on loop. With cfg->bootstrap_file, reads and parses it
 * now. Returns 0, or a negative errno value after saying why with
 * bd_errorf(): -EINVAL (--rdap-url is not an http(s) URL, the bootstrap
 * file is malformed), the file's read error, -ENOENT or -ENOSYS (no
 * usable libcurl), -ENOMEM or -EIO; it then leaves nothing behind, on the
 * loop or in memory. While no lookup is pending the client keeps no
 * handle active or referenced: it never keeps the loop from ending. */
int bd_rdap_new(struct bd_rdap **out, uv_loop_t *loop,
                const struct bd_rdap_config *cfg);

/* Asks about domain (copied; a trailing dot is dropped). Unless it returns
 * an error, cb(arg, result) is called exactly once, later, from the loop:
 * never from inside bd_rdap_lookup(). Without a forced URL or a bootstrap
 * file, the first lookup starts the bootstrap (a fresh disk cache, else
 * IANA's dns.json fetched on the loop, else the built-in table with one
 * warning) and lookups wait for it. Returns 0, or -ENOMEM, or -ECANCELED
 * after bd_rdap_close(); cb is then never called (from a callback that
 * close runs, the lookup is accepted and cancelled). */
int bd_rdap_lookup(struct bd_rdap *r, const char *domain, bd_rdap_cb cb,
                   void *arg);

/* Ends every lookup not yet reported: its callback gets BD_RDAP_CANCELLED
 * now, or, when called from inside one of this client's callbacks, right
 * after that callback returns. Then closes the connections and the
 * client's libuv handles: the loop must run for their close callbacks
 * before bd_rdap_free(). A second call does nothing. */
void bd_rdap_close(struct bd_rdap *r);

/* Releases the client; after bd_rdap_close() and a uv_run() that has
 * returned since. NULL is fine. */
void bd_rdap_free(struct bd_rdap *r);

#endif
