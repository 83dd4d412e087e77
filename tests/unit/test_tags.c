/*
 * Unit tests for carbon/tags.h (the three options checked together) and
 * carbon/error.h (codes, message building, value pre-checks).
 *
 * The fake clock has a fixed offset from UTC (UTC+1 unless a test says
 * otherwise); now is 2026-11-23T10:17:42 local time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "carbon/error.h"
#include "carbon/tags.h"

#define HOUR INT64_C(3600)
#define DAY  INT64_C(86400)

struct fake {
	int64_t offset;
	int u2l_ok; /* utc_to_local calls that succeed; -1: all */
};

static int fake_u2l(int64_t utc, struct tm *tm, void *ctx)
{
	struct fake *f = ctx;

	if (f->u2l_ok == 0)
		return -1;
	if (f->u2l_ok > 0)
		f->u2l_ok--;
	return carbon_time_to_utc_tm(utc + f->offset, tm) ? -1 : 0;
}

static int fake_l2u(const struct tm *tm, int64_t *utc, void *ctx)
{
	struct fake *f = ctx;
	int64_t t;

	if (carbon_time_from_utc_tm(tm, &t))
		return -1;
	*utc = t - f->offset;
	return 0;
}

static struct fake zone = {.offset = HOUR, .u2l_ok = -1};

/* 2026-11-23T10:17:42 at UTC+1 */
#define NOW INT64_C(1795425462)

static struct carbon_clock clk = {.now = NOW,
				  .local_to_utc = fake_l2u,
				  .utc_to_local = fake_u2l,
				  .ctx = &zone};

static int setup(void **state)
{
	(void)state;
	zone.offset = HOUR;
	zone.u2l_ok = -1;
	clk.now = NOW;
	return 0;
}

static const struct carbon_tags poison = {
	.urgency = CARBON_URGENCY_FLEXIBLE,
	.has_urgency = true,
	.deadline = -7,
	.latest_start = -7,
};

/* Parse; on failure check the code and that err holds want (a part). */
static int run(const struct carbon_tags_input *in, struct carbon_tags *t,
	       int code, const char *want)
{
	char err[512] = "";
	int rc;

	*t = poison;
	rc = carbon_tags_parse(in, &clk, NULL, t, err, sizeof(err));
	if (rc != code || (want && !strstr(err, want)))
		fail_msg("rc %d (want %d), err \"%s\", want \"%s\"", rc, code,
			 err, want ? want : "");
	if (rc)
		assert_memory_equal(t, &poison, sizeof(*t));
	return rc;
}

/* ---- error.h ------------------------------------------------------------ */

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(carbon_strerror(CARBON_OK), "success");
	for (int c = CARBON_ERROR_LAST; c < 0; c++) {
		const char *s = carbon_strerror(c);

		assert_non_null(s);
		assert_string_not_equal(s, "unknown error");
		for (int d = c + 1; d < 0; d++)
			assert_string_not_equal(s, carbon_strerror(d));
	}
	assert_string_equal(carbon_strerror(CARBON_ENOMEM), "out of memory");
	assert_string_equal(carbon_strerror(1), "unknown error");
	assert_string_equal(carbon_strerror(CARBON_ERROR_LAST - 1),
			    "unknown error");
}

static void test_error_set(void **state)
{
	char err[16];

	(void)state;
	assert_int_equal(carbon_error_set(NULL, 0, CARBON_ERANGE, "x"),
			 CARBON_ERANGE);
	assert_int_equal(carbon_error_set(NULL, 10, CARBON_ERANGE, "x"),
			 CARBON_ERANGE);
	memset(err, 'z', sizeof(err));
	assert_int_equal(carbon_error_set(err, 0, CARBON_EINVAL, "x"),
			 CARBON_EINVAL);
	assert_int_equal(err[0], 'z');
	assert_int_equal(carbon_error_set(err, 1, -1, "%s", "abc"), -1);
	assert_string_equal(err, "");
	assert_int_equal(carbon_error_set(err, 3, -1, "%s", "abcdef"), -1);
	assert_string_equal(err, "ab");
	assert_int_equal(carbon_error_set(err, 4, -1, "%s", "abcdef"), -1);
	assert_string_equal(err, "...");
	assert_int_equal(carbon_error_set(err, 6, -1, "%s", "abcdef"), -1);
	assert_string_equal(err, "ab...");
	assert_int_equal(carbon_error_set(err, 7, -1, "%s", "abcdef"), -1);
	assert_string_equal(err, "abcdef");
	assert_int_equal(
		carbon_error_set(err, sizeof(err), 0, "%d-%s", 42, "x"), 0);
	assert_string_equal(err, "42-x");
	/* an encoding error in the C locale leaves an empty message */
	assert_int_equal(
		carbon_error_set(err, sizeof(err), -1, "%lc", (wint_t)0x20ac),
		-1);
	assert_string_equal(err, "");
}

