/*
 * Shared slurmctld-plugin plumbing; see carbon_ctld.h.  Runs inside
 * slurmctld: errors are logged, never fatal.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/read_config.h"

#include "cache_conf.h"
#include "carbon_ctld.h"

static void ctld_log(enum carbon_log_level level, const char *msg, void *ctx)
{
	const char *who = ((const struct carbon_ctld *)ctx)->who;

	switch (level) {
	case CARBON_LOG_ERROR:
		error("%s: %s", who, msg);
		break;
	case CARBON_LOG_INFO:
		info("%s: %s", who, msg);
		break;
	case CARBON_LOG_VERBOSE:
		verbose("%s: %s", who, msg);
		break;
	default:
		debug("%s: %s", who, msg);
	}
}

/* carbon.conf lives next to slurm.conf, as job_submit.lua does. */
static void conf_path(char *buf, size_t len)
{
	char dir[4096];
	const char *env = getenv("CARBON_CONF");

	if (env && env[0] == '/') {
		snprintf(buf, len, "%s", env);
		return;
	}
	snprintf(dir, sizeof(dir), "%s",
		 slurm_conf.slurm_conf ? slurm_conf.slurm_conf
				       : "/etc/slurm/slurm.conf");
	snprintf(buf, len, "%s/carbon.conf", dirname(dir));
}

/* Read the whole file (bounded) and parse it; *st gets what was read. */
static struct carbon_config *load(const char *path, struct stat *st, char *err,
				  size_t errlen)
{
	struct carbon_config *cfg = NULL;
	char *buf = NULL;
	ssize_t n = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) || st->st_size > CARBON_CONFIG_BYTES_MAX) {
		snprintf(err, errlen, "%.400s: %s", path,
			 fd < 0 ? strerror(errno) : "unreadable or too large");
		goto out;
	}
	buf = malloc((size_t)st->st_size + 1);
	if (buf)
		n = read(fd, buf, (size_t)st->st_size);
	if (n != (ssize_t)st->st_size) {
		snprintf(err, errlen, "%.400s: short read", path);
		goto out;
	}
	/* with carbon-cached's keys: the plugins accept exactly the files it
	 * accepts, and report the same errors at the same lines */
	cfg = carbon_cache_conf_new();
	if (cfg &&
	    carbon_config_parse(cfg, buf, (size_t)n, path, err, errlen)) {
		carbon_config_free(cfg);
		cfg = NULL;
	}
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return cfg;
}

/* What one configuration brings: the parsed file and its snapshot. */
struct setup {
	struct carbon_config *cfg;
	struct carbon_snapshot *snap;
	struct carbon_policy_params params;
	int self;
};

static int index_in(const struct carbon_config *cfg, const char *name)
{
	for (size_t i = 0; cfg && name && i < cfg->n_clusters; i++)
		if (!strcasecmp(cfg->clusters[i].name, name))
			return (int)i;
	return -1;
}

/* Parse path and start a snapshot for it; false (logged) when the file
 * is unusable. */
static bool prepare(struct carbon_ctld *c, struct setup *su, struct stat *st)
{
	char err[512] = "";

	memset(su, 0, sizeof(*su));
	su->cfg = load(c->conf_path, st, err, sizeof(err));
	if (!su->cfg) {
		error("%s: %s", c->who, err);
		return false;
	}
	carbon_config_policy_params(su->cfg, &su->params);
	su->self = index_in(su->cfg, slurm_conf.cluster_name);
	if (su->self < 0)
		info("%s: cluster %s is not in %s: carbon-aware scheduling "
		     "disabled here",
		     c->who, slurm_conf.cluster_name, c->conf_path);
	su->snap = carbon_snapshot_new(su->cfg, ctld_log, c, err, sizeof(err));
	if (!su->snap || carbon_snapshot_start(su->snap, err, sizeof(err)))
		error("%s: no carbon data will be read: %s; every decision "
		      "uses the configured fallbacks",
		      c->who, err);
	return true;
}

/* Put su in force; the previous setup comes back in su to be freed. */
static void swap_in(struct carbon_ctld *c, struct setup *su)
{
	struct setup old;

	pthread_rwlock_wrlock(&c->lock);
	old = (struct setup){c->cfg, c->snap, c->params, c->self};
	c->cfg = su->cfg;
	c->snap = su->snap;
	c->params = su->params;
	c->self = su->self;
	pthread_rwlock_unlock(&c->lock);
	*su = old;
}

static void release(struct setup *su)
{
	carbon_snapshot_free(su->snap);
	carbon_config_free(su->cfg);
}

