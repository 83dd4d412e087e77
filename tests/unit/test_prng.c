/*
 * Unit tests for carbon/prng.h: reference values of splitmix64 and
 * xoshiro256**, reproducibility, independent streams, and the ranges and
 * rough moments of the derived draws.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "carbon/prng.h"

static void test_splitmix_reference(void **state)
{
	uint64_t x = 0;

	(void)state;
	/* the published first outputs for seed 0 */
	assert_true(carbon_prng_splitmix64(&x) == UINT64_C(0xe220a8397b1dcdaf));
	assert_true(carbon_prng_splitmix64(&x) == UINT64_C(0x6e789e6aa1b965f4));
	assert_true(carbon_prng_splitmix64(&x) == UINT64_C(0x06c45d188009454f));
}

static void test_xoshiro_by_hand(void **state)
{
	struct carbon_prng r = {{1, 2, 3, 4}};

	(void)state;
	/* rotl(2 * 5, 7) * 9 = 1280 * 9 */
	assert_true(carbon_prng_next(&r) == 11520);
	/* after one step s[1] = 2 ^ (3 ^ 1) = 0 */
	assert_true(carbon_prng_next(&r) == 0);
}

static void test_reproducible_and_streams(void **state)
{
	struct carbon_prng a, b, c;
	int same = 0;

	(void)state;
	carbon_prng_seed(&a, 42);
	carbon_prng_seed(&b, 42);
	for (int i = 0; i < 1000; i++)
		assert_true(carbon_prng_next(&a) == carbon_prng_next(&b));
	carbon_prng_seed2(&a, 42, 1);
	carbon_prng_seed2(&c, 42, 2);
	for (int i = 0; i < 1000; i++)
		same += carbon_prng_next(&a) == carbon_prng_next(&c);
	assert_int_equal(same, 0);
	/* seed 0 is a fine seed */
	carbon_prng_seed(&a, 0);
	assert_true(a.s[0] | a.s[1] | a.s[2] | a.s[3]);
}

static void test_uniform_and_below(void **state)
{
	struct carbon_prng r;
	size_t hist[7] = {0};
	double sum = 0;
	const int n = 70000;

	(void)state;
	carbon_prng_seed(&r, 7);
	for (int i = 0; i < n; i++) {
		double u = carbon_prng_uniform(&r);
		uint64_t k = carbon_prng_below(&r, 7);

		assert_true(u >= 0.0 && u < 1.0);
		assert_true(k < 7);
		hist[k]++;
		sum += u;
	}
	assert_true(sum / n > 0.49 && sum / n < 0.51);
	for (int k = 0; k < 7; k++)
		assert_true(hist[k] > 9500 && hist[k] < 10500);
	assert_true(carbon_prng_below(&r, 0) == 0);
	assert_true(carbon_prng_below(&r, 1) == 0);
}

static void test_normal_moments(void **state)
{
	struct carbon_prng r;
	double sum = 0, sq = 0;
	const int n = 100000;

	(void)state;
	carbon_prng_seed(&r, 3);
	for (int i = 0; i < n; i++) {
		double z = carbon_prng_normal(&r);

		assert_true(z >= -6.0 && z <= 6.0);
		sum += z;
		sq += z * z;
	}
	assert_true(sum / n > -0.02 && sum / n < 0.02);
	assert_true(sq / n > 0.97 && sq / n < 1.03);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_splitmix_reference),
		cmocka_unit_test(test_xoshiro_by_hand),
		cmocka_unit_test(test_reproducible_and_streams),
		cmocka_unit_test(test_uniform_and_below),
		cmocka_unit_test(test_normal_moments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
