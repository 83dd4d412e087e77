/*
 * series_derive.c: series made from another series: resampling to a fixed
 * cadence, and the seasonal-naive fallback forecast.  Built on the public
 * series API only; the new series allocate through the source's port.
 */
#include <stdio.h>
#include <string.h>

#include "carbon/series.h"
#include "carbon/timeparse.h"

#define DAY_SECS INT64_C(86400)

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
	return -floor_div(-a, b);
}

static int bad_arguments(char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"series: internal error: bad arguments");
}

/* OR the flags of every point of s that overlaps [x, x + len) into p. */
static void slot_flags(const carbon_series *s, size_t *k, int64_t x,
		       int64_t len, struct carbon_series_point *p)
{
	const struct carbon_series_point *pts = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);

	while (*k + 1 < n && pts[*k + 1].t <= x)
		(*k)++;
	for (size_t m = *k; m < n && pts[m].t < x + len; m++) {
		p->is_forecast = p->is_forecast || pts[m].is_forecast;
		p->is_estimated = p->is_estimated || pts[m].is_estimated;
	}
}

/* Fill r with one point per slot in [first, last); the slots are covered. */
static int fill_slots(const carbon_series *s, carbon_series *r, int64_t first,
		      int64_t last, int64_t cadence, char *err, size_t errlen)
{
	size_t k = 0;
	int rc;

	for (int64_t x = first; x < last; x += cadence) {
		struct carbon_series_point p = {.t = x};

		slot_flags(s, &k, x, cadence, &p);
		rc = carbon_series_mean(s, x, x + cadence, &p.value, err,
					errlen);
		if (!rc)
			rc = carbon_series_append(r, &p, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

int carbon_series_resample(const carbon_series *s, int64_t cadence,
			   carbon_series **out, char *err, size_t errlen)
{
	struct carbon_series_meta meta;
	carbon_series *r;
	int64_t start, end, first, last;
	int rc;

	if (!s || !out)
		return bad_arguments(err, errlen);
	if (cadence < 1 || cadence > CARBON_SERIES_SPAN_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series: cadence %lld s is not within "
					"1..%lld",
					(long long)cadence,
					(long long)CARBON_SERIES_SPAN_MAX);
	rc = carbon_series_bounds(s, &start, &end, err, errlen);
	if (rc)
		return rc;
	first = ceil_div(start, cadence) * cadence;
	last = floor_div(end, cadence) * cadence;
	if (last <= first)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series %s: no whole %lld s slot in "
					"its %lld s",
					carbon_series_meta_peek(s)->source,
					(long long)cadence,
					(long long)(end - start));
	if ((last - first) / cadence > (int64_t)CARBON_SERIES_MAX_POINTS)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series: resampling to %lld s would "
					"make more than %zu points",
					(long long)cadence,
					CARBON_SERIES_MAX_POINTS);
	meta = *carbon_series_meta_peek(s);
	if (meta.origin != CARBON_SERIES_FALLBACK_FORECAST)
		meta.origin = CARBON_SERIES_RESAMPLED;
	meta.default_span = cadence;
	r = carbon_series_new_like(s, &meta);
	if (!r)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"series: out of memory");
	rc = fill_slots(s, r, first, last, cadence, err, errlen);
	if (rc) {
		carbon_series_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* The median of v[0..n), n >= 1; sorts v (n is at most a few dozen). */
static double median(double *v, int n)
{
	for (int i = 1; i < n; i++) {
		double x = v[i];
		int j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* The forecast for slot [x, x + len) from hist, which ends at hend. */
static int seasonal_value(const carbon_series *hist, int64_t hend, int64_t x,
			  int64_t len, int days, double *value, char *err,
			  size_t errlen)
{
	double samples[CARBON_SERIES_FORECAST_DAYS_MAX];
	/* the most recent day whose slot ends inside the history */
	int64_t k0 = x + len > hend ? ceil_div(x + len - hend, DAY_SECS) : 1;
	int n = 0;

	for (int64_t k = k0; k < k0 + days; k++) {
		int64_t a = x - k * DAY_SECS;

		if (carbon_series_covers(hist, a, a + len) &&
		    !carbon_series_mean(hist, a, a + len, &samples[n], NULL, 0))
			n++;
	}
	if (n == 0)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series %s: no day of history for "
					"the forecast slot at %lld",
					carbon_series_meta_peek(hist)->source,
					(long long)x);
	*value = median(samples, n);
	return 0;
}

static int fill_forecast(const carbon_series *hist, carbon_series *r,
			 int64_t from, int64_t slots, int64_t cadence, int days,
			 char *err, size_t errlen)
{
	int64_t hstart, hend;
	int rc = carbon_series_bounds(hist, &hstart, &hend, err, errlen);

	for (int64_t i = 0; !rc && i < slots; i++) {
		struct carbon_series_point p = {
			.t = from + i * cadence,
			.is_forecast = true,
		};

		rc = seasonal_value(hist, hend, p.t, cadence, days, &p.value,
				    err, errlen);
		if (!rc)
			rc = carbon_series_append(r, &p, err, errlen);
	}
	return rc;
}

int carbon_series_forecast_seasonal(const carbon_series *hist, int64_t from,
				    int64_t to, int64_t cadence, int days,
				    carbon_series **out, char *err,
				    size_t errlen)
{
	struct carbon_series_meta meta;
	carbon_series *r;
	int64_t slots;
	int rc;

	if (!hist || !out)
		return bad_arguments(err, errlen);
	if (days < 1 || days > CARBON_SERIES_FORECAST_DAYS_MAX || cadence < 1 ||
	    cadence > DAY_SECS)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series: forecast over %d days every "
					"%lld s: use 1..%d days and 1..86400 s",
					days, (long long)cadence,
					CARBON_SERIES_FORECAST_DAYS_MAX);
	if (from < 0 || to > CARBON_TIME_MAX || from >= to)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: forecast interval [%lld, "
					"%lld) is empty or outside 1970..9999",
					(long long)from, (long long)to);
	slots = ceil_div(to - from, cadence);
	if (slots > (int64_t)CARBON_SERIES_MAX_POINTS)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series: forecast of more than %zu "
					"points",
					CARBON_SERIES_MAX_POINTS);
	meta = *carbon_series_meta_peek(hist);
	meta.origin = CARBON_SERIES_FALLBACK_FORECAST;
	meta.default_span = cadence;
	r = carbon_series_new_like(hist, &meta);
	if (!r)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"series: out of memory");
	rc = fill_forecast(hist, r, from, slots, cadence, days, err, errlen);
	if (rc) {
		carbon_series_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
