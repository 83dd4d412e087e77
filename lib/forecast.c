/*
 * forecast.c: the Carbon Aware SDK's forecast question over one zone's
 * series (see carbon/forecast.h): its query parameters, the forecast part
 * of a record, and the rolling windows with their optimum.  The windows
 * are carbon_series_mean() at carbon_series_best_window()'s candidates,
 * so the optimum this answers is the one the placement policy would find.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "carbon/forecast.h"
#include "carbon/timeparse.h"

/* check_value() caps every value at a name's length */
_Static_assert(CARBON_VALUE_MAX <= CARBON_RECORD_NAME_MAX,
	       "a location value fits in a name");

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The relative tolerance under which two windows tie (as in series.c). */
#define TIE_TOLERANCE 1e-9

#define TIME_HINT                                                      \
	"use an ISO 8601 time such as 2026-11-23T08:00:00Z or "        \
	"2026-11-23T09:00:00+01:00 (no offset: UTC; in a URL, '+' is " \
	"%%2B)"

enum param {
	P_LOCATION,
	P_START,
	P_END,
	P_WINDOW,
};

static const char *const names[] = {
	[P_LOCATION] = "location",
	[P_START] = "dataStartAt",
	[P_END] = "dataEndAt",
	[P_WINDOW] = "windowSize",
};

void carbon_forecast_query_init(struct carbon_forecast_query *q)
{
	if (q)
		memset(q, 0, sizeof(*q));
}

/* Only printable ASCII, at most CARBON_VALUE_MAX bytes. */
static int check_value(const char *name, const char *v, size_t n, char *err,
		       size_t errlen)
{
	if (n > CARBON_VALUE_MAX)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: value longer than %d characters",
					name, CARBON_VALUE_MAX);
	for (size_t i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"%s: value contains a control or non-ASCII "
				"character (byte %zu)",
				name, i);
	return 0;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

static int add_location(struct carbon_forecast_query *q, const char *v,
			size_t n, char *err, size_t errlen)
{
	if (n == 0) /* the SDK skips empty locations */
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!name_char(v[i]))
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"location: \"%.*s\" is not a zone or cluster "
				"name; use 1-%d of [A-Za-z0-9_.-]",
				(int)n, v, CARBON_RECORD_NAME_MAX);
	if (q->n_locations == CARBON_FORECAST_LOCATIONS_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"location: at most %d locations a "
					"request",
					CARBON_FORECAST_LOCATIONS_MAX);
	memcpy(q->location[q->n_locations], v, n);
	q->location[q->n_locations][n] = '\0';
	q->n_locations++;
	return 0;
}

/* An ISO 8601 time; an unencoded '+' of an offset arrives as ' '. */
static int read_time(const char *name, const char *v, size_t n, int64_t *t,
		     char *err, size_t errlen)
{
	char buf[CARBON_VALUE_MAX + 1], msg[256];
	int rc;

	memcpy(buf, v, n);
	buf[n] = '\0';
	for (size_t i = 11; i < n; i++) /* after the date's separator */
		if (buf[i] == ' ')
			buf[i] = '+';
	rc = carbon_timeparse_iso(buf, n,
				  n == 10 ? CARBON_TIMEPARSE_ISO_DATE
					  : CARBON_TIMEPARSE_ISO_TRACE,
				  t, msg, sizeof(msg));
	if (rc == CARBON_ERANGE)
		return carbon_error_set(err, errlen, rc, "%s: %s", name, msg);
	if (rc)
		return carbon_error_set(err, errlen, rc,
					"%s: \"%s\" is not a time; " TIME_HINT,
					name, buf);
	return 0;
}

static bool all_digits(const char *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return n > 0;
}