static void test_check_value(void **state)
{
	char err[128];

	(void)state;
	assert_int_equal(
		carbon_error_check_value("--o", "ok", NULL, err, sizeof(err)),
		0);
	assert_int_equal(
		carbon_error_check_value(NULL, NULL, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "option: no value given");
	assert_int_equal(
		carbon_error_check_value("--o", "", NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--o: empty value; a value is required");
	assert_int_equal(
		carbon_error_check_value("--o", "", "use x", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--o: empty value; use x");
	assert_int_equal(carbon_error_check_value("--o", "a\x7f", NULL, err,
						  sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--o: value contains a control or non-ASCII "
				 "character (byte 2)");
	assert_int_equal(
		carbon_error_check_value("--o", " ~", NULL, err, sizeof(err)),
		0);
}

/* ---- urgency ------------------------------------------------------------- */

static void test_urgency(void **state)
{
	static const struct {
		const char *in;
		enum carbon_urgency u;
	} ok[] = {
		{"critical", CARBON_URGENCY_CRITICAL},
		{"CRITICAL", CARBON_URGENCY_CRITICAL},
		{"normal", CARBON_URGENCY_NORMAL},
		{"Normal", CARBON_URGENCY_NORMAL},
		{"flexible", CARBON_URGENCY_FLEXIBLE},
		{"fleXible", CARBON_URGENCY_FLEXIBLE},
	};
	enum carbon_urgency u;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		u = (enum carbon_urgency)99;
		assert_int_equal(carbon_tags_parse_urgency(ok[i].in, "--u", &u,
							   err, sizeof(err)),
				 0);
		assert_int_equal(u, ok[i].u);
	}
	u = (enum carbon_urgency)99;
	assert_int_equal(carbon_tags_parse_urgency("urgent", "--carbon-urgency",
						   &u, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--carbon-urgency: \"urgent\" is not an "
				 "urgency; use critical, normal or flexible");
	assert_int_equal(u, 99);
	assert_int_equal(carbon_tags_parse_urgency("critical ", "--u", &u, err,
						   sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_tags_parse_urgency("", "--u", &u, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--u: empty value; use critical, normal or "
				 "flexible");
	assert_int_equal(
		carbon_tags_parse_urgency(NULL, "--u", &u, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(carbon_tags_parse_urgency("normal", "--u", NULL, err,
						   sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--u: internal error: bad arguments");
	assert_int_equal(
		carbon_tags_parse_urgency("x", NULL, &u, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "urgency: \"x\" is not an urgency"));
	assert_int_equal(u, 99);
}

static void test_urgency_name(void **state)
{
	(void)state;
	assert_string_equal(carbon_tags_urgency_name(CARBON_URGENCY_CRITICAL),
			    "critical");
	assert_string_equal(carbon_tags_urgency_name(CARBON_URGENCY_NORMAL),
			    "normal");
	assert_string_equal(carbon_tags_urgency_name(CARBON_URGENCY_FLEXIBLE),
			    "flexible");
	assert_string_equal(carbon_tags_urgency_name((enum carbon_urgency)3),
			    "unknown");
	assert_string_equal(carbon_tags_urgency_name((enum carbon_urgency) - 1),
			    "unknown");
}

/* ---- carbon_tags_parse: what is accepted ---------------------------------- */

static void test_nothing_given(void **state)
{
	struct carbon_tags_input in = {0};
	struct carbon_tags t, zero = {0};

	(void)state;
	run(&in, &t, 0, NULL);
	assert_memory_equal(&t, &zero, sizeof(t));
	in.time_limit = 4 * HOUR;
	in.submit = NOW - 60;
	run(&in, &t, 0, NULL);
	assert_memory_equal(&t, &zero, sizeof(t));
}

static void test_urgency_only(void **state)
{
	struct carbon_tags_input in = {.urgency = "flexible"};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, 0, NULL);
	assert_true(t.has_urgency);
	assert_int_equal(t.urgency, CARBON_URGENCY_FLEXIBLE);
	assert_false(t.has_deadline || t.has_max_delay || t.has_latest_start);
	in.urgency = "normal";
	run(&in, &t, 0, NULL);
	assert_true(t.has_urgency);
	assert_int_equal(t.urgency, CARBON_URGENCY_NORMAL);
}

static void test_critical_is_never_delayed(void **state)
{
	struct carbon_tags_input in = {.urgency = "critical"};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, 0, NULL);
	assert_true(t.has_latest_start);
	assert_int_equal(t.latest_start, NOW);
	/* an #SBATCH max delay does not conflict with critical */
	in.max_delay = "12h";
	in.deadline = "now+1day";
	in.time_limit = HOUR;
	in.submit = NOW - 30;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW - 30);
	assert_int_equal(t.max_delay, 12 * HOUR);
	assert_int_equal(t.deadline, NOW + DAY);
}

static void test_deadline(void **state)
{
	struct carbon_tags_input in = {.deadline = "now+4hours"};
	struct carbon_tags t;

	(void)state;
	/* unknown time limit: the deadline bounds the start only */
	run(&in, &t, 0, NULL);
	assert_true(t.has_deadline && t.has_latest_start);
	assert_false(t.has_max_delay || t.has_urgency);
	assert_int_equal(t.deadline, NOW + 4 * HOUR);
	assert_int_equal(t.latest_start, NOW + 4 * HOUR);
	in.time_limit = HOUR;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW + 3 * HOUR);
	/* exactly enough time: must start now */
	in.time_limit = 4 * HOUR;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW);
	/* local forms use the clock's zone: 16:00 at UTC+1 is 15:00Z */
	in.deadline = "16:00";
	in.time_limit = 0;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.deadline, NOW + 5 * HOUR + 42 * 60 + 18);
	in.deadline = "2026-11-24T08:00";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.deadline, NOW + 21 * HOUR + 42 * 60 + 18);
	in.deadline = "uts1795430000";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.deadline, 1795430000);
}

static void test_far_deadline_is_capped(void **state)
{
	struct carbon_tags_input in = {.deadline = "2027-06-01",
				       .time_limit = DAY};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW + CARBON_MAX_DELAY_LIMIT);
	in.submit = NOW - DAY;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW - DAY + CARBON_MAX_DELAY_LIMIT);
}

static void test_max_delay(void **state)
{
	struct carbon_tags_input in = {.max_delay = "90"};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, 0, NULL);
	assert_true(t.has_max_delay && t.has_latest_start);
	assert_false(t.has_deadline);
	assert_int_equal(t.max_delay, 90 * 60);
	assert_int_equal(t.latest_start, NOW + 90 * 60);
	/* counted from submission, e.g. when a pending job is modified */
	in.submit = NOW - 600;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW - 600 + 90 * 60);
	in.max_delay = "0";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW - 600);
	in.max_delay = "31-00:00:00";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.max_delay, CARBON_MAX_DELAY_LIMIT);
}

