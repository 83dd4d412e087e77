/*
 * Unit tests for carbon-cache/metrics.c: the Prometheus text (names,
 * labels, histogram buckets cumulative with +Inf = count, process
 * metrics), readiness and its reasons, and the Redis reconnect backoff
 * (store.h).
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

#include "metrics.h"
#include "store.h"

#define NOW INT64_C(1795321200)

static const char *const zones[] = {"ES", "NO"};
static const char *const providers[] = {"emaps", "static"};

static char *render(struct carbon_metrics *m,
		    const struct carbon_metrics_process *proc)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(carbon_metrics_render(m, NOW, proc, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static void has_line(const char *text, const char *line)
{
	char want[512];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(text, want)) {
		print_error("missing line: %s\n--- text ---\n%s", line, text);
		fail();
	}
}

static void test_render(void **state)
{
	struct carbon_metrics *m = carbon_metrics_new(zones, 2, providers, 2);
	struct carbon_metrics_zone es = {
		.has_record = true,
		.intensity_now = 123.5,
		.horizon_end = NOW + 72 * 3600,
		.fetched_at = NOW - 30,
		.written = true,
	};
	struct carbon_metrics_process proc = {
		.valid = true,
		.start_time = 1795300000.5,
		.resident_bytes = 4096000,
		.cpu_seconds = 1.25,
	};
	char *text;

	(void)state;
	assert_non_null(m);
	carbon_metrics_zone_set(m, 0, &es);
	carbon_metrics_provider_observe(m, 0, true, 0.2);
	carbon_metrics_provider_observe(m, 0, false, 12.0);
	carbon_metrics_provider_observe(m, 0, true, 100.0); /* past 30 s */
	carbon_metrics_provider_observe(m, 1, true, 0.001);
	carbon_metrics_provider_observe(m, 7, true, 0.001); /* ignored */
	carbon_metrics_redis_set(m, true);
	carbon_metrics_redis_wrote(m);
	carbon_metrics_redis_wrote(m);
	carbon_metrics_redis_write_failed(m);
	text = render(m, &proc);

	has_line(text, "# TYPE carbon_intensity_now gauge");
	has_line(text, "carbon_intensity_now{zone=\"ES\"} 123.5");
	assert_null(strstr(text, "carbon_intensity_now{zone=\"NO\"}"));
	has_line(text, "carbon_forecast_horizon_seconds{zone=\"ES\"} 259200");
	has_line(text, "carbon_data_age_seconds{zone=\"ES\"} 30");
	has_line(text, "carbon_zone_stale{zone=\"ES\"} 0");
	has_line(text, "carbon_zone_stale{zone=\"NO\"} 0");
	has_line(text, "carbon_zone_has_data{zone=\"NO\"} 0");
	has_line(text, "carbon_provider_requests_total{provider=\"emaps\","
		       "result=\"success\"} 2");
	has_line(text, "carbon_provider_requests_total{provider=\"emaps\","
		       "result=\"failure\"} 1");
	has_line(text, "# TYPE carbon_provider_latency_seconds histogram");
	has_line(text, "carbon_provider_latency_seconds_bucket{provider="
		       "\"emaps\",le=\"0.1\"} 0");
	has_line(text, "carbon_provider_latency_seconds_bucket{provider="
		       "\"emaps\",le=\"0.25\"} 1");
	has_line(text, "carbon_provider_latency_seconds_bucket{provider="
		       "\"emaps\",le=\"30\"} 2");
	has_line(text, "carbon_provider_latency_seconds_bucket{provider="
		       "\"emaps\",le=\"+Inf\"} 3");
	has_line(text, "carbon_provider_latency_seconds_count{provider="
		       "\"emaps\"} 3");
	has_line(text, "carbon_provider_latency_seconds_sum{provider="
		       "\"emaps\"} 112.200000");
	has_line(text, "carbon_provider_latency_seconds_bucket{provider="
		       "\"static\",le=\"0.01\"} 1");
	has_line(text, "carbon_redis_up 1");
	has_line(text, "carbon_redis_writes_total 2");
	has_line(text, "# TYPE carbon_redis_write_failures_total counter");
	has_line(text, "carbon_redis_write_failures_total 1");
	/* the build's one version (Makefile VERSION), as a label */
	has_line(text, "# TYPE carbon_cached_build_info gauge");
	has_line(text,
		 "carbon_cached_build_info{version=\"" CARBON_CACHE_VERSION
		 "\"} 1");
	has_line(text, "process_start_time_seconds 1795300000.500");
	has_line(text, "process_resident_memory_bytes 4096000");
	has_line(text, "process_cpu_seconds_total 1.25");
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);

	/* without process numbers: none of their lines */
	text = render(m, NULL);
	assert_null(strstr(text, "process_"));
	free(text);
	carbon_metrics_free(m);
}

static void test_stale_and_horizon_past(void **state)
{
	struct carbon_metrics *m = carbon_metrics_new(zones, 2, providers, 2);
	struct carbon_metrics_zone z = {
		.has_record = true,
		.stale = true,
		.fallback = true,
		.intensity_now = 0.125,
		.horizon_end = NOW - 10, /* the data ran out */
		.fetched_at = NOW - 7200,
	};
	char *text;

	(void)state;
	carbon_metrics_zone_set(m, 1, &z);
	text = render(m, NULL);
	has_line(text, "carbon_zone_stale{zone=\"NO\"} 1");
	has_line(text, "carbon_zone_fallback{zone=\"NO\"} 1");
	has_line(text, "carbon_forecast_horizon_seconds{zone=\"NO\"} 0");
	has_line(text, "carbon_data_age_seconds{zone=\"NO\"} 7200");
	has_line(text, "carbon_intensity_now{zone=\"NO\"} 0.125");
	has_line(text, "carbon_redis_up 0");
	free(text);
	carbon_metrics_free(m);
}

static void test_ready(void **state)
{
	struct carbon_metrics *m = carbon_metrics_new(zones, 2, providers, 2);
	struct carbon_metrics_zone z = {.has_record = true};
	char why[256];

	(void)state;
	assert_false(carbon_metrics_ready(m, why, sizeof(why)));
	assert_string_equal(why, "redis: not reachable\n"
				 "zone ES: no data yet\n"
				 "zone NO: no data yet\n");
	carbon_metrics_redis_set(m, true);
	carbon_metrics_zone_set(m, 0, &z);
	assert_false(carbon_metrics_ready(m, why, sizeof(why)));
	assert_string_equal(why, "zone ES: record not in Redis yet\n"
				 "zone NO: no data yet\n");
	carbon_metrics_zone_written(m, 0, true);
	z.stale = true; /* stale but served counts as ready */
	z.written = true;
	carbon_metrics_zone_set(m, 1, &z);
	assert_true(carbon_metrics_ready(m, why, sizeof(why)));
	assert_string_equal(why, "");
	carbon_metrics_redis_set(m, false);
	assert_false(carbon_metrics_ready(m, why, 8)); /* cut, terminated */
	assert_true(strlen(why) < 8);
	assert_false(carbon_metrics_ready(NULL, NULL, 0));
	carbon_metrics_free(m);
	carbon_metrics_free(NULL);
}

static void test_backoff(void **state)
{
	long ms = 0;
	long seen[12];

	(void)state;
	for (int i = 0; i < 12; i++)
		seen[i] = ms = carbon_store_backoff(ms);
	assert_int_equal(seen[0], 500);
	assert_int_equal(seen[1], 1000);
	assert_int_equal(seen[5], 16000);
	assert_int_equal(seen[6], 30000);
	assert_int_equal(seen[11], 30000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_stale_and_horizon_past),
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_backoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
