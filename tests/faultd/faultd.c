/* faultd: a fault-injecting DNS server for tests; main and event loop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "options.h"
#include "outmsg.h"
#include "qlog.h"
#include "responder.h"
#include "sockets.h"
#include "stats.h"
#include "tcpconn.h"
#include "timerq.h"
#include "udpout.h"
#include "xalloc.h"

enum {
  MAX_EVENTS = 256,
  /* Datagrams read with one recvmmsg(2); due answers go out after each
     batch, so a delay overshoots by at most one batch's work. */
  RECV_BATCH = 64,
  /* Batches read per wakeup before TCP clients get a turn. */
  RECV_ROUNDS = 16,
  ACCEPT_BATCH = 64,
  /* Past this many unsent UDP answers, stop reading queries and let the
     kernel queue them, so memory stays bounded. */
  UDP_BACKLOG_PAUSE = 100000,
  UDP_MAX_DATAGRAM = 65536
};

enum source_kind { SOURCE_SIGNAL, SOURCE_UDP, SOURCE_LISTEN, SOURCE_CLIENT };

/* What every epoll registration points at. */
struct source {
  enum source_kind kind;
};

struct client {
  struct source source; /* first member: a source pointer is the client */
  struct tcp_conn conn;
  uint32_t events;  /* the current epoll interest */
  unsigned pending; /* delayed sends still aimed at this client */
  bool eof;         /* the peer sent FIN: no further queries */
  bool closing;     /* tcp-close: close once the output is written */
  bool closed;
  struct client *prev;
  struct client *next;
};

struct server {
  int epoll_fd;
  int signal_fd;
  int listen_fd;
  int udp_fd;
  struct source signal_source;
  struct source udp_source;
  struct source listen_source;
  uint32_t udp_events;
  bool listen_paused;
  bool stop;
  bool reap_needed;
  struct udpout udp;
  /* Open clients, and closed ones kept until no delayed send refers to
     them (so a timer never touches freed memory). */
  struct client *clients;
  struct client *closed;
  struct timerq timers;
  struct responder responder;
  struct plan plan;
  /* recvmmsg's batch: RECV_BATCH datagrams of up to UDP_MAX_DATAGRAM
     bytes each (4 MiB of address space; pages are touched only as far as
     datagrams reach). */
  struct mmsghdr recv_msgs[RECV_BATCH];
  struct iovec recv_iovs[RECV_BATCH];
  struct sockaddr_storage recv_from[RECV_BATCH];
  uint8_t (*recv_bufs)[UDP_MAX_DATAGRAM];
};

static void list_push(struct client **head, struct client *client) {
  client->prev = NULL;
  client->next = *head;
  if (*head)
    (*head)->prev = client;
  *head = client;
}

static void list_unlink(struct client **head, struct client *client) {
  if (client->prev)
    client->prev->next = client->next;
  else
    *head = client->next;
  if (client->next)
    client->next->prev = client->prev;
  client->prev = client->next = NULL;
}

static bool watch(struct server *server, int op, int fd, struct source *source,
                  uint32_t events) {
  struct epoll_event event = {.events = events, .data.ptr = source};
  return epoll_ctl(server->epoll_fd, op, fd, &event) == 0;
}

static void set_listening(struct server *server, bool on) {
  server->listen_paused = !on;
  watch(server, EPOLL_CTL_MOD, server->listen_fd, &server->listen_source,
        on ? EPOLLIN : 0);
}

static void client_close(struct server *server, struct client *client) {
  if (client->closed)
    return;
  /* Closing the fd also removes it from the epoll set. */
  tcp_conn_close(&client->conn);
  client->closed = true;
  list_unlink(&server->clients, client);
  list_push(&server->closed, client);
  if (client->pending == 0)
    server->reap_needed = true;
  if (server->listen_paused)
    set_listening(server, true);
}

static void client_update_interest(struct server *server,
                                   struct client *client) {
  if (client->closed)
    return;
  uint32_t events = 0;
  if (!client->eof && !client->closing)
    events |= EPOLLIN;
  if (tcp_conn_has_output(&client->conn))
    events |= EPOLLOUT;
  if (events != client->events &&
      watch(server, EPOLL_CTL_MOD, client->conn.fd, &client->source, events))
    client->events = events;
}

/* Closes the client if it has nothing more to do; true if it is closed. */
static bool client_finish_if_done(struct server *server,
                                  struct client *client) {
  if (client->closed)
    return true;
  if (tcp_conn_has_output(&client->conn))
    return false;
  /* After EOF, delayed answers still go out before the close. */
  if (client->closing || (client->eof && client->pending == 0)) {
    client_close(server, client);
    return true;
  }
  return false;
}

