/*
 * prng.c: splitmix64 and xoshiro256** (see carbon/prng.h), after the
 * reference implementations by Sebastiano Vigna (public domain).
 */
#include "carbon/prng.h"

uint64_t carbon_prng_splitmix64(uint64_t *x)
{
	uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void carbon_prng_seed(struct carbon_prng *r, uint64_t seed)
{
	uint64_t x = seed;

	for (int i = 0; i < 4; i++)
		r->s[i] = carbon_prng_splitmix64(&x);
	/* splitmix64 never yields four zeros in a row, but be explicit */
	if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
		r->s[0] = 1;
}

void carbon_prng_seed2(struct carbon_prng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = stream;

	carbon_prng_seed(r, seed ^ carbon_prng_splitmix64(&x));
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t carbon_prng_next(struct carbon_prng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double carbon_prng_uniform(struct carbon_prng *r)
{
	return (double)(carbon_prng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire's nearly divisionless method, with the rejection that makes it
 * exact. */
uint64_t carbon_prng_below(struct carbon_prng *r, uint64_t n)
{
	unsigned __int128 m;
	uint64_t lo;

	if (n == 0)
		return 0;
	m = (unsigned __int128)carbon_prng_next(r) * n;
	lo = (uint64_t)m;
	if (lo < n) {
		uint64_t floor = -n % n;

		while (lo < floor) {
			m = (unsigned __int128)carbon_prng_next(r) * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double carbon_prng_normal(struct carbon_prng *r)
{
	double sum = 0.0;

	for (int i = 0; i < 12; i++)
		sum += carbon_prng_uniform(r);
	return sum - 6.0;
}
