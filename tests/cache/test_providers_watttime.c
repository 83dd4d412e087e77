/*
 * Unit tests for the WattTime provider (providers/watttime.h): the login
 * and data parsers on fixtures in the API v3 shapes (unit conversion from
 * lbs/MWh, meta checks, nulls, broken JSON, wrong types, order, oversize
 * arrays), then open/fetch/close against the scripted HTTP client: basic
 * auth at /login, the bearer token, its renewal after 25 minutes and on a
 * 401, every HTTP failure, co2_moer and co2_aoer.
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
#include "providers/watttime.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */

#define META(sig, units, period)                                           \
	"\"meta\":{\"region\":\"CAISO_NORTH\",\"signal_type\":\"" sig      \
	"\",\"units\":\"" units "\",\"data_point_period_seconds\":" period \
	",\"generated_at\":\"2024-01-01T00:00:00+00:00\",\"model\":"       \
	"{\"date\":\"2023-03-01\"},\"warnings\":[]}"
#define HIST                                                              \
	"{\"data\":[{\"point_time\":\"2024-01-01T00:00:00+00:00\","       \
	"\"value\":870.2},{\"point_time\":\"2024-01-01T00:05:00+00:00\"," \
	"\"value\":1000},{\"point_time\":\"2024-01-01T00:10:00+00:00\","  \
	"\"value\":0}]," META("co2_moer", "lbs_co2_per_mwh", "300") "}"
#define FC                                                                  \
	"{\"data\":[{\"point_time\":\"2024-01-01T00:10:00Z\",\"value\":5}," \
	"{\"point_time\":\"2024-01-01T00:15:00Z\",\"value\":500}]," META(   \
		"co2_moer", "lbs_co2_per_mwh", "300") "}"
#define LOGIN  "{\"token\":\"tok-1.abc\"}"
#define HEALTH "{\"data\":[],\"meta\":{\"signal_type\":\"health_damage\"}}"

static int data(const char *json, bool forecast)
{
	err[0] = '\0';
	return carbon_watttime_parse_data(json, strlen(json), "co2_moer",
					  forecast, &pts, err, sizeof(err));
}

/* ---- parsers ------------------------------------------------------------------ */

static void test_units(void **state)
{
	(void)state;
	assert_int_equal(data(HIST, false), 0);
	assert_int_equal(pts.n, 3);
	assert_int_equal(pts.span, 300);
	assert_int_equal(pts.v[0].t, T0);
	assert_int_equal(pts.v[1].t, T0 + 300);
	/* 870.2 lbs/MWh = 394.71608... g/kWh */
	assert_true(pts.v[0].value > 394.7160 && pts.v[0].value < 394.7161);
	assert_true(pts.v[1].value == 1000 * CARBON_WATTTIME_LBS_MWH);
	assert_true(pts.v[2].value == 0.0);
	assert_false(pts.v[0].is_forecast);
	assert_int_equal(
		data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		     "\"value\":394.7}]," META("co2_moer", "kg_co2_per_mwh",
					       "60") "}",
		     false),
		0);
	assert_true(pts.v[0].value == 394.7);
	assert_int_equal(pts.span, 60);
	assert_int_equal(
		data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		     "\"value\":7}],\"meta\":{\"units\":"
		     "\"g_co2_per_kwh\"}}",
		     true),
		0);
	assert_true(pts.v[0].value == 7.0);
	assert_true(pts.v[0].is_forecast);
	assert_int_equal(pts.span, 0);
	/* no meta: lbs/MWh, as the API documents */
	assert_int_equal(
		data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		     "\"value\":100}]}",
		     false),
		0);
	assert_true(pts.v[0].value == 100 * CARBON_WATTTIME_LBS_MWH);
	expect_fail(
		data("{\"data\":[]," META("co2_moer", "percentile", "300") "}",
		     false),
		"watttime: meta.units: \"percentile\", expected "
		"lbs_co2_per_mwh");
	/* 12000 lbs/MWh is 5443 g/kWh: absurd */
	expect_fail(data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
			 "\"value\":12000}]}",
			 false),
		    "watttime: data[0]: value 5443.11 gCO2eq/kWh is out of "
		    "range");
}

