/*
 * Unit tests for carbon/timeparse.h: every sbatch --begin form, Slurm's
 * roll-over rules, every rejection, the clock port's failures, the UTC
 * calendar helpers (checked against libc's timegm/gmtime_r), and the ISO
 * 8601 UTC parser under each of its forms.
 *
 * The fake clock has a fixed offset from UTC, optionally with a one-hour
 * step at a given instant (a daylight saving start), and can be told to
 * fail.  "now" is always 2026-11-23T10:17:42 local time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "carbon/timeparse.h"

struct fake {
	int64_t offset;	 /* seconds east of UTC */
	int64_t step_at; /* when non-zero: offset + 3600 from this instant */
	int u2l_ok;	 /* utc_to_local calls that succeed; -1: all */
	int calls;
	bool l2u_fail;
	bool bad_tm;
};

static int64_t offset_at(const struct fake *f, int64_t utc)
{
	return f->offset + (f->step_at && utc >= f->step_at ? 3600 : 0);
}

static int fake_u2l(int64_t utc, struct tm *tm, void *ctx)
{
	struct fake *f = ctx;

	if (f->u2l_ok >= 0 && f->calls++ >= f->u2l_ok)
		return -1;
	if (carbon_time_to_utc_tm(utc + offset_at(f, utc), tm))
		return -1;
	if (f->bad_tm)
		tm->tm_mon = 12;
	return 0;
}

static int fake_l2u(const struct tm *tm, int64_t *utc, void *ctx)
{
	struct fake *f = ctx;
	int64_t t;

	assert_int_equal(tm->tm_isdst, -1);
	if (f->l2u_fail || carbon_time_from_utc_tm(tm, &t))
		return -1;
	*utc = t - f->offset;
	if (f->step_at && *utc >= f->step_at)
		*utc -= 3600;
	return 0;
}

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = mo - 1,
			.tm_mday = d,
			.tm_hour = h,
			.tm_min = mi,
			.tm_sec = s};
	int64_t t;

	assert_int_equal(carbon_time_from_utc_tm(&tm, &t), 0);
	return t;
}

/* A clock whose local time is 2026-11-23T10:17:42 at the given offset. */
static struct carbon_clock clock_at(struct fake *f, int64_t offset)
{
	struct carbon_clock c = {
		.local_to_utc = fake_l2u, .utc_to_local = fake_u2l, .ctx = f};

	memset(f, 0, sizeof(*f));
	f->offset = offset;
	f->u2l_ok = -1;
	c.now = utc(2026, 11, 23, 10, 17, 42) - offset;
	return c;
}

struct ok_case {
	const char *in;
	int y, mo, d, h, mi, s; /* expected local time */
};

