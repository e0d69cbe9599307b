/* The RDAP client's own header, shared by the files that make it up
 * (rdap.c: the client, its queues and its life cycle; rdapreq.c: one
 * request's tries over HTTP) and by no one else: the client and request
 * objects, and the few functions one of its files calls in the other. The
 * public interface is blogdom/rdap.h. */
#ifndef BLOGDOM_RDAP_INT_H
#define BLOGDOM_RDAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "blogdom/curlapi.h"
#include "blogdom/curluv.h"
#include "blogdom/fifo.h"
#include "blogdom/http.h"
#include "blogdom/rdap.h"
#include "blogdom/rdapboot.h"
#include "blogdom/rdapload.h"
#include "blogdom/rdapsched.h"

/* One name, from bd_rdap_lookup() to its callback; freed after it. */
struct request {
  struct bd_rdapsched_item item; /* once routed */
  struct bd_curluv_xfer xfer;    /* while a try is on its way */
  struct bd_rdap *rdap;
  struct bd_fifo_link link; /* in unrouted or done */
  const char *base;         /* the table's or the forced URL */
  /* The registry's base URLs, base the one asked now: the next is asked
   * when it cannot be reached. */
  const char *const *bases;
  size_t nbases;
  size_t base_index;
  CURL *easy; /* made at the first try, kept for the retries */
  bd_rdap_cb cb;
  void *arg;
  long retry_after; /* of the last response, seconds; -1 if none */
  /* The body of a 200, while it comes; freed once read. */
  struct bd_http_body body;
  bool body_too_big;
  struct bd_rdapdomain *domain; /* REGISTERED: read from body */
  struct bd_rdap_result result;
  char detail[48];
  char name[];
};

enum boot_state {
  BOOT_IDLE,     /* nothing loaded yet: the first lookup starts it */
  BOOT_FETCHING, /* IANA's dns.json on its way */
  BOOT_READY     /* the table (or the forced URL) is there */
};
struct bd_rdap {
  uv_loop_t *loop;
  struct bd_rdap_config cfg;
  char *forced_url;

  struct bd_curluv *curl; /* NULL once closed */
  struct curl_slist *headers;
  uv_timer_t wakeup; /* the pace, pauses and back-offs */
  struct bd_rdapsched sched;

  enum boot_state boot;
  struct bd_rdapboot table;
  struct bd_rdapload load;

  struct bd_fifo unrouted; /* waiting for the bootstrap */
  struct bd_fifo done;     /* finished, callback not yet called */
  size_t pending;          /* lookups whose callback is still due */

  bool settling;
  bool referenced; /* handles keep the loop alive: there is work */
  bool closed;
  bool said_long_pause; /* a Retry-After of minutes was said once */
};

/* rdap.c: outcomes. */
void rdap_finish(struct request *q, enum bd_rdap_outcome outcome,
                 int http_status, const char *detail);
bool rdap_try_next_base(struct bd_rdap *r, struct request *q,
                        enum bd_rdap_failure failure, const char *detail);

/* rdapreq.c: a try of q, started now. */
void rdap_start_try(struct bd_rdap *r, struct request *q);

#endif