static void client_flush(struct server *server, struct client *client) {
  if (tcp_conn_flush(&client->conn) == TCP_IO_ERROR) {
    client_close(server, client);
    return;
  }
  if (!client_finish_if_done(server, client))
    client_update_interest(server, client);
}

static void client_send(struct server *server, struct client *client,
                        const uint8_t *data, size_t len, bool close_after) {
  if (client->closed || client->closing)
    return;
  tcp_conn_queue(&client->conn, data, len, close_after ? len / 2 : len);
  client->closing = close_after;
  client_flush(server, client);
}

static void send_now(struct server *server, struct client *client,
                     const struct sockaddr_storage *addr, socklen_t addr_len,
                     const struct plan_packet *packet, bool close_after) {
  if (client)
    client_send(server, client, packet->data, packet->len, close_after);
  else
    udpout_send(&server->udp, addr, addr_len, packet->data, packet->len);
}

static void send_later(struct server *server, uint64_t due_ns,
                       uint64_t delay_ns, struct client *client,
                       const struct sockaddr_storage *addr, socklen_t addr_len,
                       const struct plan_packet *packet, bool close_after) {
  struct outmsg *msg = outmsg_new(packet->data, packet->len);
  msg->due_ns = due_ns;
  msg->close_after = close_after;
  msg->client = client;
  if (client) {
    client->pending++;
  } else {
    memcpy(&msg->addr, addr, addr_len);
    msg->addr_len = addr_len;
  }
  timerq_push(&server->timers, delay_ns, msg);
}

/* client NULL means UDP to addr. */
static void deliver_plan(struct server *server, uint64_t now_ns,
                         struct client *client,
                         const struct sockaddr_storage *addr,
                         socklen_t addr_len) {
  const struct plan *plan = &server->plan;
  uint64_t delay_ns = (uint64_t)plan->delay_ms * 1000000u;
  for (size_t i = 0; i < plan->count; i++) {
    const struct plan_packet *packet = &plan->packets[i];
    bool close_after = plan->close_after_last && i + 1 == plan->count;
    if (packet->delayed && plan->delay_ms > 0)
      send_later(server, now_ns + delay_ns, delay_ns, client, addr, addr_len,
                 packet, close_after);
    else
      send_now(server, client, addr, addr_len, packet, close_after);
  }
}

static void client_read(struct server *server, struct client *client) {
  enum tcp_io io = tcp_conn_read(&client->conn);
  if (io == TCP_IO_ERROR) {
    client_close(server, client);
    return;
  }
  const uint8_t *msg;
  size_t len;
  while (!client->closed && !client->closing &&
         tcp_conn_next_message(&client->conn, &msg, &len)) {
    uint64_t now_ns = clock_now_ns();
    responder_handle(&server->responder, msg, len, NULL, now_ns, &server->plan);
    deliver_plan(server, now_ns, client, NULL, 0);
  }
  if (client->closed)
    return;
  if (io == TCP_IO_EOF)
    client->eof = true;
  if (!client_finish_if_done(server, client))
    client_update_interest(server, client);
}

static void client_on_event(struct server *server, struct client *client,
                            uint32_t events) {
  /* A timer fired earlier in this round may have closed it; it is freed
     only after the round. */
  if (client->closed)
    return;
  bool reading = !client->eof && !client->closing;
  if (reading && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
    client_read(server, client);
  else if (events & (EPOLLHUP | EPOLLERR))
    client_close(server, client);
  if (!client->closed && (events & EPOLLOUT))
    client_flush(server, client);
}

static bool prepare_client_fd(int fd) {
  int one = 1;
  int flags = fcntl(fd, F_GETFL);
  /* Answers go out at once: a delay measured by a test is the rule's. */
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 &&
         fcntl(fd, F_SETFD, FD_CLOEXEC) == 0;
}

static void add_client(struct server *server, int fd) {
  struct client *client = xcalloc(1, sizeof *client);
  client->source.kind = SOURCE_CLIENT;
  tcp_conn_init(&client->conn, fd);
  client->events = EPOLLIN;
  if (!watch(server, EPOLL_CTL_ADD, fd, &client->source, EPOLLIN)) {
    tcp_conn_release(&client->conn);
    free(client);
    return;
  }
  list_push(&server->clients, client);
}

static void accept_clients(struct server *server) {
  for (int i = 0; i < ACCEPT_BATCH; i++) {
    int fd = accept(server->listen_fd, NULL, NULL);
    if (fd >= 0) {
      if (prepare_client_fd(fd))
        add_client(server, fd);
      else
        close(fd);
      continue;
    }
    if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
        errno == ENOMEM) {
      /* Level-triggered epoll would spin; resume when a client closes. */
      set_listening(server, false);
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK)
      return;
  }
}