static void test_meta(void **state)
{
	(void)state;
	expect_fail(data("{\"data\":[]," META("co2_aoer", "lbs_co2_per_mwh",
					      "300") "}",
			 false),
		    "watttime: meta.signal_type: \"co2_aoer\", expected "
		    "\"co2_moer\"");
	expect_fail(data("{\"data\":[]," META("co2_moer", "lbs_co2_per_mwh",
					      "0") "}",
			 false),
		    "meta.data_point_period_seconds: 0, expected 1 to 86400");
	expect_fail(data("{\"data\":[]," META("co2_moer", "lbs_co2_per_mwh",
					      "1.5") "}",
			 false),
		    "meta.data_point_period_seconds: 1.5");
	expect_fail(data("{\"data\":[]," META("co2_moer", "lbs_co2_per_mwh",
					      "\"300\"") "}",
			 false),
		    "meta.data_point_period_seconds: expected a number");
	expect_fail(data("{\"data\":[],\"meta\":[]}", false),
		    "watttime: meta: expected an object, got array");
	expect_fail(data("{\"data\":[],\"meta\":{\"units\":5}}", false),
		    "watttime: meta.units: expected a string");
	expect_fail(data("{\"data\":[],\"meta\":{\"signal_type\":5}}", false),
		    "watttime: meta.signal_type: expected a string");
	/* NULL signal_type: not checked */
	assert_int_equal(carbon_watttime_parse_data(HEALTH, strlen(HEALTH),
						    NULL, false, &pts, err,
						    sizeof(err)),
			 0);
}

static void test_nulls_and_empty(void **state)
{
	(void)state;
	assert_int_equal(
		data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		     "\"value\":null},{\"point_time\":"
		     "\"2024-01-01T00:05Z\",\"value\":3}]}",
		     false),
		0);
	assert_int_equal(pts.n, 1);
	assert_int_equal(pts.skipped, 1);
	assert_int_equal(data("{\"data\":[]," META(
				      "co2_moer", "lbs_co2_per_mwh", "300") "}",
			      true),
			 0);
	assert_int_equal(pts.n, 0);
}

static void test_broken(void **state)
{
	(void)state;
	expect_fail(data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
			 "\"val",
			 false),
		    "watttime: truncated JSON");
	expect_fail(data("{\"data\":[{\"point_time\" \"x\"}]}", false),
		    "watttime: malformed JSON");
	expect_fail(data("{\"meta\":{}}", false), "watttime: data: missing");
	expect_fail(data("{\"data\":\"none\"}", false),
		    "watttime: data: expected an array, got string");
	expect_fail(data("{\"data\":[{\"point_time\":1704067200,\"value\":1}]}",
			 false),
		    "watttime: data[0].point_time: expected a string, got "
		    "number");
	expect_fail(data("{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
			 "\"value\":\"1\"}]}",
			 false),
		    "watttime: data[0].value: expected a number, got string");
	expect_fail(data("{\"data\":[{\"point_time\":\"2024-01-01T00:05Z\","
			 "\"value\":1},{\"point_time\":\"2024-01-01T00:00Z\","
			 "\"value\":1}]}",
			 false),
		    "watttime: data[1]: time 2024-01-01T00:00:00Z is not after "
		    "the previous point's 2024-01-01T00:05:00Z (out of order)");
	expect_fail(carbon_watttime_parse_data("{}", 2, NULL, false, NULL, err,
					       sizeof(err)),
		    "watttime: bad arguments");
}

