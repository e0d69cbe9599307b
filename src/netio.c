/* c-ares socket functions: the syscalls c-ares would make, plus socket
 * options c-ares skips for user-managed sockets, plus a note of local
 * failures so the engine does not blame the server for them. */
#include "blogdom/netio.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static ares_socket_t on_socket(int af, int type, int protocol, void *data) {
  struct bd_netio *io = data;
  int fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  int one = 1;

  if (fd < 0) {
    io->local_errno = errno;
    return ARES_SOCKET_BAD;
  }
  /* Best effort: the kernel caps buffers at net.core.[rw]mem_max. */
  if (type == SOCK_DGRAM && io->rcvbuf > 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &io->rcvbuf,
                     sizeof(io->rcvbuf));
  if (type == SOCK_DGRAM && io->sndbuf > 0)
    (void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &io->sndbuf,
                     sizeof(io->sndbuf));
  if (type == SOCK_STREAM)
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

static int on_close(ares_socket_t fd, void *data) {
  (void)data;
  return close(fd);
}

static int on_connect(ares_socket_t fd, const struct sockaddr *addr,
                      ares_socklen_t len, void *data) {
  (void)data;
  return connect(fd, addr, len);
}

static ares_ssize_t on_recvfrom(ares_socket_t fd, void *buf, size_t len,
                                int flags, struct sockaddr *from,
                                ares_socklen_t *from_len, void *data) {
  (void)data;
  return recvfrom(fd, buf, len, flags, from, from_len);
}

static ares_ssize_t on_sendv(ares_socket_t fd, const struct iovec *iov, int n,
                             void *data) {
  struct bd_netio *io = data;
  ssize_t rc = writev(fd, iov, n);
  if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
                 errno == ENOMEM)) {
    /* c-ares waits out EAGAIN on TCP by itself; on UDP it gives the query
     * up as if the server had refused it. */
    int err = errno;
    int type = 0;
    socklen_t len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_DGRAM)
      io->local_errno = err;
    errno = err;
  }
  return rc;
}

static const struct ares_socket_functions functions = {
    on_socket, on_close, on_connect, on_recvfrom, on_sendv};

const struct ares_socket_functions *bd_netio_functions(void) {
  return &functions;
}
