/* Watched descriptors: a socket that a library such as c-ares or libcurl
 * opens and closes itself, watched on a libuv loop with a uv_poll_t that
 * lives on the heap and is freed in its close callback. */
#ifndef BLOGDOM_FDWATCH_H
#define BLOGDOM_FDWATCH_H

#include <stdbool.h>
#include <uv.h>

struct bd_fdwatch;

/* An event on fd: status is 0 or a negative libuv error (the library
 * finds the error itself when it reads or writes), events the UV_READABLE
 * and UV_WRITABLE that are ready. The watch may be changed or closed from
 * here. */
typedef void (*bd_fdwatch_cb)(void *data, uv_os_sock_t fd, int status,
                              int events);

/* Watches fd on loop for events (UV_READABLE, UV_WRITABLE or both) and
 * calls cb(data, ...) on each. Returns 0 or a negative libuv error
 * (-ENOMEM; UV_EEXIST when fd is watched on loop already); nothing is
 * left behind on failure. */
int bd_fdwatch_start(struct bd_fdwatch **out, uv_loop_t *loop, uv_os_sock_t fd,
                     int events, bd_fdwatch_cb cb, void *data);

/* Watches for other events; 0 pauses the watch. Returns 0 or libuv's
 * error. */
int bd_fdwatch_change(struct bd_fdwatch *w, int events);

/* Whether the watch keeps the loop alive (it does when started). */
void bd_fdwatch_ref(struct bd_fdwatch *w, bool on);

/* Stops polling at once, so that the owner may close fd right after (and
 * a new socket may reuse its number), and frees the watch once the loop
 * has run its close callback. Not twice. */
void bd_fdwatch_close(struct bd_fdwatch *w);

/* ---- one owner's watches, by descriptor ----------------------------- */

/* The watches of one owner (a c-ares channel, a curl multi handle), each
 * with the same callback. Fill the first three fields; zero the rest. */
struct bd_fdwatch_list {
  uv_loop_t *loop;
  bd_fdwatch_cb cb;
  void *data;
  struct bd_fdwatch *head;
  bool unref; /* watches do not keep the loop alive (bd_fdwatch_list_ref) */
};

/* Binds fd's watch to what the library asks: the watch is made at the
 * first call for fd, changed at the next ones, and with events 0 closed
 * (c-ares' (0, 0), curl's CURL_POLL_REMOVE: the library closes fd right
 * after). Returns 0, or the error of bd_fdwatch_start() or
 * bd_fdwatch_change(); fd is then not watched, and the library's own
 * timeout ends what waits on it. */
int bd_fdwatch_list_set(struct bd_fdwatch_list *l, uv_os_sock_t fd, int events);

/* Whether the list's watches, those made later included, keep the loop
 * alive. */
void bd_fdwatch_list_ref(struct bd_fdwatch_list *l, bool on);

/* Closes every watch of the list and leaves it empty. */
void bd_fdwatch_list_close(struct bd_fdwatch_list *l);

#endif
