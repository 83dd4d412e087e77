/*
 * Unit tests of the placement and deferral policy (lib/policy.c).
 *
 * Series are hourly, synthetic and hand-checkable; all clusters use the
 * Green Algorithms defaults, so a job's energy is the same everywhere and
 * costs compare as intensities do.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/policy.h"
#include "three_zones.h"

#define ALL ((uint64_t)7)

struct fixture {
	carbon_series *s[NCL];
	struct carbon_policy_cluster c[NCL];
	struct carbon_policy_params p;
	struct carbon_policy_job job;
	struct carbon_policy_decision d;
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	three_zones(f->s, f->c);
	f->p = (struct carbon_policy_params)CARBON_POLICY_PARAMS_DEFAULTS;
	f->job = (struct carbon_policy_job){
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.now = T0,
		.runtime = 4 * H,
		.usage = {.cores = 4, .cpu_usage = 1, .mem_gb = 8},
		.origin = CAL,
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	for (int i = 0; i < NCL; i++)
		carbon_series_free(f->s[i]);
	free(f);
	return 0;
}

static void decide(struct fixture *f)
{
	int rc = carbon_policy_decide(&f->p, f->c, NCL, &f->job, &f->d, f->err,
				      sizeof(f->err));

	if (rc)
		fail_msg("decide: %s", f->err);
}

/* The job's energy in kWh with the defaults (4 cores, 8 GB, 4 h). */
static double kwh(void)
{
	return 4.0 * (4 * 12.0 + 8 * 0.3725) * 1.56 / 1000;
}

/* The data quality recorded is the worse of the chosen cluster's and the
 * reference's; a fallback provider's series is FALLBACK. */
static void test_quality_is_the_worse_of_both(void **state)
{
	struct fixture *f = *state;

	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FRESH);
	/* The origin's data came from a fallback provider: the saving
	 * claimed against it is no better. */
	f->c[CAL].fallback = true;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FALLBACK);
	f->c[CAL].fallback = false;
	f->c[CAL].stale = true;
	decide(f);
	assert_int_equal(f->d.quality, CARBON_DATA_STALE);
	f->c[CAL].stale = false;
	f->c[NO].fallback = true;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FALLBACK);
}

static void test_flexible_moves_to_cleanest(void **state)
{
	struct fixture *f = *state;

	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_false(f->d.deferred);
	assert_int_equal(f->d.begin, T0);
	assert_int_equal(f->d.siblings, (uint64_t)1 << NO);
	assert_true(f->d.changed);
	assert_int_equal(f->d.quality, CARBON_DATA_FRESH);
	assert_float_equal(f->d.expected_g, kwh() * 30, 1e-9);
	assert_float_equal(f->d.baseline_g, kwh() * 300, 1e-9);
	assert_int_equal(f->d.nranked, 3);
	assert_int_equal(f->d.ranking[0], NO);
	assert_int_equal(f->d.ranking[1], ES);
	assert_int_equal(f->d.ranking[2], CAL);
	assert_non_null(strstr(f->d.reason, "moved to no"));
	assert_non_null(strstr(f->d.reason, "90% below now at cal"));
}

static void test_defers_within_latest_start(void **state)
{
	struct fixture *f = *state;

	f->job.allowed = (1 << ES) | (1 << CAL);
	decide(f);
	/* es 10:00-14:00 at 80 beats cal 17:00-21:00 at 120. */
	assert_int_equal(f->d.chosen, ES);
	assert_true(f->d.deferred);
	assert_int_equal(f->d.begin, T0 + 10 * H);
	assert_int_equal(f->d.start[ES], T0 + 10 * H);
	assert_int_equal(f->d.start[CAL], T0 + 17 * H);
	assert_int_equal(f->d.siblings, (uint64_t)1 << ES);
	assert_float_equal(f->d.intensity, 80, 1e-9);
	assert_float_equal(f->d.cost_g[NO], -1, 0);
	assert_non_null(strstr(f->d.reason, "deferred 10.0 h"));

	/* A latest start of 8 h rules both clean windows out but cal's
	 * 17:00 start is out too: es at 8:00 overlaps 10:00-12:00. */
	f->job.has_latest_start = true;
	f->job.latest_start = T0 + 8 * H;
	decide(f);
	assert_true(f->d.begin <= T0 + 8 * H);
	assert_int_equal(f->d.begin, T0 + 8 * H);
	assert_float_equal(f->d.intensity, (2 * 250 + 2 * 80) / 4.0, 1e-9);
}

