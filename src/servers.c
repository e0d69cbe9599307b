/* Server specs (-s) into addresses; the system's list through c-ares. */
#include "blogdom/servers.h"

#include <arpa/inet.h>
#include <ares.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void describe(struct bd_server *s) {
  char ip[INET6_ADDRSTRLEN];
  inet_ntop(s->family, &s->addr, ip, sizeof(ip));
  snprintf(s->text, sizeof(s->text),
           s->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, s->port);
}

static int parse_port(const char *p, size_t len, uint16_t *out) {
  unsigned long v = 0;
  if (len == 0 || len > 5)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (p[i] < '0' || p[i] > '9')
      return -1;
    v = v * 10 + (unsigned long)(p[i] - '0');
  }
  if (v == 0 || v > 65535)
    return -1;
  *out = (uint16_t)v;
  return 0;
}

static int parse_ip(const char *p, size_t len, int family, void *dst) {
  char buf[INET6_ADDRSTRLEN + 1];
  if (len == 0 || len >= sizeof(buf))
    return -1;
  memcpy(buf, p, len);
  buf[len] = '\0';
  return inet_pton(family, buf, dst) == 1 ? 0 : -1;
}

/* Drops the blanks around a spec: -r lines and lists may have them. */
static void trim(const char **spec, size_t *len) {
  while (*len > 0 && ((*spec)[0] == ' ' || (*spec)[0] == '\t'))
    (*spec)++, (*len)--;
  while (*len > 0 && ((*spec)[*len - 1] == ' ' || (*spec)[*len - 1] == '\t'))
    (*len)--;
}

/* Whether a bare IPv6 address also reads as an IPv6 address and a port
 * (its last group all digits, and a port); the length of that address in
 * *addr_len. */
static bool port_reading(const char *spec, size_t len, size_t *addr_len) {
  unsigned char addr[16];
  uint16_t port;
  size_t colon = len;
  while (colon > 0 && spec[colon - 1] != ':')
    colon--;
  if (colon < 2 || parse_port(spec + colon, len - colon, &port) != 0 ||
      parse_ip(spec, colon - 1, AF_INET6, addr) != 0)
    return false;
  if (addr_len != NULL)
    *addr_len = colon - 1;
  return true;
}

void bd_server_readings(const char *spec, size_t len, char *buf, size_t cap) {
  struct bd_server whole;
  size_t addr_len = 0;
  trim(&spec, &len);
  if (cap == 0)
    return;
  buf[0] = '\0';
  if (bd_server_parse(spec, len, &whole) != BD_SERVER_AMBIGUOUS ||
      !port_reading(spec, len, &addr_len))
    return;
  snprintf(buf, cap, "%s or [%.*s]:%.*s", whole.text, (int)addr_len, spec,
           (int)(len - addr_len - 1), spec + addr_len + 1);
}

enum bd_server_error bd_server_parse(const char *spec, size_t len,
                                     struct bd_server *out) {
  return bd_server_parse_port(spec, len, 53, out);
}

enum bd_server_error bd_server_parse_port(const char *spec, size_t len,
                                          uint16_t port,
                                          struct bd_server *out) {
  const char *colon;
  size_t addr_len = len;

  trim(&spec, &len);
  if (len == 0)
    return BD_SERVER_EMPTY;
  memset(out, 0, sizeof(*out));
  out->port = port;

  if (spec[0] == '[') {
    const char *close = memchr(spec, ']', len);
    if (close == NULL)
      return BD_SERVER_BAD_ADDRESS;
    addr_len = (size_t)(close - spec - 1);
    if (parse_ip(spec + 1, addr_len, AF_INET6, &out->addr) != 0)
      return BD_SERVER_BAD_ADDRESS;
    out->family = AF_INET6;
    if ((size_t)(close - spec) + 1 < len) {
      if (close[1] != ':')
        return BD_SERVER_BAD_ADDRESS;
      if (parse_port(close + 2, len - (size_t)(close - spec) - 2, &out->port) !=
          0)
        return BD_SERVER_BAD_PORT;
    }
  } else if (parse_ip(spec, len, AF_INET6, &out->addr) == 0) {
    out->family = AF_INET6; /* a bare IPv6 address, no port */
    describe(out);
    return port_reading(spec, len, NULL) ? BD_SERVER_AMBIGUOUS : BD_SERVER_OK;
  } else {
    colon = memchr(spec, ':', len);
    addr_len = colon != NULL ? (size_t)(colon - spec) : len;
    if (parse_ip(spec, addr_len, AF_INET, &out->addr) != 0)
      return BD_SERVER_BAD_ADDRESS;
    out->family = AF_INET;
    if (colon != NULL &&
        parse_port(colon + 1, len - addr_len - 1, &out->port) != 0)
      return BD_SERVER_BAD_PORT;
  }
  describe(out);
  return BD_SERVER_OK;
}

