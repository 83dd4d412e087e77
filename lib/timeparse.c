/*
 * timeparse.c: sbatch --begin time forms (see carbon/timeparse.h), written
 * from the behaviour of Slurm 22.05's parse_time(), not from its code.
 * Every read goes through at(), which never looks past the string's end.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/timeparse.h"

#define DAY_SECS 86400

/* Slurm rejects uts values below this as typos. */
#define UTS_MIN 1000000

struct ps {
	const char *s;
	size_t len;
	size_t pos; /* next byte to read; where the problem is on error */
	const struct carbon_clock *clk;
	const char *name;
	char *err;
	size_t errlen;
	struct tm now_tm;
	int hour, minute, second; /* -1: no time of day given */
	int month, mday, year;	  /* struct tm conventions; -1: not given */
};

static char at(const struct ps *st, size_t i)
{
	return i < st->len ? st->s[i] : '\0';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool word_at(const struct ps *st, size_t i, const char *w)
{
	return i <= st->len && !strncasecmp(st->s + i, w, strlen(w));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian, m 1..12). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	int64_t era, yoe, doy;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int days_in_month(int64_t y, int mon0)
{
	static const int len[12] = {31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return len[mon0] + (mon0 == 1 && leap);
}

int carbon_time_from_utc_tm(const struct tm *tm, int64_t *utc)
{
	int64_t y, mon, days;

	if (!tm || !utc)
		return CARBON_EINVAL;
	y = (int64_t)tm->tm_year + 1900 + floor_div(tm->tm_mon, 12);
	mon = tm->tm_mon - floor_div(tm->tm_mon, 12) * 12;
	days = days_from_civil(y, mon + 1, 1) + tm->tm_mday - 1;
	*utc = days * DAY_SECS + (int64_t)tm->tm_hour * 3600 +
	       (int64_t)tm->tm_min * 60 + tm->tm_sec;
	return 0;
}

int carbon_time_to_utc_tm(int64_t utc, struct tm *tm)
{
	int64_t days = floor_div(utc, DAY_SECS);
	int64_t secs = utc - days * DAY_SECS;
	int64_t z = days + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	if (!tm)
		return CARBON_EINVAL;
	if (y - 1900 < INT32_MIN || y - 1900 > INT32_MAX)
		return CARBON_ERANGE;
	memset(tm, 0, sizeof(*tm));
	tm->tm_year = (int)(y - 1900);
	tm->tm_mon = (int)(m - 1);
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)(days - floor_div(days + 4, 7) * 7 + 4);
	tm->tm_yday = (int)(days - days_from_civil(y, 1, 1));
	return 0;
}

/* ---- messages ----------------------------------------------------------- */

static int syntax(struct ps *st, size_t where)
{
	bool end = where >= st->len;

	return carbon_error_set(st->err, st->errlen, CARBON_EINVAL,
				"%s: \"%s\" is not a time [%s%s%s]; %s",
				st->name, st->s, end ? "incomplete" : "at \"",
				end ? "" : st->s + where, end ? "" : "\"",
				CARBON_TIME_FORMS);
}

static int out_of_range(struct ps *st)
{
	return carbon_error_set(st->err, st->errlen, CARBON_ERANGE,
				"%s: \"%s\" is out of range; use a time "
				"between 1970 and 9999",
				st->name, st->s);
}

static int clock_failed(struct ps *st)
{
	return carbon_error_set(st->err, st->errlen, CARBON_ECLOCK,
				"%s: \"%s\": local time conversion failed",
				st->name, st->s);
}

/* The port's local time for t, refusing fields out of their ranges. */
static int local_at(struct ps *st, int64_t t, struct tm *tm)
{
	const struct carbon_clock *c = st->clk;

	if (t < 0 || t > CARBON_TIME_MAX)
		return out_of_range(st);
	if (c->utc_to_local(t, tm, c->ctx) || tm->tm_mon < 0 ||
	    tm->tm_mon > 11 || tm->tm_mday < 1 || tm->tm_mday > 31 ||
	    tm->tm_hour < 0 || tm->tm_hour > 23 || tm->tm_min < 0 ||
	    tm->tm_min > 59 || tm->tm_sec < 0 || tm->tm_sec > 60)
		return clock_failed(st);
	if (tm->tm_year < -1900 || tm->tm_year > 9999 - 1900)
		return out_of_range(st);
	return 0;
}

static void set_date(struct ps *st, const struct tm *tm)
{
	st->month = tm->tm_mon;
	st->mday = tm->tm_mday;
	st->year = tm->tm_year;
}

static int set_date_at(struct ps *st, int64_t t)
{
	struct tm tm;
	int rc = local_at(st, t, &tm);

	if (!rc)
		set_date(st, &tm);
	return rc;
}

/* ---- the parts ---------------------------------------------------------- */

static const struct unit {
	const char *name;
	int64_t secs;
} units[] = {
	{"seconds", 1},		{"second", 1},	   {"minutes", 60},
	{"minute", 60},		{"hours", 3600},   {"hour", 3600},
	{"days", DAY_SECS},	{"day", DAY_SECS}, {"weeks", 7 * DAY_SECS},
	{"week", 7 * DAY_SECS},
};

/* COUNT[UNIT] after now+ or now-, spaces allowed anywhere in it. */
static int parse_delta(struct ps *st, size_t i, int64_t *delta)
{
	int64_t cnt = 0, mult = 1;
	bool digits = false;
	size_t start = i;

	for (; i < st->len; i++) {
		size_t u;

		if (at(st, i) == ' ')
			continue;
		for (u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (word_at(st, i, units[u].name))
				break;
		if (u < sizeof(units) / sizeof(units[0])) {
			mult = units[u].secs;
			i += strlen(units[u].name);
			break;
		}
		if (!is_digit(at(st, i)))
			return syntax(st, i);
		if (cnt <= CARBON_TIME_MAX)
			cnt = cnt * 10 + (at(st, i) - '0');
		digits = true;
	}
	if (!digits)
		return syntax(st, start);
	if (cnt > CARBON_TIME_MAX || cnt * mult > CARBON_TIME_MAX)
		return out_of_range(st);
	st->pos = i;
	*delta = cnt * mult;
	return 0;
}

/* now[{+|-}COUNT[UNIT]]: all of the date and time, from now's local time. */
static int parse_now(struct ps *st)
{
	size_t i = st->pos + 3;
	int64_t delta = 0, later;
	struct tm tm;
	int rc;

	while (at(st, i) == ' ')
		i++;
	if (at(st, i) == '+' || at(st, i) == '-') {
		rc = parse_delta(st, i + 1, &delta);
		if (rc)
			return rc;
		if (at(st, i) == '-')
			delta = -delta;
	} else if (i < st->len) {
		return syntax(st, i);
	} else {
		st->pos = i;
	}
	later = st->clk->now + delta;
	rc = local_at(st, later, &tm);
	if (rc)
		return rc;
	set_date(st, &tm);
	st->hour = tm.tm_hour;
	st->minute = tm.tm_min;
	st->second = tm.tm_sec;
	return 0;
}

/* Exactly two digits at i, at most max. */
static bool two_digits(const struct ps *st, size_t i, int max, int *v)
{
	if (!is_digit(at(st, i)) || !is_digit(at(st, i + 1)))
		return false;
	*v = (at(st, i) - '0') * 10 + (at(st, i + 1) - '0');
	return *v <= max;
}

/* Turn 12-hour into 24-hour as Slurm does: 12 PM is noon, 12 AM midnight. */
static bool apply_am_pm(struct ps *st, size_t *i, int *hr)
{
	if (word_at(st, *i, "pm")) {
		*hr += 12;
		if (*hr == 24)
			*hr = 12;
		*i += 2;
		return *hr <= 23;
	}
	if (word_at(st, *i, "am")) {
		if (*hr == 12)
			*hr = 0;
		*i += 2;
		return *hr <= 11;
	}
	return true;
}

/* H:MM or HH:MM, then [:SS], then [ ][AM|PM]. */
static int parse_clock(struct ps *st)
{
	size_t i = st->pos;
	int hr = at(st, i++) - '0', min, sec = 0;

	if (at(st, i) != ':') {
		if (!is_digit(at(st, i)))
			return syntax(st, i);
		hr = hr * 10 + (at(st, i++) - '0');
	}
	if (hr > 23 || at(st, i) != ':')
		return syntax(st, st->pos);
	if (!two_digits(st, ++i, 59, &min))
		return syntax(st, i);
	i += 2;
	if (at(st, i) == ':') {
		if (!two_digits(st, ++i, 59, &sec))
			return syntax(st, i);
		i += 2;
	}
	while (at(st, i) == ' ')
		i++;
	if (!apply_am_pm(st, &i, &hr))
		return syntax(st, st->pos);
	st->hour = hr;
	st->minute = min;
	st->second = sec;
	st->pos = i;
	return 0;
}

/* One or two digits at *i, from 1 to max. */
static bool small_number(const struct ps *st, size_t *i, int max, int *v)
{
	if (!is_digit(at(st, *i)))
		return false;
	*v = at(st, (*i)++) - '0';
	if (is_digit(at(st, *i)))
		*v = *v * 10 + (at(st, (*i)++) - '0');
	return *v >= 1 && *v <= max;
}

/* YYYY-MM-D[D] */
static int parse_iso_date(struct ps *st)
{
	size_t i = st->pos;
	int yr = 0, mon, day;

	for (; i < st->pos + 4; i++) {
		if (!is_digit(at(st, i)))
			return syntax(st, i);
		yr = yr * 10 + (at(st, i) - '0');
	}
	i++;
	if (!two_digits(st, i, 12, &mon) || mon < 1)
		return syntax(st, i);
	i += 3;
	if (!small_number(st, &i, 31, &day))
		return syntax(st, st->pos + 8);
	st->year = yr - 1900;
	st->month = mon - 1;
	st->mday = day;
	st->pos = i;
	return 0;
}

/* M[M][/.]D[D][/.][YY]; YY = 00 leaves the year unset, as in Slurm. */
static int parse_us_date(struct ps *st)
{
	size_t i = st->pos, d0;
	int mon, day, yy = 0;

	if (!small_number(st, &i, 12, &mon))
		return syntax(st, st->pos);
	if (at(st, i) == '/' || at(st, i) == '.')
		i++;
	d0 = i;
	if (!small_number(st, &i, 31, &day))
		return syntax(st, d0);
	if (at(st, i) == '/' || at(st, i) == '.')
		i++;
	if (is_digit(at(st, i))) {
		if (!two_digits(st, i, 99, &yy))
			return syntax(st, i);
		i += 2;
	}
	st->month = mon - 1;
	st->mday = day;
	if (yy)
		st->year = yy + 100;
	st->pos = i;
	return 0;
}

static int parse_number(struct ps *st)
{
	size_t p = st->pos;

	if (at(st, p + 1) == ':' || (at(st, p + 1) && at(st, p + 2) == ':'))
		return parse_clock(st);
	if (at(st, p + 4) == '-' && at(st, p + 7) == '-')
		return parse_iso_date(st);
	return parse_us_date(st);
}

/* ---- the scan and the defaults ------------------------------------------ */

static const struct word {
	const char *name;
	int hour;	 /* -1: a date word */
	int64_t day_off; /* date words: seconds on from now */
} words[] = {
	{"today", -1, 0},   {"tomorrow", -1, DAY_SECS},
	{"midnight", 0, 0}, {"noon", 12, 0},
	{"fika", 15, 0},    {"teatime", 16, 0},
};

/* A word at st->pos: 1 if none matched, else 0 or an error. */
static int parse_word(struct ps *st)
{
	for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		if (!word_at(st, st->pos, words[w].name))
			continue;
		st->pos += strlen(words[w].name);
		if (words[w].hour < 0)
			return set_date_at(st, st->clk->now + words[w].day_off);
		st->hour = words[w].hour;
		st->minute = 0;
		st->second = 0;
		return 0;
	}
	return 1;
}

static int scan(struct ps *st)
{
	int rc = 0;

	while (!rc && st->pos < st->len) {
		char c = at(st, st->pos);

		rc = parse_word(st);
		if (rc <= 0)
			continue;
		if (word_at(st, st->pos, "now")) {
			rc = st->pos ? syntax(st, st->pos) : parse_now(st);
		} else if (is_digit(c)) {
			rc = parse_number(st);
		} else if (c == ' ' || c == '-' || c == 'T') {
			st->pos++;
			rc = 0;
		} else {
			rc = syntax(st, st->pos);
		}
	}
	return rc;
}

/* True when month/mday hour:minute is later than now (seconds ignored). */
static bool ahead_of_now(const struct ps *st)
{
	const struct tm *n = &st->now_tm;
	int a[4] = {st->month, st->mday, st->hour, st->minute};
	int b[4] = {n->tm_mon, n->tm_mday, n->tm_hour, n->tm_min};

	for (int i = 0; i < 4; i++)
		if (a[i] != b[i])
			return a[i] > b[i];
	return false;
}

/* Slurm's defaults for whatever was left out. */
static int fill_defaults(struct ps *st)
{
	const struct tm *n = &st->now_tm;
	int rc = 0;

	if (st->hour == -1 && st->month == -1)
		return syntax(st, st->len);
	if (st->hour == -1) {
		st->hour = 0;
		st->minute = 0;
	} else if (st->month == -1) {
		if (st->hour > n->tm_hour ||
		    (st->hour == n->tm_hour && st->minute > n->tm_min))
			set_date(st, n);
		else
			rc = set_date_at(st, st->clk->now + DAY_SECS);
	}
	if (!rc && st->year == -1)
		st->year = n->tm_year + !ahead_of_now(st);
	return rc;
}

static int convert(struct ps *st, int64_t *when)
{
	struct tm tm = {0};
	int64_t y = (int64_t)st->year + 1900;

	if (y > 9999)
		return out_of_range(st);
	if (st->mday > days_in_month(y, st->month))
		return carbon_error_set(st->err, st->errlen, CARBON_EINVAL,
					"%s: \"%s\" names a day that does not "
					"exist (%04" PRId64
					"-%02d has %d days)",
					st->name, st->s, y, st->month + 1,
					days_in_month(y, st->month));
	tm.tm_year = st->year;
	tm.tm_mon = st->month;
	tm.tm_mday = st->mday;
	tm.tm_hour = st->hour;
	tm.tm_min = st->minute;
	tm.tm_sec = st->second;
	tm.tm_isdst = -1;
	if (st->clk->local_to_utc(&tm, when, st->clk->ctx))
		return clock_failed(st);
	if (*when < 0 || *when > CARBON_TIME_MAX)
		return out_of_range(st);
	return 0;
}

/* utsSECONDS */
static int parse_uts(struct ps *st, int64_t *when)
{
	int64_t v = 0;
	size_t i;

	for (i = 3; is_digit(at(st, i)); i++)
		if (v <= CARBON_TIME_MAX)
			v = v * 10 + (at(st, i) - '0');
	if (i == 3 || i < st->len)
		return syntax(st, i);
	if (v < UTS_MIN || v > CARBON_TIME_MAX)
		return carbon_error_set(
			st->err, st->errlen, CARBON_ERANGE,
			"%s: \"%s\" is out of range; uts takes "
			"seconds since 1970 from %d to %" PRId64,
			st->name, st->s, UTS_MIN, CARBON_TIME_MAX);
	*when = v;
	return 0;
}

/* Everything but uts: scan, fill in Slurm's defaults, convert. */
static int parse_local(struct ps *st, int64_t *when)
{
	int rc;

	st->hour = st->minute = st->month = st->mday = st->year = -1;
	rc = local_at(st, st->clk->now, &st->now_tm);
	if (!rc)
		rc = scan(st);
	if (!rc)
		rc = fill_defaults(st);
	if (!rc)
		rc = convert(st, when);
	return rc;
}

static bool clock_ok(const struct carbon_clock *c)
{
	return c && c->local_to_utc && c->utc_to_local && c->now >= 0 &&
	       c->now <= CARBON_TIME_MAX;
}

int carbon_time_parse(const char *s, const struct carbon_clock *clk,
		      const char *name, int64_t *when, char *err, size_t errlen)
{
	struct ps st = {.s = s, .clk = clk, .err = err, .errlen = errlen};
	int64_t t;
	int rc;

	st.name = name ? name : "time";
	rc = carbon_error_check_value(st.name, s, CARBON_TIME_FORMS, err,
				      errlen);
	if (rc)
		return rc;
	if (!when || !clock_ok(clk))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					st.name);
	st.len = strlen(s);
	if (word_at(&st, 0, "uts"))
		rc = parse_uts(&st, &t);
	else
		rc = parse_local(&st, &t);
	if (!rc)
		*when = t;
	return rc;
}

int carbon_time_format(int64_t when, const struct carbon_clock *clk, char *buf,
		       size_t len)
{
	struct tm tm;
	int n;

	if (!buf || len == 0)
		return CARBON_ETOOLONG;
	buf[0] = '\0';
	if (!clk || !clk->utc_to_local ||
	    clk->utc_to_local(when, &tm, clk->ctx))
		return CARBON_ECLOCK;
	n = snprintf(buf, len, "%04lld-%02lld-%02dT%02d:%02d:%02d",
		     (long long)tm.tm_year + 1900, (long long)tm.tm_mon + 1,
		     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= len)
		return CARBON_ETOOLONG;
	return 0;
}
