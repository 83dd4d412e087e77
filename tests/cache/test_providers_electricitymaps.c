/*
 * Unit tests for the Electricity Maps provider (providers/electricitymaps.h):
 * the three parsers on fixtures written from the API's documented shapes
 * (normal answers, null intensities, empty forecasts, truncated and
 * malformed JSON, wrong types, time going backwards, absurd values, a
 * generated oversize array), then open/fetch/close against the scripted
 * HTTP client (URLs, the auth-token header, every HTTP failure, the
 * forecast left out when the plan lacks it).
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

#include "../fake-provider/fake_http.h"
#include "provider_test.h"
#include "carbon/timeparse.h"
#include "providers/electricitymaps.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define H  INT64_C(3600)

#define HISTORY                                                          \
	"{\"zone\":\"FR\",\"history\":["                                 \
	"{\"zone\":\"FR\",\"carbonIntensity\":103,\"datetime\":"         \
	"\"2024-01-01T00:00:00.000Z\",\"updatedAt\":\"2024-01-01T01:00:" \
	"00.000Z\",\"createdAt\":\"2023-12-29T00:00:00.000Z\","          \
	"\"emissionFactorType\":\"lifecycle\",\"isEstimated\":false,"    \
	"\"estimationMethod\":null},"                                    \
	"{\"zone\":\"FR\",\"carbonIntensity\":98.5,\"datetime\":"        \
	"\"2024-01-01T01:00:00.000Z\",\"emissionFactorType\":"           \
	"\"lifecycle\",\"isEstimated\":true,\"estimationMethod\":"       \
	"\"TIME_SLICER_AVERAGE\"}]}"
#define LATEST                                                            \
	"{\"zone\":\"FR\",\"carbonIntensity\":90,\"datetime\":"           \
	"\"2024-01-01T02:00:00.000Z\",\"updatedAt\":\"2024-01-01T02:10:"  \
	"00.000Z\",\"emissionFactorType\":\"lifecycle\",\"isEstimated\":" \
	"true,\"estimationMethod\":\"TIME_SLICER_AVERAGE\"}"
#define FORECAST                                                              \
	"{\"zone\":\"FR\",\"forecast\":["                                     \
	"{\"carbonIntensity\":88,\"datetime\":\"2024-01-01T02:00:00.000Z\"}," \
	"{\"carbonIntensity\":80,\"datetime\":\"2024-01-01T03:00:00.000Z\"}," \
	"{\"carbonIntensity\":75,\"datetime\":\"2024-01-01T04:00:00.000Z\"}"  \
	"],\"updatedAt\":\"2024-01-01T02:00:00.000Z\"}"

static int history(const char *json)
{
	err[0] = '\0';
	return carbon_electricitymaps_parse_history(json, strlen(json), "FR",
						    CARBON_BASIS_LIFECYCLE,
						    &pts, err, sizeof(err));
}

static int forecast(const char *json)
{
	err[0] = '\0';
	return carbon_electricitymaps_parse_forecast(json, strlen(json), "FR",
						     CARBON_BASIS_LIFECYCLE,
						     &pts, err, sizeof(err));
}

/* ---- parsers ------------------------------------------------------------------ */

static void test_history(void **state)
{
	(void)state;
	assert_int_equal(history(HISTORY), 0);
	assert_int_equal(pts.n, 2);
	assert_int_equal(pts.v[0].t, T0);
	assert_true(pts.v[0].value == 103.0);
	assert_false(pts.v[0].is_estimated);
	assert_false(pts.v[0].is_forecast);
	assert_int_equal(pts.v[1].t, T0 + H);
	assert_true(pts.v[1].value == 98.5);
	assert_true(pts.v[1].is_estimated);
	assert_int_equal(pts.span, 3600);
	assert_int_equal(pts.skipped, 0);
}

static void test_latest_and_forecast(void **state)
{
	(void)state;
	assert_int_equal(carbon_electricitymaps_parse_latest(
				 LATEST, strlen(LATEST), "fr",
				 CARBON_BASIS_LIFECYCLE, &pts, err,
				 sizeof(err)),
			 0);
	assert_int_equal(pts.n, 1);
	assert_int_equal(pts.v[0].t, T0 + 2 * H);
	assert_true(pts.v[0].is_estimated);
	assert_int_equal(forecast(FORECAST), 0);
	assert_int_equal(pts.n, 3);
	for (size_t i = 0; i < 3; i++)
		assert_true(pts.v[i].is_forecast);
	assert_true(pts.v[2].value == 75.0);
	/* empty forecast: fine, no points */
	assert_int_equal(forecast("{\"zone\":\"FR\",\"forecast\":[]}"), 0);
	assert_int_equal(pts.n, 0);
}

