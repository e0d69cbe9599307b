/* A c-ares channel for one server, with its sockets watched by uv_poll_t as
 * c-ares asks through its socket state callback (libuv docs/src/poll.rst
 * names c-ares as the use case). Retries are the engine's: one try each,
 * so every try waits the same timeout (c-ares 1.18 doubles it per round)
 * and each can go to another server; so is the move to TCP after a
 * truncated answer, as a server that truncates because of a rate limit is
 * best asked over TCP from then on. */
#include "blogdom/lane.h"

#include <errno.h>
#include <sys/select.h>
#include <stdlib.h>
#include <string.h>

#include "blogdom/msg.h"

#define UDP_BUFFER (4 * 1024 * 1024)

void bd_lane_process_fd(ares_channel channel, uv_os_sock_t fd, int status,
                        int events) {
  ares_socket_t rd = ARES_SOCKET_BAD;
  ares_socket_t wr = ARES_SOCKET_BAD;

  if (status < 0 || (events & UV_READABLE))
    rd = fd;
  if (status < 0 || (events & UV_WRITABLE))
    wr = fd;
  ares_process_fd(channel, rd, wr);
}

/* A socket event: c-ares reads and writes what is ready, then the owner
 * pumps. */
static void on_socket_event(void *data, uv_os_sock_t fd, int status,
                            int events) {
  struct bd_lane *lane = data;
  bd_lane_process_fd(lane->channel, fd, status, events);
  lane->on_io(lane->data);
}

/* c-ares' socket state callback. On (0, 0) c-ares closes the fd right
 * after we return, and the watch stops polling at once. A socket that
 * cannot be watched only makes its queries end by timeout: slower, never
 * lost. */
static void on_socket_state(void *data, ares_socket_t fd, int readable,
                            int writable) {
  struct bd_lane *lane = data;
  int events = (readable ? UV_READABLE : 0) | (writable ? UV_WRITABLE : 0);
  int rc = bd_fdwatch_list_set(&lane->watches, fd, events);
  if (rc != 0)
    bd_warnf("cannot watch a socket: %s", uv_strerror(rc));
}

int bd_lane_init(struct bd_lane *lane, uv_loop_t *loop,
                 const struct bd_server *s, unsigned timeout_ms, bool tcp,
                 void (*on_io)(void *data), void *data) {
  char lookups[] = "b"; /* DNS only: never /etc/hosts (c-ares copies it) */
  struct ares_options opts;
  struct ares_addr_port_node node;
  int optmask;
  int rc;

  memset(lane, 0, sizeof(*lane));
  lane->on_io = on_io;
  lane->data = data;
  lane->watches.loop = loop;
  lane->watches.cb = on_socket_event;
  lane->watches.data = lane;
  lane->netio.rcvbuf = UDP_BUFFER;
  lane->netio.sndbuf = UDP_BUFFER;

  memset(&opts, 0, sizeof(opts));
  opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_NOSEARCH |
               ARES_FLAG_NOALIASES | ARES_FLAG_EDNS | ARES_FLAG_IGNTC |
               (tcp ? ARES_FLAG_USEVC : 0);
  opts.timeout = (int)timeout_ms;
  opts.tries = 1;
  opts.ndots = 1;
  opts.ndomains = 0;
  opts.domains = NULL;
  opts.lookups = lookups;
  opts.ednspsz = BD_EDNS_PAYLOAD;
  opts.sock_state_cb = on_socket_state;
  opts.sock_state_cb_data = lane;
  optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
            ARES_OPT_NDOTS | ARES_OPT_DOMAINS | ARES_OPT_LOOKUPS |
            ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_NOROTATE;
  rc = ares_init_options(&lane->channel, &opts, optmask);
  if (rc != ARES_SUCCESS) {
    lane->channel = NULL;
    return rc == ARES_ENOMEM ? -ENOMEM : -EINVAL;
  }
  ares_set_socket_functions(lane->channel, bd_netio_functions(), &lane->netio);

  memset(&node, 0, sizeof(node));
  node.family = s->family;
  memcpy(&node.addr, &s->addr, s->family == AF_INET ? 4 : 16);
  node.udp_port = s->port;
  node.tcp_port = s->port;
  rc = ares_set_servers_ports(lane->channel, &node);
  if (rc != ARES_SUCCESS) {
    bd_lane_destroy(lane);
    return rc == ARES_ENOMEM ? -ENOMEM : -EINVAL;
  }
  return 0;
}

void bd_lane_send(struct bd_lane *lane, const unsigned char *query, int len,
                  ares_callback cb, void *arg) {
  ares_send(lane->channel, query, len, cb, arg);
}

/* Reads every socket of the channel that c-ares reads from, then lets it
 * expire queries: c-ares' own order (ares_process reads, then judges
 * timeouts), so a loop that stalled (a busy host, valgrind, a swap storm)
 * never turns an answer waiting in a socket into a timeout. Reading a
 * socket with nothing in it costs one EAGAIN. */
void bd_lane_expire(struct bd_lane *lane) {
  ares_socket_t socks[ARES_GETSOCK_MAXNUM];
  fd_set readable;
  fd_set none;
  bool fits = true;
  int bits;

  if (lane->channel == NULL)
    return;
  bits = ares_getsock(lane->channel, socks, ARES_GETSOCK_MAXNUM);
  FD_ZERO(&readable);
  FD_ZERO(&none);
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++) {
    if (!ARES_GETSOCK_READABLE(bits, i))
      continue;
    if (socks[i] < 0 || socks[i] >= FD_SETSIZE) {
      fits = false;
      break;
    }
    FD_SET(socks[i], &readable);
  }
  if (fits) {
    ares_process(lane->channel, &readable, &none);
    return;
  }
  /* A descriptor past FD_SETSIZE: read each alone, the expiry of the last
   * call comes after every read. */
  for (int i = 0; i < ARES_GETSOCK_MAXNUM; i++)
    if (ARES_GETSOCK_READABLE(bits, i))
      ares_process_fd(lane->channel, socks[i], ARES_SOCKET_BAD);
  ares_process_fd(lane->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

void bd_lane_cancel(struct bd_lane *lane) {
  if (lane->channel != NULL)
    ares_cancel(lane->channel);
}

int bd_lane_take_local_errno(struct bd_lane *lane) {
  int err = lane->netio.local_errno;
  lane->netio.local_errno = 0;
  return err;
}

void bd_lane_destroy(struct bd_lane *lane) {
  if (lane->channel == NULL)
    return;
  ares_destroy(lane->channel);
  lane->channel = NULL;
}