static void test_normal_job_is_not_deferred(void **state)
{
	struct fixture *f = *state;

	f->job.urgency = CARBON_URGENCY_NORMAL;
	f->job.allowed = (1 << ES) | (1 << CAL);
	decide(f);
	assert_false(f->d.deferred);
	assert_int_equal(f->d.begin, T0);
	/* It prefers es now (250, 17% below cal's 300) but keeps cal: a
	 * normal job never waits longer for carbon. */
	assert_int_equal(f->d.chosen, ES);
	assert_int_equal(f->d.siblings, (1 << ES) | (1 << CAL));
	assert_non_null(strstr(f->d.reason, "prefers es"));
	/* ...unless the user's own window allows waiting. */
	f->job.has_latest_start = true;
	f->job.latest_start = T0 + 12 * H;
	decide(f);
	assert_true(f->d.deferred);
}

static void test_no_crumbs(void **state)
{
	struct fixture *f = *state;

	/* es now is 17% below cal now; demand 20% to move. */
	f->job.urgency = CARBON_URGENCY_NORMAL;
	f->job.allowed = (1 << ES) | (1 << CAL);
	f->p.min_saving_pct = 20;
	decide(f);
	assert_int_equal(f->d.chosen, CAL);
	assert_false(f->d.changed);
	assert_int_equal(f->d.siblings, f->job.allowed);
	assert_non_null(strstr(f->d.reason, "runs now at cal"));
	/* Deferral needs the saving too: 60% at cal's evening is enough... */
	f->job.urgency = CARBON_URGENCY_FLEXIBLE;
	f->job.allowed = 1 << CAL;
	decide(f);
	assert_true(f->d.deferred);
	/* ...but not when 70% is required. */
	f->p.min_saving_pct = 70;
	decide(f);
	assert_false(f->d.deferred);
	assert_false(f->d.changed);
}

static void test_critical_is_never_shifted(void **state)
{
	struct fixture *f = *state;

	f->job.urgency = CARBON_URGENCY_CRITICAL;
	f->job.allowed = (1 << ES) | (1 << CAL);
	f->p.eco_threshold = 100;
	f->c[CAL].has_eco = true;
	decide(f);
	assert_false(f->d.deferred);
	assert_false(f->d.changed);
	assert_int_equal(f->d.begin, T0);
	assert_int_equal(f->d.siblings, f->job.allowed);
	assert_int_equal(f->d.mode, CARBON_MODE_FAST);
	assert_int_equal(f->d.chosen, CAL);
	assert_float_equal(f->d.expected_g, kwh() * 300, 1e-9);
	assert_string_equal(f->d.reason, "critical: runs as submitted");
	/* Even a user's window does not delay a critical job. */
	f->job.has_latest_start = true;
	f->job.latest_start = T0 + 20 * H;
	decide(f);
	assert_false(f->d.deferred);
}

static void test_eco(void **state)
{
	struct fixture *f = *state;

	f->job.urgency = CARBON_URGENCY_NORMAL;
	f->job.allowed = 1 << CAL;
	f->p.eco_threshold = 200;
	decide(f);
	assert_int_equal(f->d.mode, CARBON_MODE_FAST); /* no eco profile */
	f->c[CAL].has_eco = true;
	decide(f);
	assert_int_equal(f->d.mode, CARBON_MODE_ECO);
	assert_true(f->d.changed);
	assert_string_equal(carbon_policy_mode_name(f->d.mode), "eco");
	f->p.eco_threshold = 400;
	decide(f);
	assert_int_equal(f->d.mode, CARBON_MODE_FAST);
}

static void test_other_signal_is_never_ranked(void **state)
{
	struct fixture *f = *state;
	double v[48];
	carbon_series *marg;

	for (int i = 0; i < 48; i++)
		v[i] = 1; /* cleanest by far, but marginal */
	marg = series_of(v, 48, CARBON_SIGNAL_MARGINAL,
			 CARBON_BASIS_OPERATIONAL);
	f->c[NO].series = marg;
	decide(f);
	assert_true(f->d.cost_g[NO] < 0);
	assert_int_not_equal(f->d.chosen, NO);
	assert_false(f->d.siblings & (1 << NO));
	/* With a fallback it is priced at the fallback, marked so. */
	f->c[NO].fallback_intensity = 40;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FALLBACK);
	assert_float_equal(f->d.intensity, 40, 1e-9);
	carbon_series_free(marg);
}