static void test_nulls(void **state)
{
	(void)state;
	assert_int_equal(
		history("{\"history\":[{\"carbonIntensity\":null,\"datetime\":"
			"\"2024-01-01T00:00:00.000Z\"},{\"carbonIntensity\":1,"
			"\"datetime\":\"2024-01-01T01:00:00.000Z\","
			"\"isEstimated\":null},{\"carbonIntensity\":null,"
			"\"datetime\":\"2024-01-01T02:00:00.000Z\"}]}"),
		0);
	assert_int_equal(pts.n, 1);
	assert_int_equal(pts.skipped, 2);
	assert_false(pts.v[0].is_estimated);
}

static void test_broken_json(void **state)
{
	static const char nul[] = "{\"history\":[]}\0x";

	(void)state;
	expect_fail(history("{\"zone\":\"FR\",\"history\":[{\"carbonInten"),
		    "electricitymaps: truncated JSON");
	expect_fail(history("{\"history\":[1,2,]}"), "malformed JSON");
	expect_fail(history("{\"history\":[]} trailing"), "malformed JSON");
	expect_fail(history(""), "empty answer");
	expect_fail(history("  \n"), "empty answer");
	expect_fail(
		history("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]"
			"]]]]]]]]]]]]]]"),
		"nested deeper");
	expect_fail(history("\"text\""), "expected a JSON object or array");
	err[0] = '\0';
	expect_fail(carbon_electricitymaps_parse_history(
			    nul, sizeof(nul) - 1, NULL, CARBON_BASIS_UNKNOWN,
			    &pts, err, sizeof(err)),
		    "NUL byte at 14");
}

static void test_wrong_types(void **state)
{
	(void)state;
	expect_fail(history("[]"), "electricitymaps: expected an object, got "
				   "array");
	expect_fail(history("{\"zone\":\"FR\"}"), "electricitymaps: history: "
						  "missing");
	expect_fail(history("{\"history\":{}}"),
		    "history: expected an array, got object");
	expect_fail(history("{\"history\":null}"),
		    "history: null, expected an array");
	expect_fail(history("{\"history\":[5]}"),
		    "history[0]: expected an object, got number");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":\"103\","
			    "\"datetime\":\"2024-01-01T00:00:00Z\"}]}"),
		    "history[0].carbonIntensity: expected a number, got "
		    "string");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,"
			    "\"datetime\":17}]}"),
		    "history[0].datetime: expected a string, got number");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1}]}"),
		    "history[0].datetime: missing");
	expect_fail(history("{\"history\":[{\"datetime\":\"2024-01-01T00:00Z"
			    "\"}]}"),
		    "history[0].carbonIntensity: missing");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,"
			    "\"datetime\":\"yesterday\"}]}"),
		    "history[0].datetime: \"yesterday\"");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,"
			    "\"datetime\":\"2024-01-01T00:00Z\","
			    "\"isEstimated\":\"no\"}]}"),
		    "history[0].isEstimated: expected a boolean");
	expect_fail(history("{\"zone\":7,\"history\":[]}"),
		    "electricitymaps: zone: expected a string");
}

static void test_kind_mismatch(void **state)
{
	(void)state;
	expect_fail(history("{\"zone\":\"DE\",\"history\":[]}"),
		    "electricitymaps: zone: \"DE\", expected \"FR\"");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,"
			    "\"datetime\":\"2024-01-01T00:00Z\","
			    "\"emissionFactorType\":\"direct\"}]}"),
		    "history[0].emissionFactorType: \"direct\", expected "
		    "\"lifecycle\"");
	/* basis UNKNOWN and zone NULL: not checked */
	assert_int_equal(carbon_electricitymaps_parse_latest(
				 "{\"zone\":\"DE\",\"carbonIntensity\":1,"
				 "\"datetime\":\"2024-01-01T00:00Z\","
				 "\"emissionFactorType\":\"direct\"}",
				 94, NULL, CARBON_BASIS_UNKNOWN, &pts, err,
				 sizeof(err)),
			 0);
}

