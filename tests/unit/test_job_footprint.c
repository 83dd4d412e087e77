/*
 * Unit tests for carbon/job_footprint.h: which energy a finished job gets
 * (measured only with its nodes alone, else the model from TotalCPU),
 * the gCO2e over its real run, the counterfactual only for a job the plan
 * moved or deferred, the quality labels, a job that never ran, and the
 * record written into AdminComment and read back.  Every expected number
 * is worked out by hand in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/decision_text.h"
#include "carbon/job_footprint.h"

#define T0  INT64_C(1701864000) /* 2023-12-06T12:00:00Z */
#define H   INT64_C(3600)
#define EPS 1e-6

static const struct carbon_series_meta meta = {
	.signal = CARBON_SIGNAL_AVERAGE,
	.basis = CARBON_BASIS_LIFECYCLE,
	.source = "test",
};

static const char *const names[] = {"es", "no", "cal"};

/* Hourly points from T0 - 2 h, value v[i] in hour i. */
static carbon_series *hourly(const double *v, size_t n)
{
	carbon_series *s = carbon_series_new(&meta, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {
			.t = T0 - 2 * H + (int64_t)i * H,
			.value = v[i],
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

/* es: 300 then 200; no: 40 flat; cal: none (fallback 500). */
struct fixture {
	carbon_series *es, *no;
	struct carbon_policy_cluster c[3];
};

static int setup(void **state)
{
	static struct fixture f;
	const double es[] = {300, 300, 200, 200, 200, 200, 200, 200};
	const double no[] = {40, 40, 40, 40, 40, 40, 40, 40};
	/* 10 W a core, 100 W a GPU, 0.5 W a GB, PUE 1.5 */
	const struct carbon_power_model m = {.w_per_core = 10,
					     .w_per_gpu = 100,
					     .w_per_gb = 0.5,
					     .pue = 1.5};

	memset(&f, 0, sizeof(f));
	f.es = hourly(es, 8);
	f.no = hourly(no, 8);
	for (int i = 0; i < 3; i++) {
		f.c[i].name = names[i];
		f.c[i].power = m;
	}
	f.c[0].series = f.es;
	f.c[1].series = f.no;
	f.c[2].fallback_intensity = 500;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	carbon_series_free(f->es);
	carbon_series_free(f->no);
	return 0;
}

/* A 2-core job that ran an hour at es from T0, half busy. */
static struct carbon_finished_job job_at_es(void)
{
	return (struct carbon_finished_job){
		.ran = true,
		.submit = T0,
		.start = T0,
		.end = T0 + H,
		.cores = 2,
		.cpu_seconds = 3600, /* 2 cores x 1 h x 0.5 */
		.mem_gb = 4,
		.energy_j = -1,
		.ran_at = 0,
		.origin = 0,
	};
}

static void compute(struct fixture *f, const struct carbon_finished_job *j,
		    struct carbon_job_footprint *out)
{
	char err[256] = "";

	assert_int_equal(carbon_job_footprint_compute(
				 j, f->c, 3, CARBON_SIGNAL_AVERAGE,
				 CARBON_BASIS_LIFECYCLE, out, err, sizeof(err)),
			 0);
}

static void test_model_unshifted(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	compute(*state, &j, &f);
	/* (2 x 10 x 0.5 + 4 x 0.5) W = 12 W x 1 h x 1.5 = 18 Wh = 0.018 kWh;
	 * es in [T0, T0+1h) is 200 -> 3.6 g */
	assert_int_equal(f.fp.energy_source, CARBON_ENERGY_MODEL);
	assert_float_equal(f.cpu_use, 0.5, EPS);
	assert_float_equal(f.fp.kwh, 0.018, EPS);
	assert_float_equal(f.fp.g_co2e, 3.6, EPS);
	assert_int_equal(f.quality, CARBON_DATA_FRESH);
	/* not moved, not deferred: the counterfactual is what happened */
	assert_false(f.moved || f.deferred);
	assert_float_equal(f.fp.counterfactual_g, 3.6, EPS);
	assert_true(f.fp.savings_g == 0.0);
}

static void test_measured_only_alone(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* 72 kJ = 0.02 kWh at the node, x 1.5 = 0.03 kWh -> 6 g at 200 */
	j.energy_j = 72000;
	j.exclusive = true;
	compute(*state, &j, &f);
	assert_int_equal(f.fp.energy_source, CARBON_ENERGY_MEASURED_SLURM);
	assert_float_equal(f.fp.kwh, 0.03, EPS);
	assert_float_equal(f.fp.g_co2e, 6.0, EPS);
	assert_true(f.cpu_use < 0);
	/* the same reading on a shared node is the node's, not the job's */
	j.exclusive = false;
	compute(*state, &j, &f);
	assert_int_equal(f.fp.energy_source, CARBON_ENERGY_MODEL);
	assert_float_equal(f.fp.kwh, 0.018, EPS);
	/* exclusive but no reading: the model */
	j.exclusive = true;
	j.energy_j = -1;
	compute(*state, &j, &f);
	assert_int_equal(f.fp.energy_source, CARBON_ENERGY_MODEL);
}

static void test_model_gpus_and_use(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* 2 GPUs at full power: + 200 W; CPU time over cores x elapsed is
	 * capped at 1: (2 x 10 + 200 + 2) W x 1.5 = 333 Wh */
	j.gpus = 2;
	j.cpu_seconds = 9000;
	compute(*state, &j, &f);
	assert_float_equal(f.cpu_use, 1.0, EPS);
	assert_float_equal(f.fp.kwh, 0.333, EPS);
	/* no CPU time recorded: idle cores cost nothing in the model */
	j.gpus = 0;
	j.cpu_seconds = 0;
	compute(*state, &j, &f);
	assert_float_equal(f.cpu_use, 0.0, EPS);
	assert_float_equal(f.fp.kwh, 0.003, EPS);
}

static void test_moved_and_deferred(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* submitted at es at T0 - 1 h (300 then), ran at no 2 h later */
	j.submit = T0 - H;
	j.start = T0 + H;
	j.end = T0 + 2 * H;
	j.ran_at = 1;
	j.moved = true;
	j.deferred = true;
	compute(*state, &j, &f);
	/* 0.018 kWh x 40 = 0.72 g; at es from submission for 1 h: x 300 =
	 * 5.4 g; saved 4.68 g */
	assert_true(f.moved && f.deferred);
	assert_float_equal(f.fp.g_co2e, 0.72, EPS);
	assert_float_equal(f.fp.counterfactual_g, 5.4, EPS);
	assert_float_equal(f.fp.savings_g, 4.68, EPS);
	assert_float_equal(f.fp.savings_pct, 86.6666667, 1e-5);
}

static void test_sibling_not_the_plan(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* run at cal by the federation (the plan left every cluster open):
	 * priced where it ran, but no saving or loss is the plan's */
	j.ran_at = 2;
	compute(*state, &j, &f);
	assert_false(f.moved || f.deferred);
	assert_float_equal(f.fp.g_co2e, 9.0, EPS);
	assert_float_equal(f.fp.counterfactual_g, 9.0, EPS);
	assert_float_equal(f.fp.savings_g, 0.0, EPS);
}

static void test_plan_lost(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* moved from es (200 at T0) to cal, priced at its fallback 500:
	 * 9 g against 3.6 g, a loss reported as it is */
	j.ran_at = 2;
	j.moved = true;
	compute(*state, &j, &f);
	assert_true(f.moved && !f.deferred);
	assert_float_equal(f.fp.g_co2e, 9.0, EPS);
	assert_float_equal(f.fp.counterfactual_g, 3.6, EPS);
	assert_float_equal(f.fp.savings_g, -5.4, EPS);
}

static void test_quality_labels(void **state)
{
	struct fixture *fx = *state;
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;

	/* cal has no series: its fallback, 500: 0.018 x 500 = 9 g */
	j.ran_at = 2;
	compute(fx, &j, &f);
	assert_int_equal(f.quality, CARBON_DATA_FALLBACK);
	assert_float_equal(f.fp.g_co2e, 9.0, EPS);
	assert_int_equal(f.fp.fallback_s, H);
	/* a moved job whose origin is stale is stale as a whole */
	j.ran_at = 1;
	j.moved = true;
	fx->c[0].stale = true;
	compute(fx, &j, &f);
	assert_int_equal(f.quality, CARBON_DATA_STALE);
	fx->c[0].stale = false;
	/* a run past the series' end is priced at the fallback for what is
	 * not covered, and labelled */
	j = job_at_es();
	j.start = T0 + 5 * H;
	j.end = T0 + 7 * H;
	compute(fx, &j, &f);
	assert_int_equal(f.quality, CARBON_DATA_FALLBACK);
	assert_true(f.fp.fallback_s > 0);
}

static void test_never_ran(void **state)
{
	struct carbon_finished_job j = {.ran = false, .ran_at = 0, .origin = 0};
	struct carbon_job_footprint f;
	struct carbon_job_footprint_record r;
	char member[CARBON_JOB_FOOTPRINT_TEXT_MAX], err[128];

	compute(*state, &j, &f);
	assert_false(f.ran);
	assert_int_equal(
		carbon_job_footprint_text(&f, names, 3, member, sizeof(member)),
		0);
	assert_string_equal(member, "\"carbon_fp\":{\"v\":1,\"ran\":0}");
	assert_int_equal(
		carbon_job_footprint_parse(member, &r, err, sizeof(err)), 0);
	assert_false(r.ran);
}

static void test_record_round_trip(void **state)
{
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;
	struct carbon_job_footprint_record r;
	char member[CARBON_JOB_FOOTPRINT_TEXT_MAX], comment[2048], err[128];
	const char *decision = "{\"carbon\":{\"v\":1,\"at\":\"no\","
			       "\"begin\":\"now\"}}";

	j.submit = T0 - H;
	j.start = T0 + H;
	j.end = T0 + 2 * H;
	j.ran_at = 1;
	j.moved = true;
	j.deferred = true;
	compute(*state, &j, &f);
	assert_int_equal(
		carbon_job_footprint_text(&f, names, 3, member, sizeof(member)),
		0);
	assert_string_equal(
		member, "\"carbon_fp\":{\"v\":1,\"ran\":1,\"on\":\"no\","
			"\"from\":\"es\",\"start\":\"2023-12-06T13:00:00Z\","
			"\"end\":\"2023-12-06T14:00:00Z\",\"e\":\"model\","
			"\"kwh\":0.0180,\"use\":0.50,\"g\":0.720,\"ci\":40.0,"
			"\"q\":\"fresh\",\"sig\":\"average/lifecycle\","
			"\"plan\":\"moved,deferred\",\"cf_g\":5.40,"
			"\"saved_g\":4.68}");
	/* next to the decision, which stays readable */
	assert_int_equal(carbon_admin_comment_merge(decision, member, comment,
						    sizeof(comment)),
			 0);
	assert_int_equal(
		carbon_job_footprint_parse(comment, &r, err, sizeof(err)), 0);
	assert_true(r.ran);
	assert_string_equal(r.on, "no");
	assert_string_equal(r.from, "es");
	assert_int_equal(r.start, T0 + H);
	assert_int_equal(r.end, T0 + 2 * H);
	assert_string_equal(r.energy, "model");
	assert_float_equal(r.kwh, 0.018, EPS);
	assert_float_equal(r.cpu_use, 0.5, EPS);
	assert_float_equal(r.g, 0.72, EPS);
	assert_float_equal(r.cf_g, 5.4, EPS);
	assert_float_equal(r.saved_g, 4.68, EPS);
	assert_string_equal(r.plan, "moved,deferred");
	assert_string_equal(r.quality, "fresh");
	{
		struct carbon_decision_record d;

		assert_int_equal(
			carbon_decision_parse(comment, &d, err, sizeof(err)),
			0);
		assert_string_equal(d.at, "no");
	}
	/* a one-second job's energy keeps 3 significant digits, no exponent:
	 * 4 GB x 0.5 W x 1 s x 1.5 = 3 J = 0.000000833 kWh */
	j = job_at_es();
	j.end = j.start + 1;
	j.cpu_seconds = 0;
	compute(*state, &j, &f);
	assert_int_equal(
		carbon_job_footprint_text(&f, names, 3, member, sizeof(member)),
		0);
	assert_non_null(strstr(member, "\"kwh\":0.000000833,"));
	/* merging again replaces the earlier footprint only */
	assert_int_equal(carbon_admin_comment_merge(comment, member, comment,
						    sizeof(comment)),
			 0);
	assert_non_null(strstr(comment, "carbon_fp"));
	assert_null(strstr(strstr(comment, "carbon_fp") + 1, "carbon_fp"));
}

static void test_parse_errors(void **state)
{
	struct carbon_job_footprint_record r;
	char err[128] = "";

	(void)state;
	assert_int_equal(carbon_job_footprint_parse("{\"carbon\":{\"v\":1}}",
						    &r, err, sizeof(err)),
			 1);
	assert_non_null(strstr(err, "no footprint record"));
	assert_int_equal(carbon_job_footprint_parse(
				 "{\"carbon_fp\":{\"v\":2,\"ran\":0}}", &r, err,
				 sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "unknown version"));
	assert_int_equal(carbon_job_footprint_parse(
				 "{\"carbon_fp\":{\"v\":1,\"ran\":1}}", &r, err,
				 sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "required when ran"));
	assert_int_equal(
		carbon_job_footprint_parse("{\"carbon_fp\":{\"v\":1,\"ran\":1,"
					   "\"start\":\"yesterday\"}}",
					   &r, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, "bad time in start"));
	assert_int_equal(carbon_job_footprint_parse("\"carbon_fp\":{\"v\":1",
						    &r, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_job_footprint_parse(NULL, NULL, err, sizeof(err)),
		CARBON_EINVAL);
}

static void test_bad_input(void **state)
{
	struct fixture *fx = *state;
	struct carbon_finished_job j = job_at_es();
	struct carbon_job_footprint f;
	char err[256];

	j.ran_at = 3;
	assert_int_equal(carbon_job_footprint_compute(&j, fx->c, 3, 1, 1, &f,
						      err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "index"));
	j = job_at_es();
	j.end = j.start - 1;
	assert_int_equal(carbon_job_footprint_compute(&j, fx->c, 3, 1, 1, &f,
						      err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "bad times"));
	assert_int_equal(carbon_job_footprint_compute(NULL, fx->c, 3, 1, 1, &f,
						      err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_job_footprint_text(NULL, names, 3, err, sizeof(err)),
		CARBON_EINVAL);
	j = job_at_es();
	compute(fx, &j, &f);
	assert_int_equal(carbon_job_footprint_text(&f, names, 3, err, 20),
			 CARBON_ETOOLONG);
}

static void test_deferred_rule(void **state)
{
	(void)state;
	/* no decision record: the plan did nothing, whatever the wait */
	assert_false(carbon_job_deferred(false, true, T0, T0 + H));
	assert_true(carbon_job_deferred(true, true, T0, T0));
	/* re-planned to "now" after waiting: still deferred */
	assert_true(carbon_job_deferred(true, false, T0, T0 + 61));
	assert_false(carbon_job_deferred(true, false, T0, T0 + 60));
	assert_false(carbon_job_deferred(true, false, T0, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_unshifted),
		cmocka_unit_test(test_measured_only_alone),
		cmocka_unit_test(test_model_gpus_and_use),
		cmocka_unit_test(test_moved_and_deferred),
		cmocka_unit_test(test_sibling_not_the_plan),
		cmocka_unit_test(test_plan_lost),
		cmocka_unit_test(test_quality_labels),
		cmocka_unit_test(test_never_ran),
		cmocka_unit_test(test_record_round_trip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_deferred_rule),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