static const struct ok_case ok_cases[] = {
	/* now[{+|-}COUNT[UNIT]]: the default unit is seconds */
	{"now", 2026, 11, 23, 10, 17, 42},
	{"now ", 2026, 11, 23, 10, 17, 42},
	{"now+0", 2026, 11, 23, 10, 17, 42},
	{"now+90", 2026, 11, 23, 10, 19, 12},
	{"now+4hours", 2026, 11, 23, 14, 17, 42},
	{"now+2days", 2026, 11, 25, 10, 17, 42},
	{"now+1day", 2026, 11, 24, 10, 17, 42},
	{"now + 1 hour", 2026, 11, 23, 11, 17, 42},
	{"now+1 2hours", 2026, 11, 23, 22, 17, 42},
	{"now-1hour", 2026, 11, 23, 9, 17, 42},
	{"now+1week", 2026, 11, 30, 10, 17, 42},
	{"now+2weeks", 2026, 12, 7, 10, 17, 42},
	{"now+1minute", 2026, 11, 23, 10, 18, 42},
	{"now+3minutes", 2026, 11, 23, 10, 20, 42},
	{"now+5second", 2026, 11, 23, 10, 17, 47},
	{"now+5seconds", 2026, 11, 23, 10, 17, 47},
	{"NOW+1HOUR", 2026, 11, 23, 11, 17, 42},
	{"now+1day 16:00", 2026, 11, 24, 16, 0, 0},
	{"now+1day16:00", 2026, 11, 24, 16, 0, 0},
	/* time of day: today if later than now's minute, else tomorrow */
	{"16:00", 2026, 11, 23, 16, 0, 0},
	{"16:00:30", 2026, 11, 23, 16, 0, 30},
	{"10:18", 2026, 11, 23, 10, 18, 0},
	{"10:17", 2026, 11, 24, 10, 17, 0},
	{"10:17:59", 2026, 11, 24, 10, 17, 59},
	{"09:00", 2026, 11, 24, 9, 0, 0},
	{"9:00", 2026, 11, 24, 9, 0, 0},
	{" 16:00 ", 2026, 11, 23, 16, 0, 0},
	{"TT16:00", 2026, 11, 23, 16, 0, 0},
	{"4:00pm", 2026, 11, 23, 16, 0, 0},
	{"4:00 PM", 2026, 11, 23, 16, 0, 0},
	{"10:30AM", 2026, 11, 23, 10, 30, 0},
	{"12:00am", 2026, 11, 24, 0, 0, 0},
	{"12:00pm", 2026, 11, 23, 12, 0, 0},
	{"0:30pm", 2026, 11, 23, 12, 30, 0},
	{"11:59:59 pm", 2026, 11, 23, 23, 59, 59},
	{"1:00am", 2026, 11, 24, 1, 0, 0},
	/* words */
	{"midnight", 2026, 11, 24, 0, 0, 0},
	{"noon", 2026, 11, 23, 12, 0, 0},
	{"fika", 2026, 11, 23, 15, 0, 0},
	{"teatime", 2026, 11, 23, 16, 0, 0},
	{"Teatime", 2026, 11, 23, 16, 0, 0},
	{"today", 2026, 11, 23, 0, 0, 0},
	{"Today", 2026, 11, 23, 0, 0, 0},
	{"tomorrow", 2026, 11, 24, 0, 0, 0},
	{"TOMORROW", 2026, 11, 24, 0, 0, 0},
	{"tomorrow noon", 2026, 11, 24, 12, 0, 0},
	{"tomorrow-16:00", 2026, 11, 24, 16, 0, 0},
	{"today 16:00", 2026, 11, 23, 16, 0, 0},
	{"today 08:00", 2026, 11, 23, 8, 0, 0},
	{"today tomorrow", 2026, 11, 24, 0, 0, 0},
	/* YYYY-MM-DD[THH:MM[:SS]] */
	{"2026-11-23", 2026, 11, 23, 0, 0, 0},
	{"2026-11-5", 2026, 11, 5, 0, 0, 0},
	{"2026-11-23T08:00", 2026, 11, 23, 8, 0, 0},
	{"2026-11-23T08:00:00", 2026, 11, 23, 8, 0, 0},
	{"2026-11-23 08:00", 2026, 11, 23, 8, 0, 0},
	{"2026-11-2308:00", 2026, 11, 23, 8, 0, 0},
	{"2027-01-01T00:00:00", 2027, 1, 1, 0, 0, 0},
	{"2026-12-31T23:59:59", 2026, 12, 31, 23, 59, 59},
	{"2024-02-29", 2024, 2, 29, 0, 0, 0},
	{"2000-02-29", 2000, 2, 29, 0, 0, 0},
	{"1970-01-02", 1970, 1, 2, 0, 0, 0},
	/* MM/DD[/YY], MM.DD[.YY], MMDD[YY]: no year means the next one */
	{"11/23", 2027, 11, 23, 0, 0, 0},
	{"11/24", 2026, 11, 24, 0, 0, 0},
	{"11/22", 2027, 11, 22, 0, 0, 0},
	{"10/23", 2027, 10, 23, 0, 0, 0},
	{"12/31", 2026, 12, 31, 0, 0, 0},
	{"01/05", 2027, 1, 5, 0, 0, 0},
	{"1/5", 2027, 1, 5, 0, 0, 0},
	{"11/23 10:18", 2026, 11, 23, 10, 18, 0},
	{"11/23 10:17", 2027, 11, 23, 10, 17, 0},
	{"11/23 11:00", 2026, 11, 23, 11, 0, 0},
	{"11/23 09:00", 2027, 11, 23, 9, 0, 0},
	{"11/23/27", 2027, 11, 23, 0, 0, 0},
	{"02/29/28", 2028, 2, 29, 0, 0, 0},
	{"12/25/00", 2026, 12, 25, 0, 0, 0},
	{"1123", 2027, 11, 23, 0, 0, 0},
	{"112426", 2026, 11, 24, 0, 0, 0},
	{"11.24.26", 2026, 11, 24, 0, 0, 0},
	{"11/24/26-08:00", 2026, 11, 24, 8, 0, 0},
	{"1124/26", 2026, 11, 24, 0, 0, 0},
	{"11/24/", 2026, 11, 24, 0, 0, 0},
	/* several parts: the last of each kind wins */
	{"16:00 11/24", 2026, 11, 24, 16, 0, 0},
	{"16:00 17:00", 2026, 11, 23, 17, 0, 0},
	{"2026-11-25 11/26", 2026, 11, 26, 0, 0, 0},
	{"2027-01-01 02/03", 2027, 2, 3, 0, 0, 0},
	{"teatime tomorrow", 2026, 11, 24, 16, 0, 0},
	{"12/24 noon", 2026, 12, 24, 12, 0, 0},
};

