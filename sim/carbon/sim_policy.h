/*
 * carbon/sim_policy.h: the placement policies carbon-sim compares, as
 * ports for the event model of carbon/sim.h, and the oracle.
 *
 *  agnostic   no carbon awareness: the origin cluster, start when
 *             possible.  The baseline every saving is measured against.
 *  carbon     libcarbon's policy, carbon_policy_decide(), called as the
 *             job_submit plugin calls it, with the snapshot the plugin
 *             would have: each cluster's series over [now - history,
 *             now + horizon), rebuilt every `step` seconds (a cache
 *             refresh), future values from the trace times seeded noise,
 *             or a seasonal-naive fallback forecast.  The job's runtime is
 *             its time limit (requested time), its window its tags.  A
 *             job still queued CARBON_SIM_REPLAN_INTERVAL after its latest
 *             start is released to every cluster it may run on.
 *  threshold  the simple rule: at submission, look at the origin's
 *             intensity now.  At or below `low`: run.  Above it, flexible
 *             jobs wait until the first instant of the trace at or below
 *             `low` (polled, so no forecast is needed) or their latest
 *             start; other jobs run, in ECO mode above `high` (critical:
 *             never ECO).  A deferred job is ECO when it starts above
 *             `high`.  Origin cluster only.
 *  oracle     perfect knowledge, greedy in submit order: every job runs its
 *             actual run time in a capacity profile per cluster (a plan:
 *             no queue, no backfilling) and takes, given the jobs placed
 *             before it, the cheapest feasible (cluster, start) it is
 *             allowed.  Flexible jobs: any cluster, any start in [earliest
 *             feasible start, latest start] (the earliest when even that
 *             is past the window).  Normal jobs are not delayed on
 *             purpose but, as under the carbon policy, may go to a
 *             cleaner, busier cluster: the cheapest cluster at its
 *             earliest feasible start.  Critical jobs: the earliest
 *             feasible start anywhere, the cleanest cluster among ties (the
 *             policy leaves them every sibling).  Candidate starts: the
 *             window's ends, every trace point (and minus the run time),
 *             every edge of the profile (and minus the run time); the
 *             cheapest feasible one is exact for a step-function trace.
 *             It is optimal per job given the jobs before it, NOT
 *             globally: a deferred job's reservation can push a later
 *             normal job to a dirtier start, an earlier job may take a
 *             clean slot a later, longer one would have used better; it
 *             knows run times where a scheduler knows requests; it never
 *             uses ECO; and it never lets a flexible job overrun its
 *             window.  So a policy can beat it (a share above 100%),
 *             mostly when windows are short and few jobs are flexible, or
 *             by overrunning windows.  It bounds what per-job shifting
 *             with perfect knowledge reaches when jobs are placed one at
 *             a time in arrival order, as a scheduler places them.
 *
 * Ownership: ports borrow their config and context for the simulation;
 * carbon_sim_carbon_new() returns a handle freed with
 * carbon_sim_carbon_free().
 */
#ifndef CARBON_SIM_POLICY_H
#define CARBON_SIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/policy.h"
#include "carbon/series.h"
#include "carbon/sim.h"

/* ---- agnostic ---- */

/* The port; ctx is unused. */
struct carbon_sim_policy carbon_sim_agnostic_port(void);

/* ---- carbon: libcarbon's policy ---- */

enum carbon_sim_forecast_kind {
	CARBON_SIM_FORECAST_TRACE = 0, /* the trace, with optional noise */
	CARBON_SIM_FORECAST_SEASONAL,  /* carbon_series_forecast_seasonal() */
};

struct carbon_sim_forecast {
	enum carbon_sim_forecast_kind kind;
	int64_t history;   /* s of past values in a snapshot, 0..31 days */
	int64_t horizon;   /* s of forecast, 1 h..31 days */
	int64_t step;	   /* a new snapshot every step s, 60 s..1 day */
	double error;	   /* relative std. deviation of the noise, 0..1 */
	int seasonal_days; /* SEASONAL: 1..CARBON_SERIES_FORECAST_DAYS_MAX */
	uint64_t seed;
};

/* Sees every decision with exactly the inputs the policy was given. */
struct carbon_sim_observer {
	void (*decided)(void *ctx, size_t index,
			const struct carbon_sim_job *job,
			const struct carbon_policy_params *params,
			const struct carbon_policy_cluster *clusters, size_t n,
			const struct carbon_policy_job *pj,
			const struct carbon_policy_decision *d);
	void *ctx;
};

/*
 * As slurmctld/carbon does at its default ReplanInterval, the carbon port
 * releases a job still waiting this long after its latest start to every
 * cluster it may run on (carbon/replan.h).
 */
#define CARBON_SIM_REPLAN_INTERVAL 300

typedef struct carbon_sim_carbon carbon_sim_carbon;

/*
 * The carbon policy over cfg's clusters (their traces are the truth the
 * snapshots are cut from; signal and basis from each trace's meta).
 * params and fc are copied, obs too (NULL: none); cfg is borrowed.
 * has_eco: the clusters have an ECO profile.  NULL with a message for
 * invalid options or no memory.
 */
carbon_sim_carbon *
carbon_sim_carbon_new(const struct carbon_sim_config *cfg,
		      const struct carbon_policy_params *params,
		      const struct carbon_sim_forecast *fc, bool has_eco,
		      const struct carbon_sim_observer *obs, char *err,
		      size_t errlen);

/* NULL is a no-op. */
void carbon_sim_carbon_free(carbon_sim_carbon *p);

/* The port (ctx = p). */
struct carbon_sim_policy carbon_sim_carbon_port(carbon_sim_carbon *p);

/*
 * The snapshot cluster c's policy input holds at instant now (borrowed
 * until the next decision or free), or NULL when it could not be built.
 */
const carbon_series *carbon_sim_carbon_snapshot(carbon_sim_carbon *p, size_t c,
						int64_t now);

/* Decisions taken, and of those quality FALLBACK or NONE. */
void carbon_sim_carbon_counts(const carbon_sim_carbon *p, size_t *decisions,
			      size_t *no_data);

/* ---- threshold ---- */

struct carbon_sim_threshold {
	const struct carbon_sim_config *cfg;
	const double *low;  /* per cluster, gCO2eq/kWh */
	const double *high; /* per cluster, >= low */
};

/* The port; ctx = t, borrowed. */
struct carbon_sim_policy
carbon_sim_threshold_port(const struct carbon_sim_threshold *t);

/*
 * Default thresholds: the first and second terciles of the values of s's
 * points in [a, b) (nearest rank).  Returns 0, CARBON_ERANGE when no point
 * lies there, CARBON_ENOMEM.
 */
int carbon_sim_threshold_terciles(const carbon_series *s, int64_t a, int64_t b,
				  double *low, double *high, char *err,
				  size_t errlen) CARBON_MUST_CHECK;

/* ---- oracle ---- */

/*
 * Place every job as described above and price it.  out has cfg->njobs
 * entries.  Returns 0, CARBON_EINVAL (bad config) or CARBON_ENOMEM.
 */
int carbon_sim_oracle_run(const struct carbon_sim_config *cfg,
			  struct carbon_sim_outcome *out, char *err,
			  size_t errlen) CARBON_MUST_CHECK;

#endif