static void test_both_take_the_minimum(void **state)
{
	struct carbon_tags_input in = {.urgency = "flexible",
				       .deadline = "now+10hours",
				       .max_delay = "12h",
				       .time_limit = 2 * HOUR};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW + 8 * HOUR);
	in.max_delay = "4:00:00";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, NOW + 4 * HOUR);
	assert_true(t.has_urgency && t.has_deadline && t.has_max_delay &&
		    t.has_latest_start);
}

/* ---- carbon_tags_parse: what is rejected ---------------------------------- */

static void test_deadline_in_the_past(void **state)
{
	struct carbon_tags_input in = {.deadline = "today"};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, CARBON_EPAST,
	    "--carbon-deadline: \"today\" is 2026-11-23T00:00:00, which is "
	    "not in the future (now is 2026-11-23T10:17:42)");
	in.deadline = "now";
	run(&in, &t, CARBON_EPAST, "not in the future");
	in.deadline = "2026-11-23T10:17:41";
	run(&in, &t, CARBON_EPAST, "not in the future");
	in.deadline = "2026-11-23T10:17:43";
	run(&in, &t, 0, NULL);
	/* the port fails while writing the message: show the raw instant;
	 * the SPANK plugin's "uts<seconds>" form is not shown back */
	in.deadline = "uts1795420000";
	zone.u2l_ok = 0;
	run(&in, &t, CARBON_EPAST,
	    "--carbon-deadline: @1795420000, which is not in the future "
	    "(now is @1795425462)");
}

