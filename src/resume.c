/* The output file and the state that makes a run resumable (resume.h):
 * the state file's format, the watermark, and the order of what is made
 * durable. */
#include "blogdom/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
/* For XXH3_state_t on the stack. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "blogdom/cachefile.h"

#define MAGIC "BDSTATE"

/* The state file: this header, nabove entries, then the XXH3 of all that
 * came before, in this host's byte order. */
struct header {
  char magic[8];
  uint32_t version;
  uint32_t complete; /* 1: the run ended, with status */
  int32_t status;
  uint32_t reserved;
  uint64_t options_key;
  uint64_t output_len; /* bytes of the output the state covers */
  uint64_t watermark;  /* every name below has its line in them */
  uint64_t chain;      /* over the hashes of the names below it */
  uint64_t counts[3];  /* their lines by status, and the entries' */
  uint64_t nabove;     /* names above it with their lines: */
};

struct entry {
  uint64_t seq;
  uint64_t hash;
};

struct bd_resume {
  int fd;
  char *state_path; /* NULL: -o alone */
  uint64_t options_key;
  struct header loaded; /* as the run started (zeroed when fresh) */
  struct entry *above;  /* loaded.nabove of them, by seq */
  /* This run's account: the names from the watermark on, in a ring, each
   * its hash with bit 0 set once its line is in the output's order. */
  uint64_t watermark;
  uint64_t chain;
  uint64_t *ring;
  size_t ring_cap; /* a power of two */
  size_t ring_len;
  uint64_t next;  /* the next name's sequence number */
  uint64_t check; /* the chain recomputed below the loaded watermark */
  bool mismatch;
  bool nomem;         /* the account could not grow: the run must stop */
  uint64_t counts[3]; /* lines settled in this run, by status */
};

static uint64_t name_hash(const char *text, size_t len) {
  return XXH3_64bits(text, len) & ~(uint64_t)1;
}

static uint64_t chain_with(uint64_t chain, uint64_t hash) {
  return XXH3_64bits_withSeed(&hash, sizeof(hash), chain);
}

/* ---- the state file --------------------------------------------------- */

static uint64_t checksum(const struct header *h, const struct entry *e,
                         size_t n) {
  XXH3_state_t st;
  XXH3_64bits_reset(&st);
  XXH3_64bits_update(&st, h, sizeof(*h));
  XXH3_64bits_update(&st, e, n * sizeof(*e));
  return XXH3_64bits_digest(&st);
}

/* Reads the state at path into r. Returns 1 when there is none, 0, or -1
 * with why. */
