/*
 * libFuzzer target for carbon_trace_csv_parse() and its field parsers: any
 * bytes, read as CSV by column name and by index, in both bad-row modes,
 * give either a series whose points increase and lie in range and agree
 * with the report, or a negative code with a message and no series.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/timeparse.h"
#include "carbon/timeparse.h"
#include "carbon/trace_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_series(const carbon_series *s,
			 const struct carbon_trace_csv_report *r, bool skip)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);
	double lo = CARBON_SERIES_VALUE_MAX, hi = 0.0, mean;
	int64_t start, end;

	if (!s || n == 0 || n != r->points || r->rows != n + r->bad_rows ||
	    (!skip && r->bad_rows) ||
	    r->n_issues > CARBON_TRACE_CSV_ISSUES_MAX ||
	    (r->n_issues < CARBON_TRACE_CSV_ISSUES_MAX &&
	     r->n_issues != r->bad_rows) ||
	    r->non_monotonic + r->duplicates > r->bad_rows || r->gaps >= n ||
	    (n > 1 && r->largest_gap < r->cadence))
		abort();
	for (size_t i = 0; i < r->n_issues; i++)
		if (strncmp(r->issues[i].msg, "line ", 5) ||
		    r->issues[i].code >= 0 ||
		    r->issues[i].code < CARBON_ERROR_LAST)
			abort();
	for (size_t i = 0; i < n; i++) {
		if (p[i].t < 0 || p[i].t > CARBON_TIME_MAX ||
		    (i && p[i].t <= p[i - 1].t) || !(p[i].value >= 0.0) ||
		    p[i].value > CARBON_SERIES_VALUE_MAX || p[i].is_forecast)
			abort();
		lo = p[i].value < lo ? p[i].value : lo;
		hi = p[i].value > hi ? p[i].value : hi;
	}
	if (carbon_series_bounds(s, &start, &end, NULL, 0) ||
	    carbon_series_mean(s, start, end, &mean, NULL, 0) ||
	    mean < lo - 1e-9 * hi - 1e-9 || mean > hi + 1e-9 * hi + 1e-9)
		abort();
}

static void run(const char *buf, size_t len,
		const struct carbon_trace_csv_options *base)
{
	struct carbon_trace_csv_options o = *base;
	struct carbon_trace_csv_report r;
	carbon_series *s[2] = {NULL, NULL};
	char err[256];

	for (int skip = 0; skip < 2; skip++) {
		int rc;

		o.skip_bad_rows = skip;
		err[0] = '\0';
		rc = carbon_trace_csv_parse(buf, len, &o, &s[skip], &r, err,
					    sizeof(err));
		if (rc == 0)
			check_series(s[skip], &r, skip);
		else if (rc > 0 || rc < CARBON_ERROR_LAST || s[skip] || !err[0])
			abort();
	}
	/* a clean parse is the same whether bad rows are skipped or not */
	if (s[0] &&
	    (!s[1] || carbon_series_count(s[0]) != carbon_series_count(s[1]) ||
	     memcmp(carbon_series_points_peek(s[0]),
		    carbon_series_points_peek(s[1]),
		    carbon_series_count(s[0]) *
			    sizeof(struct carbon_series_point))))
		abort();
	carbon_series_free(s[0]);
	carbon_series_free(s[1]);
}

static void fields(const char *buf, size_t len)
{
	int64_t t;
	double v;

	if (carbon_timeparse_iso(buf, len, CARBON_TIMEPARSE_ISO_TRACE, &t, NULL,
				 0) == 0 &&
	    (t < 0 || t > CARBON_TIME_MAX))
		abort();
	if (carbon_trace_csv_parse_value(buf, len, &v, NULL, 0) == 0 &&
	    !(v == v && v - v == 0.0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_trace_csv_options o = {
		.time = {"t", -1},
		.value = {"v", -1},
		.estimated = {"e", -1},
		.meta = {.signal = CARBON_SIGNAL_AVERAGE,
			 .basis = CARBON_BASIS_LIFECYCLE},
	};
	/* a copy, so reads past size are caught exactly */
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	fields(buf, size < 128 ? size : 128);
	run(buf, size, &o);
	o.estimated = (struct carbon_trace_csv_column){NULL, -1};
	run(buf, size, &o);
	o.time = (struct carbon_trace_csv_column){NULL, 0};
	o.value = (struct carbon_trace_csv_column){NULL, 1};
	o.estimated = (struct carbon_trace_csv_column){NULL, 2};
	run(buf, size, &o);
	o.time = (struct carbon_trace_csv_column){NULL, 1};
	o.value = (struct carbon_trace_csv_column){NULL, 0};
	o.estimated = (struct carbon_trace_csv_column){NULL, -1};
	run(buf, size, &o);
	free(buf);
	return 0;
}
