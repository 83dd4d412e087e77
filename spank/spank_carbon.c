/*
 * spank/carbon: the client side of carbon-aware Slurm.
 *
 * This file holds only what Slurm looks up (the plugin identity and the
 * slurm_spank_* entry points, listed in exports.map) and routes each call
 * by spank_context() to the file for that context:
 *
 *   client.c   sbatch, salloc (S_CTX_ALLOCATOR) and srun (S_CTX_LOCAL):
 *              the --carbon-* options, their checks and their hand-off to
 *              slurmctld.
 *
 *   container_opts.c  the --container-* options, in every context.
 *   task.c     slurmstepd (S_CTX_REMOTE), slurm_spank_task_init: a
 *              container job's task runs carbon-container.
 * (A job's energy and CO2 are recorded by slurmctld/carbon from the
 * accounting database, not here: docs/design.md, section 13.)
 *
 * Every feature's options are registered here, in every context: the
 * client parses them, and slurmstepd gets their values forwarded.
 */

#include <slurm/spank.h>

#include "client.h"
#include "container_opts.h"
#include "task.h"

#define EXPORT __attribute__((visibility("default")))

/*
 * SPANK_PLUGIN() defines plugin_name, plugin_type and plugin_version; the
 * macro does not mark them visible, so they are listed in exports.map and
 * re-declared here with default visibility.
 */
EXPORT extern const char plugin_name[];
EXPORT extern const char plugin_type[];
EXPORT extern const unsigned int plugin_version;
EXPORT extern const unsigned int spank_plugin_version;
SPANK_PLUGIN(carbon, 1);

/* Register one table, ended by SPANK_OPTIONS_TABLE_END. */
static int register_options(spank_t sp, struct spank_option *table)
{
	for (struct spank_option *o = table; o->name; o++) {
		spank_err_t rc = spank_option_register(sp, o);

		if (rc != ESPANK_SUCCESS) {
			slurm_error("spank/carbon: cannot register --%s: %s",
				    o->name, spank_strerror(rc));
			return -1;
		}
	}
	return 0;
}

EXPORT int slurm_spank_init(spank_t sp, int ac, char **av)
{
	/* slurmd calls this once at start-up (22.05 has no separate
	 * slurm_spank_slurmd_init): its "loaded" log line. */
	if (spank_context() == S_CTX_SLURMD)
		slurm_info("spank/carbon: loaded");
	if (carbon_spank_task_args(ac, av))
		return -1;
	if (register_options(sp, carbon_spank_client_options()))
		return -1;
	return register_options(sp, carbon_spank_container_options());
}

EXPORT int slurm_spank_init_post_opt(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	switch (spank_context()) {
	case S_CTX_ALLOCATOR:
	case S_CTX_LOCAL:
		if (carbon_spank_container_post_opt(carbon_spank_env_prefix()))
			return -1;
		return carbon_spank_client_post_opt(sp);
	default:
		return 0;
	}
}

EXPORT int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return spank_context() == S_CTX_REMOTE ? carbon_spank_task_init(sp) : 0;
}

EXPORT int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	(void)ac;
	(void)av;
	return spank_context() == S_CTX_REMOTE ? carbon_spank_task_exit(sp) : 0;
}
