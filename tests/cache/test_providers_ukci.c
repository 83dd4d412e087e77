/*
 * Unit tests for the UK Carbon Intensity provider (providers/ukci.h):
 * national answers (actual, or forecast when actual is null), regional
 * answers in both nestings (data[0].data[...] and data.data[...]), nulls,
 * period lengths, broken JSON, wrong types, order, a generated oversize
 * array, the area syntax, then open/fetch/close against the scripted HTTP
 * client (URLs for national and regional, HTTP failures).
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
#include "providers/ukci.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define HH INT64_C(1800)

#define PERIOD(from, to, fc, act)                                 \
	"{\"from\":\"" from "\",\"to\":\"" to "\",\"intensity\":" \
	"{\"forecast\":" fc ",\"actual\":" act ",\"index\":\"low\"}}"
#define RPERIOD(from, to, fc)                                             \
	"{\"from\":\"" from "\",\"to\":\"" to "\",\"intensity\":"         \
	"{\"forecast\":" fc ",\"index\":\"moderate\"},\"generationmix\":" \
	"[{\"fuel\":\"gas\",\"perc\":40.1},{\"fuel\":\"wind\",\"perc\":"  \
	"59.9}]}"
#define A "2024-01-01T00:00Z"
#define B "2024-01-01T00:30Z"
#define C "2024-01-01T01:00Z"
#define D "2024-01-01T01:30Z"

#define NATIONAL                                             \
	"{\"data\":[" PERIOD(A, B, "146", "140") "," PERIOD( \
		B, C, "150", "null") "," PERIOD(C, D, "null", "null") "]}"
#define REGION(id, periods)                                    \
	"{\"regionid\":" #id ",\"dnoregion\":\"UKPN London\"," \
	"\"shortname\":\"London\",\"data\":[" periods "]}"
#define REGIONAL(id, periods) "{\"data\":[" REGION(id, periods) "]}"

static int national(const char *json)
{
	err[0] = '\0';
	return carbon_ukci_parse_national(json, strlen(json), &pts, err,
					  sizeof(err));
}

static int regional(const char *json, int id)
{
	err[0] = '\0';
	return carbon_ukci_parse_regional(json, strlen(json), id, &pts, err,
					  sizeof(err));
}

/* ---- parsers ------------------------------------------------------------------ */

static void test_national(void **state)
{
	(void)state;
	assert_int_equal(national(NATIONAL), 0);
	assert_int_equal(pts.n, 2);
	assert_int_equal(pts.skipped, 1);
	assert_int_equal(pts.span, 1800);
	assert_int_equal(pts.v[0].t, T0);
	assert_true(pts.v[0].value == 140.0);
	assert_false(pts.v[0].is_forecast);
	assert_int_equal(pts.v[1].t, T0 + HH);
	assert_true(pts.v[1].value == 150.0);
	assert_true(pts.v[1].is_forecast);
	/* no "actual" member at all: the forecast */
	assert_int_equal(national("{\"data\":[{\"from\":\"" A "\",\"to\":\"" B
				  "\",\"intensity\":{\"forecast\":99}}]}"),
			 0);
	assert_true(pts.v[0].is_forecast && pts.v[0].value == 99.0);
	assert_int_equal(national("{\"data\":[]}"), 0);
	assert_int_equal(pts.n, 0);
}

static void test_regional(void **state)
{
	(void)state;
	assert_int_equal(
		regional(REGIONAL(13, RPERIOD(A, B, "120") "," RPERIOD(
					      B, C, "null") "," RPERIOD(C, D,
									"80")),
			 13),
		0);
	assert_int_equal(pts.n, 2);
	assert_int_equal(pts.skipped, 1);
	assert_true(pts.v[0].is_forecast && pts.v[1].is_forecast);
	assert_int_equal(pts.v[1].t, T0 + 2 * HH);
	/* data as the region object itself */
	assert_int_equal(
		regional("{\"data\":" REGION(13, RPERIOD(A, B, "1")) "}", 13),
		0);
	assert_int_equal(pts.n, 1);
	/* several regions: the one asked for; an "actual" is ignored */
	assert_int_equal(
		regional("{\"data\":[" REGION(1, RPERIOD(A, B, "1")) "," REGION(
				 13, PERIOD(A, B, "2", "3")) "]}",
			 13),
		0);
	assert_true(pts.v[0].value == 2.0);
	expect_fail(
		regional("{\"data\":[" REGION(1, RPERIOD(A, B, "1")) "," REGION(
				 2, RPERIOD(A, B, "1")) "]}",
			 13),
		"ukci: data: no region 13 among 2");
	expect_fail(regional(REGIONAL(12, RPERIOD(A, B, "1")), 13),
		    "ukci: region.regionid: 12, expected 13");
	assert_int_equal(regional(REGIONAL(12, RPERIOD(A, B, "1")), 0), 0);
	expect_fail(
		regional("{\"data\":[{\"regionid\":\"13\",\"data\":[]}]}", 13),
		"ukci: region.regionid: expected a number, got string");
	expect_fail(regional("{\"data\":[{\"regionid\":13}]}", 13),
		    "ukci: region.data: missing");
	expect_fail(regional("{\"data\":null}", 13),
		    "ukci: data: null, expected an array");
	expect_fail(
		regional("{\"data\":[" REGION(13, RPERIOD(A, B, "\"x\"")) "]}",
			 13),
		"ukci: region.data[0].intensity.forecast: expected a "
		"number, got string");
}

