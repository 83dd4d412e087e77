/*
 * job_submit/carbon: Slurm's entry points for carbon-aware job submission.
 *
 * This file is the adapter between slurmctld and libcarbon: it reads the
 * carbon options the SPANK plugin put into job_desc->spank_job_env (or the
 * site's defaults), calls the core policy (place.c) and writes its decision
 * back onto the job: the sibling set, the begin time and AdminComment.  It runs on slurmctld's submit path with the config, job, node,
 * partition and federation read locks held: it must never block, never do
 * network I/O and never call Slurm's client API.
 *
 * Nothing here may terminate slurmctld: errors are logged or returned to
 * the submitting user through err_msg; nothing here calls Slurm's fatal.
 */

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"
#include "src/slurmctld/fed_mgr.h"

#include "carbon_ctld.h"
#include "carbon_job.h"
#include "place.h"

/*
 * The entry points slurmctld looks up by name (see exports.map).  Slurm has
 * no header for them; declaring them here makes them visible and checked.
 */
#define EXPORT __attribute__((visibility("default")))
EXPORT int init(void);
EXPORT int fini(void);
EXPORT int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid,
		      char **err_msg);
/* 23.02 added err_msg to job_modify(); 22.05 calls it with three
 * arguments, and a fourth parameter would be a stray register. */
#if SLURM_VERSION_NUMBER >= SLURM_VERSION_NUM(23, 2, 0)
#define CARBON_MODIFY_HAS_ERR_MSG 1
EXPORT int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
		      uint32_t submit_uid, char **err_msg);
#else
EXPORT int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
		      uint32_t submit_uid);
#endif

EXPORT const char plugin_name[] = "Carbon-aware job submission";
EXPORT const char plugin_type[] = "job_submit/carbon";
EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* Prefix of the variables the SPANK plugin sets with
 * spank_job_control_setenv(); see spank/spank_carbon.c. */
#define CARBON_ENV_PREFIX "CARBON_"

/* Read-only after init(); the snapshot inside has its own lock, so
 * concurrent job_submit calls need no further locking. */
static struct carbon_ctld ctld;

int init(void)
{
	carbon_ctld_open(&ctld, plugin_type);
	info("%s: loaded (built against Slurm %s), %s", plugin_type,
	     SLURM_VERSION_STRING,
	     carbon_ctld_enabled(&ctld) ? "carbon-aware" : "disabled");
	return SLURM_SUCCESS;
}

int fini(void)
{
	carbon_ctld_close(&ctld);
	return SLURM_SUCCESS;
}

/* At most this many variables in the log line, each cut at 80 bytes. */
#define CARBON_ENV_SUMMARY_MAX 6

static void summarise(char **out, int *n, char **env, uint32_t size,
		      const char *prefix)
{
	for (uint32_t i = 0; env && i < size; i++) {
		const char *kv = env[i];

		if (!kv || strncmp(kv, prefix, strlen(prefix)))
			continue;
		if (++*n > CARBON_ENV_SUMMARY_MAX) {
			if (*n == CARBON_ENV_SUMMARY_MAX + 1)
				xstrcat(*out, " ...");
			continue;
		}
		xstrfmtcat(*out, "%s%.80s", *out ? " " : "", kv);
	}
}

/*
 * Collect the job's CARBON_* variables (and SLURM_CARBON_* from its own
 * environment: a job from slurmrestd, or a client without the SPANK
 * plugin) into one short string for the log.  Bounded in count and length
 * so that a hostile client cannot flood slurmctld's log.
 */
static char *carbon_env_summary(const job_desc_msg_t *job_desc)
{
	char *out = NULL;
	int n = 0;

	summarise(&out, &n, job_desc->spank_job_env,
		  job_desc->spank_job_env_size, CARBON_ENV_PREFIX);
	summarise(&out, &n, job_desc->environment, job_desc->env_size,
		  "SLURM_" CARBON_ENV_PREFIX);
	return out;
}

static bool is_sibling_copy(const job_desc_msg_t *job_desc)
{
	return job_desc->job_id != NO_VAL && fed_mgr_cluster_rec &&
	       fed_mgr_get_cluster_id(job_desc->job_id) !=
		       fed_mgr_cluster_rec->fed.id;
}

