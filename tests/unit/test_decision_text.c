/* Unit tests of the decision record on the job (lib/decision_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/decision_text.h"

static const char *const names[3] = {"es", "no", "cal"};

static struct carbon_policy_decision sample(void)
{
	struct carbon_policy_decision d = {
		.nranked = 3,
		.ranking = {1, 2, 0},
		.cost_g = {287.74, 49.66, 253.9},
		.chosen = 1,
		.begin = INT64_C(1686848400), /* 2023-06-15T17:00:00Z */
		.deferred = true,
		.mode = CARBON_MODE_FAST,
		.expected_g = 49.66,
		.baseline_g = 405.4,
		.quality = CARBON_DATA_FRESH,
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.latest = INT64_C(1686888000), /* 2023-06-16T04:00:00Z */
		.allowed = 0x3,
	};
	strcpy(d.reason, "moved to no, deferred 13.0 h: 88% below now at cal");
	return d;
}

static void test_format(void **state)
{
	struct carbon_policy_decision d = sample();
	char buf[CARBON_DECISION_TEXT_MAX];

	(void)state;
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 0);
	assert_string_equal(
		buf,
		"\"carbon\":{\"v\":1,\"at\":\"no\",\"begin\":"
		"\"2023-06-15T17:00:00Z\",\"mode\":\"fast\",\"q\":\"fresh\","
		"\"u\":\"flexible\",\"latest\":\"2023-06-16T04:00:00Z\","
		"\"allow\":\"es,no\",\"exp_g\":49.7,\"now_g\":405.4,\"rank\":"
		"\"no:49.7,cal:253.9,"
		"es:287.7\",\"why\":\"moved to no, deferred 13.0 h: 88% below "
		"now at cal\"}");
	d.deferred = false;
	d.baseline_g = -1;
	d.mode = CARBON_MODE_ECO;
	d.nranked = 0;
	strcpy(d.reason, "a \"quoted\" {x}\n");
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 0);
	assert_non_null(strstr(buf, "\"begin\":\"now\""));
	assert_non_null(strstr(buf, "\"now_g\":-1"));
	assert_non_null(strstr(buf, "\"mode\":\"eco\""));
	assert_non_null(strstr(buf, "\"rank\":\"\""));
	d.allowed = 0;
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 0);
	assert_null(strstr(buf, "\"allow\""));
	assert_non_null(strstr(buf, "a \\\"quoted\\\" (x)\\u000a"));
}

static void test_format_errors(void **state)
{
	struct carbon_policy_decision d = sample();
	const char *const unnamed[3] = {NULL, NULL, NULL};
	char buf[CARBON_DECISION_TEXT_MAX];

	(void)state;
	assert_int_equal(carbon_decision_text(NULL, names, 3, buf, 10),
			 CARBON_EINVAL);
	assert_int_equal(carbon_decision_text(&d, names, 0, buf, 10),
			 CARBON_EINVAL);
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, 20),
			 CARBON_ETOOLONG);
	d.chosen = 5;
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 CARBON_EINVAL);
	d = sample();
	d.ranking[1] = 7;
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 CARBON_EINVAL);
	d = sample();
	assert_int_equal(carbon_decision_text(&d, unnamed, 3, buf, sizeof(buf)),
			 0);
	assert_non_null(strstr(buf, "\"at\":\"?\""));
	d.begin = INT64_MAX;
	assert_int_equal(carbon_decision_text(&d, names, 3, buf, sizeof(buf)),
			 0);
	assert_non_null(strstr(buf, "\"begin\":\"?\""));
}

static void merge_is(const char *old, const char *want)
{
	char out[512];

	assert_int_equal(carbon_admin_comment_merge(old, "\"carbon\":{\"v\":1}",
						    out, sizeof(out)),
			 0);
	assert_string_equal(out, want);
}

static void test_merge(void **state)
{
	(void)state;
	merge_is(NULL, "{\"carbon\":{\"v\":1}}");
	merge_is("  ", "{\"carbon\":{\"v\":1}}");
	merge_is("{}", "{\"carbon\":{\"v\":1}}");
	merge_is("{\"eff\":0.8}", "{\"carbon\":{\"v\":1},\"eff\":0.8}");
	merge_is("audit 42", "audit 42 {\"carbon\":{\"v\":1}}");
	/* An earlier record is replaced in place, the rest kept. */
	merge_is("{\"carbon\":{\"v\":1,\"at\":\"es\"},\"eff\":0.8}",
		 "{\"carbon\":{\"v\":1},\"eff\":0.8}");
	merge_is("audit 42 {\"carbon\":{\"at\":\"x\"}} tail",
		 "audit 42 {\"carbon\":{\"v\":1}} tail");
	/* An unterminated earlier record is not ours: appended after it. */
	merge_is("x \"carbon\":{", "x \"carbon\":{ {\"carbon\":{\"v\":1}}");
}

