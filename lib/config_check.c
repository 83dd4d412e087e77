/*
 * config_check.c: the checks a key table cannot express alone: a record
 * once its whole line is read (keys that depend on each other), and the
 * config once the file or the arguments are in (names that refer to other
 * records, values resolved from several keys, limits set elsewhere).
 *
 * Whole-config checks run again after plugin arguments, so they only
 * derive resolved fields from given ones and never depend on running once.
 * What refers to an extension's records (a zone's Providers) is the
 * extension's check, run between the core's global and cluster checks.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"

int config_check_cluster(void *rec, uint64_t given, char *msg, size_t len)
{
	struct carbon_config_cluster *c = rec;

	(void)given;
	if (!c->zone[0] && !c->fallback_given)
		return carbon_error_set(
			msg, len, CARBON_EINVAL,
			"ClusterName=%s: give Zone=ZONE (defined "
			"by a Zone line) or FallbackIntensity=G "
			"(a constant intensity)",
			c->name);
	return 0;
}

int config_check_zone(void *rec, uint64_t given, char *msg, size_t len)
{
	struct carbon_config_zone *z = rec;

	(void)given;
	for (size_t i = 0; i < z->n_areas; i++) {
		bool found = false;

		for (size_t k = 0; k < z->n_providers; k++)
			found |= !strcasecmp(z->providers[k],
					     z->areas[i].provider);
		if (!found)
			return carbon_error_set(msg, len, CARBON_EINVAL,
						"Areas: provider \"%s\" is not "
						"in this zone's Providers",
						z->areas[i].provider);
	}
	return 0;
}

static int check_defaults(const struct carbon_config_defaults *d,
			  const char *what, char *msg, size_t len)
{
	if (!d->has_urgency && !d->has_max_delay)
		return carbon_error_set(msg, len, CARBON_EINVAL,
					"%s=%s: give Urgency=critical|normal|"
					"flexible and/or MaxDelay=INTERVAL",
					what, d->name);
	return 0;
}

int config_check_partition(void *rec, uint64_t given, char *msg, size_t len)
{
	(void)given;
	return check_defaults(rec, "PartitionDefaults", msg, len);
}

int config_check_qos(void *rec, uint64_t given, char *msg, size_t len)
{
	(void)given;
	return check_defaults(rec, "QosDefaults", msg, len);
}

/* ---- the whole config --------------------------------------------------- */

/* Where a global key was set: its line in this file, or this pass. */
static int global_error(struct config_parse *ps, int code, const char *key,
			const char *msg)
{
	int i = config_global_find(ps->cfg, key);

	if (ps->file && i >= 0 && ps->key_line[i])
		return config_error_at(ps, ps->key_line[i], code, "%s: %s", key,
				       msg);
	return config_error(ps, code, "%s: %s", key, msg);
}

static int check_globals(struct config_parse *ps)
{
	const struct carbon_config *cfg = ps->cfg;

	if (cfg->redis_user[0] && !cfg->redis_password_file[0])
		return global_error(ps, CARBON_EINVAL, "RedisUser",
				    "needs RedisPasswordFile=PATH (an ACL "
				    "user always has a password)");
	if (cfg->cache_redis_user[0] && !cfg->cache_redis_password_file[0])
		return global_error(ps, CARBON_EINVAL, "CacheRedisUser",
				    "needs CacheRedisPasswordFile=PATH (an "
				    "ACL user always has a password)");
	if (cfg->n_zones && !cfg->hmac_key_file[0])
		return config_error_at(ps, cfg->zones[0].line, CARBON_EINVAL,
				       "HmacKeyFile: required once a Zone is "
				       "defined (cache records are signed); "
				       "add HmacKeyFile=PATH");
	return 0;
}

/* FlexibleMaxDelay: at most MaxDelayLimit; unset, 1d or the limit. */
static int check_flexible(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;
	char msg[160];

	if (!cfg->flexible_max_delay_given) {
		cfg->flexible_max_delay = cfg->max_delay_limit < 86400
						  ? cfg->max_delay_limit
						  : 86400;
		return 0;
	}
	if (cfg->flexible_max_delay <= cfg->max_delay_limit)
		return 0;
	snprintf(msg, sizeof(msg),
		 "%llds is above MaxDelayLimit (%llds); lower it or raise "
		 "MaxDelayLimit",
		 (long long)cfg->flexible_max_delay,
		 (long long)cfg->max_delay_limit);
	return global_error(ps, CARBON_ERANGE, "FlexibleMaxDelay", msg);
}

/* The extension's whole-config check, its message put at its line. */
static int check_ext(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;
	unsigned line = 0;
	char msg[512] = "";
	int rc;

	if (!cfg->ext || !cfg->ext->check)
		return 0;
	rc = cfg->ext->check(cfg, cfg->ext_data, &line, msg, sizeof(msg));
	if (!rc)
		return 0;
	if (line)
		return config_error_at(ps, line, rc, "%s", msg);
	return config_error(ps, rc, "%s", msg);
}

static int check_clusters(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;

	for (size_t i = 0; i < cfg->n_clusters; i++) {
		struct carbon_config_cluster *c = &cfg->clusters[i];
		const struct carbon_config_zone *z = NULL;

		if (c->zone[0]) {
			z = carbon_config_zone_peek(cfg, c->zone);
			if (!z)
				return config_error_at(
					ps, c->line, CARBON_EINVAL,
					"ClusterName=%s: Zone: \"%s\" is not "
					"defined by a Zone line; define it, or "
					"drop Zone and give FallbackIntensity",
					c->name, c->zone);
		}
		if (!c->fallback_given)
			c->fallback_intensity =
				z && z->has_static_intensity
					? z->static_intensity
					: CARBON_CONFIG_WORLD_INTENSITY;
	}
	return 0;
}

static int check_delays(struct config_parse *ps,
			const struct carbon_config_defaults *d, size_t n,
			const char *what)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].has_max_delay &&
		    d[i].max_delay > ps->cfg->max_delay_limit)
			return config_error_at(
				ps, d[i].line, CARBON_ERANGE,
				"%s=%s: MaxDelay: %llds is above "
				"MaxDelayLimit (%llds); lower it or raise "
				"MaxDelayLimit",
				what, d[i].name, (long long)d[i].max_delay,
				(long long)ps->cfg->max_delay_limit);
	}
	return 0;
}

int config_check_all(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;
	int rc = check_globals(ps);

	if (!rc)
		rc = check_flexible(ps);
	if (!rc)
		rc = check_ext(ps);
	if (!rc)
		rc = check_clusters(ps);
	if (!rc)
		rc = check_delays(ps, cfg->partitions, cfg->n_partitions,
				  "PartitionDefaults");
	if (!rc)
		rc = check_delays(ps, cfg->qos, cfg->n_qos, "QosDefaults");
	return rc;
}
