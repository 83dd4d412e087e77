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
#include <sys/stat.h>
#include <unistd.h>

#include "slurm/slurm.h"
#include "src/common/log.h"
#include "src/common/read_config.h"

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

/* Read the whole file (bounded) and parse it. */
static struct carbon_config *load(const char *path, char *err, size_t errlen)
{
	struct carbon_config *cfg = NULL;
	char *buf = NULL;
	struct stat st;
	ssize_t n = -1;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) || st.st_size > CARBON_CONFIG_BYTES_MAX) {
		snprintf(err, errlen, "%.400s: %s", path,
			 fd < 0 ? strerror(errno) : "unreadable or too large");
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf)
		n = read(fd, buf, (size_t)st.st_size);
	if (n != (ssize_t)st.st_size) {
		snprintf(err, errlen, "%.400s: short read", path);
		goto out;
	}
	cfg = carbon_config_new();
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

void carbon_ctld_open(struct carbon_ctld *c, const char *who)
{
	char err[512] = "";

	memset(c, 0, sizeof(*c));
	c->who = who;
	c->self = -1;
	conf_path(c->conf_path, sizeof(c->conf_path));
	c->cfg = load(c->conf_path, err, sizeof(err));
	if (!c->cfg) {
		error("%s: carbon-aware scheduling disabled: %s", who, err);
		return;
	}
	carbon_config_policy_params(c->cfg, &c->params);
	c->self = carbon_ctld_cluster_index(c, slurm_conf.cluster_name);
	if (c->self < 0)
		info("%s: cluster %s is not in %s: carbon-aware scheduling "
		     "disabled here",
		     who, slurm_conf.cluster_name, c->conf_path);
	c->snap = carbon_snapshot_new(c->cfg, ctld_log, c, err, sizeof(err));
	if (!c->snap || carbon_snapshot_start(c->snap, err, sizeof(err)))
		error("%s: no carbon data will be read: %s; every decision "
		      "uses the configured fallbacks",
		      who, err);
}

void carbon_ctld_close(struct carbon_ctld *c)
{
	carbon_snapshot_free(c->snap);
	carbon_config_free(c->cfg);
	c->snap = NULL;
	c->cfg = NULL;
	c->self = -1;
}

bool carbon_ctld_enabled(const struct carbon_ctld *c)
{
	return c->cfg && c->self >= 0;
}

int carbon_ctld_cluster_index(const struct carbon_ctld *c, const char *name)
{
	for (size_t i = 0; c->cfg && name && i < c->cfg->n_clusters; i++)
		if (!strcasecmp(c->cfg->clusters[i].name, name))
			return (int)i;
	return -1;
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
		}
	}
	return n;
}
