/* A first-in, first-out list of items that carry their own link, as
 * libuv's queue.h does: an item embeds a struct bd_fifo_link and is found
 * again from it with container_of (common.h). Nothing is allocated; an
 * item is in one list at a time. The RDAP and WHOIS clients keep their
 * waiting and finished requests so. */
#ifndef BLOGDOM_FIFO_H
#define BLOGDOM_FIFO_H

#include <stddef.h>

struct bd_fifo_link {
  struct bd_fifo_link *next;
};

/* A zeroed struct is an empty list. */
struct bd_fifo {
  struct bd_fifo_link *head;
  struct bd_fifo_link *tail;
};

static inline void bd_fifo_push(struct bd_fifo *f, struct bd_fifo_link *l) {
  l->next = NULL;
  if (f->tail != NULL)
    f->tail->next = l;
  else
    f->head = l;
  f->tail = l;
}

/* The oldest item's link, taken out of the list; NULL when it is empty. */
static inline struct bd_fifo_link *bd_fifo_pop(struct bd_fifo *f) {
  struct bd_fifo_link *l = f->head;
  if (l != NULL) {
    f->head = l->next;
    if (f->head == NULL)
      f->tail = NULL;
  }
  return l;
}

#endif
