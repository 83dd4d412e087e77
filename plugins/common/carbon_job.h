/*
 * plugins/common/carbon_job.h: a Slurm job as the policy sees it, for both
 * slurmctld plugins.  job_submit/carbon reads a job_desc_msg_t at
 * submission, slurmctld/carbon a slurm_job_info_t when it re-plans; both
 * get the same usage and run time for the same job from here, so a
 * re-plan prices a job as its submission did.
 *
 * The run time to plan with is the job's time limit; without one (none
 * given, 0 or UNLIMITED), its partition's DefaultTime, else its MaxTime,
 * else one hour.  Its partition is the one it names, or the default
 * partition when it names none, several, or one that does not exist.
 * Usage is cores (the job's minimum CPUs) and memory (per node, or per CPU
 * times the cores) and GPUs (carbon/tres.h: per job, plus per node and
 * per socket times the nodes, plus per task times the tasks), priced at
 * full power.
 *
 * Locks: each reader says where its partitions come from.  Nothing here
 * takes a lock, allocates (but carbon_job_cluster_list) or does I/O.
 */
#ifndef CARBON_JOB_H
#define CARBON_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "slurm/slurm.h"

#include "carbon/footprint.h"

struct carbon_job {
	struct carbon_job_usage usage;
	int64_t runtime; /* seconds, > 0 */
};

/*
 * At submission (job_submit(), job_modify()): the partition is looked up
 * in slurmctld's own table, so the caller holds slurmctld's partition read
 * lock, as job_submit plugins are called.
 */
void carbon_job_of_desc(const job_desc_msg_t *job, struct carbon_job *out);

/*
 * When re-planning, in a plugin thread that holds no slurmctld lock:
 * parts is this cluster's partition table from slurm_load_partitions()
 * (borrowed; NULL when it could not be loaded, and then a job without a
 * time limit is planned for an hour).
 */
void carbon_job_of_info(const slurm_job_info_t *job,
			const partition_info_msg_t *parts,
			struct carbon_job *out);

/*
 * "a,b" for the names[i] whose bit i is set in mask (i < n), for
 * job->clusters or an update's Clusters=; from Slurm's allocator (the
 * caller or Slurm xfree()s it), NULL when mask has no bit below n.
 */
char *carbon_job_cluster_list(const char *const *names, size_t n,
			      uint64_t mask);

#endif
