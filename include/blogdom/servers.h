/* DNS server addresses: parsing -s specs and reading the system's list. */
#ifndef BLOGDOM_SERVERS_H
#define BLOGDOM_SERVERS_H

#include <stddef.h>
#include <stdint.h>

#define BD_SERVER_TEXT 56 /* "[ffff:...:ffff]:65535" and a terminator */

struct bd_server {
  int family; /* AF_INET or AF_INET6 */
  union {
    unsigned char v4[4];
    unsigned char v6[16];
  } addr;
  uint16_t port;
  char text[BD_SERVER_TEXT]; /* "127.0.0.1:53", "[::1]:53" */
};

struct bd_server_list {
  struct bd_server *items;
  size_t count;
  size_t cap;
  /* Specs that named a server already in the list, and the first of
   * them: the list holds each address once. */
  size_t merged;
  char first_merged[BD_SERVER_TEXT];
};

enum bd_server_error {
  BD_SERVER_OK = 0,
  BD_SERVER_EMPTY,
  BD_SERVER_BAD_ADDRESS,
  BD_SERVER_BAD_PORT,
  BD_SERVER_AMBIGUOUS, /* an IPv6 address, or one and a port */
  BD_SERVER_NO_MEMORY
};

/* Parses one spec: ADDR, ADDR:PORT, [ADDR]:PORT or a bare IPv6 address; the
 * port defaults to 53. Names are not resolved: a prober must not depend on
 * the resolver it is about to judge. A bare IPv6 address whose last group
 * could be a port (::1:5300: ::0.1.83.0, or ::1 and port 5300) is
 * BD_SERVER_AMBIGUOUS. */
enum bd_server_error bd_server_parse(const char *spec, size_t len,
                                     struct bd_server *out);

/* The same for a server of another protocol: port when spec names none
 * (43 for WHOIS). */
enum bd_server_error bd_server_parse_port(const char *spec, size_t len,
                                          uint16_t port, struct bd_server *out);

/* For an ambiguous spec: both readings, "[::0.1.83.0]:53 or [::1]:5300",
 * into buf (cap bytes, terminated). */
void bd_server_readings(const char *spec, size_t len, char *buf, size_t cap);

/* Parses a comma-separated list of specs and appends them to list, each
 * address once (a repeat counts in list->merged). On error *bad points at
 * the spec that failed and *bad_len is its length. */
enum bd_server_error bd_server_list_add(struct bd_server_list *list,
                                        const char *csv, const char **bad,
                                        size_t *bad_len);

/* Appends the servers of the system's resolver configuration. Returns 0 or
 * a c-ares error code. */
int bd_server_list_add_system(struct bd_server_list *list);

void bd_server_list_free(struct bd_server_list *list);

const char *bd_server_strerror(enum bd_server_error err);

#endif
