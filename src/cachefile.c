/* The cache directory (XDG Base Directory spec) and whole-file
 * replacement by rename(2), which no reader can see half done. */
#include "blogdom/cachefile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int bd_cache_path(char *buf, size_t size, const char *xdg_cache_home,
                  const char *home, const char *file) {
  int n;
  if (xdg_cache_home != NULL && xdg_cache_home[0] == '/')
    n = snprintf(buf, size, "%s/blogdom/%s", xdg_cache_home, file);
  else if (home != NULL && home[0] != '\0')
    n = snprintf(buf, size, "%s/.cache/blogdom/%s", home, file);
  else
    return -1;
  return n > 0 && (size_t)n < size ? 0 : -1;
}

/* mkdir -p of the directories above path, each new one with mode 0700
 * (the XDG Base Directory spec's mode for the cache home). */
static int make_parents(const char *path) {
  char dir[PATH_MAX];
  size_t n = strlen(path);

  if (n >= sizeof(dir))
    return -ENAMETOOLONG;
  memcpy(dir, path, n + 1);
  for (char *p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
    *p = '\0';
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
      return -errno;
    *p = '/';
  }
  return 0;
}

static int write_all(int fd, const char *data, size_t len) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, data + done, len - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    done += (size_t)n;
  }
  return 0;
}

static int set_mtime(int fd, time_t mtime) {
  struct timespec times[2];
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_NOW;
  times[1].tv_sec = mtime;
  times[1].tv_nsec = 0;
  return futimens(fd, times) == 0 ? 0 : -errno;
}

/* The directory that holds path, synced, so that a rename in it is on
 * the disk too. */
static int sync_parent(const char *path) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  size_t n = slash == NULL ? 1 : slash == path ? 1 : (size_t)(slash - path);
  int fd;
  int rc = 0;

  if (n >= sizeof(dir))
    return -ENAMETOOLONG;
  memcpy(dir, slash == NULL ? "." : path, n);
  dir[n] = '\0';
  fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  if (fsync(fd) != 0)
    rc = -errno;
  close(fd);
  return rc;
}

int bd_cache_store(const char *path, const struct bd_cache_piece *pieces,
                   size_t npieces, time_t mtime, bool durable) {
  char tmp[PATH_MAX];
  int fd;
  int rc;

  rc = make_parents(path);
  if (rc != 0)
    return rc;
  if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
    return -ENAMETOOLONG;
  fd = mkstemp(tmp);
  if (fd < 0)
    return -errno;
  for (size_t i = 0; i < npieces && rc == 0; i++)
    rc = write_all(fd, pieces[i].data, pieces[i].len);
  /* The modification time is set after the last write moved it. */
  if (rc == 0 && mtime != 0)
    rc = set_mtime(fd, mtime);
  if (rc == 0 && durable && fsync(fd) != 0)
    rc = -errno;
  if (close(fd) != 0 && rc == 0)
    rc = -errno;
  if (rc == 0 && rename(tmp, path) != 0)
    rc = -errno;
  if (rc != 0)
    unlink(tmp);
  else if (durable)
    rc = sync_parent(path);
  return rc;
}
