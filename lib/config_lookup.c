/*
 * config_lookup.c: questions a parsed carbon.conf answers (carbon/config.h):
 * records by name (the core's and an extension's), a job's defaults, the
 * policy's parameters, a cluster's power model, a zone's name at a
 * provider.
 */
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"
#include "carbon/footprint.h"
#include "carbon/policy.h"

static const void *find(const void *arr, size_t n, size_t size,
			const char *name)
{
	for (size_t i = 0; name && i < n; i++) {
		const char *rec = (const char *)arr + i * size;

		if (!strcasecmp(rec, name))
			return rec;
	}
	return NULL;
}

#define PEEK(fn, type, arr, count)                                           \
	const struct type *fn(const struct carbon_config *cfg,               \
			      const char *name)                              \
	{                                                                    \
		return cfg ? find(cfg->arr, cfg->count, sizeof(struct type), \
				  name)                                      \
			   : NULL;                                           \
	}

PEEK(carbon_config_cluster_peek, carbon_config_cluster, clusters, n_clusters)
PEEK(carbon_config_zone_peek, carbon_config_zone, zones, n_zones)
PEEK(carbon_config_partition_peek, carbon_config_defaults, partitions,
     n_partitions)
PEEK(carbon_config_qos_peek, carbon_config_defaults, qos, n_qos)

const void *carbon_config_record_peek(const struct carbon_config *cfg,
				      const struct carbon_config_record *kind,
				      const char *name)
{
	const struct carbon_config_record *s;
	const char *owner;

	for (size_t i = 0; cfg && kind && (s = config_record_kind(cfg, i));
	     i++) {
		if (s != kind)
			continue;
		owner = config_record_is_core(s) ? (const char *)cfg
						 : (const char *)cfg->ext_data;
		return find(*(void *const *)(owner + s->arr_off),
			    *(const size_t *)(owner + s->count_off),
			    s->rec_size, name);
	}
	return NULL;
}

/* The first partition of the comma list that has defaults. */
static const struct carbon_config_defaults *
first_partition(const struct carbon_config *cfg, const char *list)
{
	char name[CARBON_CONFIG_NAME_BUF];

	while (list && *list) {
		size_t n = strcspn(list, ",");

		if (n < sizeof(name)) {
			const struct carbon_config_defaults *d;

			memcpy(name, list, n);
			name[n] = '\0';
			d = carbon_config_partition_peek(cfg, name);
			if (d)
				return d;
		}
		list += n + (list[n] == ',');
	}
	return NULL;
}

void carbon_config_job_defaults(const struct carbon_config *cfg,
				const char *partition, const char *qos,
				struct carbon_config_job_defaults *out)
{
	const struct carbon_config_defaults *d[2];

	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!cfg)
		return;
	out->urgency = cfg->default_urgency;
	/* the partition first, so that the QOS overrides it */
	d[0] = first_partition(cfg, partition);
	d[1] = carbon_config_qos_peek(cfg, qos);
	for (int i = 0; i < 2; i++) {
		if (d[i] && d[i]->has_urgency)
			out->urgency = d[i]->urgency;
		if (d[i] && d[i]->has_max_delay) {
			out->has_max_delay = true;
			out->max_delay = d[i]->max_delay;
		}
	}
}

void carbon_config_redis_auth(const struct carbon_config *cfg,
			      enum carbon_config_redis_role role,
			      struct carbon_config_redis_auth *out)
{
	if (!out)
		return;
	if (cfg && role == CARBON_CONFIG_REDIS_WRITER &&
	    cfg->cache_redis_password_file[0]) {
		*out = (struct carbon_config_redis_auth){
			cfg->cache_redis_user, cfg->cache_redis_password_file,
			"CacheRedisUser", "CacheRedisPasswordFile"};
		return;
	}
	*out = (struct carbon_config_redis_auth){
		cfg ? cfg->redis_user : "", cfg ? cfg->redis_password_file : "",
		"RedisUser", "RedisPasswordFile"};
}

void carbon_config_policy_params(const struct carbon_config *cfg,
				 struct carbon_policy_params *out)
{
	const struct carbon_policy_params defaults =
		CARBON_POLICY_PARAMS_DEFAULTS;

	if (!out)
		return;
	*out = defaults;
	if (!cfg)
		return;
	out->signal = cfg->signal;
	out->basis = cfg->basis;
	out->min_saving_pct = cfg->min_saving_percent;
	out->hysteresis_pct = cfg->replan_hysteresis_percent;
	out->sibling_slack_pct = cfg->sibling_slack_percent;
	out->eco_threshold = cfg->eco_threshold;
	out->flexible_max_delay = cfg->flexible_max_delay;
}

void carbon_config_cluster_power(const struct carbon_config_cluster *c,
				 struct carbon_power_model *out)
{
	const struct carbon_power_model defaults = CARBON_POWER_MODEL_DEFAULTS;

	if (!out)
		return;
	*out = defaults;
	if (!c)
		return;
	out->w_per_core = c->core_power;
	out->w_per_gpu = c->gpu_power;
	out->w_per_gb = c->mem_power;
	out->pue = c->pue;
}

const char *carbon_config_zone_area(const struct carbon_config_zone *zone,
				    const char *provider)
{
	if (!zone)
		return NULL;
	for (size_t i = 0; provider && i < zone->n_areas; i++) {
		if (!strcasecmp(zone->areas[i].provider, provider))
			return zone->areas[i].area;
	}
	return zone->name;
}
