/*
 * plugins/job_submit_carbon/place.h: the submit-path work of
 * job_submit/carbon, called from the entry points in job_submit_carbon.c
 * with slurmctld's config, job, node, partition and federation read locks
 * held.  Nothing here does I/O or waits: the carbon data comes from the
 * in-memory snapshot (carbon_ctld.h).
 */
#ifndef CARBON_JOB_SUBMIT_PLACE_H
#define CARBON_JOB_SUBMIT_PLACE_H

#include <stdint.h>

#include "slurm/slurm.h"

#include "carbon/tags.h"
#include "carbon_ctld.h"
#include "carbon_job.h"

/*
 * Read the job's carbon options (spank_job_env CARBON_*), apply the
 * site's defaults for its partition and QOS, and check them.  Returns 0
 * with *tags filled, or a negative CARBON_E* with a message for the user
 * in err.  runtime is carbon_job_of_desc()'s run time, in seconds.
 */
int carbon_place_tags(const struct carbon_ctld *c, const job_desc_msg_t *job,
		      int64_t now, int64_t runtime, struct carbon_tags *tags,
		      char *err, size_t errlen);

/*
 * Decide for the job (view: carbon_job_of_desc() of it) and apply: narrow job->clusters, set begin_time, apply the ECO
 * profile, merge the decision into admin_comment.  outcome gets what
 * happened in words, for the caller's one log line per job; user_msg what
 * sbatch tells the user ("" for a job left as it was, and on a sibling's
 * copy).  Never fails the submission.
 */
void carbon_place_job(struct carbon_ctld *c, job_desc_msg_t *job,
		      const struct carbon_tags *tags,
		      const struct carbon_job *view, int64_t now, char *outcome,
		      size_t outlen, char *user_msg, size_t msglen);

#endif
