/*
 * Unit tests for carbon/config.h with carbon-cached's extension registered
 * (carbon-cache/cache_conf.h), as every reader parses: a realistic
 * carbon.conf (three clusters es/no/cal in zones ES, NO and US-CAL-CISO,
 * replayed from traces), every key, every rejection with its line number,
 * plugin arguments, lookups, the policy parameters and power models a
 * config yields, and caps.  tests/unit/test_config_ext.c tests the
 * extension mechanism alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cache_conf.h"
#include "carbon/config.h"
#include "carbon/footprint.h"
#include "carbon/policy.h"

#define TRACES "/srv/carbon/traces/"

/* Every reader parses with carbon-cached's keys (carbon-cache/cache_conf.h):
 * these tests read the file as they do. */
static const struct carbon_cache_conf *cache(const struct carbon_config *cfg)
{
	const struct carbon_cache_conf *cc = carbon_cache_conf_peek(cfg);

	assert_non_null(cc);
	return cc;
}

/* The example: line numbers matter to the tests below. */
static const char example[] =
	"# carbon.conf for the local federation: es, no and cal\n" /* 1 */
	"RedisHost=127.0.0.1\n"
	"RedisPort=6390\n"
	"RedisUser=carbon\n"
	"RedisPasswordFile=/etc/slurm/carbon/redis.pass\n" /* 5 */
	"RedisTimeout=250\n"
	"RedisKeyPrefix=demo:carbon:\n"
	"HmacKeyFile=/etc/slurm/carbon/hmac.key\n"
	"HmacKeyId=demo-2026\n"
	"PollInterval=1m SnapshotRefresh=30s StaleAfter=3h " /* 10 */
	"ReplanInterval=0:05:00\n"
	"MinSavingPercent=5 ReplanHysteresisPercent=2.5  # per cent\n"
	"EcoThreshold=400\n"
	"signal=Average BASIS=lifecycle\n"
	"DefaultUrgency=flexible\n"
	"MaxDelayLimit=2d\n" /* 15 */
	"ForecastFallbackDays=2\n"
	"MetricsListen=127.0.0.1:9551\n"
	"LogLevel=verbose\n"
	"\n"
	"ClusterName=es  Zone=ES PUE=1.2 CorePower=12 GpuPower=200 " /* 20 */
	"MemPower=0.3725 FallbackIntensity=160 EcoPartition=eco "
	"EcoQos=eco EcoCpuFreq=Medium\n"
	"ClusterName=no  Zone=NO PUE=1.1\n"
	"ClusterName=cal Zone=US-CAL-CISO PUE=1.3 EcoCpuFreq=2000000\r\n"
	"\t# zones, each replayed from a 2023 Electricity Maps export\n"
	"Zone=ES          Providers=replay-es,static  StaticIntensity=160\n"
	"Zone=NO          Providers=replay-no,static  StaticIntensity=30\n"
	"Zone=US-CAL-CISO Providers=replay-cal,STATIC StaticIntensity=250 "
	"Areas=replay-cal:CAISO\n" /* 26 */
	"Provider=replay-es Type=replay Trace=" TRACES
	"emaps2023_ES_hourly.csv TraceStart=2023-06-01 SpeedUp=60\n"
	"Provider=replay-no Type=REPLAY Trace=\"" TRACES
	"emaps2023_NO_hourly.csv\" TimeColumn=\"Datetime (UTC)\" "
	"ValueColumn=\"Carbon Intensity gCO\xe2\x82\x82"
	"eq/kWh (LCA)\" EstimatedColumn=\"Data Estimated\" "
	"TraceStart=2023-06-01T12:30Z Signal=average Basis=lifecycle "
	"PollInterval=30s\n"
	"Provider=replay-cal Type=replay Trace=" TRACES
	"emaps2023_US-CAL-CISO_hourly.csv TraceStart=2023-06-01T12:30:15\n"
	"\n" /* 30 */
	"EmissionFactors=ipcc2014 Basis=lifecycle B01=230 B02=820 B03=820 "
	"B04=490 B05=820 B06=650 B07=650 B08=820 B09=38 B10=24 B11=24 B12=24 "
	"B14=12 B16=45 B18=11 B19=11 B20=700 Default=700\n"
	"Provider=entsoe TokenFile=/etc/slurm/carbon/entsoe.token "
	"FactorTable=IPCC2014 Timeout=20s\n"
	"Provider=electricitymaps TokenFile=/etc/slurm/carbon/emaps.token "
	"EmissionFactorType=lifecycle Url=https://api.example.org/v3/\n"
	"Provider=wt Type=watttime User=carbon PasswordFile=/etc/wt.pass "
	"SignalType=co2_aoer\n"
	"Provider=uk Type=ukci\n" /* 35 */
	"Provider=sdk Type=gsf Url=http://127.0.0.1:5073 Signal=marginal "
	"Basis=operational TokenFile=/etc/sdk.token\n"
	"PartitionDefaults=batch Urgency=flexible MaxDelay=12h\n"
	"PartitionDefaults=debug Urgency=critical\n"
	"QosDefaults=urgent Urgency=critical\n"
	"QosDefaults=green MaxDelay=1-00:00:00\n" /* 40 */
	"# end";

static struct carbon_config *parse_ok(const char *text)
{
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[1024] = "";
	int rc;

	assert_non_null(cfg);
	rc = carbon_config_parse(cfg, text, strlen(text), "carbon.conf", err,
				 sizeof(err));
	if (rc)
		fail_msg("parse: rc %d: %s", rc, err);
	return cfg;
}

