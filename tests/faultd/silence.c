/* A silence: for a while the server answers nothing. */
#include "silence.h"

#include <string.h>

void silence_init(struct silence *silence, uint64_t after, uint64_t span_ms) {
  memset(silence, 0, sizeof *silence);
  silence->after = after;
  silence->span_ns = span_ms * 1000000u;
}

bool silence_drops(struct silence *silence, uint64_t received,
                   uint64_t now_ns) {
  if (silence->span_ns == 0)
    return false;
  if (!silence->started) {
    if (received < silence->after)
      return false;
    silence->started = true;
    silence->end_ns = now_ns + silence->span_ns;
  }
  return now_ns < silence->end_ns;
}