static void fire_timer(struct server *server, struct outmsg *msg) {
  struct client *client = msg->client;
  if (!client) {
    udpout_send_msg(&server->udp, msg);
    return;
  }
  client->pending--;
  client_send(server, client, msg->data, msg->len, msg->close_after);
  free(msg);
  if (!client_finish_if_done(server, client))
    return;
  if (client->pending == 0)
    server->reap_needed = true;
}

static void fire_due_timers(struct server *server) {
  uint64_t now_ns = clock_now_ns();
  struct outmsg *msg;
  while ((msg = timerq_peek(&server->timers)) && msg->due_ns <= now_ns)
    fire_timer(server, timerq_pop(&server->timers));
}

/* Points each slot of the batch at its buffer again: recvmmsg overwrites
   the lengths. */
static void reset_recv_batch(struct server *server) {
  for (int i = 0; i < RECV_BATCH; i++) {
    server->recv_iovs[i] = (struct iovec){.iov_base = server->recv_bufs[i],
                                          .iov_len = UDP_MAX_DATAGRAM};
    server->recv_msgs[i].msg_hdr =
        (struct msghdr){.msg_name = &server->recv_from[i],
                        .msg_namelen = sizeof server->recv_from[i],
                        .msg_iov = &server->recv_iovs[i],
                        .msg_iovlen = 1};
  }
}