static void test_periods(void **state)
{
	(void)state;
	expect_fail(national("{\"data\":[" PERIOD(A, C, "1", "1") "]}"),
		    "ukci: data[0]: period lasts 3600 s (from to to), "
		    "expected 1800");
	expect_fail(national("{\"data\":[" PERIOD(B, A, "1", "1") "]}"),
		    "period lasts -1800 s");
	expect_fail(national("{\"data\":[" PERIOD(B, C, "1", "1") "," PERIOD(
			    A, B, "1", "1") "]}"),
		    "ukci: data[1]: time 2024-01-01T00:00:00Z is not after the "
		    "previous point's 2024-01-01T00:30:00Z (out of order)");
	expect_fail(national("{\"data\":[" PERIOD(A, B, "1", "1") "," PERIOD(
			    A, B, "1", "1") "]}"),
		    "(duplicate)");
	expect_fail(national("{\"data\":[" PERIOD(A, B, "1", "9000") "]}"),
		    "value 9000 gCO2eq/kWh is out of range");
}

static void test_broken(void **state)
{
	(void)state;
	expect_fail(national("{\"data\":[" PERIOD(A, B, "1", "1")),
		    "ukci: truncated JSON");
	expect_fail(national("{\"data\":[}"), "ukci: malformed JSON");
	expect_fail(national("{\"error\":{\"code\":\"400\"}}"),
		    "ukci: data: missing");
	expect_fail(national("{\"data\":{}}"),
		    "ukci: data: expected an array, got object");
	expect_fail(national("{\"data\":[{\"from\":\"" A "\",\"to\":\"" B
			     "\",\"intensity\":146}]}"),
		    "ukci: data[0].intensity: expected an object, got number");
	expect_fail(
		national("{\"data\":[{\"from\":\"" A "\",\"to\":\"" B "\"}]}"),
		"ukci: data[0].intensity: missing");
	expect_fail(national("{\"data\":[{\"from\":\"" A "\",\"to\":5}]}"),
		    "ukci: data[0].to: expected a string");
	expect_fail(national("{\"data\":[{\"from\":\"" A "\",\"to\":\"" B
			     "\",\"intensity\":{\"actual\":\"1\"}}]}"),
		    "ukci: data[0].intensity.actual: expected a number");
	expect_fail(national("{\"data\":[{\"from\":\"" A "\",\"to\":\"" B
			     "\",\"intensity\":{\"actual\":null}}]}"),
		    "ukci: data[0].intensity.forecast: missing");
	expect_fail(carbon_ukci_parse_national("{}", 2, NULL, err, sizeof(err)),
		    "ukci: bad arguments");
	expect_fail(
		carbon_ukci_parse_regional("{}", 2, 1, NULL, err, sizeof(err)),
		"ukci: bad arguments");
}

static void test_huge(void **state)
{
	char *s;

	(void)state;
	s = repeated_json("{\"data\":[", "{}", CARBON_PROVIDER_POINTS_MAX + 1,
			  "]}");
	expect_fail(national(s), "ukci: data: 20001 items, more than 20000");
	free(s);
}

