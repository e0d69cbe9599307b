/* Unpredictable bytes from the kernel's CSPRNG, drawn in batches: query
 * ids (RFC 5452 9.2; c-ares 1.18's ares_send() keeps the id it is given)
 * and the random labels of the checks. */
#ifndef BLOGDOM_RANDOM_H
#define BLOGDOM_RANDOM_H

#include <stddef.h>
#include <stdint.h>

struct bd_random {
  unsigned char buf[512];
  size_t left;
};

/* Fills out[0..n) (n at most sizeof buf). */
void bd_random_bytes(struct bd_random *r, void *out, size_t n);

uint16_t bd_random_id(struct bd_random *r);

#endif