static void receive_udp(struct server *server) {
  for (int round = 0; round < RECV_ROUNDS; round++) {
    reset_recv_batch(server);
    int n = recvmmsg(server->udp_fd, server->recv_msgs, RECV_BATCH, 0, NULL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    /* One time for the batch: it keeps every lane of the timer queue in
       arrival order, and the datagrams did arrive before this call. */
    uint64_t now_ns = clock_now_ns();
    for (int i = 0; i < n; i++) {
      responder_handle(&server->responder, server->recv_bufs[i],
                       server->recv_msgs[i].msg_len, &server->recv_from[i],
                       now_ns, &server->plan);
      deliver_plan(server, now_ns, NULL, &server->recv_from[i],
                   server->recv_msgs[i].msg_hdr.msg_namelen);
    }
    fire_due_timers(server);
    udpout_commit(&server->udp);
    if (n < RECV_BATCH || server->udp.backlog_len >= UDP_BACKLOG_PAUSE)
      return;
  }
}

static void update_udp_interest(struct server *server) {
  uint32_t events = 0;
  if (server->udp.backlog_len < UDP_BACKLOG_PAUSE)
    events |= EPOLLIN;
  if (server->udp.backlog_len > 0)
    events |= EPOLLOUT;
  if (events != server->udp_events &&
      watch(server, EPOLL_CTL_MOD, server->udp_fd, &server->udp_source, events))
    server->udp_events = events;
}

static void free_client(struct client *client) {
  tcp_conn_release(&client->conn);
  free(client);
}

static void free_client_list(struct client *client) {
  while (client) {
    struct client *next = client->next;
    free_client(client);
    client = next;
  }
}

static void reap_closed_clients(struct server *server) {
  struct client *client = server->closed;
  while (client) {
    struct client *next = client->next;
    if (client->pending == 0) {
      list_unlink(&server->closed, client);
      free_client(client);
    }
    client = next;
  }
  server->reap_needed = false;
}

/* Rounds up: waking a little late is fine, early would spin. */
static int next_timeout_ms(const struct server *server) {
  const struct outmsg *next = timerq_peek(&server->timers);
  if (!next)
    return -1;
  uint64_t now_ns = clock_now_ns();
  if (next->due_ns <= now_ns)
    return 0;
  uint64_t ms = (next->due_ns - now_ns + 999999) / 1000000;
  return ms > INT_MAX ? INT_MAX : (int)ms;
}

static void dispatch(struct server *server, struct source *source,
                     uint32_t events) {
  struct signalfd_siginfo info;
  switch (source->kind) {
  case SOURCE_SIGNAL:
    if (read(server->signal_fd, &info, sizeof info) > 0)
      server->stop = true;
    break;
  case SOURCE_UDP:
    if (events & EPOLLOUT)
      udpout_flush(&server->udp);
    if (events & (EPOLLIN | EPOLLERR))
      receive_udp(server);
    break;
  case SOURCE_LISTEN:
    accept_clients(server);
    break;
  case SOURCE_CLIENT:
    client_on_event(server, (struct client *)source, events);
    break;
  }
}

static bool run_loop(struct server *server) {
  struct epoll_event events[MAX_EVENTS];
  while (!server->stop) {
    int n = epoll_wait(server->epoll_fd, events, MAX_EVENTS,
                       next_timeout_ms(server));
    if (n < 0 && errno != EINTR) {
      perror("faultd: epoll_wait");
      return false;
    }
    for (int i = 0; i < n; i++)
      dispatch(server, events[i].data.ptr, events[i].events);
    fire_due_timers(server);
    udpout_commit(&server->udp);
    update_udp_interest(server);
    if (server->reap_needed)
      reap_closed_clients(server);
  }
  return true;
}

/* SIGTERM/SIGINT arrive through a signalfd, so the loop sees them as an
   ordinary event and can shut down cleanly without handler races. */
static int open_signal_fd(void) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
    return -1;
  signal(SIGPIPE, SIG_IGN);
  return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Tests may open thousands of TCP connections at once. */
static void raise_fd_limit(void) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 &&
      limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

static bool server_open(struct server *server, const struct options *options) {
  char err[256];
  uint16_t port;
  raise_fd_limit();
  server->signal_fd = open_signal_fd();
  server->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (server->signal_fd < 0 || server->epoll_fd < 0) {
    perror("faultd: setup");
    return false;
  }
  if (!sockets_bind_pair(&options->bind_addr, options->bind_addr_len,
                         options->port, &server->udp_fd, &server->listen_fd,
                         &port, err, sizeof err)) {
    fprintf(stderr, "faultd: %s\n", err);
    return false;
  }
  udpout_init(&server->udp, server->udp_fd);
  server->udp_events = EPOLLIN;
  if (!watch(server, EPOLL_CTL_ADD, server->signal_fd, &server->signal_source,
             EPOLLIN) ||
      !watch(server, EPOLL_CTL_ADD, server->udp_fd, &server->udp_source,
             EPOLLIN) ||
      !watch(server, EPOLL_CTL_ADD, server->listen_fd, &server->listen_source,
             EPOLLIN)) {
    perror("faultd: epoll_ctl");
    return false;
  }
  if (options->port_file &&
      !sockets_write_port_file(options->port_file, port)) {
    fprintf(stderr, "faultd: --port-file %s: %s\n", options->port_file,
            strerror(errno));
    return false;
  }
  return true;
}

static struct server *server_new(const struct options *options,
                                 struct qlog *log) {
  struct server *server = xcalloc(1, sizeof *server);
  server->epoll_fd = server->signal_fd = -1;
  server->listen_fd = server->udp_fd = -1;
  server->signal_source.kind = SOURCE_SIGNAL;
  server->udp_source.kind = SOURCE_UDP;
  server->listen_source.kind = SOURCE_LISTEN;
  responder_init(&server->responder, &options->rules, options->seed, log);
  responder_limit(&server->responder, options->rate_limit, options->rate_burst,
                  options->slip);
  responder_silence(&server->responder, options->silence_after,
                    options->silence_ms);
  server->recv_bufs = xmalloc(RECV_BATCH * sizeof *server->recv_bufs);
  return server;
}

static void close_if_open(int fd) {
  if (fd >= 0)
    close(fd);
}

static void server_free(struct server *server) {
  timerq_free(&server->timers);
  udpout_free(&server->udp);
  free_client_list(server->clients);
  free_client_list(server->closed);
  close_if_open(server->udp_fd);
  close_if_open(server->listen_fd);
  close_if_open(server->signal_fd);
  close_if_open(server->epoll_fd);
  responder_free(&server->responder);
  free(server->recv_bufs);
  free(server);
}

static int serve(const struct options *options, uint64_t start_ns) {
  struct qlog log;
  if (!qlog_open(&log, options->log_path, start_ns)) {
    fprintf(stderr, "faultd: --log %s: %s\n", options->log_path,
            strerror(errno));
    return 1;
  }
  struct server *server = server_new(options, &log);
  bool ok = server_open(server, options) && run_loop(server);
  if (ok && options->stats_path &&
      !stats_write(&server->responder.stats, options->stats_path)) {
    fprintf(stderr, "faultd: --stats %s: %s\n", options->stats_path,
            strerror(errno));
    ok = false;
  }
  server_free(server);
  qlog_close(&log);
  return ok ? 0 : 1;
}

int main(int argc, char **argv) {
  uint64_t start_ns = clock_now_ns();
  struct options options;
  int status;
  switch (options_parse(argc, argv, &options)) {
  case OPTIONS_RUN:
    status = serve(&options, start_ns);
    break;
  case OPTIONS_EXIT_OK:
    status = 0;
    break;
  default:
    status = 2;
    break;
  }
  options_free(&options);
  return status;
}
