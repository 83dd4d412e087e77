/*
 * Unit tests for the providers without network (carbon-cache/builtin.h):
 * static's flat series; replay's time mapping (TraceStart replayed at the
 * start, SpeedUp), its window of [T - 24 h, T + 72 h) of trace time in real
 * time, looping at the trace's end, points collapsing at high speed,
 * mixed cadences, columns by name or index, and bad rows.
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

#include "builtin.h"
#include "carbon/record.h"
#include "provider.h"

#define HOUR	   INT64_C(3600)
#define DAY	   (24 * HOUR)
#define T2023	   INT64_C(1672531200) /* 2023-01-01T00:00:00Z */
#define REAL_START INT64_C(1795305600) /* 2026-11-22T00:00:00Z */

static void test_static_series(void **state)
{
	carbon_series *s = NULL;
	const struct carbon_series_point *p;
	int64_t now = REAL_START + 1800; /* half past midnight */
	size_t n, forecast = 0;

	(void)state;
	assert_int_equal(carbon_static_series(250, CARBON_SIGNAL_AVERAGE,
					      CARBON_BASIS_LIFECYCLE, now, &s,
					      NULL, 0),
			 0);
	n = carbon_series_count(s);
	p = carbon_series_points_peek(s);
	assert_int_equal(n, 96);
	assert_int_equal(p[0].t, REAL_START - DAY);
	assert_int_equal(p[n - 1].t, REAL_START + 71 * HOUR);
	for (size_t i = 0; i < n; i++) {
		assert_true(p[i].value == 250);
		forecast += p[i].is_forecast;
	}
	assert_int_equal(forecast, 71); /* the hour holding now is not */
	assert_string_equal(carbon_series_meta_peek(s)->source, "static");
	assert_int_equal(carbon_series_meta_peek(s)->fetched_at, now);
	carbon_series_free(s);
}

static void test_static_ops(void **state)
{
	struct carbon_provider_conf cfg = {
		.signal = CARBON_SIGNAL_MARGINAL,
		.basis = CARBON_BASIS_OPERATIONAL,
	};
	carbon_series *s = NULL;
	void *st = NULL;
	char err[128];

	(void)state;
	assert_int_not_equal(carbon_static_open(-1, &st, err, sizeof(err)), 0);
	assert_int_equal(carbon_static_open(30, &st, err, sizeof(err)), 0);
	assert_int_equal(carbon_static_ops.fetch(st, &cfg, NULL, "NO",
						 REAL_START, &s, err,
						 sizeof(err)),
			 0);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_MARGINAL);
	carbon_series_free(s);
	carbon_static_ops.close(st);
	carbon_static_ops.close(NULL);
}

static void test_clock(void **state)
{
	struct carbon_replay_clock c = {
		.trace_start = T2023 + 165 * DAY, /* 2023-06-15 */
		.real_start = REAL_START,
		.speed_up = 60,
	};

	(void)state;
	assert_int_equal(carbon_replay_trace_time(&c, REAL_START),
			 c.trace_start);
	/* a minute of real time is an hour of the trace */
	assert_int_equal(carbon_replay_trace_time(&c, REAL_START + 60),
			 c.trace_start + HOUR);
	assert_int_equal(carbon_replay_real_time(&c, c.trace_start + DAY),
			 REAL_START + 24 * 60);
	assert_int_equal(carbon_replay_real_time(&c, c.trace_start - HOUR),
			 REAL_START - 60);
	c.speed_up = 1;
	assert_int_equal(carbon_replay_trace_time(&c, REAL_START + 12345),
			 c.trace_start + 12345);
}

