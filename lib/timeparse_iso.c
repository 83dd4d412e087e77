/*
 * timeparse_iso.c: ISO 8601 UTC times in the forms of carbon/timeparse.h.
 *
 * One parser for the cache record, carbon.conf, CSV traces, providers'
 * answers and the decision record, so that a date check or an offset rule
 * fixed once is fixed for all of them.  The forms differ only in what they
 * let through, so each is a row of flags; the order of the checks (syntax,
 * then fields, then the range) decides which error a bad time gets.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "carbon/timeparse.h"

static const struct iso_form {
	bool date_only;	   /* YYYY-MM-DD alone (and with Z) is midnight */
	bool need_seconds; /* :SS may not be left out */
	bool need_z;	   /* nothing after the time is not UTC enough */
	bool lenient;	   /* 't', ' ', 'z', fractions and offsets */
	const char *hint;
} forms[] = {
	[CARBON_TIMEPARSE_ISO_EXACT] = {false, true, true, false,
					"use YYYY-MM-DDTHH:MM:SSZ"},
	[CARBON_TIMEPARSE_ISO_DATE] = {true, false, false, false,
				       "use YYYY-MM-DD[THH:MM[:SS]][Z]"},
	[CARBON_TIMEPARSE_ISO_TRACE] =
		{false, false, false, true,
		 "use YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]"},
};

struct iso {
	const char *s;
	size_t len;
	size_t i; /* next byte to read */
	const struct iso_form *f;
	int y, mo, d, h, mi, sec;
	int off; /* seconds east of UTC */
};

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

static bool left(const struct iso *p, size_t n)
{
	return p->len - p->i >= n;
}

static bool at(const struct iso *p, char c)
{
	return p->i < p->len && p->s[p->i] == c;
}

/* [:SS[{.|,}DIGITS]] after HH:MM; a fraction is read and dropped. */
static bool read_seconds(struct iso *p)
{
	size_t start;

	if (!at(p, ':'))
		return !p->f->need_seconds;
	if (!left(p, 3) || !digits(p->s + p->i + 1, 2, &p->sec))
		return false;
	p->i += 3;
	if (!p->f->lenient || (!at(p, '.') && !at(p, ',')))
		return true;
	start = ++p->i;
	while (p->i < p->len && is_digit(p->s[p->i]))
		p->i++;
	return p->i > start;
}

/* Nothing, Z, or (lenient) z or {+|-}HH[[:]MM]. */
static bool read_zone(struct iso *p)
{
	int sign, oh, om = 0;

	if (p->i == p->len)
		return !p->f->need_z;
	if (at(p, 'Z') || (p->f->lenient && at(p, 'z'))) {
		p->i++;
		return true;
	}
	if (!p->f->lenient || (!at(p, '+') && !at(p, '-')))
		return false;
	sign = at(p, '-') ? -1 : 1;
	if (!left(p, 3) || !digits(p->s + p->i + 1, 2, &oh))
		return false;
	p->i += 3;
	if (p->i < p->len) {
		if (at(p, ':'))
			p->i++;
		if (!left(p, 2) || !digits(p->s + p->i, 2, &om))
			return false;
		p->i += 2;
	}
	if (oh > 23 || om > 59)
		return false;
	p->off = sign * (oh * 3600 + om * 60);
	return true;
}

static bool time_separator(const struct iso *p, char c)
{
	return c == 'T' || (p->f->lenient && (c == 't' || c == ' '));
}

static bool read_all(struct iso *p)
{
	const char *s = p->s;

	if (p->len < 10 || !digits(s, 4, &p->y) || s[4] != '-' ||
	    !digits(s + 5, 2, &p->mo) || s[7] != '-' ||
	    !digits(s + 8, 2, &p->d))
		return false;
	if (p->f->date_only && (p->len == 10 || (p->len == 11 && s[10] == 'Z')))
		return true;
	if (p->len < 16 || !time_separator(p, s[10]) ||
	    !digits(s + 11, 2, &p->h) || s[13] != ':' ||
	    !digits(s + 14, 2, &p->mi))
		return false;
	p->i = 16;
	return read_seconds(p) && read_zone(p) && p->i == p->len;
}

static int iso_error(const struct iso *p, int code, const char *why, char *err,
		     size_t errlen)
{
	char buf[48];

	return carbon_error_set(
		err, errlen, code, "\"%s\" %s; %s",
		carbon_error_shown(p->s, p->len, buf, sizeof(buf)), why,
		p->f->hint);
}

int carbon_timeparse_iso(const char *s, size_t len,
			 enum carbon_timeparse_iso form, int64_t *t, char *err,
			 size_t errlen)
{
	struct iso p = {.s = s, .len = len};
	struct tm tm = {0}, back;
	int64_t utc;

	if (!s || !t || (unsigned)form >= sizeof(forms) / sizeof(forms[0]))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"time: internal error: bad arguments");
	p.f = &forms[form];
	if (!read_all(&p))
		return iso_error(&p, CARBON_EINVAL, "is not a time", err,
				 errlen);
	tm.tm_year = p.y - 1900;
	tm.tm_mon = p.mo - 1;
	tm.tm_mday = p.d;
	tm.tm_hour = p.h;
	tm.tm_min = p.mi;
	tm.tm_sec = p.sec;
	/* a day past the month's end comes back as another day */
	if (p.mo < 1 || p.mo > 12 || p.d < 1 || p.d > 31 || p.h > 23 ||
	    p.mi > 59 || p.sec > 59 || carbon_time_from_utc_tm(&tm, &utc) ||
	    carbon_time_to_utc_tm(utc, &back) || back.tm_mday != p.d)
		return iso_error(&p, CARBON_ERANGE, "has a field out of range",
				 err, errlen);
	if (utc - p.off < 0 || utc - p.off > CARBON_TIME_MAX)
		return iso_error(&p, CARBON_ERANGE, "is outside 1970..9999",
				 err, errlen);
	*t = utc - p.off;
	return 0;
}

int carbon_time_format_iso(int64_t t, char *buf, size_t len)
{
	struct tm tm;
	int n;

	if (len)
		buf[0] = '\0';
	if (t < 0 || t > CARBON_TIME_MAX || carbon_time_to_utc_tm(t, &tm))
		return CARBON_ERANGE;
	n = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec);
	if (n < 0 || (size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return CARBON_ETOOLONG;
	}
	return 0;
}
