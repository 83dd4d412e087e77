/*
 * plugins/common/carbon_ctld.h: what the two slurmctld plugins
 * (job_submit/carbon and slurmctld/carbon) share: loading carbon.conf from
 * slurm.conf's directory, the zone snapshot kept fresh from Redis, and
 * turning both into the policy's cluster table.
 *
 * Each plugin owns one struct carbon_ctld (plugins are separate shared
 * objects and share no memory).  Opening never fails the plugin: without a
 * usable carbon.conf the plugin runs disabled and says why in the log; a
 * job is never rejected or delayed because carbon data is missing.
 */
#ifndef CARBON_CTLD_H
#define CARBON_CTLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"
#include "carbon/policy.h"
#include "snapshot.h"

struct carbon_ctld {
	const char *who; /* plugin_type, for log lines */
	char conf_path[4096];
	struct carbon_config *cfg; /* NULL: disabled */
	struct carbon_snapshot *snap;
	struct carbon_policy_params params;
	int self; /* this cluster's index in cfg->clusters; -1: not there */
};

/* Load carbon.conf and start the snapshot thread.  Logs, never fails. */
void carbon_ctld_open(struct carbon_ctld *c, const char *who);

/* Stop the thread and free everything; safe on a closed struct. */
void carbon_ctld_close(struct carbon_ctld *c);

/* Is the plugin configured for this cluster? */
bool carbon_ctld_enabled(const struct carbon_ctld *c);

/*
 * Under carbon_snapshot_read_lock(): fill out[0..n) (n = the number of
 * configured clusters, <= CARBON_POLICY_MAX_CLUSTERS) with each cluster's
 * power model, fallback and the borrowed series of its zone, marked stale
 * when older than StaleAfter at now.  names[i] are borrowed from the
 * config.  Returns n.
 */
size_t carbon_ctld_clusters(const struct carbon_ctld *c, int64_t now,
			    struct carbon_policy_cluster *out,
			    const char **names);

/* Index of cluster name in the config, or -1. */
int carbon_ctld_cluster_index(const struct carbon_ctld *c, const char *name);

#endif