static void test_huge(void **state)
{
	char *s;

	(void)state;
	s = repeated_json("{\"data\":[", "{\"point_time\":\"x\",\"value\":1}",
			  CARBON_PROVIDER_POINTS_MAX + 5, "]}");
	expect_fail(data(s, false), "watttime: data: 20005 items, more than "
				    "20000");
	free(s);
}

static int login(const char *json, char *tok, size_t size)
{
	err[0] = '\0';
	return carbon_watttime_parse_login(json, strlen(json), tok, size, err,
					   sizeof(err));
}

static void test_login_parse(void **state)
{
	char tok[16];

	(void)state;
	assert_int_equal(login(LOGIN, tok, sizeof(tok)), 0);
	assert_string_equal(tok, "tok-1.abc");
	assert_int_equal(
		login("{\"token\":\"0123456789abcdef\"}", tok, sizeof(tok)),
		CARBON_ERANGE);
	assert_string_equal(tok, "");
	assert_non_null(strstr(err, "watttime: login: token: 16 bytes, "
				    "expected 1 to 15"));
	assert_true(login("{\"token\":\"\"}", tok, sizeof(tok)) < 0);
	assert_true(login("{\"token\":\"a\\r\\nX: y\"}", tok, sizeof(tok)) < 0);
	assert_non_null(strstr(err, "byte 2 is not printable"));
	assert_true(login("{\"tok\":\"a\"}", tok, sizeof(tok)) < 0);
	assert_non_null(strstr(err, "watttime: login: token: missing"));
	assert_true(login("{\"token\":", tok, sizeof(tok)) < 0);
	assert_non_null(strstr(err, "watttime: truncated JSON"));
	assert_true(login(LOGIN, NULL, 0) < 0);
}

/* ---- the provider --------------------------------------------------------------- */

static char pw_path[256];
static struct carbon_provider_conf cfg;
static void *st;

static int setup_provider(void **state)
{
	(void)state;
	provider_config(&cfg, "wt", CARBON_PROVIDER_WATTTIME,
			CARBON_SIGNAL_MARGINAL, CARBON_BASIS_OPERATIONAL,
			"https://api.watttime.test");
	snprintf(cfg.user, sizeof(cfg.user), "carbon");
	if (fake_secret_file("pass word\n", 0600, pw_path, sizeof(pw_path)))
		return -1;
	snprintf(cfg.password_file, sizeof(cfg.password_file), "%s", pw_path);
	st = NULL;
	return carbon_watttime_ops.open(&cfg, &st, err, sizeof(err));
}

static int teardown_provider(void **state)
{
	(void)state;
	carbon_watttime_ops.close(st);
	st = NULL;
	fake_secret_remove(pw_path);
	return 0;
}

static int fetch_at(int64_t now, carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_watttime_ops.fetch(st, &cfg, NULL, "CAISO_NORTH", now, s,
					 err, sizeof(err));
}

static void expect_fetch_fail(const char *text)
{
	carbon_series *s;
	int rc = fetch_at(T0, &s);

	expect_fetch_failed(rc, s, text, "pass word");
	assert_null(strstr(err, "tok-1"));
}

static void test_fetch_normal(void **state)
{
	const struct carbon_series_point *p;
	carbon_series *s;

	(void)state;
	fake_push(200, LOGIN);
	fake_push(200, HIST);
	fake_push(200, FC);
	assert_int_equal(fetch_at(T0 + 900, &s), 0);
	assert_int_equal(carbon_series_count(s), 4);
	p = carbon_series_points_peek(s);
	assert_false(p[2].is_forecast); /* history's 00:10 wins */
	assert_true(p[3].is_forecast);
	assert_true(p[3].value == 500 * CARBON_WATTTIME_LBS_MWH);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_MARGINAL);
	assert_int_equal(carbon_series_meta_peek(s)->basis,
			 CARBON_BASIS_OPERATIONAL);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 300);
	carbon_series_free(s);
	assert_string_equal(fake_calls[0].url,
			    "https://api.watttime.test/login");
	assert_true(fake_calls[0].basic);
	assert_string_equal(fake_calls[0].user, "carbon");
	assert_string_equal(fake_calls[0].password, "pass word");
	assert_string_equal(fake_calls[1].url,
			    "https://api.watttime.test/v3/historical?region="
			    "CAISO_NORTH&signal_type=co2_moer&start=2023-12-31T"
			    "00%3A15%3A00Z&end=2024-01-01T00%3A15%3A00Z");
	assert_string_equal(fake_calls[1].headers,
			    "Authorization: Bearer tok-1.abc\n");
	assert_false(fake_calls[1].basic);
	assert_string_equal(
		fake_calls[2].url,
		"https://api.watttime.test/v3/forecast?region="
		"CAISO_NORTH&signal_type=co2_moer&horizon_hours=24");
}

