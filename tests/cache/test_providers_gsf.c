/*
 * Unit tests for the Carbon Aware SDK WebAPI provider (providers/gsf.h):
 * /emissions/bylocation and /emissions/forecasts/current answers in the
 * SDK's shapes (TimeSpan and minute durations, null ratings, several
 * forecasts, empty forecasts), broken JSON, wrong types, order, a
 * generated oversize array, then open/fetch/close against the scripted
 * HTTP client (URLs, the optional bearer token, forecasts the SDK cannot
 * give, HTTP failures).
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
#include "providers/gsf.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */

#define EM(loc, time, rating, dur)                                           \
	"{\"location\":\"" loc "\",\"time\":\"" time "\",\"rating\":" rating \
	",\"duration\":" dur "}"
#define FD(loc, time, value, dur)                         \
	"{\"location\":\"" loc "\",\"timestamp\":\"" time \
	"\",\"duration\":" dur ",\"value\":" value "}"
#define FORECAST(loc, data)                                               \
	"{\"generatedAt\":\"2024-01-01T00:00:00+00:00\",\"requestedAt\":" \
	"\"2024-01-01T00:01:00+00:00\",\"location\":\"" loc "\","         \
	"\"dataStartAt\":\"2024-01-01T00:05:00+00:00\",\"dataEndAt\":"    \
	"\"2024-01-02T00:00:00+00:00\",\"windowSize\":5,"                 \
	"\"optimalDataPoints\":[],\"forecastData\":[" data "]}"
#define A "2024-01-01T00:00:00+00:00"
#define B "2024-01-01T00:05:00+00:00"
#define C "2024-01-01T00:10:00+00:00"

static int emissions(const char *json)
{
	err[0] = '\0';
	return carbon_gsf_parse_emissions(json, strlen(json), "eastus", &pts,
					  err, sizeof(err));
}

static int forecast(const char *json)
{
	err[0] = '\0';
	return carbon_gsf_parse_forecast(json, strlen(json), "eastus", &pts,
					 err, sizeof(err));
}

/* ---- parsers ------------------------------------------------------------------ */

static void test_emissions(void **state)
{
	(void)state;
	assert_int_equal(
		emissions("[" EM("eastus", A, "350.2", "\"00:05:00\"") "," EM(
			"EastUS", B, "null",
			"\"00:05:00\"") "," EM("eastus", C, "310",
					       "\"00:05:00\"") "]"),
		0);
	assert_int_equal(pts.n, 2);
	assert_int_equal(pts.skipped, 1);
	assert_int_equal(pts.span, 300);
	assert_int_equal(pts.v[0].t, T0);
	assert_true(pts.v[0].value == 350.2);
	assert_int_equal(pts.v[1].t, T0 + 600);
	assert_false(pts.v[1].is_forecast);
	/* days, fractions, minutes, no duration at all */
	assert_int_equal(
		emissions("[" EM("eastus", A, "1", "\"1.00:00:00\"") "]"), 0);
	assert_int_equal(pts.span, 86400);
	assert_int_equal(
		emissions("[" EM("eastus", A, "1", "\"00:30:00.0000000\"") "]"),
		0);
	assert_int_equal(pts.span, 1800);
	assert_int_equal(emissions("[" EM("eastus", A, "1", "60") "]"), 0);
	assert_int_equal(pts.span, 3600);
	assert_int_equal(emissions("[{\"time\":\"" A "\",\"rating\":1}]"), 0);
	assert_int_equal(pts.span, 0);
	assert_int_equal(emissions("[]"), 0);
	assert_int_equal(pts.n, 0);
}

static void test_durations(void **state)
{
	static const char *const bad[] = {
		"\"5 minutes\"",
		"\"00:60:00\"",
		"\"24:00:00\"",
		"\"-00:05:00\"",
		"\"00:05\"",
		"\"::\"",
		"\"00:05:00:00\"",
		"1.5",
		"-5",
		"true",
		"\"12345678:00:00\"",
		"\"8.00:00:00\"",
		"100000",
	};
	char json[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(json, sizeof(json),
			 "[{\"time\":\"%s\",\"rating\":1,\"duration\":%s}]", A,
			 bad[i]);
		expect_fail(emissions(json), "gsf: emissions[0].duration: ");
	}
}

