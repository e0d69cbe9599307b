/* Streaming line reader over a file descriptor that never blocks the loop. */
#ifndef BLOGDOM_LINEREADER_H
#define BLOGDOM_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>

/* Longest line handed out whole; the rest of a longer line is skipped and
 * the line is marked truncated, so one huge line costs no memory. */
#define BD_LINE_KEEP 4096

enum bd_line_status {
  BD_LINE_OK,    /* *line holds the next line */
  BD_LINE_AGAIN, /* no whole line yet and reading now would block */
  BD_LINE_EOF,   /* no more lines */
  BD_LINE_ERROR  /* read(2) failed; errno says why */
};

struct bd_line {
  const char *data; /* valid until the next call; not NUL-terminated */
  size_t len;
  bool truncated;
};

struct bd_linereader;

/* Starts reading fd (not owned: the caller closes it). NULL if out of
 * memory. */
struct bd_linereader *bd_linereader_new(int fd);
void bd_linereader_free(struct bd_linereader *lr);

/* The next line without its newline. Reads only when poll(2) says the fd is
 * readable, so a slow pipe yields BD_LINE_AGAIN instead of blocking. */
enum bd_line_status bd_linereader_next(struct bd_linereader *lr,
                                       struct bd_line *line);

int bd_linereader_fd(const struct bd_linereader *lr);

#endif