static void test_token_lifetime(void **state)
{
	carbon_series *s;

	(void)state;
	fake_push(200, LOGIN);
	fake_push(200, HIST);
	fake_push(200, FC);
	/* within 25 minutes: the token is reused */
	fake_push(200, HIST);
	fake_push(200, FC);
	/* 25 minutes on: a new login */
	fake_push(200, "{\"token\":\"tok-2\"}");
	fake_push(200, HIST);
	fake_push(200, FC);
	/* the clock went back: a new login too */
	fake_push(200, "{\"token\":\"tok-3\"}");
	fake_push(200, HIST);
	fake_push(200, FC);
	assert_int_equal(fetch_at(T0, &s), 0);
	carbon_series_free(s);
	assert_int_equal(fetch_at(T0 + CARBON_WATTTIME_TOKEN_TTL - 1, &s), 0);
	carbon_series_free(s);
	assert_int_equal(fake_next, 5);
	assert_int_equal(fetch_at(T0 + CARBON_WATTTIME_TOKEN_TTL, &s), 0);
	carbon_series_free(s);
	assert_string_equal(fake_calls[5].url,
			    "https://api.watttime.test/login");
	assert_string_equal(fake_calls[6].headers,
			    "Authorization: Bearer tok-2\n");
	assert_int_equal(fetch_at(T0, &s), 0);
	carbon_series_free(s);
	assert_string_equal(fake_calls[9].headers,
			    "Authorization: Bearer tok-3\n");
}

static void test_token_renewed_on_401(void **state)
{
	carbon_series *s;

	(void)state;
	fake_push(200, LOGIN);
	fake_push(401, NULL);
	fake_push(200, "{\"token\":\"tok-2\"}");
	fake_push(200, HIST);
	fake_push(200, FC);
	assert_int_equal(fetch_at(T0, &s), 0);
	carbon_series_free(s);
	assert_string_equal(fake_calls[3].headers,
			    "Authorization: Bearer tok-2\n");
	/* a token refused twice (the fresh one too): give up */
	fake_reset();
	fake_push(401, NULL);
	fake_push(200, LOGIN);
	fake_push(401, NULL);
	expect_fetch_fail("wt CAISO_NORTH: historical: token rejected "
			  "(HTTP 401)");
	assert_int_equal(fake_next, 3);
}

static void test_login_failures(void **state)
{
	(void)state;
	fake_push(401, "{\"error\":\"bad password: pass word\"}");
	expect_fetch_fail("wt CAISO_NORTH: login: User or PasswordFile "
			  "rejected (HTTP 401)");
	fake_reset();
	fake_push(403, NULL);
	expect_fetch_fail("login: User or PasswordFile rejected (HTTP 403)");
	fake_reset();
	fake_push_answer((struct fake_answer){.status = 429, .attempts = 3});
	expect_fetch_fail("login: rate limited (HTTP 429) after 3 attempts");
	fake_reset();
	fake_push(200, "{\"token\":null}");
	expect_fetch_fail("wt CAISO_NORTH: login: login: token: null");
	fake_reset();
	fake_push_down("Could not resolve host: api.watttime.test");
	expect_fetch_fail("login: no answer: Could not resolve host");
}

