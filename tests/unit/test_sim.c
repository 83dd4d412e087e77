/*
 * Unit tests for the simulator (carbon/sim.h, sim_policy.h,
 * sim_workload.h), each a small case computed by hand: FCFS, EASY
 * backfilling and its depth bound, federation (first start wins, the
 * preferred cluster first), a job moved to a cleaner zone, a deferral that
 * meets its deadline, the threshold rule with ECO, the oracle under a
 * capacity conflict, the metrics, and allocation failures everywhere.
 * The SWF-to-jobs conversion is tested in test_swf.c.
 *
 * Units are chosen so energy is easy: 1000 W per core and PUE 1, so one
 * core for one hour is 1 kWh and grams equal gCO2eq/kWh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/sim.h"
#include "carbon/sim_policy.h"

#define T0 INT64_C(1677628800) /* 2023-03-01T00:00:00Z */
#define H  INT64_C(3600)

/* A series of hourly values from T0. */
static carbon_series *hourly(const double *v, size_t n)
{
	struct carbon_series_meta m = {.signal = CARBON_SIGNAL_AVERAGE,
				       .basis = CARBON_BASIS_LIFECYCLE};
	carbon_series *s = carbon_series_new(&m, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {.t = T0 + (int64_t)i * H,
						.value = v[i]};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

static carbon_series *constant(double v)
{
	double a[100];

	for (size_t i = 0; i < 100; i++)
		a[i] = v;
	return hourly(a, 100);
}

static struct carbon_sim_cluster cluster(const char *name, uint32_t cores,
					 const carbon_series *trace)
{
	struct carbon_sim_cluster c = {.name = name,
				       .cores = cores,
				       .trace = trace,
				       .fallback_intensity = 1000};

	c.power.w_per_core = 1000;
	c.power.pue = 1.0;
	return c;
}

static struct carbon_sim_job job(int64_t id, int64_t submit, int64_t run,
				 uint32_t cores, uint32_t origin,
				 enum carbon_urgency u, int64_t max_delay)
{
	struct carbon_sim_job j = {.id = id,
				   .line = (size_t)id,
				   .submit = submit,
				   .run = run,
				   .req = run,
				   .cores = cores,
				   .origin = origin,
				   .urgency = u,
				   .queue = -1,
				   .partition = -1};

	j.deadline = submit + run + max_delay;
	j.has_latest_start = u != CARBON_URGENCY_NORMAL;
	j.latest_start =
		u == CARBON_URGENCY_FLEXIBLE ? submit + max_delay : submit;
	return j;
}

static struct carbon_sim_config config(const struct carbon_sim_cluster *c,
				       size_t nc,
				       const struct carbon_sim_job *j,
				       size_t nj)
{
	struct carbon_sim_config cfg = {
		.clusters = c, .nclusters = nc, .jobs = j, .njobs = nj};

	cfg.eco.power = 1.0;
	cfg.eco.slowdown = 1.0;
	return cfg;
}

static void run_agnostic(const struct carbon_sim_config *cfg,
			 struct carbon_sim_outcome *out)
{
	struct carbon_sim_policy p = carbon_sim_agnostic_port();
	char err[256] = "";

	if (carbon_sim_run(cfg, &p, out, err, sizeof(err)))
		fail_msg("%s", err);
}

/* ---- FCFS and EASY ---- */

static void test_fcfs(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0, 100, 4, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 10, 50, 2, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 2);
	struct carbon_sim_outcome o[2];

	(void)state;
	run_agnostic(&cfg, o);
	assert_int_equal(o[0].start, T0);
	assert_int_equal(o[1].start, T0 + 100);
	assert_int_equal(o[1].end, T0 + 150);
	/* 2 cores x 50 s x 1000 W = 100 kJ = 1/36 kWh at 100 g */
	assert_float_equal(o[1].kwh, 100.0 / 3600, 1e-12);
	assert_float_equal(o[1].g, 100.0 * 100 / 3600, 1e-9);
	carbon_series_free(s);
}

static void test_easy_backfill_respects_reservation(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0, 100, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 1, 50, 4, 0, CARBON_URGENCY_NORMAL, 0),
		job(3, T0 + 2, 50, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(4, T0 + 3, 200, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 4);
	struct carbon_sim_outcome o[4];

	(void)state;
	run_agnostic(&cfg, o);
	assert_int_equal(o[0].start, T0);
	/* job 3 ends (52) before job 2's reservation (100): backfilled */
	assert_int_equal(o[2].start, T0 + 2);
	/* job 4 would overrun the reservation and there are no spare cores */
	assert_int_equal(o[1].start, T0 + 100);
	assert_int_equal(o[3].start, T0 + 150);
	carbon_series_free(s);
}

static void test_easy_backfill_on_spare_cores(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0, 100, 3, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 1, 10, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(3, T0 + 2, 500, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 3);
	struct carbon_sim_outcome o[3];

	(void)state;
	run_agnostic(&cfg, o);
	/* at 100 job 2 needs 2 of 4 cores: 2 spare, job 3 takes one */
	assert_int_equal(o[2].start, T0 + 2);
	assert_int_equal(o[1].start, T0 + 100);
	carbon_series_free(s);
}

static void test_backfill_depth(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0, 100, 3, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 1, 10, 4, 0, CARBON_URGENCY_NORMAL, 0),
		job(3, T0 + 2, 10, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(4, T0 + 3, 10, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 4);
	struct carbon_sim_outcome o[4];

	(void)state;
	cfg.bf_depth = 2;
	run_agnostic(&cfg, o);
	assert_int_equal(o[3].start, T0 + 3);
	/* testing one job behind the head, job 4 is never looked at */
	cfg.bf_depth = 1;
	run_agnostic(&cfg, o);
	assert_int_equal(o[1].start, T0 + 100);
	assert_int_equal(o[2].start, T0 + 110);
	assert_int_equal(o[3].start, T0 + 110);
	carbon_series_free(s);
}

/* ---- federation with a fake policy ---- */

struct fake {
	struct carbon_sim_placement p[8];
	size_t calls;
};

static int fake_place(void *ctx, size_t index, const struct carbon_sim_job *j,
		      struct carbon_sim_placement *out, char *err,
		      size_t errlen)
{
	struct fake *f = ctx;

	(void)j;
	f->calls++;
	if (index >= 8)
		return carbon_error_set(err, errlen, CARBON_EINVAL, "fake");
	*out = f->p[index];
	return 0;
}

static void test_federation_first_start_wins(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c[] = {cluster("a", 2, s),
					 cluster("b", 2, s)};
	struct carbon_sim_job j[] = {
		job(1, T0, 100, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 1, 100, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(3, T0 + 2, 10, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(4, T0 + 500, 10, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(5, T0 + 600, 10, 2, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct fake f = {
		.p = {
			{.siblings = 1, .preferred = 0},
			{.siblings = 3, .preferred = 0},
			{.siblings = 3, .preferred = 1},
			{.siblings = 3, .preferred = 1},
			{.siblings = 3, .preferred = 0, .begin = T0 + 650},
		}};
	struct carbon_sim_policy p = {fake_place, &f};
	struct carbon_sim_config cfg = config(c, 2, j, 5);
	struct carbon_sim_outcome o[5];
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	assert_int_equal(f.calls, 5);
	/* a is busy: b starts it at once */
	assert_int_equal(o[1].cluster, 1);
	assert_int_equal(o[1].start, T0 + 1);
	assert_true(o[1].moved);
	/* both busy: a frees first (100 < 101) and wins; b forgets it */
	assert_int_equal(o[2].cluster, 0);
	assert_int_equal(o[2].start, T0 + 100);
	/* both idle: the preferred cluster b goes first */
	assert_int_equal(o[3].cluster, 1);
	/* deferred until its begin time */
	assert_int_equal(o[4].begin, T0 + 650);
	assert_int_equal(o[4].start, T0 + 650);
	assert_true(o[4].deferred);
	assert_int_equal(o[4].cluster, 0);
	carbon_series_free(s);
}

/* A job narrowed to a full cluster is released to the others at its
 * release time, and only if it is still waiting then. */
static void test_release_when_still_waiting(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c[] = {cluster("a", 2, s),
					 cluster("b", 2, s)};
	struct carbon_sim_job j[] = {
		job(1, T0, 1000, 2, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0 + 1, 100, 2, 0, CARBON_URGENCY_FLEXIBLE, 300),
		job(3, T0 + 2, 100, 2, 0, CARBON_URGENCY_FLEXIBLE, 300),
	};
	struct fake f = {
		.p = {
			{.siblings = 1},
			/* a is full until T0 + 1000: released at T0 + 400 */
			{.siblings = 1,
			 .release_at = T0 + 400,
			 .release_to = 3},
			/* its release comes after it started at a */
			{.siblings = 1,
			 .release_at = T0 + 5000,
			 .release_to = 3},
		}};
	struct carbon_sim_policy p = {fake_place, &f};
	struct carbon_sim_config cfg = config(c, 2, j, 3);
	struct carbon_sim_outcome o[3];
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	assert_int_equal(o[1].cluster, 1);
	assert_int_equal(o[1].start, T0 + 400);
	assert_true(o[1].released);
	assert_true(o[1].moved);
	assert_int_equal(o[2].cluster, 0);
	assert_int_equal(o[2].start, T0 + 1000);
	assert_false(o[2].released);
	carbon_series_free(s);
}

static void test_policy_error_stops(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 2, s);
	struct carbon_sim_job j[9];
	struct fake f = {0};
	struct carbon_sim_policy p = {fake_place, &f};
	struct carbon_sim_config cfg = config(&c, 1, j, 9);
	struct carbon_sim_outcome o[9];
	char err[256] = "";

	(void)state;
	for (int i = 0; i < 9; i++)
		j[i] = job(i, T0 + i, 10, 1, 0, CARBON_URGENCY_NORMAL, 0);
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "fake");
	carbon_series_free(s);
}

/* ---- the carbon policy ---- */

static carbon_sim_carbon *carbon_port(const struct carbon_sim_config *cfg,
				      int64_t max_delay)
{
	struct carbon_policy_params pp = CARBON_POLICY_PARAMS_DEFAULTS;
	struct carbon_sim_forecast fc = {.kind = CARBON_SIM_FORECAST_TRACE,
					 .history = 0,
					 .horizon = 72 * H,
					 .step = H};
	char err[256] = "";
	carbon_sim_carbon *p;

	pp.flexible_max_delay = max_delay;
	p = carbon_sim_carbon_new(cfg, &pp, &fc, false, NULL, err, sizeof(err));
	if (!p)
		fail_msg("%s", err);
	return p;
}

/* The carbon port asks for that release one re-planning interval after
 * the latest start, for every cluster the job may run on. */
static void test_carbon_port_releases(void **state)
{
	carbon_series *dirty = constant(400), *clean = constant(100);
	struct carbon_sim_cluster c[] = {cluster("x", 4, dirty),
					 cluster("y", 4, clean)};
	struct carbon_sim_job j[] = {
		job(1, T0, 10 * H, 4, 1, CARBON_URGENCY_CRITICAL, 0),
		job(2, T0 + 60, H, 4, 0, CARBON_URGENCY_FLEXIBLE, 1800),
	};
	struct carbon_sim_config cfg = config(c, 2, j, 2);
	struct carbon_sim_outcome o[2];
	carbon_sim_carbon *cp = carbon_port(&cfg, 86400);
	struct carbon_sim_policy p = carbon_sim_carbon_port(cp);
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	/* y is cleaner but full for 10 h; the flexible job may wait 30 min */
	assert_int_equal(o[1].cluster, 0);
	assert_true(o[1].released);
	assert_int_equal(o[1].start,
			 T0 + 60 + 1800 + CARBON_SIM_REPLAN_INTERVAL);
	carbon_sim_carbon_free(cp);
	carbon_series_free(dirty);
	carbon_series_free(clean);
}

static void test_moved_to_cleaner_zone(void **state)
{
	carbon_series *dirty = constant(400), *clean = constant(100);
	struct carbon_sim_cluster c[] = {cluster("x", 4, dirty),
					 cluster("y", 4, clean)};
	struct carbon_sim_job j[] = {
		job(1, T0, H, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(c, 2, j, 1);
	struct carbon_sim_outcome o[1], base[1];
	carbon_sim_carbon *cp = carbon_port(&cfg, 86400);
	struct carbon_sim_policy p = carbon_sim_carbon_port(cp);
	struct carbon_sim_metrics mb, mc;
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	run_agnostic(&cfg, base);
	assert_int_equal(o[0].cluster, 1);
	assert_true(o[0].moved);
	assert_false(o[0].deferred);
	assert_float_equal(o[0].kwh, 1.0, 1e-12);
	assert_float_equal(o[0].g, 100.0, 1e-9);
	assert_float_equal(base[0].g, 400.0, 1e-9);
	assert_int_equal(carbon_sim_metrics_compute(j, base, 1, NULL, &mb, err,
						    sizeof(err)),
			 0);
	assert_int_equal(carbon_sim_metrics_compute(j, o, 1, NULL, &mc, err,
						    sizeof(err)),
			 0);
	assert_float_equal(
		carbon_sim_savings_pct(mb.emissions_kg, mc.emissions_kg), 75.0,
		1e-9);
	assert_int_equal(mc.jobs_moved, 1);
	carbon_sim_carbon_free(cp);
	carbon_series_free(dirty);
	carbon_series_free(clean);
}

static void test_deferral_meets_deadline(void **state)
{
	double v[48];
	carbon_series *s;
	struct carbon_sim_cluster c;
	struct carbon_sim_job j[1];
	struct carbon_sim_config cfg;
	struct carbon_sim_outcome o[1];
	struct carbon_sim_metrics m;
	carbon_sim_carbon *cp;
	struct carbon_sim_policy p;
	char err[256] = "";

	(void)state;
	for (int i = 0; i < 48; i++)
		v[i] = i >= 6 && i < 10 ? 100 : 500;
	s = hourly(v, 48);
	c = cluster("a", 4, s);
	j[0] = job(1, T0, H, 1, 0, CARBON_URGENCY_FLEXIBLE, 24 * H);
	cfg = config(&c, 1, j, 1);
	cp = carbon_port(&cfg, 24 * H);
	p = carbon_sim_carbon_port(cp);
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	/* the first clean hour, 6 h later; done long before the deadline */
	assert_int_equal(o[0].begin, T0 + 6 * H);
	assert_int_equal(o[0].start, T0 + 6 * H);
	assert_true(o[0].deferred);
	assert_float_equal(o[0].g, 100.0, 1e-9);
	assert_int_equal(
		carbon_sim_metrics_compute(j, o, 1, NULL, &m, err, sizeof(err)),
		0);
	assert_int_equal(m.deadline_misses, 0);
	assert_int_equal(m.jobs_deferred, 1);
	assert_float_equal(m.wait_mean_s, 6.0 * H, 1e-9);
	carbon_sim_carbon_free(cp);
	/* a 4 h window sees no clean hour: runs at once */
	j[0] = job(1, T0, H, 1, 0, CARBON_URGENCY_FLEXIBLE, 4 * H);
	cp = carbon_port(&cfg, 4 * H);
	p = carbon_sim_carbon_port(cp);
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	assert_int_equal(o[0].start, T0);
	assert_false(o[0].deferred);
	carbon_sim_carbon_free(cp);
	carbon_series_free(s);
}

struct seen {
	size_t n;
	int64_t runtime;
	size_t points;
};

static void observe(void *ctx, size_t index, const struct carbon_sim_job *job,
		    const struct carbon_policy_params *params,
		    const struct carbon_policy_cluster *clusters, size_t n,
		    const struct carbon_policy_job *pj,
		    const struct carbon_policy_decision *d)
{
	struct seen *s = ctx;

	(void)index;
	(void)job;
	(void)params;
	(void)n;
	(void)d;
	s->n++;
	s->runtime = pj->runtime;
	s->points = carbon_series_count(clusters[0].series);
}

static void test_observer_and_snapshot(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0 + 2 * H + 5, 600, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 1);
	struct carbon_policy_params pp = CARBON_POLICY_PARAMS_DEFAULTS;
	struct carbon_sim_forecast fc = {.kind = CARBON_SIM_FORECAST_TRACE,
					 .history = 2 * H,
					 .horizon = 3 * H,
					 .step = H};
	struct seen seen = {0};
	struct carbon_sim_observer obs = {observe, &seen};
	struct carbon_sim_outcome o[1];
	carbon_sim_carbon *cp;
	struct carbon_sim_policy p;
	const carbon_series *snap;
	int64_t a, b;
	char err[256] = "";

	(void)state;
	j[0].req = 1190; /* a 20-minute time limit */
	cp = carbon_sim_carbon_new(&cfg, &pp, &fc, false, &obs, err,
				   sizeof(err));
	assert_non_null(cp);
	p = carbon_sim_carbon_port(cp);
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	assert_int_equal(seen.n, 1);
	/* the policy prices the time limit in whole minutes, not the
	 * (unknown) run time */
	assert_int_equal(seen.runtime, 1200);
	/* hours 0..4: two before the step, three ahead */
	assert_int_equal(seen.points, 5);
	snap = carbon_sim_carbon_snapshot(cp, 0, T0 + 2 * H + 5);
	assert_int_equal(carbon_series_bounds(snap, &a, &b, err, sizeof(err)),
			 0);
	assert_int_equal(a, T0);
	assert_int_equal(b, T0 + 5 * H);
	assert_null(carbon_sim_carbon_snapshot(cp, 3, T0));
	carbon_sim_carbon_free(cp);
	carbon_series_free(s);
}

/* ---- threshold ---- */

static void test_threshold(void **state)
{
	double v[48] = {300, 200, 50};
	carbon_series *s;
	struct carbon_sim_cluster c;
	struct carbon_sim_job j[4];
	struct carbon_sim_config cfg;
	struct carbon_sim_outcome o[4];
	double low = 100, high = 250;
	struct carbon_sim_threshold th;
	struct carbon_sim_policy p;
	char err[256] = "";

	(void)state;
	for (int i = 3; i < 48; i++)
		v[i] = 300;
	s = hourly(v, 48);
	c = cluster("a", 10, s);
	j[0] = job(1, T0, H, 1, 0, CARBON_URGENCY_FLEXIBLE, 24 * H);
	j[1] = job(2, T0, H, 1, 0, CARBON_URGENCY_NORMAL, 0);
	j[2] = job(3, T0, H, 1, 0, CARBON_URGENCY_CRITICAL, 0);
	j[3] = job(4, T0 + H, H, 1, 0, CARBON_URGENCY_NORMAL, 0);
	cfg = config(&c, 1, j, 4);
	cfg.eco.power = 0.5;
	cfg.eco.slowdown = 1.5;
	th = (struct carbon_sim_threshold){&cfg, &low, &high};
	p = carbon_sim_threshold_port(&th);
	assert_int_equal(carbon_sim_run(&cfg, &p, o, err, sizeof(err)), 0);
	/* flexible: waits for the first value <= low, hour 2 */
	assert_int_equal(o[0].start, T0 + 2 * H);
	assert_false(o[0].eco);
	assert_float_equal(o[0].g, 50.0, 1e-9);
	/* normal above high: ECO, 1.5 h at half power = 0.75 kWh over
	 * 1 h at 300 and 0.5 h at 200 */
	assert_true(o[1].eco);
	assert_int_equal(o[1].end - o[1].start, 5400);
	assert_float_equal(o[1].kwh, 0.75, 1e-12);
	assert_float_equal(o[1].g, 0.75 * (300.0 * 2 + 200) / 3, 1e-9);
	/* critical: untouched; normal at medium: untouched */
	assert_false(o[2].eco);
	assert_int_equal(o[2].start, T0);
	assert_false(o[3].eco);
	assert_int_equal(o[3].start, T0 + H);
	assert_int_equal(carbon_sim_threshold_terciles(s, T0, T0 + 3 * H, &low,
						       &high, err, sizeof(err)),
			 0);
	assert_float_equal(low, 50, 0);
	assert_float_equal(high, 200, 0);
	assert_int_equal(carbon_sim_threshold_terciles(s, 0, 10, &low, &high,
						       err, sizeof(err)),
			 CARBON_ERANGE);
	carbon_series_free(s);
}

/* ---- oracle ---- */

static void test_oracle_capacity_conflict(void **state)
{
	double v[48] = {500, 100, 200};
	carbon_series *s;
	struct carbon_sim_cluster c;
	struct carbon_sim_job j[2];
	struct carbon_sim_config cfg;
	struct carbon_sim_outcome o[2];
	char err[256] = "";

	(void)state;
	for (int i = 3; i < 48; i++)
		v[i] = 500;
	s = hourly(v, 48);
	c = cluster("a", 1, s);
	j[0] = job(1, T0, H, 1, 0, CARBON_URGENCY_FLEXIBLE, 24 * H);
	j[1] = job(2, T0 + 1, H, 1, 0, CARBON_URGENCY_FLEXIBLE, 24 * H);
	cfg = config(&c, 1, j, 2);
	assert_int_equal(carbon_sim_oracle_run(&cfg, o, err, sizeof(err)), 0);
	/* the first job takes the cleanest hour ... */
	assert_int_equal(o[0].start, T0 + H);
	assert_float_equal(o[0].g, 100, 1e-9);
	assert_true(o[0].deferred);
	/* ... so the second gets the next best that fits */
	assert_int_equal(o[1].start, T0 + 2 * H);
	assert_float_equal(o[1].g, 200, 1e-9);
	carbon_series_free(s);
}

static void test_oracle_off_grid_start(void **state)
{
	double v[48] = {500, 100, 500};
	carbon_series *s;
	struct carbon_sim_cluster c;
	struct carbon_sim_job j[2];
	struct carbon_sim_config cfg;
	struct carbon_sim_outcome o[2];
	char err[256] = "";

	(void)state;
	for (int i = 3; i < 48; i++)
		v[i] = 500;
	s = hourly(v, 48);
	c = cluster("a", 1, s);
	/* a normal job holds the core over [0, 1.5 h) */
	j[0] = job(1, T0, 5400, 1, 0, CARBON_URGENCY_NORMAL, 0);
	/* a 30-minute flexible job: the clean hour's free half */
	j[1] = job(2, T0, 1800, 1, 0, CARBON_URGENCY_FLEXIBLE, 24 * H);
	cfg = config(&c, 1, j, 2);
	assert_int_equal(carbon_sim_oracle_run(&cfg, o, err, sizeof(err)), 0);
	assert_int_equal(o[0].start, T0);
	assert_int_equal(o[1].start, T0 + 5400);
	assert_float_equal(o[1].g, 0.5 * 100, 1e-9);
	carbon_series_free(s);
}

static void test_oracle_spatial(void **state)
{
	carbon_series *dirty = constant(400), *clean = constant(100);
	struct carbon_sim_cluster c[] = {cluster("x", 1, dirty),
					 cluster("y", 1, clean)};
	struct carbon_sim_job j[] = {
		job(1, T0, H, 1, 0, CARBON_URGENCY_CRITICAL, 0),
		job(2, T0, H, 1, 0, CARBON_URGENCY_NORMAL, 0),
		job(3, T0 + 1, H, 1, 0, CARBON_URGENCY_CRITICAL, 0),
	};
	struct carbon_sim_config cfg = config(c, 2, j, 3);
	struct carbon_sim_outcome o[3];
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_oracle_run(&cfg, o, err, sizeof(err)), 0);
	/* critical, both free: the cleaner of the tied earliest starts */
	assert_int_equal(o[0].cluster, 1);
	assert_int_equal(o[0].start, T0);
	/* normal: y at its earliest (after job 1) beats x now */
	assert_int_equal(o[1].cluster, 1);
	assert_int_equal(o[1].start, T0 + H);
	assert_false(o[1].deferred);
	/* critical: x is free now, y is not */
	assert_int_equal(o[2].cluster, 0);
	assert_int_equal(o[2].start, T0 + 1);
	carbon_series_free(dirty);
	carbon_series_free(clean);
}

/* ---- metrics ---- */

static void test_metrics(void **state)
{
	struct carbon_sim_job j[4];
	struct carbon_sim_outcome o[4] = {0};
	struct carbon_sim_metrics m;
	int64_t waits[4] = {0, 10, 20, 100};
	enum carbon_urgency u[4] = {
		CARBON_URGENCY_NORMAL, CARBON_URGENCY_FLEXIBLE,
		CARBON_URGENCY_CRITICAL, CARBON_URGENCY_FLEXIBLE};
	char err[256] = "";

	(void)state;
	for (int i = 0; i < 4; i++) {
		j[i] = job(i, T0, 50, 1, 0, u[i], 30);
		o[i].start = T0 + waits[i];
		o[i].end = o[i].start + 50;
		o[i].kwh = 1.5;
		o[i].g = 250;
		o[i].moved = i & 1;
	}
	assert_int_equal(
		carbon_sim_metrics_compute(j, o, 4, NULL, &m, err, sizeof(err)),
		0);
	assert_float_equal(m.energy_kwh, 6.0, 1e-12);
	assert_float_equal(m.emissions_kg, 1.0, 1e-12);
	assert_float_equal(m.wait_mean_s, 32.5, 1e-12);
	assert_float_equal(m.wait_p95_s, 100, 0);
	assert_int_equal(m.nonflex_jobs, 2);
	assert_float_equal(m.nonflex_wait_mean_s, 10, 1e-12);
	assert_float_equal(m.nonflex_wait_p95_s, 20, 0);
	/* deadline = submit + 50 + 30: waits above 30 miss */
	assert_int_equal(m.deadline_misses, 1);
	assert_int_equal(m.misses_by_urgency[CARBON_URGENCY_FLEXIBLE], 1);
	assert_int_equal(m.jobs_moved, 2);
	assert_int_equal(m.first_start, T0);
	assert_int_equal(m.last_end, T0 + 150);
	assert_int_equal(
		carbon_sim_metrics_compute(j, o, 0, NULL, &m, err, sizeof(err)),
		0);
	assert_int_equal(m.jobs, 0);
	assert_float_equal(carbon_sim_savings_pct(0, 5), 0, 0);
	assert_float_equal(carbon_sim_savings_pct(200, 50), 75, 1e-12);
}

/* ---- bad configs and allocation failures ---- */

static void test_config_check(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c = cluster("a", 4, s);
	struct carbon_sim_job j[] = {
		job(1, T0 + 5, 10, 1, 0, CARBON_URGENCY_NORMAL, 0),
		job(2, T0, 10, 1, 0, CARBON_URGENCY_NORMAL, 0),
	};
	struct carbon_sim_config cfg = config(&c, 1, j, 2);
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_sim_config_check(&cfg, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "sim: job 2 (line 2): jobs not sorted by "
				 "submit time");
	cfg.njobs = 1;
	j[0].cores = 5;
	assert_int_equal(carbon_sim_config_check(&cfg, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "sim: job 1 (line 1): origin cluster cannot "
				 "hold its cores");
	j[0].cores = 1;
	j[0].req = 5;
	assert_int_equal(carbon_sim_config_check(&cfg, err, sizeof(err)),
			 CARBON_EINVAL);
	j[0].req = 10;
	cfg.eco.power = 0;
	assert_int_equal(carbon_sim_config_check(&cfg, err, sizeof(err)),
			 CARBON_EINVAL);
	cfg.eco.power = 1;
	cfg.nclusters = 0;
	assert_int_equal(carbon_sim_config_check(&cfg, err, sizeof(err)),
			 CARBON_EINVAL);
	carbon_series_free(s);
}

/* An allocator that fails the n-th request and counts what is live. */
struct failing {
	int left;
	int live;
};

static void *f_resize(void *p, size_t size, void *ctx)
{
	struct failing *f = ctx;
	void *q;

	if (f->left-- == 0)
		return NULL;
	q = realloc(p, size);
	if (q && !p)
		f->live++;
	return q;
}

static void f_release(void *p, void *ctx)
{
	struct failing *f = ctx;

	f->live--;
	free(p);
}

static void test_allocation_failures(void **state)
{
	carbon_series *s = constant(100);
	struct carbon_sim_cluster c[] = {cluster("a", 4, s),
					 cluster("b", 4, s)};
	struct carbon_sim_job j[40];
	struct carbon_sim_outcome o[40];
	struct failing f;
	struct carbon_series_allocator a = {f_resize, f_release, &f};
	struct carbon_sim_config cfg = config(c, 2, j, 40);
	struct fake fk = {0};
	int n, rc = -1;

	(void)state;
	for (int i = 0; i < 40; i++)
		j[i] = job(i, T0 + i / 4, 100 + i, 1 + (uint32_t)(i % 4),
			   (uint32_t)(i % 2), CARBON_URGENCY_FLEXIBLE, 4 * H);
	cfg.alloc = &a;
	for (n = 0; rc; n++) {
		struct carbon_sim_policy p = carbon_sim_agnostic_port();

		f = (struct failing){.left = n};
		rc = carbon_sim_run(&cfg, &p, o, NULL, 0);
		assert_true(rc == 0 || rc == CARBON_ENOMEM);
		assert_int_equal(f.live, 0);
	}
	assert_true(n > 3);
	for (rc = -1, n = 0; rc; n++) {
		f = (struct failing){.left = n};
		rc = carbon_sim_oracle_run(&cfg, o, NULL, 0);
		assert_true(rc == 0 || rc == CARBON_ENOMEM);
		assert_int_equal(f.live, 0);
	}
	assert_true(n > 3);
	/* federated placements use the fresh-arrival list too */
	for (int i = 0; i < 8; i++)
		fk.p[i] = (struct carbon_sim_placement){.siblings = 3};
	cfg.njobs = 8;
	for (rc = -1, n = 0; rc; n++) {
		struct carbon_sim_policy p = {fake_place, &fk};

		f = (struct failing){.left = n};
		rc = carbon_sim_run(&cfg, &p, o, NULL, 0);
		assert_true(rc == 0 || rc == CARBON_ENOMEM);
		assert_int_equal(f.live, 0);
	}
	carbon_series_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fcfs),
		cmocka_unit_test(test_easy_backfill_respects_reservation),
		cmocka_unit_test(test_easy_backfill_on_spare_cores),
		cmocka_unit_test(test_backfill_depth),
		cmocka_unit_test(test_federation_first_start_wins),
		cmocka_unit_test(test_release_when_still_waiting),
		cmocka_unit_test(test_carbon_port_releases),
		cmocka_unit_test(test_policy_error_stops),
		cmocka_unit_test(test_moved_to_cleaner_zone),
		cmocka_unit_test(test_deferral_meets_deadline),
		cmocka_unit_test(test_observer_and_snapshot),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_oracle_capacity_conflict),
		cmocka_unit_test(test_oracle_off_grid_start),
		cmocka_unit_test(test_oracle_spatial),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_allocation_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