static void test_quality_flags(void **state)
{
	struct fixture *f = *state;

	f->c[NO].stale = true;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_STALE);
	assert_string_equal(carbon_policy_quality_name(f->d.quality), "stale");
	/* A series that ends before now is not used at all. */
	f->job.now = T0 + 60 * H;
	f->c[NO].fallback_intensity = 35;
	f->c[CAL].fallback_intensity = 300; /* else the origin knows nothing */
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FALLBACK);
	assert_int_equal(f->d.begin, f->job.now);
}

static void test_fallback_forecast_is_marked(void **state)
{
	struct fixture *f = *state;
	carbon_series *fc = NULL;

	assert_int_equal(carbon_series_forecast_seasonal(
				 f->s[NO], T0 + 48 * H, T0 + 72 * H, H, 2, &fc,
				 f->err, sizeof(f->err)),
			 0);
	f->c[NO].series = fc;
	f->c[CAL].fallback_intensity = 300;
	f->job.now = T0 + 48 * H;
	f->job.allowed = 1 << NO | 1 << CAL;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.quality, CARBON_DATA_FALLBACK);
	carbon_series_free(fc);
}

static void test_no_data_changes_nothing(void **state)
{
	struct fixture *f = *state;

	f->c[CAL].series = NULL;
	decide(f);
	assert_int_equal(f->d.quality, CARBON_DATA_NONE);
	assert_false(f->d.changed);
	assert_int_equal(f->d.siblings, ALL);
	assert_int_equal(f->d.begin, T0);
	assert_true(f->d.expected_g < 0);
	assert_true(f->d.baseline_g < 0);
	assert_string_equal(f->d.reason,
			    "no usable carbon data: left as submitted");
	assert_string_equal(carbon_policy_quality_name(f->d.quality), "none");
	/* Nothing at all: the same. */
	f->c[ES].series = f->c[NO].series = NULL;
	decide(f);
	assert_int_equal(f->d.quality, CARBON_DATA_NONE);
	assert_int_equal(f->d.nranked, 0);
}

static void test_origin_not_allowed(void **state)
{
	struct fixture *f = *state;

	/* A user at cal submitting with -M es,no: never widened to cal. */
	f->job.allowed = (1 << ES) | (1 << NO);
	f->c[CAL].series = NULL;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.siblings & ~f->job.allowed, 0);
	assert_true(f->d.baseline_g < 0);
}

static void test_ties_are_deterministic(void **state)
{
	struct fixture *f = *state;

	/* es and cal identical and flat: the origin wins the tie. */
	f->c[ES].series = f->c[NO].series = f->c[CAL].series = f->s[NO];
	decide(f);
	assert_int_equal(f->d.chosen, CAL);
	assert_int_equal(f->d.ranking[0], CAL);
	assert_int_equal(f->d.ranking[1], ES);
	assert_int_equal(f->d.ranking[2], NO);
	assert_false(f->d.deferred);
	/* All three within the slack: all kept, nothing changed. */
	assert_int_equal(f->d.siblings, ALL);
	assert_false(f->d.changed);
	/* Without the origin: the lower index. */
	f->job.allowed = (1 << ES) | (1 << NO);
	decide(f);
	assert_int_equal(f->d.chosen, ES);
}

static void test_sibling_slack(void **state)
{
	struct fixture *f = *state;
	double v[48];
	carbon_series *near;

	for (int i = 0; i < 48; i++)
		v[i] = 31; /* 3% above no */
	near = series_of(v, 48, CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE);
	f->c[ES].series = near;
	decide(f);
	assert_int_equal(f->d.chosen, NO);
	assert_int_equal(f->d.siblings, (1 << NO) | (1 << ES));
	f->p.sibling_slack_pct = 1;
	decide(f);
	assert_int_equal(f->d.siblings, 1 << NO);
	carbon_series_free(near);
}

static void test_short_forecast_prices_what_it_covers(void **state)
{
	struct fixture *f = *state;
	double v[2] = {100, 200};
	carbon_series *s2 =
		series_of(v, 2, CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE);

	f->c[CAL].series = s2;
	f->job.allowed = 1 << CAL;
	decide(f);
	assert_false(f->d.deferred);
	assert_float_equal(f->d.intensity, 150, 1e-9);
	carbon_series_free(s2);
}

