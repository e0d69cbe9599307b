/* Small deterministic PRNG (splitmix64) behind loss= and garbage. */
#include "prng.h"

void prng_seed(struct prng *prng, uint64_t seed) {
  prng->state = seed;
}

uint64_t prng_next(struct prng *prng) {
  uint64_t z = (prng->state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

double prng_unit(struct prng *prng) {
  /* The top 53 bits fill a double's mantissa exactly. */
  return (double)(prng_next(prng) >> 11) * (1.0 / 9007199254740992.0);
}

uint32_t prng_range(struct prng *prng, uint32_t lo, uint32_t hi) {
  uint64_t span = (uint64_t)hi - lo + 1;
  /* Modulo bias is irrelevant for fault injection with tiny spans. */
  return lo + (uint32_t)(prng_next(prng) % span);
}
