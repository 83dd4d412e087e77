/*
 * carbon/job_footprint.h: the footprint of one finished job, as Slurm
 * recorded the job, and the record "carbon_fp":{...} it leaves in the
 * job's AdminComment next to the decision "carbon":{...}.
 *
 * Input is what the accounting database holds for one row of `sacct -L`
 * (one run of one job, array task or heterogeneous component, on the
 * cluster that ran it).  carbon/footprint.h does the arithmetic; this
 * module chooses its inputs and labels the result:
 *
 *  - energy: measured (ConsumedEnergy, from the site's AcctGatherEnergy
 *    plugin) when the job had its nodes alone, since a node's meter
 *    counts every job on it; otherwise the power model of the cluster
 *    that ran it, from the allocated cores and their use (TotalCPU over
 *    cores x elapsed), the allocated memory and GPUs (at full power:
 *    Slurm 22.05 records no GPU use).  PUE applied to both.
 *  - gCO2e: the energy over the real run [start, end) on the intensity
 *    series of that cluster's zone; seconds the series does not cover
 *    are priced at the cluster's fallback (or CARBON_INTENSITY_WORLD).
 *  - quality: fresh; stale (the snapshot was older than StaleAfter);
 *    fallback (a fallback provider, or any second at the fallback).
 *  - counterfactual: the same energy had the job started at submission
 *    at its origin.  Only for a job the plan moved or deferred; for any
 *    other job the counterfactual is what happened and the saving 0 (its
 *    queue wait is not the plan's doing).  saved_g < 0: the plan lost.
 *
 * A job that never started (cancelled while pending, ...) gets a record
 * that says so, with no footprint.
 *
 * The record (one line, flat, no braces inside: internal/member.h):
 *
 *   "carbon_fp":{"v":1,"ran":1,"on":"no","from":"es",
 *    "start":"2023-12-06T13:00:00Z","end":"2023-12-06T14:00:00Z",
 *    "e":"model","kwh":0.0187,"use":0.98,"g":0.57,"ci":30.5,"q":"fresh",
 *    "sig":"average/lifecycle","plan":"moved,deferred","cf_g":4.61,
 *    "saved_g":4.04}
 *
 *   on, from  the cluster that ran it; its origin
 *   e         model | measured-slurm; use: CPU use 0..1 (model only)
 *   kwh       facility energy; g: gCO2e; ci: g / kwh
 *   q         fresh | stale | fallback; fb_s: seconds at the fallback
 *   sig       signal/basis of the intensity (carbon/kind.h)
 *   plan      none | moved | deferred | moved,deferred
 *   cf_g      the counterfactual; saved_g = cf_g - g
 *
 * and for a job that never ran: "carbon_fp":{"v":1,"ran":0}.
 */
#ifndef CARBON_JOB_FOOTPRINT_H
#define CARBON_JOB_FOOTPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/footprint.h"
#include "carbon/kind.h"
#include "carbon/policy.h"

#define CARBON_JOB_FOOTPRINT_VERSION 1
/* Bytes enough for any record (names of up to CARBON_CONFIG_NAME). */
#define CARBON_JOB_FOOTPRINT_TEXT_MAX 1024

/* One run of a finished job, as the accounting database has it. */
struct carbon_finished_job {
	bool ran;	/* it started (had nodes); false: nothing below */
	int64_t submit; /* submission, the counterfactual's start */
	int64_t start;	/* the run was [start, end) */
	int64_t end;
	double cores;	    /* allocated CPUs */
	double cpu_seconds; /* TotalCPU: user + system of all steps */
	double mem_gb;	    /* allocated memory */
	double gpus;	    /* allocated gres/gpu */
	double energy_j;    /* ConsumedEnergy; < 0: none recorded */
	bool exclusive;	    /* it had its nodes alone */
	size_t ran_at;	    /* cluster index where it ran */
	size_t origin;	    /* cluster index where it was submitted */
	bool deferred;	    /* the plan deferred it (carbon_job_deferred) */
	bool moved;	    /* the plan chose ran_at, away from its origin */
};

struct carbon_job_footprint {
	bool ran;
	int64_t start, end;	    /* the run, when ran */
	struct carbon_footprint fp; /* when ran */
	double cpu_use;		    /* 0..1, the model's; -1 when measured */
	enum carbon_data_quality quality;
	enum carbon_signal signal;
	enum carbon_basis basis;
	bool moved, deferred;
	size_t ran_at, origin;
};

/*
 * Did the plan defer a job?  has_record: the job carries a decision
 * record; record_deferred: the record's begin is a time; eligible: when it
 * became eligible (Slurm's time_eligible).  A job re-planned to start
 * "now" after waiting still counts: eligible more than a minute after
 * submission while it carries a record.
 */
bool carbon_job_deferred(bool has_record, bool record_deferred, int64_t submit,
			 int64_t eligible);

/*
 * The footprint of j on the clusters' table (the policy's: power model,
 * series, staleness and fallback per cluster; n clusters, j->ran_at and
 * j->origin below n), with signal and basis the site's.  Returns 0;
 * CARBON_EINVAL (NULL, bad indices or times) or what carbon/footprint.h
 * returns, the message naming the field; *out only on success.
 */
int carbon_job_footprint_compute(const struct carbon_finished_job *j,
				 const struct carbon_policy_cluster *clusters,
				 size_t n, enum carbon_signal signal,
				 enum carbon_basis basis,
				 struct carbon_job_footprint *out, char *err,
				 size_t errlen) CARBON_MUST_CHECK;

/*
 * f as the member "carbon_fp":{...} (for carbon_admin_comment_merge(),
 * carbon/decision_text.h) into buf; names[i] is cluster i's.  Returns 0,
 * CARBON_EINVAL or CARBON_ETOOLONG.
 */
int carbon_job_footprint_text(const struct carbon_job_footprint *f,
			      const char *const *names, size_t n, char *buf,
			      size_t len) CARBON_MUST_CHECK;

/* What a reader (scarbon, the tests) gets back from a record. */
struct carbon_job_footprint_record {
	int version;
	bool ran;
	char on[64], from[64];
	int64_t start, end;
	char energy[24]; /* "model", "measured-slurm" */
	double kwh, cpu_use, g, ci, cf_g, saved_g;
	char quality[16], sig[40], plan[24];
	int64_t fallback_s;
};

/*
 * Find and read the footprint record in an AdminComment.  Returns 0; 1
 * when there is none (the job has not been accounted yet, or ended before
 * the plugin ran); CARBON_EINVAL when it is damaged, the reason in err.
 */
int carbon_job_footprint_parse(const char *comment,
			       struct carbon_job_footprint_record *r, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

#endif
