/*
 * Unit tests for carbon/duration.h: Slurm's --time forms, N with a unit,
 * every rejection and its message, overflow, and the Slurm-style printer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/duration.h"

#define DAY   INT64_C(86400)
#define LIMIT (31 * DAY)
#define NAME  "--carbon-max-delay"

struct ok_case {
	const char *in;
	int64_t secs;
};

static const struct ok_case ok_cases[] = {
	{"0", 0},
	{"90", 90 * 60},
	{"90:00", 90 * 60},
	{"0:90", 90},
	{"1:30", 90},
	{"4:00:00", 4 * 3600},
	{"1:99:99", 3600 + 99 * 60 + 99},
	{"1-12", DAY + 12 * 3600},
	{"1-12:00", DAY + 12 * 3600},
	{"1-12:30", DAY + 12 * 3600 + 30 * 60},
	{"1-12:00:00", DAY + 12 * 3600},
	{"1-0:0:1", DAY + 1},
	{"0-0", 0},
	{"007", 7 * 60},
	{"30s", 30},
	{"30S", 30},
	{"90m", 90 * 60},
	{"90M", 90 * 60},
	{"12h", 12 * 3600},
	{"12H", 12 * 3600},
	{"2d", 2 * DAY},
	{"2D", 2 * DAY},
	{"0s", 0},
	{"31d", LIMIT},
	{"31-00:00:00", LIMIT},
	{"30-24", LIMIT},
	{"44640", LIMIT},
	{"744h", LIMIT},
	{"2678400s", LIMIT},
};

static void test_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		int64_t got = -1;
		char err[256] = "";
		int rc = carbon_duration_parse(ok_cases[i].in, NAME, LIMIT,
					       &got, err, sizeof(err));

		if (rc || got != ok_cases[i].secs)
			fail_msg("\"%s\": rc %d (%s), got %lld, want %lld",
				 ok_cases[i].in, rc, err, (long long)got,
				 (long long)ok_cases[i].secs);
	}
}

struct bad_case {
	const char *in;
	int code;
	const char *msg; /* the whole message, or a part of it after '*' */
};

#define NOT_DURATION(v)                                                     \
	NAME ": \"" v "\" is not a duration; use MINUTES, MM:SS, H:MM:SS, " \
	     "D-H[:MM[:SS]] or N with s/m/h/d (e.g. 90, 4:00:00, "          \
	     "1-12:00:00, 12h)"

static const struct bad_case bad_cases[] = {
	{"abc", CARBON_EINVAL, NOT_DURATION("abc")},
	{"1-", CARBON_EINVAL, NOT_DURATION("1-")},
	{"1:2:3:4", CARBON_EINVAL, NOT_DURATION("1:2:3:4")},
	{"1-2:3:4:5", CARBON_EINVAL, NOT_DURATION("1-2:3:4:5")},
	{":30", CARBON_EINVAL, NOT_DURATION(":30")},
	{"30:", CARBON_EINVAL, NOT_DURATION("30:")},
	{"1::2", CARBON_EINVAL, NOT_DURATION("1::2")},
	{"1-2-3", CARBON_EINVAL, NOT_DURATION("1-2-3")},
	{"1:2-3", CARBON_EINVAL, NOT_DURATION("1:2-3")},
	{"12 h", CARBON_EINVAL, NOT_DURATION("12 h")},
	{"12hh", CARBON_EINVAL, NOT_DURATION("12hh")},
	{"12w", CARBON_EINVAL, NOT_DURATION("12w")},
	{"h", CARBON_EINVAL, NOT_DURATION("h")},
	{"1.5h", CARBON_EINVAL, NOT_DURATION("1.5h")},
	{" 90", CARBON_EINVAL, NOT_DURATION(" 90")},
	{"--5", CARBON_EINVAL, NOT_DURATION("--5")},
	{"-abc", CARBON_EINVAL, NOT_DURATION("-abc")},
	{"-", CARBON_EINVAL, NOT_DURATION("-")},
	{"+5", CARBON_EINVAL, NOT_DURATION("+5")},
	{"-5", CARBON_ERANGE,
	 NAME ": \"-5\" is negative; use a duration from 0 to 31-00:00:00"},
	{"-1:00", CARBON_ERANGE, "*is negative"},
	{"-12h", CARBON_ERANGE, "*is negative"},
	{"-1", CARBON_ERANGE,
	 NAME ": \"-1\" (no limit) is not allowed; use a duration from 0 to "
	      "31-00:00:00"},
	{"UNLIMITED", CARBON_ERANGE, "*(no limit) is not allowed"},
	{"infinite", CARBON_ERANGE, "*(no limit) is not allowed"},
	{"32d", CARBON_ERANGE,
	 NAME ": \"32d\" is too long; use a duration from 0 to 31-00:00:00"},
	{"31-00:00:01", CARBON_ERANGE, "*is too long"},
	{"44641", CARBON_ERANGE, "*is too long"},
	{"99999999999999999999", CARBON_ERANGE, "*is too long"},
	{"99999999999999999999h", CARBON_ERANGE, "*is too long"},
	{"1-99999999999999999999", CARBON_ERANGE, "*is too long"},
	{"0:0:99999999999999999999", CARBON_ERANGE, "*is too long"},
	{"1000000000000s", CARBON_ERANGE, "*is too long"},
	{"", CARBON_EINVAL, NAME ": empty value; use MINUTES, MM:SS"},
	{"9\n", CARBON_EINVAL, "*control or non-ASCII character (byte 2)"},
	{"00000000000000000000000000000000000000000000000000000000000000000",
	 CARBON_ETOOLONG, NAME ": value longer than 64 characters"},
};