static void check_ok_cases(int64_t offset)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, offset);

	for (size_t i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *k = &ok_cases[i];
		int64_t want =
			utc(k->y, k->mo, k->d, k->h, k->mi, k->s) - offset;
		int64_t got = -1;
		char err[512] = "";
		int rc = carbon_time_parse(k->in, &c, "--carbon-deadline", &got,
					   err, sizeof(err));

		if (rc || got != want)
			fail_msg("\"%s\" at offset %lld: rc %d (%s), got %lld, "
				 "want %lld",
				 k->in, (long long)offset, rc, err,
				 (long long)got, (long long)want);
	}
}

static void test_forms_utc(void **state)
{
	(void)state;
	check_ok_cases(0);
}

static void test_forms_utc_plus_1(void **state)
{
	(void)state;
	check_ok_cases(3600);
}

static void test_forms_utc_minus_5(void **state)
{
	(void)state;
	check_ok_cases(-5 * 3600);
}

static void test_uts(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 3600);
	int64_t t = 0;

	(void)state;
	assert_int_equal(
		carbon_time_parse("uts1795430000", &c, "x", &t, NULL, 0), 0);
	assert_int_equal(t, 1795430000);
	assert_int_equal(carbon_time_parse("UTS1000000", &c, "x", &t, NULL, 0),
			 0);
	assert_int_equal(t, 1000000);
	assert_int_equal(
		carbon_time_parse("uts253402300799", &c, "x", &t, NULL, 0), 0);
	assert_int_equal(t, CARBON_TIME_MAX);
}

struct bad_case {
	const char *in;
	int code;
	const char *msg; /* a part of the message */
};

static const struct bad_case bad_cases[] = {
	{"", CARBON_EINVAL, "--carbon-deadline: empty value; use now+COUNT"},
	{"abc", CARBON_EINVAL, "\"abc\" is not a time [at \"abc\"]; use now+"},
	{"16:00x", CARBON_EINVAL, "[at \"x\"]"},
	{"todayx", CARBON_EINVAL, "[at \"x\"]"},
	{"25:00", CARBON_EINVAL, "[at \"25:00\"]"},
	{"24:00", CARBON_EINVAL, "not a time"},
	{"23:60", CARBON_EINVAL, "[at \"60\"]"},
	{"23:59:60", CARBON_EINVAL, "[at \"60\"]"},
	{"1:5", CARBON_EINVAL, "[at \"5\"]"},
	{"12:3", CARBON_EINVAL, "not a time"},
	{"12:30:5", CARBON_EINVAL, "not a time"},
	{"12:30:", CARBON_EINVAL, "[incomplete]"},
	{"1a:00", CARBON_EINVAL, "[at \"a:00\"]"},
	{"13:00pm", CARBON_EINVAL, "[at \"13:00pm\"]"},
	{"13:00am", CARBON_EINVAL, "not a time"},
	{"4:00 p.m.", CARBON_EINVAL, "[at \"p.m.\"]"},
	{"2026-13-01", CARBON_EINVAL, "[at \"13-01\"]"},
	{"2026-00-01", CARBON_EINVAL, "[at \"00-01\"]"},
	{"2026-1x-01", CARBON_EINVAL, "[at \"1x-01\"]"},
	{"2026-11-32", CARBON_EINVAL, "[at \"32\"]"},
	{"2026-11-00", CARBON_EINVAL, "[at \"00\"]"},
	{"2026-11-", CARBON_EINVAL, "[incomplete]"},
	{"20a6-11-23", CARBON_EINVAL, "[at \"a6-11-23\"]"},
	{"2026-1-15", CARBON_EINVAL, "not a time"},
	{"10000-01-01", CARBON_EINVAL, "not a time"},
	{"13/01", CARBON_EINVAL, "[at \"13/01\"]"},
	{"0/5", CARBON_EINVAL, "[at \"0/5\"]"},
	{"11/32", CARBON_EINVAL, "[at \"32\"]"},
	{"11/0", CARBON_EINVAL, "not a time"},
	{"11/23/2", CARBON_EINVAL, "[at \"2\"]"},
	{"11/23/2026", CARBON_EINVAL, "not a time"},
	{"11/", CARBON_EINVAL, "[incomplete]"},
	{"1", CARBON_EINVAL, "[incomplete]"},
	{"12-25", CARBON_EINVAL, "not a time"},
	{"now+", CARBON_EINVAL, "[incomplete]"},
	{"now+x", CARBON_EINVAL, "[at \"x\"]"},
	{"now+hours", CARBON_EINVAL, "[at \"hours\"]"},
	{"now+1d", CARBON_EINVAL, "[at \"d\"]"},
	{"now+1min", CARBON_EINVAL, "[at \"min\"]"},
	{"now 16:00", CARBON_EINVAL, "[at \"16:00\"]"},
	{"nowhere", CARBON_EINVAL, "[at \"here\"]"},
	{"16:00 now", CARBON_EINVAL, "[at \"now\"]"},
	{" now", CARBON_EINVAL, "[at \"now\"]"},
	{"Tnow+1hour", CARBON_EINVAL, "[at \"now+1hour\"]"},
	{" ", CARBON_EINVAL, "[incomplete]"},
	{"-", CARBON_EINVAL, "[incomplete]"},
	{"T", CARBON_EINVAL, "[incomplete]"},
	{"uts", CARBON_EINVAL, "[incomplete]"},
	{"uts12x", CARBON_EINVAL, "[at \"x\"]"},
	{"uts+1795430000", CARBON_EINVAL, "[at \"+1795430000\"]"},
	{"uts999999", CARBON_ERANGE,
	 "uts takes seconds since 1970 from 1000000"},
	{"uts253402300800", CARBON_ERANGE, "out of range"},
	{"uts99999999999999999999", CARBON_ERANGE, "out of range"},
	{"now+99999999999999999999", CARBON_ERANGE,
	 "\"now+99999999999999999999\" is out of range; use a time between "
	 "1970 and 9999"},
	{"now+253402300800", CARBON_ERANGE, "out of range"},
	{"now+5000000weeks", CARBON_ERANGE, "out of range"},
	{"now+416100weeks", CARBON_ERANGE, "out of range"},
	{"now-99999weeks", CARBON_ERANGE, "out of range"},
	{"1969-12-31", CARBON_ERANGE, "out of range"},
	{"0000-01-01", CARBON_ERANGE, "out of range"},
	{"2026-02-29", CARBON_EINVAL,
	 "\"2026-02-29\" names a day that does not exist (2026-02 has 28 "
	 "days)"},
	{"2026-04-31", CARBON_EINVAL, "(2026-04 has 30 days)"},
	{"2100-02-29", CARBON_EINVAL, "(2100-02 has 28 days)"},
	{"02/29", CARBON_EINVAL, "(2027-02 has 28 days)"},
	{"16:00\n", CARBON_EINVAL, "control or non-ASCII character (byte 6)"},
	{"16:00\t", CARBON_EINVAL, "control or non-ASCII"},
	{"caf\xc3\xa9", CARBON_EINVAL,
	 "control or non-ASCII character (byte 4)"},
	{"now+1hour                                                       x",
	 CARBON_ETOOLONG, "--carbon-deadline: value longer than 64 characters"},
};

