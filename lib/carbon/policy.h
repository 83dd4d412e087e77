/*
 * carbon/policy.h: where and when a job should run for the least carbon.
 *
 * One pure function, carbon_policy_decide(), called the same way by
 * job_submit/carbon (at submission), slurmctld/carbon (re-planning pending
 * jobs) and carbon-sim (replaying workloads).  It gets the job, the
 * clusters the federation could run it on with a snapshot of each one's
 * intensity series, and the site's parameters; it returns the ranking of
 * clusters, the siblings to keep, the start time, the mode, the expected
 * emissions against "run now at the origin", a data-quality flag and a
 * short reason.  It never reads the clock: job->now is the decision time.
 *
 * The rules (docs/design.md has the admin's version with a worked example):
 *  - latest start L = the job's latest start (carbon_tags: min(deadline -
 *    runtime, submit + max delay)); flexible jobs without one get
 *    params->flexible_max_delay; normal jobs without one are not deferred.
 *    A start is never later than L; an L already past means "now".
 *  - cost(cluster, start) = energy(cluster's power model incl. PUE, job's
 *    cores/GPUs/memory, runtime) x mean intensity over [start, start +
 *    runtime).  Each cluster's best start is the lowest-mean window of the
 *    runtime inside [now, L + runtime] (carbon_series_best_window()).
 *  - A cluster is priced only from a series of the site's signal and basis
 *    (params->signal/basis): values of another kind are never ranked.  A
 *    cluster without a usable series is priced at its fallback_intensity
 *    (quality FALLBACK, start now), or not at all (unranked) when it has
 *    none.  A stale series is used and marked STALE; a derived
 *    (seasonal-naive) forecast, or a series from a fallback provider
 *    (cluster->fallback), is used and marked FALLBACK.  The decision's
 *    quality is the worse of the chosen cluster's and the reference's
 *    (the origin's, usually): a saving is only as good as both.
 *  - No crumbs: deferring at a cluster, and moving away from the origin,
 *    each need a saving of at least params->min_saving_pct.
 *  - No usable data for the origin: nothing changes (the job runs as Slurm
 *    would have run it), quality NONE.
 *  - critical: no deferral and no narrowing; costs are still computed for
 *    the record.
 *  - Siblings: a deferred job keeps only the chosen cluster (the begin time
 *    is job-wide); a job starting now keeps every ranked cluster whose
 *    run-now cost is within params->sibling_slack_pct of the chosen one, so
 *    Slurm may still start it wherever it fits first.  A normal job also
 *    keeps its reference cluster (the origin): it may run cleaner where it
 *    fits first, but never waits longer because of carbon.  Only flexible
 *    jobs are narrowed to the clean clusters alone.
 *  - ECO when the chosen window's mean intensity is above
 *    params->eco_threshold (> 0), the job is not critical and the chosen
 *    cluster has an eco profile.
 *  - Deterministic: ties (relative 1e-9) go to the origin, then to the
 *    lower cluster index.
 *  - Re-planning (job->has_plan): the current plan is kept unless the new
 *    decision costs at least params->hysteresis_pct less, or the plan
 *    would start after L.  Then decision->changed is false and the caller
 *    leaves the job alone.
 *
 * Ownership: everything passed in is borrowed for the call; the decision
 * holds no pointers.
 */
#ifndef CARBON_POLICY_H
#define CARBON_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/footprint.h"
#include "carbon/series.h"
#include "carbon/tags.h"

/* Clusters in one decision (the sibling set is a 64-bit mask). */
#define CARBON_POLICY_MAX_CLUSTERS 64
/* Bytes of decision->reason, with the NUL. */
#define CARBON_POLICY_REASON_MAX 128

enum carbon_policy_mode {
	CARBON_MODE_FAST = 0,
	CARBON_MODE_ECO,
};

/* Ordered from best to worst, so the worse of two is the larger. */
enum carbon_data_quality {
	CARBON_DATA_FRESH = 0, /* a current series of the site's kind */
	CARBON_DATA_STALE,     /* a series older than the site's StaleAfter */
	CARBON_DATA_FALLBACK,  /* a configured constant or a derived forecast */
	CARBON_DATA_NONE,      /* nothing usable: the job was left alone */
};

