/* libcurl's multi interface on a libuv loop: curl's sockets watched with
 * fdwatch, its timeouts kept by one uv_timer_t, and a callback per
 * transfer when it ends. Knows nothing of what the transfers are for. */
#ifndef BLOGDOM_CURLUV_H
#define BLOGDOM_CURLUV_H

#include <curl/curl.h>
#include <stdbool.h>
#include <uv.h>

struct bd_curluv;
struct bd_curluv_xfer;

/* The transfer of easy ended with result (CURLE_OK when a response came,
 * whatever its status). easy is out of the multi handle already: the
 * callee may read it, start it again or clean it up. */
typedef void (*bd_curluv_done_cb)(struct bd_curluv_xfer *x, CURL *easy,
                                  CURLcode result);

/* One transfer: embed it in what the transfer is for, and reach that from
 * on_done with container_of. The fields are the module's. */
struct bd_curluv_xfer {
  CURL *easy; /* while started */
  bd_curluv_done_cb on_done;
};

struct bd_curluv_config {
  /* CURLMOPT_MAX_HOST_CONNECTIONS; 0: no limit. */
  long max_host_connections;
  /* Called after each loop event that reached curl, once the transfers
   * that ended have had their on_done: the moment to start new ones, since
   * curl's own callbacks are over. watch_error is 0, or the first error
   * met watching a socket curl asked for since the last call (its transfer
   * then ends by its timeout). May be NULL. */
  void (*after_events)(void *data, int watch_error);
  void *data;
};

/* Makes a multi handle on loop; bd_curl_load() must have succeeded. Returns
 * 0, or -ENOMEM or -EIO (libcurl would not start), with nothing left
 * behind. */
int bd_curluv_new(struct bd_curluv **out, uv_loop_t *loop,
                  const struct bd_curluv_config *cfg);

/* Starts easy (its options set, CURLOPT_PRIVATE excepted: the module's);
 * on_done(x, result) is called once, from the loop, unless it is stopped
 * first. Returns 0, -ENOMEM or -EINVAL. */
int bd_curluv_start(struct bd_curluv *c, struct bd_curluv_xfer *x, CURL *easy,
                    bd_curluv_done_cb on_done);

/* Abandons a started transfer: on_done will not be called. The easy handle
 * stays the caller's. */
void bd_curluv_stop(struct bd_curluv *c, struct bd_curluv_xfer *x);

/* An easy handle for a GET of url, with what every transfer of ours
 * sets: the user agent, no signals, timeout_ms in all, the protocols
 * ("https" or "http,https") and redirects, at most 3, that never go from
 * https down to http. NULL when out of memory or the options are refused.
 * The caller sets the rest and cleans it up. */
CURL *bd_curluv_easy(const char *url, const char *protocols, long timeout_ms);

/* Whether curl's timer and sockets keep the loop alive (they do at
 * first). curl may keep an idle connection open, or a timer for it. */
void bd_curluv_ref(struct bd_curluv *c, bool on);

/* Closes the connections, the watches and the timer; transfers still
 * started are abandoned. The memory goes once the loop has run the close
 * callbacks, with libcurl's global state (the caller's easy handles must
 * have been cleaned up by then). May be called from on_done and
 * after_events. Not twice. */
void bd_curluv_close(struct bd_curluv *c);

#endif
