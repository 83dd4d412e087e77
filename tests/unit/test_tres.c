/*
 * Unit tests for carbon/tres.h: the GPUs in Slurm 22.05's TRES request
 * strings, as sbatch --gpus, --gres and --gpus-per-* write them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/tres.h"

static double gpus(const char *s)
{
	double n = -1;
	char err[128] = "";

	assert_int_equal(carbon_tres_gpus(s, &n, err, sizeof(err)), 0);
	return n;
}

static void test_counts(void **state)
{
	(void)state;
	assert_true(gpus(NULL) == 0);
	assert_true(gpus("") == 0);
	assert_true(gpus("gres:gpu:2") == 2);
	assert_true(gpus("gres:gpu") == 1);
	assert_true(gpus("gres:gpu:a100:4") == 4);
	assert_true(gpus("gres:gpu:a100") == 1);
	assert_true(gpus("gres:gpu:3g.20gb") == 1);
	assert_true(gpus("gres/gpu=3") == 3);
	assert_true(gpus("gres:gpu:1k") == 1024);
	/* several entries: only the GPUs count, each type added */
	assert_true(gpus("gres:mps:100,gres:gpu:a100:2,gres:gpu:v100:1") == 3);
	assert_true(gpus("gres:gpus:7,license:gpu:2") == 0);
}

static void test_rejects(void **state)
{
	double n = 5;
	char err[128] = "";

	(void)state;
	assert_int_equal(carbon_tres_gpus("gres:gpu:", &n, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "\"gres:gpu:\": the GPU count"));
	assert_int_equal(carbon_tres_gpus("gres:gpu=x", &n, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_tres_gpus("gres:gpu:99999999999999", &n, err,
					  sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_tres_gpus("gres:gpu:999999,gres:gpu:999999", &n,
					  err, sizeof(err)),
			 CARBON_EINVAL);
	assert_true(n == 5);
	assert_int_equal(carbon_tres_gpus("gres:gpu", NULL, err, sizeof(err)),
			 CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
