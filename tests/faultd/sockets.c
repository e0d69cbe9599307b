/* Listening sockets: UDP and TCP bound to one port, and the port file. */
#include "sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xalloc.h"

enum { UDP_BUFFER_BYTES = 4 << 20, FREE_PORT_ATTEMPTS = 32 };

bool sockets_parse_addr(const char *text, struct sockaddr_storage *addr,
                        socklen_t *addr_len) {
  memset(addr, 0, sizeof *addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
  if (inet_pton(AF_INET, text, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    *addr_len = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, text, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    *addr_len = sizeof *v6;
    return true;
  }
  return false;
}

static void set_port(struct sockaddr_storage *addr, uint16_t port) {
  if (addr->ss_family == AF_INET)
    ((struct sockaddr_in *)addr)->sin_port = htons(port);
  else
    ((struct sockaddr_in6 *)addr)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *addr) {
  if (addr->ss_family == AF_INET)
    return ntohs(((const struct sockaddr_in *)addr)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)addr)->sin6_port);
}

/* The forced variant ignores net.core.rmem_max but needs CAP_NET_ADMIN;
   the plain one is silently capped. Either is better than the default for
   absorbing bursts of ~100k queries/s. */
static void enlarge_buffer(int fd, int forced_opt, int plain_opt) {
  int size = UDP_BUFFER_BYTES;
  if (setsockopt(fd, SOL_SOCKET, forced_opt, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, plain_opt, &size, sizeof size);
}

static int open_socket(int family, int type) {
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  int one = 1;
  /* Without V6ONLY, binding :: would also claim the IPv4 port. */
  if (family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (type == SOCK_STREAM)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (type == SOCK_DGRAM) {
    enlarge_buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    enlarge_buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF);
  }
  return fd;
}

static void close_fd(int *fd) {
  if (*fd >= 0)
    close(*fd);
  *fd = -1;
}

/* One attempt; *retry says whether another free port might work. */
static bool bind_once(struct sockaddr_storage addr, socklen_t addr_len,
                      uint16_t port, int *udp_fd, int *tcp_fd,
                      uint16_t *bound_port, bool *retry, const char **what) {
  *retry = false;
  *udp_fd = open_socket(addr.ss_family, SOCK_DGRAM);
  *tcp_fd = open_socket(addr.ss_family, SOCK_STREAM);
  *what = "socket";
  if (*udp_fd < 0 || *tcp_fd < 0)
    return false;
  set_port(&addr, port);
  *what = "bind udp";
  if (bind(*udp_fd, (struct sockaddr *)&addr, addr_len) != 0)
    return false;
  socklen_t len = addr_len;
  *what = "getsockname";
  if (getsockname(*udp_fd, (struct sockaddr *)&addr, &len) != 0)
    return false;
  *what = "bind tcp";
  if (bind(*tcp_fd, (struct sockaddr *)&addr, addr_len) != 0) {
    /* The kernel chose a port free for UDP that TCP already uses. */
    *retry = port == 0 && errno == EADDRINUSE;
    return false;
  }
  *what = "listen";
  if (listen(*tcp_fd, SOMAXCONN) != 0)
    return false;
  *bound_port = get_port(&addr);
  return true;
}

bool sockets_bind_pair(const struct sockaddr_storage *addr, socklen_t addr_len,
                       uint16_t port, int *udp_fd, int *tcp_fd,
                       uint16_t *bound_port, char *err, size_t err_len) {
  for (int attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    bool retry;
    const char *what;
    if (bind_once(*addr, addr_len, port, udp_fd, tcp_fd, bound_port, &retry,
                  &what))
      return true;
    int saved = errno;
    close_fd(udp_fd);
    close_fd(tcp_fd);
    if (!retry) {
      snprintf(err, err_len, "%s: %s", what, strerror(saved));
      return false;
    }
  }
  snprintf(err, err_len, "no port free for both UDP and TCP");
  return false;
}

bool sockets_write_port_file(const char *path, uint16_t port) {
  size_t len = strlen(path);
  char *tmp = xmalloc(len + sizeof ".tmp");
  memcpy(tmp, path, len);
  memcpy(tmp + len, ".tmp", sizeof ".tmp");
  FILE *file = fopen(tmp, "w");
  bool ok = file != NULL;
  if (ok) {
    ok = fprintf(file, "%u\n", (unsigned)port) > 0;
    ok = fclose(file) == 0 && ok;
  }
  ok = ok && rename(tmp, path) == 0;
  if (!ok) {
    int saved = errno; /* for the caller's message */
    unlink(tmp);
    errno = saved;
  }
  free(tmp);
  return ok;
}