static void test_merge_errors(void **state)
{
	char out[16];

	(void)state;
	assert_int_equal(carbon_admin_comment_merge("", "nope", out, 16),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_admin_comment_merge("", "\"carbon\":{{}", out, 16),
		CARBON_EINVAL);
	assert_int_equal(carbon_admin_comment_merge("", NULL, out, 16),
			 CARBON_EINVAL);
	assert_int_equal(carbon_admin_comment_merge("long old text here",
						    "\"carbon\":{\"v\":1}", out,
						    sizeof(out)),
			 CARBON_ETOOLONG);
}

/* What the plugin writes, re-planning reads back. */
static void test_parse_round_trip(void **state)
{
	struct carbon_policy_decision d = sample();
	struct carbon_decision_record r;
	char member[CARBON_DECISION_TEXT_MAX];
	char comment[CARBON_ADMIN_COMMENT_MAX + 1];
	char err[128];

	(void)state;
	assert_int_equal(
		carbon_decision_text(&d, names, 3, member, sizeof(member)), 0);
	assert_int_equal(carbon_admin_comment_merge("site text", member,
						    comment, sizeof(comment)),
			 0);
	assert_int_equal(carbon_decision_parse(comment, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.version, 1);
	assert_string_equal(r.at, "no");
	assert_true(r.deferred);
	assert_int_equal(r.begin, d.begin);
	assert_true(r.has_urgency);
	assert_int_equal(r.urgency, CARBON_URGENCY_FLEXIBLE);
	assert_true(r.has_latest);
	assert_int_equal(r.latest, d.latest);
	assert_string_equal(r.allow, "es,no");
	assert_int_equal(r.mode, CARBON_MODE_FAST);
	assert_float_equal(r.expected_g, 49.7, 1e-9);
	assert_float_equal(r.baseline_g, 405.4, 1e-9);
	/* what scarbon tells a user: the data, the ranking, the reason */
	assert_string_equal(r.quality, carbon_policy_quality_name(d.quality));
	assert_non_null(strstr(r.rank, "no:"));
	assert_string_equal(r.why, d.reason);
	/* an old record without them still reads */
	assert_int_equal(carbon_decision_parse("{\"carbon\":{\"v\":1,\"at\":"
					       "\"es\",\"begin\":\"now\"}}",
					       &r, err, sizeof(err)),
			 0);
	assert_string_equal(r.why, "");
	assert_string_equal(r.rank, "");

	d.deferred = false;
	d.mode = CARBON_MODE_ECO;
	d.allowed = 0;
	strcpy(d.reason, "a \"quoted\" {x}\n");
	assert_int_equal(
		carbon_decision_text(&d, names, 3, member, sizeof(member)), 0);
	assert_int_equal(carbon_admin_comment_merge(NULL, member, comment,
						    sizeof(comment)),
			 0);
	assert_int_equal(carbon_decision_parse(comment, &r, err, sizeof(err)),
			 0);
	assert_false(r.deferred);
	assert_int_equal(r.mode, CARBON_MODE_ECO);
	assert_string_equal(r.allow, "");
}

static void parse_fails(const char *comment, int want, const char *msg)
{
	struct carbon_decision_record r;
	char err[128] = "";

	assert_int_equal(carbon_decision_parse(comment, &r, err, sizeof(err)),
			 want);
	assert_non_null(strstr(err, msg));
}

static void test_parse_errors(void **state)
{
	struct carbon_decision_record r;

	(void)state;
	assert_int_equal(carbon_decision_parse("x", NULL, NULL, 0),
			 CARBON_EINVAL);
	parse_fails(NULL, 1, "no carbon record");
	parse_fails("audit 42", 1, "no carbon record");
	parse_fails("{\"carbon\":{\"v\":1,\"at\":\"no\"", CARBON_EINVAL,
		    "no closing brace");
	parse_fails("{\"carbon\":{\"v\":2,\"at\":\"no\",\"begin\":\"now\"}}",
		    CARBON_EINVAL, "unknown version");
	parse_fails("{\"carbon\":{\"v\":1,\"begin\":\"now\"}}", CARBON_EINVAL,
		    "required");
	parse_fails("{\"carbon\":{\"v\":1,\"at\":\"no\",\"begin\":\"soon\"}}",
		    CARBON_EINVAL, "bad time in begin");
	parse_fails("{\"carbon\":{\"v\":1,\"at\":\"no\",\"begin\":\"now\","
		    "\"latest\":\"2023-13-01T00:00:00Z\"}}",
		    CARBON_EINVAL, "bad time in latest");
	parse_fails("{\"carbon\":{\"v\":1,\"at\":\"no\",\"begin\":\"now\","
		    "\"u\":\"whenever\"}}",
		    CARBON_EINVAL, "bad urgency");
	parse_fails("{\"carbon\":{\"v\":1 \"at\":\"no\"}}", CARBON_EINVAL,
		    "no comma after v");
	parse_fails("{\"carbon\":{v:1}}", CARBON_EINVAL, "bad key");
	parse_fails("{\"carbon\":{\"v\":x}}", CARBON_EINVAL, "bad value of v");
	parse_fails("{\"carbon\":{\"at\":\"a\\u0000b\"}}", CARBON_EINVAL,
		    "bad value of at");
	parse_fails("{\"carbon\":{\"at\":\"a\\qb\"}}", CARBON_EINVAL,
		    "bad value of at");
	parse_fails("{\"carbon\":{\"at\":\"0123456789012345678901234567890123"
		    "456789012345678901234567890123456789\"}}",
		    CARBON_EINVAL, "too long: at");
	/* Unknown keys and escapes are fine; later fields are optional. */
	assert_int_equal(carbon_decision_parse(
				 "{\"carbon\":{\"v\":1,\"new\":\"x\\u0041\","
				 "\"at\":\"n\\/o\",\"begin\":\"now\"}}",
				 &r, NULL, 0),
			 0);
	assert_string_equal(r.at, "n/o");
	assert_false(r.has_latest);
	assert_false(r.has_urgency);
	assert_float_equal(r.expected_g, -1, 0);
}

/* Times are read in the traces' ISO 8601 form (carbon_timeparse_iso()). */
static void test_parse_times(void **state)
{
	static const struct {
		const char *begin;
		int64_t t; /* -1: refused */
	} times[] = {
		{"2023-06-15T04:00:00Z", INT64_C(1686801600)},
		{"2023-06-15 05:00+01:00", INT64_C(1686801600)},
		{"2023-06-15t04:00:30.5z", INT64_C(1686801630)},
		{"2023-06-15", -1},
		{"1969-12-31T23:59:59Z", -1},
	};
	struct carbon_decision_record r;
	char comment[160];

	(void)state;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		snprintf(comment, sizeof(comment),
			 "{\"carbon\":{\"v\":1,\"at\":\"\\u004Eo\","
			 "\"begin\":\"%s\"}}",
			 times[i].begin);
		if (times[i].t < 0) {
			parse_fails(comment, CARBON_EINVAL,
				    "bad time in begin");
			continue;
		}
		assert_int_equal(carbon_decision_parse(comment, &r, NULL, 0),
				 0);
		assert_string_equal(r.at, "No");
		assert_int_equal(r.begin, times[i].t);
	}
	parse_fails("{\"carbon\":{\"at\":\"\\u00zz\"}}", CARBON_EINVAL,
		    "bad value of at");
}