static void test_forecast(void **state)
{
	static const char TWO[] =
		"[{\"forecastData\":[]},{\"forecastData\":[]}]";

	(void)state;
	assert_int_equal(
		forecast("[" FORECAST("eastus",
				      FD("eastus", B, "380.1", "5") "," FD(
					      "eastus", C, "null", "5")) "]"),
		0);
	assert_int_equal(pts.n, 1);
	assert_int_equal(pts.skipped, 1);
	assert_true(pts.v[0].is_forecast);
	assert_int_equal(pts.span, 300);
	/* several forecasts: the one for our location */
	assert_int_equal(
		forecast("[" FORECAST(
			"westus",
			FD("westus", B, "1",
			   "5")) "," FORECAST("EASTUS",
					      FD("eastus", B, "2", "5")) "]"),
		0);
	assert_true(pts.v[0].value == 2.0);
	expect_fail(forecast("[" FORECAST(
			    "westus", FD("westus", B, "1",
					 "5")) "," FORECAST("northus", "") "]"),
		    "gsf: no forecast for \"eastus\" among 2");
	expect_fail(forecast("[]"), "gsf: no forecast for \"eastus\" among 0");
	/* a lone forecast for another location: its points say so */
	expect_fail(
		forecast("[" FORECAST("westus", FD("westus", B, "1", "5")) "]"),
		"gsf: forecastData[0].location: \"westus\", expected "
		"\"eastus\"");
	/* empty forecast */
	assert_int_equal(forecast("[" FORECAST("eastus", "") "]"), 0);
	assert_int_equal(pts.n, 0);
	/* location NULL: not checked */
	assert_int_equal(carbon_gsf_parse_forecast(TWO, strlen(TWO), NULL, &pts,
						   err, sizeof(err)),
			 0);
}

static void test_broken(void **state)
{
	(void)state;
	expect_fail(emissions("[" EM("eastus", A, "1", "\"00:05:00\"")),
		    "gsf: truncated JSON");
	expect_fail(emissions("[{\"rating\" 1}]"), "gsf: malformed JSON");
	expect_fail(emissions("{\"title\":\"Not Found\",\"status\":404}"),
		    "gsf: expected a JSON array, got object");
	expect_fail(emissions("[7]"),
		    "gsf: emissions[0]: expected an object, got number");
	expect_fail(emissions("[{\"location\":1}]"),
		    "gsf: emissions[0].location: expected a string");
	expect_fail(emissions("[" EM("westus", A, "1", "\"00:05:00\"") "]"),
		    "gsf: emissions[0].location: \"westus\", expected "
		    "\"eastus\"");
	expect_fail(emissions("[{\"time\":\"" A "\",\"rating\":\"1\"}]"),
		    "gsf: emissions[0].rating: expected a number, got string");
	expect_fail(emissions("[{\"rating\":1}]"),
		    "gsf: emissions[0].time: missing");
	expect_fail(emissions("[{\"time\":\"" B
			      "\",\"rating\":1},{\"time\":\"" A
			      "\",\"rating\":1}]"),
		    "gsf: emissions[1]: time 2024-01-01T00:00:00Z is not after "
		    "the previous point's 2024-01-01T00:05:00Z (out of order)");
	expect_fail(emissions("[{\"time\":\"" A "\",\"rating\":-1}]"),
		    "gsf: emissions[0]: value -1 gCO2eq/kWh is out of range");
	expect_fail(forecast("[{\"location\":\"eastus\"}]"),
		    "gsf: forecast.forecastData: missing");
	expect_fail(forecast("[{\"location\":\"eastus\",\"forecastData\":{}}]"),
		    "gsf: forecast.forecastData: expected an array");
	expect_fail(carbon_gsf_parse_emissions("[]", 2, NULL, NULL, err,
					       sizeof(err)),
		    "gsf: bad arguments");
}

static void test_huge(void **state)
{
	size_t n = CARBON_PROVIDER_POINTS_MAX + 1;
	char *s;

	(void)state;
	s = repeated_json("[", "{}", n, "]");
	expect_fail(emissions(s), "gsf: emissions: 20001 items, more than "
				  "20000");
	free(s);
	/* the same inside a forecast */
	s = repeated_json("[{\"forecastData\":[", "{}", n, "]}]");
	expect_fail(forecast(s), "gsf: forecast.forecastData: 20001 items");
	free(s);
}

/* ---- the provider --------------------------------------------------------------- */

static char token_path[256];
static struct carbon_provider_conf cfg;
static void *st;

static int setup_provider(void **state)
{
	(void)state;
	provider_config(&cfg, "sdk", CARBON_PROVIDER_GSF,
			CARBON_SIGNAL_MARGINAL, CARBON_BASIS_OPERATIONAL,
			"http://sdk.test:8080");
	token_path[0] = '\0';
	st = NULL;
	return carbon_gsf_ops.open(&cfg, &st, err, sizeof(err));
}

static int teardown_provider(void **state)
{
	(void)state;
	carbon_gsf_ops.close(st);
	st = NULL;
	if (token_path[0])
		fake_secret_remove(token_path);
	return 0;
}

static int fetch(carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_gsf_ops.fetch(st, &cfg, NULL, "eastus", T0 + 600, s, err,
				    sizeof(err));
}

