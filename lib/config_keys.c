/*
 * config_keys.c: the core's carbon.conf key tables (carbon/config.h
 * documents the keys and the table format) and the defaults.  Adding a key
 * is adding a row; config_value.c parses the values.  carbon-cached's keys
 * are its own tables (carbon-cache/cache_conf.c and providers/).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"

const struct carbon_config_word carbon_config_signals[] = {
	{"average", CARBON_SIGNAL_AVERAGE},
	{"marginal", CARBON_SIGNAL_MARGINAL},
	{NULL, 0},
};

const struct carbon_config_word carbon_config_bases[] = {
	{"lifecycle", CARBON_BASIS_LIFECYCLE},
	{"direct", CARBON_BASIS_DIRECT},
	{"operational", CARBON_BASIS_OPERATIONAL},
	{NULL, 0},
};

static const struct carbon_config_word urgencies[] = {
	{"critical", CARBON_URGENCY_CRITICAL},
	{"normal", CARBON_URGENCY_NORMAL},
	{"flexible", CARBON_URGENCY_FLEXIBLE},
	{NULL, 0},
};

/* ---- the tables --------------------------------------------------------- */

#define DAY	   86400.0
#define HAS(st, f) offsetof(struct st, f)

#define G(name, kind, f, min, max, words, flags)                          \
	{                                                                 \
		name, kind, offsetof(struct carbon_config, f),            \
			sizeof(((struct carbon_config *)0)->f), min, max, \
			words, flags, 0, NULL                             \
	}

static const struct carbon_config_key global_keys[] = {
	G("RedisHost", CK_HOST, redis_host, 0, 0, NULL, 0),
	G("RedisPort", CK_INT, redis_port, 1, 65535, NULL, 0),
	G("RedisUser", CK_NAME, redis_user, 0, 0, NULL, 0),
	G("RedisPasswordFile", CK_PATH, redis_password_file, 0, 0, NULL, 0),
	G("CacheRedisUser", CK_NAME, cache_redis_user, 0, 0, NULL, 0),
	G("CacheRedisPasswordFile", CK_PATH, cache_redis_password_file, 0, 0,
	  NULL, 0),
	G("RedisTimeout", CK_INT, redis_timeout_ms, 10, 60000, NULL, 0),
	G("RedisKeyPrefix", CK_PREFIX, redis_key_prefix, 0, 0, NULL, 0),
	G("HmacKeyFile", CK_PATH, hmac_key_file, 0, 0, NULL, 0),
	G("HmacKeyId", CK_NAME, hmac_key_id, 0, 0, NULL, 0),
	G("PollInterval", CK_INTERVAL, poll_interval, 10, DAY, NULL, 0),
	G("SnapshotRefresh", CK_INTERVAL, snapshot_refresh, 5, 3600, NULL, 0),
	G("StaleAfter", CK_INTERVAL, stale_after, 60, 7 * DAY, NULL, 0),
	G("ReplanInterval", CK_INTERVAL, replan_interval, 10, DAY, NULL, 0),
	G("FootprintInterval", CK_INTERVAL, footprint_interval, 0, DAY, NULL,
	  0),
	G("FootprintLookback", CK_INTERVAL, footprint_lookback, 60, 31 * DAY,
	  NULL, 0),
	G("MinSavingPercent", CK_NUMBER, min_saving_percent, 0, 100, NULL, 0),
	G("ReplanHysteresisPercent", CK_NUMBER, replan_hysteresis_percent, 0,
	  100, NULL, 0),
	G("SiblingSlackPercent", CK_NUMBER, sibling_slack_percent, 0, 1000,
	  NULL, 0),
	G("EcoThreshold", CK_NUMBER, eco_threshold, 0, 5000, NULL, 0),
	G("Signal", CK_ENUM, signal, 0, 0, carbon_config_signals, 0),
	G("Basis", CK_ENUM, basis, 0, 0, carbon_config_bases, 0),
	G("DefaultUrgency", CK_ENUM, default_urgency, 0, 0, urgencies, 0),
	G("MaxDelayLimit", CK_INTERVAL, max_delay_limit, 0, 31 * DAY, NULL, 0),
	/* at most MaxDelayLimit, checked once both are known */
	{"FlexibleMaxDelay", CK_INTERVAL,
	 offsetof(struct carbon_config, flexible_max_delay), 0, 0, 31 * DAY,
	 NULL, KF_HAS, HAS(carbon_config, flexible_max_delay_given), NULL},
	G("ForecastFallbackDays", CK_INT, forecast_fallback_days, 0, 28, NULL,
	  0),
	G("ConfigFile", CK_PATH, config_file, 0, 0, NULL, KF_ARGS_ONLY),
};

/* has: HAS(st, f) of the bool a key with KF_HAS sets, else 0 */
#define K(st, name, kind, f, min, max, words, flags, has)                    \
	{                                                                    \
		name, kind, offsetof(struct st, f),                          \
			sizeof(((struct st *)0)->f), min, max, words, flags, \
			has, NULL                                            \
	}

#define CL(name, kind, f, min, max) \
	K(carbon_config_cluster, name, kind, f, min, max, NULL, 0, 0)

static const struct carbon_config_key cluster_keys[] = {
	CL("ClusterName", CK_NAME, name, 0, 0),
	CL("Zone", CK_NAME, zone, 0, 0),
	CL("PUE", CK_NUMBER, pue, 1, 3),
	CL("CorePower", CK_NUMBER, core_power, 0, 1000),
	CL("GpuPower", CK_NUMBER, gpu_power, 0, 2000),
	CL("MemPower", CK_NUMBER, mem_power, 0, 10),
	K(carbon_config_cluster, "FallbackIntensity", CK_NUMBER,
	  fallback_intensity, 0, 5000, NULL, KF_HAS,
	  HAS(carbon_config_cluster, fallback_given)),
	CL("EcoPartition", CK_NAME, eco_partition, 0, 0),
	CL("EcoQos", CK_NAME, eco_qos, 0, 0),
	CL("EcoCpuFreq", CK_CPUFREQ, eco_cpu_freq, 0, 0),
};

