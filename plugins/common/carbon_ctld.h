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

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "carbon/config.h"
#include "carbon/policy.h"
#include "snapshot.h"

/*
 * cfg, snap, params and self are replaced as one when carbon.conf changes:
 * readers hold carbon_ctld_read_lock() while they use any of them.  Slurm
 * 22.05 reloads a job_submit plugin on `scontrol reconfigure` only when the
 * plugin list changes, so a watcher thread re-reads carbon.conf within
 * CARBON_CTLD_WATCH seconds of any change; a file that does not parse is
 * logged and the configuration in force stays.
 */
#define CARBON_CTLD_WATCH 5

struct carbon_ctld {
	const char *who; /* plugin_type, for log lines */
	char conf_path[4096];
	pthread_rwlock_t lock;
	struct carbon_config *cfg; /* NULL: disabled */
	struct carbon_snapshot *snap;
	struct carbon_policy_params params;
	int self; /* this cluster's index in cfg->clusters; -1: not there */

	/* the watcher thread */
	pthread_mutex_t watch_lock;
	pthread_cond_t watch_wake;
	pthread_t watcher;
	bool watching;
	bool stop;
	struct timespec mtime; /* of the file last read; 0: none */
	off_t size;
};

/* Load carbon.conf, start the snapshot and the watcher.  Logs, never
 * fails. */
void carbon_ctld_open(struct carbon_ctld *c, const char *who);

/* Stop the threads and free everything; safe on a closed struct. */
void carbon_ctld_close(struct carbon_ctld *c);

void carbon_ctld_read_lock(struct carbon_ctld *c);
void carbon_ctld_read_unlock(struct carbon_ctld *c);

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
