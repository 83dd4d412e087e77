/*
 * spank/container_opts.h: the --container-* options (container_opts.c),
 * for the dispatcher (spank_carbon.c) and the task side (task.c).
 */
#ifndef CARBON_SPANK_CONTAINER_OPTS_H
#define CARBON_SPANK_CONTAINER_OPTS_H

#include <stdbool.h>

#include <slurm/spank.h>

#include "carbon/container.h"

enum ct_opt_id {
	CT_OPT_IMAGE,
	CT_OPT_ENV,
	CT_OPT_MOUNTS,
	CT_OPT_WORKDIR,
	CT_OPT_REMAP_ROOT, /* a flag, as the next */
	CT_OPT_WRITABLE,
	CT_OPT_COUNT
};

/* The values given, each checked. */
struct carbon_container_opts {
	char v[CT_OPT_COUNT][CARBON_CONTAINER_VALUE_MAX + 1];
	bool set[CT_OPT_COUNT];
	bool on[CT_OPT_COUNT]; /* a flag's value (from the environment: 1/0) */
};

static inline bool carbon_ct_opt_is_flag(int val)
{
	return val == CT_OPT_REMAP_ROOT || val == CT_OPT_WRITABLE;
}

/* The option table for spank_option_register(), in every context. */
struct spank_option *carbon_spank_container_options(void);

const struct carbon_container_opts *carbon_spank_container_values(void);

/*
 * In sbatch/salloc/srun after option parsing: values not given from the
 * environment (prefix "SBATCH_", "SALLOC_" or "SLURM_", then e.g.
 * CONTAINER_IMAGE), checked the same way.  Returns 0 or -1 (logged) to
 * fail the command.
 */
int carbon_spank_container_post_opt(const char *prefix);

/*
 * In slurmstepd, before a task starts: for a job given no --container-*
 * option (submitted through slurmrestd, or by a client without this
 * plugin), the same options from the job's environment (SLURM_ then
 * SBATCH_ prefix).  Without an image, none applies.  0, or -1 (logged) for
 * a bad value: the task fails.
 */
int carbon_spank_container_remote_env(spank_t sp);

#endif