static void test_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *k = &bad_cases[i];
		int64_t got = 4242;
		char err[512] = "";
		int rc = carbon_duration_parse(k->in, NAME, LIMIT, &got, err,
					       sizeof(err));
		bool ok = k->msg[0] == '*'
				  ? strstr(err, k->msg + 1) &&
					    !strncmp(err, NAME ": ",
						     strlen(NAME ": "))
				  : !strncmp(err, k->msg, strlen(k->msg));

		if (rc != k->code || !ok || got != 4242)
			fail_msg("\"%s\": rc %d (want %d), err \"%s\", "
				 "want \"%s\"",
				 k->in, rc, k->code, err, k->msg);
	}
}

static void test_64_bytes(void **state)
{
	char in[CARBON_VALUE_MAX + 1];
	int64_t got;

	(void)state;
	memset(in, '0', CARBON_VALUE_MAX);
	in[CARBON_VALUE_MAX - 1] = '7';
	in[CARBON_VALUE_MAX] = '\0';
	assert_int_equal(carbon_duration_parse(in, NAME, LIMIT, &got, NULL, 0),
			 0);
	assert_int_equal(got, 7 * 60);
}

static void test_bad_arguments(void **state)
{
	int64_t got = 5;
	char err[128];

	(void)state;
	assert_int_equal(carbon_duration_parse(NULL, NAME, LIMIT, &got, err,
					       sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, NAME ": no value given");
	assert_int_equal(carbon_duration_parse("90", NAME, LIMIT, NULL, err,
					       sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, NAME ": internal error: bad arguments");
	assert_int_equal(
		carbon_duration_parse("90", NAME, -1, &got, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_duration_parse("x", NULL, LIMIT, &got, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "duration: \"x\" is not a duration"));
	assert_int_equal(got, 5);
	/* a zero limit still allows zero */
	assert_int_equal(carbon_duration_parse("0", NAME, 0, &got, NULL, 0), 0);
	assert_int_equal(got, 0);
	assert_int_equal(
		carbon_duration_parse("1s", NAME, 0, &got, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, NAME ": \"1s\" is too long; use a duration "
				      "from 0 to 00:00:00");
	/* no limit at all: the field bound still stops overflow */
	assert_int_equal(carbon_duration_parse("999999999999-0", NAME,
					       INT64_MAX, &got, NULL, 0),
			 0);
	assert_int_equal(got, INT64_C(999999999999) * DAY);
	assert_int_equal(carbon_duration_parse("1000000000001-0", NAME,
					       INT64_MAX, &got, NULL, 0),
			 CARBON_ERANGE);
}

static void test_err_truncation(void **state)
{
	char err[16];
	int64_t got;

	(void)state;
	memset(err, 'x', sizeof(err));
	assert_int_equal(carbon_duration_parse("abc", NAME, LIMIT, &got, err,
					       sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--carbon-max...");
	assert_int_equal(
		carbon_duration_parse("abc", NAME, LIMIT, &got, NULL, 0),
		CARBON_EINVAL);
	err[0] = 'x';
	assert_int_equal(
		carbon_duration_parse("abc", NAME, LIMIT, &got, err, 0),
		CARBON_EINVAL);
	assert_int_equal(err[0], 'x');
	assert_int_equal(
		carbon_duration_parse("abc", NAME, LIMIT, &got, err, 1),
		CARBON_EINVAL);
	assert_string_equal(err, "");
}

static void test_format(void **state)
{
	static const struct {
		int64_t secs;
		const char *text;
	} cases[] = {
		{0, "00:00:00"},
		{59, "00:00:59"},
		{90, "00:01:30"},
		{4 * 3600, "04:00:00"},
		{DAY - 1, "23:59:59"},
		{DAY, "1-00:00:00"},
		{DAY + 12 * 3600, "1-12:00:00"},
		{LIMIT, "31-00:00:00"},
		{-90, "-00:01:30"},
		{-DAY, "-1-00:00:00"},
		{INT64_MAX, "106751991167300-15:30:07"},
		{INT64_MIN, "-106751991167300-15:30:08"},
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
			carbon_duration_format(cases[i].secs, buf, sizeof(buf)),
			0);
		assert_string_equal(buf, cases[i].text);
	}
	assert_int_equal(carbon_duration_format(90, buf, 9), 0);
	assert_int_equal(carbon_duration_format(90, buf, 8), CARBON_ETOOLONG);
	assert_string_equal(buf, "00:01:3");
	assert_int_equal(carbon_duration_format(90, NULL, 8), CARBON_ETOOLONG);
	assert_int_equal(carbon_duration_format(90, buf, 0), CARBON_ETOOLONG);
}

/* Every printed duration parses back to itself. */
static void test_round_trip(void **state)
{
	char buf[32];
	int64_t got;

	(void)state;
	for (int64_t s = 0; s <= LIMIT; s += 997) {
		assert_int_equal(carbon_duration_format(s, buf, sizeof(buf)),
				 0);
		assert_int_equal(
			carbon_duration_parse(buf, NAME, LIMIT, &got, NULL, 0),
			0);
		assert_int_equal(got, s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_64_bytes),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_err_truncation),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