/* `scontrol update StartTime=now` seen by re-planning: the mark. */
static void test_mark_user_begin(void **state)
{
	const char *rec = "audit {\"carbon\":{\"v\":1,\"at\":\"no\","
			  "\"begin\":\"2023-06-15T17:00:00Z\"},\"x\":1}";
	struct carbon_decision_record r;
	char out[256], again[256], small[24];

	(void)state;
	assert_int_equal(carbon_decision_mark_user_begin(rec, out, sizeof(out)),
			 0);
	assert_string_equal(out, "audit {\"carbon\":{\"v\":1,\"at\":\"no\","
				 "\"begin\":\"2023-06-15T17:00:00Z\","
				 "\"begin_by\":\"user\"},\"x\":1}");
	assert_int_equal(carbon_decision_parse(out, &r, NULL, 0), 0);
	assert_true(r.begin_by_user);
	assert_true(r.deferred);
	assert_int_equal(carbon_decision_parse(rec, &r, NULL, 0), 0);
	assert_false(r.begin_by_user);
	/* Marked once only. */
	assert_int_equal(
		carbon_decision_mark_user_begin(out, again, sizeof(again)), 0);
	assert_string_equal(again, out);
	/* Another value is not the user's. */
	assert_int_equal(
		carbon_decision_parse("{\"carbon\":{\"v\":1,\"at\":\"no\","
				      "\"begin\":\"now\",\"begin_by\":\"x\"}}",
				      &r, NULL, 0),
		0);
	assert_false(r.begin_by_user);
	/* No record, a broken one, too long, NULL. */
	assert_int_equal(carbon_decision_mark_user_begin("audit", out, 8), 1);
	assert_int_equal(carbon_decision_mark_user_begin("\"carbon\":{\"v\"",
							 out, sizeof(out)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_decision_mark_user_begin(rec, small, sizeof(small)),
		CARBON_ETOOLONG);
	assert_int_equal(carbon_decision_mark_user_begin(NULL, out, 8),
			 CARBON_EINVAL);
	assert_int_equal(carbon_decision_mark_user_begin(rec, NULL, 8),
			 CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_errors),
		cmocka_unit_test(test_parse_round_trip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_times),
		cmocka_unit_test(test_mark_user_begin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
