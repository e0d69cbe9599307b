/* WHOIS servers' host names into addresses: one c-ares channel over the
 * run's resolvers, its sockets watched on the loop (fdwatch.c) and its
 * timeouts kept by one timer re-armed from ares_timeout() after every
 * call into c-ares, as lane.c does for the names themselves. */
#include "blogdom/whoisaddr.h"

#include <ares.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/common.h"
#include "blogdom/fdwatch.h"
#include "blogdom/lane.h"
#include "blogdom/msg.h"

/* Tries per server of the list: a resolver may drop one datagram. */
#define TRIES 2

struct bd_whoisaddr {
  ares_channel channel;
  struct bd_fdwatch_list watches;
  uv_timer_t timer;
  unsigned pending; /* questions whose callback is due */
};

/* One question, from bd_whoisaddr_resolve() to its callback. */
struct question {
  struct bd_whoisaddr *r;
  bd_whoisaddr_cb cb;
  void *arg;
};

static void on_timer(uv_timer_t *t);

/* c-ares' own clock decides when to look again; idle, nothing keeps the
 * loop alive. */
static void rearm(struct bd_whoisaddr *r) {
  struct timeval tv;
  bool busy = r->pending > 0 && ares_timeout(r->channel, NULL, &tv) != NULL;

  bd_fdwatch_list_ref(&r->watches, r->pending > 0);
  if (!busy) {
    uv_timer_stop(&r->timer);
    return;
  }
  uv_update_time(r->timer.loop);
  uv_timer_start(&r->timer, on_timer,
                 (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000, 0);
}

static void on_timer(uv_timer_t *t) {
  struct bd_whoisaddr *r = container_of(t, struct bd_whoisaddr, timer);
  ares_process_fd(r->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
  rearm(r);
}

static void on_socket_event(void *data, uv_os_sock_t fd, int status,
                            int events) {
  struct bd_whoisaddr *r = data;
  bd_lane_process_fd(r->channel, fd, status, events);
  rearm(r);
}

/* On (0, 0) c-ares closes fd right after: the watch stops at once. */
static void on_socket_state(void *data, ares_socket_t fd, int readable,
                            int writable) {
  struct bd_whoisaddr *r = data;
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  int rc = bd_fdwatch_list_set(&r->watches, fd, events);
  if (rc != 0)
    bd_warnf("whois: cannot watch a socket: %s", uv_strerror(rc));
}

static int set_servers(ares_channel ch, const struct bd_server *servers,
                       size_t n) {
  struct ares_addr_port_node *nodes = calloc(n, sizeof(*nodes));
  int rc;

  if (nodes == NULL)
    return ARES_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    nodes[i].next = i + 1 < n ? &nodes[i + 1] : NULL;
    nodes[i].family = servers[i].family;
    memcpy(&nodes[i].addr, &servers[i].addr,
           servers[i].family == AF_INET ? 4 : 16);
    nodes[i].udp_port = servers[i].port;
    nodes[i].tcp_port = servers[i].port;
  }
  rc = ares_set_servers_ports(ch, nodes);
  free(nodes);
  return rc;
}

int bd_whoisaddr_new(struct bd_whoisaddr **out, uv_loop_t *loop,
                     const struct bd_server *servers, size_t n,
                     unsigned timeout_ms) {
  char lookups[] = "b"; /* DNS only, through the servers given */
  struct ares_options opts;
  struct bd_whoisaddr *r;
  int rc;

  if (n == 0)
    return -EINVAL;
  r = calloc(1, sizeof(*r));
  if (r == NULL)
    return -ENOMEM;
  r->watches.loop = loop;
  r->watches.cb = on_socket_event;
  r->watches.data = r;
  memset(&opts, 0, sizeof(opts));
  opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
  opts.timeout = (int)timeout_ms;
  opts.tries = TRIES;
  opts.lookups = lookups;
  opts.sock_state_cb = on_socket_state;
  opts.sock_state_cb_data = r;
  rc = ares_init_options(&r->channel, &opts,
                         ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
                             ARES_OPT_LOOKUPS | ARES_OPT_SOCK_STATE_CB);
  if (rc != ARES_SUCCESS) {
    free(r);
    return rc == ARES_ENOMEM ? -ENOMEM : -EINVAL;
  }
  rc = set_servers(r->channel, servers, n);
  if (rc != ARES_SUCCESS) {
    ares_destroy(r->channel);
    free(r);
    return rc == ARES_ENOMEM ? -ENOMEM : -EINVAL;
  }
  uv_timer_init(loop, &r->timer);
  uv_unref((uv_handle_t *)&r->timer);
  *out = r;
  return 0;
}

static void on_addrinfo(void *arg, int status, int timeouts,
                        struct ares_addrinfo *ai) {
  struct question *q = arg;
  const struct sockaddr *addr = NULL;

  (void)timeouts;
  if (status == ARES_SUCCESS && ai != NULL && ai->nodes != NULL)
    addr = ai->nodes->ai_addr;
  else if (status == ARES_SUCCESS)
    status = ARES_ENODATA;
  q->r->pending--;
  q->cb(q->arg, status, addr);
  if (ai != NULL)
    ares_freeaddrinfo(ai);
  free(q);
}

void bd_whoisaddr_resolve(struct bd_whoisaddr *r, const char *host,
                          bd_whoisaddr_cb cb, void *arg) {
  struct ares_addrinfo_hints hints;
  struct question *q;

  if (r->channel == NULL) {
    cb(arg, ARES_EDESTRUCTION, NULL);
    return;
  }
  q = malloc(sizeof(*q));
  if (q == NULL) {
    cb(arg, ARES_ENOMEM, NULL);
    return;
  }
  q->r = r;
  q->cb = cb;
  q->arg = arg;
  memset(&hints, 0, sizeof(hints));
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  r->pending++;
  ares_getaddrinfo(r->channel, host, NULL, &hints, on_addrinfo, q);
  rearm(r);
}

void bd_whoisaddr_close(struct bd_whoisaddr *r) {
  if (r == NULL || r->channel == NULL)
    return;
  ares_destroy(r->channel); /* every question: ARES_EDESTRUCTION */
  r->channel = NULL;
  bd_fdwatch_list_close(&r->watches);
  uv_close((uv_handle_t *)&r->timer, NULL);
}

void bd_whoisaddr_free(struct bd_whoisaddr *r) {
  free(r);
}
