/*
 * carbon/prng.h: a small, seeded, reproducible random number generator.
 *
 * The core may not call rand() (its state is global and its sequence
 * differs between C libraries), so simulations that must give the same
 * answer for the same --seed on every machine use this one: xoshiro256**
 * (Blackman and Vigna), seeded through splitmix64 so that any 64-bit seed,
 * 0 included, gives a good state.  Not for cryptography.
 *
 * Independent streams: carbon_prng_seed2(seed, stream) mixes a stream
 * number into the seed, so e.g. the urgencies of a workload and the noise
 * of a forecast do not shift when one of them draws more numbers.
 *
 * The state is a plain struct owned by the caller; nothing allocates.
 */
#ifndef CARBON_PRNG_H
#define CARBON_PRNG_H

#include <stdint.h>

struct carbon_prng {
	uint64_t s[4];
};

/* One step of splitmix64 on *x: a good 64-bit hash of a counter. */
uint64_t carbon_prng_splitmix64(uint64_t *x);

/* Seed r from seed (any value). */
void carbon_prng_seed(struct carbon_prng *r, uint64_t seed);

/* Seed r from seed and a stream number: different streams, unrelated
 * sequences. */
void carbon_prng_seed2(struct carbon_prng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t carbon_prng_next(struct carbon_prng *r);

/* Uniform in [0, 1), 53 bits of precision. */
double carbon_prng_uniform(struct carbon_prng *r);

/* Uniform integer in [0, n) without modulo bias; 0 when n is 0. */
uint64_t carbon_prng_below(struct carbon_prng *r, uint64_t n);

/*
 * Approximately standard normal: the sum of 12 uniforms minus 6 (mean 0,
 * variance 1, within +-6).  Good enough for forecast noise, and needs no
 * libm.
 */
double carbon_prng_normal(struct carbon_prng *r);

#endif