static void test_order_and_range(void **state)
{
	(void)state;
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,\"datetime\":"
			    "\"2024-01-01T01:00Z\"},{\"carbonIntensity\":1,"
			    "\"datetime\":\"2024-01-01T00:00Z\"}]}"),
		    "history[1]: time 2024-01-01T00:00:00Z is not after the "
		    "previous point's 2024-01-01T01:00:00Z (out of order)");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,\"datetime\":"
			    "\"2024-01-01T01:00Z\"},{\"carbonIntensity\":1,"
			    "\"datetime\":\"2024-01-01T02:00+01:00\"}]}"),
		    "(duplicate)");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1e6,"
			    "\"datetime\":\"2024-01-01T01:00Z\"}]}"),
		    "history[0]: value 1e+06 gCO2eq/kWh is out of range");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":-3,"
			    "\"datetime\":\"2024-01-01T01:00Z\"}]}"),
		    "out of range (0 to 5000)");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":NaN,"
			    "\"datetime\":\"2024-01-01T01:00Z\"}]}"),
		    "history[0].carbonIntensity: not a finite number");
	expect_fail(history("{\"history\":[{\"carbonIntensity\":1,"
			    "\"datetime\":\"1999-12-31T23:00Z\"}]}"),
		    "time 1999-12-31T23:00:00Z is out of range");
}

/* A forecast of n hourly points, generated. */
static char *big_forecast(size_t n)
{
	size_t size = 64 + n * 80, len;
	char *s = malloc(size);

	assert_non_null(s);
	len = (size_t)snprintf(s, size, "{\"forecast\":[");
	for (size_t i = 0; i < n; i++) {
		struct tm tm;
		int64_t t = T0 + (int64_t)i * 3600;

		assert_int_equal(carbon_time_to_utc_tm(t, &tm), 0);
		len += (size_t)snprintf(
			s + len, size - len,
			"%s{\"carbonIntensity\":%zu,\"datetime\":"
			"\"%04d-%02d-%02dT%02d:00:00.000Z\"}",
			i ? "," : "", i % 500, tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour);
	}
	snprintf(s + len, size - len, "]}");
	return s;
}

static void test_huge_arrays(void **state)
{
	char *s = big_forecast(CARBON_PROVIDER_POINTS_MAX);

	(void)state;
	assert_int_equal(forecast(s), 0);
	assert_int_equal(pts.n, CARBON_PROVIDER_POINTS_MAX);
	free(s);
	s = big_forecast(CARBON_PROVIDER_POINTS_MAX + 1);
	expect_fail(forecast(s), "electricitymaps: forecast: 20001 items, "
				 "more than 20000");
	free(s);
}

/* ---- the provider --------------------------------------------------------------- */

static char token_path[256];
static struct carbon_provider_conf cfg;
static void *st;

static int setup_provider(void **state)
{
	(void)state;
	provider_config(&cfg, "electricitymaps",
			CARBON_PROVIDER_ELECTRICITYMAPS, CARBON_SIGNAL_AVERAGE,
			CARBON_BASIS_LIFECYCLE, "https://api.example/v3/");
	if (fake_secret_file("secret-token-123\n", 0600, token_path,
			     sizeof(token_path)))
		return -1;
	snprintf(cfg.token_file, sizeof(cfg.token_file), "%s", token_path);
	st = NULL;
	return carbon_electricitymaps_ops.open(&cfg, &st, err, sizeof(err));
}

static int teardown_provider(void **state)
{
	(void)state;
	carbon_electricitymaps_ops.close(st);
	st = NULL;
	fake_secret_remove(token_path);
	return 0;
}

static int fetch(carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_electricitymaps_ops.fetch(
		st, &cfg, NULL, "FR", T0 + 2 * H, s, err, sizeof(err));
}

static void expect_fetch_fail(const char *text)
{
	carbon_series *s;
	int rc = fetch(&s);

	expect_fetch_failed(rc, s, text, "secret-token");
}