/* A trace of n hourly points from T2023, value = index. */
static carbon_series *hourly_trace(size_t n)
{
	struct carbon_series_meta meta = {
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
	};
	carbon_series *s;

	strcpy(meta.source, "trace");
	s = carbon_series_new(&meta, NULL);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {
			.t = T2023 + (int64_t)i * HOUR,
			.value = (double)i,
			.is_estimated = i % 7 == 0,
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

static void test_window_real_time(void **state)
{
	carbon_series *trace = hourly_trace(24 * 30), *w = NULL;
	struct carbon_replay_clock c = {
		.trace_start = T2023 + 10 * DAY,
		.real_start = REAL_START,
		.speed_up = 1,
	};
	const struct carbon_series_point *p;
	size_t n, forecast = 0;
	int64_t now = REAL_START + 2 * HOUR + 600;

	(void)state;
	assert_int_equal(
		carbon_replay_window(trace, &c, now, "replay-es", &w, NULL, 0),
		0);
	n = carbon_series_count(w);
	p = carbon_series_points_peek(w);
	/* the point holding now-24h through the last before now+72h */
	assert_int_equal(n, 97);
	assert_int_equal(p[0].t, REAL_START + 2 * HOUR - DAY);
	assert_true(p[0].value == 10 * 24 + 2 - 24);
	for (size_t i = 0; i < n; i++) {
		forecast += p[i].is_forecast;
		/* values follow the trace hour by hour */
		assert_true(p[i].value == p[0].value + (double)i);
		assert_int_equal(p[i].is_estimated, (int)p[i].value % 7 == 0);
	}
	assert_int_equal(forecast, 72);
	assert_string_equal(carbon_series_meta_peek(w)->source, "replay-es");
	assert_int_equal(carbon_series_meta_peek(w)->fetched_at, now);
	carbon_series_free(w);
	carbon_series_free(trace);
}

static void test_window_speed_up(void **state)
{
	carbon_series *trace = hourly_trace(24 * 30), *w = NULL;
	struct carbon_replay_clock c = {
		.trace_start = T2023 + 10 * DAY,
		.real_start = REAL_START,
		.speed_up = 60, /* a day in 24 minutes */
	};
	const struct carbon_series_point *p;
	size_t n;
	int64_t now = REAL_START + 5 * 60; /* trace: day 10, 05:00 */
	double v;

	(void)state;
	assert_int_equal(carbon_replay_window(trace, &c, now, "r", &w, NULL, 0),
			 0);
	n = carbon_series_count(w);
	p = carbon_series_points_peek(w);
	assert_int_equal(n, 96);
	for (size_t i = 1; i < n; i++)
		assert_int_equal(p[i].t - p[i - 1].t, 60);
	/* what is in force now is what the trace had at 05:00 of day 10 */
	assert_int_equal(carbon_series_value_at(w, now, &v, NULL, 0), 0);
	assert_true(v == 10 * 24 + 5);
	assert_int_equal(carbon_series_meta_peek(w)->default_span, 60);
	carbon_series_free(w);
	carbon_series_free(trace);
}

static void test_window_loops(void **state)
{
	carbon_series *trace = hourly_trace(48), *w = NULL;
	struct carbon_replay_clock c = {
		.trace_start = T2023, /* the first row */
		.real_start = REAL_START,
		.speed_up = 1,
	};
	const struct carbon_series_point *p;
	size_t n;

	(void)state;
	/* two days of trace, a 4-day window: it wraps both ways */
	assert_int_equal(
		carbon_replay_window(trace, &c, REAL_START, "r", &w, NULL, 0),
		0);
	n = carbon_series_count(w);
	p = carbon_series_points_peek(w);
	assert_int_equal(n, 96);
	assert_int_equal(p[0].t, REAL_START - DAY);
	assert_true(p[0].value == 24); /* day 2 of the trace, before it */
	assert_true(p[24].value == 0); /* the first row, at the start */
	assert_true(p[72].value == 0); /* and again two days later */
	for (size_t i = 1; i < n; i++)
		assert_int_equal(p[i].t - p[i - 1].t, HOUR);
	carbon_series_free(w);
	carbon_series_free(trace);
}

static void test_window_collapses_same_second(void **state)
{
	carbon_series *trace = hourly_trace(24 * 30), *w = NULL;
	struct carbon_replay_clock c = {
		.trace_start = T2023 + 10 * DAY,
		.real_start = REAL_START,
		.speed_up = 7200, /* two trace hours a second */
	};
	const struct carbon_series_point *p;
	size_t n;

	(void)state;
	assert_int_equal(
		carbon_replay_window(trace, &c, REAL_START, "r", &w, NULL, 0),
		0);
	n = carbon_series_count(w);
	p = carbon_series_points_peek(w);
	assert_true(n >= 48 && n <= 49);
	for (size_t i = 1; i < n; i++)
		assert_true(p[i].t > p[i - 1].t);
	carbon_series_free(w);
	carbon_series_free(trace);
}

static void test_window_mixed_cadence(void **state)
{
	struct carbon_series_meta meta = {.signal = CARBON_SIGNAL_AVERAGE,
					  .basis = CARBON_BASIS_LIFECYCLE};
	struct carbon_replay_clock c = {
		.trace_start = T2023, .real_start = REAL_START, .speed_up = 1};
	carbon_series *trace = carbon_series_new(&meta, NULL), *w = NULL;
	int64_t t = T2023 - 2 * DAY;
	double v;

	(void)state;
	/* hourly history, then 15-minute points */
	for (; t < T2023; t += HOUR) {
		struct carbon_series_point p = {.t = t, .value = 100};

		assert_int_equal(carbon_series_append(trace, &p, NULL, 0), 0);
	}
	for (; t < T2023 + 4 * DAY; t += 900) {
		struct carbon_series_point p = {.t = t, .value = 50};

		assert_int_equal(carbon_series_append(trace, &p, NULL, 0), 0);
	}
	assert_int_equal(
		carbon_replay_window(trace, &c, REAL_START, "r", &w, NULL, 0),
		0);
	assert_int_equal(carbon_series_count(w), 24 + 72 * 4);
	assert_int_equal(carbon_series_value_at(w, REAL_START - 1, &v, NULL, 0),
			 0);
	assert_true(v == 100);
	assert_int_equal(carbon_series_value_at(w, REAL_START, &v, NULL, 0), 0);
	assert_true(v == 50);
	carbon_series_free(w);
	carbon_series_free(trace);
}

static const char csv[] =
	"Datetime (UTC),Zone Id,Carbon Intensity gCO\xe2\x82\x82"
	"eq/kWh (LCA),Data Estimated\n"
	"2023-01-01 00:00:00,ES,114.42,false\n"
	"2023-01-01 01:00:00,ES,117.69,true\n"
	"2023-01-01 01:15:00,ES,118.07,false\n";

static void test_load_by_name_and_index(void **state)
{
	struct carbon_provider_conf cfg = {
		.name = "replay-es",
		.trace = "es.csv",
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.time_column = "Datetime (UTC)",
		.value_column = "Carbon Intensity gCO\xe2\x82\x82"
				"eq/kWh (LCA)",
		.estimated_column = "Data Estimated",
	};
	const struct carbon_series_point *p;
	carbon_series *s = NULL;
	char err[256];

	(void)state;
	assert_int_equal(carbon_replay_load(&cfg, csv, sizeof(csv) - 1, &s, err,
					    sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(s), 3);
	p = carbon_series_points_peek(s);
	assert_int_equal(p[0].t, T2023);
	assert_true(p[1].is_estimated);
	assert_int_equal(p[2].t - p[1].t, 900);
	carbon_series_free(s);

	strcpy(cfg.time_column, "0");
	strcpy(cfg.value_column, "2");
	cfg.estimated_column[0] = '\0';
	assert_int_equal(carbon_replay_load(&cfg, csv, sizeof(csv) - 1, &s, err,
					    sizeof(err)),
			 0);
	assert_true(carbon_series_points_peek(s)[1].value == 117.69);
	assert_false(carbon_series_points_peek(s)[1].is_estimated);
	carbon_series_free(s);

	strcpy(cfg.value_column, "Carbon Intensity (direct)");
	assert_int_not_equal(carbon_replay_load(&cfg, csv, sizeof(csv) - 1, &s,
						err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "replay replay-es: es.csv:"));
}

static void test_load_bad_row_names_line(void **state)
{
	static const char bad[] = "Datetime (UTC),v\n"
				  "2023-01-01 00:00:00,1\n"
				  "2023-01-01 01:00:00,abc\n";
	struct carbon_provider_conf cfg = {
		.name = "r",
		.trace = "bad.csv",
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.time_column = "Datetime (UTC)",
		.value_column = "v",
	};
	carbon_series *s = NULL;
	char err[256];

	(void)state;
	assert_int_not_equal(carbon_replay_load(&cfg, bad, sizeof(bad) - 1, &s,
						err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "line 3"));
	assert_null(s);
}

static void test_replay_ops_missing_file(void **state)
{
	struct carbon_provider_conf cfg = {
		.name = "r",
		.trace = "/nonexistent/trace.csv",
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.time_column = "0",
		.value_column = "1",
		.speed_up = 1,
	};
	void *st = NULL;
	char err[256];

	(void)state;
	assert_int_not_equal(
		carbon_replay_ops.open(&cfg, &st, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "/nonexistent/trace.csv"));
	assert_null(st);
}

static void test_registry(void **state)
{
	(void)state;
	assert_ptr_equal(carbon_provider_ops_find(CARBON_PROVIDER_REPLAY),
			 &carbon_replay_ops);
	assert_null(carbon_provider_ops_find(CARBON_PROVIDER_NONE));
	assert_null(carbon_provider_ops_find((enum carbon_provider_type)99));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_series),
		cmocka_unit_test(test_static_ops),
		cmocka_unit_test(test_clock),
		cmocka_unit_test(test_window_real_time),
		cmocka_unit_test(test_window_speed_up),
		cmocka_unit_test(test_window_loops),
		cmocka_unit_test(test_window_collapses_same_second),
		cmocka_unit_test(test_window_mixed_cadence),
		cmocka_unit_test(test_load_by_name_and_index),
		cmocka_unit_test(test_load_bad_row_names_line),
		cmocka_unit_test(test_replay_ops_missing_file),
		cmocka_unit_test(test_registry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