static bool changed(const struct carbon_ctld *c, const struct stat *st)
{
	return st->st_mtim.tv_sec != c->mtime.tv_sec ||
	       st->st_mtim.tv_nsec != c->mtime.tv_nsec ||
	       st->st_size != c->size;
}

static void reload_if_changed(struct carbon_ctld *c)
{
	struct setup su;
	struct stat st;

	if (stat(c->conf_path, &st) || !changed(c, &st))
		return;
	c->mtime = st.st_mtim;
	c->size = st.st_size;
	if (!prepare(c, &su, &st)) {
		error("%s: keeping the carbon configuration in force", c->who);
		return;
	}
	swap_in(c, &su);
	release(&su);
	info("%s: reloaded %s", c->who, c->conf_path);
}

static void *watch_thread(void *arg)
{
	struct carbon_ctld *c = arg;

	for (;;) {
		struct timespec until;
		bool stop;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CARBON_CTLD_WATCH;
		pthread_mutex_lock(&c->watch_lock);
		while (!c->stop &&
		       pthread_cond_timedwait(&c->watch_wake, &c->watch_lock,
					      &until) != ETIMEDOUT)
			;
		stop = c->stop;
		pthread_mutex_unlock(&c->watch_lock);
		if (stop)
			return NULL;
		reload_if_changed(c);
	}
}

void carbon_ctld_open(struct carbon_ctld *c, const char *who)
{
	struct setup su;
	struct stat st = {0};

	memset(c, 0, sizeof(*c));
	c->who = who;
	c->self = -1;
	pthread_rwlock_init(&c->lock, NULL);
	pthread_mutex_init(&c->watch_lock, NULL);
	pthread_cond_init(&c->watch_wake, NULL);
	conf_path(c->conf_path, sizeof(c->conf_path));
	if (prepare(c, &su, &st)) {
		swap_in(c, &su);
		c->mtime = st.st_mtim;
		c->size = st.st_size;
	} else {
		error("%s: carbon-aware scheduling disabled until %s is fixed",
		      who, c->conf_path);
	}
	if (pthread_create(&c->watcher, NULL, watch_thread, c))
		error("%s: cannot watch %s for changes", who, c->conf_path);
	else
		c->watching = true;
}

void carbon_ctld_close(struct carbon_ctld *c)
{
	struct setup su = {0};

	if (!c->who)
		return;
	pthread_mutex_lock(&c->watch_lock);
	c->stop = true;
	pthread_cond_broadcast(&c->watch_wake);
	pthread_mutex_unlock(&c->watch_lock);
	if (c->watching)
		pthread_join(c->watcher, NULL);
	c->watching = false;
	su.self = -1;
	swap_in(c, &su);
	release(&su);
	pthread_rwlock_destroy(&c->lock);
	pthread_mutex_destroy(&c->watch_lock);
	pthread_cond_destroy(&c->watch_wake);
	c->who = NULL;
}

void carbon_ctld_read_lock(struct carbon_ctld *c)
{
	pthread_rwlock_rdlock(&c->lock);
}

void carbon_ctld_read_unlock(struct carbon_ctld *c)
{
	pthread_rwlock_unlock(&c->lock);
}

bool carbon_ctld_enabled(const struct carbon_ctld *c)
{
	return c->cfg && c->self >= 0;
}

int carbon_ctld_cluster_index(const struct carbon_ctld *c, const char *name)
{
	return index_in(c->cfg, name);
}

size_t carbon_ctld_clusters(const struct carbon_ctld *c, int64_t now,
			    struct carbon_policy_cluster *out,
			    const char **names)
{
	size_t n = c->cfg->n_clusters;

	if (n > CARBON_POLICY_MAX_CLUSTERS)
		n = CARBON_POLICY_MAX_CLUSTERS;
	for (size_t i = 0; i < n; i++) {
		const struct carbon_config_cluster *cc = &c->cfg->clusters[i];
		struct carbon_snapshot_zone z = {0};

		names[i] = cc->name;
		out[i] = (struct carbon_policy_cluster){
			.name = cc->name,
			.fallback_intensity = cc->fallback_intensity,
			.has_eco = cc->eco_partition[0] || cc->eco_qos[0] ||
				   cc->eco_cpu_freq[0],
		};
		carbon_config_cluster_power(cc, &out[i].power);
		if (c->snap && cc->zone[0] &&
		    carbon_snapshot_zone_peek(c->snap, cc->zone, &z)) {
			out[i].series = z.series;
			out[i].stale = z.record_stale ||
				       now - z.fetched_at > c->cfg->stale_after;
			out[i].fallback = z.record_fallback;
		}
	}
	return n;
}