static int read_window(const char *v, size_t n, int64_t *secs, char *err,
		       size_t errlen)
{
	int64_t m = 0;

	if (!all_digits(v, n))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"windowSize: \"%.*s\" is not a number "
					"of minutes; use whole minutes from 1 "
					"to %d (0: one data point)",
					(int)n, v, CARBON_FORECAST_WINDOW_MAX);
	for (size_t i = 0; i < n && m <= CARBON_FORECAST_WINDOW_MAX; i++)
		m = m * 10 + (v[i] - '0');
	if (m > CARBON_FORECAST_WINDOW_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"windowSize: %.*s minutes is too long; "
					"use whole minutes from 1 to %d (0: "
					"one data point)",
					(int)n, v, CARBON_FORECAST_WINDOW_MAX);
	*secs = m * 60;
	return 0;
}

static int find_param(const char *key, size_t klen)
{
	for (size_t i = 0; i < N(names); i++)
		if (strlen(names[i]) == klen &&
		    !strncasecmp(key, names[i], klen))
			return (int)i;
	return -1;
}

int carbon_forecast_query_add(struct carbon_forecast_query *q, const char *key,
			      size_t klen, const char *value, size_t vlen,
			      const char **param, char *err, size_t errlen)
{
	char shown[48];
	const char *name;
	bool *has;
	int k, rc;

	if (!q || !key || !param || (!value && vlen))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"forecast: internal error: bad "
					"arguments");
	*param = NULL;
	if (!value)
		value = "";
	k = find_param(key, klen);
	if (k < 0)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"\"%s\" is not a parameter of this endpoint; use "
			"location, dataStartAt, dataEndAt and windowSize",
			carbon_error_shown(key, klen, shown, sizeof(shown)));
	name = *param = names[k];
	rc = check_value(name, value, vlen, err, errlen);
	if (rc)
		return rc;
	if (k == P_LOCATION)
		return add_location(q, value, vlen, err, errlen);
	/* the others are scalars: once each */
	has = k == P_START ? &q->has_start
	      : k == P_END ? &q->has_end
			   : &q->has_window;
	if (*has)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: given twice; give it once", name);
	rc = k == P_WINDOW ? read_window(value, vlen, &q->window, err, errlen)
			   : read_time(name, value, vlen,
				       k == P_START ? &q->start : &q->end, err,
				       errlen);
	*has = !rc;
	return rc;
}

int carbon_forecast_query_finish(const struct carbon_forecast_query *q,
				 const char **param, char *err, size_t errlen)
{
	if (!q || !param)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"forecast: internal error: bad "
					"arguments");
	*param = NULL;
	if (q->n_locations)
		return 0;
	*param = names[P_LOCATION];
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"location: is not set; give one or more "
				"location=ZONE or location=CLUSTER");
}

/* ---- the forecast part of a record ----------------------------------------- */

int carbon_forecast_series(const struct carbon_record *r, carbon_series **out,
			   char *err, size_t errlen)
{
	size_t first = 0;

	if (!r || !out || (r->n_points && !r->points))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"forecast: internal error: bad "
					"arguments");
	*out = NULL;
	while (first < r->n_points && !r->points[first].is_forecast)
		first++;
	if (first == r->n_points)
		return 0;
	/* from the value in force when the provider answered: "now" */
	if (first > 0 && r->points[first - 1].t <= r->fetched_at &&
	    r->fetched_at < r->points[first].t)
		first--;
	return carbon_record_tail_to_series(r, first, NULL, out, err, errlen);
}

/* ---- the windows ------------------------------------------------------------- */

/* How long the point in force at t holds (t is covered). */
static int64_t point_span(const carbon_series *s, int64_t t, int64_t end)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s), lo = 0, hi = n;

	while (hi - lo > 1) { /* the last point at or before t */
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].t <= t)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + 1 < n ? p[lo + 1].t : end) - p[lo].t;
}

static int out_of_range(const char **param, int which, int64_t t, int64_t first,
			int64_t end, char *err, size_t errlen)
{
	char a[24], b[24], c[24];

	*param = names[which];
	if (carbon_time_format_iso(t, a, sizeof(a)) ||
	    carbon_time_format_iso(first, b, sizeof(b)) ||
	    carbon_time_format_iso(end, c, sizeof(c)))
		a[0] = b[0] = c[0] = '\0';
	return carbon_error_set(err, errlen, CARBON_ERANGE,
				"%s: %s is outside the forecast; use a time "
				"from %s through %s",
				names[which], a, b, c);
}

