/*
 * Unit tests for carbon/series.h: appends and their checks, the step
 * function's integral and means (hand-computed), coverage, the best window
 * (hand-computed and against brute force), resampling, the seasonal-naive
 * fallback forecast, merging, names, and allocation failures through a
 * fake allocator port.
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

#include "carbon/series.h"
#include "carbon/timeparse.h"

#define T0  INT64_C(1672531200) /* 2023-01-01T00:00:00Z */
#define MIN INT64_C(60)
#define H   INT64_C(3600)
#define DAY INT64_C(86400)
#define EPS 1e-9

static const struct carbon_series_meta meta_avg_lca = {
	.signal = CARBON_SIGNAL_AVERAGE,
	.basis = CARBON_BASIS_LIFECYCLE,
	.source = "test:ES",
};

/* ---- helpers ------------------------------------------------------------ */

static carbon_series *mk(const int64_t *t, const double *v, size_t n)
{
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);
	char err[256] = "";

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {.t = t[i], .value = v[i]};

		if (carbon_series_append(s, &p, err, sizeof(err)))
			fail_msg("append %zu: %s", i, err);
	}
	return s;
}

/* n points every step seconds from start with values v[i % nv]. */
static carbon_series *mk_even(int64_t start, int64_t step, size_t n,
			      const double *v, size_t nv)
{
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {
			.t = start + (int64_t)i * step,
			.value = v[i % nv],
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

static double mean_of(const carbon_series *s, int64_t a, int64_t b)
{
	double m = -1.0;
	char err[256] = "";

	if (carbon_series_mean(s, a, b, &m, err, sizeof(err)))
		fail_msg("mean [%lld, %lld): %s", (long long)a, (long long)b,
			 err);
	return m;
}

/* A fake allocator port: the fail_at-th resize fails (0: none does). */
struct fake_alloc {
	int fail_at;
	int calls;
	int live;
};

static void *fake_resize(void *ptr, size_t size, void *ctx)
{
	struct fake_alloc *f = ctx;

	if (++f->calls == f->fail_at)
		return NULL;
	if (!ptr)
		f->live++;
	return realloc(ptr, size);
}

static void fake_release(void *ptr, void *ctx)
{
	struct fake_alloc *f = ctx;

	f->live--;
	free(ptr);
}

/* ---- construction and appends ------------------------------------------- */

static void test_new_and_meta(void **state)
{
	struct carbon_series_meta m = meta_avg_lca;
	struct carbon_series_allocator half = {fake_resize, NULL, NULL};
	carbon_series *s;
	char err[128];

	(void)state;
	carbon_series_free(NULL);
	s = carbon_series_new(NULL, NULL);
	assert_non_null(s);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_UNKNOWN);
	assert_int_equal(carbon_series_meta_peek(s)->default_span,
			 CARBON_SERIES_DEFAULT_SPAN);
	assert_null(carbon_series_points_peek(s));
	assert_int_equal(carbon_series_count(s), 0);
	carbon_series_free(s);
	assert_null(carbon_series_meta_peek(NULL));
	assert_null(carbon_series_points_peek(NULL));
	assert_int_equal(carbon_series_count(NULL), 0);
	assert_null(carbon_series_new_like(NULL, &m));
	assert_null(carbon_series_new(&m, &half));

	assert_int_equal(carbon_series_meta_check(&m, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_meta_check(NULL, err, sizeof(err)),
			 CARBON_EINVAL);
	m.signal = (enum carbon_signal)7;
	assert_int_equal(carbon_series_meta_check(&m, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series: signal, basis or origin out of "
				 "range");
	assert_null(carbon_series_new(&m, NULL));
	m = meta_avg_lca;
	m.basis = (enum carbon_basis) - 1;
	assert_null(carbon_series_new(&m, NULL));
	m = meta_avg_lca;
	m.origin = (enum carbon_series_origin)3;
	assert_null(carbon_series_new(&m, NULL));
	m = meta_avg_lca;
	m.default_span = -1;
	assert_int_equal(carbon_series_meta_check(&m, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series: default span -1 s is not within "
				 "0..604800");
	m.default_span = CARBON_SERIES_SPAN_MAX + 1;
	assert_null(carbon_series_new(&m, NULL));
	m = meta_avg_lca;
	memset(m.source, 'x', sizeof(m.source));
	assert_int_equal(carbon_series_meta_check(&m, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series: source is not terminated");
}

static void test_append_checks(void **state)
{
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);
	struct carbon_series_point p = {.t = T0, .value = 100.0};
	struct carbon_series_point bad[3] = {
		{.t = T0 + H, .value = 1.0},
		{.t = T0 + 2 * H, .value = 2.0},
		{.t = T0 + 2 * H, .value = 3.0},
	};
	char err[256];
	double nan = 0.0 / 0.0, inf = 1.0 / 0.0;

	(void)state;
	assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "point 0: time 2023-01-01T00:00:00Z is not "
				 "after the previous point's "
				 "2023-01-01T00:00:00Z");
	p.t = T0 - 1;
	assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
			 CARBON_EINVAL);
	p.t = T0 + H;
	p.value = -0.5;
	assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "point 0: value -0.5 is not within "
				 "0..100000 gCO2eq/kWh");
	p.value = nan;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), CARBON_ERANGE);
	p.value = inf;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), CARBON_ERANGE);
	p.value = CARBON_SERIES_VALUE_MAX + 1;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), CARBON_ERANGE);
	p.value = CARBON_SERIES_VALUE_MAX;
	p.t = -1;
	assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "point 0: time -1 is outside 1970..9999");
	p.t = CARBON_TIME_MAX + 1;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), CARBON_ERANGE);
	assert_int_equal(carbon_series_count(s), 1);

	/* all or nothing: the third point repeats the second's time */
	assert_int_equal(
		carbon_series_append_points(s, bad, 3, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "point 2: time 2023-01-01T02:00:00Z"));
	assert_int_equal(carbon_series_count(s), 1);
	assert_int_equal(
		carbon_series_append_points(s, bad, 2, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_count(s), 3);
	assert_int_equal(
		carbon_series_append_points(s, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(
		carbon_series_append_points(s, NULL, 1, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "series: internal error: bad arguments");
	assert_int_equal(carbon_series_append_points(NULL, bad, 1, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_append(s, NULL, NULL, 0), CARBON_EINVAL);
	assert_int_equal(carbon_series_append_points(s, bad,
						     CARBON_SERIES_MAX_POINTS,
						     err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series: more than 1048576 points");
	carbon_series_free(s);
}

/* The bound on points, reached by appends. */
static void test_append_bound(void **state)
{
	size_t n = CARBON_SERIES_MAX_POINTS;
	struct carbon_series_point *p = calloc(n, sizeof(*p));
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);
	struct carbon_series_point one;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i].t = T0 + (int64_t)i * 60;
	assert_int_equal(carbon_series_append_points(s, p, n - 1, NULL, 0), 0);
	assert_int_equal(carbon_series_append(s, &p[n - 1], NULL, 0), 0);
	one = p[n - 1];
	one.t += 60;
	assert_int_equal(carbon_series_append(s, &one, NULL, 0), CARBON_ERANGE);
	assert_int_equal(carbon_series_count(s), n);
	carbon_series_free(s);
	free(p);
}

/* ---- bounds, coverage, values and means --------------------------------- */

static void test_bounds_and_covers(void **state)
{
	struct carbon_series_meta m = meta_avg_lca;
	carbon_series *s = carbon_series_new(&m, NULL);
	struct carbon_series_point p = {.t = T0, .value = 50.0};
	int64_t a = 0, b = 0;
	double x;
	char err[128];

	(void)state;
	assert_int_equal(carbon_series_bounds(s, &a, &b, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series test:ES: no points");
	assert_int_equal(
		carbon_series_mean(s, T0, T0 + 1, &x, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "series test:ES: no points");
	assert_int_equal(carbon_series_value_at(s, T0, &x, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_bounds(NULL, &a, &b, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_bounds(s, NULL, &b, NULL, 0),
			 CARBON_EINVAL);
	assert_false(carbon_series_covers(s, T0, T0 + 1));
	assert_false(carbon_series_covers(NULL, T0, T0 + 1));
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	/* a lone point holds for the default span, 3600 s */
	assert_int_equal(carbon_series_bounds(s, &a, &b, NULL, 0), 0);
	assert_int_equal(a, T0);
	assert_int_equal(b, T0 + H);
	assert_true(carbon_series_covers(s, T0, T0 + H));
	assert_false(carbon_series_covers(s, T0, T0 + H + 1));
	assert_false(carbon_series_covers(s, T0 - 1, T0 + 1));
	assert_false(carbon_series_covers(s, T0 + 5, T0 + 5));
	carbon_series_free(s);

	m.default_span = 900;
	s = carbon_series_new(&m, NULL);
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	assert_int_equal(carbon_series_bounds(s, &a, &b, NULL, 0), 0);
	assert_int_equal(b, T0 + 900);
	/* then the last point holds for the gap to its predecessor */
	p.t = T0 + 5 * MIN;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	assert_int_equal(carbon_series_bounds(s, &a, &b, NULL, 0), 0);
	assert_int_equal(b, T0 + 10 * MIN);
	carbon_series_free(s);
}

/* 60-minute points 100, 200, 300: hand-computed integrals and means. */
static void test_mean_hand_computed(void **state)
{
	const int64_t t[] = {T0, T0 + H, T0 + 2 * H};
	const double v[] = {100.0, 200.0, 300.0};
	carbon_series *s = mk(t, v, 3);
	double x = 0;
	char err[256];

	(void)state;
	/* 90 minutes from 00:00: (100 x 60 + 200 x 30) / 90 */
	assert_float_equal(mean_of(s, T0, T0 + 90 * MIN), 12000.0 / 90.0, EPS);
	/* 90 minutes from 00:30: (100 x 30 + 200 x 60) / 90 */
	assert_float_equal(mean_of(s, T0 + 30 * MIN, T0 + 120 * MIN),
			   15000.0 / 90.0, EPS);
	/* 00:45 to 02:15: (100 x 15 + 200 x 60 + 300 x 15) / 90 */
	assert_float_equal(mean_of(s, T0 + 45 * MIN, T0 + 135 * MIN),
			   18000.0 / 90.0, EPS);
	/* the whole series, including the last point's own hour */
	assert_float_equal(mean_of(s, T0, T0 + 3 * H), 200.0, EPS);
	/* inside one step the value itself, exactly */
	assert_true(mean_of(s, T0 + 61 * MIN, T0 + 119 * MIN) == 200.0);
	assert_true(mean_of(s, T0 + 61 * MIN, T0 + 120 * MIN) == 200.0);
	assert_true(mean_of(s, T0 + 2 * H, T0 + 3 * H) == 300.0);
	assert_int_equal(carbon_series_integral(s, T0, T0 + 90 * MIN, &x, err,
						sizeof(err)),
			 0);
	assert_float_equal(x, 100.0 * 3600 + 200.0 * 1800, 1e-6);

	assert_int_equal(
		carbon_series_mean(s, T0, T0 + 3 * H + 1, &x, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "series test:ES covers [2023-01-01T00:00:00Z, "
				 "2023-01-01T03:00:00Z), not "
				 "[2023-01-01T00:00:00Z, "
				 "2023-01-01T03:00:01Z)");
	assert_int_equal(
		carbon_series_mean(s, T0 + H, T0 + H, &x, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "series: empty interval [1672534800, "
				 "1672534800)");
	assert_int_equal(carbon_series_mean(s, T0, T0 + H, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_mean(NULL, T0, T0 + H, &x, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_integral(s, T0, T0 + H, NULL, NULL, 0),
			 CARBON_EINVAL);
	/* times beyond 9999 and before year 0 print as plain numbers */
	assert_int_equal(
		carbon_series_mean(s, T0, INT64_MAX, &x, err, sizeof(err)),
		CARBON_ERANGE);
	assert_non_null(strstr(err, "9223372036854775807)"));
	assert_int_equal(carbon_series_mean(s, INT64_C(-99999999999), T0, &x,
					    err, sizeof(err)),
			 CARBON_ERANGE);
	assert_non_null(strstr(err, "[-99999999999, "));
	carbon_series_free(s);
}

/* 60-minute history then 15-minute forecast: the cadence changes. */
static void test_mixed_cadence(void **state)
{
	const int64_t t[] = {T0, T0 + H, T0 + 2 * H, T0 + 2 * H + 15 * MIN,
			     T0 + 2 * H + 30 * MIN};
	const double v[] = {100.0, 200.0, 40.0, 80.0, 20.0};
	carbon_series *s = mk(t, v, 5);
	int64_t a, b;
	double x;
	char err[256];

	(void)state;
	assert_int_equal(carbon_series_bounds(s, &a, &b, NULL, 0), 0);
	assert_int_equal(b, T0 + 2 * H + 45 * MIN);
	/* 01:30-02:30: 200 x 30 + 40 x 15 + 80 x 15 */
	assert_float_equal(mean_of(s, T0 + 90 * MIN, T0 + 150 * MIN),
			   (200.0 * 30 + 40.0 * 15 + 80.0 * 15) / 60.0, EPS);
	assert_int_equal(
		carbon_series_value_at(s, T0 + 2 * H + 44 * MIN, &x, NULL, 0),
		0);
	assert_true(x == 20.0);
	assert_int_equal(carbon_series_value_at(s, T0 + H, &x, NULL, 0), 0);
	assert_true(x == 200.0);
	assert_int_equal(carbon_series_value_at(s, T0 + 2 * H + 45 * MIN, &x,
						err, sizeof(err)),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_value_at(s, INT64_MAX, &x, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_value_at(s, T0 - 1, &x, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_value_at(s, T0, NULL, NULL, 0),
			 CARBON_EINVAL);
	carbon_series_free(s);
}

/* ---- best window -------------------------------------------------------- */

/* The Carbon Aware SDK's own example: 5-minute data, a 10-minute job. */
static void test_best_window_sdk_example(void **state)
{
	const double v[] = {12.0, 11.0, 10.0, 12.0, 13.0};
	carbon_series *s = mk_even(T0, 5 * MIN, 5, v, 5);
	struct carbon_series_window w;

	(void)state;
	assert_int_equal(carbon_series_best_window(s, T0, T0 + 25 * MIN,
						   10 * MIN, &w, NULL, 0),
			 0);
	/* rolling means 11.5, 10.5, 11, 12.5: the second wins */
	assert_int_equal(w.start, T0 + 5 * MIN);
	assert_int_equal(w.end, T0 + 15 * MIN);
	assert_float_equal(w.mean, 10.5, EPS);
	assert_int_equal(w.candidates, 4);
	/* a 7-minute job is not a whole number of points: 5 + 2 minutes */
	assert_int_equal(carbon_series_best_window(s, T0, T0 + 25 * MIN,
						   7 * MIN, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + 10 * MIN);
	assert_float_equal(w.mean, (10.0 * 5 + 12.0 * 2) / 7.0, EPS);
	carbon_series_free(s);
}

static void test_best_window_ties_and_range(void **state)
{
	const double flat[] = {50.0};
	const double two[] = {30.0, 90.0, 90.0, 30.0, 90.0, 90.0};
	carbon_series *s = mk_even(T0, H, 48, flat, 1);
	struct carbon_series_window w;

	(void)state;
	/* all equal: the earliest start */
	assert_int_equal(carbon_series_best_window(s, T0 + 3 * H, T0 + 40 * H,
						   4 * H, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + 3 * H);
	assert_true(w.mean == 50.0);
	carbon_series_free(s);

	/* equal minima at 00:00 and 03:00: the earlier */
	s = mk_even(T0, H, 6, two, 6);
	assert_int_equal(
		carbon_series_best_window(s, T0, T0 + 6 * H, H, &w, NULL, 0),
		0);
	assert_int_equal(w.start, T0);
	/* a range starting between points: its start is the first candidate,
	 * then every point */
	assert_int_equal(carbon_series_best_window(s, T0 + 30 * MIN, T0 + 6 * H,
						   H, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + 3 * H);
	assert_int_equal(w.candidates, 6);
	/* a range wider than the data is cut to it */
	assert_int_equal(carbon_series_best_window(s, T0 - DAY, T0 + DAY, H, &w,
						   NULL, 0),
			 0);
	assert_int_equal(w.start, T0);
	assert_int_equal(w.candidates, 6);
	/* the last window may end exactly at the series' end */
	assert_int_equal(carbon_series_best_window(s, T0 + 4 * H, T0 + 6 * H,
						   2 * H, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + 4 * H);
	assert_int_equal(w.candidates, 1);
	carbon_series_free(s);
}

/* A 2-hour window over 60-minute points then 15-minute points. */
static void test_best_window_cadence_change(void **state)
{
	const int64_t t[] = {T0,
			     T0 + H,
			     T0 + 2 * H,
			     T0 + 2 * H + 15 * MIN,
			     T0 + 2 * H + 30 * MIN,
			     T0 + 2 * H + 45 * MIN,
			     T0 + 3 * H,
			     T0 + 3 * H + 15 * MIN,
			     T0 + 3 * H + 30 * MIN,
			     T0 + 3 * H + 45 * MIN};
	const double v[] = {100.0, 60.0,  20.0,	 200.0, 200.0,
			    200.0, 200.0, 200.0, 200.0, 200.0};
	carbon_series *s = mk(t, v, 10);
	struct carbon_series_window w;

	(void)state;
	/*
	 * Candidates (2 h): 00:00 -> (100 + 60) / 2 = 80; 01:00 ->
	 * (60 x 60 + 20 x 15 + 200 x 45) / 120 = 107.5; later ones are
	 * higher still.  Ending the series at 04:00, the last start is 02:00.
	 */
	assert_int_equal(carbon_series_best_window(s, T0, T0 + 4 * H, 2 * H, &w,
						   NULL, 0),
			 0);
	assert_int_equal(w.start, T0);
	assert_float_equal(w.mean, 80.0, EPS);
	assert_int_equal(w.candidates, 3);
	/* from 00:30: 00:30 -> (100 x 30 + 60 x 60 + 20 x 15 + 200 x 15) / 120
	 * = 82.5 beats 01:00's 107.5 */
	assert_int_equal(carbon_series_best_window(s, T0 + 30 * MIN, T0 + 4 * H,
						   2 * H, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + 30 * MIN);
	assert_float_equal(w.mean, 82.5, EPS);
	/* 45 minutes from 01:00 on: 01:00 -> 60; 02:00 -> (20 + 400) / 3 */
	assert_int_equal(carbon_series_best_window(s, T0 + H, T0 + 4 * H,
						   45 * MIN, &w, NULL, 0),
			 0);
	assert_int_equal(w.start, T0 + H);
	assert_float_equal(w.mean, 60.0, EPS);
	carbon_series_free(s);
}

static void test_best_window_errors(void **state)
{
	const double v[] = {10.0};
	carbon_series *s = mk_even(T0, H, 4, v, 1);
	carbon_series *empty = carbon_series_new(&meta_avg_lca, NULL);
	struct carbon_series_window w = {0};
	char err[256];

	(void)state;
	assert_int_equal(carbon_series_best_window(s, T0, T0 + 4 * H, 0, &w,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series: window of 0 s in [1672531200, "
				 "1672545600): need len > 0 and a < b");
	assert_int_equal(
		carbon_series_best_window(s, T0 + H, T0 + H, H, &w, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(carbon_series_best_window(s, T0, T0 + 4 * H, 4 * H + 1,
						   &w, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series test:ES: no 14401 s window fits in "
				 "[2023-01-01T00:00:00Z, "
				 "2023-01-01T04:00:00Z) and the data");
	assert_int_equal(carbon_series_best_window(s, T0 + 5 * H, T0 + 9 * H, H,
						   &w, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_best_window(empty, T0, T0 + H, H, &w,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series test:ES: no points");
	assert_int_equal(
		carbon_series_best_window(NULL, T0, T0 + H, H, &w, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_series_best_window(s, T0, T0 + H, H, NULL, NULL, 0),
		CARBON_EINVAL);
	carbon_series_free(s);
	carbon_series_free(empty);
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* Every candidate's mean, the slow way, against the O(n) scan. */
static void check_brute(const carbon_series *s, int64_t a, int64_t b,
			int64_t len)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	struct carbon_series_window w;
	int64_t s0, s1, lo, hi, best_start = -1;
	double best = 0.0;
	size_t cands = 0;

	assert_int_equal(carbon_series_bounds(s, &s0, &s1, NULL, 0), 0);
	lo = a > s0 ? a : s0;
	hi = b < s1 ? b : s1;
	for (size_t i = 0; i <= carbon_series_count(s); i++) {
		int64_t start = i == 0 ? lo : p[i - 1].t;
		double m;

		if ((i > 0 && start <= lo) || start + len > hi)
			continue;
		m = mean_of(s, start, start + len);
		cands++;
		if (best_start < 0 || m < best - 1e-9 * best) {
			best = m;
			best_start = start;
		}
	}
	if (best_start < 0) {
		assert_int_equal(
			carbon_series_best_window(s, a, b, len, &w, NULL, 0),
			CARBON_ERANGE);
		return;
	}
	assert_int_equal(carbon_series_best_window(s, a, b, len, &w, NULL, 0),
			 0);
	assert_int_equal(w.candidates, cands);
	assert_int_equal(w.start, best_start);
	assert_float_equal(w.mean, best, 1e-6);
}

static void test_best_window_brute_force(void **state)
{
	static const int64_t steps[] = {5 * MIN, 15 * MIN, 30 * MIN, H};
	uint32_t x = 12345;

	(void)state;
	for (int round = 0; round < 60; round++) {
		carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);
		int64_t t = T0 + (int64_t)(lcg(&x) % 3600);
		size_t n = 1 + lcg(&x) % 120;
		/* some rounds evenly spaced, some with a tail of one step */
		int mode = round % 3;

		for (size_t i = 0; i < n; i++) {
			struct carbon_series_point p = {
				.t = t,
				.value = (double)(lcg(&x) % 500),
			};

			assert_int_equal(carbon_series_append(s, &p, NULL, 0),
					 0);
			t += mode == 0		      ? 15 * MIN
			     : mode == 1 && i > n / 2 ? 5 * MIN
						      : steps[lcg(&x) % 4];
		}
		for (int q = 0; q < 20; q++) {
			int64_t a = T0 + (int64_t)(lcg(&x) % (40 * 3600)) - H;
			int64_t b = a + 1 + (int64_t)(lcg(&x) % (60 * 3600));
			int64_t len = 1 + (int64_t)(lcg(&x) % (6 * 3600));

			if (q % 4 == 0)
				len = (1 + lcg(&x) % 8) * 15 * MIN;
			check_brute(s, a, b, len);
		}
		carbon_series_free(s);
	}
}

/* ---- resampling --------------------------------------------------------- */

static void test_resample(void **state)
{
	const double v[] = {10.0, 20.0, 30.0, 40.0};
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL), *r = NULL;
	int64_t a, b;
	char err[256];

	(void)state;
	/* 15-minute points from 00:15 to 02:15 (the series ends at 02:30);
	 * 01:30 is a forecast, 01:45 an estimate */
	for (int i = 0; i < 9; i++) {
		struct carbon_series_point p = {
			.t = T0 + (i + 1) * 15 * MIN,
			.value = v[i % 4],
			.is_forecast = i == 5,
			.is_estimated = i == 6,
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	/* one whole hourly slot: 01:00-02:00 (02:00-03:00 is cut) */
	assert_int_equal(carbon_series_resample(s, H, &r, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_count(r), 1);
	assert_int_equal(carbon_series_points_peek(r)[0].t, T0 + H);
	/* 01:00 40, 01:15 10, 01:30 20, 01:45 30 */
	assert_float_equal(carbon_series_points_peek(r)[0].value, 25.0, EPS);
	assert_true(carbon_series_points_peek(r)[0].is_forecast);
	assert_true(carbon_series_points_peek(r)[0].is_estimated);
	assert_int_equal(carbon_series_meta_peek(r)->origin,
			 CARBON_SERIES_RESAMPLED);
	assert_int_equal(carbon_series_meta_peek(r)->default_span, H);
	assert_int_equal(carbon_series_bounds(r, &a, &b, NULL, 0), 0);
	assert_int_equal(b, T0 + 2 * H);
	carbon_series_free(r);

	/* 30-minute slots 00:30 .. 02:00, each the mean of two points: 20
	 * and 30, 40 and 10, ...; only 01:30 draws on the flagged points */
	assert_int_equal(carbon_series_resample(s, 30 * MIN, &r, NULL, 0), 0);
	assert_int_equal(carbon_series_count(r), 4);
	assert_float_equal(carbon_series_points_peek(r)[0].value, 25.0, EPS);
	assert_float_equal(carbon_series_points_peek(r)[3].value, 25.0, EPS);
	assert_false(carbon_series_points_peek(r)[1].is_forecast);
	assert_false(carbon_series_points_peek(r)[1].is_estimated);
	assert_true(carbon_series_points_peek(r)[2].is_forecast);
	assert_true(carbon_series_points_peek(r)[2].is_estimated);
	assert_false(carbon_series_points_peek(r)[3].is_forecast);
	/* the integral is kept over what the slots cover */
	assert_float_equal(mean_of(r, T0 + 30 * MIN, T0 + 150 * MIN),
			   mean_of(s, T0 + 30 * MIN, T0 + 150 * MIN), EPS);
	carbon_series_free(r);

	/* finer than the data: each slot takes its point's value */
	assert_int_equal(carbon_series_resample(s, 5 * MIN, &r, NULL, 0), 0);
	assert_int_equal(carbon_series_count(r), 27);
	assert_true(carbon_series_points_peek(r)[4].value == 20.0);
	carbon_series_free(r);

	r = NULL;
	assert_int_equal(carbon_series_resample(s, 0, &r, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series: cadence 0 s is not within "
				 "1..604800");
	assert_int_equal(carbon_series_resample(s, CARBON_SERIES_SPAN_MAX + 1,
						&r, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_resample(s, 4 * H, &r, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series test:ES: no whole 14400 s slot in "
				 "its 8100 s");
	assert_int_equal(carbon_series_resample(NULL, H, &r, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_resample(s, H, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_null(r);
	carbon_series_free(s);

	/* too many slots: two points two weeks apart at 1 s */
	{
		const int64_t t[] = {T0, T0 + 14 * DAY};
		const double w[] = {1.0, 2.0};

		s = mk(t, w, 2);
		assert_int_equal(
			carbon_series_resample(s, 1, &r, err, sizeof(err)),
			CARBON_ERANGE);
		assert_string_equal(err, "series: resampling to 1 s would make "
					 "more than 1048576 points");
		carbon_series_free(s);
	}
	s = carbon_series_new(&meta_avg_lca, NULL);
	assert_int_equal(carbon_series_resample(s, H, &r, err, sizeof(err)),
			 CARBON_EINVAL);
	carbon_series_free(s);
}

static void test_resample_keeps_fallback(void **state)
{
	struct carbon_series_meta m = meta_avg_lca;
	carbon_series *s, *r = NULL;
	struct carbon_series_point p = {.t = T0, .value = 5.0};

	(void)state;
	m.origin = CARBON_SERIES_FALLBACK_FORECAST;
	s = carbon_series_new(&m, NULL);
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	assert_int_equal(carbon_series_resample(s, 15 * MIN, &r, NULL, 0), 0);
	assert_int_equal(carbon_series_meta_peek(r)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	assert_int_equal(carbon_series_count(r), 4);
	carbon_series_free(r);
	carbon_series_free(s);
}

/* ---- seasonal-naive fallback forecast ----------------------------------- */

/* days x 24 hourly points from T0; day d, hour h has value base[d] + h. */
static carbon_series *history(const double *base, int days)
{
	carbon_series *s = carbon_series_new(&meta_avg_lca, NULL);

	for (int d = 0; d < days; d++)
		for (int h = 0; h < 24; h++) {
			struct carbon_series_point p = {
				.t = T0 + d * DAY + h * H,
				.value = base[d] + h,
			};

			assert_int_equal(carbon_series_append(s, &p, NULL, 0),
					 0);
		}
	return s;
}

static void test_forecast_odd_and_even(void **state)
{
	const double base[] = {100.0, 10.0, 40.0, 70.0};
	carbon_series *h = history(base, 4), *f = NULL;
	const struct carbon_series_point *p;
	int64_t end = T0 + 4 * DAY;
	char err[256];

	(void)state;
	/* 3 days: median of days 1..3 (10, 40, 70) + hour = 40 + hour */
	assert_int_equal(carbon_series_forecast_seasonal(
				 h, end, end + DAY, H, 3, &f, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(f), 24);
	p = carbon_series_points_peek(f);
	for (int i = 0; i < 24; i++) {
		assert_int_equal(p[i].t, end + i * H);
		assert_float_equal(p[i].value, 40.0 + i, EPS);
		assert_true(p[i].is_forecast);
		assert_false(p[i].is_estimated);
	}
	assert_int_equal(carbon_series_meta_peek(f)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	assert_string_equal(
		carbon_series_origin_name(carbon_series_meta_peek(f)->origin),
		"fallback forecast");
	assert_true(carbon_series_is_comparable(h, f));
	carbon_series_free(f);

	/* 4 days, an even count: the mean of the middle two (40, 70) */
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + 6 * H, H,
							 4, &f, NULL, 0),
			 0);
	assert_int_equal(carbon_series_count(f), 6);
	assert_float_equal(carbon_series_points_peek(f)[2].value, 55.0 + 2,
			   EPS);
	carbon_series_free(f);

	/* asking for more days than there are: the 4 there are */
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + H, H, 7,
							 &f, NULL, 0),
			 0);
	assert_float_equal(carbon_series_points_peek(f)[0].value, 55.0, EPS);
	carbon_series_free(f);

	/* 30-minute slots, a partial last one, two days ahead: the slot at
	 * end + 1 day + 00:30 takes days 1..3 at 00:30 (both hour 0) */
	assert_int_equal(carbon_series_forecast_seasonal(
				 h, end + DAY, end + DAY + 61 * MIN, 30 * MIN,
				 3, &f, NULL, 0),
			 0);
	assert_int_equal(carbon_series_count(f), 3);
	assert_float_equal(carbon_series_points_peek(f)[1].value, 40.0, EPS);
	assert_int_equal(carbon_series_meta_peek(f)->default_span, 30 * MIN);
	carbon_series_free(f);

	/* a slot inside the history: the most recent days before it */
	assert_int_equal(carbon_series_forecast_seasonal(h, T0 + 2 * DAY + H,
							 T0 + 2 * DAY + 2 * H,
							 H, 2, &f, NULL, 0),
			 0);
	assert_float_equal(carbon_series_points_peek(f)[0].value,
			   (100.0 + 10.0) / 2 + 1, EPS);
	carbon_series_free(f);
	carbon_series_free(h);
}

static void test_forecast_errors(void **state)
{
	const double base[] = {100.0};
	carbon_series *h = history(base, 1), *f = NULL;
	carbon_series *empty = carbon_series_new(&meta_avg_lca, NULL);
	int64_t end = T0 + DAY;
	char err[256];

	(void)state;
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + H, H, 0,
							 &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series: forecast over 0 days every 3600 s: "
				 "use 1..28 days and 1..86400 s");
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + H, H, 29,
							 &f, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + H, 0, 1,
							 &f, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_forecast_seasonal(
				 h, end, end + H, DAY + 1, 1, &f, NULL, 0),
			 CARBON_ERANGE);
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end, H, 1, &f,
							 err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "series: forecast interval [1672617600, "
				 "1672617600) is empty or outside 1970..9999");
	assert_int_equal(
		carbon_series_forecast_seasonal(h, -1, end, H, 1, &f, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(carbon_series_forecast_seasonal(h, end,
							 CARBON_TIME_MAX + 1, H,
							 1, &f, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + 13 * DAY,
							 1, 1, &f, err,
							 sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series: forecast of more than 1048576 "
				 "points");
	/* a slot before any history */
	assert_int_equal(carbon_series_forecast_seasonal(h, T0 - H, T0, H, 1,
							 &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "series test:ES: no day of history for the "
				 "forecast slot at 1672527600");
	assert_int_equal(carbon_series_forecast_seasonal(empty, end, end + H, H,
							 1, &f, err,
							 sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_forecast_seasonal(NULL, end, end + H, H,
							 1, &f, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_forecast_seasonal(h, end, end + H, H, 1,
							 NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_null(f);
	carbon_series_free(h);
	carbon_series_free(empty);
}

/* ---- comparability and merging ------------------------------------------ */

static void test_comparable_and_merge(void **state)
{
	struct carbon_series_meta m = meta_avg_lca;
	const double base[] = {100.0, 50.0};
	carbon_series *h = history(base, 2), *f = NULL, *other, *unknown;
	char err[256];

	(void)state;
	m.basis = CARBON_BASIS_DIRECT;
	other = carbon_series_new(&m, NULL);
	unknown = carbon_series_new(NULL, NULL);
	assert_true(carbon_series_is_comparable(h, h));
	assert_false(carbon_series_is_comparable(h, other));
	assert_false(carbon_series_is_comparable(h, NULL));
	assert_false(carbon_series_is_comparable(NULL, h));
	assert_false(carbon_series_is_comparable(unknown, unknown));
	m = meta_avg_lca;
	m.signal = CARBON_SIGNAL_MARGINAL;
	carbon_series_free(unknown);
	unknown = carbon_series_new(&m, NULL);
	assert_false(carbon_series_is_comparable(h, unknown));

	assert_int_equal(
		carbon_series_append_series(other, h, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "series: cannot append average/lifecycle "
				 "values to a average/direct series");
	assert_int_equal(carbon_series_append_series(h, h, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_append_series(NULL, h, NULL, 0),
			 CARBON_EINVAL);

	/* history + fallback forecast: the merged series is marked */
	assert_int_equal(carbon_series_forecast_seasonal(h, T0 + 2 * DAY,
							 T0 + 3 * DAY, H, 2, &f,
							 NULL, 0),
			 0);
	assert_int_equal(carbon_series_append_series(h, f, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(h), 72);
	assert_int_equal(carbon_series_meta_peek(h)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	/* twice: the points no longer come after the last */
	assert_int_equal(carbon_series_append_series(h, f, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_series_count(h), 72);
	carbon_series_free(f);

	/* a provided series appended keeps the origin as it was */
	f = carbon_series_new(&meta_avg_lca, NULL);
	assert_int_equal(carbon_series_append_series(f, h, NULL, 0), 0);
	assert_int_equal(carbon_series_meta_peek(f)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	carbon_series_free(f);
	f = mk_even(T0 + 10 * DAY, H, 2, base, 1);
	assert_int_equal(carbon_series_append_series(h, f, NULL, 0), 0);
	assert_int_equal(carbon_series_meta_peek(h)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	carbon_series_free(f);
	carbon_series_free(h);
	carbon_series_free(other);
	carbon_series_free(unknown);
}

static void test_names(void **state)
{
	(void)state;
	/* signal and basis names: tests/unit/test_kind.c */
	assert_string_equal(carbon_series_origin_name(CARBON_SERIES_PROVIDED),
			    "provided");
	assert_string_equal(carbon_series_origin_name(CARBON_SERIES_RESAMPLED),
			    "resampled");
	assert_string_equal(
		carbon_series_origin_name((enum carbon_series_origin)9),
		"unknown");
}

/* ---- allocation failures ------------------------------------------------ */

static void test_alloc_failures(void **state)
{
	struct fake_alloc fa = {0};
	struct carbon_series_allocator port = {fake_resize, fake_release, &fa};
	struct carbon_series_point p = {.t = T0, .value = 1.0};
	carbon_series *s, *r = NULL;
	char err[128];

	(void)state;
	/* 1: the series itself */
	fa.fail_at = 1;
	assert_null(carbon_series_new(&meta_avg_lca, &port));
	/* 2: the points; 3: the running integral */
	for (int k = 2; k <= 3; k++) {
		fa = (struct fake_alloc){.fail_at = k};
		s = carbon_series_new(&meta_avg_lca, &port);
		assert_non_null(s);
		assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
				 CARBON_ENOMEM);
		assert_string_equal(err, "series: out of memory for 1 points");
		assert_int_equal(carbon_series_count(s), 0);
		/* the next try succeeds and the series is whole */
		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
		assert_int_equal(carbon_series_count(s), 1);
		carbon_series_free(s);
		assert_int_equal(fa.live, 0);
	}
	/* growing past the first 64 points */
	fa = (struct fake_alloc){.fail_at = 4};
	s = carbon_series_new(&meta_avg_lca, &port);
	for (int i = 0; i < 64; i++) {
		p.t = T0 + i * H;
		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	p.t = T0 + 64 * H;
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), CARBON_ENOMEM);
	assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	assert_float_equal(mean_of(s, T0, T0 + 65 * H), 1.0, EPS);

	/* derived series allocate through the same port */
	for (int k = 1; k <= 3; k++) {
		int rc;

		fa.fail_at = fa.calls + k;
		rc = carbon_series_resample(s, H, &r, err, sizeof(err));
		assert_int_equal(rc, CARBON_ENOMEM);
		fa.fail_at = fa.calls + k;
		rc = carbon_series_forecast_seasonal(s, T0 + 65 * H,
						     T0 + 66 * H, H, 1, &r, err,
						     sizeof(err));
		assert_int_equal(rc, CARBON_ENOMEM);
	}
	assert_null(r);
	carbon_series_free(s);
	assert_int_equal(fa.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_and_meta),
		cmocka_unit_test(test_append_checks),
		cmocka_unit_test(test_append_bound),
		cmocka_unit_test(test_bounds_and_covers),
		cmocka_unit_test(test_mean_hand_computed),
		cmocka_unit_test(test_mixed_cadence),
		cmocka_unit_test(test_best_window_sdk_example),
		cmocka_unit_test(test_best_window_ties_and_range),
		cmocka_unit_test(test_best_window_cadence_change),
		cmocka_unit_test(test_best_window_errors),
		cmocka_unit_test(test_best_window_brute_force),
		cmocka_unit_test(test_resample),
		cmocka_unit_test(test_resample_keeps_fallback),
		cmocka_unit_test(test_forecast_odd_and_even),
		cmocka_unit_test(test_forecast_errors),
		cmocka_unit_test(test_comparable_and_merge),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_alloc_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
