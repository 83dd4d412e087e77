/*
 * swf.c: the Standard Workload Format reader (see carbon/swf.h).
 *
 * Numbers are scanned by hand with a bound on their digits, so no input
 * can overflow, and a field is either a whole token or an error: "12x",
 * "--1", "1e3" and "inf" are all refused.
 */
#include <stdio.h>
#include <string.h>

#include "carbon/swf.h"

/* Names for messages, in file order. */
static const char *const field_names[CARBON_SWF_FIELDS] = {
	"job number",
	"submit time",
	"wait time",
	"run time",
	"allocated processors",
	"average CPU time",
	"used memory",
	"requested processors",
	"requested time",
	"requested memory",
	"status",
	"user",
	"group",
	"executable",
	"queue",
	"partition",
	"preceding job",
	"think time",
};

/* Fields that may carry a fraction: average CPU time, the two memories. */
static bool may_have_fraction(int f)
{
	return f == 5 || f == 6 || f == 9;
}

void carbon_swf_reader_init(struct carbon_swf_reader *r, const char *buf,
			    size_t len)
{
	memset(r, 0, sizeof(*r));
	r->buf = buf;
	r->len = buf ? len : 0;
	r->header.max_procs = -1;
	r->header.max_nodes = -1;
	r->header.unix_start_time = -1;
	r->header.time_zone = -1;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A value as written: sign, integer part, and whether a nonzero fraction
 * followed. */
struct number {
	int64_t whole;
	double frac; /* 0 <= frac < 1 */
	bool neg;
	bool has_frac;
};

/* Scan tok[0..n) as [-]DIGITS[.DIGITS] or [-].DIGITS. */
static int scan_number(const char *tok, size_t n, struct number *v)
{
	size_t i = 0, digits = 0;
	double scale = 0.1;

	memset(v, 0, sizeof(*v));
	if (i < n && tok[i] == '-') {
		v->neg = true;
		i++;
	}
	for (; i < n && is_digit(tok[i]); i++, digits++) {
		if (v->whole > CARBON_SWF_VALUE_MAX)
			continue;
		v->whole = v->whole * 10 + (tok[i] - '0');
	}
	if (i < n && tok[i] == '.') {
		for (i++; i < n && is_digit(tok[i]); i++, digits++) {
			v->frac += (tok[i] - '0') * scale;
			scale *= 0.1;
		}
	}
	if (i != n || digits == 0)
		return CARBON_EINVAL;
	if (v->whole > CARBON_SWF_VALUE_MAX)
		return CARBON_ERANGE;
	v->has_frac = v->frac > 0.0;
	return 0;
}

static int bad_field(size_t lineno, int f, const char *tok, size_t n, int code,
		     const char *why, char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, code,
				"line %zu: field %d (%s) \"%.*s\": %s", lineno,
				f + 1, field_names[f], (int)(n > 24 ? 24 : n),
				tok, why);
}

/* Check and convert one token into its field. */
static int set_field(struct carbon_swf_job *job, int f, const char *tok,
		     size_t n, size_t lineno, char *err, size_t errlen)
{
	int64_t *ints[CARBON_SWF_FIELDS] = {
		&job->id,	   &job->submit, &job->wait,   &job->run,
		&job->alloc_procs, NULL,	 NULL,	       &job->req_procs,
		&job->req_time,	   NULL,	 &job->status, &job->user,
		&job->group,	   &job->app,	 &job->queue,  &job->partition,
		&job->preceding,   &job->think,
	};
	struct number v;
	int rc = scan_number(tok, n, &v);

	if (rc == CARBON_ERANGE)
		return bad_field(lineno, f, tok, n, rc, "too large", err,
				 errlen);
	if (rc)
		return bad_field(lineno, f, tok, n, rc, "not a number", err,
				 errlen);
	if (v.neg && !(v.whole == 1 && !v.has_frac) &&
	    !(v.whole == 0 && !v.has_frac))
		return bad_field(lineno, f, tok, n, CARBON_ERANGE,
				 "negative (only -1 means unknown)", err,
				 errlen);
	if (v.has_frac && !may_have_fraction(f))
		return bad_field(lineno, f, tok, n, CARBON_EINVAL,
				 "a fraction where a whole number belongs", err,
				 errlen);
	if (ints[f]) {
		*ints[f] = v.neg ? -v.whole : v.whole;
		return 0;
	}
	{
		double d = (double)v.whole + v.frac;
		double *dst =
			f == 5 ? &job->avg_cpu
			       : (f == 6 ? &job->used_mem : &job->req_mem);

		*dst = v.neg ? -d : d;
	}
	return 0;
}

