/*
 * carbon/sim_workload.h: turn a Standard Workload Format log into the
 * simulator's jobs, deciding deliberately what unknown (-1) fields mean.
 *
 *  - processors: the requested count, else the allocated one; neither
 *    known: the job is skipped (reason "no processor count");
 *  - run time: -1 or 0: skipped ("no run time", "zero run time");
 *  - requested time: the log's, else default_req, else the run time; never
 *    below the run time (a job that overran its limit is taken to have
 *    had a limit of its run time, so EASY's reservations hold);
 *  - submit time -1: skipped ("no submit time");
 *  - wider than every cluster (after size_scale): skipped ("too wide").
 * Skips are counted by reason with the first line of each, so the tool
 * can say how many jobs were left out and why.
 *
 * Time: SWF time 0 maps to opt.start; submit times are multiplied by
 * time_scale (below 1 packs the arrivals closer, raising the load), run
 * times are kept.  Sizes are multiplied by size_scale and rounded, at
 * least one core.
 *
 * Each job then gets, after sorting by submit time (ties in file order):
 *  - an origin cluster: round-robin, by SWF queue or partition number
 *    (modulo the clusters; unknown: round-robin), or seeded random; always
 *    a cluster with enough cores (the next one that fits);
 *  - an urgency: critical with probability critical_fraction, flexible
 *    with flexible_fraction, normal otherwise, from a seeded stream;
 *  - a deadline, submit + requested time + max_delay, for everyone; only
 *    flexible jobs tell the scheduler (as --carbon-max-delay would:
 *    latest start = submit + max_delay), and critical ones their urgency
 *    (latest start = submit).
 * The same options and seed give the same jobs on every machine.
 *
 * Ownership: the workload owns its jobs array until
 * carbon_sim_workload_release(); options are copied.
 */
#ifndef CARBON_SIM_WORKLOAD_H
#define CARBON_SIM_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/series.h"
#include "carbon/sim.h"
#include "carbon/swf.h"

enum carbon_sim_origin_rule {
	CARBON_SIM_ORIGIN_ROUND_ROBIN = 0,
	CARBON_SIM_ORIGIN_QUEUE,
	CARBON_SIM_ORIGIN_PARTITION,
	CARBON_SIM_ORIGIN_RANDOM,
};

enum carbon_sim_skip {
	CARBON_SIM_SKIP_BAD_LINE = 0, /* the SWF line did not parse */
	CARBON_SIM_SKIP_NO_SUBMIT,
	CARBON_SIM_SKIP_NO_RUNTIME,
	CARBON_SIM_SKIP_ZERO_RUNTIME,
	CARBON_SIM_SKIP_NO_PROCS,
	CARBON_SIM_SKIP_TOO_WIDE,
	CARBON_SIM_SKIP_OUT_OF_RANGE, /* a time beyond the simulator's range */
	CARBON_SIM_SKIP_OVER_MAX,     /* beyond max_jobs */
	CARBON_SIM_SKIP_COUNT,
};

struct carbon_sim_workload_options {
	int64_t start;	     /* the instant SWF time 0 maps to */
	double time_scale;   /* > 0 */
	double size_scale;   /* > 0 */
	int64_t default_req; /* s; 0: the run time */
	enum carbon_sim_origin_rule origin;
	double critical_fraction; /* 0..1, sum with flexible <= 1 */
	double flexible_fraction;
	int64_t max_delay; /* 0..CARBON_MAX_DELAY_LIMIT */
	uint64_t seed;
	size_t max_jobs;       /* 0: no limit */
	const uint32_t *cores; /* cores of each cluster */
	size_t nclusters;      /* 1..CARBON_SIM_MAX_CLUSTERS */
};

struct carbon_sim_workload {
	struct carbon_sim_job *jobs; /* owned */
	size_t n;
	size_t cap;
	size_t skipped[CARBON_SIM_SKIP_COUNT];
	size_t first_line[CARBON_SIM_SKIP_COUNT]; /* of each reason; 0: none */
	size_t req_from_run;	 /* requested time unknown: the run time */
	size_t req_from_default; /* ... or default_req */
	size_t procs_from_alloc; /* requested processors unknown */
	struct carbon_sim_workload_options opt;
	struct carbon_series_allocator alloc;
	uint32_t max_cores;
};

/*
 * Start an empty workload.  Returns 0 or CARBON_EINVAL for options out of
 * range (the message names the option).  alloc: NULL for libc.
 */
int carbon_sim_workload_init(struct carbon_sim_workload *w,
			     const struct carbon_sim_workload_options *opt,
			     const struct carbon_series_allocator *alloc,
			     char *err, size_t errlen) CARBON_MUST_CHECK;

/* Take one SWF job, or count why not.  Returns 0 or CARBON_ENOMEM. */
int carbon_sim_workload_add(struct carbon_sim_workload *w,
			    const struct carbon_swf_job *sj, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/* Count a line the SWF reader rejected. */
void carbon_sim_workload_add_bad_line(struct carbon_sim_workload *w,
				      size_t line);

/* Sort, then give origins, urgencies and deadlines (see above). */
void carbon_sim_workload_finish(struct carbon_sim_workload *w);

/* Total skipped. */
size_t carbon_sim_workload_skipped(const struct carbon_sim_workload *w);

/* Free the jobs; the workload is empty afterwards.  NULL is a no-op. */
void carbon_sim_workload_release(struct carbon_sim_workload *w);

/* "bad line", "no submit time", ...; never NULL. */
const char *carbon_sim_skip_name(enum carbon_sim_skip why);

#endif