/* Resolve dataStartAt, dataEndAt and windowSize against s. */
static int resolve(const carbon_series *s,
		   const struct carbon_forecast_query *q,
		   struct carbon_forecast_result *r, const char **param,
		   char *err, size_t errlen)
{
	int64_t first, end;
	int rc = carbon_series_bounds(s, &first, &end, err, errlen);

	if (rc)
		return rc;
	r->start = q->has_start ? q->start : first;
	r->end = q->has_end ? q->end : end;
	if (r->start < first || r->start > end)
		return out_of_range(param, P_START, r->start, first, end, err,
				    errlen);
	if (r->end < first || r->end > end)
		return out_of_range(param, P_END, r->end, first, end, err,
				    errlen);
	if (r->start >= r->end) {
		*param = names[P_START];
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"dataStartAt: must be earlier than "
					"dataEndAt");
	}
	r->window = q->window ? q->window : point_span(s, r->start, end);
	return 0;
}

/* The candidate starts: r->start, then each point time after it whose
 * window still ends by r->end. */
static size_t count_starts(const carbon_series *s,
			   const struct carbon_forecast_result *r, size_t *from)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s), i = 0, k = 1;

	while (i < n && p[i].t <= r->start)
		i++;
	*from = i;
	for (; i < n && p[i].t <= r->end - r->window; i++)
		k++;
	return k;
}

static int fill_windows(const carbon_series *s,
			struct carbon_forecast_result *r, size_t from,
			char *err, size_t errlen)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	int64_t t = r->start;
	int rc = 0;

	for (size_t k = 0; k < r->n_points && !rc; k++) {
		struct carbon_forecast_point *w = &r->points[k];

		if (k > 0)
			t = p[from + k - 1].t;
		w->t = t;
		w->duration = r->window;
		rc = carbon_series_mean(s, t, t + r->window, &w->value, err,
					errlen);
	}
	return rc;
}

/* Mark the windows that tie carbon_series_best_window()'s answer. */
static int mark_optimal(const carbon_series *s,
			struct carbon_forecast_result *r, char *err,
			size_t errlen)
{
	struct carbon_series_window best;
	int rc = carbon_series_best_window(s, r->start, r->end, r->window,
					   &best, err, errlen);
	double bar;

	if (rc)
		return rc;
	bar = best.mean + TIE_TOLERANCE * best.mean;
	for (size_t k = 0; k < r->n_points; k++) {
		struct carbon_forecast_point *w = &r->points[k];

		w->optimal = w->t == best.start || w->value <= bar;
		r->n_optimal += w->optimal;
	}
	return 0;
}

int carbon_forecast_compute(const carbon_series *s,
			    const struct carbon_forecast_query *q,
			    struct carbon_forecast_result *out,
			    const char **param, char *err, size_t errlen)
{
	struct carbon_forecast_result r = {0};
	size_t from = 0, n;
	int rc;

	if (!s || !q || !out || !param)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"forecast: internal error: bad "
					"arguments");
	*param = NULL;
	rc = resolve(s, q, &r, param, err, errlen);
	if (rc)
		return rc;
	if (r.window > r.end - r.start) { /* no window fits: none */
		*out = r;
		return 0;
	}
	n = count_starts(s, &r, &from);
	if (n > CARBON_FORECAST_POINTS_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"forecast: %zu windows, more than %d; "
					"narrow dataStartAt..dataEndAt",
					n, CARBON_FORECAST_POINTS_MAX);
	r.points = calloc(n, sizeof(*r.points));
	if (!r.points)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"forecast: out of memory");
	r.n_points = n;
	rc = fill_windows(s, &r, from, err, errlen);
	if (!rc)
		rc = mark_optimal(s, &r, err, errlen);
	if (rc) {
		carbon_forecast_result_clear(&r);
		return rc;
	}
	*out = r;
	return 0;
}

void carbon_forecast_result_clear(struct carbon_forecast_result *out)
{
	if (!out)
		return;
	free(out->points);
	memset(out, 0, sizeof(*out));
}
