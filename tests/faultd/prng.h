/* Small deterministic PRNG (splitmix64) behind loss= and garbage. */
#ifndef FAULTD_PRNG_H
#define FAULTD_PRNG_H

#include <stdint.h>

struct prng {
  uint64_t state;
};

void prng_seed(struct prng *prng, uint64_t seed);
uint64_t prng_next(struct prng *prng);
/* Uniform in [0, 1). */
double prng_unit(struct prng *prng);
/* Uniform in [lo, hi]; needs lo <= hi. */
uint32_t prng_range(struct prng *prng, uint32_t lo, uint32_t hi);

#endif
