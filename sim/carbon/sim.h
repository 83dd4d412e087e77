/*
 * carbon/sim.h: a discrete-event model of a federation of batch clusters,
 * to replay a workload under a placement policy and count what it cost.
 *
 * Each cluster has a core count, a power model (PUE included) and its
 * grid's true carbon intensity (a series).  Jobs arrive at their submit
 * time; a policy port decides at that instant where the job may start
 * (a sibling mask, as a Slurm federation's) and not before when (a begin
 * time, as sbatch --begin), and whether it runs in ECO mode.  Then:
 *
 *  - Each cluster schedules its queue FCFS (by submit time) with EASY
 *    backfilling on the requested time: when the head job does not fit,
 *    it gets a reservation at the earliest time enough cores free up
 *    (running jobs counted as ending at start + requested time), and later
 *    jobs may start now if they fit the free cores and either end before
 *    that reservation or leave enough cores for it.  The backfill scan
 *    looks at no more than bf_depth queued jobs per pass, like Slurm's
 *    bf_max_job_test: a pass costs O(bf_depth + running jobs), never
 *    O(queue).
 *  - A job occupies its cores for its actual run time (stretched by
 *    eco.slowdown in ECO mode), not its request.
 *  - Federation: a job with several siblings waits in each sibling's
 *    queue; the first cluster to start it wins and the others forget it.
 *    When several could start it at the same instant, its preferred
 *    cluster (the policy's choice, or the origin) goes first.
 *  - All events at one instant (ends first, then arrivals and begin times)
 *    are applied before the clusters schedule, so a batch of arrivals is
 *    ordered by submit time, not by event order.
 *
 * Energy and emissions of each job are priced once it is placed:
 * energy from the Green Algorithms model (cores at full use; ECO scales
 * power by eco.power and time by eco.slowdown), carbon from the true
 * intensity integrated over [start, end) on the cluster it ran on.  Seconds
 * the trace does not cover are priced at the cluster's fallback intensity
 * and the outcome says so.
 *
 * Nothing here reads a clock or draws random numbers: the workload
 * (carbon/sim_workload.h) and the policies (carbon/sim_policy.h) carry
 * their seeds.  Ownership: the config and everything it points to are
 * borrowed for the call; outcomes are written into the caller's array.
 */
#ifndef CARBON_SIM_H
#define CARBON_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/footprint.h"
#include "carbon/series.h"
#include "carbon/tags.h"

/* Clusters in one simulation (sibling sets are 64-bit masks). */
#define CARBON_SIM_MAX_CLUSTERS 64
/* Jobs in one simulation. */
#define CARBON_SIM_MAX_JOBS ((size_t)1 << 26)
/* Slurm's bf_max_job_test default (22.05): jobs a backfill pass tests. */
#define CARBON_SIM_BF_DEPTH_DEFAULT 500

struct carbon_sim_cluster {
	const char *name;		 /* for messages; may be NULL */
	uint32_t cores;			 /* >= 1 */
	struct carbon_power_model power; /* includes the PUE */
	const carbon_series *trace;	 /* the true intensity; NULL: none */
	double fallback_intensity;	 /* gCO2eq/kWh outside the trace */
};

struct carbon_sim_job {
	int64_t id;  /* the workload's job number */
	size_t line; /* where it came from; 0: unknown */
	int64_t submit;
	int64_t run; /* actual run time, s > 0 */
	int64_t req; /* requested time (time limit), s >= run */
	uint32_t cores;
	uint32_t origin; /* the cluster it was submitted to */
	enum carbon_urgency urgency;
	/* The carbon tags a user would have given (carbon/tags.h): flexible
	 * jobs --carbon-max-delay, critical ones their urgency. */
	bool has_latest_start;
	int64_t latest_start;
	int64_t deadline; /* should have ended by, for the miss count */
	int64_t queue;	  /* from the workload, -1: unknown */
	int64_t partition;
};

/* ECO mode: power x power, time x slowdown (0 < power <= 1 <= slowdown). */
struct carbon_sim_eco {
	double power;
	double slowdown;
};

/* What a policy decides for one job at its submission. */
struct carbon_sim_placement {
	uint64_t siblings; /* clusters it may start on; 0: the origin */
	size_t preferred;  /* first to try among them at one instant */
	int64_t begin;	   /* not before; < submit means submit */
	bool eco;
	/* Re-planning's promise (carbon/replan.h): a job still waiting at
	 * release_at may also start on release_to's clusters.  0: never. */
	int64_t release_at;
	uint64_t release_to;
};

/*
 * The policy port.  place() is called once per job, in submit order, at
 * the job's submit time; index is the job's position in the config's
 * array.  It returns 0 with *out filled, or a negative code that stops the
 * simulation with its message.  Siblings without enough cores for the job
 * are dropped; if none is left the job falls back to its origin.
 */