/*
 * One log line per job: who sent it, its carbon options, and what the
 * plugin did (the decision, or why the job was refused).
 */
int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg)
{
	char *summary = carbon_env_summary(job_desc);
	int64_t now = (int64_t)time(NULL);
	char err[512], outcome[600], user_msg[512] = "";
	struct carbon_tags tags;
	struct carbon_job job;
	int rc;

	carbon_job_of_desc(job_desc, &job);
	carbon_ctld_read_lock(&ctld);
	rc = carbon_place_tags(&ctld, job_desc, now, job.runtime, &tags, err,
			       sizeof(err));
	if (!rc)
		carbon_place_job(&ctld, job_desc, &tags, &job, now, outcome,
				 sizeof(outcome), user_msg, sizeof(user_msg));
	carbon_ctld_read_unlock(&ctld);
	if (rc && is_sibling_copy(job_desc)) {
		/* The origin accepted it; a sibling only skips placement. */
		snprintf(outcome, sizeof(outcome),
			 "sibling copy, not placed: %s", err);
		rc = 0;
	} else if (rc) {
		snprintf(outcome, sizeof(outcome), "rejected: %s", err);
		*err_msg = xstrdup(err);
	} else if (user_msg[0]) {
		/* shown by sbatch/salloc on success as "sbatch: ..." */
		*err_msg = xstrdup(user_msg);
	}
	info("%s: job %.64s from uid %u (submitted by uid %u): %s: %s",
	     plugin_type, job_desc->name ? job_desc->name : "(no name)",
	     job_desc->user_id, submit_uid,
	     summary ? summary : "no carbon options", outcome);
	xfree(summary);
	return rc ? SLURM_ERROR : SLURM_SUCCESS;
}

/*
 * scontrol update: the carbon options cannot change (they live in the
 * job's spank environment), but a new time limit, partition or QOS can
 * make them invalid, e.g. a deadline the job can no longer meet.  Only
 * such an update is checked: any other one (a new priority, a hold, the
 * re-planner moving the begin time) passes even when the deadline has
 * become unreachable while the job waited.
 */
#ifdef CARBON_MODIFY_HAS_ERR_MSG
int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
	       uint32_t submit_uid, char **err_msg)
#else
int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
	       uint32_t submit_uid)
#endif
{
	job_desc_msg_t view = {0};
	struct carbon_tags tags;
	struct carbon_job job;
	char err[512];
	int rc;

	(void)submit_uid;
	if (!job_ptr || !IS_JOB_PENDING(job_ptr))
		return SLURM_SUCCESS;
	if (job_desc->time_limit == NO_VAL && !job_desc->partition &&
	    !job_desc->qos)
		return SLURM_SUCCESS;
	view.spank_job_env = job_ptr->spank_job_env;
	view.spank_job_env_size = job_ptr->spank_job_env_size;
	view.partition =
		job_desc->partition ? job_desc->partition : job_ptr->partition;
	view.qos = job_desc->qos
			   ? job_desc->qos
			   : (job_ptr->qos_ptr ? job_ptr->qos_ptr->name : NULL);
	view.time_limit = job_desc->time_limit != NO_VAL ? job_desc->time_limit
							 : job_ptr->time_limit;
	view.job_id = NO_VAL;
	carbon_job_of_desc(&view, &job);
	carbon_ctld_read_lock(&ctld);
	rc = carbon_place_tags(&ctld, &view, (int64_t)time(NULL), job.runtime,
			       &tags, err, sizeof(err));
	carbon_ctld_read_unlock(&ctld);
	if (!rc)
		return SLURM_SUCCESS;
	info("%s: rejected an update of job %u: %s", plugin_type,
	     job_ptr->job_id, err);
#ifdef CARBON_MODIFY_HAS_ERR_MSG
	*err_msg = xstrdup(err);
#endif
	/* Before 23.02 the user gets only the code: make it say what. */
	return job_desc->time_limit != NO_VAL ? ESLURM_INVALID_TIME_LIMIT
					      : SLURM_ERROR;
}
