/*
 * job_submit/carbon: Slurm's entry points for carbon-aware job submission.
 *
 * This file is the adapter between slurmctld and libcarbon: it reads the
 * carbon options the SPANK plugin put into job_desc->spank_job_env, and (in
 * later stages) calls the core policy and writes its decision back onto the
 * job.  It runs on slurmctld's submit path with the config, job, node,
 * partition and federation read locks held: it must never block, never do
 * network I/O and never call Slurm's client API.
 *
 * Nothing here may terminate slurmctld: errors are logged or returned to
 * the submitting user through err_msg, never fatal().
 */

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

/*
 * The entry points slurmctld looks up by name (see exports.map).  Slurm has
 * no header for them; declaring them here makes them visible and checked.
 */
#define EXPORT __attribute__((visibility("default")))
EXPORT int init(void);
EXPORT int fini(void);
EXPORT int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid,
		      char **err_msg);
EXPORT int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
		      uint32_t submit_uid, char **err_msg);

EXPORT const char plugin_name[] = "Carbon-aware job submission";
EXPORT const char plugin_type[] = "job_submit/carbon";
EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* Prefix of the variables the SPANK plugin sets with
 * spank_job_control_setenv(); see spank/spank_carbon.c. */
#define CARBON_ENV_PREFIX "CARBON_"

int init(void)
{
	info("%s: loaded (built against Slurm %s)", plugin_type,
	     SLURM_VERSION_STRING);
	return SLURM_SUCCESS;
}

int fini(void)
{
	return SLURM_SUCCESS;
}

/*
 * Collect the job's CARBON_* variables into one short string for the log.
 * Values are bounded so a hostile client cannot flood slurmctld's log.
 */
static char *carbon_env_summary(const job_desc_msg_t *job_desc)
{
	char *out = NULL;

	for (uint32_t i = 0; i < job_desc->spank_job_env_size; i++) {
		const char *kv = job_desc->spank_job_env[i];

		if (!kv ||
		    strncmp(kv, CARBON_ENV_PREFIX, strlen(CARBON_ENV_PREFIX)))
			continue;
		xstrfmtcat(out, "%s%.80s", out ? " " : "", kv);
	}
	return out;
}

int job_submit(job_desc_msg_t *job_desc, uint32_t submit_uid, char **err_msg)
{
	char *summary = carbon_env_summary(job_desc);

	(void)err_msg;
	info("%s: job %.64s from uid %u (submitted by uid %u): %s", plugin_type,
	     job_desc->name ? job_desc->name : "(no name)", job_desc->user_id,
	     submit_uid, summary ? summary : "no carbon options");
	xfree(summary);
	return SLURM_SUCCESS;
}

int job_modify(job_desc_msg_t *job_desc, job_record_t *job_ptr,
	       uint32_t submit_uid, char **err_msg)
{
	(void)job_desc;
	(void)job_ptr;
	(void)submit_uid;
	(void)err_msg;
	return SLURM_SUCCESS;
}