static void test_deadline_too_soon(void **state)
{
	struct carbon_tags_input in = {.deadline = "now+1hour",
				       .time_limit = 4 * HOUR};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, CARBON_EDEADLINE,
	    "--carbon-deadline: \"now+1hour\" is 2026-11-23T11:17:42, only "
	    "01:00:00 from now, less than the job's time limit of 04:00:00; "
	    "use a later deadline or a shorter time limit");
	in.deadline = "now+3days";
	in.time_limit = 3 * DAY + 1;
	run(&in, &t, CARBON_EDEADLINE, "time limit of 3-00:00:01");
	in.time_limit = INT64_MAX;
	run(&in, &t, CARBON_EDEADLINE,
	    "time limit of 106751991167300-15:30:07");
}

static void test_bad_values(void **state)
{
	struct carbon_tags_input in = {0};
	struct carbon_tags t;

	(void)state;
	in.urgency = "asap";
	run(&in, &t, CARBON_EINVAL,
	    "--carbon-urgency: \"asap\" is not an urgency");
	in.urgency = NULL;
	in.deadline = "someday";
	run(&in, &t, CARBON_EINVAL,
	    "--carbon-deadline: \"someday\" is not a time [at \"someday\"]; "
	    "use now+COUNT");
	in.deadline = "2026-02-30";
	run(&in, &t, CARBON_EINVAL, "names a day that does not exist");
	in.deadline = NULL;
	in.max_delay = "abc";
	run(&in, &t, CARBON_EINVAL,
	    "--carbon-max-delay: \"abc\" is not a duration; use MINUTES, "
	    "MM:SS, H:MM:SS, D-H[:MM[:SS]] or N with s/m/h/d (e.g. 90, "
	    "4:00:00, 1-12:00:00, 12h)");
	in.max_delay = "-5";
	run(&in, &t, CARBON_ERANGE, "--carbon-max-delay: \"-5\" is negative");
	in.max_delay = "32d";
	run(&in, &t, CARBON_ERANGE,
	    "--carbon-max-delay: \"32d\" is too long; use a duration from 0 "
	    "to 31-00:00:00");
	in.max_delay = "unlimited";
	run(&in, &t, CARBON_ERANGE, "(no limit) is not allowed");
	in.max_delay = "";
	run(&in, &t, CARBON_EINVAL, "--carbon-max-delay: empty value");
}

