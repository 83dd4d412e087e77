/*
 * trace_csv_field.c: the value parser of the CSV trace reader, kept strict
 * and locale-free: strtod() would read "nan", "inf" and hex, and follows
 * LC_NUMERIC in whatever process loads us.  Times are carbon/timeparse.h's
 * (carbon_timeparse_iso(), the TRACE form).
 */
#include <stdbool.h>
#include <stdint.h>

#include "carbon/trace_csv.h"

/* Significant digits kept; the rest only move the exponent. */
#define SIG_DIGITS 19

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
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
		return carbon_error_set(
			err, errlen, CARBON_EINVAL, "\"%s\" is not a number",
			carbon_error_shown(s, len, buf, sizeof(buf)));
	*v = scale(mant, exp);
	if (*v > 1.7976931348623157e308)
		return carbon_error_set(
			err, errlen, CARBON_ERANGE, "\"%s\" is too large",
			carbon_error_shown(s, len, buf, sizeof(buf)));
	if (neg && *v != 0.0)
		*v = -*v;
	return 0;
}
