/*
 * carbon/replan.h: what to do with one pending job whose plan may have
 * aged (slurmctld/carbon calls it every ReplanInterval for each pending
 * carbon-tagged job submitted at its cluster).
 *
 * The caller gathers the job's facts from Slurm (its begin time, the
 * clusters it is pending at, whether it is held, dependent, an array or a
 * heterogeneous job) and the record job_submit/carbon put on it
 * (carbon/decision_text.h: urgency, latest start, allowed clusters, the
 * planned cluster); carbon_replan() answers "leave it" or "update it to
 * this begin time and these clusters", with the new decision for the
 * record.  Pure: the caller passes now and the carbon data.
 *
 * Rules (docs/design.md, "Re-planning"):
 *  - left alone: held, dependent, array and heterogeneous jobs, critical
 *    jobs, records without urgency or latest start (written by an older
 *    version or by hand), a planned cluster unknown to carbon.conf, and a
 *    job whose begin time a user or an admin changed: later than the
 *    plan's (the user's own --begin or `scontrol update StartTime=`:
 *    never made earlier) or earlier than a deferred plan's (`scontrol
 *    update JobId=N StartTime=now`: run it now, never deferred again).
 *    The first time it sees a deferred job run now, carbon_replan() asks
 *    for the record to be marked "begin_by":"user" (mark_user_begin, with
 *    carbon_decision_mark_user_begin()), and a marked record is left
 *    alone for good.  A later begin is not marked (Slurm delays a requeued
 *    job's begin itself): the job is left alone until that begin;
 *  - at or past its latest start, a job still pending is released: it may
 *    start at once at every allowed cluster (the plan's promise to the
 *    user is kept even when the clean cluster is full);
 *  - otherwise the policy decides again with the current plan in hand
 *    (carbon_policy_decide(), job->has_plan): the plan changes only when
 *    the new one saves ReplanHysteresisPercent more, or when it would
 *    start after the latest start.  A new begin time is never after the
 *    latest start.
 */
#ifndef CARBON_REPLAN_H
#define CARBON_REPLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/decision_text.h"
#include "carbon/error.h"
#include "carbon/policy.h"

/* A begin time this far from the plan's is a user's or an admin's. */
#define CARBON_REPLAN_BEGIN_SLACK 60

struct carbon_replan_job {
	int64_t now;
	int64_t begin_time; /* the job's begin time now; <= now: eligible */
	int64_t runtime;    /* seconds > 0 (its time limit) */
	struct carbon_job_usage usage;
	size_t origin;	   /* index of this (the origin) cluster */
	uint64_t siblings; /* the clusters it is pending at now */
	bool held;
	bool dependent;
	bool array;
	bool het;
	const struct carbon_decision_record *record;
};

struct carbon_replan {
	bool update;	   /* false: leave the job as it is */
	int64_t begin;	   /* new begin time (<= now: at once) */
	uint64_t siblings; /* new cluster set */
	bool released;	   /* latest start reached */
	/* update is false: mark the record "begin_by":"user" and change
	 * nothing else (a user or an admin changed the begin time) */
	bool mark_user_begin;
	struct carbon_policy_decision decision; /* for the new record */
	char why[CARBON_POLICY_REASON_MAX];	/* also when left alone */
};

/*
 * Decide for job over clusters[0..n) (names from clusters[i].name).
 * Returns 0 with *out filled, or CARBON_EINVAL for invalid arguments (the
 * policy's message).  *out is written only on success.
 */
int carbon_replan(const struct carbon_policy_params *params,
		  const struct carbon_policy_cluster *clusters, size_t n,
		  const struct carbon_replan_job *job,
		  struct carbon_replan *out, char *err,
		  size_t errlen) CARBON_MUST_CHECK;

#endif
