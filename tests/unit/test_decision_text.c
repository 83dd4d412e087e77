/* Unit tests of the decision record on the job (lib/decision_text.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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
		"\"exp_g\":49.7,\"now_g\":405.4,\"rank\":\"no:49.7,cal:253.9,"
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_merge_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
