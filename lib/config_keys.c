/*
 * config_keys.c: the carbon.conf key tables (carbon/config.h documents the
 * keys; carbon/config_internal.h the table format) and the defaults.
 * Adding a key is adding a row; config_value.c parses the values.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/config_internal.h"

const struct config_word config_signals[] = {
	{"average", CARBON_SIGNAL_AVERAGE},
	{"marginal", CARBON_SIGNAL_MARGINAL},
	{NULL, 0},
};

const struct config_word config_bases[] = {
	{"lifecycle", CARBON_BASIS_LIFECYCLE},
	{"direct", CARBON_BASIS_DIRECT},
	{"operational", CARBON_BASIS_OPERATIONAL},
	{NULL, 0},
};

const struct config_word config_provider_types[] = {
	{"electricitymaps", CARBON_CONFIG_PROVIDER_ELECTRICITYMAPS},
	{"watttime", CARBON_CONFIG_PROVIDER_WATTTIME},
	{"ukci", CARBON_CONFIG_PROVIDER_UKCI},
	{"entsoe", CARBON_CONFIG_PROVIDER_ENTSOE},
	{"gsf", CARBON_CONFIG_PROVIDER_GSF},
	{"replay", CARBON_CONFIG_PROVIDER_REPLAY},
	{NULL, 0},
};

static const struct config_word urgencies[] = {
	{"critical", CARBON_URGENCY_CRITICAL},
	{"normal", CARBON_URGENCY_NORMAL},
	{"flexible", CARBON_URGENCY_FLEXIBLE},
	{NULL, 0},
};

static const struct config_word log_levels[] = {
	{"quiet", CARBON_CONFIG_LOG_QUIET},
	{"error", CARBON_CONFIG_LOG_ERROR},
	{"info", CARBON_CONFIG_LOG_INFO},
	{"verbose", CARBON_CONFIG_LOG_VERBOSE},
	{"debug", CARBON_CONFIG_LOG_DEBUG},
	{NULL, 0},
};

static const struct config_word factor_types[] = {
	{"lifecycle", CARBON_BASIS_LIFECYCLE},
	{"direct", CARBON_BASIS_DIRECT},
	{NULL, 0},
};

static const struct config_word watttime_signals[] = {
	{"co2_moer", CARBON_SIGNAL_MARGINAL},
	{"co2_aoer", CARBON_SIGNAL_AVERAGE},
	{NULL, 0},
};

/* ---- the tables --------------------------------------------------------- */

#define DAY	   86400.0
#define HAS(st, f) offsetof(struct st, f)
#define NONE	   NO_OFFSET

#define G(name, kind, f, min, max, words, flags)                          \
	{                                                                 \
		name, kind, offsetof(struct carbon_config, f),            \
			sizeof(((struct carbon_config *)0)->f), min, max, \
			words, NONE, 0, 0, flags, 0                       \
	}

