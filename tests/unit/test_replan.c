/*
 * Unit tests of re-planning one pending job (lib/replan.c).
 *
 * The same synthetic hourly day as test_policy.c: es is clean 10:00-16:00
 * (80, else 250), no is flat 30, cal is clean 17:00-23:00 (120, else 300).
 * The job was submitted at cal and may run at es and cal ("no" is left
 * out so that windows, not places, decide).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/replan.h"
#include "three_zones.h"

#define BIT(i) ((uint64_t)1 << (i))

struct fixture {
	carbon_series *s[NCL];
	struct carbon_policy_cluster c[NCL];
	struct carbon_policy_params p;
	struct carbon_decision_record rec;
	struct carbon_replan_job job;
	struct carbon_replan out;
	char err[256];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	three_zones(f->s, f->c);
	f->p = (struct carbon_policy_params)CARBON_POLICY_PARAMS_DEFAULTS;
	/* Planned at submission for cal's evening. */
	f->rec = (struct carbon_decision_record){
		.version = 1,
		.at = "cal",
		.has_begin = true,
		.deferred = true,
		.begin = T0 + 17 * H,
		.has_urgency = true,
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.has_latest = true,
		.latest = T0 + 20 * H,
		.allow = "es,cal",
	};
	f->job = (struct carbon_replan_job){
		.now = T0,
		.begin_time = T0 + 17 * H,
		.runtime = 4 * H,
		.usage = {.cores = 4, .cpu_usage = 1, .mem_gb = 8},
		.origin = CAL,
		.siblings = BIT(CAL),
		.record = &f->rec,
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

static void replan(struct fixture *f)
{
	memset(&f->out, 0x5a, sizeof(f->out));
	if (carbon_replan(&f->p, f->c, NCL, &f->job, &f->out, f->err,
			  sizeof(f->err)))
		fail_msg("replan: %s", f->err);
}

static void left_because(struct fixture *f, const char *why)
{
	replan(f);
	assert_false(f->out.update);
	assert_non_null(strstr(f->out.why, why));
}

static void test_cleaner_window_moves_the_start_earlier(void **state)
{
	struct fixture *f = *state;

	/* es's midday (80) is 33% below cal's evening (120). */
	replan(f);
	assert_true(f->out.update);
	assert_false(f->out.released);
	assert_int_equal(f->out.begin, T0 + 10 * H);
	assert_int_equal(f->out.siblings, BIT(ES));
	assert_int_equal(f->out.decision.chosen, ES);
	assert_non_null(strstr(f->out.decision.reason, "re-planned: "));
	/* The record keeps the latest start and the allowed set. */
	assert_int_equal(f->out.decision.latest, f->rec.latest);
	assert_int_equal(f->out.decision.allowed, BIT(ES) | BIT(CAL));
	assert_int_equal(f->out.decision.urgency, CARBON_URGENCY_FLEXIBLE);
}

static void test_hysteresis_keeps_the_plan(void **state)
{
	struct fixture *f = *state;

	f->p.hysteresis_pct = 40;
	left_because(f, "plan kept");
	/* The same plan as a fresh decision: nothing to do either. */
	f->p.hysteresis_pct = 0;
	strcpy(f->rec.at, "es");
	f->rec.begin = f->job.begin_time = T0 + 10 * H;
	f->job.siblings = BIT(ES);
	replan(f);
	assert_false(f->out.update);
}

static void test_never_past_the_latest_start(void **state)
{
	struct fixture *f = *state;

	/* Only cal allowed; the plan at 17:00 is after the latest start. */
	strcpy(f->rec.allow, "cal");
	f->rec.latest = T0 + 12 * H;
	replan(f);
	assert_true(f->out.update);
	assert_true(f->out.begin <= T0 + 12 * H);
	assert_int_equal(f->out.siblings, BIT(CAL));
	for (int64_t now = T0; now < T0 + 12 * H; now += H) {
		f->job.now = now;
		replan(f);
		assert_true(!f->out.update || f->out.begin <= f->rec.latest);
	}
}

static void test_released_at_the_latest_start(void **state)
{
	struct fixture *f = *state;

	/* Still pending at cal (full?) when its latest start comes. */
	f->job.now = T0 + 20 * H;
	f->job.begin_time = T0 + 17 * H;
	replan(f);
	assert_true(f->out.update);
	assert_true(f->out.released);
	assert_int_equal(f->out.begin, f->job.now);
	assert_int_equal(f->out.siblings, BIT(ES) | BIT(CAL));
	assert_false(f->out.decision.deferred);
	assert_non_null(strstr(f->out.decision.reason, "released"));
	/* Once released, nothing more to do. */
	f->job.siblings = BIT(ES) | BIT(CAL);
	f->job.now += 600;
	left_because(f, "released already");
	/* An empty allow list is every cluster. */
	f->rec.allow[0] = '\0';
	replan(f);
	assert_true(f->out.update);
	assert_int_equal(f->out.siblings, BIT(ES) | BIT(NO) | BIT(CAL));
}

static void test_jobs_left_alone(void **state)
{
	struct fixture *f = *state;
	struct carbon_replan_job j = f->job;

	f->job.held = true;
	left_because(f, "held");
	f->job = j;
	f->job.dependent = true;
	left_because(f, "dependency");
	f->job = j;
	f->job.array = true;
	left_because(f, "array");
	f->job = j;
	f->job.het = true;
	left_because(f, "heterogeneous");
	f->job = j;
	/* The user's own later --begin is never made earlier. */
	f->job.begin_time = f->rec.begin + 2 * H;
	left_because(f, "begin time set by the user");
	f->rec.deferred = false;
	f->job.begin_time = T0 + 2 * H;
	left_because(f, "begin time set by the user");
	f->rec.deferred = true;
	f->job = j;
	f->rec.urgency = CARBON_URGENCY_CRITICAL;
	left_because(f, "critical");
	f->rec.urgency = CARBON_URGENCY_FLEXIBLE;
	f->rec.has_latest = false;
	left_because(f, "latest start");
	f->rec.has_latest = true;
	strcpy(f->rec.at, "mars");
	left_because(f, "not in carbon.conf");
	strcpy(f->rec.at, "cal");
	strcpy(f->rec.allow, "mars,venus");
	left_because(f, "no allowed cluster");
}

/* `scontrol update JobId=N StartTime=now` on a deferred job: marked once,
 * then never deferred again. */
static void test_run_now_by_the_user(void **state)
{
	struct fixture *f = *state;

	f->job.now = T0 + 600;
	f->job.begin_time = T0 + 300; /* StartTime=now, five minutes ago */
	replan(f);
	assert_false(f->out.update);
	assert_true(f->out.mark_user_begin);
	assert_non_null(strstr(f->out.why, "begin time set by the user"));
	/* Marked: left alone, even where a cleaner window would move it. */
	f->rec.begin_by_user = true;
	replan(f);
	assert_false(f->out.update);
	assert_false(f->out.mark_user_begin);
	assert_non_null(strstr(f->out.why, "begin time set by the user"));
	/* ... and at its latest start too: nothing to release. */
	f->job.now = T0 + 20 * H;
	left_because(f, "begin time set by the user");
	assert_false(f->out.mark_user_begin);
	/* A later begin than the plan's is left alone, not marked: Slurm
	 * delays a requeued job's begin itself. */
	f->rec.begin_by_user = false;
	f->job.now = T0;
	f->job.begin_time = f->rec.begin + 2 * H;
	left_because(f, "begin time set by the user");
	assert_false(f->out.mark_user_begin);
	/* Within the slack of the plan's begin: still the plan's. */
	f->job.begin_time = f->rec.begin - CARBON_REPLAN_BEGIN_SLACK;
	replan(f);
	assert_false(f->out.mark_user_begin);
	assert_true(f->out.update); /* re-planned to es's midday */
	/* The re-planner's own earlier begin comes with a new record, whose
	 * begin is the job's: not the user's. */
	f->rec.begin = f->job.begin_time = T0 + 10 * H;
	strcpy(f->rec.at, "es");
	f->job.siblings = BIT(ES);
	replan(f);
	assert_false(f->out.mark_user_begin);
	assert_false(f->out.update);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(carbon_replan(&f->p, f->c, NCL, NULL, &f->out, f->err,
				       sizeof(f->err)),
			 CARBON_EINVAL);
	f->job.record = NULL;
	assert_int_equal(carbon_replan(&f->p, f->c, NCL, &f->job, &f->out,
				       f->err, sizeof(f->err)),
			 CARBON_EINVAL);
	f->job.record = &f->rec;
	f->job.origin = 7;
	assert_int_equal(carbon_replan(&f->p, f->c, NCL, &f->job, &f->out,
				       f->err, sizeof(f->err)),
			 CARBON_EINVAL);
	f->job.origin = CAL;
	f->job.runtime = 0; /* the policy's own check */
	assert_int_equal(carbon_replan(&f->p, f->c, NCL, &f->job, &f->out,
				       f->err, sizeof(f->err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(f->err, "runtime"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_cleaner_window_moves_the_start_earlier, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_hysteresis_keeps_the_plan,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_never_past_the_latest_start, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_released_at_the_latest_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jobs_left_alone, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_now_by_the_user, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
