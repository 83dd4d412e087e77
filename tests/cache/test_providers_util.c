/*
 * Unit tests for the HTTP providers' shared helpers (providers/json_util.h
 * and providers/fetch_util.h): point lists at their bounds, the bounded
 * JSON parse, typed member access, series assembly (priority of parts,
 * kinds, labels), URL building and escaping, secret redaction, time
 * formats and the mapping of HTTP outcomes to messages.
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
#include "providers/fetch_util.h"
#include "providers/json_util.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */

static char err[1024];

static void expect_msg(const char *text)
{
	if (!strstr(err, text))
		fail_msg("message \"%s\" lacks \"%s\"", err, text);
}

static void test_points(void **state)
{
	struct carbon_provider_points p = {0};
	struct carbon_series_point pt = {.t = T0, .value = 1};

	(void)state;
	assert_int_equal(
		carbon_provider_points_push(NULL, &pt, "x", err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_provider_points_push(&p, NULL, "x", err, sizeof(err)),
		CARBON_EINVAL);
	for (int i = 0; i < CARBON_PROVIDER_POINTS_MAX; i++) {
		pt.t = T0 + i;
		assert_int_equal(carbon_provider_points_push(&p, &pt, "x", err,
							     sizeof(err)),
				 0);
	}
	pt.t++;
	assert_int_equal(carbon_provider_points_push(&p, &pt, "t: a[9]", err,
						     sizeof(err)),
			 CARBON_ERANGE);
	expect_msg("t: a[9]: more than 20000 points");
	carbon_provider_points_clear(&p);
	assert_null(p.v);
	assert_int_equal(p.n, 0);
	carbon_provider_points_clear(NULL);
	pt.t = CARBON_TIME_MAX + 1;
	assert_int_equal(
		carbon_provider_points_push(&p, &pt, "x", err, sizeof(err)),
		CARBON_ERANGE);
	expect_msg("x: time 10000-01-01T00:00:00Z is out of range");
	pt.t = INT64_MAX;
	assert_int_equal(
		carbon_provider_points_push(&p, &pt, "x", err, sizeof(err)),
		CARBON_ERANGE);
	expect_msg("x: time 9223372036854775807 is out of range");
	pt.t = T0;
	pt.value = 5000.5;
	assert_int_equal(
		carbon_provider_points_push(&p, &pt, "x", err, sizeof(err)),
		CARBON_ERANGE);
	pt.value = 5000;
	assert_int_equal(
		carbon_provider_points_push(&p, &pt, "x", err, sizeof(err)), 0);
	carbon_provider_points_clear(&p);
}

static void test_json(void **state)
{
	struct json_object *root = (struct json_object *)1, *m;
	static const char doc[] = "{\"a\":true,\"b\":[1],\"c\":null}";
	double v;
	bool b, is_null;
	int64_t t;

	(void)state;
	assert_int_equal(carbon_provider_json_parse(NULL, 3, "p", &root, err,
						    sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_provider_json_parse(doc, 3, "p", NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_provider_json_parse(doc, CARBON_PROVIDER_BODY_MAX + 1,
					   "p", &root, err, sizeof(err)),
		CARBON_ETOOLONG);
	assert_null(root);
	expect_msg("p: answer of 16777217 bytes is over the 16777216-byte "
		   "limit");
	assert_int_equal(carbon_provider_json_parse(doc, strlen(doc), "p",
						    &root, err, sizeof(err)),
			 0);
	assert_int_equal(
		carbon_provider_json_member(root, "a", json_type_double, false,
					    false, "p:", &m, err, sizeof(err)),
		CARBON_EINVAL);
	expect_msg("p: a: expected a number, got boolean");
	assert_int_equal(carbon_provider_json_bool(root, "a", "p:", &b, err,
						   sizeof(err)),
			 0);
	assert_true(b);
	assert_int_equal(carbon_provider_json_bool(root, "c", "p:", &b, err,
						   sizeof(err)),
			 0);
	assert_false(b);
	assert_int_equal(carbon_provider_json_bool(root, "z", "p:", &b, err,
						   sizeof(err)),
			 0);
	assert_false(b);
	assert_int_equal(carbon_provider_json_number(root, "c", "p: x", &v,
						     &is_null, err,
						     sizeof(err)),
			 0);
	assert_true(is_null);
	assert_int_equal(carbon_provider_json_member(
				 root, "b", json_type_object, false, false,
				 "p: x", &m, err, sizeof(err)),
			 CARBON_EINVAL);
	expect_msg("p: x.b: expected an object, got array");
	assert_int_equal(carbon_provider_json_member(
				 root, "c", json_type_string, false, false,
				 "p: x", &m, err, sizeof(err)),
			 CARBON_EINVAL);
	expect_msg("p: x.c: null, expected a string");
	assert_int_equal(carbon_provider_json_time(root, "a", "p:", &t, err,
						   sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(carbon_provider_json_type_name(NULL), "null");
	json_object_put(root);
}

static void test_series_build(void **state)
{
	struct carbon_provider_conf cfg = {
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
	};
	struct carbon_series_point a[] = {{.t = T0, .value = 1},
					  {.t = T0 + 60, .value = 2}};
	struct carbon_series_point b[] = {{.t = T0 + 60, .value = 9},
					  {.t = T0 + 120, .value = 3},
					  {.t = T0 + 180, .value = 4}};
	struct carbon_provider_points pa = {.v = a, .n = 2, .skipped = 1};
	struct carbon_provider_points pb = {.v = b, .n = 3};
	const struct carbon_provider_points *parts[] = {&pa, NULL, &pb};
	carbon_series *s = NULL;

	(void)state;
	memset(cfg.name, 'n', sizeof(cfg.name) - 1);
	assert_int_equal(carbon_provider_series_build(&cfg, "ES", T0, 60, parts,
						      3, &s, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(s), 4);
	assert_true(carbon_series_points_peek(s)[1].value == 2.0);
	assert_int_equal(strlen(carbon_series_meta_peek(s)->source), 64);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 60);
	carbon_series_free(s);
	/* a span out of range is left to the series' default */
	assert_int_equal(carbon_provider_series_build(
				 &cfg, "ES", T0, CARBON_SERIES_SPAN_MAX + 1,
				 parts, 3, &s, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_series_meta_peek(s)->default_span,
			 CARBON_SERIES_DEFAULT_SPAN);
	carbon_series_free(s);
	assert_int_equal(carbon_provider_series_build(&cfg, "ES", T0, 60, NULL,
						      0, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	assert_int_equal(carbon_provider_series_build(NULL, "ES", T0, 60, NULL,
						      0, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	cfg.signal = (enum carbon_signal)42;
	assert_true(carbon_provider_series_build(&cfg, "ES", T0, 60, parts, 3,
						 &s, err, sizeof(err)) < 0);
	cfg.signal = CARBON_SIGNAL_AVERAGE;
	/* points that never went through push are still checked */
	a[1].value = -1;
	assert_true(carbon_provider_series_build(&cfg, "ES", T0, 60, parts, 3,
						 &s, err, sizeof(err)) < 0);
	assert_null(s);
}

static void test_urls(void **state)
{
	struct carbon_provider_url u;
	char big[PROVIDER_URL_MAX];

	(void)state;
	carbon_provider_url_start(&u, "https://h.test/v3//", "a/b");
	carbon_provider_url_param(&u, "zone", "DE LU/é");
	carbon_provider_url_param(&u, "x", "-._~");
	assert_int_equal(carbon_provider_url_done(&u, "w", err, sizeof(err)),
			 0);
	assert_string_equal(u.buf, "https://h.test/v3/a/b?zone=DE%20LU%2F%C3%A9"
				   "&x=-._~");
	carbon_provider_url_start(&u, "https://h.test/api", "");
	assert_string_equal(u.buf, "https://h.test/api");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	carbon_provider_url_start(&u, "https://h.test", "");
	carbon_provider_url_param(&u, "k", big);
	assert_int_equal(carbon_provider_url_done(&u, "w", err, sizeof(err)),
			 CARBON_ETOOLONG);
	expect_msg("w: URL longer than 2047 bytes");
	/* the builder never writes past its buffer */
	assert_true(u.len < sizeof(u.buf));
}

static void test_redact_and_times(void **state)
{
	char s[] = "token abcd1234 and abcd1234 again; ab";
	char buf[PROVIDER_TIME_BUF];
	volatile size_t small = 8;

	(void)state;
	carbon_provider_redact(s, "abcd1234");
	assert_string_equal(s, "token ******** and ******** again; ab");
	carbon_provider_redact(s, "ab"); /* too short to hunt for */
	carbon_provider_redact(s, NULL);
	assert_string_equal(s, "token ******** and ******** again; ab");
	assert_int_equal(carbon_provider_time(T0 + 3723, PROVIDER_TIME_SECONDS,
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "2024-01-01T01:02:03Z");
	assert_int_equal(carbon_provider_time(T0 + 3723, PROVIDER_TIME_MINUTES,
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "2024-01-01T01:02Z");
	assert_int_equal(carbon_provider_time(T0 + 3723, PROVIDER_TIME_COMPACT,
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "202401010102");
	assert_int_equal(carbon_provider_time(-1, PROVIDER_TIME_SECONDS, buf,
					      sizeof(buf)),
			 CARBON_ERANGE);
	assert_string_equal(buf, "");
	/* volatile: the compiler would refuse the short buffer it can see */
	assert_int_equal(
		carbon_provider_time(T0, PROVIDER_TIME_SECONDS, buf, small),
		CARBON_ETOOLONG);
}

static void test_get_and_fail(void **state)
{
	struct carbon_http_request req = {.url = "http://x"};
	struct carbon_http_response resp;

	(void)state;
	fake_reset();
	fake_push(204, NULL);
	assert_int_equal(carbon_provider_get(NULL, &req, "w", NULL, &resp, err,
					     sizeof(err)),
			 CARBON_EINVAL);
	expect_msg("w: empty answer (HTTP 204)");
	carbon_http_response_clear(&resp);
	fake_push_answer((struct fake_answer){.status = 200, .why = ""});
	assert_true(carbon_provider_get(NULL, &req, "w", NULL, &resp, err,
					sizeof(err)) < 0);
	expect_msg("w: bad answer");
	carbon_http_response_clear(&resp);
	fake_push_answer((struct fake_answer){.status = 0, .why = ""});
	assert_true(carbon_provider_get(NULL, &req, "w", NULL, &resp, err,
					sizeof(err)) < 0);
	expect_msg("w: no answer: unknown error");
	carbon_http_response_clear(&resp);
	assert_int_equal(carbon_provider_fail(CARBON_ERANGE, "who", "p",
					      "p: msg", err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "who: msg");
	carbon_provider_fail(CARBON_ERANGE, "who", "p", "px: msg", err,
			     sizeof(err));
	assert_string_equal(err, "who: px: msg");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_series_build),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_redact_and_times),
		cmocka_unit_test(test_get_and_fail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
