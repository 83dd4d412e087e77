/*
 * Unit tests for carbon/kind.h: the signal and basis names, their parsing
 * (case-insensitive, "unknown" refused) and the known-value predicates.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "carbon/kind.h"

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(carbon_signal_name(CARBON_SIGNAL_AVERAGE),
			    "average");
	assert_string_equal(carbon_signal_name(CARBON_SIGNAL_MARGINAL),
			    "marginal");
	assert_string_equal(carbon_signal_name(CARBON_SIGNAL_UNKNOWN),
			    "unknown");
	assert_string_equal(carbon_signal_name((enum carbon_signal)9),
			    "unknown");
	assert_string_equal(carbon_signal_name((enum carbon_signal) - 1),
			    "unknown");
	assert_string_equal(carbon_basis_name(CARBON_BASIS_LIFECYCLE),
			    "lifecycle");
	assert_string_equal(carbon_basis_name(CARBON_BASIS_DIRECT), "direct");
	assert_string_equal(carbon_basis_name(CARBON_BASIS_OPERATIONAL),
			    "operational");
	assert_string_equal(carbon_basis_name(CARBON_BASIS_UNKNOWN), "unknown");
	assert_string_equal(carbon_basis_name((enum carbon_basis)4), "unknown");
	assert_string_equal(carbon_basis_name((enum carbon_basis) - 1),
			    "unknown");
}

static void test_known(void **state)
{
	(void)state;
	/* zero is UNKNOWN, so a zeroed struct is never comparable */
	assert_int_equal(CARBON_SIGNAL_UNKNOWN, 0);
	assert_int_equal(CARBON_BASIS_UNKNOWN, 0);
	assert_false(carbon_signal_is_known(CARBON_SIGNAL_UNKNOWN));
	assert_true(carbon_signal_is_known(CARBON_SIGNAL_AVERAGE));
	assert_true(carbon_signal_is_known(CARBON_SIGNAL_LAST));
	assert_false(carbon_signal_is_known(CARBON_SIGNAL_LAST + 1));
	assert_false(carbon_signal_is_known((enum carbon_signal) - 1));
	assert_false(carbon_basis_is_known(CARBON_BASIS_UNKNOWN));
	assert_true(carbon_basis_is_known(CARBON_BASIS_LIFECYCLE));
	assert_true(carbon_basis_is_known(CARBON_BASIS_LAST));
	assert_false(carbon_basis_is_known(CARBON_BASIS_LAST + 1));
	assert_false(carbon_basis_is_known((enum carbon_basis) - 1));
}

static void test_parse(void **state)
{
	enum carbon_signal s = CARBON_SIGNAL_UNKNOWN;
	enum carbon_basis b = CARBON_BASIS_UNKNOWN;

	(void)state;
	assert_int_equal(carbon_signal_parse("average", &s), 0);
	assert_int_equal(s, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(carbon_signal_parse("MARGINAL", &s), 0);
	assert_int_equal(s, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(carbon_basis_parse("LifeCycle", &b), 0);
	assert_int_equal(b, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(carbon_basis_parse("direct", &b), 0);
	assert_int_equal(b, CARBON_BASIS_DIRECT);
	assert_int_equal(carbon_basis_parse("operational", &b), 0);
	assert_int_equal(b, CARBON_BASIS_OPERATIONAL);
	/* every name parses back to its value */
	for (int v = 1; v <= CARBON_SIGNAL_LAST; v++) {
		assert_int_equal(
			carbon_signal_parse(
				carbon_signal_name((enum carbon_signal)v), &s),
			0);
		assert_int_equal(s, v);
	}
	for (int v = 1; v <= CARBON_BASIS_LAST; v++) {
		assert_int_equal(
			carbon_basis_parse(
				carbon_basis_name((enum carbon_basis)v), &b),
			0);
		assert_int_equal(b, v);
	}
}

static void test_parse_rejections(void **state)
{
	static const char *const bad[] = {
		"unknown",  "",		 "avg",	     "average ",
		" average", "lifecycle", "averages", "marginal\n",
	};
	static const char *const bad_basis[] = {
		"unknown", "", "lca", "direct ", "average", "operationa",
	};
	enum carbon_signal s = CARBON_SIGNAL_MARGINAL;
	enum carbon_basis b = CARBON_BASIS_DIRECT;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(carbon_signal_parse(bad[i], &s),
				 CARBON_EINVAL);
	for (size_t i = 0; i < sizeof(bad_basis) / sizeof(bad_basis[0]); i++)
		assert_int_equal(carbon_basis_parse(bad_basis[i], &b),
				 CARBON_EINVAL);
	/* out untouched on failure */
	assert_int_equal(s, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(b, CARBON_BASIS_DIRECT);
	assert_int_equal(carbon_signal_parse(NULL, &s), CARBON_EINVAL);
	assert_int_equal(carbon_signal_parse("average", NULL), CARBON_EINVAL);
	assert_int_equal(carbon_basis_parse(NULL, &b), CARBON_EINVAL);
	assert_int_equal(carbon_basis_parse("direct", NULL), CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_rejections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