static void expect_fetch_fail(const char *text)
{
	carbon_series *s;
	int rc = fetch(&s);

	expect_fetch_failed(rc, s, text, "sdk-token");
}

static void test_fetch_normal(void **state)
{
	const struct carbon_series_point *p;
	carbon_series *s;

	(void)state;
	fake_push(200, "[" EM("eastus", A, "350", "\"00:05:00\"") "," EM(
			       "eastus", B, "340", "\"00:05:00\"") "]");
	fake_push(200,
		  "[" FORECAST("eastus", FD("eastus", B, "1", "5") "," FD(
						 "eastus", C, "300", "5")) "]");
	assert_int_equal(fetch(&s), 0);
	assert_int_equal(carbon_series_count(s), 3);
	p = carbon_series_points_peek(s);
	assert_true(p[1].value == 340.0 && !p[1].is_forecast);
	assert_true(p[2].value == 300.0 && p[2].is_forecast);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_MARGINAL);
	assert_int_equal(carbon_series_meta_peek(s)->basis,
			 CARBON_BASIS_OPERATIONAL);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 300);
	carbon_series_free(s);
	assert_string_equal(
		fake_calls[0].url,
		"http://sdk.test:8080/emissions/bylocation?location="
		"eastus&time=2023-12-31T00%3A10%3A00Z&toTime="
		"2024-01-01T00%3A10%3A00Z");
	assert_string_equal(fake_calls[1].url,
			    "http://sdk.test:8080/emissions/forecasts/current"
			    "?location=eastus");
	assert_string_equal(fake_calls[0].headers, "");
}

static void test_fetch_token_and_no_forecast(void **state)
{
	long codes[] = {403, 404, 501};
	carbon_series *s;

	(void)state;
	carbon_gsf_ops.close(st);
	assert_int_equal(fake_secret_file("sdk-token-9", 0600, token_path,
					  sizeof(token_path)),
			 0);
	snprintf(cfg.token_file, sizeof(cfg.token_file), "%s", token_path);
	assert_int_equal(carbon_gsf_ops.open(&cfg, &st, err, sizeof(err)), 0);
	for (size_t i = 0; i < 3; i++) {
		fake_reset();
		fake_push(200, "[" EM("eastus", A, "350", "\"01:00:00\"") "]");
		fake_push(codes[i], NULL);
		assert_int_equal(fetch(&s), 0);
		assert_int_equal(carbon_series_count(s), 1);
		assert_int_equal(carbon_series_meta_peek(s)->default_span,
				 3600);
		carbon_series_free(s);
		assert_string_equal(fake_calls[1].headers,
				    "Authorization: Bearer sdk-token-9\n");
	}
	fake_reset();
	fake_push(401, NULL);
	expect_fetch_fail("sdk eastus: emissions: token rejected (HTTP 401)");
}

static void test_fetch_failures(void **state)
{
	struct carbon_provider_conf c = cfg;
	carbon_series *s = (carbon_series *)1;
	void *x = (void *)1;

	(void)state;
	fake_push(200, "[]");
	fake_push(500, NULL);
	expect_fetch_fail("sdk eastus: forecast: server error (HTTP 500)");
	fake_reset();
	fake_push(200, "[]");
	fake_push(200, "[" FORECAST("eastus", "") "]");
	expect_fetch_fail("sdk eastus: no data (0 null values skipped)");
	fake_reset();
	fake_push(200, "{}");
	expect_fetch_fail("sdk eastus: emissions: expected a JSON array");
	fake_reset();
	fake_push_down("timed out after 10.0 s");
	expect_fetch_fail("emissions: no answer: timed out");
	assert_int_equal(carbon_gsf_ops.fetch(NULL, &cfg, NULL, "eastus", T0,
					      &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	assert_int_equal(carbon_gsf_ops.fetch(st, &cfg, NULL, "eastus", 10, &s,
					      err, sizeof(err)),
			 CARBON_ERANGE);
	c.url[0] = '\0';
	assert_int_equal(carbon_gsf_ops.open(&c, &x, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(x);
	assert_non_null(strstr(err, "sdk: gsf needs Url, Signal and Basis"));
	c = cfg;
	snprintf(c.token_file, sizeof(c.token_file), "/nonexistent");
	assert_true(carbon_gsf_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "sdk: TokenFile: "));
	carbon_gsf_ops.close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_emissions, teardown),
		cmocka_unit_test_teardown(test_durations, teardown),
		cmocka_unit_test_teardown(test_forecast, teardown),
		cmocka_unit_test_teardown(test_broken, teardown),
		cmocka_unit_test_teardown(test_huge, teardown),
		cmocka_unit_test_setup_teardown(
			test_fetch_normal, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_token_and_no_forecast, setup_provider,
			teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_failures, setup_provider, teardown_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
