/* One RDAP request over HTTP: its easy handle (a GET of
 * <base>domain/<name>), the body and headers of each response, and what
 * the end of a try means. The HTTP status makes the outcome (RFC 7480
 * section 5.3: 404 means the registry has no such object); a 200's body
 * must be a domain object, which rdapdomain.c reads for its status values
 * and dates; a 429 or a 5xx is rdapsched's to pause or retry, and a server
 * out of reach may leave for another of the registry's base URLs. The
 * client around it (rdap.c) queues, routes and delivers; this file speaks
 * HTTP, one request at a time. */
#include "rdap_int.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "blogdom/common.h"
#include "blogdom/http.h"
#include "blogdom/msg.h"

#define URL_MAX 2048

/* A pause a registry asks for that is worth saying without -v. */
#define LONG_PAUSE_S 5

/* Keeps the body of a 200, up to BD_RDAPDOMAIN_BODY_MAX; other bodies go
 * (a 404's status says it all). Curl sends the bodies of redirects it
 * follows nowhere, so the response code is the final one's. */
static size_t on_body(char *data, size_t size, size_t n, void *arg) {
  struct request *q = arg;
  long status = 0;
  size_t len = size * n;
  int rc;

  bd_curl.easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return len;
  rc = bd_http_body_append(&q->body, data, len, BD_RDAPDOMAIN_BODY_MAX);
  if (rc == -EFBIG)
    q->body_too_big = true;
  return rc == 0 ? len : 0; /* 0 ends the transfer: CURLE_WRITE_ERROR */
}

/* Headers of every response, redirects included: a status line starts a
 * new response, whose Retry-After alone counts. */
static size_t on_header(char *data, size_t size, size_t n, void *arg) {
  struct request *q = arg;
  char value[64];

  if (bd_http_is_status_line(data, n))
    q->retry_after = -1;
  else if (bd_http_header_value(data, n, "Retry-After", value, sizeof(value)))
    q->retry_after = bd_http_retry_after(value, time(NULL));
  return size * n;
}

/* CURLOPT_PREREQFUNCTION: the request is about to leave, on a connection
 * made or reused; the pace counts sends from here rather than from when
 * curl was handed the request. */
static int on_request_leaving(void *arg, char *ip, char *local_ip, int port,
                              int local_port) {
  struct request *q = arg;
  (void)ip;
  (void)local_ip;
  (void)port;
  (void)local_port;
  bd_rdapsched_left(&q->rdap->sched, &q->item, uv_hrtime());
  return CURL_PREREQFUNC_OK;
}

/* The easy handle of a request, made at its first try: a GET of
 * <base>domain/<name> (RFC 9082 section 3.1.3). */
static CURL *make_easy(struct bd_rdap *r, struct request *q) {
  const char *segs[] = {"domain", q->name};
  char url[URL_MAX];
  CURL *easy;

  if (bd_http_url(url, sizeof(url), q->base, segs, BD_ARRAY_SIZE(segs)) != 0)
    return NULL;
  easy = bd_curluv_easy(url, "http,https", (long)r->cfg.timeout_ms);
  if (easy == NULL)
    return NULL;
  if (bd_curl.easy_setopt(easy, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_WRITEDATA, q) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header) !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_HEADERDATA, q) != CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_PREREQFUNCTION, on_request_leaving) !=
          CURLE_OK ||
      bd_curl.easy_setopt(easy, CURLOPT_PREREQDATA, q) != CURLE_OK) {
    bd_curl.easy_cleanup(easy);
    return NULL;
  }
  /* Over TLS, ALPN says at the handshake whether the connection can carry
   * several requests (HTTP/2): wait for that rather than open one
   * connection each. Over plain http curl would only know from the first
   * response, so a slow answer would hold up every other request. */
  if (strncasecmp(url, "https:", 6) == 0)
    bd_curl.easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  return easy;
}

static void on_try_done(struct bd_curluv_xfer *x, CURL *easy, CURLcode rc);

void rdap_start_try(struct bd_rdap *r, struct request *q) {
  int err;

  if (q->easy == NULL) {
    q->easy = make_easy(r, q);
    if (q->easy == NULL) {
      bd_rdapsched_remove(&r->sched, &q->item);
      rdap_finish(q, BD_RDAP_FAILED, 0, "cannot make the request");
      return;
    }
  }
  q->retry_after = -1;
  q->body.len = 0; /* a retry's body is its own */
  q->body_too_big = false;
  err = bd_curluv_start(r->curl, &q->xfer, q->easy, on_try_done);
  if (err != 0) {
    bd_rdapsched_remove(&r->sched, &q->item);
    rdap_finish(q, BD_RDAP_FAILED, 0, strerror(-err));
    return;
  }
  bd_rdapsched_start(&r->sched, &q->item);
}

