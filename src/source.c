/* The name source: arguments, then files in order, or the built-in list;
 * a label (no dot) is crossed with each TLD, a dotted name is taken as is. */
#include "blogdom/source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blogdom/keywords.h"

enum phase { PHASE_ARGS, PHASE_FILES, PHASE_BUILTIN, PHASE_DONE };

struct input_file {
  const char *path;
  int fd;
  bool owned;   /* stdin is not ours to close */
  int err;      /* 0, or why the file failed (a negative errno) */
  bool opening; /* err came from open(2) */
};

struct bd_source {
  struct bd_source_config cfg;
  enum phase phase;
  size_t index; /* argument, file or keyword index */
  struct input_file *files;
  struct bd_linereader *reader; /* of files[index], created on first use */

  /* Indexes into files[] of the failed ones, in the order they failed:
   * each file fails at most once, so nfiles entries always hold them. */
  size_t *failed;
  size_t nfailed;
  size_t ntold; /* how many bd_source_next_failure handed out */

  /* The entry being crossed with the TLDs. */
  bool have_entry;
  bool entry_is_label;
  bool entry_truncated;
  size_t tld;
  size_t entry_len;
  char entry[BD_LINE_KEEP];
};

static void close_files(struct bd_source *src) {
  for (size_t i = 0; i < src->cfg.nfiles; i++)
    if (src->files[i].owned && src->files[i].fd >= 0)
      close(src->files[i].fd);
  free(src->files);
  free(src->failed);
}

static void set_failed(struct bd_source *src, size_t index, int err,
                       bool opening) {
  struct input_file *f = &src->files[index];
  f->err = err;
  f->opening = opening;
  src->failed[src->nfailed++] = index;
}

