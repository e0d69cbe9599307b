/* Watched descriptors: one heap uv_poll_t per socket a library owns,
 * freed in its close callback (libuv docs/src/handle.rst), and the list
 * of one owner's watches that a socket callback updates by descriptor. */
#include "blogdom/fdwatch.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "blogdom/common.h"

struct bd_fdwatch {
  uv_poll_t poll;
  uv_os_sock_t fd;
  bd_fdwatch_cb cb;
  void *data;
  struct bd_fdwatch *next; /* in its bd_fdwatch_list */
};

static void on_closed(uv_handle_t *h) {
  free(container_of((uv_poll_t *)h, struct bd_fdwatch, poll));
}

static void on_poll(uv_poll_t *h, int status, int events) {
  struct bd_fdwatch *w = container_of(h, struct bd_fdwatch, poll);
  w->cb(w->data, w->fd, status, events);
}

int bd_fdwatch_start(struct bd_fdwatch **out, uv_loop_t *loop, uv_os_sock_t fd,
                     int events, bd_fdwatch_cb cb, void *data) {
  struct bd_fdwatch *w;
  int rc;

  assert(events != 0 && (events & ~(UV_READABLE | UV_WRITABLE)) == 0);
  w = malloc(sizeof(*w));
  if (w == NULL)
    return -ENOMEM;
  rc = uv_poll_init_socket(loop, &w->poll, fd);
  if (rc != 0) {
    free(w); /* a handle that failed its init is not the loop's */
    return rc;
  }
  w->fd = fd;
  w->cb = cb;
  w->data = data;
  w->next = NULL;
  rc = uv_poll_start(&w->poll, events, on_poll);
  if (rc != 0) {
    uv_close((uv_handle_t *)&w->poll, on_closed);
    return rc;
  }
  *out = w;
  return 0;
}

int bd_fdwatch_change(struct bd_fdwatch *w, int events) {
  assert(!uv_is_closing((uv_handle_t *)&w->poll));
  assert((events & ~(UV_READABLE | UV_WRITABLE)) == 0);
  if (events == 0)
    return uv_poll_stop(&w->poll);
  return uv_poll_start(&w->poll, events, on_poll);
}

void bd_fdwatch_ref(struct bd_fdwatch *w, bool on) {
  if (on)
    uv_ref((uv_handle_t *)&w->poll);
  else
    uv_unref((uv_handle_t *)&w->poll);
}

void bd_fdwatch_close(struct bd_fdwatch *w) {
  /* uv_close() stops the poll and forgets fd before it returns. */
  assert(!uv_is_closing((uv_handle_t *)&w->poll));
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* ---- one owner's watches -------------------------------------------- */

static struct bd_fdwatch **find(struct bd_fdwatch_list *l, uv_os_sock_t fd) {
  struct bd_fdwatch **pw = &l->head;
  while (*pw != NULL && (*pw)->fd != fd)
    pw = &(*pw)->next;
  return pw;
}

static void unlink_and_close(struct bd_fdwatch **pw) {
  struct bd_fdwatch *w = *pw;
  *pw = w->next;
  bd_fdwatch_close(w);
}

int bd_fdwatch_list_set(struct bd_fdwatch_list *l, uv_os_sock_t fd,
                        int events) {
  struct bd_fdwatch **pw = find(l, fd);
  struct bd_fdwatch *w = *pw;
  int rc;

  if (events == 0) {
    if (w != NULL)
      unlink_and_close(pw);
    return 0;
  }
  if (w != NULL) {
    rc = bd_fdwatch_change(w, events);
    if (rc != 0)
      unlink_and_close(pw);
    return rc;
  }
  rc = bd_fdwatch_start(&w, l->loop, fd, events, l->cb, l->data);
  if (rc != 0)
    return rc;
  if (l->unref)
    bd_fdwatch_ref(w, false);
  w->next = l->head;
  l->head = w;
  return 0;
}

void bd_fdwatch_list_ref(struct bd_fdwatch_list *l, bool on) {
  l->unref = !on;
  for (struct bd_fdwatch *w = l->head; w != NULL; w = w->next)
    bd_fdwatch_ref(w, on);
}

void bd_fdwatch_list_close(struct bd_fdwatch_list *l) {
  while (l->head != NULL)
    unlink_and_close(&l->head);
}