static void test_fetch_normal(void **state)
{
	const struct carbon_series_point *p;
	const struct carbon_series_meta *m;
	carbon_series *s;

	(void)state;
	fake_push(200, HISTORY);
	fake_push(200, LATEST);
	fake_push(200, FORECAST);
	assert_int_equal(fetch(&s), 0);
	assert_int_equal(carbon_series_count(s), 5);
	p = carbon_series_points_peek(s);
	m = carbon_series_meta_peek(s);
	assert_int_equal(m->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(m->basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(m->default_span, 3600);
	assert_int_equal(m->fetched_at, T0 + 2 * H);
	assert_string_equal(m->source, "electricitymaps:FR");
	/* latest (02:00) wins over the forecast's 02:00 */
	assert_true(p[2].value == 90.0);
	assert_false(p[2].is_forecast);
	assert_true(p[3].is_forecast && p[4].is_forecast);
	carbon_series_free(s);
	assert_string_equal(fake_calls[0].url,
			    "https://api.example/v3/carbon-intensity/history"
			    "?zone=FR&emissionFactorType=lifecycle");
	assert_string_equal(fake_calls[1].url,
			    "https://api.example/v3/carbon-intensity/latest"
			    "?zone=FR&emissionFactorType=lifecycle");
	assert_string_equal(fake_calls[2].url,
			    "https://api.example/v3/carbon-intensity/forecast"
			    "?zone=FR&emissionFactorType=lifecycle");
	assert_string_equal(fake_calls[0].headers,
			    "auth-token: secret-token-123\n");
	assert_false(fake_calls[0].basic);
}

static void test_fetch_direct_and_escaping(void **state)
{
	carbon_series *s = NULL;

	(void)state;
	carbon_electricitymaps_ops.close(st);
	cfg.basis = CARBON_BASIS_DIRECT;
	cfg.token_file[0] = '\0';
	assert_int_equal(
		carbon_electricitymaps_ops.open(&cfg, &st, err, sizeof(err)),
		0);
	fake_push(200, "{\"history\":[{\"carbonIntensity\":1,\"datetime\":"
		       "\"2024-01-01T00:00Z\",\"emissionFactorType\":"
		       "\"direct\"}]}");
	fake_push(200, "{\"carbonIntensity\":null,\"datetime\":"
		       "\"2024-01-01T01:00Z\"}");
	fake_push(200, "{\"forecast\":[]}");
	assert_int_equal(carbon_electricitymaps_ops.fetch(st, &cfg, NULL,
							  "US-CAL CISO&x", T0,
							  &s, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(s), 1);
	assert_int_equal(carbon_series_meta_peek(s)->basis,
			 CARBON_BASIS_DIRECT);
	carbon_series_free(s);
	assert_string_equal(
		fake_calls[0].url,
		"https://api.example/v3/carbon-intensity/history"
		"?zone=US-CAL%20CISO%26x&emissionFactorType=direct");
	assert_string_equal(fake_calls[0].headers, "");
}

static void test_fetch_forecast_not_in_plan(void **state)
{
	carbon_series *s;
	long codes[] = {401, 403, 404};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		fake_reset();
		fake_push(200, HISTORY);
		fake_push(200, LATEST);
		fake_push(codes[i], "{\"error\":\"not in your plan\"}");
		assert_int_equal(fetch(&s), 0);
		assert_int_equal(carbon_series_count(s), 3);
		carbon_series_free(s);
	}
	/* but a forecast that fails otherwise fails the fetch */
	fake_reset();
	fake_push(200, HISTORY);
	fake_push(200, LATEST);
	fake_push(200, "{\"forecast\":[{\"carbonIntensity\":true}]}");
	expect_fetch_fail("electricitymaps FR: forecast: forecast[0].datetime: "
			  "missing");
}

static void test_fetch_http_failures(void **state)
{
	(void)state;
	fake_push(401, "{\"message\":\"bad token secret-token-123\"}");
	expect_fetch_fail("electricitymaps FR: history: token rejected "
			  "(HTTP 401)");
	fake_reset();
	fake_push(403, NULL);
	expect_fetch_fail("history: token rejected (HTTP 403)");
	fake_reset();
	fake_push_answer((struct fake_answer){.status = 429, .attempts = 3});
	expect_fetch_fail("history: rate limited (HTTP 429) after 3 attempts");
	fake_reset();
	fake_push(429, NULL);
	expect_fetch_fail("rate limited (HTTP 429) after 1 attempt");
	fake_reset();
	fake_push_answer((struct fake_answer){.status = 502, .attempts = 3});
	expect_fetch_fail("history: server error (HTTP 502) after 3 attempts");
	fake_reset();
	fake_push_down("timed out after 10.0 s");
	expect_fetch_fail("electricitymaps FR: history: no answer: timed out "
			  "after 10.0 s");
	fake_reset();
	fake_push_answer((struct fake_answer){.status = 200,
					      .why = "body over 8388608 "
						     "bytes"});
	expect_fetch_fail("history: body over 8388608 bytes");
	fake_reset();
	fake_push(404, "not found");
	expect_fetch_fail("history: HTTP 404");
	fake_reset();
	fake_push(200, "");
	expect_fetch_fail("history: empty answer (HTTP 200)");
	fake_reset();
	fake_push(200, HISTORY);
	fake_push(500, NULL);
	expect_fetch_fail("latest: server error (HTTP 500) after 1 attempt");
}

static void test_fetch_bad_data(void **state)
{
	(void)state;
	fake_push(200, "{\"history\":[{\"carbonIntensity\":1,\"datetime\":"
		       "\"2024-01-01T00:00Z\"},{\"carbonIntensity\":2,"
		       "\"datetime\":\"2024-01-01T00:00Z\"}]}");
	expect_fetch_fail("electricitymaps FR: history: history[1]: time "
			  "2024-01-01T00:00:00Z is not after");
	fake_reset();
	fake_push(200, "{\"history\":[{\"carbonIntensity\":null,\"datetime\":"
		       "\"2024-01-01T00:00Z\"}]}");
	fake_push(200, "{\"carbonIntensity\":null,\"datetime\":"
		       "\"2024-01-01T01:00Z\"}");
	fake_push(200, "{\"forecast\":[]}");
	expect_fetch_fail("electricitymaps FR: no data (2 null values "
			  "skipped)");
	fake_reset();
	fake_push(200, "<html>maintenance</html>");
	expect_fetch_fail("electricitymaps FR: history: malformed JSON at "
			  "byte 0");
}

static void test_open_errors(void **state)
{
	struct carbon_provider_conf c = cfg;
	char path[256];
	void *s = (void *)1;

	(void)state;
	c.signal = CARBON_SIGNAL_MARGINAL;
	assert_int_equal(
		carbon_electricitymaps_ops.open(&c, &s, err, sizeof(err)),
		CARBON_EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "not marginal lifecycle"));
	c = cfg;
	c.basis = CARBON_BASIS_OPERATIONAL;
	assert_true(carbon_electricitymaps_ops.open(&c, &s, err, sizeof(err)) <
		    0);
	c = cfg;
	snprintf(c.token_file, sizeof(c.token_file), "/nonexistent/token");
	assert_true(carbon_electricitymaps_ops.open(&c, &s, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "electricitymaps: TokenFile: "));
	assert_int_equal(fake_secret_file("tok", 0644, path, sizeof(path)), 0);
	snprintf(c.token_file, sizeof(c.token_file), "%s", path);
	assert_true(carbon_electricitymaps_ops.open(&c, &s, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "others may access it"));
	fake_secret_remove(path);
	assert_int_equal(fake_secret_file("to ken", 0600, path, sizeof(path)),
			 0);
	snprintf(c.token_file, sizeof(c.token_file), "%s", path);
	assert_true(carbon_electricitymaps_ops.open(&c, &s, err, sizeof(err)) <
		    0);
	assert_non_null(strstr(err, "byte 3 is not printable ASCII"));
	assert_null(strstr(err, "to ken"));
	fake_secret_remove(path);
	assert_null(s);
	carbon_electricitymaps_ops.close(NULL);
}

static void test_fetch_misuse(void **state)
{
	carbon_series *s = (carbon_series *)1;

	(void)state;
	assert_int_equal(carbon_electricitymaps_ops.fetch(NULL, &cfg, NULL,
							  "FR", T0, &s, err,
							  sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	assert_int_equal(carbon_electricitymaps_ops.fetch(
				 st, &cfg, NULL, "", T0, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(fake_next, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_history, teardown),
		cmocka_unit_test_teardown(test_latest_and_forecast, teardown),
		cmocka_unit_test_teardown(test_nulls, teardown),
		cmocka_unit_test_teardown(test_broken_json, teardown),
		cmocka_unit_test_teardown(test_wrong_types, teardown),
		cmocka_unit_test_teardown(test_kind_mismatch, teardown),
		cmocka_unit_test_teardown(test_order_and_range, teardown),
		cmocka_unit_test_teardown(test_huge_arrays, teardown),
		cmocka_unit_test_setup_teardown(
			test_fetch_normal, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(test_fetch_direct_and_escaping,
						setup_provider,
						teardown_provider),
		cmocka_unit_test_setup_teardown(test_fetch_forecast_not_in_plan,
						setup_provider,
						teardown_provider),
		cmocka_unit_test_setup_teardown(test_fetch_http_failures,
						setup_provider,
						teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_bad_data, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_open_errors, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_misuse, setup_provider, teardown_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
