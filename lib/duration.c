/*
 * duration.c: Slurm-style durations (see carbon/duration.h).
 *
 * Written from the forms Slurm's time_str2secs() accepts, not from its
 * code: every field is read with an explicit bound, so no input can
 * overflow (Slurm's sscanf("%d") of a long field is undefined).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/duration.h"

/* A field above this is "too long" whatever the limit: keeps sums exact. */
#define FIELD_MAX INT64_C(1000000000000)

struct fields {
	int64_t v[4]; /* in the order written */
	int n;
	bool dash; /* D-H[:M[:S]] */
	bool huge; /* some field exceeded FIELD_MAX */
};

/* Read a run of digits at *p, saturating at FIELD_MAX + 1. */
static bool read_field(const char **p, struct fields *f)
{
	const char *s = *p;
	int64_t v = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v <= FIELD_MAX)
			v = v * 10 + (*s - '0');
	}
	if (v > FIELD_MAX)
		f->huge = true;
	f->v[f->n++] = v;
	*p = s;
	return true;
}

/* M, M:S, H:M:S, D-H, D-H:M, D-H:M:S */
static bool split_slurm(const char *s, struct fields *f)
{
	if (!read_field(&s, f))
		return false;
	if (*s == '-') {
		s++;
		f->dash = true;
		if (!read_field(&s, f))
			return false;
	}
	while (*s == ':' && f->n < (f->dash ? 4 : 3)) {
		s++;
		if (!read_field(&s, f))
			return false;
	}
	return *s == '\0';
}

static bool total_slurm(const char *s, int64_t *secs, bool *huge)
{
	static const int64_t plain[3][3] = {{60}, {60, 1}, {3600, 60, 1}};
	static const int64_t unit_dash[4] = {86400, 3600, 60, 1};
	struct fields f = {0};
	int64_t t = 0;

	if (!split_slurm(s, &f))
		return false;
	for (int i = 0; i < f.n; i++)
		t += f.v[i] * (f.dash ? unit_dash[i] : plain[f.n - 1][i]);
	*secs = t;
	*huge = f.huge;
	return true;
}

/* N followed by one of s, m, h, d. */
static bool total_unit(const char *s, int64_t *secs, bool *huge)
{
	struct fields f = {0};
	int64_t mult;

	if (!read_field(&s, &f) || s[0] == '\0' || s[1] != '\0')
		return false;
	switch (s[0]) {
	case 's':
	case 'S':
		mult = 1;
		break;
	case 'm':
	case 'M':
		mult = 60;
		break;
	case 'h':
	case 'H':
		mult = 3600;
		break;
	case 'd':
	case 'D':
		mult = 86400;
		break;
	default:
		return false;
	}
	*secs = f.v[0] * mult;
	*huge = f.huge;
	return true;
}

static bool total_any(const char *s, int64_t *secs, bool *huge)
{
	return total_slurm(s, secs, huge) || total_unit(s, secs, huge);
}

static bool is_unlimited(const char *s)
{
	return !strcmp(s, "-1") || !strcasecmp(s, "infinite") ||
	       !strcasecmp(s, "unlimited");
}

/* snprintf's result: the length of the whole text. */
static int format_secs(int64_t secs, char *buf, size_t len)
{
	uint64_t a = secs < 0 ? -(uint64_t)secs : (uint64_t)secs;
	const char *sign = secs < 0 ? "-" : "";
	uint64_t days = a / 86400;
	unsigned h = (unsigned)(a / 3600 % 24);
	unsigned m = (unsigned)(a / 60 % 60);
	unsigned s = (unsigned)(a % 60);

	if (days)
		return snprintf(buf, len, "%s%" PRIu64 "-%02u:%02u:%02u", sign,
				days, h, m, s);
	return snprintf(buf, len, "%s%02u:%02u:%02u", sign, h, m, s);
}

int carbon_duration_parse(const char *s, const char *name, int64_t max,
			  int64_t *secs, char *err, size_t errlen)
{
	char maxs[32];
	int64_t t = 0;
	bool huge = false;
	int rc;

	if (!name)
		name = "duration";
	rc = carbon_error_check_value(name, s, CARBON_DURATION_FORMS, err,
				      errlen);
	if (rc)
		return rc;
	if (!secs || max < 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					name);
	/* 24 bytes hold any int64_t: no truncation to check */
	format_secs(max, maxs, sizeof(maxs));
	if (is_unlimited(s))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: \"%s\" (no limit) is not allowed; "
					"use a duration from 0 to %s",
					name, s, maxs);
	if (s[0] == '-' && total_any(s + 1, &t, &huge))
		return carbon_error_set(
			err, errlen, CARBON_ERANGE,
			"%s: \"%s\" is negative; use a duration "
			"from 0 to %s",
			name, s, maxs);
	if (!total_any(s, &t, &huge))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: \"%s\" is not a duration; %s",
					name, s, CARBON_DURATION_FORMS);
	if (huge || t > max)
		return carbon_error_set(
			err, errlen, CARBON_ERANGE,
			"%s: \"%s\" is too long; use a duration "
			"from 0 to %s",
			name, s, maxs);
	*secs = t;
	return 0;
}

int carbon_duration_format(int64_t secs, char *buf, size_t len)
{
	int n;

	if (!buf || len == 0)
		return CARBON_ETOOLONG;
	n = format_secs(secs, buf, len);
	if (n < 0 || (size_t)n >= len)
		return CARBON_ETOOLONG;
	return 0;
}
