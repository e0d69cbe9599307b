/* Fuzzes the streaming line reader: the lines it hands out, put back
 * together, are the input (less the cut tails of overlong lines). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "blogdom/linereader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("lines", 0);
  struct bd_linereader *lr;
  struct bd_line line;
  size_t pos = 0;
  enum bd_line_status st;

  if (fd < 0)
    return 0;
  if (write(fd, data, size) != (ssize_t)size || lseek(fd, 0, SEEK_SET) != 0)
    goto done;
  lr = bd_linereader_new(fd);
  if (lr == NULL)
    goto done;
  while ((st = bd_linereader_next(lr, &line)) == BD_LINE_OK) {
    if (line.len > BD_LINE_KEEP || pos + line.len > size ||
        memcmp(line.data, data + pos, line.len) != 0)
      abort();
    if (memchr(line.data, '\n', line.len) != NULL)
      abort();
    /* Skip to the end of this input line. */
    const uint8_t *nl = memchr(data + pos, '\n', size - pos);
    if (!line.truncated && nl != NULL && (size_t)(nl - data) != pos + line.len)
      abort();
    pos = nl != NULL ? (size_t)(nl - data) + 1 : size;
  }
  if (st != BD_LINE_EOF || pos != size)
    abort();
  bd_linereader_free(lr);
done:
  close(fd);
  return 0;
}