static void test_too_long(void **state)
{
	char v[CARBON_VALUE_MAX + 2];
	struct carbon_tags_input in = {0};
	struct carbon_tags t;

	(void)state;
	memset(v, '1', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	in.urgency = v;
	run(&in, &t, CARBON_ETOOLONG,
	    "--carbon-urgency: value longer than 64 characters");
	in.urgency = NULL;
	in.deadline = v;
	run(&in, &t, CARBON_ETOOLONG,
	    "--carbon-deadline: value longer than 64 characters");
	in.deadline = NULL;
	in.max_delay = v;
	run(&in, &t, CARBON_ETOOLONG,
	    "--carbon-max-delay: value longer than 64 characters");
}

/* The first bad option, in the order urgency, deadline, max delay. */
static void test_first_error_wins(void **state)
{
	struct carbon_tags_input in = {
		.urgency = "x", .deadline = "y", .max_delay = "z"};
	struct carbon_tags t;

	(void)state;
	run(&in, &t, CARBON_EINVAL, "--carbon-urgency:");
	in.urgency = "normal";
	run(&in, &t, CARBON_EINVAL, "--carbon-deadline:");
	in.deadline = "now+1hour";
	run(&in, &t, CARBON_EINVAL, "--carbon-max-delay:");
}

static void test_names(void **state)
{
	const struct carbon_tag_names env = {
		.urgency = "SBATCH_CARBON_URGENCY",
		.deadline = "SBATCH_CARBON_DEADLINE",
		.max_delay = "SBATCH_CARBON_MAX_DELAY",
	};
	const struct carbon_tag_names only_deadline = {.deadline = "DL"};
	struct carbon_tags_input in = {.urgency = "x"};
	struct carbon_tags t;
	char err[256];

	(void)state;
	assert_int_equal(
		carbon_tags_parse(&in, &clk, &env, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "SBATCH_CARBON_URGENCY: \"x\""));
	in.urgency = NULL;
	in.deadline = "x";
	assert_int_equal(
		carbon_tags_parse(&in, &clk, &env, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "SBATCH_CARBON_DEADLINE: \"x\""));
	assert_int_equal(carbon_tags_parse(&in, &clk, &only_deadline, &t, err,
					   sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "DL: \"x\""));
	in.deadline = NULL;
	in.max_delay = "x";
	assert_int_equal(
		carbon_tags_parse(&in, &clk, &env, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "SBATCH_CARBON_MAX_DELAY: \"x\""));
	assert_int_equal(carbon_tags_parse(&in, &clk, &only_deadline, &t, err,
					   sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "--carbon-max-delay: \"x\""));
}

static void test_bad_arguments(void **state)
{
	struct carbon_tags_input in = {0};
	struct carbon_clock c = clk;
	struct carbon_tags t;
	char err[128];

	(void)state;
	assert_int_equal(
		carbon_tags_parse(NULL, &clk, NULL, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "carbon tags: internal error: bad arguments");
	assert_int_equal(
		carbon_tags_parse(&in, NULL, NULL, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_tags_parse(&in, &clk, NULL, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	in.submit = -1;
	run(&in, &t, CARBON_EINVAL, "internal error");
	in.submit = CARBON_TIME_MAX + 1;
	run(&in, &t, CARBON_EINVAL, "internal error");
	in.submit = CARBON_TIME_MAX;
	in.max_delay = "31d";
	run(&in, &t, 0, NULL);
	assert_int_equal(t.latest_start, CARBON_TIME_MAX + 31 * DAY);
	in.submit = 0;
	in.time_limit = -1;
	run(&in, &t, CARBON_EINVAL, "internal error");
	in.time_limit = 0;
	c.now = -1;
	assert_int_equal(carbon_tags_parse(&in, &c, NULL, &t, err, sizeof(err)),
			 CARBON_EINVAL);
	c.now = CARBON_TIME_MAX + 1;
	assert_int_equal(carbon_tags_parse(&in, &c, NULL, &t, err, sizeof(err)),
			 CARBON_EINVAL);
}

static void test_err_buffer(void **state)
{
	struct carbon_tags_input in = {.urgency = "bogus"};
	struct carbon_tags t;
	char err[20];

	(void)state;
	assert_int_equal(carbon_tags_parse(&in, &clk, NULL, &t, NULL, 0),
			 CARBON_EINVAL);
	memset(err, 'q', sizeof(err));
	assert_int_equal(carbon_tags_parse(&in, &clk, NULL, &t, err, 0),
			 CARBON_EINVAL);
	assert_int_equal(err[0], 'q');
	assert_int_equal(
		carbon_tags_parse(&in, &clk, NULL, &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--carbon-urgency...");
	in.urgency = NULL;
	in.deadline = "today";
	assert_int_equal(carbon_tags_parse(&in, &clk, NULL, &t, err, 5),
			 CARBON_EPAST);
	assert_string_equal(err, "-...");
}

/* The same instant whatever the zone, for the time forms that are zoned. */
static void test_other_zone(void **state)
{
	struct carbon_tags_input in = {.deadline = "2026-11-24T08:00"};
	struct carbon_tags t;

	(void)state;
	zone.offset = 0;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.deadline, 1795507200);
	zone.offset = HOUR;
	run(&in, &t, 0, NULL);
	assert_int_equal(t.deadline, 1795507200 - HOUR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_error_set),
		cmocka_unit_test(test_check_value),
		cmocka_unit_test(test_urgency),
		cmocka_unit_test(test_urgency_name),
		cmocka_unit_test_setup(test_nothing_given, setup),
		cmocka_unit_test_setup(test_urgency_only, setup),
		cmocka_unit_test_setup(test_critical_is_never_delayed, setup),
		cmocka_unit_test_setup(test_deadline, setup),
		cmocka_unit_test_setup(test_far_deadline_is_capped, setup),
		cmocka_unit_test_setup(test_max_delay, setup),
		cmocka_unit_test_setup(test_both_take_the_minimum, setup),
		cmocka_unit_test_setup(test_deadline_in_the_past, setup),
		cmocka_unit_test_setup(test_deadline_too_soon, setup),
		cmocka_unit_test_setup(test_bad_values, setup),
		cmocka_unit_test_setup(test_too_long, setup),
		cmocka_unit_test_setup(test_first_error_wins, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_err_buffer, setup),
		cmocka_unit_test_setup(test_other_zone, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