int carbon_swf_parse_line(const char *s, size_t len, size_t lineno,
			  struct carbon_swf_job *job, char *err, size_t errlen)
{
	struct carbon_swf_job j;
	size_t i = 0;
	int f = 0, rc;

	if (!s || !job)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"line %zu: internal error: bad "
					"arguments",
					lineno);
	if (len > CARBON_SWF_LINE_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"line %zu: longer than %d bytes",
					lineno, CARBON_SWF_LINE_MAX);
	memset(&j, 0, sizeof(j));
	while (i < len) {
		size_t start;

		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(s[i]))
			i++;
		if (f == CARBON_SWF_FIELDS)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"line %zu: more than %d fields",
						lineno, CARBON_SWF_FIELDS);
		rc = set_field(&j, f, s + start, i - start, lineno, err,
			       errlen);
		if (rc)
			return rc;
		f++;
	}
	if (f != CARBON_SWF_FIELDS)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"line %zu: %d fields, SWF has %d",
					lineno, f, CARBON_SWF_FIELDS);
	j.line = lineno;
	*job = j;
	return 0;
}

/* "; Key: 123" for the keys we keep; anything else is a comment. */
static void parse_header(struct carbon_swf_header *h, const char *s, size_t len)
{
	static const struct {
		const char *key;
		size_t off;
	} keys[] = {
		{"MaxProcs:", offsetof(struct carbon_swf_header, max_procs)},
		{"MaxNodes:", offsetof(struct carbon_swf_header, max_nodes)},
		{"UnixStartTime:",
		 offsetof(struct carbon_swf_header, unix_start_time)},
		{"TimeZone:", offsetof(struct carbon_swf_header, time_zone)},
	};
	size_t i = 1;

	while (i < len && is_space(s[i]))
		i++;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t kl = strlen(keys[k].key), e;
		struct number v;

		if (len - i < kl || memcmp(s + i, keys[k].key, kl))
			continue;
		i += kl;
		while (i < len && is_space(s[i]))
			i++;
		for (e = len; e > i && is_space(s[e - 1]); e--)
			;
		if (e > i && !scan_number(s + i, e - i, &v) && !v.has_frac)
			*(int64_t *)((char *)h + keys[k].off) =
				v.neg ? -v.whole : v.whole;
		return;
	}
}

/* The next line's bytes [*start, *start + *n); false at the end. */
static bool next_line(struct carbon_swf_reader *r, size_t *start, size_t *n)
{
	const char *nl;

	if (r->pos >= r->len)
		return false;
	*start = r->pos;
	nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
	*n = (nl ? (size_t)(nl - r->buf) : r->len) - r->pos;
	r->pos += *n + (nl ? 1 : 0);
	r->line++;
	return true;
}

int carbon_swf_next(struct carbon_swf_reader *r, struct carbon_swf_job *job,
		    bool *got, char *err, size_t errlen)
{
	size_t start, n, i;
	int rc;

	if (!r || !job || !got)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"swf: internal error: bad arguments");
	*got = false;
	while (next_line(r, &start, &n)) {
		const char *s = r->buf + start;

		for (i = 0; i < n && is_space(s[i]); i++)
			;
		if (i == n)
			continue;
		if (s[i] == ';') {
			parse_header(&r->header, s + i, n - i);
			continue;
		}
		if (memchr(s, '\0', n))
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"line %zu: a NUL byte",
						r->line);
		rc = carbon_swf_parse_line(s, n, r->line, job, err, errlen);
		if (rc)
			return rc;
		*got = true;
		return 0;
	}
	return 0;
}