static void test_fetch_failures(void **state)
{
	carbon_series *s;

	(void)state;
	fake_push(200, LOGIN);
	fake_push_answer((struct fake_answer){.status = 503, .attempts = 3});
	expect_fetch_fail("historical: server error (HTTP 503) after 3 "
			  "attempts");
	/* token still fresh: no login this time */
	fake_reset();
	fake_push(200, HIST);
	fake_push(403, NULL);
	assert_int_equal(fetch_at(T0, &s), 0);
	assert_int_equal(carbon_series_count(s), 3);
	carbon_series_free(s);
	fake_reset();
	fake_push(200, HIST);
	fake_push(200, "{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\"}]}");
	expect_fetch_fail("wt CAISO_NORTH: forecast: data[0].value: missing");
	fake_reset();
	fake_push(200, HIST);
	fake_push_down("timed out after 10.0 s");
	expect_fetch_fail("forecast: no answer: timed out after 10.0 s");
	fake_reset();
	fake_push(200, "{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		       "\"value\":null}]}");
	fake_push(404, NULL);
	expect_fetch_fail("wt CAISO_NORTH: no data (1 null values skipped)");
}

static void test_average_signal(void **state)
{
	carbon_series *s;

	(void)state;
	carbon_watttime_ops.close(st);
	cfg.signal = CARBON_SIGNAL_AVERAGE;
	assert_int_equal(carbon_watttime_ops.open(&cfg, &st, err, sizeof(err)),
			 0);
	fake_push(200, LOGIN);
	fake_push(200, "{\"data\":[{\"point_time\":\"2024-01-01T00:00Z\","
		       "\"value\":500}],\"meta\":{\"signal_type\":"
		       "\"co2_aoer\"}}");
	fake_push(200, "{\"data\":[]}");
	assert_int_equal(fetch_at(T0, &s), 0);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_AVERAGE);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 300);
	carbon_series_free(s);
	assert_non_null(strstr(fake_calls[1].url, "signal_type=co2_aoer"));
}

static void test_open_errors(void **state)
{
	struct carbon_provider_conf c = cfg;
	carbon_series *s = (carbon_series *)1;
	void *x = (void *)1;

	(void)state;
	c.basis = CARBON_BASIS_LIFECYCLE;
	assert_true(carbon_watttime_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_null(x);
	assert_non_null(strstr(err, "wt: watttime yields marginal or average "
				    "operational values, not marginal "
				    "lifecycle"));
	c = cfg;
	c.user[0] = '\0';
	assert_true(carbon_watttime_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "needs User and PasswordFile"));
	c = cfg;
	snprintf(c.password_file, sizeof(c.password_file), "/nonexistent/pw");
	assert_true(carbon_watttime_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "wt: PasswordFile: "));
	carbon_watttime_ops.close(NULL);
	assert_int_equal(carbon_watttime_ops.fetch(NULL, &cfg, NULL, "X", T0,
						   &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	fake_push(200, LOGIN);
	assert_int_equal(carbon_watttime_ops.fetch(st, &cfg, NULL, "X",
						   INT64_C(-5), &s, err,
						   sizeof(err)),
			 CARBON_ERANGE);
	assert_non_null(strstr(err, "now -5 is out of range"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_units, teardown),
		cmocka_unit_test_teardown(test_meta, teardown),
		cmocka_unit_test_teardown(test_nulls_and_empty, teardown),
		cmocka_unit_test_teardown(test_broken, teardown),
		cmocka_unit_test_teardown(test_huge, teardown),
		cmocka_unit_test_teardown(test_login_parse, teardown),
		cmocka_unit_test_setup_teardown(
			test_fetch_normal, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_token_lifetime, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(test_token_renewed_on_401,
						setup_provider,
						teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_login_failures, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_failures, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_average_signal, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_open_errors, setup_provider, teardown_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