static int load_state(struct bd_resume *r, const char *path, char *why,
                      size_t why_size) {
  struct stat st;
  uint64_t sum;
  size_t n;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  int rc = -1;
  char *data = NULL;

  if (fd < 0) {
    if (errno == ENOENT)
      return 1;
    snprintf(why, why_size, "cannot read the state file %s: %s", path,
             strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(struct header)) {
    snprintf(why, why_size, "state file %s is cut short", path);
    goto done;
  }
  data = malloc((size_t)st.st_size);
  if (data == NULL || read(fd, data, (size_t)st.st_size) != st.st_size) {
    snprintf(why, why_size, "cannot read the state file %s", path);
    goto done;
  }
  memcpy(&r->loaded, data, sizeof(r->loaded));
  if (memcmp(r->loaded.magic, MAGIC, sizeof(MAGIC)) != 0 ||
      r->loaded.version != BD_RESUME_VERSION) {
    snprintf(why, why_size,
             "%s is no state file of this version of blogdom (%u)", path,
             BD_RESUME_VERSION);
    goto done;
  }
  n = (size_t)r->loaded.nabove;
  if (n > ((size_t)st.st_size - sizeof(struct header)) / sizeof(struct entry) ||
      (size_t)st.st_size !=
          sizeof(struct header) + n * sizeof(struct entry) + sizeof(sum)) {
    snprintf(why, why_size, "state file %s is cut short or damaged", path);
    goto done;
  }
  r->above = malloc(n * sizeof(*r->above) + 1);
  if (r->above == NULL) {
    snprintf(why, why_size, "out of memory");
    goto done;
  }
  memcpy(r->above, data + sizeof(struct header), n * sizeof(*r->above));
  memcpy(&sum, data + sizeof(struct header) + n * sizeof(*r->above),
         sizeof(sum));
  if (sum != checksum(&r->loaded, r->above, n)) {
    snprintf(why, why_size, "state file %s is damaged (checksum)", path);
    goto done;
  }
  rc = 0;
done:
  free(data);
  close(fd);
  return rc;
}

/* The output as the loaded state left it: there, at least as long as it
 * says, then cut back to that length. */
static int reopen_output(struct bd_resume *r, const char *path, char *why,
                         size_t why_size) {
  struct stat st;
  r->fd = open(path, O_RDWR | O_CLOEXEC);
  if (r->fd < 0 || fstat(r->fd, &st) != 0) {
    snprintf(why, why_size,
             "cannot open %s, the output the state file %s covers: %s", path,
             r->state_path, strerror(errno));
    return -1;
  }
  if ((uint64_t)st.st_size < r->loaded.output_len) {
    snprintf(why, why_size,
             "%s is shorter than the state file %s says it was: not the "
             "output of that run",
             path, r->state_path);
    return -1;
  }
  if (r->loaded.complete)
    return 0; /* left as it is */
  if (ftruncate(r->fd, (off_t)r->loaded.output_len) != 0 ||
      lseek(r->fd, 0, SEEK_END) < 0) {
    snprintf(why, why_size, "cannot cut %s back: %s", path, strerror(errno));
    return -1;
  }
  return 0;
}

int bd_resume_open(struct bd_resume **out, const char *output_path,
                   const char *state_path, uint64_t options_key, int *fd,
                   enum bd_resume_start *start, int *status, char *why,
                   size_t why_size) {
  struct bd_resume *r = calloc(1, sizeof(*r));
  int rc = 1;

  *out = NULL;
  if (r == NULL ||
      (state_path != NULL && (r->state_path = strdup(state_path)) == NULL)) {
    free(r);
    snprintf(why, why_size, "out of memory");
    return -1;
  }
  r->fd = -1;
  r->options_key = options_key;
  if (state_path != NULL)
    rc = load_state(r, state_path, why, why_size);
  if (rc == 0 && r->loaded.options_key != options_key) {
    snprintf(why, why_size,
             "state file %s was made with other options (-t, --type, "
             "--confirm, --shard, --json, --only, --authoritative, --zone, "
             "--for-sale): run them as they were, or start again without it",
             state_path);
    rc = -1;
  }
  if (rc == 0 && reopen_output(r, output_path, why, why_size) != 0)
    rc = -1;
  if (rc == 1) {
    memset(&r->loaded, 0, sizeof(r->loaded));
    r->fd = open(output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (r->fd < 0) {
      snprintf(why, why_size, "cannot open %s: %s", output_path,
               strerror(errno));
      rc = -1;
    }
  }
  if (rc < 0) {
    bd_resume_close(r);
    return -1;
  }
  r->watermark = r->loaded.watermark;
  r->chain = r->loaded.chain;
  *start = rc == 1              ? BD_RESUME_FRESH
           : r->loaded.complete ? BD_RESUME_COMPLETE
                                : BD_RESUME_CONTINUE;
  *status = r->loaded.status;
  *fd = r->fd;
  *out = r;
  return 0;
}

/* ---- the names -------------------------------------------------------- */

/* Doubles the ring; each name keeps the slot its sequence number picks. */
static bool grow_ring(struct bd_resume *r) {
  size_t cap = r->ring_cap ? r->ring_cap * 2 : 1024;
  uint64_t *ring = malloc(cap * sizeof(*ring));
  if (ring == NULL)
    return false;
  for (size_t i = 0; i < r->ring_len; i++) {
    uint64_t seq = r->watermark + i;
    ring[seq & (cap - 1)] = r->ring[seq & (r->ring_cap - 1)];
  }
  free(r->ring);
  r->ring = ring;
  r->ring_cap = cap;
  return true;
}

static uint64_t *slot(struct bd_resume *r, uint64_t seq) {
  return &r->ring[seq & (r->ring_cap - 1)];
}

/* Moves the watermark over the names whose lines are settled. */
static void advance(struct bd_resume *r) {
  while (r->ring_len > 0 && (*slot(r, r->watermark) & 1)) {
    r->chain = chain_with(r->chain, *slot(r, r->watermark) & ~(uint64_t)1);
    r->watermark++;
    r->ring_len--;
  }
}

static const struct entry *find_above(const struct bd_resume *r, uint64_t seq) {
  size_t lo = 0;
  size_t hi = (size_t)r->loaded.nabove;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (r->above[mid].seq < seq)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < r->loaded.nabove && r->above[lo].seq == seq ? &r->above[lo]
                                                          : NULL;
}

enum bd_resume_name bd_resume_name(struct bd_resume *r, uint64_t seq,
                                   const char *text, size_t len) {
  uint64_t h = name_hash(text, len);
  const struct entry *e;

  if (r->state_path == NULL)
    return BD_RESUME_ASK;
  r->next = seq + 1;
  if (seq < r->loaded.watermark) {
    r->check = chain_with(r->check, h);
    if (seq + 1 == r->loaded.watermark && r->check != r->loaded.chain)
      r->mismatch = true;
    return r->mismatch ? BD_RESUME_OTHER_INPUT : BD_RESUME_DONE;
  }
  e = find_above(r, seq);
  if ((e != NULL && e->hash != h) || r->loaded.complete)
    r->mismatch = true; /* a finished run's state covers every name */
  if (r->mismatch)
    return BD_RESUME_OTHER_INPUT;
  if (r->ring_len == r->ring_cap && !grow_ring(r)) {
    /* Out of memory: neither asked again (a second line) nor skipped
     * unrecorded; the run stops, and can be continued. */
    r->nomem = true;
    return BD_RESUME_OTHER_INPUT;
  }
  *slot(r, seq) = h | (e != NULL);
  r->ring_len++;
  advance(r);
  return e != NULL ? BD_RESUME_DONE : BD_RESUME_ASK;
}

bool bd_resume_input_ended(struct bd_resume *r, uint64_t count) {
  if (r->state_path == NULL)
    return true;
  if (count < r->loaded.watermark ||
      (r->loaded.nabove > 0 && r->above[r->loaded.nabove - 1].seq >= count))
    r->mismatch = true;
  return !r->mismatch;
}

void bd_resume_settled(struct bd_resume *r, uint64_t seq,
                       enum bd_status status) {
  if (r->state_path == NULL || seq < r->watermark ||
      seq >= r->watermark + r->ring_len)
    return;
  *slot(r, seq) |= 1;
  if ((unsigned)status < 3)
    r->counts[status]++;
  advance(r);
}

void bd_resume_earlier(const struct bd_resume *r, uint64_t counts[3]) {
  for (int i = 0; i < 3; i++)
    counts[i] = r->loaded.counts[i];
}

/* ---- commits ---------------------------------------------------------- */

/* Has the input been read and checked as far as the state reached? */
static bool checked(const struct bd_resume *r) {
  return !r->mismatch && r->next >= r->loaded.watermark &&
         (r->loaded.nabove == 0 ||
          r->next > r->above[r->loaded.nabove - 1].seq);
}

int bd_resume_commit(struct bd_resume *r, bool complete, int status) {
  struct header h;
  struct entry *above;
  struct stat st;
  uint64_t sum;
  size_t n = 0;
  int rc;

  if (r->state_path == NULL || !checked(r))
    return 0;
  /* The lines first: a state never covers what the disk may not hold. */
  if (fdatasync(r->fd) != 0 || fstat(r->fd, &st) != 0)
    return -errno;
  memset(&h, 0, sizeof(h));
  memcpy(h.magic, MAGIC, sizeof(MAGIC));
  h.version = BD_RESUME_VERSION;
  h.complete = complete;
  h.status = status;
  h.options_key = r->options_key;
  h.output_len = (uint64_t)st.st_size;
  h.watermark = r->watermark;
  h.chain = r->chain;
  for (int i = 0; i < 3; i++)
    h.counts[i] = r->loaded.counts[i] + r->counts[i];
  above = malloc(r->ring_len * sizeof(*above) + 1);
  if (above == NULL)
    return -ENOMEM;
  for (size_t i = 0; i < r->ring_len; i++) {
    uint64_t v = *slot(r, r->watermark + i);
    if (v & 1) {
      above[n].seq = r->watermark + i;
      above[n++].hash = v & ~(uint64_t)1;
    }
  }
  h.nabove = n;
  sum = checksum(&h, above, n);
  {
    struct bd_cache_piece pieces[] = {
        {&h, sizeof(h)}, {above, n * sizeof(*above)}, {&sum, sizeof(sum)}};
    rc = bd_cache_store(r->state_path, pieces, 3, 0, true);
  }
  free(above);
  return rc;
}

int bd_resume_restore(struct bd_resume *r) {
  if (r->state_path == NULL || r->fd < 0)
    return 0;
  return ftruncate(r->fd, (off_t)r->loaded.output_len) == 0 ? 0 : -errno;
}

bool bd_resume_out_of_memory(const struct bd_resume *r) {
  return r != NULL && r->nomem;
}

void bd_resume_close(struct bd_resume *r) {
  if (r == NULL)
    return;
  if (r->fd >= 0)
    close(r->fd);
  free(r->state_path);
  free(r->above);
  free(r->ring);
  free(r);
}