static void test_example_globals(void **state)
{
	struct carbon_config *cfg = parse_ok(example);

	(void)state;
	assert_string_equal(cfg->redis_host, "127.0.0.1");
	assert_int_equal(cfg->redis_port, 6390);
	assert_string_equal(cfg->redis_user, "carbon");
	assert_string_equal(cfg->redis_password_file,
			    "/etc/slurm/carbon/redis.pass");
	assert_int_equal(cfg->redis_timeout_ms, 250);
	assert_string_equal(cfg->redis_key_prefix, "demo:carbon:");
	assert_string_equal(cfg->hmac_key_file, "/etc/slurm/carbon/hmac.key");
	assert_string_equal(cfg->hmac_key_id, "demo-2026");
	assert_int_equal(cfg->poll_interval, 60);
	assert_int_equal(cfg->snapshot_refresh, 30);
	assert_int_equal(cfg->stale_after, 3 * 3600);
	assert_int_equal(cfg->replan_interval, 300);
	assert_true(cfg->min_saving_percent == 5.0);
	assert_true(cfg->replan_hysteresis_percent == 2.5);
	assert_true(cfg->eco_threshold == 400.0);
	assert_int_equal(cfg->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(cfg->basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(cfg->default_urgency, CARBON_URGENCY_FLEXIBLE);
	assert_int_equal(cfg->max_delay_limit, 2 * 86400);
	assert_int_equal(cfg->forecast_fallback_days, 2);
	assert_string_equal(cache(cfg)->metrics.text, "127.0.0.1:9551");
	assert_string_equal(cache(cfg)->metrics.host, "127.0.0.1");
	assert_int_equal(cache(cfg)->metrics.port, 9551);
	assert_int_equal(cache(cfg)->log_level, CARBON_CACHE_LOG_VERBOSE);
	assert_string_equal(cfg->config_file, CARBON_CONFIG_DEFAULT_FILE);
	carbon_config_free(cfg);
}

static void test_example_clusters(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	const struct carbon_config_cluster *c;

	(void)state;
	assert_int_equal(cfg->n_clusters, 3);
	c = carbon_config_cluster_peek(cfg, "ES");
	assert_ptr_equal(c, &cfg->clusters[0]);
	assert_string_equal(c->name, "es");
	assert_string_equal(c->zone, "ES");
	assert_true(c->pue == 1.2 && c->core_power == 12.0);
	assert_true(c->gpu_power == 200.0 && c->mem_power == 0.3725);
	assert_true(c->fallback_intensity == 160.0 && c->fallback_given);
	assert_string_equal(c->eco_partition, "eco");
	assert_string_equal(c->eco_qos, "eco");
	assert_string_equal(c->eco_cpu_freq, "medium");
	assert_int_equal(c->line, 20);
	c = carbon_config_cluster_peek(cfg, "no");
	/* defaults, and the fallback taken from the zone's static value */
	assert_true(c->pue == 1.1 && c->core_power == 12.0);
	assert_true(c->gpu_power == 200.0 && c->mem_power == 0.3725);
	assert_true(c->fallback_intensity == 30.0 && !c->fallback_given);
	assert_string_equal(c->eco_partition, "");
	assert_string_equal(c->eco_cpu_freq, "");
	c = carbon_config_cluster_peek(cfg, "cal");
	assert_string_equal(c->eco_cpu_freq, "2000000");
	assert_true(c->fallback_intensity == 250.0);
	assert_int_equal(c->line, 22);
	assert_null(carbon_config_cluster_peek(cfg, "de"));
	carbon_config_free(cfg);
}

static void test_example_zones(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	const struct carbon_config_zone *z;

	(void)state;
	assert_int_equal(cfg->n_zones, 3);
	z = carbon_config_zone_peek(cfg, "es");
	assert_string_equal(z->name, "ES");
	assert_int_equal(z->n_providers, 2);
	assert_string_equal(z->providers[0], "replay-es");
	assert_string_equal(z->providers[1], "static");
	assert_true(z->has_static_intensity && z->static_intensity == 160.0);
	assert_int_equal(z->n_areas, 0);
	assert_string_equal(carbon_config_zone_area(z, "replay-es"), "ES");
	z = carbon_config_zone_peek(cfg, "US-CAL-CISO");
	assert_int_equal(z->line, 26);
	assert_string_equal(z->providers[1], "STATIC");
	assert_int_equal(z->n_areas, 1);
	assert_string_equal(carbon_config_zone_area(z, "Replay-Cal"), "CAISO");
	assert_string_equal(carbon_config_zone_area(z, "static"),
			    "US-CAL-CISO");
	assert_string_equal(carbon_config_zone_area(z, NULL), "US-CAL-CISO");
	assert_null(carbon_config_zone_area(NULL, "x"));
	carbon_config_free(cfg);
}

static void test_example_providers(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	const struct carbon_provider_conf *p;

	(void)state;
	assert_int_equal(cache(cfg)->n_providers, 8);
	p = carbon_provider_conf_peek(cfg, "replay-es");
	assert_int_equal(p->type, CARBON_PROVIDER_REPLAY);
	assert_string_equal(p->trace, TRACES "emaps2023_ES_hourly.csv");
	assert_string_equal(p->time_column, "Datetime (UTC)");
	assert_string_equal(p->value_column, "Carbon Intensity gCO\xe2\x82\x82"
					     "eq/kWh (LCA)");
	assert_string_equal(p->estimated_column, "");
	assert_true(p->has_trace_start);
	assert_int_equal(p->trace_start, INT64_C(1685577600));
	assert_true(p->speed_up == 60.0);
	assert_int_equal(p->poll_interval, 0);
	assert_string_equal(p->url, "");
	assert_int_equal(p->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(p->basis, CARBON_BASIS_LIFECYCLE);
	p = carbon_provider_conf_peek(cfg, "replay-no");
	assert_string_equal(p->estimated_column, "Data Estimated");
	assert_int_equal(p->trace_start,
			 INT64_C(1685577600) + 12 * 3600 + 1800);
	assert_int_equal(p->poll_interval, 30);
	p = carbon_provider_conf_peek(cfg, "replay-cal");
	assert_int_equal(p->trace_start,
			 INT64_C(1685577600) + 12 * 3600 + 1800 + 15);
	assert_true(p->speed_up == 1.0);
	p = carbon_provider_conf_peek(cfg, "entsoe");
	assert_int_equal(p->type, CARBON_PROVIDER_ENTSOE);
	assert_string_equal(p->factor_table, "IPCC2014");
	assert_string_equal(p->url, "https://web-api.tp.entsoe.eu/api");
	assert_int_equal(p->timeout, 20);
	assert_int_equal(p->basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(p->line, 32);
	p = carbon_provider_conf_peek(cfg, "electricitymaps");
	assert_string_equal(p->url, "https://api.example.org/v3/");
	assert_string_equal(p->token_file, "/etc/slurm/carbon/emaps.token");
	assert_int_equal(p->timeout, 10);
	p = carbon_provider_conf_peek(cfg, "wt");
	assert_int_equal(p->type, CARBON_PROVIDER_WATTTIME);
	assert_string_equal(p->user, "carbon");
	assert_string_equal(p->password_file, "/etc/wt.pass");
	assert_string_equal(p->url, "https://api.watttime.org");
	assert_int_equal(p->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(p->basis, CARBON_BASIS_OPERATIONAL);
	p = carbon_provider_conf_peek(cfg, "UK");
	assert_string_equal(p->url, "https://api.carbonintensity.org.uk");
	assert_int_equal(p->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(p->basis, CARBON_BASIS_DIRECT);
	p = carbon_provider_conf_peek(cfg, "sdk");
	assert_string_equal(p->url, "http://127.0.0.1:5073");
	assert_int_equal(p->signal, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(p->basis, CARBON_BASIS_OPERATIONAL);
	assert_string_equal(p->token_file, "/etc/sdk.token");
	carbon_config_free(cfg);
}

static void test_example_tables_defaults(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	const struct carbon_factors *t;
	const struct carbon_config_defaults *d;

	(void)state;
	t = carbon_factors_peek(cfg, "ipcc2014");
	assert_non_null(t);
	assert_int_equal(t->basis, CARBON_BASIS_LIFECYCLE);
	assert_true(carbon_factors_get(t, "B04") == 490.0);
	assert_true(carbon_factors_get(t, "B14") == 12.0);
	assert_true(carbon_factors_get(t, "B13") == 700.0); /* Default */
	assert_true(carbon_factors_get(t, "B25") == 700.0);
	assert_true(carbon_factors_get(t, "B26") == 700.0);
	assert_true(carbon_factors_get(t, "B00") == 700.0);
	assert_true(carbon_factors_get(t, "B4") == 700.0);
	assert_true(carbon_factors_get(t, "B044") == 700.0);
	assert_true(carbon_factors_get(t, "A04") == 700.0);
	assert_true(carbon_factors_get(t, "Bx4") == 700.0);
	assert_true(carbon_factors_get(t, "B0x") == 700.0);
	assert_true(carbon_factors_get(t, NULL) == 700.0);
	assert_true(carbon_factors_get(NULL, "B04") ==
		    CARBON_CONFIG_WORLD_INTENSITY);
	assert_int_equal(cfg->n_partitions, 2);
	assert_int_equal(cfg->n_qos, 2);
	d = carbon_config_partition_peek(cfg, "batch");
	assert_true(d->has_urgency && d->has_max_delay);
	assert_int_equal(d->urgency, CARBON_URGENCY_FLEXIBLE);
	assert_int_equal(d->max_delay, 12 * 3600);
	d = carbon_config_qos_peek(cfg, "GREEN");
	assert_true(!d->has_urgency && d->has_max_delay);
	assert_int_equal(d->max_delay, 86400);
	assert_int_equal(d->line, 40);
	assert_null(carbon_config_qos_peek(cfg, "batch"));
	carbon_config_free(cfg);
}

static void test_job_defaults(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	struct carbon_config_job_defaults d;

	(void)state;
	carbon_config_job_defaults(cfg, NULL, NULL, &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_FLEXIBLE);
	assert_false(d.has_max_delay);
	carbon_config_job_defaults(cfg, "batch", NULL, &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_FLEXIBLE);
	assert_true(d.has_max_delay && d.max_delay == 12 * 3600);
	/* the first listed partition that has defaults */
	carbon_config_job_defaults(cfg, "gpu,debug,batch", NULL, &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_CRITICAL);
	assert_false(d.has_max_delay);
	carbon_config_job_defaults(
		cfg,
		"a-partition-name-longer-than-sixty-four-characters-is-skipped"
		"-here,,batch",
		NULL, &d);
	assert_int_equal(d.max_delay, 12 * 3600);
	/* QOS beats partition, key by key */
	carbon_config_job_defaults(cfg, "batch", "urgent", &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_CRITICAL);
	assert_true(d.has_max_delay && d.max_delay == 12 * 3600);
	carbon_config_job_defaults(cfg, "batch", "green", &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_FLEXIBLE);
	assert_int_equal(d.max_delay, 86400);
	carbon_config_job_defaults(cfg, "nope", "nope", &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_FLEXIBLE);
	carbon_config_job_defaults(NULL, "batch", "green", &d);
	assert_int_equal(d.urgency, CARBON_URGENCY_NORMAL);
	assert_false(d.has_max_delay);
	carbon_config_job_defaults(cfg, "batch", NULL, NULL);
	carbon_config_free(cfg);
}

static void test_new_defaults(void **state)
{
	struct carbon_config *cfg = parse_ok("");

	(void)state;
	assert_string_equal(cfg->redis_host, "127.0.0.1");
	assert_int_equal(cfg->redis_port, 6379);
	assert_string_equal(cfg->redis_user, "");
	assert_string_equal(cfg->redis_password_file, "");
	assert_string_equal(cfg->cache_redis_user, "");
	assert_string_equal(cfg->cache_redis_password_file, "");
	assert_int_equal(cfg->redis_timeout_ms, 500);
	assert_string_equal(cfg->redis_key_prefix, "carbon:");
	assert_string_equal(cfg->hmac_key_file, "");
	assert_string_equal(cfg->hmac_key_id, "k1");
	assert_int_equal(cfg->poll_interval, 900);
	assert_int_equal(cfg->snapshot_refresh, 60);
	assert_int_equal(cfg->stale_after, 7200);
	assert_int_equal(cfg->replan_interval, 300);
	assert_true(cfg->min_saving_percent == 5.0);
	assert_true(cfg->replan_hysteresis_percent == 10.0);
	assert_true(cfg->sibling_slack_percent == 5.0);
	assert_true(cfg->eco_threshold == 0.0);
	assert_int_equal(cfg->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(cfg->basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(cfg->default_urgency, CARBON_URGENCY_NORMAL);
	assert_int_equal(cfg->max_delay_limit, 86400);
	assert_int_equal(cfg->flexible_max_delay, 86400);
	assert_false(cfg->flexible_max_delay_given);
	assert_int_equal(cfg->forecast_fallback_days, 1);
	assert_string_equal(cache(cfg)->metrics.text, "127.0.0.1:9550");
	assert_int_equal(cache(cfg)->metrics.port, 9550);
	assert_int_equal(cache(cfg)->log_level, CARBON_CACHE_LOG_INFO);
	assert_int_equal(
		cfg->n_clusters + cfg->n_zones + cache(cfg)->n_providers +
			cache(cfg)->n_tables + cfg->n_partitions + cfg->n_qos,
		0);
	carbon_config_free(cfg);
	carbon_config_free(NULL);
}

static void assert_auth(const struct carbon_config *cfg,
			enum carbon_config_redis_role role, const char *user,
			const char *file, const char *user_key,
			const char *file_key)
{
	struct carbon_config_redis_auth a;

	carbon_config_redis_auth(cfg, role, &a);
	assert_string_equal(a.user, user);
	assert_string_equal(a.password_file, file);
	assert_string_equal(a.user_key, user_key);
	assert_string_equal(a.file_key, file_key);
}

/* Who authenticates to Redis with what: one user for all, or carbon-cached
 * (the writer) with its own CacheRedis* keys and the plugins with Redis*. */
static void test_redis_roles(void **state)
{
	const enum carbon_config_redis_role R = CARBON_CONFIG_REDIS_READER;
	const enum carbon_config_redis_role W = CARBON_CONFIG_REDIS_WRITER;
	struct carbon_config *cfg;

	(void)state;
	cfg = parse_ok("");
	assert_auth(cfg, R, "", "", "RedisUser", "RedisPasswordFile");
	assert_auth(cfg, W, "", "", "RedisUser", "RedisPasswordFile");
	carbon_config_free(cfg);
	assert_auth(NULL, W, "", "", "RedisUser", "RedisPasswordFile");
	carbon_config_redis_auth(NULL, R, NULL); /* no crash */

	/* one user for both */
	cfg = parse_ok("RedisUser=carbon RedisPasswordFile=/etc/c.pass\n");
	assert_auth(cfg, R, "carbon", "/etc/c.pass", "RedisUser",
		    "RedisPasswordFile");
	assert_auth(cfg, W, "carbon", "/etc/c.pass", "RedisUser",
		    "RedisPasswordFile");
	carbon_config_free(cfg);

	/* the writer's own user; keys case-insensitive, in any order */
	cfg = parse_ok("cacheredispasswordfile=/etc/slurm-carbon/w.pass\n"
		       "RedisUser=carbon-ctld "
		       "RedisPasswordFile=/etc/slurm-carbon/r.pass\n"
		       "CACHEREDISUSER=carbon-cached\n");
	assert_string_equal(cfg->cache_redis_user, "carbon-cached");
	assert_string_equal(cfg->cache_redis_password_file,
			    "/etc/slurm-carbon/w.pass");
	assert_auth(cfg, R, "carbon-ctld", "/etc/slurm-carbon/r.pass",
		    "RedisUser", "RedisPasswordFile");
	assert_auth(cfg, W, "carbon-cached", "/etc/slurm-carbon/w.pass",
		    "CacheRedisUser", "CacheRedisPasswordFile");
	carbon_config_free(cfg);

	/* the writer's password alone: AUTH with it as the default user,
	 * never with the readers' RedisUser */
	cfg = parse_ok("RedisUser=r RedisPasswordFile=/r.pass\n"
		       "CacheRedisPasswordFile=/w.pass\n");
	assert_auth(cfg, W, "", "/w.pass", "CacheRedisUser",
		    "CacheRedisPasswordFile");
	assert_auth(cfg, R, "r", "/r.pass", "RedisUser", "RedisPasswordFile");
	carbon_config_free(cfg);

	/* readers without a password, the writer with one */
	cfg = parse_ok("CacheRedisUser=w CacheRedisPasswordFile=/w.pass\n");
	assert_auth(cfg, R, "", "", "RedisUser", "RedisPasswordFile");
	assert_auth(cfg, W, "w", "/w.pass", "CacheRedisUser",
		    "CacheRedisPasswordFile");
	carbon_config_free(cfg);
}

/* Forms that are accepted, one key at a time. */
/* The policy's parameters, field by field. */
static void assert_params_equal(const struct carbon_policy_params *a,
				const struct carbon_policy_params *b)
{
	assert_int_equal(a->signal, b->signal);
	assert_int_equal(a->basis, b->basis);
	assert_true(a->min_saving_pct == b->min_saving_pct);
	assert_true(a->hysteresis_pct == b->hysteresis_pct);
	assert_true(a->sibling_slack_pct == b->sibling_slack_pct);
	assert_true(a->eco_threshold == b->eco_threshold);
	assert_int_equal(a->flexible_max_delay, b->flexible_max_delay);
}

static void test_policy_params_defaults(void **state)
{
	const struct carbon_policy_params want = CARBON_POLICY_PARAMS_DEFAULTS;
	struct carbon_config *cfg = carbon_cache_conf_new();
	struct carbon_policy_params got;

	(void)state;
	/* a new config, an empty file, no config at all: the same */
	memset(&got, 0xa5, sizeof(got));
	carbon_config_policy_params(cfg, &got);
	assert_params_equal(&got, &want);
	carbon_config_free(cfg);
	cfg = parse_ok("");
	memset(&got, 0xa5, sizeof(got));
	carbon_config_policy_params(cfg, &got);
	assert_params_equal(&got, &want);
	memset(&got, 0xa5, sizeof(got));
	carbon_config_policy_params(NULL, &got);
	assert_params_equal(&got, &want);
	carbon_config_policy_params(cfg, NULL);
	carbon_config_free(cfg);
}

static void test_policy_params(void **state)
{
	struct carbon_config *cfg = parse_ok(example);
	struct carbon_policy_params p;
	const struct carbon_policy_cluster cl = {
		.name = "es",
		.fallback_intensity = 100,
		.power = CARBON_POWER_MODEL_DEFAULTS,
	};
	const struct carbon_policy_job job = {
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.now = INT64_C(1700000000),
		.runtime = 3600,
		.usage = {.cores = 4, .cpu_usage = 1},
	};
	struct carbon_policy_decision d;
	char err[256] = "";

	(void)state;
	carbon_config_policy_params(cfg, &p);
	assert_int_equal(p.signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(p.basis, CARBON_BASIS_LIFECYCLE);
	assert_true(p.min_saving_pct == 5.0);
	assert_true(p.hysteresis_pct == 2.5);
	assert_true(p.sibling_slack_pct == 5.0);
	assert_true(p.eco_threshold == 400.0);
	/* not given: 1d, within the example's MaxDelayLimit=2d */
	assert_int_equal(p.flexible_max_delay, 86400);
	/* what the config yields is what the policy accepts */
	assert_int_equal(
		carbon_policy_decide(&p, &cl, 1, &job, &d, err, sizeof(err)),
		0);
	carbon_config_free(cfg);
	cfg = parse_ok("Signal=marginal Basis=operational "
		       "MinSavingPercent=1 ReplanHysteresisPercent=100 "
		       "SiblingSlackPercent=1000 EcoThreshold=5000 "
		       "MaxDelayLimit=31d FlexibleMaxDelay=31d");
	carbon_config_policy_params(cfg, &p);
	assert_int_equal(p.signal, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(p.basis, CARBON_BASIS_OPERATIONAL);
	assert_true(p.min_saving_pct == 1.0);
	assert_true(p.hysteresis_pct == 100.0);
	assert_true(p.sibling_slack_pct == 1000.0);
	assert_true(p.eco_threshold == 5000.0);
	assert_int_equal(p.flexible_max_delay, CARBON_MAX_DELAY_LIMIT);
	assert_int_equal(
		carbon_policy_decide(&p, &cl, 1, &job, &d, err, sizeof(err)),
		0);
	carbon_config_free(cfg);
}

/* FlexibleMaxDelay: 1d or MaxDelayLimit when not given, else checked. */
static void test_flexible_max_delay(void **state)
{
	struct carbon_config *cfg;
	char err[512] = "";

	(void)state;
	cfg = parse_ok("MaxDelayLimit=6h");
	assert_int_equal(cfg->flexible_max_delay, 6 * 3600);
	carbon_config_free(cfg);
	cfg = parse_ok("MaxDelayLimit=0");
	assert_int_equal(cfg->flexible_max_delay, 0);
	carbon_config_free(cfg);
	cfg = parse_ok("MaxDelayLimit=3d");
	assert_int_equal(cfg->flexible_max_delay, 86400);
	carbon_config_free(cfg);
	cfg = parse_ok("MaxDelayLimit=3d FlexibleMaxDelay=2d");
	assert_int_equal(cfg->flexible_max_delay, 2 * 86400);
	assert_true(cfg->flexible_max_delay_given);
	/* a later argument that lowers the limit below it fails */
	assert_int_equal(carbon_config_parse_arg_string(cfg, "MaxDelayLimit=1d",
							"spank", err,
							sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "spank: FlexibleMaxDelay: 172800s is above "
				 "MaxDelayLimit (86400s); lower it or raise "
				 "MaxDelayLimit");
	carbon_config_free(cfg);
	/* not given: derived again from the limit the arguments set */
	cfg = parse_ok("MaxDelayLimit=3d");
	assert_int_equal(carbon_config_parse_arg_string(cfg, "MaxDelayLimit=2h",
							"spank", err,
							sizeof(err)),
			 0);
	assert_int_equal(cfg->flexible_max_delay, 2 * 3600);
	/* and given as an argument, it wins over the derived value */
	assert_int_equal(
		carbon_config_parse_arg_string(cfg, "FlexibleMaxDelay=30m",
					       "spank", err, sizeof(err)),
		0);
	assert_int_equal(cfg->flexible_max_delay, 1800);
	carbon_config_free(cfg);
}

static void assert_power_equal(const struct carbon_power_model *a,
			       const struct carbon_power_model *b)
{
	assert_true(a->w_per_core == b->w_per_core);
	assert_true(a->w_per_gpu == b->w_per_gpu);
	assert_true(a->w_per_gb == b->w_per_gb);
	assert_true(a->pue == b->pue);
}

static void test_cluster_power(void **state)
{
	const struct carbon_power_model defaults = CARBON_POWER_MODEL_DEFAULTS;
	const struct carbon_power_model es = {.w_per_core = 12,
					      .w_per_gpu = 200,
					      .w_per_gb = 0.3725,
					      .pue = 1.2};
	const struct carbon_power_model custom = {
		.w_per_core = 10, .w_per_gpu = 300, .w_per_gb = 0.08, .pue = 2};
	struct carbon_config *cfg = parse_ok(example);
	struct carbon_power_model m;

	(void)state;
	carbon_config_cluster_power(carbon_config_cluster_peek(cfg, "es"), &m);
	assert_power_equal(&m, &es);
	carbon_config_free(cfg);
	/* a cluster line without power keys has Green Algorithms' defaults */
	cfg = parse_ok("ClusterName=c FallbackIntensity=1\n"
		       "ClusterName=d FallbackIntensity=1 PUE=2 CorePower=10 "
		       "GpuPower=300 MemPower=0.08");
	memset(&m, 0xa5, sizeof(m));
	carbon_config_cluster_power(carbon_config_cluster_peek(cfg, "c"), &m);
	assert_power_equal(&m, &defaults);
	carbon_config_cluster_power(carbon_config_cluster_peek(cfg, "d"), &m);
	assert_power_equal(&m, &custom);
	memset(&m, 0xa5, sizeof(m));
	carbon_config_cluster_power(NULL, &m);
	assert_power_equal(&m, &defaults);
	carbon_config_cluster_power(&cfg->clusters[0], NULL);
	carbon_config_free(cfg);
}

static void test_accepted_forms(void **state)
{
	static const char *const ok[] = {
		"RedisHost=/run/redis/redis.sock",
		"RedisHost=::1",
		"RedisHost=redis-1.example.org",
		"RedisHost=\"10.0.0.1\"",
		"MetricsListen=[::1]:9550",
		"MetricsListen=localhost:1",
		"MetricsListen=0.0.0.0:65535",
		"MaxDelayLimit=0",
		"MaxDelayLimit=31d",
		"MaxDelayLimit=744:00:00",
		"FlexibleMaxDelay=0",
		"FlexibleMaxDelay=1d",
		"MaxDelayLimit=31d FlexibleMaxDelay=31d",
		"SiblingSlackPercent=0",
		"SiblingSlackPercent=1000 ReplanHysteresisPercent=0",
		"PollInterval=10s",
		"PollInterval=24h",
		"MinSavingPercent=0 EcoThreshold=5000",
		"MinSavingPercent=.5 ReplanHysteresisPercent=100.000",
		"MinSavingPercent=007.50",
		"EcoThreshold=0.0000000000000000001",
		"Signal=marginal Basis=operational",
		"Basis=DIRECT",
		"DefaultUrgency=critical LogLevel=quiet",
		"LogLevel=error",
		"LogLevel=debug",
		"RedisKeyPrefix=a",
		"HmacKeyId=0123456789012345678901234567890123456789012345678901"
		"234567890123",
		"ClusterName=c FallbackIntensity=0 PUE=3 CorePower=0 "
		"GpuPower=2000 MemPower=10 EcoCpuFreq=highm1",
		"ClusterName=c FallbackIntensity=5000 PUE=1.0 EcoCpuFreq=HIGH",
		"ClusterName=c FallbackIntensity=1 EcoCpuFreq=low",
		"ClusterName=c FallbackIntensity=1 EcoCpuFreq=100000000",
		"EmissionFactors=t Default=0 B25=5000 Basis=direct",
		"PartitionDefaults=p MaxDelay=0",
		"QosDefaults=q Urgency=normal MaxDelay=1d",
		"Provider=r Type=replay Trace=/t SpeedUp=0.001",
		"Provider=r Type=replay Trace=/t SpeedUp=100000",
		"Provider=r Type=replay Trace=/t "
		"TraceStart=9999-12-31T23:59:59Z",
		"Provider=r Type=replay Trace=/t TraceStart=2024-02-29",
		"Provider=r Type=replay Trace=/t TraceStart=1970-01-01T00:00",
		"Provider=w Type=watttime User=u PasswordFile=/p Timeout=2m",
		"Provider=e Type=electricitymaps TokenFile=/t "
		"EmissionFactorType=direct Timeout=1s PollInterval=1d",
		"   RedisPort=1   # a comment \"with quotes\"",
		"HmacKeyFile=\"/a#b\"# comment right after",
		"RedisPort=2#comment",
		"# only a comment",
		"\t\t",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct carbon_config *cfg = carbon_cache_conf_new();
		char err[1024] = "";
		int rc = carbon_config_parse(cfg, ok[i], strlen(ok[i]), NULL,
					     err, sizeof(err));

		if (rc)
			fail_msg("\"%s\": rc %d: %s", ok[i], rc, err);
		carbon_config_free(cfg);
	}
}

struct bad_case {
	const char *in;
	int code;
	const char *msg; /* the start of the message */
};

#define KEY "HmacKeyFile=/k\n"
#define RP  "Provider=r Type=replay Trace=/t"
#define Z1  "Zone=ES Providers=r\n" RP "\n"

static const struct bad_case bad_cases[] = {
	/* splitting lines */
	{"RedisPort = 6379", CARBON_EINVAL,
	 "carbon.conf:1: expected Key=Value at column 1 (\"RedisPort = "
	 "6379\"); no spaces around '='"},
	{"\n=5", CARBON_EINVAL,
	 "carbon.conf:2: expected Key=Value at column 1"},
	{"RedisPort=6379 junk", CARBON_EINVAL,
	 "carbon.conf:1: expected Key=Value at column 16 (\"junk\")"},
	{"Redis-Port=1", CARBON_EINVAL, "carbon.conf:1: expected Key=Value"},
	{"RedisHost=\"abc", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: the quote is never closed"},
	{"RedisHost=\"abc\"x", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: text right after the closing quote"},
	{"RedisHost=ab\"c\"", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: a quote inside a value"},
	{"RedisHost=", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: empty value; give Key=Value"},
	{"RedisHost=#x", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: empty value"},
	{"RedisHost=\"\"", CARBON_EINVAL, "carbon.conf:1: RedisHost: empty"},
	{"\n\nRedisHost=a\x01", CARBON_EINVAL,
	 "carbon.conf:3: control byte 0x01 at column 12"},
	{"RedisHost=a\x7f", CARBON_EINVAL, "carbon.conf:1: control byte 0x7f"},
	{"LogLevel=info\rRedisPort=1", CARBON_EINVAL,
	 "carbon.conf:1: control byte 0x0d at column 14"},
	/* global keys */
	{"Foo=1", CARBON_EINVAL,
	 "carbon.conf:1: unknown key \"Foo\"; global keys are RedisHost, "
	 "RedisPort, RedisUser,"},
	{"PUE=1.2", CARBON_EINVAL,
	 "carbon.conf:1: PUE: belongs on a ClusterName line (after "
	 "ClusterName=NAME), not among global keys"},
	{"RedisPort=1 Zone=ES", CARBON_EINVAL,
	 "carbon.conf:1: Zone: starts a zone record, which must be the first "
	 "key on its line"},
	{"ConfigFile=/etc/x", CARBON_EINVAL,
	 "carbon.conf:1: ConfigFile: only in plugin arguments"},
	{"RedisPort=1\n\nredisport=2", CARBON_EINVAL,
	 "carbon.conf:3: RedisPort: already set at line 1"},
	{"RedisPort=1 RedisPort=1", CARBON_EINVAL,
	 "carbon.conf:1: RedisPort: already set at line 1"},
	{"RedisPort=0", CARBON_ERANGE,
	 "carbon.conf:1: RedisPort: \"0\" is out of range; use an integer "
	 "from 1 to 65535"},
	{"RedisPort=65536", CARBON_ERANGE,
	 "carbon.conf:1: RedisPort: \"65536\""},
	{"RedisPort=-1", CARBON_EINVAL,
	 "carbon.conf:1: RedisPort: \"-1\" is not an integer; use an integer "
	 "from 1 to 65535"},
	{"RedisPort=1.0", CARBON_EINVAL,
	 "carbon.conf:1: RedisPort: \"1.0\" is "
	 "not an integer"},
	{"RedisPort=9999999999999999", CARBON_EINVAL,
	 "carbon.conf:1: RedisPort: \"9999999999999999\" is not an integer"},
	{"RedisTimeout=5", CARBON_ERANGE,
	 "carbon.conf:1: RedisTimeout: \"5\" is out of range; use an integer "
	 "from 10 to 60000"},
	{"RedisHost=-bad", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: \"-bad\" is not a host; use a host name, "
	 "an IP address or a socket path"},
	{"RedisHost=a_b", CARBON_EINVAL, "carbon.conf:1: RedisHost: \"a_b\""},
	{"RedisHost=.a", CARBON_EINVAL,
	 "carbon.conf:1: RedisHost: \".a\" is "
	 "not a host"},
	{"RedisUser=\"a b\"", CARBON_EINVAL,
	 "carbon.conf:1: RedisUser: \"a b\" is not a name; use 1-64 letters, "
	 "digits, '_', '.' or '-'"},
	{"RedisUser=u", CARBON_EINVAL,
	 "carbon.conf:1: RedisUser: needs RedisPasswordFile=PATH"},
	{"CacheRedisUser=u", CARBON_EINVAL,
	 "carbon.conf:1: CacheRedisUser: needs CacheRedisPasswordFile=PATH "
	 "(an ACL user always has a password)"},
	{"RedisPasswordFile=/p\nCacheRedisUser=u", CARBON_EINVAL,
	 "carbon.conf:2: CacheRedisUser: needs CacheRedisPasswordFile=PATH"},
	{"CacheRedisUser=\"a b\"", CARBON_EINVAL,
	 "carbon.conf:1: CacheRedisUser: \"a b\" is not a name"},
	{"CacheRedisPasswordFile=pass", CARBON_EINVAL,
	 "carbon.conf:1: CacheRedisPasswordFile: \"pass\" is not an "
	 "absolute path; use a path starting with /"},
	{"CacheRedisPasswordFile=/a\n\ncacheredispasswordfile=/b",
	 CARBON_EINVAL,
	 "carbon.conf:3: CacheRedisPasswordFile: already set at line 1"},
	{"RedisPasswordFile=etc/pass", CARBON_EINVAL,
	 "carbon.conf:1: RedisPasswordFile: \"etc/pass\" is not an absolute "
	 "path; use a path starting with /"},
	{"RedisKeyPrefix=a/b", CARBON_EINVAL,
	 "carbon.conf:1: RedisKeyPrefix: \"a/b\" is not a name; use 1-64 "
	 "letters, digits, '_', '.' or '-' or ':'"},
	{"HmacKeyId=01234567890123456789012345678901234567890123456789012345"
	 "678901234",
	 CARBON_EINVAL, "carbon.conf:1: HmacKeyId: \"0123"},
	{"PollInterval=60", CARBON_EINVAL,
	 "carbon.conf:1: PollInterval: \"60\" needs a unit; use e.g. 60s, 60m "
	 "or H:MM:SS, from 10s to 1d"},
	{"PollInterval=5s", CARBON_ERANGE,
	 "carbon.conf:1: PollInterval: \"5s\" is too short; use a duration "
	 "from 10s to 1d"},
	{"PollInterval=0", CARBON_ERANGE,
	 "carbon.conf:1: PollInterval: \"0\" "
	 "is too short"},
	{"PollInterval=2d", CARBON_ERANGE,
	 "carbon.conf:1: PollInterval: \"2d\" is too long; use a duration "
	 "from 0 to 1-00:00:00"},
	{"PollInterval=soon", CARBON_EINVAL,
	 "carbon.conf:1: PollInterval: \"soon\" is not a duration"},
	{"SnapshotRefresh=2s", CARBON_ERANGE,
	 "carbon.conf:1: SnapshotRefresh: \"2s\" is too short; use a duration "
	 "from 5s to 1h"},
	{"StaleAfter=59s", CARBON_ERANGE, "carbon.conf:1: StaleAfter: \"59s\""},
	{"ReplanInterval=25h", CARBON_ERANGE, "carbon.conf:1: ReplanInterval"},
	{"MaxDelayLimit=32d", CARBON_ERANGE,
	 "carbon.conf:1: MaxDelayLimit: "
	 "\"32d\" is too long"},
	{"FlexibleMaxDelay=32d", CARBON_ERANGE,
	 "carbon.conf:1: FlexibleMaxDelay: \"32d\" is too long"},
	{"FlexibleMaxDelay=90", CARBON_EINVAL,
	 "carbon.conf:1: FlexibleMaxDelay: \"90\" needs a unit"},
	{"FlexibleMaxDelay=25h", CARBON_ERANGE,
	 "carbon.conf:1: FlexibleMaxDelay: 90000s is above MaxDelayLimit "
	 "(86400s); lower it or raise MaxDelayLimit"},
	{"MaxDelayLimit=3d\n\nFlexibleMaxDelay=4d", CARBON_ERANGE,
	 "carbon.conf:3: FlexibleMaxDelay: 345600s is above MaxDelayLimit "
	 "(259200s)"},
	{"SiblingSlackPercent=1000.5", CARBON_ERANGE,
	 "carbon.conf:1: SiblingSlackPercent: \"1000.5\" is out of range; "
	 "use a number from 0 to 1000"},
	{"SiblingSlackPercent=-5", CARBON_EINVAL,
	 "carbon.conf:1: SiblingSlackPercent: \"-5\" is not a number"},
	{"MinSavingPercent=101", CARBON_ERANGE,
	 "carbon.conf:1: MinSavingPercent: \"101\" is out of range; use a "
	 "number from 0 to 100"},
	{"MinSavingPercent=-1", CARBON_EINVAL,
	 "carbon.conf:1: MinSavingPercent: \"-1\" is not a number; use a "
	 "number from 0 to 100 (e.g. 1.5)"},
	{"MinSavingPercent=1e2", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MinSavingPercent: \"1e2\" is "
	 "not a number"},
	{"MinSavingPercent=1.2.3", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MinSavingPercent: \"1.2.3\""},
	{"MinSavingPercent=.", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MinSavingPercent: \".\" is not"},
	{"MinSavingPercent=1234567890123456", CARBON_EINVAL,
	 "carbon.conf:1: MinSavingPercent: \"1234567890123456\" is not a"},
	{"ReplanHysteresisPercent=nan", CARBON_EINVAL,
	 "carbon.conf:1: ReplanHysteresisPercent: \"nan\" is not a number"},
	{"EcoThreshold=5000.001", CARBON_ERANGE, "carbon.conf:1: EcoThreshold"},
	{"Signal=mean", CARBON_EINVAL,
	 "carbon.conf:1: Signal: \"mean\" is not valid; use average or "
	 "marginal"},
	{"Basis=full", CARBON_EINVAL,
	 "carbon.conf:1: Basis: \"full\" is not valid; use lifecycle, direct "
	 "or operational"},
	{"DefaultUrgency=later", CARBON_EINVAL,
	 "carbon.conf:1: DefaultUrgency: \"later\" is not valid; use "
	 "critical, normal or flexible"},
	{"LogLevel=trace", CARBON_EINVAL,
	 "carbon.conf:1: LogLevel: \"trace\" is not valid; use quiet, error, "
	 "info, verbose or debug"},
	{"ForecastFallbackDays=29", CARBON_ERANGE,
	 "carbon.conf:1: ForecastFallbackDays: \"29\" is out of range; use an "
	 "integer from 0 to 28"},
	{"MetricsListen=9550", CARBON_EINVAL,
	 "carbon.conf:1: MetricsListen: \"9550\" is not HOST:PORT; use e.g. "
	 "127.0.0.1:9550 or [::1]:9550"},
	{"MetricsListen=:9550", CARBON_EINVAL,
	 "carbon.conf:1: MetricsListen: "
	 "\":9550\" is not HOST:PORT"},
	{"MetricsListen=[::1]9550", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MetricsListen: "
	 "\"[::1]9550\""},
	{"MetricsListen=[:9550", CARBON_EINVAL, "carbon.conf:1: MetricsListen"},
	{"MetricsListen=[]:9550", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MetricsListen"},
	{"MetricsListen=[ab.cd]:9550", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MetricsListen"},
	{"MetricsListen=a:b:1", CARBON_EINVAL, "carbon.conf:1: MetricsListen"},
	{"MetricsListen=host:http", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "MetricsListen"},
	{"MetricsListen=host:", CARBON_EINVAL,
	 "carbon.conf:1: MetricsListen: "
	 "\"host:\" is not HOST:PORT"},
	{"MetricsListen=host:0", CARBON_ERANGE,
	 "carbon.conf:1: MetricsListen: port 0 is out of range; use 1 to "
	 "65535"},
	{"MetricsListen=host:65536", CARBON_ERANGE,
	 "carbon.conf:1: "
	 "MetricsListen: port 65536"},
	/* clusters */
	{"\nClusterName=es", CARBON_EINVAL,
	 "carbon.conf:2: ClusterName=es: give Zone=ZONE (defined by a Zone "
	 "line) or FallbackIntensity=G (a constant intensity)"},
	{KEY "ClusterName=es Zone=XX", CARBON_EINVAL,
	 "carbon.conf:2: ClusterName=es: Zone: \"XX\" is not defined by a "
	 "Zone line; define it, or drop Zone and give FallbackIntensity"},
	{"ClusterName=es FallbackIntensity=1\nClusterName=ES "
	 "FallbackIntensity=2",
	 CARBON_EINVAL,
	 "carbon.conf:2: ClusterName=ES: already defined at line "
	 "1"},
	{"ClusterName=e/s FallbackIntensity=1", CARBON_EINVAL,
	 "carbon.conf:1: ClusterName: \"e/s\" is not a name"},
	{"ClusterName=es FallbackIntensity=1 PUE=0.9", CARBON_ERANGE,
	 "carbon.conf:1: PUE: \"0.9\" is out of range; use a number from 1 to "
	 "3"},
	{"ClusterName=es FallbackIntensity=1 PUE=3.01", CARBON_ERANGE,
	 "carbon.conf:1: PUE"},
	{"ClusterName=es FallbackIntensity=5001", CARBON_ERANGE,
	 "carbon.conf:1: FallbackIntensity"},
	{"ClusterName=es FallbackIntensity=1 CorePower=1001", CARBON_ERANGE,
	 "carbon.conf:1: CorePower"},
	{"ClusterName=es FallbackIntensity=1 GpuPower=2001", CARBON_ERANGE,
	 "carbon.conf:1: GpuPower"},
	{"ClusterName=es FallbackIntensity=1 MemPower=10.5", CARBON_ERANGE,
	 "carbon.conf:1: MemPower"},
	{"ClusterName=es FallbackIntensity=1 EcoPartition=a,b", CARBON_EINVAL,
	 "carbon.conf:1: EcoPartition: \"a,b\" is not a name"},
	{"ClusterName=es FallbackIntensity=1 EcoQos=a:b", CARBON_EINVAL,
	 "carbon.conf:1: EcoQos"},
	{"ClusterName=es FallbackIntensity=1 EcoCpuFreq=turbo", CARBON_EINVAL,
	 "carbon.conf:1: EcoCpuFreq: \"turbo\" is not a CPU frequency; use "
	 "low, medium, highm1, high or 1 to 100000000 (kHz)"},
	{"ClusterName=es FallbackIntensity=1 EcoCpuFreq=0", CARBON_EINVAL,
	 "carbon.conf:1: EcoCpuFreq: \"0\""},
	{"ClusterName=es FallbackIntensity=1 EcoCpuFreq=100000001",
	 CARBON_EINVAL, "carbon.conf:1: EcoCpuFreq"},
	{"ClusterName=es FallbackIntensity=1 Providers=x", CARBON_EINVAL,
	 "carbon.conf:1: unknown key \"Providers\" on a ClusterName line; its "
	 "keys are ClusterName, Zone, PUE, CorePower, GpuPower, MemPower, "
	 "FallbackIntensity, EcoPartition, EcoQos, EcoCpuFreq"},
	{"ClusterName=es Zone=ES zone=NO", CARBON_EINVAL,
	 "carbon.conf:1: Zone: given twice on this line"},
	/* zones */
	{KEY "Zone=ES", CARBON_EINVAL,
	 "carbon.conf:2: Zone=ES: Providers is required"},
	{"Zone=ES Providers=r\n" RP, CARBON_EINVAL,
	 "carbon.conf:1: HmacKeyFile: required once a Zone is defined (cache "
	 "records are signed); add HmacKeyFile=PATH"},
	{KEY Z1 "Zone=es Providers=r", CARBON_EINVAL,
	 "carbon.conf:4: Zone=es: already defined at line 2"},
	{KEY "Zone=ES Providers=a,,b", CARBON_EINVAL,
	 "carbon.conf:2: Providers: \"a,,b\" is not a list of provider names; "
	 "use NAME[,NAME...], each 1-64 letters, digits, '_', '.' or '-'"},
	{KEY "Zone=ES Providers=a,", CARBON_EINVAL,
	 "carbon.conf:2: Providers: \"a,\" is not a list"},
	{KEY "Zone=ES Providers=a,b,A", CARBON_EINVAL,
	 "carbon.conf:2: Providers: \"a\" is listed twice"},
	{KEY "Zone=ES Providers=a,b,c,d,e,f,g,h,i", CARBON_ERANGE,
	 "carbon.conf:2: Providers: more than 8 providers"},
	{KEY "Zone=ES Providers=static", CARBON_EINVAL,
	 "carbon.conf:2: Zone=ES: Providers: \"static\" needs "
	 "StaticIntensity=G on the same line"},
	{KEY "Zone=ES Providers=r,foo\n" RP, CARBON_EINVAL,
	 "carbon.conf:2: Zone=ES: Providers: \"foo\" is not defined by a "
	 "Provider line (or use \"static\")"},
	{KEY "Zone=ES Providers=w\nProvider=w Type=watttime User=u "
	     "PasswordFile=/p",
	 CARBON_EINVAL,
	 "carbon.conf:2: Zone=ES: Providers: \"w\" yields marginal/operational "
	 "data, but the site ranks on Signal=average Basis=lifecycle; signals "
	 "and bases are never mixed"},
	{KEY "Basis=direct\nZone=ES Providers=r\n" RP, CARBON_EINVAL,
	 "carbon.conf:3: Zone=ES: Providers: \"r\" yields average/lifecycle "
	 "data, but the site ranks on Signal=average Basis=direct"},
	{KEY "Zone=ES Providers=static StaticIntensity=-3", CARBON_EINVAL,
	 "carbon.conf:2: StaticIntensity: \"-3\" is not a number"},
	{KEY "Zone=ES Providers=r Areas=entsoe", CARBON_EINVAL,
	 "carbon.conf:2: Areas: \"entsoe\" is not a list of PROVIDER:AREA; "
	 "use e.g. entsoe:10YES-REE------0"},
	{KEY "Zone=ES Providers=r Areas=r:", CARBON_EINVAL,
	 "carbon.conf:2: Areas: \"r:\" is not a list"},
	{KEY "Zone=ES Providers=r Areas=:x", CARBON_EINVAL,
	 "carbon.conf:2: Areas: \":x\" is not a list"},
	{KEY "Zone=ES Providers=r Areas=r:a,", CARBON_EINVAL,
	 "carbon.conf:2: Areas: \"r:a,\" is not a list"},
	{KEY "Zone=ES Areas=x:y Providers=r", CARBON_EINVAL,
	 "carbon.conf:2: Areas: provider \"x\" is not in this zone's "
	 "Providers"},
	{KEY "Zone=ES Providers=r Areas=r:a,R:b", CARBON_EINVAL,
	 "carbon.conf:2: Areas: provider \"R\" is listed twice"},
	{KEY "Zone=ES Providers=r Areas=a:1,b:2,c:3,d:4,e:5,f:6,g:7,h:8,i:9",
	 CARBON_ERANGE, "carbon.conf:2: Areas: more than 8 areas"},
	/* providers */
	{"Provider=static Type=replay Trace=/t", CARBON_EINVAL,
	 "carbon.conf:1: Provider=static: the name is reserved for the "
	 "built-in provider"},
	{"Provider=foo", CARBON_EINVAL,
	 "carbon.conf:1: Provider=foo: Type: required when the name is not a "
	 "type; use electricitymaps, watttime, ukci, entsoe, gsf or replay"},
	{"Provider=foo Type=bogus", CARBON_EINVAL,
	 "carbon.conf:1: Type: \"bogus\" is not valid; use electricitymaps, "
	 "watttime, ukci, entsoe, gsf or replay"},
	{"Provider=electricitymaps", CARBON_EINVAL,
	 "carbon.conf:1: Provider=electricitymaps: TokenFile is required for "
	 "Type=electricitymaps"},
	{"Provider=watttime User=u", CARBON_EINVAL,
	 "carbon.conf:1: Provider=watttime: PasswordFile is required for "
	 "Type=watttime"},
	{"Provider=entsoe TokenFile=/t", CARBON_EINVAL,
	 "carbon.conf:1: Provider=entsoe: FactorTable is required for "
	 "Type=entsoe"},
	{"Provider=gsf", CARBON_EINVAL,
	 "carbon.conf:1: Provider=gsf: Url is required for Type=gsf"},
	{"Provider=replay", CARBON_EINVAL,
	 "carbon.conf:1: Provider=replay: Trace is required for Type=replay"},
	{RP " Url=https://x", CARBON_EINVAL,
	 "carbon.conf:1: Provider=r: Url does not apply to Type=replay"},
	{"Provider=ukci Trace=/t", CARBON_EINVAL,
	 "carbon.conf:1: Provider=ukci: Trace does not apply to Type=ukci"},
	{"Provider=ukci Signal=average", CARBON_EINVAL,
	 "carbon.conf:1: Provider=ukci: Signal does not apply to Type=ukci"},
	{"Provider=ukci Url=ftp://x", CARBON_EINVAL,
	 "carbon.conf:1: Url: \"ftp://x\" is not a URL; use "
	 "https://HOST[/PATH]"},
	{"Provider=ukci Url=https://", CARBON_EINVAL,
	 "carbon.conf:1: Url: \"https://\" is not a URL"},
	{"Provider=ukci Url=\"https://a b\"", CARBON_EINVAL,
	 "carbon.conf:1: Url: a URL has no spaces or non-ASCII bytes"},
	{"Provider=ukci Url=https://\xc3\xa9", CARBON_EINVAL,
	 "carbon.conf:1: Url: a URL has no spaces"},
	{"Provider=entsoe TokenFile=/t FactorTable=nope", CARBON_EINVAL,
	 "carbon.conf:1: Provider=entsoe: FactorTable: \"nope\" is not "
	 "defined by an EmissionFactors line"},
	{RP " TraceStart=2023-02-29", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart: \"2023-02-29\" is not a UTC time; use "
	 "YYYY-MM-DD[THH:MM[:SS]][Z]"},
	{RP " TraceStart=2023-06-01T12", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-06-01 12:00", CARBON_EINVAL,
	 "carbon.conf:1: expected Key=Value at column 55 (\"12:00\")"},
	{RP " TraceStart=1969-12-31T23:59:59", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-13-01", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-00-01", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-00", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01T24:00", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01T23:60", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01T23:00:60", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01X23:00", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01T23-00", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023-01-01T23:00-00", CARBON_EINVAL,
	 "carbon.conf:1: TraceStart"},
	{RP " TraceStart=2023/01/01", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "TraceStart"},
	{RP " TraceStart=2023-0a-01", CARBON_EINVAL,
	 "carbon.conf:1: "
	 "TraceStart"},
	{RP " SpeedUp=0", CARBON_ERANGE,
	 "carbon.conf:1: SpeedUp: \"0\" is out of range; use a number from "
	 "0.001 to 100000"},
	{RP " PollInterval=5s", CARBON_ERANGE, "carbon.conf:1: PollInterval"},
	{"Provider=ukci Timeout=0s", CARBON_ERANGE,
	 "carbon.conf:1: Timeout: \"0s\" is too short; use a duration from 1s "
	 "to 2m"},
	{"Provider=ukci Timeout=3m", CARBON_ERANGE, "carbon.conf:1: Timeout"},
	{"Provider=electricitymaps TokenFile=/t EmissionFactorType=operational",
	 CARBON_EINVAL,
	 "carbon.conf:1: EmissionFactorType: \"operational\" is not valid; "
	 "use lifecycle or direct"},
	{"Provider=watttime User=u PasswordFile=/p SignalType=moer",
	 CARBON_EINVAL,
	 "carbon.conf:1: SignalType: \"moer\" is not valid; use co2_moer or "
	 "co2_aoer"},
	/* factor tables */
	{"EmissionFactors=t B04=490", CARBON_EINVAL,
	 "carbon.conf:1: EmissionFactors=t: Default is required"},
	{"EmissionFactors=t Default=1 B26=1", CARBON_EINVAL,
	 "carbon.conf:1: unknown key \"B26\" on a EmissionFactors line; its "
	 "keys are EmissionFactors, Basis, Default, B01, B02,"},
	{"EmissionFactors=t Default=1 B04=6000", CARBON_ERANGE,
	 "carbon.conf:1: B04: \"6000\" is out of range; use a number from 0 "
	 "to 5000"},
	{"EmissionFactors=t Default=1 B04=1 b04=2", CARBON_EINVAL,
	 "carbon.conf:1: B04: given twice on this line"},
	{"EmissionFactors=t Default=1\nEmissionFactors=T Default=2",
	 CARBON_EINVAL, "carbon.conf:2: EmissionFactors=T: already defined"},
	/* partition and QOS defaults */
	{"PartitionDefaults=batch", CARBON_EINVAL,
	 "carbon.conf:1: PartitionDefaults=batch: give Urgency=critical|"
	 "normal|flexible and/or MaxDelay=INTERVAL"},
	{"QosDefaults=q", CARBON_EINVAL,
	 "carbon.conf:1: QosDefaults=q: give Urgency="},
	{"PartitionDefaults=batch MaxDelay=90", CARBON_EINVAL,
	 "carbon.conf:1: MaxDelay: \"90\" needs a unit; use e.g. 90s, 90m or "
	 "H:MM:SS, from 0s to 31d"},
	{"PartitionDefaults=batch Urgency=soon", CARBON_EINVAL,
	 "carbon.conf:1: Urgency: \"soon\" is not valid; use critical, normal "
	 "or flexible"},
	{"PartitionDefaults=batch MaxDelay=2d\nMaxDelayLimit=1d", CARBON_ERANGE,
	 "carbon.conf:1: PartitionDefaults=batch: MaxDelay: 172800s is above "
	 "MaxDelayLimit (86400s); lower it or raise MaxDelayLimit"},
	{"\nQosDefaults=q MaxDelay=25h", CARBON_ERANGE,
	 "carbon.conf:2: QosDefaults=q: MaxDelay: 90000s is above "
	 "MaxDelayLimit (86400s)"},
	{"QosDefaults=q Urgency=normal\nQosDefaults=Q Urgency=normal",
	 CARBON_EINVAL,
	 "carbon.conf:2: QosDefaults=Q: already defined at "
	 "line 1"},
};

static void check_bad(const char *in, size_t len, int code, const char *msg)
{
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[1024] = "";
	int rc = carbon_config_parse(cfg, in, len, "carbon.conf", err,
				     sizeof(err));

	if (rc != code || strncmp(err, msg, strlen(msg)))
		fail_msg(
			"\"%s\": rc %d (want %d)\n  err  \"%s\"\n  want \"%s\"",
			in, rc, code, err, msg);
	carbon_config_free(cfg);
}

static void test_rejections(void **state)
{
	int failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *k = &bad_cases[i];
		struct carbon_config *cfg = carbon_cache_conf_new();
		char err[1024] = "";
		int rc = carbon_config_parse(cfg, k->in, strlen(k->in),
					     "carbon.conf", err, sizeof(err));

		if (rc != k->code || strncmp(err, k->msg, strlen(k->msg))) {
			print_error("\"%s\": rc %d (want %d)\n  err  \"%s\"\n"
				    "  want \"%s\"\n",
				    k->in, rc, k->code, err, k->msg);
			failed++;
		}
		carbon_config_free(cfg);
	}
	assert_int_equal(failed, 0);
}

/* Each line of the example, broken, is reported at its own line. */
static void test_example_line_numbers(void **state)
{
	static const struct {
		const char *from, *to;
		unsigned line;
	} edits[] = {
		{"RedisPort=6390", "RedisPort=x", 3},
		{"MaxDelayLimit=2d", "MaxDelayLimit=2", 15},
		{"EcoCpuFreq=Medium", "EcoCpuFreq=max", 20},
		{"Zone=NO PUE=1.1", "Zone=NX PUE=1.1", 21},
		{"CAISO", "CAISO,x:y", 26},
		{"SpeedUp=60", "SpeedUp=6e1", 27},
		{"FactorTable=IPCC2014", "FactorTable=IPCC2013", 32},
		{"Default=700", "Default=7OO", 31},
		{"MaxDelay=1-00:00:00", "MaxDelay=3-00:00:00", 40},
	};
	char buf[sizeof(example) + 64], want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		const char *at = strstr(example, edits[i].from);
		size_t pre = (size_t)(at - example);
		struct carbon_config *cfg = carbon_cache_conf_new();
		char err[1024] = "";

		assert_non_null(at);
		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)pre, example,
			 edits[i].to, at + strlen(edits[i].from));
		assert_int_not_equal(
			carbon_config_parse(cfg, buf, strlen(buf),
					    "/etc/slurm/carbon.conf", err,
					    sizeof(err)),
			0);
		snprintf(want, sizeof(want),
			 "/etc/slurm/carbon.conf:%u: ", edits[i].line);
		if (strncmp(err, want, strlen(want)))
			fail_msg("edit %zu: \"%s\", want \"%s\"", i, err, want);
		carbon_config_free(cfg);
	}
}

static void test_bytes_and_lines(void **state)
{
	char *big = malloc(CARBON_CONFIG_BYTES_MAX + 1);
	char line[CARBON_CONFIG_LINE_MAX + 16];
	static const char nul[] = "RedisPort=1\nRedisHost=a\0b\n";

	(void)state;
	assert_non_null(big);
	memset(big, '\n', CARBON_CONFIG_BYTES_MAX + 1);
	check_bad(big, CARBON_CONFIG_BYTES_MAX + 1, CARBON_ETOOLONG,
		  "carbon.conf: larger than 1048576 bytes");
	/* blank lines up to the cap are fine */
	{
		struct carbon_config *cfg = carbon_cache_conf_new();

		assert_int_equal(carbon_config_parse(cfg, big,
						     CARBON_CONFIG_BYTES_MAX,
						     NULL, NULL, 0),
				 0);
		carbon_config_free(cfg);
	}
	free(big);
	/* a comment line of exactly the cap is fine; one byte more is not */
	memset(line, '#', CARBON_CONFIG_LINE_MAX);
	line[CARBON_CONFIG_LINE_MAX] = '\0';
	check_bad(line, strlen(line), 0, "");
	strcat(line, "#");
	check_bad(line, strlen(line), CARBON_ETOOLONG,
		  "carbon.conf:1: line longer than 2048 bytes");
	check_bad(nul, sizeof(nul) - 1, CARBON_EINVAL,
		  "carbon.conf:2: control byte 0x00 at column 12");
	/* a value one byte over its field */
	strcpy(line, "Provider=r Type=replay Trace=/t ValueColumn=");
	memset(line + strlen(line), 'v', CARBON_CONFIG_PATH_MAX + 1);
	line[44 + CARBON_CONFIG_PATH_MAX + 1] = '\0';
	check_bad(line, strlen(line), CARBON_ETOOLONG,
		  "carbon.conf:1: ValueColumn: value longer than 1024 "
		  "characters");
	line[44 + CARBON_CONFIG_PATH_MAX] = '\0';
	check_bad(line, strlen(line), 0, "");
	/* a host name over 255 bytes; a listen address over its field */
	strcpy(line, "RedisHost=");
	memset(line + 10, 'h', 256);
	line[10 + 256] = '\0';
	check_bad(line, strlen(line), CARBON_EINVAL,
		  "carbon.conf:1: RedisHost: \"hhhh");
	line[10 + 255] = '\0';
	check_bad(line, strlen(line), 0, "");
	strcpy(line, "MetricsListen=[");
	memset(line + 15, 'a', 250);
	line[15] = line[16] = ':';
	strcpy(line + 15 + 250, "]:000000000000001");
	check_bad(line, strlen(line), CARBON_ETOOLONG,
		  "carbon.conf:1: MetricsListen: value longer than 262 "
		  "characters");
	/* 65 pairs on one line */
	line[0] = '\0';
	for (int i = 0; i < 65; i++)
		strcat(line, "B04=1 ");
	check_bad(line, strlen(line), CARBON_ERANGE,
		  "carbon.conf:1: more than 64 Key=Value pairs on one line");
}

static void test_record_caps(void **state)
{
	static const struct {
		const char *head, *tail;
		int max;
		const char *msg;
	} caps[] = {
		{"ClusterName=c", "FallbackIntensity=1", 64,
		 "more than 64 ClusterName lines"},
		{"Zone=z", "Providers=static StaticIntensity=1", 64,
		 "more than 64 Zone lines"},
		{"Provider=p", "Type=ukci", 64, "more than 64 Provider lines"},
		{"EmissionFactors=t", "Default=1", 16,
		 "more than 16 EmissionFactors lines"},
		{"PartitionDefaults=p", "Urgency=normal", 256,
		 "more than 256 PartitionDefaults lines"},
		{"QosDefaults=q", "Urgency=normal", 256,
		 "more than 256 QosDefaults lines"},
	};

	(void)state;
	for (size_t k = 0; k < sizeof(caps) / sizeof(caps[0]); k++) {
		char *buf = malloc(64 * 1024), want[128];
		struct carbon_config *cfg;
		size_t at = 0;

		assert_non_null(buf);
		at += (size_t)sprintf(buf, KEY);
		for (int i = 0; i < caps[k].max; i++)
			at += (size_t)sprintf(buf + at, "%s%d %s\n",
					      caps[k].head, i, caps[k].tail);
		cfg = parse_ok(buf);
		carbon_config_free(cfg);
		sprintf(buf + at, "%s%d %s\n", caps[k].head, caps[k].max,
			caps[k].tail);
		snprintf(want, sizeof(want), "carbon.conf:%d: %s",
			 caps[k].max + 2, caps[k].msg);
		check_bad(buf, strlen(buf), CARBON_ERANGE, want);
		free(buf);
	}
}

static void test_args(void **state)
{
	static const char *const argv[] = {"ConfigFile=/etc/carbon/c.conf",
					   "SnapshotRefresh=10s",
					   "RedisPort=7000", "LogLevel=debug"};
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[512] = "";

	(void)state;
	/* arguments first: the adapter learns ConfigFile, and they win */
	assert_int_equal(carbon_config_parse_args(cfg, 4, argv, "spank", err,
						  sizeof(err)),
			 0);
	assert_string_equal(cfg->config_file, "/etc/carbon/c.conf");
	assert_int_equal(carbon_config_parse(cfg, example, strlen(example),
					     cfg->config_file, err,
					     sizeof(err)),
			 0);
	assert_int_equal(cfg->redis_port, 7000);
	assert_int_equal(cfg->snapshot_refresh, 10);
	assert_int_equal(cache(cfg)->log_level, CARBON_CACHE_LOG_DEBUG);
	assert_int_equal(cfg->n_clusters, 3);
	/* arguments after the file override it too */
	assert_int_equal(carbon_config_parse_arg_string(
				 cfg, "  RedisHost=\"::1\"\tStaleAfter=4h  # x",
				 "job_submit/carbon", err, sizeof(err)),
			 0);
	assert_string_equal(cfg->redis_host, "::1");
	assert_int_equal(cfg->stale_after, 4 * 3600);
	/* a file cannot be parsed twice into one config */
	assert_int_equal(
		carbon_config_parse(cfg, "", 0, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "carbon.conf: internal error: bad arguments "
				 "or parsed twice");
	/* a change that breaks a record is reported at the record */
	assert_int_equal(carbon_config_parse_arg_string(cfg, "MaxDelayLimit=1h",
							"spank", err,
							sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "/etc/carbon/c.conf:37: "
				 "PartitionDefaults=batch: MaxDelay: 43200s "
				 "is above MaxDelayLimit (3600s); lower it or "
				 "raise MaxDelayLimit");
	carbon_config_free(cfg);
}

static void test_args_win_but_file_checked(void **state)
{
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[512] = "";

	(void)state;
	assert_int_equal(carbon_config_parse_arg_string(cfg, "RedisPort=7000",
							NULL, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_config_parse(cfg, "RedisPort=99999", 15,
					     "c.conf", err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "c.conf:1: RedisPort: \"99999\" is out of "
				 "range; use an integer from 1 to 65535");
	carbon_config_free(cfg);
	cfg = carbon_cache_conf_new();
	assert_int_equal(carbon_config_parse_arg_string(
				 cfg, "MetricsListen=[::1]:1 RedisUser=u", "x",
				 err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "x: RedisUser: needs RedisPasswordFile=PATH "
				 "(an ACL user always has a password)");
	carbon_config_free(cfg);
	/* the file's RedisUser, with the password file given as argument */
	cfg = carbon_cache_conf_new();
	assert_int_equal(carbon_config_parse_arg_string(cfg,
							"MetricsListen=[::1]:1",
							"x", err, sizeof(err)),
			 0);
	assert_string_equal(cache(cfg)->metrics.host, "::1");
	assert_int_equal(cache(cfg)->metrics.port, 1);
	assert_int_equal(carbon_config_parse(cfg,
					     "MetricsListen=h:2\nRedisUser=u",
					     29, "c.conf", err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "c.conf:2: RedisUser: needs "
				 "RedisPasswordFile=PATH (an ACL user always "
				 "has a password)");
	assert_string_equal(cache(cfg)->metrics.host, "::1");
	carbon_config_free(cfg);
}

static void test_args_rejections(void **state)
{
	static const struct {
		const char *args;
		int code;
		const char *msg;
	} cases[] = {
		{"ClusterName=x", CARBON_EINVAL,
		 "spank: ClusterName: only global keys are accepted here"},
		{"PUE=1", CARBON_EINVAL,
		 "spank: PUE: only global keys are accepted here"},
		{"Nope=1", CARBON_EINVAL,
		 "spank: unknown key \"Nope\"; global keys are RedisHost,"},
		{"LogLevel=info loglevel=debug", CARBON_EINVAL,
		 "spank: LogLevel: given twice"},
		{"LogLevel=", CARBON_EINVAL, "spank: LogLevel: empty value"},
		{"LogLevel", CARBON_EINVAL,
		 "spank: expected Key=Value at column 1"},
		{"RedisPort=0", CARBON_ERANGE,
		 "spank: RedisPort: \"0\" is out"},
		{"RedisPort=1\n", CARBON_EINVAL,
		 "spank: control byte 0x0a at column 12"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct carbon_config *cfg = carbon_cache_conf_new();
		char err[512] = "";
		int rc = carbon_config_parse_arg_string(
			cfg, cases[i].args, "spank", err, sizeof(err));

		if (rc != cases[i].code ||
		    strncmp(err, cases[i].msg, strlen(cases[i].msg)))
			fail_msg("\"%s\": rc %d, err \"%s\"", cases[i].args, rc,
				 err);
		carbon_config_free(cfg);
	}
}

static void test_argv_rejections(void **state)
{
	static const char *const dup[] = {"LogLevel=info", "LOGLEVEL=debug"};
	static const char *const noeq[] = {"LogLevel"};
	static const char *const empty[] = {"LogLevel="};
	static const char *const nokey[] = {"=info"};
	static const char *const null[] = {NULL};
	static const char *const ctl[] = {"LogLevel=\tinfo"};
	static const char *const spaced[] = {"TimeColumn=a b"};
	const char *many[65];
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[512];

	(void)state;
	assert_int_equal(
		carbon_config_parse_args(cfg, 2, dup, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "plugin arguments: LogLevel: given twice");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, noeq, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: \"LogLevel\" is not Key=Value");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, empty, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: \"LogLevel=\" is not Key=Value");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, nokey, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, null, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: \"\" is not Key=Value");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, ctl, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: control byte 0x09 at column 10");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, spaced, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: TimeColumn: only global keys are "
				 "accepted here");
	for (int i = 0; i < 65; i++)
		many[i] = "LogLevel=info";
	assert_int_equal(
		carbon_config_parse_args(cfg, 65, many, "a", err, sizeof(err)),
		CARBON_ETOOLONG);
	assert_string_equal(err, "a: arguments longer than 2048 bytes or more "
				 "than 64");
	assert_int_equal(
		carbon_config_parse_args(cfg, 0, NULL, "a", err, sizeof(err)),
		0);
	assert_int_equal(
		carbon_config_parse_args(cfg, -1, NULL, "a", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "a: internal error: bad arguments");
	assert_int_equal(
		carbon_config_parse_args(cfg, 1, NULL, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "plugin arguments: internal error: bad "
				 "arguments");
	assert_int_equal(carbon_config_parse_args(NULL, 0, NULL, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_config_parse_arg_string(NULL, "", NULL, err,
							sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_config_parse_arg_string(cfg, NULL, "b", err,
							sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "b: internal error: bad arguments");
	carbon_config_free(cfg);
}

static void test_bad_calls_and_names(void **state)
{
	struct carbon_config *cfg = carbon_cache_conf_new();
	char err[256];

	(void)state;
	assert_int_equal(
		carbon_config_parse(NULL, "", 0, "f", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "f: internal error: bad arguments or parsed "
				 "twice");
	assert_int_equal(
		carbon_config_parse(cfg, NULL, 3, "", err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_config_parse(cfg, NULL, 0, "", err, sizeof(err)), 0);
	assert_null(carbon_config_cluster_peek(NULL, "es"));
	assert_null(carbon_config_cluster_peek(cfg, NULL));
	assert_null(carbon_config_zone_peek(cfg, "ES"));
	assert_null(carbon_provider_conf_peek(cfg, "x"));
	assert_null(carbon_factors_peek(cfg, "x"));
	assert_null(carbon_config_partition_peek(cfg, "x"));
	assert_null(carbon_config_qos_peek(cfg, "x"));
	assert_string_equal(carbon_provider_type_name(CARBON_PROVIDER_NONE),
			    "none");
	assert_string_equal(carbon_provider_type_name(CARBON_PROVIDER_GSF),
			    "gsf");
	assert_string_equal(
		carbon_provider_type_name((enum carbon_provider_type)42),
		"unknown");
	assert_string_equal(
		carbon_provider_default_url(CARBON_PROVIDER_ELECTRICITYMAPS),
		"https://api.electricitymap.org/v3/");
	assert_string_equal(carbon_provider_default_url(CARBON_PROVIDER_REPLAY),
			    "");
	carbon_config_free(cfg);
	/* a message cut to the caller's buffer */
	cfg = carbon_cache_conf_new();
	assert_int_equal(carbon_config_parse(cfg, "Foo=1", 5, NULL, err, 24),
			 CARBON_EINVAL);
	assert_string_equal(err, "carbon.conf:1: unkno...");
	carbon_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_globals),
		cmocka_unit_test(test_example_clusters),
		cmocka_unit_test(test_example_zones),
		cmocka_unit_test(test_example_providers),
		cmocka_unit_test(test_example_tables_defaults),
		cmocka_unit_test(test_job_defaults),
		cmocka_unit_test(test_new_defaults),
		cmocka_unit_test(test_redis_roles),
		cmocka_unit_test(test_policy_params_defaults),
		cmocka_unit_test(test_policy_params),
		cmocka_unit_test(test_flexible_max_delay),
		cmocka_unit_test(test_cluster_power),
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_rejections),
		cmocka_unit_test(test_example_line_numbers),
		cmocka_unit_test(test_bytes_and_lines),
		cmocka_unit_test(test_record_caps),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_args_win_but_file_checked),
		cmocka_unit_test(test_args_rejections),
		cmocka_unit_test(test_argv_rejections),
		cmocka_unit_test(test_bad_calls_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