static void open_input(struct bd_source *src, size_t index) {
  struct input_file *f = &src->files[index];
  struct stat st;

  f->path = src->cfg.files[index];
  f->owned = strcmp(f->path, "-") != 0;
  f->fd = f->owned ? open(f->path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
  if (f->fd < 0) {
    set_failed(src, index, -errno, true);
    return;
  }
  /* read(2) would say EISDIR only once the run is under way: said now, a
   * directory given by mistake stops the run before any query is sent. */
  if (fstat(f->fd, &st) == 0 && S_ISDIR(st.st_mode))
    set_failed(src, index, -EISDIR, false);
}

int bd_source_open(struct bd_source **out, const struct bd_source_config *cfg) {
  struct bd_source *src = calloc(1, sizeof(*src));
  if (src == NULL)
    goto nomem;
  src->cfg = *cfg;
  src->files = calloc(cfg->nfiles ? cfg->nfiles : 1, sizeof(*src->files));
  src->failed = calloc(cfg->nfiles ? cfg->nfiles : 1, sizeof(*src->failed));
  if (src->files == NULL || src->failed == NULL)
    goto nomem;
  for (size_t i = 0; i < cfg->nfiles; i++)
    src->files[i].fd = -1;
  for (size_t i = 0; i < cfg->nfiles; i++)
    open_input(src, i);
  if (cfg->nnames > 0)
    src->phase = PHASE_ARGS;
  else if (cfg->nfiles > 0)
    src->phase = PHASE_FILES;
  else
    src->phase = PHASE_BUILTIN;
  *out = src;
  return 0;

nomem:
  if (src != NULL) {
    free(src->files);
    free(src->failed);
    free(src);
  }
  return -ENOMEM;
}

void bd_source_close(struct bd_source *src) {
  if (src == NULL)
    return;
  bd_linereader_free(src->reader);
  close_files(src);
  free(src);
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Takes text as the next entry: trimmed; blank and comment lines are
 * skipped (returns false). */
static bool set_entry(struct bd_source *src, const char *text, size_t len,
                      bool truncated, bool from_file) {
  while (len > 0 && is_space(text[0]))
    text++, len--;
  while (len > 0 && is_space(text[len - 1]) && !truncated)
    len--;
  if (from_file && (len == 0 || text[0] == '#'))
    return false;
  if (len > sizeof(src->entry)) {
    len = sizeof(src->entry);
    truncated = true;
  }
  memcpy(src->entry, text, len);
  src->entry_len = len;
  src->entry_truncated = truncated;
  src->entry_is_label = !bd_name_has_dot(text, len);
  src->tld = 0;
  src->have_entry = true;
  return true;
}

static void next_file(struct bd_source *src) {
  bd_linereader_free(src->reader);
  src->reader = NULL;
  if (++src->index >= src->cfg.nfiles)
    src->phase = PHASE_DONE;
}

/* Reads entries from the files until one is set; the status says why not.
 * A file that fails is recorded and left for the next one. */
static enum bd_source_status read_entry(struct bd_source *src) {
  while (src->phase == PHASE_FILES) {
    struct input_file *f = &src->files[src->index];
    struct bd_line line;
    enum bd_line_status st;

    if (f->err != 0) {
      next_file(src); /* failed at open: nothing of it to read */
      continue;
    }
    if (src->reader == NULL) {
      src->reader = bd_linereader_new(f->fd);
      if (src->reader == NULL) {
        set_failed(src, src->index, -ENOMEM, false);
        next_file(src);
        continue;
      }
    }
    st = bd_linereader_next(src->reader, &line);
    if (st == BD_LINE_AGAIN)
      return BD_SOURCE_AGAIN;
    if (st == BD_LINE_ERROR) {
      /* The reader hands out whole lines before it reads again, so what
       * it drops with itself is at most the line the error cut. */
      set_failed(src, src->index, errno != 0 ? -errno : -EIO, false);
      next_file(src);
      continue;
    }
    if (st == BD_LINE_EOF) {
      next_file(src);
      continue;
    }
    if (set_entry(src, line.data, line.len, line.truncated, true))
      return BD_SOURCE_ITEM;
  }
  return BD_SOURCE_END;
}

static enum bd_source_status next_entry(struct bd_source *src) {
  for (;;) {
    switch (src->phase) {
    case PHASE_ARGS:
      if (src->index >= src->cfg.nnames) {
        src->index = 0;
        src->phase = src->cfg.nfiles > 0 ? PHASE_FILES : PHASE_DONE;
        continue;
      }
      {
        const char *arg = src->cfg.names[src->index++];
        set_entry(src, arg, strlen(arg), false, false);
      }
      return BD_SOURCE_ITEM;
    case PHASE_FILES:
      return read_entry(src);
    case PHASE_BUILTIN:
      while (src->index < BD_KEYWORD_COUNT) {
        const char *kw = bd_keyword(src->index++);
        size_t len = strlen(kw);
        if (src->cfg.max_len == 0 || len <= src->cfg.max_len) {
          set_entry(src, kw, len, false, false);
          return BD_SOURCE_ITEM;
        }
      }
      src->phase = PHASE_DONE;
      continue;
    case PHASE_DONE:
      return BD_SOURCE_END;
    }
  }
}

/* Builds the name for the current entry and TLD into item->text and
 * normalizes it. An invalid name keeps the input's own text, for its line:
 * never a decoded guess. */
static void make_item(struct bd_source *src, struct bd_item *item) {
  size_t len = src->entry_len;
  char name[BD_NAME_MAX + 1];
  size_t name_len;

  memcpy(item->text, src->entry, len);
  if (src->entry_is_label) {
    const char *tld = src->cfg.tlds[src->tld];
    size_t tlen = strlen(tld);
    item->text[len++] = '.';
    memcpy(item->text + len, tld, tlen);
    len += tlen;
  }
  item->truncated = src->entry_truncated;
  item->error = src->entry_truncated
                    ? BD_NAME_TOO_LONG
                    : bd_name_normalize(item->text, len, name, &name_len);
  if (item->error == BD_NAME_OK)
    item->error = bd_name_check_host(name, name_len);
  if (item->error == BD_NAME_OK) {
    memcpy(item->text, name, name_len + 1);
    len = name_len;
  }
  item->len = len;
}

enum bd_source_status bd_source_next(struct bd_source *src,
                                     struct bd_item *item) {
  for (;;) {
    if (!src->have_entry) {
      enum bd_source_status st = next_entry(src);
      if (st != BD_SOURCE_ITEM)
        return st;
    }
    make_item(src, item);
    if (!src->entry_is_label || ++src->tld >= src->cfg.ntlds)
      src->have_entry = false;
    /* A truncated entry's text still hashes the same on every host. */
    if (bd_shard_keeps(&src->cfg.shard, item->text, item->len))
      return BD_SOURCE_ITEM;
  }
}

void bd_source_each_known_tld(const struct bd_source *src,
                              void (*fn)(const char *name, void *data),
                              void *data) {
  const struct bd_source_config *cfg = &src->cfg;
  bool labels = cfg->nfiles > 0 || cfg->nnames == 0;
  char name[BD_NAME_MAX + 1];
  size_t len;

  for (size_t i = 0; i < cfg->nnames; i++) {
    const char *arg = cfg->names[i];
    size_t n = strlen(arg);
    if (!bd_name_has_dot(arg, n)) {
      labels = true;
      continue;
    }
    if (bd_name_normalize(arg, n, name, &len) == BD_NAME_OK &&
        bd_name_check_host(name, len) == BD_NAME_OK)
      fn(name, data);
  }
  if (labels)
    for (size_t i = 0; i < cfg->ntlds; i++)
      fn(cfg->tlds[i], data);
}

bool bd_source_next_failure(struct bd_source *src,
                            struct bd_source_failure *failure) {
  const struct input_file *f;
  if (src->ntold >= src->nfailed)
    return false;
  f = &src->files[src->failed[src->ntold++]];
  failure->path = f->path;
  failure->err = f->err;
  failure->opening = f->opening;
  return true;
}

int bd_source_wait_fd(const struct bd_source *src) {
  return src->reader != NULL ? bd_linereader_fd(src->reader) : -1;
}

long long bd_source_total(const struct bd_source *src) {
  long long entries = 0;
  long long labels = 0;

  if (src->cfg.nfiles > 0)
    return -1;
  if (src->cfg.nnames > 0) {
    for (size_t i = 0; i < src->cfg.nnames; i++) {
      const char *n = src->cfg.names[i];
      if (bd_name_has_dot(n, strlen(n)))
        entries++;
      else
        labels++;
    }
  } else {
    for (size_t i = 0; i < BD_KEYWORD_COUNT; i++) {
      size_t len = strlen(bd_keyword(i));
      if (src->cfg.max_len == 0 || len <= src->cfg.max_len)
        labels++;
    }
  }
  entries += labels * (long long)src->cfg.ntlds;
  if (src->cfg.shard.count > 1)
    entries = (entries + src->cfg.shard.count - 1) / src->cfg.shard.count;
  return entries;
}