static const struct config_key global_keys[] = {
	G("RedisHost", CK_HOST, redis_host, 0, 0, NULL, 0),
	G("RedisPort", CK_INT, redis_port, 1, 65535, NULL, 0),
	G("RedisUser", CK_NAME, redis_user, 0, 0, NULL, 0),
	G("RedisPasswordFile", CK_PATH, redis_password_file, 0, 0, NULL, 0),
	G("RedisTimeout", CK_INT, redis_timeout_ms, 10, 60000, NULL, 0),
	G("RedisKeyPrefix", CK_PREFIX, redis_key_prefix, 0, 0, NULL, 0),
	G("HmacKeyFile", CK_PATH, hmac_key_file, 0, 0, NULL, 0),
	G("HmacKeyId", CK_NAME, hmac_key_id, 0, 0, NULL, 0),
	G("PollInterval", CK_INTERVAL, poll_interval, 10, DAY, NULL, 0),
	G("SnapshotRefresh", CK_INTERVAL, snapshot_refresh, 5, 3600, NULL, 0),
	G("StaleAfter", CK_INTERVAL, stale_after, 60, 7 * DAY, NULL, 0),
	G("ReplanInterval", CK_INTERVAL, replan_interval, 10, DAY, NULL, 0),
	G("MinSavingPercent", CK_NUMBER, min_saving_percent, 0, 100, NULL, 0),
	G("ReplanHysteresisPercent", CK_NUMBER, replan_hysteresis_percent, 0,
	  100, NULL, 0),
	G("SiblingSlackPercent", CK_NUMBER, sibling_slack_percent, 0, 1000,
	  NULL, 0),
	G("EcoThreshold", CK_NUMBER, eco_threshold, 0, 5000, NULL, 0),
	G("Signal", CK_ENUM, signal, 0, 0, config_signals, 0),
	G("Basis", CK_ENUM, basis, 0, 0, config_bases, 0),
	G("DefaultUrgency", CK_ENUM, default_urgency, 0, 0, urgencies, 0),
	G("MaxDelayLimit", CK_INTERVAL, max_delay_limit, 0, 31 * DAY, NULL, 0),
	/* at most MaxDelayLimit, checked once both are known */
	{"FlexibleMaxDelay", CK_INTERVAL,
	 offsetof(struct carbon_config, flexible_max_delay), 0, 0, 31 * DAY,
	 NULL, offsetof(struct carbon_config, flexible_max_delay_given), 0, 0,
	 0, 0},
	G("ForecastFallbackDays", CK_INT, forecast_fallback_days, 0, 28, NULL,
	  0),
	G("MetricsListen", CK_LISTEN, metrics_listen, 0, 0, NULL, 0),
	G("LogLevel", CK_ENUM, log_level, 0, 0, log_levels, 0),
	G("ConfigFile", CK_PATH, config_file, 0, 0, NULL, KF_ARGS_ONLY),
};

#define K(st, name, kind, f, min, max, words, has, types, req, flags)      \
	{                                                                  \
		name, kind, offsetof(struct st, f),                        \
			sizeof(((struct st *)0)->f), min, max, words, has, \
			types, req, flags, 0                               \
	}

#define CL(name, kind, f, min, max, has) \
	K(carbon_config_cluster, name, kind, f, min, max, NULL, has, 0, 0, 0)

static const struct config_key cluster_keys[] = {
	CL("ClusterName", CK_NAME, name, 0, 0, NONE),
	CL("Zone", CK_NAME, zone, 0, 0, NONE),
	CL("PUE", CK_NUMBER, pue, 1, 3, NONE),
	CL("CorePower", CK_NUMBER, core_power, 0, 1000, NONE),
	CL("GpuPower", CK_NUMBER, gpu_power, 0, 2000, NONE),
	CL("MemPower", CK_NUMBER, mem_power, 0, 10, NONE),
	CL("FallbackIntensity", CK_NUMBER, fallback_intensity, 0, 5000,
	   HAS(carbon_config_cluster, fallback_given)),
	CL("EcoPartition", CK_NAME, eco_partition, 0, 0, NONE),
	CL("EcoQos", CK_NAME, eco_qos, 0, 0, NONE),
	CL("EcoCpuFreq", CK_CPUFREQ, eco_cpu_freq, 0, 0, NONE),
};

#define ZN(name, kind, f, min, max, has, flags) \
	K(carbon_config_zone, name, kind, f, min, max, NULL, has, 0, 0, flags)

static const struct config_key zone_keys[] = {
	ZN("Zone", CK_NAME, name, 0, 0, NONE, 0),
	ZN("Providers", CK_CHAIN, providers, 0, 0, NONE, KF_REQUIRED),
	ZN("StaticIntensity", CK_NUMBER, static_intensity, 0, 5000,
	   HAS(carbon_config_zone, has_static_intensity), 0),
	ZN("Areas", CK_AREAS, areas, 0, 0, NONE, 0),
};

#define PR(name, kind, f, min, max, words, types, req)                         \
	K(carbon_config_provider, name, kind, f, min, max, words, NONE, types, \
	  req, 0)