/* A 200's body: a domain object makes the name registered; anything
 * else is a bad response, never a guess either way. */
static void finish_200(struct request *q) {
  int rc;

  q->domain = malloc(sizeof(*q->domain));
  if (q->domain == NULL) {
    rdap_finish(q, BD_RDAP_FAILED, 200, "out of memory");
    return;
  }
  rc = q->body_too_big
           ? -EFBIG
           : bd_rdapdomain_parse(q->body.data != NULL ? q->body.data : "",
                                 q->body.len, q->name, q->domain);
  if (rc == 0) {
    rdap_finish(q, BD_RDAP_REGISTERED, 200, NULL);
    return;
  }
  free(q->domain);
  q->domain = NULL;
  if (rc == -ENOMEM)
    rdap_finish(q, BD_RDAP_FAILED, 200, "out of memory");
  else
    rdap_finish(q, BD_RDAP_BAD_RESPONSE, 200,
                rc == -EFBIG ? "body over 256 KiB" : "not a domain object");
}

/* A registry that asks for a pause of more than a few seconds holds its
 * names' lines that long: said once a run, the rest under -v. */
static void say_pause(struct bd_rdap *r, const struct request *q,
                      uint64_t wait_ns) {
  unsigned long long s = (unsigned long long)(wait_ns / BD_NS_PER_S);
  if (s >= LONG_PAUSE_S && !r->said_long_pause) {
    r->said_long_pause = true;
    bd_warnf("rdap: %s answered 429 with a Retry-After of %llu s: its "
             "names wait that long",
             bd_rdapsched_key(&q->item), s);
    return;
  }
  bd_debugf("rdap: %s answered 429 for %s: pausing it %llu s",
            bd_rdapsched_key(&q->item), q->name, s);
}

/* The kind of failure a transfer that ended with rc is. */
static enum bd_rdap_failure failure_of(CURLcode rc) {
  switch (rc) {
  case CURLE_OPERATION_TIMEDOUT:
    return BD_RDAP_FAILURE_TIMEOUT;
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
    return BD_RDAP_FAILURE_UNREACHABLE;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
    return BD_RDAP_FAILURE_TLS;
  default:
    return BD_RDAP_FAILURE_STATUS;
  }
}

/* One try of q ended with rc: an answer, another try, or a failure. */
static void on_try_done(struct bd_curluv_xfer *x, CURL *easy, CURLcode rc) {
  struct request *q = container_of(x, struct request, xfer);
  struct bd_rdap *r = q->rdap;
  enum bd_rdapsched_end how = BD_RDAPSCHED_FINAL;
  const char *detail = NULL;
  long status = 0;
  uint64_t wait_ns;
  bool retry;
  char text[32];

  bd_curl.easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (rc == CURLE_WRITE_ERROR && q->body_too_big && status == 200) {
    /* The registry answered; its answer is too big to be one. */
    rc = CURLE_OK;
  } else if (rc != CURLE_OK) {
    detail = bd_http_curl_error(rc, &retry);
    how = retry ? BD_RDAPSCHED_RETRYABLE : BD_RDAPSCHED_FINAL;
  } else if (status == 429) {
    how = BD_RDAPSCHED_THROTTLED;
  } else if (status >= 500 && status <= 599) {
    how = BD_RDAPSCHED_RETRYABLE;
  }
  if (bd_rdapsched_end(&r->sched, &q->item, how, q->retry_after, uv_hrtime(),
                       &wait_ns)) {
    if (how == BD_RDAPSCHED_THROTTLED)
      say_pause(r, q, wait_ns);
    return;
  }
  q->result.failure = detail != NULL ? failure_of(rc) : BD_RDAP_FAILURE_STATUS;
  if (detail != NULL && rdap_try_next_base(r, q, q->result.failure, detail))
    return;
  if (detail != NULL) {
    rdap_finish(q, BD_RDAP_FAILED, (int)status, detail);
  } else if (status == 200) {
    finish_200(q);
  } else if (status == 404) {
    rdap_finish(q, BD_RDAP_AVAILABLE, 404, NULL);
  } else {
    snprintf(text, sizeof(text), "http %ld", status);
    rdap_finish(q, BD_RDAP_FAILED, (int)status, text);
  }
}