static void test_replan_hysteresis(void **state)
{
	struct fixture *f = *state;

	/* Planned at cal's evening (120); es midday (80) is 33% better. */
	f->job.allowed = (1 << ES) | (1 << CAL);
	f->job.has_plan = true;
	f->job.plan_cluster = CAL;
	f->job.plan_begin = T0 + 17 * H;
	decide(f);
	assert_true(f->d.changed);
	assert_int_equal(f->d.chosen, ES);
	/* With 40% hysteresis the plan stays. */
	f->p.hysteresis_pct = 40;
	decide(f);
	assert_false(f->d.changed);
	assert_int_equal(f->d.chosen, CAL);
	assert_int_equal(f->d.begin, T0 + 17 * H);
	assert_float_equal(f->d.expected_g, kwh() * 120, 1e-9);
	assert_non_null(strstr(f->d.reason, "plan kept"));
	/* A plan past the latest start is always replaced. */
	f->job.has_latest_start = true;
	f->job.latest_start = T0 + 12 * H;
	decide(f);
	assert_true(f->d.changed);
	assert_true(f->d.begin <= T0 + 12 * H);
	assert_non_null(strstr(f->d.reason, "latest start"));
	/* The same plan as the new decision: no change. */
	f->job.has_latest_start = false;
	f->p.hysteresis_pct = 0;
	f->job.plan_cluster = ES;
	f->job.plan_begin = T0 + 10 * H;
	decide(f);
	assert_false(f->d.changed);
}

static void test_latest_start_in_the_past(void **state)
{
	struct fixture *f = *state;

	f->job.allowed = 1 << CAL;
	f->job.has_latest_start = true;
	f->job.latest_start = T0 - H;
	decide(f);
	assert_false(f->d.deferred);
	assert_int_equal(f->d.begin, T0);
}

static void test_invalid_arguments(void **state)
{
	struct fixture *f = *state;
	struct carbon_policy_decision d;
	struct carbon_policy_job j = f->job;
	struct carbon_policy_params p = f->p;

	assert_int_equal(carbon_policy_decide(NULL, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_policy_decide(&p, f->c, 0, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(f->err, "cluster count"));
	j.origin = NCL;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(f->err, "origin"));
	j = f->job;
	j.runtime = 0;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(f->err, "runtime"));
	j = f->job;
	j.has_plan = true;
	j.plan_cluster = 9;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	j = f->job;
	p.min_saving_pct = NAN;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	p = f->p;
	p.flexible_max_delay = -1;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	p = f->p;
	f->c[0].fallback_intensity = -5;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
	f->c[0].fallback_intensity = 0;
	/* A bad power model is the footprint module's message. */
	f->c[0].power.pue = 0;
	assert_int_not_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
						  sizeof(f->err)),
			     0);
	j.now = -1;
	assert_int_equal(carbon_policy_decide(&p, f->c, NCL, &j, &d, f->err,
					      sizeof(f->err)),
			 CARBON_EINVAL);
}

static void test_sixty_four_clusters(void **state)
{
	struct fixture *f = *state;
	struct carbon_policy_cluster c[CARBON_POLICY_MAX_CLUSTERS];
	struct carbon_policy_decision d;

	for (int i = 0; i < CARBON_POLICY_MAX_CLUSTERS; i++) {
		c[i] = f->c[CAL];
		c[i].name = NULL;
	}
	c[63].series = f->s[NO];
	f->job.origin = 0;
	assert_int_equal(
		carbon_policy_decide(&f->p, c, CARBON_POLICY_MAX_CLUSTERS,
				     &f->job, &d, f->err, sizeof(f->err)),
		0);
	assert_int_equal(d.chosen, 63);
	assert_int_equal(d.siblings, UINT64_C(1) << 63);
	assert_int_equal(d.nranked, 64);
	assert_non_null(strstr(d.reason, "moved to ?"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_flexible_moves_to_cleanest),
		T(test_quality_is_the_worse_of_both),
		T(test_defers_within_latest_start),
		T(test_normal_job_is_not_deferred),
		T(test_no_crumbs),
		T(test_critical_is_never_shifted),
		T(test_eco),
		T(test_other_signal_is_never_ranked),
		T(test_quality_flags),
		T(test_fallback_forecast_is_marked),
		T(test_no_data_changes_nothing),
		T(test_origin_not_allowed),
		T(test_ties_are_deterministic),
		T(test_sibling_slack),
		T(test_short_forecast_prices_what_it_covers),
		T(test_replan_hysteresis),
		T(test_latest_start_in_the_past),
		T(test_invalid_arguments),
		T(test_sixty_four_clusters),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