#define PT_EM PT(ELECTRICITYMAPS)
#define PT_WT PT(WATTTIME)
#define PT_EN PT(ENTSOE)
#define PT_RP PT(REPLAY)

static const struct config_key provider_keys[] = {
	PR("Provider", CK_NAME, name, 0, 0, NULL, 0, 0),
	PR("Type", CK_ENUM, type, 0, 0, config_provider_types, 0, 0),
	PR("Url", CK_URL, url, 0, 0, NULL, PT_HTTP, PT(GSF)),
	PR("TokenFile", CK_PATH, token_file, 0, 0, NULL,
	   PT_EM | PT_EN | PT(GSF), PT_EM | PT_EN),
	PR("User", CK_NAME, user, 0, 0, NULL, PT_WT, PT_WT),
	PR("PasswordFile", CK_PATH, password_file, 0, 0, NULL, PT_WT, PT_WT),
	PR("EmissionFactorType", CK_ENUM, emission_factor_type, 0, 0,
	   factor_types, PT_EM, 0),
	PR("SignalType", CK_ENUM, signal_type, 0, 0, watttime_signals, PT_WT,
	   0),
	PR("FactorTable", CK_NAME, factor_table, 0, 0, NULL, PT_EN, PT_EN),
	PR("Signal", CK_ENUM, declared_signal, 0, 0, config_signals,
	   PT(GSF) | PT_RP, 0),
	PR("Basis", CK_ENUM, declared_basis, 0, 0, config_bases,
	   PT(GSF) | PT_RP, 0),
	PR("Timeout", CK_INTERVAL, timeout, 1, 120, NULL, PT_HTTP, 0),
	PR("PollInterval", CK_INTERVAL, poll_interval, 10, DAY, NULL, 0, 0),
	PR("Trace", CK_PATH, trace, 0, 0, NULL, PT_RP, PT_RP),
	PR("TimeColumn", CK_TEXT, time_column, 0, 0, NULL, PT_RP, 0),
	PR("ValueColumn", CK_TEXT, value_column, 0, 0, NULL, PT_RP, 0),
	PR("EstimatedColumn", CK_TEXT, estimated_column, 0, 0, NULL, PT_RP, 0),
	{"TraceStart", CK_UTC,
	 offsetof(struct carbon_config_provider, trace_start), 0, 0, 0, NULL,
	 HAS(carbon_config_provider, has_trace_start), PT_RP, 0, 0, 0},
	PR("SpeedUp", CK_NUMBER, speed_up, 0.001, 100000, NULL, PT_RP, 0),
};

#define PSR(k)                                                                \
	{                                                                     \
		"B" #k, CK_PSR,                                               \
			offsetof(struct carbon_config_factors, factor), 0, 0, \
			5000, NULL, NONE, 0, 0, 0, 1##k - 101                 \
	}

static const struct config_key factor_keys[] = {
	K(carbon_config_factors, "EmissionFactors", CK_NAME, name, 0, 0, NULL,
	  NONE, 0, 0, 0),
	K(carbon_config_factors, "Basis", CK_ENUM, basis, 0, 0, config_bases,
	  NONE, 0, 0, 0),
	K(carbon_config_factors, "Default", CK_NUMBER, other, 0, 5000, NULL,
	  NONE, 0, 0, KF_REQUIRED),
	PSR(01),
	PSR(02),
	PSR(03),
	PSR(04),
	PSR(05),
	PSR(06),
	PSR(07),
	PSR(08),
	PSR(09),
	PSR(10),
	PSR(11),
	PSR(12),
	PSR(13),
	PSR(14),
	PSR(15),
	PSR(16),
	PSR(17),
	PSR(18),
	PSR(19),
	PSR(20),
	PSR(21),
	PSR(22),
	PSR(23),
	PSR(24),
	PSR(25),
};

#define DF(name, kind, f, max, words, has)                      \
	K(carbon_config_defaults, name, kind, f, 0, max, words, \
	  HAS(carbon_config_defaults, has), 0, 0, 0)