struct carbon_policy_cluster {
	const char *name;	     /* for reasons; may be NULL */
	const carbon_series *series; /* the zone's snapshot; NULL: none */
	bool stale;		     /* the snapshot is older than allowed */
	bool fallback; /* from a fallback provider of the chain: FALLBACK */
	double fallback_intensity; /* gCO2eq/kWh when no usable series; 0: none */
	struct carbon_power_model power; /* includes the PUE */
	bool has_eco;			 /* the site defined an eco profile */
};

struct carbon_policy_params {
	enum carbon_signal signal; /* the kind the site ranks on */
	enum carbon_basis basis;
	double min_saving_pct;	    /* 0..100 */
	double hysteresis_pct;	    /* 0..100 */
	double sibling_slack_pct;   /* 0..1000 */
	double eco_threshold;	    /* gCO2eq/kWh; 0: never ECO */
	int64_t flexible_max_delay; /* seconds, 0..CARBON_MAX_DELAY_LIMIT */
};

struct carbon_policy_job {
	enum carbon_urgency urgency;
	int64_t now;	 /* the decision time, seconds since the epoch */
	int64_t runtime; /* expected run time (time limit), seconds > 0 */
	bool has_latest_start;
	int64_t latest_start;	       /* from carbon_tags */
	struct carbon_job_usage usage; /* cores, GPUs, memory; usage 0..1 */
	size_t origin;		       /* index of the submitting cluster */
	uint64_t allowed;	       /* clusters it may run on; 0: all */
	/* Re-planning: the plan the job has now. */
	bool has_plan;
	int64_t plan_begin; /* <= now: starts as soon as possible */
	size_t plan_cluster;
};

struct carbon_policy_decision {
	size_t nranked;
	uint8_t ranking
		[CARBON_POLICY_MAX_CLUSTERS]; /* cluster indices, best first */
	/* Per cluster index; cost_g < 0 for clusters not ranked. */
	double cost_g[CARBON_POLICY_MAX_CLUSTERS]; /* at its best start */
	int64_t start[CARBON_POLICY_MAX_CLUSTERS]; /* its best start */
	double now_g[CARBON_POLICY_MAX_CLUSTERS];  /* starting now */
	size_t chosen;				   /* cluster index */
	uint64_t siblings;			   /* clusters to keep */
	int64_t begin; /* start time; == job->now when not deferred */
	bool deferred;
	enum carbon_policy_mode mode;
	double expected_g; /* the decision's expected gCO2e; < 0: unknown */
	double baseline_g; /* run now at the origin; < 0: unknown */
	double intensity; /* mean gCO2eq/kWh over the chosen window; < 0: unknown */
	enum carbon_data_quality
		quality; /* of the data the decision rests on */
	bool changed; /* anything differs from the submission (or the plan) */
	char reason[CARBON_POLICY_REASON_MAX];
	/* What re-planning needs later, copied from the job: */
	enum carbon_urgency urgency;
	int64_t latest;	  /* the latest start in force (absolute) */
	uint64_t allowed; /* the clusters the job may run on */
};

/* The site's defaults: average/lifecycle, 5% saving, 10% hysteresis,
 * 5% sibling slack, no ECO, 24 h for flexible jobs without a window. */
#define CARBON_POLICY_PARAMS_DEFAULTS                                       \
	{                                                                   \
		.signal = CARBON_SIGNAL_AVERAGE,                            \
		.basis = CARBON_BASIS_LIFECYCLE, .min_saving_pct = 5.0,     \
		.hysteresis_pct = 10.0, .sibling_slack_pct = 5.0,           \
		.eco_threshold = 0.0, .flexible_max_delay = INT64_C(86400), \
	}

/*
 * Decide for job over clusters[0..n) (1 <= n <= CARBON_POLICY_MAX_CLUSTERS).
 * Returns 0 with *out filled, or CARBON_EINVAL for invalid arguments (the
 * message names the field); *out is written only on success.  Missing or
 * unusable carbon data is not an error: it is a decision with quality
 * FALLBACK or NONE.
 */
int carbon_policy_decide(const struct carbon_policy_params *params,
			 const struct carbon_policy_cluster *clusters, size_t n,
			 const struct carbon_policy_job *job,
			 struct carbon_policy_decision *out, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

/* Short static names for records and logs; never NULL. */
const char *carbon_policy_mode_name(enum carbon_policy_mode mode);
const char *carbon_policy_quality_name(enum carbon_data_quality q);

#endif
