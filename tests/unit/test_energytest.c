/*
 * Unit tests for the test-only energy plugin's arithmetic
 * (tests/energy/energytest.h): EnergyCarbonTestWatts values, accepted and
 * rejected with their messages, and joules from watts and nanoseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "energytest.h"

#define FORMS "use a whole number of watts from 1 to 1000000"

/* Every value: accepted with its watts (rc 0), or rejected with its message. */
static void test_watts_values(void **state)
{
	static const struct {
		const char *in;
		int rc;
		uint32_t w; /* 7: untouched */
		const char *msg;
	} cases[] = {
		{"1", 0, 1, ""},
		{"100", 0, 100, ""},
		{"0100", 0, 100, ""},
		{"1000000", 0, 1000000, ""},
		{"0000000000000000000000001", 0, 1, ""},
		{"0", CARBON_ERANGE, 7,
		 "EnergyCarbonTestWatts: \"0\" is out of range; " FORMS},
		{"1000001", CARBON_ERANGE, 7,
		 "EnergyCarbonTestWatts: \"1000001\" is out of range; " FORMS},
		{"99999999999999999999999", CARBON_ERANGE, 7,
		 "EnergyCarbonTestWatts: \"99999999999999999999999\" is out of "
		 "range; " FORMS},
		{"100W", CARBON_EINVAL, 7,
		 "EnergyCarbonTestWatts: \"100W\" is not a whole "
		 "number; " FORMS},
		{"-5", CARBON_EINVAL, 7,
		 "EnergyCarbonTestWatts: \"-5\" is not a whole number; " FORMS},
		{"1.5", CARBON_EINVAL, 7,
		 "EnergyCarbonTestWatts: \"1.5\" is not a whole "
		 "number; " FORMS},
		{" 100", CARBON_EINVAL, 7,
		 "EnergyCarbonTestWatts: \" 100\" is not a whole "
		 "number; " FORMS},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t w = 7;
		char err[256] = "";

		assert_int_equal(carbon_energytest_parse_watts(
					 cases[i].in, &w, err, sizeof(err)),
				 cases[i].rc);
		assert_int_equal(w, cases[i].w);
		assert_string_equal(err, cases[i].msg);
	}
}

/* The checks every option value passes: empty, control bytes, too long. */
static void test_watts_unusable(void **state)
{
	char err[256] = "", tab[] = "10\t0", longv[80];
	uint32_t w = 7;

	(void)state;
	assert_int_equal(
		carbon_energytest_parse_watts("", &w, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "EnergyCarbonTestWatts: empty value"));
	assert_int_equal(
		carbon_energytest_parse_watts(tab, &w, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "EnergyCarbonTestWatts: "));
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(
		carbon_energytest_parse_watts(longv, &w, err, sizeof(err)),
		CARBON_ETOOLONG);
	assert_int_equal(
		carbon_energytest_parse_watts(NULL, &w, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(w, 7);
}

static void test_joules(void **state)
{
	(void)state;
	assert_int_equal(carbon_energytest_joules(100, 0), 0);
	assert_int_equal(carbon_energytest_joules(100, 9999999), 0);
	assert_int_equal(carbon_energytest_joules(100, 10000000), 1);
	assert_int_equal(carbon_energytest_joules(100, 20000000000ull), 2000);
	assert_int_equal(carbon_energytest_joules(100, 20500000000ull), 2050);
	assert_int_equal(carbon_energytest_joules(3, 1999999999ull), 5);
	/* A century at the maximum power still fits, exactly. */
	assert_true(carbon_energytest_joules(1000000,
					     3155760000ull * 1000000000ull) ==
		    3155760000ull * 1000000ull);
	/* Beyond the documented range it saturates, never wraps. */
	assert_true(carbon_energytest_joules(UINT32_MAX, UINT64_MAX) ==
		    UINT64_MAX);
	assert_true(carbon_energytest_joules(UINT32_MAX, 999999999ull) ==
		    (uint64_t)UINT32_MAX * 999999999ull / 1000000000ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_watts_values),
		cmocka_unit_test(test_watts_unusable),
		cmocka_unit_test(test_joules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
