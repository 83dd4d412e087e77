/*
 * spank/client.h: the --carbon-* options, for the dispatcher in
 * spank_carbon.c.  client.c owns the option table, the values the
 * callbacks keep, and their hand-off to slurmctld; nothing here runs a
 * job or fails one in slurmd or slurmstepd.
 */
#ifndef CARBON_SPANK_CLIENT_H
#define CARBON_SPANK_CLIENT_H

#include <slurm/spank.h>

/*
 * The --carbon-* table, ended by SPANK_OPTIONS_TABLE_END, for
 * spank_option_register() in every context: sbatch/salloc/srun parse the
 * options with it, and slurmstepd receives the forwarded values through
 * the same callbacks.  Borrowed: static storage.
 */
struct spank_option *carbon_spank_client_options(void);

/*
 * In sbatch/salloc (S_CTX_ALLOCATOR) and srun (S_CTX_LOCAL), after option
 * parsing: take what the command line left unset from the environment,
 * then pass every value to slurmctld with spank_job_control_setenv().
 * Returns 0, or -1 (logged) to fail the command.
 */
int carbon_spank_client_post_opt(spank_t sp);

/* "SBATCH_", "SALLOC_" or "SLURM_": the prefix of the environment
 * variables the options may come from, after Slurm's own. */
const char *carbon_spank_env_prefix(void);

#endif