static bool same_server(const struct bd_server *a, const struct bd_server *b) {
  return a->family == b->family && a->port == b->port &&
         memcmp(&a->addr, &b->addr, a->family == AF_INET6 ? 16 : 4) == 0;
}

static enum bd_server_error append(struct bd_server_list *list,
                                   const struct bd_server *s) {
  for (size_t i = 0; i < list->count; i++) {
    if (!same_server(&list->items[i], s))
      continue;
    if (list->merged++ == 0)
      memcpy(list->first_merged, s->text, sizeof(list->first_merged));
    return BD_SERVER_OK;
  }
  if (list->count == list->cap) {
    size_t cap = list->cap ? list->cap * 2 : 4;
    struct bd_server *items = realloc(list->items, cap * sizeof(*items));
    if (items == NULL)
      return BD_SERVER_NO_MEMORY;
    list->items = items;
    list->cap = cap;
  }
  list->items[list->count++] = *s;
  return BD_SERVER_OK;
}

enum bd_server_error bd_server_list_add(struct bd_server_list *list,
                                        const char *csv, const char **bad,
                                        size_t *bad_len) {
  const char *p = csv;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
    struct bd_server s;
    enum bd_server_error err = bd_server_parse(p, len, &s);
    if (err == BD_SERVER_OK)
      err = append(list, &s);
    if (err != BD_SERVER_OK) {
      *bad = p;
      *bad_len = len;
      return err;
    }
    if (comma == NULL)
      return BD_SERVER_OK;
    p = comma + 1;
  }
}

int bd_server_list_add_system(struct bd_server_list *list) {
  ares_channel channel;
  struct ares_addr_port_node *servers = NULL;
  struct ares_options opts;
  int rc;

  memset(&opts, 0, sizeof(opts));
  rc = ares_init_options(&channel, &opts, 0);
  if (rc != ARES_SUCCESS)
    return rc;
  rc = ares_get_servers_ports(channel, &servers);
  for (struct ares_addr_port_node *n = servers; rc == ARES_SUCCESS && n;
       n = n->next) {
    struct bd_server s;
    memset(&s, 0, sizeof(s));
    s.family = n->family;
    if (n->family == AF_INET)
      memcpy(s.addr.v4, &n->addr.addr4, 4);
    else if (n->family == AF_INET6)
      memcpy(s.addr.v6, &n->addr.addr6, 16);
    else
      continue;
    s.port = n->udp_port ? (uint16_t)n->udp_port : 53;
    describe(&s);
    if (append(list, &s) != BD_SERVER_OK)
      rc = ARES_ENOMEM;
  }
  ares_free_data(servers);
  ares_destroy(channel);
  return rc;
}

void bd_server_list_free(struct bd_server_list *list) {
  free(list->items);
  memset(list, 0, sizeof(*list));
}

const char *bd_server_strerror(enum bd_server_error err) {
  switch (err) {
  case BD_SERVER_OK:
    return "valid";
  case BD_SERVER_EMPTY:
    return "empty server address";
  case BD_SERVER_BAD_ADDRESS:
    return "not an IPv4 or IPv6 address";
  case BD_SERVER_BAD_PORT:
    return "port must be a number from 1 to 65535";
  case BD_SERVER_AMBIGUOUS:
    return "ambiguous: an IPv6 address, or an address and a port; write "
           "[ADDR]:PORT";
  case BD_SERVER_NO_MEMORY:
    return "out of memory";
  }
  return "invalid server";
}