static void test_rejections(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 3600);

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *k = &bad_cases[i];
		int64_t t = 12345;
		char err[512] = "";
		int rc = carbon_time_parse(k->in, &c, "--carbon-deadline", &t,
					   err, sizeof(err));

		if (rc != k->code || !strstr(err, k->msg) ||
		    strncmp(err, "--carbon-deadline: ", 19) || t != 12345)
			fail_msg("\"%s\": rc %d (want %d), t %lld, err \"%s\", "
				 "want \"%s\"",
				 k->in, rc, k->code, (long long)t, err, k->msg);
	}
}

static void test_64_bytes_is_accepted(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 0);
	char in[CARBON_VALUE_MAX + 2];
	int64_t t;

	(void)state;
	memset(in, ' ', sizeof(in));
	memcpy(in, "16:00", 5);
	in[CARBON_VALUE_MAX] = '\0';
	assert_int_equal(carbon_time_parse(in, &c, "x", &t, NULL, 0), 0);
	in[CARBON_VALUE_MAX] = ' ';
	in[CARBON_VALUE_MAX + 1] = '\0';
	assert_int_equal(carbon_time_parse(in, &c, "x", &t, NULL, 0),
			 CARBON_ETOOLONG);
}

static void test_bad_arguments(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 0), bad;
	int64_t t = 7;
	char err[256];

	(void)state;
	assert_int_equal(
		carbon_time_parse(NULL, &c, "--x", &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--x: no value given");
	assert_int_equal(
		carbon_time_parse("16:00", NULL, "--x", &t, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--x: internal error: bad arguments");
	assert_int_equal(
		carbon_time_parse("16:00", &c, "--x", NULL, err, sizeof(err)),
		CARBON_EINVAL);
	bad = c;
	bad.now = -1;
	assert_int_equal(carbon_time_parse("16:00", &bad, "x", &t, NULL, 0),
			 CARBON_EINVAL);
	bad.now = CARBON_TIME_MAX + 1;
	assert_int_equal(carbon_time_parse("16:00", &bad, "x", &t, NULL, 0),
			 CARBON_EINVAL);
	bad = c;
	bad.local_to_utc = NULL;
	assert_int_equal(carbon_time_parse("16:00", &bad, "x", &t, NULL, 0),
			 CARBON_EINVAL);
	bad = c;
	bad.utc_to_local = NULL;
	assert_int_equal(carbon_time_parse("16:00", &bad, "x", &t, NULL, 0),
			 CARBON_EINVAL);
	/* no name: a generic one */
	assert_int_equal(carbon_time_parse("x", &c, NULL, &t, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "time: \"x\" is not a time"));
	assert_int_equal(t, 7);
}

static void expect_clock_error(struct carbon_clock *c, const char *in)
{
	int64_t t = 7;
	char err[256] = "";
	struct fake *f = c->ctx;

	f->calls = 0;
	assert_int_equal(carbon_time_parse(in, c, "--d", &t, err, sizeof(err)),
			 CARBON_ECLOCK);
	assert_non_null(strstr(err, "--d: \""));
	assert_non_null(strstr(err, "local time conversion failed"));
	assert_int_equal(t, 7);
}

static void test_clock_failures(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 0);

	(void)state;
	f.u2l_ok = 0; /* now's local time */
	expect_clock_error(&c, "16:00");
	f.u2l_ok = 1; /* tomorrow's date */
	expect_clock_error(&c, "tomorrow");
	expect_clock_error(&c, "09:00");
	expect_clock_error(&c, "now+1hour");
	f.u2l_ok = -1;
	f.bad_tm = true;
	expect_clock_error(&c, "16:00");
	f.bad_tm = false;
	f.l2u_fail = true;
	expect_clock_error(&c, "16:00");
}

static void expect_range(struct carbon_clock *c, const char *in)
{
	int64_t t = 7;
	char err[256] = "";

	assert_int_equal(carbon_time_parse(in, c, "--d", &t, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_non_null(strstr(err, "out of range"));
}

static void test_year_9999(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 0);
	int64_t t;

	(void)state;
	c.now = utc(9999, 12, 31, 12, 0, 0);
	assert_int_equal(carbon_time_parse("23:59:59", &c, "x", &t, NULL, 0),
			 0);
	assert_int_equal(t, CARBON_TIME_MAX);
	expect_range(&c, "tomorrow");
	expect_range(&c, "11:00");
	expect_range(&c, "12/30");
	expect_range(&c, "now+1day");
	/* local 9999-12-31T23:59:59 west of Greenwich is after the limit */
	f.offset = -3600;
	expect_range(&c, "9999-12-31T23:59:59");
	/* east of Greenwich, now's local year is already 10000 */
	f.offset = 14 * 3600;
	c.now = CARBON_TIME_MAX;
	expect_range(&c, "16:00");
}

/*
 * "tomorrow" is the local date 24 hours on, as in Slurm: across a spring
 * daylight saving step at 23:30 that is the day after tomorrow.
 */
static void test_dst_step(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 3600);
	int64_t t;

	(void)state;
	c.now = utc(2026, 3, 28, 23, 30, 0) - 3600;
	f.step_at = utc(2026, 3, 29, 1, 0, 0);
	assert_int_equal(carbon_time_parse("tomorrow", &c, "x", &t, NULL, 0),
			 0);
	assert_int_equal(t, utc(2026, 3, 30, 0, 0, 0) - 7200);
	assert_int_equal(carbon_time_parse("now+1hour", &c, "x", &t, NULL, 0),
			 0);
	assert_int_equal(t, c.now + 3600);
	/* a time already past rolls over to that same "tomorrow" */
	assert_int_equal(carbon_time_parse("12:00", &c, "x", &t, NULL, 0), 0);
	assert_int_equal(t, utc(2026, 3, 30, 12, 0, 0) - 7200);
}

static void test_format(void **state)
{
	struct fake f;
	struct carbon_clock c = clock_at(&f, 3600);
	char buf[32];

	(void)state;
	assert_int_equal(carbon_time_format(c.now, &c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2026-11-23T10:17:42");
	assert_int_equal(carbon_time_format(c.now, &c, buf, 20), 0);
	assert_int_equal(carbon_time_format(c.now, &c, buf, 19),
			 CARBON_ETOOLONG);
	assert_int_equal(carbon_time_format(c.now, &c, NULL, 19),
			 CARBON_ETOOLONG);
	assert_int_equal(carbon_time_format(c.now, &c, buf, 0),
			 CARBON_ETOOLONG);
	assert_int_equal(carbon_time_format(c.now, NULL, buf, sizeof(buf)),
			 CARBON_ECLOCK);
	assert_string_equal(buf, "");
	f.u2l_ok = 0;
	assert_int_equal(carbon_time_format(c.now, &c, buf, sizeof(buf)),
			 CARBON_ECLOCK);
	c.utc_to_local = NULL;
	assert_int_equal(carbon_time_format(c.now, &c, buf, sizeof(buf)),
			 CARBON_ECLOCK);
}

static void check_against_libc(int64_t t)
{
	struct tm mine, libc;
	time_t tt = (time_t)t;
	int64_t back;

	assert_non_null(gmtime_r(&tt, &libc));
	assert_int_equal(carbon_time_to_utc_tm(t, &mine), 0);
	assert_int_equal(mine.tm_year, libc.tm_year);
	assert_int_equal(mine.tm_mon, libc.tm_mon);
	assert_int_equal(mine.tm_mday, libc.tm_mday);
	assert_int_equal(mine.tm_hour, libc.tm_hour);
	assert_int_equal(mine.tm_min, libc.tm_min);
	assert_int_equal(mine.tm_sec, libc.tm_sec);
	assert_int_equal(mine.tm_wday, libc.tm_wday);
	assert_int_equal(mine.tm_yday, libc.tm_yday);
	assert_int_equal(mine.tm_isdst, 0);
	assert_int_equal(carbon_time_from_utc_tm(&mine, &back), 0);
	assert_int_equal(back, t);
}

static void test_utc_calendar(void **state)
{
	static const int64_t fixed[] = {0,
					-1,
					86399,
					86400,
					-86400,
					951782400,
					4107542399,
					CARBON_TIME_MAX,
					-62135596800,
					-210866803200};
	uint64_t x = 88172645463325252u;

	(void)state;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		check_against_libc(fixed[i]);
	for (int i = 0; i < 20000; i++) { /* xorshift: deterministic */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		check_against_libc((int64_t)(x % 600000000000u) - 300000000000);
	}
}

static void test_utc_calendar_edges(void **state)
{
	struct tm tm = {0}, libc;
	int64_t t;
	time_t tt;

	(void)state;
	assert_int_equal(carbon_time_to_utc_tm(0, NULL), CARBON_EINVAL);
	assert_int_equal(carbon_time_from_utc_tm(NULL, &t), CARBON_EINVAL);
	assert_int_equal(carbon_time_from_utc_tm(&tm, NULL), CARBON_EINVAL);
	assert_int_equal(carbon_time_to_utc_tm(INT64_MAX, &tm), CARBON_ERANGE);
	assert_int_equal(carbon_time_to_utc_tm(INT64_MIN, &tm), CARBON_ERANGE);
	/* out-of-range fields are normalised as timegm() does */
	tm = (struct tm){.tm_year = 126,
			 .tm_mon = -1,
			 .tm_mday = 0,
			 .tm_hour = 25,
			 .tm_min = -1,
			 .tm_sec = 61};
	libc = tm;
	tt = timegm(&libc);
	assert_int_equal(carbon_time_from_utc_tm(&tm, &t), 0);
	assert_int_equal(t, (int64_t)tt);
	tm = (struct tm){.tm_year = 126, .tm_mon = 25, .tm_mday = 40};
	libc = tm;
	tt = timegm(&libc);
	assert_int_equal(carbon_time_from_utc_tm(&tm, &t), 0);
	assert_int_equal(t, (int64_t)tt);
	tm = (struct tm){.tm_year = INT32_MAX,
			 .tm_mon = INT32_MAX,
			 .tm_mday = INT32_MAX,
			 .tm_hour = INT32_MAX,
			 .tm_min = INT32_MAX,
			 .tm_sec = INT32_MAX};
	assert_int_equal(carbon_time_from_utc_tm(&tm, &t), 0);
	tm = (struct tm){.tm_year = INT32_MIN,
			 .tm_mon = INT32_MIN,
			 .tm_mday = INT32_MIN,
			 .tm_hour = INT32_MIN,
			 .tm_min = INT32_MIN,
			 .tm_sec = INT32_MIN};
	assert_int_equal(carbon_time_from_utc_tm(&tm, &t), 0);
}

/* ---- ISO 8601 UTC --------------------------------------------------------- */

#define T0  INT64_C(1672531200) /* 2023-01-01T00:00:00Z */
#define INV CARBON_EINVAL
#define RNG CARBON_ERANGE

/*
 * One input under each form: what the cache record (EXACT), carbon.conf
 * (DATE) and the traces, providers and decision record (TRACE) each made
 * of it before they shared this parser: 0 with the instant t, or the code.
 */
static const struct iso_case {
	const char *in;
	int exact, date, trace;
	int64_t t;
} iso_cases[] = {
	{"2023-01-01T00:00:00Z", 0, 0, 0, T0},
	{"2023-01-01T00:00Z", INV, 0, 0, T0},
	{"2023-01-01T00:00:00", INV, 0, 0, T0},
	{"2023-01-01T00:00", INV, 0, 0, T0},
	{"2023-01-01", INV, 0, INV, T0},
	{"2023-01-01Z", INV, 0, INV, T0},
	{"2023-01-01 00:00", INV, INV, 0, T0},
	{"2023-01-01 00:00:00", INV, INV, 0, T0},
	{"2023-01-01t00:00:00z", INV, INV, 0, T0},
	{"2023-01-01T00:00:00z", INV, INV, 0, T0},
	{"2023-01-01T00:00:00.000Z", INV, INV, 0, T0},
	{"2023-01-01T00:00:00,999Z", INV, INV, 0, T0},
	{"2023-01-01T00:00:59.999", INV, INV, 0, T0 + 59},
	{"2023-01-01T01:00:00+01:00", INV, INV, 0, T0},
	{"2023-01-01T01:00+0100", INV, INV, 0, T0},
	{"2023-01-01T01:00+01", INV, INV, 0, T0},
	{"2022-12-31T18:30:00-05:30", INV, INV, 0, T0},
	{"2023-06-15T04:05:06Z", 0, 0, 0, INT64_C(1686801906)},
	{"2024-02-29T12:00:00Z", 0, 0, 0, INT64_C(1709208000)},
	{"2000-02-29T00:00:00Z", 0, 0, 0, INT64_C(951782400)},
	{"1970-01-01T00:00:00Z", 0, 0, 0, 0},
	{"1970-01-01", INV, 0, INV, 0},
	{"1970-01-01T01:00+01:00", INV, INV, 0, 0},
	{"9999-12-31T23:59:59Z", 0, 0, 0, CARBON_TIME_MAX},
	{"9999-12-31T23:59:59", INV, 0, 0, CARBON_TIME_MAX},
	/* malformed under every form */
	{"", INV, INV, INV, 0},
	{"Z", INV, INV, INV, 0},
	{"2023-01-0", INV, INV, INV, 0},
	{"2023-01-01T", INV, INV, INV, 0},
	{"2023-01-01T00", INV, INV, INV, 0},
	{"2023-01-01T00:0", INV, INV, INV, 0},
	{"2023/01/01T00:00:00Z", INV, INV, INV, 0},
	{"2023-01-01X00:00:00Z", INV, INV, INV, 0},
	{"2023-01-01T00:00:", INV, INV, INV, 0},
	{"2023-01-01T00:00:0", INV, INV, INV, 0},
	{"2023-01-01T00:00:00.", INV, INV, INV, 0},
	{"2023-01-01T00:00:00.Z", INV, INV, INV, 0},
	{"2023-01-01T00:00:00ZZ", INV, INV, INV, 0},
	{"2023-01-01T00:00:00 Z", INV, INV, INV, 0},
	{"2023-01-01ZZ", INV, INV, INV, 0},
	{"2023-01-01z", INV, INV, INV, 0},
	{"2023-01-01T00:00+1", INV, INV, INV, 0},
	{"2023-01-01T00:00+01:", INV, INV, INV, 0},
	{"2023-01-01T00:00+01:0", INV, INV, INV, 0},
	{"2023-01-01T00:00+01:000", INV, INV, INV, 0},
	{"2023-01-01T00:00+24:00", INV, INV, INV, 0},
	{"2023-01-01T00:00+01:60", INV, INV, INV, 0},
	{"2023-01-01T00:00UTC", INV, INV, INV, 0},
	{"+023-01-01T00:00:00Z", INV, INV, INV, 0},
	{" 2023-01-01T00:00:00Z", INV, INV, INV, 0},
	{"2023-01-01T00:00:00Z ", INV, INV, INV, 0},
	{"2023-13-01T00:00", INV, RNG, RNG, 0},
	/* a field out of range, or a time outside 1970..9999 */
	{"2023-13-01T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-00-01T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-02-29T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-02-29", INV, RNG, INV, 0},
	{"1900-02-29T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-04-31T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-01-00T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-01-32T00:00:00Z", RNG, RNG, RNG, 0},
	{"2023-01-01T24:00:00Z", RNG, RNG, RNG, 0},
	{"2023-01-01T00:60:00Z", RNG, RNG, RNG, 0},
	{"2023-01-01T00:00:60Z", RNG, RNG, RNG, 0},
	{"1969-12-31T23:59:59Z", RNG, RNG, RNG, 0},
	{"1969-12-31", INV, RNG, INV, 0},
	{"0000-01-01T00:00:00Z", RNG, RNG, RNG, 0},
	{"1970-01-01T00:00+00:01", INV, INV, RNG, 0},
	{"9999-12-31T23:59:59-00:01", INV, INV, RNG, 0},
};

static void check_iso(const struct iso_case *c, enum carbon_timeparse_iso f,
		      int want)
{
	int64_t t = -42;
	char msg[256] = "";
	int rc = carbon_timeparse_iso(c->in, strlen(c->in), f, &t, msg,
				      sizeof(msg));

	if (rc != want || (!rc && t != c->t) || (rc && t != -42))
		fail_msg("\"%s\" form %d: rc %d (%s), t %lld; want %d, %lld",
			 c->in, (int)f, rc, msg, (long long)t, want,
			 (long long)c->t);
	if (rc && !strstr(msg, rc == INV ? "\" is not a time; use "
					 : "; use YYYY-MM-DD"))
		fail_msg("\"%s\" form %d: message \"%s\"", c->in, (int)f, msg);
}

static void test_iso_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(iso_cases) / sizeof(iso_cases[0]); i++) {
		const struct iso_case *c = &iso_cases[i];

		check_iso(c, CARBON_TIMEPARSE_ISO_EXACT, c->exact);
		check_iso(c, CARBON_TIMEPARSE_ISO_DATE, c->date);
		check_iso(c, CARBON_TIMEPARSE_ISO_TRACE, c->trace);
	}
}

static int iso(const char *s, size_t len, enum carbon_timeparse_iso f,
	       int64_t *t, char *msg, size_t msglen)
{
	return carbon_timeparse_iso(s, len, f, t, msg, msglen);
}

static void test_iso_messages(void **state)
{
	const char *point = "2023-01-01T00:00:00Z 123.4 -";
	int64_t t = -1;
	char msg[256];

	(void)state;
	/* a slice of a longer line, as the cache record reads it */
	assert_int_equal(iso(point, 20, CARBON_TIMEPARSE_ISO_EXACT, &t, msg,
			     sizeof(msg)),
			 0);
	assert_int_equal(t, T0);
	assert_int_equal(iso(point, 21, CARBON_TIMEPARSE_ISO_EXACT, &t, msg,
			     sizeof(msg)),
			 INV);
	assert_string_equal(msg, "\"2023-01-01T00:00:00Z \" is not a time; "
				 "use YYYY-MM-DDTHH:MM:SSZ");
	assert_int_equal(iso("2023-02-29", 10, CARBON_TIMEPARSE_ISO_DATE, &t,
			     msg, sizeof(msg)),
			 RNG);
	assert_string_equal(msg, "\"2023-02-29\" has a field out of range; "
				 "use YYYY-MM-DD[THH:MM[:SS]][Z]");
	assert_int_equal(iso("1969-12-31T23:59:59Z", 20,
			     CARBON_TIMEPARSE_ISO_TRACE, &t, msg, sizeof(msg)),
			 RNG);
	assert_string_equal(msg, "\"1969-12-31T23:59:59Z\" is outside "
				 "1970..9999; use "
				 "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]");
	/* control bytes are not copied into the message */
	assert_int_equal(iso("2023-01-01\t00:00\x01", 17,
			     CARBON_TIMEPARSE_ISO_TRACE, &t, msg, sizeof(msg)),
			 INV);
	assert_string_equal(msg, "\"2023-01-01?00:00?\" is not a time; use "
				 "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]");
	/* a fraction of any length is dropped; the quote is cut */
	assert_int_equal(iso("2023-01-01T00:00:00.00000000000000000000000"
			     "00000000000000000000000000000",
			     72, CARBON_TIMEPARSE_ISO_TRACE, &t, msg,
			     sizeof(msg)),
			 0);
	assert_int_equal(iso("2023-01-01T00:00:00.00000000000000000000000"
			     "00000000000000000000000000000X",
			     73, CARBON_TIMEPARSE_ISO_TRACE, &t, msg,
			     sizeof(msg)),
			 INV);
	assert_non_null(strstr(msg, "0000...\" is not a time"));
	/* a NUL inside the bytes is not a digit */
	assert_int_equal(iso("2023-01-01T00:00:00Z", 20,
			     CARBON_TIMEPARSE_ISO_EXACT, &t, NULL, 0),
			 0);
	assert_int_equal(iso("2023-01-01T00:00\0000Z", 19,
			     CARBON_TIMEPARSE_ISO_TRACE, &t, NULL, 0),
			 INV);
}

static void test_iso_bad_arguments(void **state)
{
	int64_t t = -1;
	char msg[128];

	(void)state;
	assert_int_equal(
		iso(NULL, 0, CARBON_TIMEPARSE_ISO_TRACE, &t, msg, sizeof(msg)),
		INV);
	assert_string_equal(msg, "time: internal error: bad arguments");
	assert_int_equal(iso("x", 1, CARBON_TIMEPARSE_ISO_TRACE, NULL, NULL, 0),
			 INV);
	assert_int_equal(iso("2023-01-01T00:00:00Z", 20,
			     (enum carbon_timeparse_iso)3, &t, NULL, 0),
			 INV);
	assert_int_equal(iso("2023-01-01T00:00:00Z", 20,
			     (enum carbon_timeparse_iso) - 1, &t, NULL, 0),
			 INV);
	assert_int_equal(t, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms_utc),
		cmocka_unit_test(test_forms_utc_plus_1),
		cmocka_unit_test(test_forms_utc_minus_5),
		cmocka_unit_test(test_uts),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_64_bytes_is_accepted),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_clock_failures),
		cmocka_unit_test(test_year_9999),
		cmocka_unit_test(test_dst_step),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_utc_calendar),
		cmocka_unit_test(test_utc_calendar_edges),
		cmocka_unit_test(test_iso_forms),
		cmocka_unit_test(test_iso_messages),
		cmocka_unit_test(test_iso_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