#define ZN(name, kind, f, flags) \
	K(carbon_config_zone, name, kind, f, 0, 0, NULL, flags, 0)

static const struct carbon_config_key zone_keys[] = {
	ZN("Zone", CK_NAME, name, 0),
	ZN("Providers", CK_CHAIN, providers, KF_REQUIRED),
	K(carbon_config_zone, "StaticIntensity", CK_NUMBER, static_intensity, 0,
	  5000, NULL, KF_HAS, HAS(carbon_config_zone, has_static_intensity)),
	ZN("Areas", CK_AREAS, areas, 0),
};

#define DF(name, kind, f, max, words, has)                              \
	K(carbon_config_defaults, name, kind, f, 0, max, words, KF_HAS, \
	  HAS(carbon_config_defaults, has))

static const struct carbon_config_key partition_keys[] = {
	K(carbon_config_defaults, "PartitionDefaults", CK_NAME, name, 0, 0,
	  NULL, 0, 0),
	DF("Urgency", CK_ENUM, urgency, 0, urgencies, has_urgency),
	DF("MaxDelay", CK_INTERVAL, max_delay, 31 * DAY, NULL, has_max_delay),
};

static const struct carbon_config_key qos_keys[] = {
	K(carbon_config_defaults, "QosDefaults", CK_NAME, name, 0, 0, NULL, 0,
	  0),
	DF("Urgency", CK_ENUM, urgency, 0, urgencies, has_urgency),
	DF("MaxDelay", CK_INTERVAL, max_delay, 31 * DAY, NULL, has_max_delay),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void init_cluster(void *rec)
{
	struct carbon_config_cluster *c = rec;

	c->pue = 1.56;
	c->core_power = 12;
	c->gpu_power = 200;
	c->mem_power = 0.3725;
	c->fallback_intensity = CARBON_CONFIG_WORLD_INTENSITY;
}

#define SECTION(start, what, keys, st, max, arr, count, init, check)         \
	CARBON_CONFIG_RECORD(start, what, keys, st, max, carbon_config, arr, \
			     count, init, check)

const struct carbon_config_record config_globals = {
	NULL, "global", global_keys, N(global_keys), 0, 0, 0, 0, 0, NULL, NULL,
};

static const struct carbon_config_record sec_cluster =
	SECTION("ClusterName", "cluster", cluster_keys, carbon_config_cluster,
		CARBON_CONFIG_CLUSTERS_MAX, clusters, n_clusters, init_cluster,
		config_check_cluster);
static const struct carbon_config_record sec_zone = SECTION(
	"Zone", "zone", zone_keys, carbon_config_zone, CARBON_CONFIG_ZONES_MAX,
	zones, n_zones, NULL, config_check_zone);
static const struct carbon_config_record sec_partition =
	SECTION("PartitionDefaults", "partition", partition_keys,
		carbon_config_defaults, CARBON_CONFIG_DEFAULTS_MAX, partitions,
		n_partitions, NULL, config_check_partition);
static const struct carbon_config_record sec_qos =
	SECTION("QosDefaults", "QOS", qos_keys, carbon_config_defaults,
		CARBON_CONFIG_DEFAULTS_MAX, qos, n_qos, NULL, config_check_qos);

const struct carbon_config_record *const config_records[] = {
	&sec_cluster,
	&sec_zone,
	&sec_partition,
	&sec_qos,
};
const size_t config_n_records = N(config_records);

void config_init_globals(struct carbon_config *cfg)
{
	strcpy(cfg->redis_host, "127.0.0.1");
	cfg->redis_port = 6379;
	cfg->redis_timeout_ms = 500;
	strcpy(cfg->redis_key_prefix, "carbon:");
	strcpy(cfg->hmac_key_id, "k1");
	cfg->poll_interval = 15 * 60;
	cfg->snapshot_refresh = 60;
	cfg->stale_after = 2 * 3600;
	cfg->replan_interval = 5 * 60;
	cfg->footprint_interval = 60;
	cfg->footprint_lookback = 24 * 3600;
	cfg->min_saving_percent = 5;
	/* these equal CARBON_POLICY_PARAMS_DEFAULTS (tests/unit/test_config.c) */
	cfg->replan_hysteresis_percent = 10;
	cfg->sibling_slack_percent = 5;
	cfg->eco_threshold = 0;
	cfg->signal = CARBON_SIGNAL_AVERAGE;
	cfg->basis = CARBON_BASIS_LIFECYCLE;
	cfg->default_urgency = CARBON_URGENCY_NORMAL;
	cfg->max_delay_limit = 86400;
	cfg->flexible_max_delay = 86400;
	cfg->forecast_fallback_days = 1;
	strcpy(cfg->config_file, CARBON_CONFIG_DEFAULT_FILE);
}

int config_key_find(const struct carbon_config_record *s, const char *name)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		if (!strcasecmp(s->keys[i].name, name))
			return (int)i;
	}
	return -1;
}

void carbon_config_words_list(const struct carbon_config_word *w, char *buf,
			      size_t len)
{
	size_t n = 0, at = 0;

	while (w[n].name)
		n++;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int k = snprintf(buf + at, len - at, "%s%s", sep, w[i].name);

		if (k < 0 || (size_t)k >= len - at)
			return;
		at += (size_t)k;
	}
}
