/*
 * The job view shared by the slurmctld plugins; see carbon_job.h.  The
 * rules are written once, over plain numbers; the two readers only find
 * the numbers in their own Slurm structures.
 */
#include <stdbool.h>
#include <string.h>

#include "slurm/slurm.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"

#include "carbon/tres.h"
#include "carbon_job.h"

/* A partition's limits in minutes, as Slurm keeps them. */
struct limits {
	uint32_t default_time; /* NO_VAL or INFINITE: none */
	uint32_t max_time;     /* INFINITE: none */
};

static const struct limits no_partition = {NO_VAL, NO_VAL};

static bool minutes_set(uint32_t m)
{
	return m != NO_VAL && m != INFINITE && m > 0;
}

static int64_t runtime_of(uint32_t time_limit, const struct limits *part)
{
	if (minutes_set(time_limit))
		return (int64_t)time_limit * 60;
	if (minutes_set(part->default_time))
		return (int64_t)part->default_time * 60;
	if (minutes_set(part->max_time))
		return (int64_t)part->max_time * 60;
	return 3600; /* nothing known: plan for an hour */
}

/* pn_min_memory: MB per node, or per CPU with MEM_PER_CPU set. */
static struct carbon_job_usage usage_of(uint32_t cpus, uint64_t pn_min_memory)
{
	struct carbon_job_usage u = {.cores = 1, .cpu_usage = 1};
	uint64_t mem = pn_min_memory;

	if (cpus != NO_VAL && cpus > 0)
		u.cores = cpus;
	if (mem != NO_VAL64 && mem) {
		u.mem_gb = (double)(mem & ~MEM_PER_CPU) / 1024.0;
		if (mem & MEM_PER_CPU)
			u.mem_gb *= u.cores;
	}
	return u;
}

/* The requests as Slurm keeps them, and the counts they multiply. */
struct gpu_request {
	const char *per_job, *per_node, *per_task, *per_socket;
	uint32_t nodes, tasks;
};

static double count_or_one(uint32_t n)
{
	return n != NO_VAL && n != INFINITE && n > 0 ? (double)n : 1;
}

/*
 * GPUs a job asks for, at full power in the estimate (as in the footprint
 * model: Slurm 22.05 records no GPU use).  A request that does not read
 * counts none here; slurmctld itself refuses a job it cannot read.  Per
 * socket is taken as one socket a node.
 */
static double gpus_in(const char *tres)
{
	double n = 0;

	return carbon_tres_gpus(tres, &n, NULL, 0) ? 0 : n;
}

static double gpus_of(const struct gpu_request *r)
{
	return gpus_in(r->per_job) +
	       (gpus_in(r->per_node) + gpus_in(r->per_socket)) *
		       count_or_one(r->nodes) +
	       gpus_in(r->per_task) * count_or_one(r->tasks);
}

/* One partition name, not a list: the one a job's limits come from. */
static bool single_name(const char *partition)
{
	return partition && partition[0] && !strchr(partition, ',');
}

void carbon_job_of_desc(const job_desc_msg_t *job, struct carbon_job *out)
{
	part_record_t *part = NULL;
	struct limits lim = no_partition;

	if (single_name(job->partition))
		part = find_part_record(job->partition);
	if (!part)
		part = default_part_loc;
	if (part)
		lim = (struct limits){part->default_time, part->max_time};
	out->usage = usage_of(job->min_cpus, job->pn_min_memory);
	out->usage.gpus = gpus_of(&(struct gpu_request){
		job->tres_per_job, job->tres_per_node, job->tres_per_task,
		job->tres_per_socket, job->min_nodes, job->num_tasks});
	out->usage.gpu_usage = out->usage.gpus > 0 ? 1 : 0;
	out->runtime = runtime_of(job->time_limit, &lim);
}

static const partition_info_t *find_info_part(const partition_info_msg_t *parts,
					      const char *name)
{
	const partition_info_t *dflt = NULL;

	for (uint32_t i = 0; parts && i < parts->record_count; i++) {
		const partition_info_t *p = &parts->partition_array[i];

		if (single_name(name) && !xstrcmp(p->name, name))
			return p;
		if ((p->flags & PART_FLAG_DEFAULT) && !dflt)
			dflt = p;
	}
	return dflt;
}

void carbon_job_of_info(const slurm_job_info_t *job,
			const partition_info_msg_t *parts,
			struct carbon_job *out)
{
	const partition_info_t *part = find_info_part(parts, job->partition);
	struct limits lim = no_partition;

	if (part)
		lim = (struct limits){part->default_time, part->max_time};
	out->usage = usage_of(job->num_cpus, job->pn_min_memory);
	out->usage.gpus = gpus_of(&(struct gpu_request){
		job->tres_per_job, job->tres_per_node, job->tres_per_task,
		job->tres_per_socket, job->num_nodes, job->num_tasks});
	out->usage.gpu_usage = out->usage.gpus > 0 ? 1 : 0;
	out->runtime = runtime_of(job->time_limit, &lim);
}

char *carbon_job_cluster_list(const char *const *names, size_t n, uint64_t mask)
{
	char *out = NULL;

	for (size_t i = 0; i < n && i < 64; i++)
		if (mask & (UINT64_C(1) << i))
			xstrfmtcat(out, "%s%s", out ? "," : "", names[i]);
	return out;
}
