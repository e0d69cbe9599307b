/* Where the authoritative mode starts: the root servers' addresses built
 * in (IANA's named.root), for a run that gives no --root, and whether this
 * host can reach IPv6 addresses at all, so that neither the root hints nor
 * the map's servers are taken over an IP version that has no route. */
#include "blogdom/roothints.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "blogdom/common.h"
#include "blogdom/servers.h"

bool bd_roothints_host_has_ipv6(void) {
  /* a.root-servers.net's IPv6 address; connect(2) on a datagram socket
   * only looks up a route. */
  struct sockaddr_in6 sa;
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  bool ok;
  if (fd < 0)
    return false;
  memset(&sa, 0, sizeof(sa));
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(53);
  inet_pton(AF_INET6, "2001:503:ba3e::2:30", &sa.sin6_addr);
  ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
  close(fd);
  return ok;
}

int bd_roothints_add(struct bd_server_list *list, bool ipv6) {
  /* IANA's named.root, a.root-servers.net to m.root-servers.net. */
  static const char *const hints[][2] = {
      {"198.41.0.4", "2001:503:ba3e::2:30"},
      {"170.247.170.2", "2801:1b8:10::b"},
      {"192.33.4.12", "2001:500:2::c"},
      {"199.7.91.13", "2001:500:2d::d"},
      {"192.203.230.10", "2001:500:a8::e"},
      {"192.5.5.241", "2001:500:2f::f"},
      {"192.112.36.4", "2001:500:12::d0d"},
      {"198.97.190.53", "2001:500:1::53"},
      {"192.36.148.17", "2001:7fe::53"},
      {"192.58.128.30", "2001:503:c27::2:30"},
      {"193.0.14.129", "2001:7fd::1"},
      {"199.7.83.42", "2001:500:9f::42"},
      {"202.12.27.33", "2001:dc3::35"},
  };
  for (size_t i = 0; i < BD_ARRAY_SIZE(hints); i++)
    for (size_t f = 0; f < (ipv6 ? 2u : 1u); f++) {
      const char *bad;
      size_t bad_len;
      enum bd_server_error err =
          bd_server_list_add(list, hints[i][f], &bad, &bad_len);
      if (err == BD_SERVER_NO_MEMORY)
        return -ENOMEM;
    }
  return 0;
}