struct carbon_sim_policy {
	int (*place)(void *ctx, size_t index, const struct carbon_sim_job *job,
		     struct carbon_sim_placement *out, char *err,
		     size_t errlen);
	void *ctx;
};

/* Optional progress port: called every few thousand jobs, and at the end. */
struct carbon_sim_progress {
	void (*report)(void *ctx, const char *phase, size_t done, size_t total);
	void *ctx;
};

struct carbon_sim_config {
	const struct carbon_sim_cluster *clusters;
	size_t nclusters;		   /* 1..CARBON_SIM_MAX_CLUSTERS */
	const struct carbon_sim_job *jobs; /* sorted by submit time */
	size_t njobs;
	size_t bf_depth; /* 0: CARBON_SIM_BF_DEPTH_DEFAULT */
	struct carbon_sim_eco eco;
	const struct carbon_series_allocator *alloc; /* NULL: libc */
	const struct carbon_sim_progress *progress;  /* NULL: none */
};

/* What happened to one job. */
struct carbon_sim_outcome {
	int64_t begin; /* the placement's begin (>= submit) */
	int64_t start;
	int64_t end;
	uint32_t cluster;
	bool deferred; /* begin > submit */
	bool moved;    /* ran away from its origin */
	bool eco;
	bool released;	    /* widened at its release time (still waiting) */
	bool outside_trace; /* some seconds priced at the fallback */
	double kwh;	    /* facility energy */
	double g;	    /* gCO2e */
};

/*
 * Check cfg: cluster count and cores, power models, fallback intensities,
 * jobs sorted and valid (run > 0, req >= run, cores 1..the largest
 * cluster, origin a cluster that fits it), eco factors.  Returns 0 or
 * CARBON_EINVAL naming the first problem (the job by its id and line).
 */
int carbon_sim_config_check(const struct carbon_sim_config *cfg, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/*
 * Replay cfg's jobs under policy; out has cfg->njobs entries and gets
 * every job's outcome, priced.  Returns 0, CARBON_EINVAL (bad config or
 * placement), CARBON_ENOMEM, or the policy's own error.
 */
int carbon_sim_run(const struct carbon_sim_config *cfg,
		   const struct carbon_sim_policy *policy,
		   struct carbon_sim_outcome *out, char *err,
		   size_t errlen) CARBON_MUST_CHECK;

/* The clusters with at least job->cores cores. */
uint64_t carbon_sim_fitting(const struct carbon_sim_config *cfg,
			    const struct carbon_sim_job *job);

/*
 * Price o (cluster, start, end and eco set) for job: o->kwh, o->g and
 * o->outside_trace.  Returns 0 or the footprint's error.
 */
int carbon_sim_price(const struct carbon_sim_config *cfg,
		     const struct carbon_sim_job *job,
		     struct carbon_sim_outcome *o, char *err,
		     size_t errlen) CARBON_MUST_CHECK;

/*
 * Energy of job on cluster c for seconds of run, at eco or full power: the
 * same figure the policy prices with, scaled for ECO.
 */
int carbon_sim_energy(const struct carbon_sim_config *cfg, size_t c,
		      const struct carbon_sim_job *job, bool eco, double *kwh,
		      char *err, size_t errlen) CARBON_MUST_CHECK;

/* Summary of one run. */
struct carbon_sim_metrics {
	size_t jobs;
	double energy_kwh;
	double emissions_kg;
	double wait_mean_s;  /* start - submit */
	double wait_p95_s;   /* nearest rank */
	size_t nonflex_jobs; /* critical and normal */
	double nonflex_wait_mean_s;
	double nonflex_wait_p95_s;
	size_t deadline_misses;	     /* end > deadline */
	size_t misses_by_urgency[3]; /* indexed by enum carbon_urgency */
	size_t jobs_moved;
	size_t jobs_deferred;
	size_t jobs_eco;
	size_t jobs_released; /* still waiting at their release time */
	size_t outside_trace;
	int64_t first_start; /* over all jobs; 0 when none */
	int64_t last_end;
};

/*
 * Fill *m from n jobs and their outcomes.  alloc as in the config (NULL:
 * libc; percentiles need a scratch copy).  Returns 0 or CARBON_ENOMEM /
 * CARBON_EINVAL.
 */
int carbon_sim_metrics_compute(const struct carbon_sim_job *jobs,
			       const struct carbon_sim_outcome *out, size_t n,
			       const struct carbon_series_allocator *alloc,
			       struct carbon_sim_metrics *m, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/* 100 x (base - x) / base; 0 when base is 0. */
double carbon_sim_savings_pct(double base, double x);

#endif
