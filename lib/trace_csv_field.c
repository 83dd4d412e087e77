/*
 * trace_csv_field.c: the field parsers of the CSV trace reader (times and
 * decimal values), kept strict and locale-free: strtod() would read "nan",
 * "inf" and hex, and follows LC_NUMERIC in whatever process loads us.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "carbon/timeparse.h"
#include "carbon/trace_csv.h"

#define TIME_FORMS "use YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]"

/* Significant digits kept; the rest only move the exponent. */
#define SIG_DIGITS 19

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly n digits at s into *out. */
static bool digits(const char *s, size_t n, int *out)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* A printable copy of s for messages: control bytes become '?'. */
static const char *shown(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = len < cap - 4 ? len : cap - 4, i;

	for (i = 0; i < n; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?'
								      : s[i];
	strcpy(buf + i, n < len ? "..." : "");
	return buf;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* The zone at s[*i..len): nothing, Z, or +HH[[:]MM]; *off in seconds. */
static bool parse_zone(const char *s, size_t len, size_t *i, int *off)
{
	int sign, oh, om = 0;

	*off = 0;
	if (*i == len)
		return true;
	if (s[*i] == 'Z' || s[*i] == 'z') {
		(*i)++;
		return true;
	}
	if (s[*i] != '+' && s[*i] != '-')
		return false;
	sign = s[*i] == '-' ? -1 : 1;
	if (len - *i < 3 || !digits(s + *i + 1, 2, &oh))
		return false;
	*i += 3;
	if (*i < len) {
		if (s[*i] == ':')
			(*i)++;
		if (len - *i < 2 || !digits(s + *i, 2, &om))
			return false;
		*i += 2;
	}
	if (oh > 23 || om > 59)
		return false;
	*off = sign * (oh * 3600 + om * 60);
	return true;
}

/* Seconds and a dropped fraction at s[*i..len), after HH:MM. */
static bool parse_seconds(const char *s, size_t len, size_t *i, int *sec)
{
	size_t start;

	*sec = 0;
	if (*i == len || s[*i] != ':')
		return true;
	if (len - *i < 3 || !digits(s + *i + 1, 2, sec))
		return false;
	*i += 3;
	if (*i == len || (s[*i] != '.' && s[*i] != ','))
		return true;
	start = ++(*i);
	while (*i < len && is_digit(s[*i]))
		(*i)++;
	return *i > start;
}

static int time_error(const char *s, size_t len, int code, const char *why,
		      char *err, size_t errlen)
{
	char buf[48];

	return carbon_error_set(err, errlen, code, "\"%s\" %s; " TIME_FORMS,
				shown(s, len, buf, sizeof(buf)), why);
}

int carbon_trace_csv_parse_time(const char *s, size_t len, int64_t *t,
				char *err, size_t errlen)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, sec, off;
	size_t i = 16;
	int64_t utc;

	if (!s || !t)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"time: internal error: bad arguments");
	if (len < 16 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    !parse_seconds(s, len, &i, &sec) || !parse_zone(s, len, &i, &off) ||
	    i != len)
		return time_error(s, len, CARBON_EINVAL, "is not a time", err,
				  errlen);
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || sec > 59)
		return time_error(s, len, CARBON_ERANGE,
				  "has a field out of range", err, errlen);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (carbon_time_from_utc_tm(&tm, &utc) || utc - off < 0 ||
	    utc - off > CARBON_TIME_MAX)
		return time_error(s, len, CARBON_ERANGE,
				  "is outside 1970..9999", err, errlen);
	*t = utc - off;
	return 0;
}

/* mant x 10^exp, exact for mant < 2^53 and |exp| <= 22 (one rounding). */
static double scale(uint64_t mant, int64_t exp)
{
	static const double p10[] = {
		1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,
		1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
		1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
	};
	double v = (double)mant;

	if (mant == 0 || exp < -400)
		return 0.0;
	if (exp > 400)
		exp = 400; /* overflows to infinity below */
	for (; exp > 22; exp -= 22)
		v *= 1e22;
	for (; exp < -22; exp += 22)
		v /= 1e22;
	return exp >= 0 ? v * p10[exp] : v / p10[-exp];
}

/* [eE][+-]digits at s[*i..len) into *exp, capped far beyond any use. */
static bool parse_exponent(const char *s, size_t len, size_t *i, int64_t *exp)
{
	int64_t e = 0;
	int sign = 1;
	size_t start;

	if (*i == len || (s[*i] != 'e' && s[*i] != 'E'))
		return true;
	(*i)++;
	if (*i < len && (s[*i] == '+' || s[*i] == '-'))
		sign = s[(*i)++] == '-' ? -1 : 1;
	start = *i;
	for (; *i < len && is_digit(s[*i]); (*i)++)
		if (e < 100000)
			e = e * 10 + (s[*i] - '0');
	*exp += sign * e;
	return *i > start;
}

int carbon_trace_csv_parse_value(const char *s, size_t len, double *v,
				 char *err, size_t errlen)
{
	uint64_t mant = 0;
	int64_t exp = 0;
	size_t i = 0, ndig = 0;
	int sig = 0;
	bool neg = false, frac = false;
	char buf[48];

	if (!s || !v)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"value: internal error: bad arguments");
	if (i < len && (s[i] == '+' || s[i] == '-'))
		neg = s[i++] == '-';
	for (; i < len && (is_digit(s[i]) || (s[i] == '.' && !frac)); i++) {
		if (s[i] == '.') {
			frac = true;
			continue;
		}
		ndig++;
		if (sig < SIG_DIGITS) {
			mant = mant * 10 + (uint64_t)(s[i] - '0');
			sig += mant != 0;
			exp -= frac;
		} else {
			exp += !frac;
		}
	}
	if (!ndig || !parse_exponent(s, len, &i, &exp) || i != len)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"\"%s\" is not a number",
					shown(s, len, buf, sizeof(buf)));
	*v = scale(mant, exp);
	if (*v > 1.7976931348623157e308)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"\"%s\" is too large",
					shown(s, len, buf, sizeof(buf)));
	if (neg && *v != 0.0)
		*v = -*v;
	return 0;
}
