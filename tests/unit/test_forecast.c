/*
 * Unit tests for carbon/forecast.h: the query parameters of the Carbon
 * Aware SDK's GET /emissions/forecasts/current (every form accepted, every
 * refusal with the parameter named), the forecast part of a record, and
 * the rolling windows: the SDK's own documented examples, unaligned and
 * narrowed ranges, ties, range errors, and the optimum against a brute
 * force over a series of mixed cadence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/forecast.h"

#define T0  INT64_C(1795420800) /* 2026-11-23T08:00:00Z */
#define MIN INT64_C(60)
#define H   INT64_C(3600)
#define EPS 1e-9

static char err[512];
static const char *param;

static const struct carbon_series_meta meta = {
	.signal = CARBON_SIGNAL_AVERAGE,
	.basis = CARBON_BASIS_LIFECYCLE,
	.source = "test",
};

static int add(struct carbon_forecast_query *q, const char *k, const char *v)
{
	err[0] = '\0';
	param = "unset";
	return carbon_forecast_query_add(q, k, strlen(k), v, v ? strlen(v) : 0,
					 &param, err, sizeof(err));
}

/* One parameter alone into a fresh query. */
static int add1(struct carbon_forecast_query *q, const char *k, const char *v)
{
	carbon_forecast_query_init(q);
	return add(q, k, v);
}

static carbon_series *even(int64_t start, int64_t step, const double *v,
			   size_t n)
{
	carbon_series *s = carbon_series_new(&meta, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {.t = start + (int64_t)i * step,
						.value = v[i],
						.is_forecast = true};

		assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
				 0);
	}
	return s;
}

static int compute(const carbon_series *s,
		   const struct carbon_forecast_query *q,
		   struct carbon_forecast_result *r)
{
	memset(r, 0, sizeof(*r));
	err[0] = '\0';
	param = "unset";
	return carbon_forecast_compute(s, q, r, &param, err, sizeof(err));
}

static struct carbon_forecast_query window_of(int64_t minutes)
{
	struct carbon_forecast_query q;

	carbon_forecast_query_init(&q);
	q.window = minutes * MIN;
	q.has_window = minutes > 0;
	return q;
}

/* ---- the query ------------------------------------------------------------ */

static void test_query_accepts(void **state)
{
	struct carbon_forecast_query q;

	(void)state;
	carbon_forecast_query_init(&q);
	assert_int_equal(add(&q, "location", "ES"), 0);
	assert_int_equal(add(&q, "Location", ""), 0); /* skipped, as the SDK */
	assert_int_equal(add(&q, "LOCATION", "us-cal-ciso"), 0);
	assert_int_equal(add(&q, "datastartat", "2026-11-23T08:00:00Z"), 0);
	assert_string_equal(param, "dataStartAt");
	assert_int_equal(add(&q, "dataEndAt", "2026-11-23T10:30:00+01:00"), 0);
	assert_int_equal(add(&q, "windowSize", "030"), 0);
	assert_int_equal(
		carbon_forecast_query_finish(&q, &param, err, sizeof(err)), 0);
	assert_int_equal(q.n_locations, 2);
	assert_string_equal(q.location[0], "ES");
	assert_string_equal(q.location[1], "us-cal-ciso");
	assert_true(q.has_start && q.has_end && q.has_window);
	assert_int_equal(q.start, T0);
	assert_int_equal(q.end, T0 + H + 30 * MIN);
	assert_int_equal(q.window, 30 * MIN);
	/* an unencoded '+' arrives as a space; fractions; a date alone */
	assert_int_equal(add1(&q, "dataStartAt", "2026-11-23T09:00:00 01:00"),
			 0);
	assert_int_equal(q.start, T0);
	assert_int_equal(
		add1(&q, "dataStartAt", "2026-11-23T08:00:00.0000000Z"), 0);
	assert_int_equal(q.start, T0);
	assert_int_equal(add1(&q, "dataStartAt", "2026-11-23T08:00"), 0);
	assert_int_equal(q.start, T0);
	assert_int_equal(add1(&q, "dataStartAt", "2026-11-23"), 0);
	assert_int_equal(q.start, T0 - 8 * H);
	assert_int_equal(add1(&q, "windowSize", "0"), 0);
	assert_int_equal(q.window, 0);
	assert_int_equal(add1(&q, "windowSize", "10080"), 0);
	assert_int_equal(q.window, 10080 * MIN);
}

