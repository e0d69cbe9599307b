/* libcurl, loaded only when it is needed (--confirm). Linked, it costs
 * every run some 35 shared libraries: 6 ms of start-up and 6 MiB of
 * resident memory, for a feature most runs do not use. */
#ifndef BLOGDOM_CURLAPI_H
#define BLOGDOM_CURLAPI_H

#include <curl/curl.h>
#include <time.h>

/* The libcurl functions blogdom calls, resolved by bd_curl_load(). */
struct bd_curl_api {
  CURLcode (*global_init)(long flags);
  void (*global_cleanup)(void);
  CURL *(*easy_init)(void);
  void (*easy_cleanup)(CURL *h);
  CURLcode (*easy_setopt)(CURL *h, CURLoption opt, ...);
  CURLcode (*easy_getinfo)(CURL *h, CURLINFO info, ...);
  const char *(*easy_strerror)(CURLcode code);
  time_t (*getdate)(const char *text, const time_t *unused);
  CURLM *(*multi_init)(void);
  CURLMcode (*multi_cleanup)(CURLM *m);
  CURLMcode (*multi_add_handle)(CURLM *m, CURL *h);
  CURLMcode (*multi_remove_handle)(CURLM *m, CURL *h);
  CURLMcode (*multi_setopt)(CURLM *m, CURLMoption opt, ...);
  CURLMcode (*multi_assign)(CURLM *m, curl_socket_t fd, void *data);
  CURLMsg *(*multi_info_read)(CURLM *m, int *left);
  CURLMcode (*multi_socket_action)(CURLM *m, curl_socket_t fd, int events,
                                   int *running);
  const char *(*multi_strerror)(CURLMcode code);
  struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
  void (*slist_free_all)(struct curl_slist *l);
  char *(*easy_escape)(CURL *h, const char *s, int len);
  void (*free)(void *p);
  CURLU *(*url)(void);
  void (*url_cleanup)(CURLU *u);
  CURLUcode (*url_set)(CURLU *u, CURLUPart part, const char *content,
                       unsigned int flags);
  CURLUcode (*url_get)(CURLU *u, CURLUPart part, char **content,
                       unsigned int flags);
};

/* Valid after bd_curl_load() returned 0. */
extern struct bd_curl_api bd_curl;

/* Loads libcurl (libcurl.so.4) once. Returns 0, or -ENOENT when the
 * library cannot be loaded and -ENOSYS when it lacks a function; *why
 * then tells which, for the caller to say. */
int bd_curl_load(const char **why);

#endif
