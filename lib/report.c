/*
 * scarbon's report: job facts grouped and added up (carbon/report.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/report.h"

static const char *const by_names[] = {"user", "account", "cluster",
				       "partition", "day"};
#define N_BY (sizeof(by_names) / sizeof(by_names[0]))

int carbon_report_by_parse(const char *s, enum carbon_report_by *by, char *err,
			   size_t errlen)
{
	for (size_t i = 0; s && by && i < N_BY; i++)
		if (!strcmp(s, by_names[i])) {
			*by = (enum carbon_report_by)i;
			return 0;
		}
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"--by: \"%s\" is not a grouping; use user, "
				"account, cluster, partition or day",
				s ? s : "");
}

const char *carbon_report_by_name(enum carbon_report_by by)
{
	return (unsigned)by < N_BY ? by_names[by] : "?";
}

/* The civil UTC date of t (Howard Hinnant's days-to-civil). */
static void day_of(int64_t t, char *buf, size_t len)
{
	int64_t z = (t >= 0 ? t : t - 86399) / 86400 + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	snprintf(buf, len, "%04lld-%02lld-%02lld", (long long)y, (long long)m,
		 (long long)d);
}

static void key_of(const struct carbon_report_job *j, enum carbon_report_by by,
		   char *key, size_t len)
{
	const char *s = NULL;

	switch (by) {
	case CARBON_REPORT_BY_USER:
		s = j->user;
		break;
	case CARBON_REPORT_BY_ACCOUNT:
		s = j->account;
		break;
	case CARBON_REPORT_BY_CLUSTER:
		s = j->cluster;
		break;
	case CARBON_REPORT_BY_PARTITION:
		s = j->partition;
		break;
	case CARBON_REPORT_BY_DAY:
		day_of(j->ran ? j->start : j->submit, key, len);
		return;
	}
	snprintf(key, len, "%s", s && *s ? s : "(none)");
}

static void add(struct carbon_report_row *r, const struct carbon_report_job *j)
{
	r->jobs++;
	if (j->ran && j->end >= j->start) {
		r->ran++;
		r->core_h += j->cores * (double)(j->end - j->start) / 3600.0;
	}
	if (j->has_fp) {
		r->with_fp++;
		r->kwh += j->kwh;
		r->kg += j->g / 1000.0;
		r->kg_saved += j->saved_g / 1000.0;
	}
	if (j->deferred) {
		r->deferred++;
		if (j->eligible > j->submit)
			r->wait_added_h +=
				(double)(j->eligible - j->submit) / 3600.0;
	}
	if (j->moved)
		r->moved++;
}

static int cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct carbon_report_row *)a)->key,
		      ((const struct carbon_report_row *)b)->key);
}

/* The row of key in rows[0..*n) (sorted), inserted when new; NULL: full. */
static struct carbon_report_row *row_for(struct carbon_report_row *rows,
					 size_t *n, const char *key)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rows[mid].key, key);

		if (!c)
			return &rows[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&rows[lo + 1], &rows[lo], (*n - lo) * sizeof(rows[0]));
	memset(&rows[lo], 0, sizeof(rows[0]));
	snprintf(rows[lo].key, sizeof(rows[lo].key), "%s", key);
	(*n)++;
	return &rows[lo];
}

int carbon_report_build(const struct carbon_report_job *jobs, size_t n,
			enum carbon_report_by by,
			struct carbon_report_row **rows, size_t *nrows,
			struct carbon_report_row *total, char *err,
			size_t errlen)
{
	struct carbon_report_row *r = NULL, t = {.key = "total"};
	size_t cap =
		n < CARBON_REPORT_GROUPS_MAX ? n : CARBON_REPORT_GROUPS_MAX;
	size_t k = 0;

	if ((!jobs && n) || !rows || !nrows || !total || (unsigned)by >= N_BY)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"report: bad arguments");
	r = calloc(cap + 1, sizeof(*r));
	if (!r)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"report: out of memory");
	for (size_t i = 0; i < n; i++) {
		char key[CARBON_REPORT_KEY_MAX + 1];
		struct carbon_report_row *g;

		key_of(&jobs[i], by, key, sizeof(key));
		if (k == cap && !bsearch(&key, r, k, sizeof(*r), cmp_row)) {
			free(r);
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"report: more than %d groups",
						CARBON_REPORT_GROUPS_MAX);
		}
		g = row_for(r, &k, key);
		add(g, &jobs[i]);
		add(&t, &jobs[i]);
	}
	*rows = r;
	*nrows = k;
	*total = t;
	return 0;
}

void carbon_report_free(struct carbon_report_row *rows)
{
	free(rows);
}

double carbon_report_share(size_t part, size_t whole)
{
	return whole ? (double)part / (double)whole : 0;
}

const char *carbon_report_num(double v, int digits, char *buf, size_t len)
{
	double a = fabs(v);
	int prec = 0;

	if (!buf || !len)
		return buf;
	if (digits < 1)
		digits = 1;
	if (digits > 15)
		digits = 15;
	if (!isfinite(v)) {
		snprintf(buf, len, "%s",
			 isnan(v) ? "nan"
			 : v < 0  ? "-inf"
				  : "inf");
		return buf;
	}
	if (a > 0) {
		/* digits before the point: floor(log10(a)) + 1 (may be <= 0) */
		int mag = (int)floor(log10(a)) + 1;

		prec = digits - mag;
		if (prec < 0)
			prec = 0;
		if (prec > 30)
			prec = 30;
	}
	snprintf(buf, len, "%.*f", prec, v);
	/* drop trailing zeros of a fraction, and a bare point */
	if (strchr(buf, '.')) {
		size_t e = strlen(buf);

		while (e > 0 && buf[e - 1] == '0')
			buf[--e] = '\0';
		if (e > 0 && buf[e - 1] == '.')
			buf[--e] = '\0';
	}
	if (!strcmp(buf, "-0"))
		snprintf(buf, len, "0");
	return buf;
}