/* rc, then the parameter named and a piece of the message */
static void refused(int rc, int want, const char *name, const char *piece)
{
	assert_int_equal(rc, want);
	if (name)
		assert_string_equal(param, name);
	else
		assert_null(param);
	if (!strstr(err, piece))
		fail_msg("\"%s\" not in \"%s\"", piece, err);
}

static void test_query_refuses(void **state)
{
	struct carbon_forecast_query q;
	char big[80];

	(void)state;
	refused(add1(&q, "dataStartAt", "tomorrow"), CARBON_EINVAL,
		"dataStartAt",
		"dataStartAt: \"tomorrow\" is not a time; use an "
		"ISO 8601 time such as 2026-11-23T08:00:00Z");
	refused(add1(&q, "dataEndAt", "2026-02-30T00:00:00Z"), CARBON_ERANGE,
		"dataEndAt",
		"dataEndAt: \"2026-02-30T00:00:00Z\" has a field "
		"out of range");
	refused(add1(&q, "dataStartAt", ""), CARBON_EINVAL, "dataStartAt",
		"is not a time");
	refused(add1(&q, "dataStartAt", NULL), CARBON_EINVAL, "dataStartAt",
		"is not a time");
	assert_int_equal(add1(&q, "dataStartAt", "2026-11-23T08:00:00Z"), 0);
	refused(add(&q, "dataStartAt", "2026-11-23T08:00:00Z"), CARBON_EINVAL,
		"dataStartAt", "dataStartAt: given twice");
	assert_int_equal(add1(&q, "windowSize", "5"), 0);
	refused(add(&q, "windowsize", "5"), CARBON_EINVAL, "windowSize",
		"given twice");
	refused(add1(&q, "windowSize", "abc"), CARBON_EINVAL, "windowSize",
		"windowSize: \"abc\" is not a number of minutes; use whole "
		"minutes from 1 to 10080");
	refused(add1(&q, "windowSize", "-5"), CARBON_EINVAL, "windowSize",
		"not a number");
	refused(add1(&q, "windowSize", "1.5"), CARBON_EINVAL, "windowSize",
		"not a number");
	refused(add1(&q, "windowSize", NULL), CARBON_EINVAL, "windowSize",
		"not a number");
	refused(add1(&q, "windowSize", "10081"), CARBON_ERANGE, "windowSize",
		"10081 minutes is too long");
	refused(add1(&q, "windowSize", "99999999999999999999999"),
		CARBON_ERANGE, "windowSize", "is too long");
	refused(add1(&q, "location", "ES/1"), CARBON_EINVAL, "location",
		"location: \"ES/1\" is not a zone or cluster name; use 1-64 of "
		"[A-Za-z0-9_.-]");
	refused(add1(&q, "location", "E S"), CARBON_EINVAL, "location",
		"not a zone or cluster name");
	refused(add1(&q, "location", "ES\n"), CARBON_EINVAL, "location",
		"control or non-ASCII character (byte 2)");
	memset(big, 'a', 70);
	big[70] = '\0';
	refused(add1(&q, "location", big), CARBON_ETOOLONG, "location",
		"longer than 64");
	refused(add1(&q, "time", "x"), CARBON_EINVAL, NULL,
		"\"time\" is not a parameter of this endpoint; use location, "
		"dataStartAt, dataEndAt and windowSize");
	refused(add1(&q, "dataStartAtX", "x"), CARBON_EINVAL, NULL,
		"not a parameter");
	carbon_forecast_query_init(&q);
	for (int i = 0; i < CARBON_FORECAST_LOCATIONS_MAX; i++)
		assert_int_equal(add(&q, "location", "ES"), 0);
	refused(add(&q, "location", "NO"), CARBON_ERANGE, "location",
		"at most 16 locations");
	/* no location at all, or only empty ones */
	assert_int_equal(add1(&q, "location", ""), 0);
	refused(carbon_forecast_query_finish(&q, &param, err, sizeof(err)),
		CARBON_EINVAL, "location", "location: is not set");
	assert_int_equal(carbon_forecast_query_add(NULL, "a", 1, "b", 1, &param,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_forecast_query_add(&q, "a", 1, NULL, 3, &param,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_forecast_query_finish(NULL, &param, err, sizeof(err)),
		CARBON_EINVAL);
}

/* ---- the forecast part of a record ---------------------------------------- */

static struct carbon_record *record(size_t n, size_t first_forecast)
{
	struct carbon_record *r = carbon_record_new(n);

	assert_non_null(r);
	strcpy(r->zone, "ES");
	strcpy(r->source, "replay-es");
	r->signal = CARBON_SIGNAL_AVERAGE;
	r->basis = CARBON_BASIS_LIFECYCLE;
	r->fetched_at = r->generated_at = T0;
	for (size_t i = 0; i < n; i++) {
		r->points[i].t = T0 - 2 * H + (int64_t)i * H;
		r->points[i].value = 100 + (double)i;
		r->points[i].is_forecast = i >= first_forecast;
	}
	return r;
}

static void test_series_of_record(void **state)
{
	struct carbon_record *r = record(6, 2);
	carbon_series *s = NULL;
	int64_t a, b;

	(void)state;
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_non_null(s);
	assert_int_equal(carbon_series_count(s), 4);
	assert_int_equal(carbon_series_points_peek(s)[0].t, T0);
	assert_true(carbon_series_points_peek(s)[0].value == 102);
	assert_string_equal(carbon_series_meta_peek(s)->source, "replay-es");
	assert_int_equal(carbon_series_meta_peek(s)->fetched_at, T0);
	assert_int_equal(carbon_series_bounds(s, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(b, T0 + 4 * H);
	carbon_series_free(s);
	/* the value in force at fetched_at comes first: a window may start
	 * at once */
	r->fetched_at = r->generated_at = T0 - 30 * MIN;
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_count(s), 5);
	assert_int_equal(carbon_series_points_peek(s)[0].t, T0 - H);
	assert_false(carbon_series_points_peek(s)[0].is_forecast);
	carbon_series_free(s);
	r->fetched_at = r->generated_at = T0 - 2 * H - 1; /* before them all */
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_count(s), 4);
	carbon_series_free(s);
	r->fetched_at = r->generated_at = T0;
	/* a lone forecast point holds as long as the record's last point */
	r->points[5].t = r->points[4].t + 15 * MIN;
	for (size_t i = 0; i < 5; i++)
		r->points[i].is_forecast = false;
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_count(s), 1);
	assert_int_equal(carbon_series_bounds(s, &a, &b, err, sizeof(err)), 0);
	assert_int_equal(b - a, 15 * MIN);
	carbon_series_free(s);
	/* derived: the series says it is a fallback forecast */
	r->derived = true;
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_meta_peek(s)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	carbon_series_free(s);
	carbon_record_free(r);
	/* no forecast point: no series, no error */
	r = record(3, 3);
	s = (carbon_series *)r; /* must be overwritten */
	assert_int_equal(carbon_forecast_series(r, &s, err, sizeof(err)), 0);
	assert_null(s);
	assert_int_equal(carbon_forecast_series(NULL, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_forecast_series(r, NULL, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_record_tail_to_series(r, 3, NULL, &s, err, sizeof(err)),
		CARBON_EINVAL);
	carbon_record_free(r);
}

/* ---- the windows ------------------------------------------------------------ */

static void expect(const struct carbon_forecast_result *r, const double *v,
		   const bool *opt, size_t n, int64_t start, int64_t step)
{
	size_t n_opt = 0;

	assert_int_equal(r->n_points, n);
	for (size_t i = 0; i < n; i++) {
		if (r->points[i].value < v[i] - EPS ||
		    r->points[i].value > v[i] + EPS)
			fail_msg("window %zu: %.12g, expected %.12g", i,
				 r->points[i].value, v[i]);
		assert_int_equal(r->points[i].t, start + (int64_t)i * step);
		assert_int_equal(r->points[i].optimal, opt[i]);
		n_opt += opt[i];
	}
	assert_int_equal(r->n_optimal, n_opt);
}

/* The three examples of the SDK's RollingAverage documentation: 5-minute
 * points, a 10-minute workload. */
static void test_sdk_examples(void **state)
{
	static const double a[] = {10, 20, 30, 40, 5},
			    b[] = {5, 55, 10, 10, 10},
			    c[] = {12, 11, 10, 12, 13};
	static const double wa[] = {15, 25, 35, 22.5},
			    wb[] = {30, 32.5, 10, 10},
			    wc[] = {11.5, 10.5, 11, 12.5};
	static const bool oa[] = {1, 0, 0, 0}, ob[] = {0, 0, 1, 1},
			  oc[] = {0, 1, 0, 0};
	struct carbon_forecast_query q = window_of(10);
	struct carbon_forecast_result r;
	carbon_series *s = even(T0, 5 * MIN, a, 5);

	(void)state;
	assert_int_equal(compute(s, &q, &r), 0);
	assert_int_equal(r.start, T0);
	assert_int_equal(r.end, T0 + 25 * MIN);
	assert_int_equal(r.window, 10 * MIN);
	expect(&r, wa, oa, 4, T0, 5 * MIN);
	assert_int_equal(r.points[0].duration, 10 * MIN);
	carbon_forecast_result_clear(&r);
	carbon_series_free(s);
	s = even(T0, 5 * MIN, b, 5);
	assert_int_equal(compute(s, &q, &r), 0);
	expect(&r, wb, ob, 4, T0, 5 * MIN); /* both tied windows */
	carbon_forecast_result_clear(&r);
	carbon_series_free(s);
	s = even(T0, 5 * MIN, c, 5);
	assert_int_equal(compute(s, &q, &r), 0);
	expect(&r, wc, oc, 4, T0, 5 * MIN);
	carbon_forecast_result_clear(&r);
	/* no windowSize: one point's duration, so the points themselves */
	q = window_of(0);
	assert_int_equal(compute(s, &q, &r), 0);
	assert_int_equal(r.window, 5 * MIN);
	expect(&r, c, (const bool[]){0, 0, 1, 0, 0}, 5, T0, 5 * MIN);
	carbon_forecast_result_clear(&r);
	carbon_series_free(s);
}

static void test_ranges(void **state)
{
	static const double a[] = {10, 20, 30, 40, 5};
	struct carbon_forecast_query q = window_of(10);
	struct carbon_forecast_result r;
	carbon_series *s = even(T0, 5 * MIN, a, 5);

	(void)state;
	/* unaligned start: dataStartAt, then the points after it */
	q.has_start = true;
	q.start = T0 + 150;
	assert_int_equal(compute(s, &q, &r), 0);
	assert_int_equal(r.n_points, 4);
	assert_int_equal(r.points[0].t, T0 + 150);
	assert_true(r.points[0].value ==
		    (10 * 150 + 20 * 300 + 30 * 150) / 600.0);
	assert_int_equal(r.points[1].t, T0 + 5 * MIN);
	assert_int_equal(r.points[3].t, T0 + 15 * MIN);
	assert_true(r.points[0].optimal && r.n_optimal == 1);
	carbon_forecast_result_clear(&r);
	/* dataEndAt narrows: the last window must end by it */
	q.has_start = false;
	q.has_end = true;
	q.end = T0 + 20 * MIN;
	assert_int_equal(compute(s, &q, &r), 0);
	expect(&r, (const double[]){15, 25, 35}, (const bool[]){1, 0, 0}, 3, T0,
	       5 * MIN);
	carbon_forecast_result_clear(&r);
	/* a window longer than the range: no windows, no optimum */
	q = window_of(30);
	assert_int_equal(compute(s, &q, &r), 0);
	assert_int_equal(r.n_points, 0);
	assert_int_equal(r.n_optimal, 0);
	assert_null(r.points);
	assert_int_equal(r.window, 30 * MIN);
	/* the ends themselves are inside */
	q = window_of(25);
	assert_int_equal(compute(s, &q, &r), 0);
	expect(&r, (const double[]){21}, (const bool[]){1}, 1, T0, 0);
	carbon_forecast_result_clear(&r);
	/* outside the forecast, or in the wrong order */
	q = window_of(10);
	q.has_start = true;
	q.start = T0 - 1;
	refused(compute(s, &q, &r), CARBON_ERANGE, "dataStartAt",
		"dataStartAt: 2026-11-23T07:59:59Z is outside the forecast; "
		"use "
		"a time from 2026-11-23T08:00:00Z through "
		"2026-11-23T08:25:00Z");
	q.start = T0 + 10 * MIN;
	q.has_end = true;
	q.end = T0 + 26 * MIN;
	refused(compute(s, &q, &r), CARBON_ERANGE, "dataEndAt",
		"dataEndAt: 2026-11-23T08:26:00Z is outside the forecast");
	q.end = T0 + 10 * MIN;
	refused(compute(s, &q, &r), CARBON_EINVAL, "dataStartAt",
		"dataStartAt: must be earlier than dataEndAt");
	q.end = T0 + 5 * MIN;
	refused(compute(s, &q, &r), CARBON_EINVAL, "dataStartAt",
		"earlier than dataEndAt");
	assert_int_equal(
		carbon_forecast_compute(NULL, &q, &r, &param, err, sizeof(err)),
		CARBON_EINVAL);
	carbon_series_free(s);
	/* an empty series is no forecast */
	s = carbon_series_new(&meta, NULL);
	q = window_of(10);
	assert_int_equal(compute(s, &q, &r), CARBON_EINVAL);
	carbon_series_free(s);
	carbon_forecast_result_clear(NULL);
}

/* Mixed cadence (hourly, then every 15 minutes): each window is the mean
 * over it, the candidates are the start then every point, and the optimum
 * is the lowest of them (ties within 1e-9 marked too). */
static void test_brute_force(void **state)
{
	carbon_series *s = carbon_series_new(&meta, NULL);
	struct carbon_forecast_result r;
	struct carbon_forecast_query q;
	int64_t t = T0;
	unsigned x = 12345;

	(void)state;
	for (int i = 0; i < 60; i++) {
		struct carbon_series_point p = {.t = t, .is_forecast = true};

		x = x * 1103515245u + 12345u;
		p.value = (double)((x >> 16) % 400) + 0.25;
		assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
				 0);
		t += i < 24 ? H : 15 * MIN;
	}
	for (int64_t w = 15; w <= 600; w += 35) {
		double lowest = 1e300;

		q = window_of(w);
		q.has_start = true;
		q.start = T0 + 20 * MIN;
		assert_int_equal(compute(s, &q, &r), 0);
		assert_true(r.n_points > 0);
		for (size_t k = 0; k < r.n_points; k++) {
			double m;

			assert_int_equal(
				carbon_series_mean(s, r.points[k].t,
						   r.points[k].t + w * MIN, &m,
						   err, sizeof(err)),
				0);
			assert_true(m == r.points[k].value);
			assert_true(r.points[k].t + w * MIN <= r.end);
			if (k)
				assert_true(r.points[k].t > r.points[k - 1].t);
			if (m < lowest)
				lowest = m;
		}
		for (size_t k = 0; k < r.n_points; k++)
			assert_int_equal(r.points[k].optimal,
					 r.points[k].value <=
						 lowest + 1e-9 * lowest);
		assert_true(r.n_optimal >= 1);
		carbon_forecast_result_clear(&r);
	}
	carbon_series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_accepts),
		cmocka_unit_test(test_query_refuses),
		cmocka_unit_test(test_series_of_record),
		cmocka_unit_test(test_sdk_examples),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_brute_force),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
