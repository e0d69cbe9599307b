/* Files in blogdom's cache directory: where they live, and how one (there
 * or anywhere) is replaced whole, so that a reader never sees half of
 * one. */
#ifndef BLOGDOM_CACHEFILE_H
#define BLOGDOM_CACHEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Writes <xdg_cache_home>/blogdom/<file>, or else
 * <home>/.cache/blogdom/<file>, into buf (the values of $XDG_CACHE_HOME and
 * $HOME, either NULL; an XDG_CACHE_HOME that is empty or relative is
 * ignored, as the XDG Base Directory spec says). Returns 0, or -1 when
 * neither is usable or the path does not fit. */
int bd_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                  const char *home, const char *file);

/* One piece of a file's contents. */
struct bd_cache_piece {
  const void *data;
  size_t len;
};

/* Replaces the file at path with the pieces, one after the other: written
 * to a temporary file beside it, then renamed over it, creating the
 * directories above it (mode 0700) as needed. mtime, when not 0, becomes
 * the file's modification time. durable: the file and then its directory
 * are synced (fsync(2)), so that after a crash path is the old file or
 * the new one, whole. Returns 0, or a negative errno value; nothing is
 * left behind on failure. */
int bd_cache_store(const char *path, const struct bd_cache_piece *pieces,
                   size_t npieces, time_t mtime, bool durable);

#endif