static void test_area(void **state)
{
	static const char *const bad[] = {
		"GB",
		"region:",
		"region:0",
		"region:18",
		"region:1x",
		"region:-1",
		"region:99999999999999",
		"",
		NULL,
	};
	int id = -1;

	(void)state;
	assert_int_equal(
		carbon_ukci_parse_area("national", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 0);
	assert_int_equal(
		carbon_ukci_parse_area("National", &id, err, sizeof(err)), 0);
	assert_int_equal(
		carbon_ukci_parse_area("region:1", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	assert_int_equal(
		carbon_ukci_parse_area("Region:17", &id, err, sizeof(err)), 0);
	assert_int_equal(id, 17);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			carbon_ukci_parse_area(bad[i], &id, err, sizeof(err)),
			CARBON_EINVAL);
		assert_non_null(strstr(err, "use national or region:1 to "
					    "region:17"));
	}
}

/* ---- the provider --------------------------------------------------------------- */

static struct carbon_provider_conf cfg;
static void *st;

static int setup_provider(void **state)
{
	(void)state;
	provider_config(&cfg, "ukci", CARBON_PROVIDER_UKCI,
			CARBON_SIGNAL_AVERAGE, CARBON_BASIS_DIRECT,
			"https://api.ukci.test/");
	st = NULL;
	return carbon_ukci_ops.open(&cfg, &st, err, sizeof(err));
}

static int teardown_provider(void **state)
{
	(void)state;
	carbon_ukci_ops.close(st);
	st = NULL;
	return 0;
}

static int fetch(const char *area, carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_ukci_ops.fetch(st, &cfg, NULL, area, T0 + HH + 60, s, err,
				     sizeof(err));
}

static void expect_fetch_fail(const char *area, const char *text)
{
	carbon_series *s;
	int rc = fetch(area, &s);

	expect_fetch_failed(rc, s, text, NULL);
}

static void test_fetch_national(void **state)
{
	const struct carbon_series_point *p;
	carbon_series *s;

	(void)state;
	fake_push(200, "{\"data\":[" PERIOD(A, B, "146", "140") "," PERIOD(
			       B, C, "150", "148") "]}");
	fake_push(200, "{\"data\":[" PERIOD(B, C, "151", "null") "," PERIOD(
			       C, D, "160", "null") "]}");
	assert_int_equal(fetch("national", &s), 0);
	assert_int_equal(carbon_series_count(s), 3);
	p = carbon_series_points_peek(s);
	assert_true(p[1].value == 148.0 && !p[1].is_forecast);
	assert_true(p[2].value == 160.0 && p[2].is_forecast);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 1800);
	assert_int_equal(carbon_series_meta_peek(s)->basis,
			 CARBON_BASIS_DIRECT);
	carbon_series_free(s);
	assert_string_equal(fake_calls[0].url, "https://api.ukci.test/"
					       "intensity/2024-01-01T00:31Z/"
					       "pt24h");
	assert_string_equal(fake_calls[1].url, "https://api.ukci.test/"
					       "intensity/2024-01-01T00:31Z/"
					       "fw48h");
}

static void test_fetch_regional(void **state)
{
	carbon_series *s;

	(void)state;
	fake_push(200,
		  REGIONAL(13, RPERIOD(A, B, "120") "," RPERIOD(B, C, "110")));
	assert_int_equal(fetch("region:13", &s), 0);
	assert_int_equal(carbon_series_count(s), 2);
	assert_true(carbon_series_points_peek(s)[0].is_forecast);
	carbon_series_free(s);
	assert_int_equal(fake_n, 1);
	assert_string_equal(fake_calls[0].url,
			    "https://api.ukci.test/regional/intensity/"
			    "2023-12-31T00:31Z/fw48h/regionid/13");
}

static void test_fetch_failures(void **state)
{
	carbon_series *s = (carbon_series *)1;
	void *x = (void *)1;
	struct carbon_provider_conf c = cfg;

	(void)state;
	expect_fetch_fail("GB", "ukci: area \"GB\"");
	assert_int_equal(fake_next, 0);
	fake_push_answer((struct fake_answer){.status = 500, .attempts = 3});
	expect_fetch_fail("national", "ukci national: pt24h: server error "
				      "(HTTP 500) after 3 attempts");
	fake_reset();
	fake_push(200, "{\"data\":[]}");
	fake_push_answer((struct fake_answer){.status = 429, .attempts = 2});
	expect_fetch_fail("national", "ukci national: fw48h: rate limited "
				      "(HTTP 429) after 2 attempts");
	fake_reset();
	fake_push(200, "{\"data\":[]}");
	fake_push(200, "{\"data\":[]}");
	expect_fetch_fail("national", "ukci national: no data (0 null values "
				      "skipped)");
	fake_reset();
	fake_push(200, "{\"data\":[{\"regionid\":13}]}");
	expect_fetch_fail("region:13", "ukci region:13: regional: "
				       "region.data: missing");
	assert_int_equal(carbon_ukci_ops.fetch(NULL, &cfg, NULL, "national", T0,
					       &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	assert_int_equal(carbon_ukci_ops.fetch(st, &cfg, NULL, "national", -1,
					       &s, err, sizeof(err)),
			 CARBON_ERANGE);
	c.basis = CARBON_BASIS_LIFECYCLE;
	assert_int_equal(carbon_ukci_ops.open(&c, &x, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(x);
	assert_non_null(strstr(err, "ukci yields average direct values"));
	carbon_ukci_ops.close(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_national, teardown),
		cmocka_unit_test_teardown(test_regional, teardown),
		cmocka_unit_test_teardown(test_periods, teardown),
		cmocka_unit_test_teardown(test_broken, teardown),
		cmocka_unit_test_teardown(test_huge, teardown),
		cmocka_unit_test_teardown(test_area, teardown),
		cmocka_unit_test_setup_teardown(
			test_fetch_national, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_regional, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_failures, setup_provider, teardown_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
