/*
 * Unit tests for carbon/report.h: scarbon report's groups and totals,
 * worked out by hand, and its number formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/report.h"

#define DAY0 1701820800 /* 2023-12-06T00:00:00Z */

static const struct carbon_report_job jobs[] = {
	/* alice: 2 cores, 1 h, deferred 3 h, moved; 0.5 kWh, 20 g, saved 80 */
	{.user = "alice",
	 .account = "phys",
	 .cluster = "no",
	 .partition = "batch",
	 .submit = DAY0,
	 .eligible = DAY0 + 3 * 3600,
	 .start = DAY0 + 3 * 3600,
	 .end = DAY0 + 4 * 3600,
	 .ran = true,
	 .cores = 2,
	 .has_fp = true,
	 .kwh = 0.5,
	 .g = 20,
	 .saved_g = 80,
	 .deferred = true,
	 .moved = true},
	/* bob: 4 cores, 30 min, not planned; 0.25 kWh, 100 g */
	{.user = "bob",
	 .account = "chem",
	 .cluster = "cal",
	 .partition = "batch",
	 .submit = DAY0 + 86400,
	 .eligible = DAY0 + 86400,
	 .start = DAY0 + 86400,
	 .end = DAY0 + 86400 + 1800,
	 .ran = true,
	 .cores = 4,
	 .has_fp = true,
	 .kwh = 0.25,
	 .g = 100,
	 .saved_g = 0},
	/* alice again: never ran */
	{.user = "alice",
	 .account = "phys",
	 .cluster = "cal",
	 .submit = DAY0 + 100,
	 .eligible = DAY0 + 100},
	/* carol: ran, no footprint yet, deferred at a loss earlier: none */
	{.user = "carol",
	 .cluster = "es",
	 .submit = DAY0,
	 .eligible = DAY0,
	 .start = DAY0,
	 .end = DAY0 + 3600,
	 .ran = true,
	 .cores = 1},
};
#define NJOBS (sizeof(jobs) / sizeof(jobs[0]))

static void near(double a, double b)
{
	assert_true(a - b < 1e-9 && b - a < 1e-9);
}

static void test_by_user(void **state)
{
	struct carbon_report_row *rows = NULL, total;
	size_t n = 0;
	char err[128];

	(void)state;
	assert_int_equal(carbon_report_build(jobs, NJOBS, CARBON_REPORT_BY_USER,
					     &rows, &n, &total, err,
					     sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(rows[0].key, "alice");
	assert_string_equal(rows[1].key, "bob");
	assert_string_equal(rows[2].key, "carol");
	assert_int_equal(rows[0].jobs, 2);
	assert_int_equal(rows[0].ran, 1);
	assert_int_equal(rows[0].with_fp, 1);
	assert_int_equal(rows[0].deferred, 1);
	assert_int_equal(rows[0].moved, 1);
	near(rows[0].core_h, 2.0);
	near(rows[0].kwh, 0.5);
	near(rows[0].kg, 0.020);
	near(rows[0].kg_saved, 0.080);
	near(rows[0].wait_added_h, 3.0);
	near(rows[1].core_h, 2.0);
	near(rows[1].kg, 0.1);
	near(rows[2].core_h, 1.0);
	assert_int_equal(rows[2].with_fp, 0);
	assert_string_equal(total.key, "total");
	assert_int_equal(total.jobs, 4);
	assert_int_equal(total.ran, 3);
	assert_int_equal(total.with_fp, 2);
	near(total.core_h, 5.0);
	near(total.kwh, 0.75);
	near(total.kg, 0.12);
	near(total.kg_saved, 0.08);
	near(carbon_report_share(total.deferred, total.jobs), 0.25);
	carbon_report_free(rows);
}

static void test_by_day_and_empty_keys(void **state)
{
	struct carbon_report_row *rows = NULL, total;
	size_t n = 0;

	(void)state;
	assert_int_equal(carbon_report_build(jobs, NJOBS, CARBON_REPORT_BY_DAY,
					     &rows, &n, &total, NULL, 0),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].key, "2023-12-06");
	assert_int_equal(rows[0].jobs, 3); /* the one that never ran: submit */
	assert_string_equal(rows[1].key, "2023-12-07");
	carbon_report_free(rows);
	assert_int_equal(carbon_report_build(jobs, NJOBS,
					     CARBON_REPORT_BY_PARTITION, &rows,
					     &n, &total, NULL, 0),
			 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].key, "(none)");
	assert_int_equal(rows[0].jobs, 2);
	carbon_report_free(rows);
	/* no jobs: no rows, a zero total */
	assert_int_equal(carbon_report_build(NULL, 0, CARBON_REPORT_BY_CLUSTER,
					     &rows, &n, &total, NULL, 0),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(total.jobs, 0);
	near(carbon_report_share(0, 0), 0);
	carbon_report_free(rows);
}

static void test_bad(void **state)
{
	struct carbon_report_row *rows = NULL, total;
	size_t n = 0;
	enum carbon_report_by by = CARBON_REPORT_BY_USER;
	char err[160] = "";

	(void)state;
	assert_int_equal(carbon_report_build(NULL, 1, CARBON_REPORT_BY_USER,
					     &rows, &n, &total, err,
					     sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_report_build(jobs, NJOBS,
					     (enum carbon_report_by)9, &rows,
					     &n, &total, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_report_by_parse("day", &by, err, sizeof(err)),
			 0);
	assert_int_equal(by, CARBON_REPORT_BY_DAY);
	assert_string_equal(carbon_report_by_name(by), "day");
	assert_int_equal(carbon_report_by_parse("qos", &by, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(
		strstr(err, "--by: \"qos\" is not a grouping; use user"));
	assert_int_equal(by, CARBON_REPORT_BY_DAY);
}

static void test_num(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(carbon_report_num(0.0123456, 3, b, sizeof(b)),
			    "0.0123");
	assert_string_equal(carbon_report_num(12.345, 3, b, sizeof(b)), "12.3");
	assert_string_equal(carbon_report_num(123456, 3, b, sizeof(b)),
			    "123456");
	assert_string_equal(carbon_report_num(0, 3, b, sizeof(b)), "0");
	assert_string_equal(carbon_report_num(2.5, 3, b, sizeof(b)), "2.5");
	assert_string_equal(carbon_report_num(-4.04, 3, b, sizeof(b)), "-4.04");
	assert_string_equal(carbon_report_num(1e-9, 3, b, sizeof(b)),
			    "0.000000001");
	assert_string_equal(carbon_report_num(-0.0001, 1, b, sizeof(b)),
			    "-0.0001");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_user),
		cmocka_unit_test(test_by_day_and_empty_keys),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_num),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