static const struct config_key partition_keys[] = {
	K(carbon_config_defaults, "PartitionDefaults", CK_NAME, name, 0, 0,
	  NULL, NONE, 0, 0, 0),
	DF("Urgency", CK_ENUM, urgency, 0, urgencies, has_urgency),
	DF("MaxDelay", CK_INTERVAL, max_delay, 31 * DAY, NULL, has_max_delay),
};

static const struct config_key qos_keys[] = {
	K(carbon_config_defaults, "QosDefaults", CK_NAME, name, 0, 0, NULL,
	  NONE, 0, 0, 0),
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

static void init_provider(void *rec)
{
	struct carbon_config_provider *p = rec;

	p->timeout = 10;
	p->speed_up = 1;
	p->emission_factor_type = CARBON_BASIS_LIFECYCLE;
	p->signal_type = CARBON_SIGNAL_MARGINAL;
	p->declared_signal = CARBON_SIGNAL_AVERAGE;
	p->declared_basis = CARBON_BASIS_LIFECYCLE;
	strcpy(p->time_column, "Datetime (UTC)");
	strcpy(p->value_column, "Carbon Intensity gCO\xe2\x82\x82"
				"eq/kWh (LCA)");
}

static void init_factors(void *rec)
{
	struct carbon_config_factors *t = rec;

	t->basis = CARBON_BASIS_LIFECYCLE;
}

#define SECTION(start, what, keys, st, max, arr, count, init, check) \
	{                                                            \
		start, what, keys, N(keys), sizeof(struct st), max,  \
			offsetof(struct carbon_config, arr),         \
			offsetof(struct carbon_config, count),       \
			offsetof(struct st, line), init, check       \
	}

const struct config_section config_globals = {
	NULL, "global", global_keys, N(global_keys), 0, 0, 0, 0, 0, NULL, NULL,
};

static const struct config_section sec_cluster =
	SECTION("ClusterName", "cluster", cluster_keys, carbon_config_cluster,
		CARBON_CONFIG_CLUSTERS_MAX, clusters, n_clusters, init_cluster,
		config_check_cluster);
static const struct config_section sec_zone = SECTION(
	"Zone", "zone", zone_keys, carbon_config_zone, CARBON_CONFIG_ZONES_MAX,
	zones, n_zones, NULL, config_check_zone);
static const struct config_section sec_provider =
	SECTION("Provider", "provider", provider_keys, carbon_config_provider,
		CARBON_CONFIG_PROVIDERS_MAX, providers, n_providers,
		init_provider, config_check_provider);
static const struct config_section sec_factors = SECTION(
	"EmissionFactors", "factor table", factor_keys, carbon_config_factors,
	CARBON_CONFIG_TABLES_MAX, tables, n_tables, init_factors, NULL);
static const struct config_section sec_partition =
	SECTION("PartitionDefaults", "partition", partition_keys,
		carbon_config_defaults, CARBON_CONFIG_DEFAULTS_MAX, partitions,
		n_partitions, NULL, config_check_partition);
static const struct config_section sec_qos =
	SECTION("QosDefaults", "QOS", qos_keys, carbon_config_defaults,
		CARBON_CONFIG_DEFAULTS_MAX, qos, n_qos, NULL, config_check_qos);

const struct config_section *const config_records[] = {
	&sec_cluster, &sec_zone,      &sec_provider,
	&sec_factors, &sec_partition, &sec_qos,
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
	strcpy(cfg->metrics_listen, "127.0.0.1:9550");
	strcpy(cfg->metrics_host, "127.0.0.1");
	cfg->metrics_port = 9550;
	cfg->log_level = CARBON_CONFIG_LOG_INFO;
	strcpy(cfg->config_file, CARBON_CONFIG_DEFAULT_FILE);
}

int config_key_find(const struct config_section *s, const char *name)
{
	for (size_t i = 0; i < s->n_keys; i++) {
		if (!strcasecmp(s->keys[i].name, name))
			return (int)i;
	}
	return -1;
}

void config_words_list(const struct config_word *w, char *buf, size_t len)
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
