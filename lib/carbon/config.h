/*
 * carbon/config.h: carbon.conf and plugin arguments, parsed and checked.
 *
 * One table-driven parser serves every component: the slurmctld plugins,
 * the SPANK plugin, carbon-cached and the tools read the same file, and the
 * plugins' argument strings use the same keys.  The caller reads the file
 * and passes its bytes (the core does no I/O; checking that token files are
 * 0600 is the adapter's job: here they are only paths).
 *
 * Syntax, as slurm.conf: one entry per line; "#" outside double quotes
 * starts a comment; keys are case-insensitive; a line holds one or more
 * space-separated Key=Value pairs (no spaces around "="); a value may be
 * double-quoted ("a b", no escapes, no '"' inside) to hold spaces or "#".
 * No line continuation and no Include.  CRLF line ends are accepted.
 * Limits: CARBON_CONFIG_BYTES_MAX bytes, CARBON_CONFIG_LINE_MAX bytes a
 * line, no NUL or other control bytes; bytes above 0x7f (UTF-8) only in
 * paths and column names.  Names (cluster, zone, provider, table, partition, QOS,
 * key id) are 1-64 of [A-Za-z0-9_.-], compared case-insensitively.
 *
 * Time values ("interval" below) take a unit: 30s, 5m, 12h, 2d, or
 * H:MM:SS / D-HH:MM:SS (carbon/duration.h); a bare number other than 0 is
 * rejected, because slurm.conf reads it as seconds and sbatch --time as
 * minutes.  Numbers are decimal, "." as the point, no exponent.
 *
 * A line whose first key is one of ClusterName, Zone, Provider,
 * EmissionFactors, PartitionDefaults, QosDefaults is a record of that kind
 * and may hold only that kind's keys; any other line holds global keys.
 * A global key may be given once in the file.
 *
 * Global keys (default; range):
 *   RedisHost=HOST         127.0.0.1; a host name, an IP address, or an
 *                          absolute path to a Unix socket
 *   RedisPort=N            6379; 1-65535
 *   RedisUser=NAME         none; Redis ACL user (needs RedisPasswordFile)
 *   RedisPasswordFile=PATH none; absolute path
 *   RedisTimeout=MS        500; 10-60000 milliseconds, every Redis call
 *   RedisKeyPrefix=TEXT    "carbon:"; 1-64 of [A-Za-z0-9_.:-]; records
 *                          live at PREFIX "zone:" ZONE (carbon/record.h)
 *   HmacKeyFile=PATH       none; absolute path; required once any Zone is
 *                          defined: records are always signed
 *   HmacKeyId=NAME         "k1"; the id written into records
 *   PollInterval=INTERVAL  15m; 10s-1d: carbon-cached's provider polls
 *   SnapshotRefresh=INTERVAL 1m; 5s-1h: plugins re-read Redis
 *   StaleAfter=INTERVAL    2h; 1m-7d: data older is stale (fallback)
 *   ReplanInterval=INTERVAL 5m; 10s-1d: re-planning of pending jobs
 *   MinSavingPercent=P     5; 0-100: defer or move a job only if that
 *                          saves at least P % of its expected gCO2e
 *   ReplanHysteresisPercent=P 10; 0-100: move a planned job only when the
 *                          new plan saves a further P %
 *   SiblingSlackPercent=P  5; 0-1000: a job starting now keeps every
 *                          cluster whose run-now cost is within P % of
 *                          the chosen one's
 *   EcoThreshold=G         0 (off); 0-5000 gCO2eq/kWh: above it,
 *                          non-critical jobs get the cluster's Eco* settings
 *   Signal=average|marginal          average; the signal the site ranks on
 *   Basis=lifecycle|direct|operational   lifecycle (carbon/kind.h)
 *   DefaultUrgency=critical|normal|flexible   normal
 *   MaxDelayLimit=INTERVAL 1d; 0-31d: no job waits longer for cleaner power
 *   FlexibleMaxDelay=INTERVAL  1d, or MaxDelayLimit when that is shorter;
 *                          0 to MaxDelayLimit: how long a flexible job
 *                          without its own deadline or max delay may wait
 *   ForecastFallbackDays=N 1; 0-28: without a provider forecast, repeat
 *                          the last N days of history (0: no forecast)
 *   MetricsListen=HOST:PORT 127.0.0.1:9550; [IPv6]:PORT for IPv6
 *   LogLevel=quiet|error|info|verbose|debug   info
 *   ConfigFile=PATH        /etc/slurm/carbon.conf; plugin arguments only
 *
 * ClusterName=NAME record (one per federation member; at most
 * CARBON_CONFIG_CLUSTERS_MAX):
 *   Zone=ZONE              the grid zone it draws from; must be defined by
 *                          a Zone record.  Without Zone the cluster has the
 *                          constant FallbackIntensity, which must then be
 *                          given: a typo in Zone is an error, never a
 *                          silent constant.
 *   PUE=X                  1.56; 1.0-3.0
 *   CorePower=W            12; 0-1000 watts per core
 *   GpuPower=W             200; 0-2000 watts per GPU
 *   MemPower=W             0.3725; 0-10 watts per GB
 *   FallbackIntensity=G    0-5000 gCO2eq/kWh used when the zone's data is
 *                          missing, stale or badly signed; default the
 *                          zone's StaticIntensity, else 475 (world mean)
 *   EcoPartition=NAME, EcoQos=NAME   none; where eco-mode jobs go
 *   EcoCpuFreq=F           none; low|medium|highm1|high or 1-100000000 kHz
 *                          (Slurm's --cpu-freq)
 *
 * Zone=ZONE record (the zone's provider chain; at most ZONES_MAX):
 *   Providers=P1[,P2...]   required; 1-CARBON_CONFIG_CHAIN_MAX provider
 *                          names tried in order: "static" (built in) or a
 *                          Provider record's name.  Every provider must
 *                          yield the site's Signal and Basis.
 *   StaticIntensity=G      0-5000; required when the chain has "static"
 *   Areas=P:AREA[,...]     the zone's name at provider P when it differs
 *                          (ENTSO-E EIC code, WattTime region); default:
 *                          the zone name
 *
 * Provider=NAME record (an instance; at most PROVIDERS_MAX):
 *   Type=T                 electricitymaps|watttime|ukci|entsoe|gsf|replay;
 *                          default NAME when NAME is a type
 *   Url=URL                http(s)://...; default per type, see
 *                          carbon_config_default_url(); required for gsf
 *   TokenFile=PATH         electricitymaps, entsoe (required), gsf
 *   User=NAME, PasswordFile=PATH     watttime (both required)
 *   EmissionFactorType=lifecycle|direct   electricitymaps; lifecycle
 *   SignalType=co2_moer|co2_aoer     watttime; co2_moer (marginal)
 *   FactorTable=NAME       entsoe (required): an EmissionFactors record
 *   Signal=, Basis=        gsf, replay: what the data is; average,
 *                          lifecycle
 *   Timeout=INTERVAL       10s; 1s-2m: every HTTP request (not replay)
 *   PollInterval=INTERVAL  0 = the global PollInterval; 10s-1d
 *   Trace=PATH             replay (required): a CSV (carbon/trace_csv.h)
 *   TimeColumn=TEXT        replay; "Datetime (UTC)"
 *   ValueColumn=TEXT       replay; "Carbon Intensity gCO₂eq/kWh (LCA)"
 *   EstimatedColumn=TEXT   replay; none
 *   TraceStart=TIME        replay; the trace's first row: the trace instant
 *                          replayed when carbon-cached starts,
 *                          YYYY-MM-DD[THH:MM[:SS]][Z], UTC
 *   SpeedUp=X              replay; 1; 0.001-100000 trace seconds a second
 *   What each type yields: electricitymaps average/EmissionFactorType;
 *   watttime marginal/operational (co2_aoer: average/operational); ukci
 *   average/direct; entsoe average/its FactorTable's Basis; gsf and replay
 *   their Signal/Basis; static the site's Signal/Basis.
 *
 * EmissionFactors=NAME record (ENTSO-E A75 factor table; at most
 * FACTOR_TABLES_MAX): configuration, not code.
 *   Basis=lifecycle|direct|operational   lifecycle
 *   B01=G ... B25=G        0-5000 gCO2eq/kWh per production type (PSR)
 *   Default=G              required; for every code not listed
 *
 * PartitionDefaults=NAME and QosDefaults=NAME records (at most
 * DEFAULTS_MAX each): what a job gets when it gives no --carbon-* option.
 *   Urgency=critical|normal|flexible
 *   MaxDelay=INTERVAL      0 to MaxDelayLimit
 *   At least one of the two.  QOS beats partition beats DefaultUrgency,
 *   key by key (carbon_config_job_defaults()).
 *
 * Messages: "FILE:LINE: KEY: ..." for the file and "ORIGIN: KEY: ..." for
 * arguments; they name the key and say what would be accepted.  The first
 * error stops the parse.
 *
 * Ownership: carbon_config_new() returns a config the caller frees with
 * carbon_config_free(); every string is an array inside it; the _peek and
 * lookup functions return pointers into it, valid until it is freed.  A
 * parsed config is read-only and may be shared by threads.
 */
#ifndef CARBON_CONFIG_H
#define CARBON_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/kind.h"
#include "carbon/tags.h"

struct carbon_policy_params; /* carbon/policy.h */
struct carbon_power_model;   /* carbon/footprint.h */

#define CARBON_CONFIG_BYTES_MAX	      (1024 * 1024)
#define CARBON_CONFIG_LINE_MAX	      2048
#define CARBON_CONFIG_NAME_MAX	      64
#define CARBON_CONFIG_HOST_MAX	      255
#define CARBON_CONFIG_PATH_MAX	      1024 /* paths, URLs, column names */
#define CARBON_CONFIG_CLUSTERS_MAX    64
#define CARBON_CONFIG_ZONES_MAX	      64
#define CARBON_CONFIG_PROVIDERS_MAX   64
#define CARBON_CONFIG_TABLES_MAX      16
#define CARBON_CONFIG_DEFAULTS_MAX    256
#define CARBON_CONFIG_CHAIN_MAX	      8
#define CARBON_CONFIG_PSR_MAX	      25 /* B01..B25 */
#define CARBON_CONFIG_DEFAULT_FILE    "/etc/slurm/carbon.conf"
#define CARBON_CONFIG_WORLD_INTENSITY 475.0

enum carbon_config_log_level {
	CARBON_CONFIG_LOG_QUIET = 0,
	CARBON_CONFIG_LOG_ERROR,
	CARBON_CONFIG_LOG_INFO,
	CARBON_CONFIG_LOG_VERBOSE,
	CARBON_CONFIG_LOG_DEBUG,
};

enum carbon_config_provider_type {
	CARBON_CONFIG_PROVIDER_NONE = 0, /* only while parsing */
	CARBON_CONFIG_PROVIDER_ELECTRICITYMAPS,
	CARBON_CONFIG_PROVIDER_WATTTIME,
	CARBON_CONFIG_PROVIDER_UKCI,
	CARBON_CONFIG_PROVIDER_ENTSOE,
	CARBON_CONFIG_PROVIDER_GSF,
	CARBON_CONFIG_PROVIDER_REPLAY,
};

#define CARBON_CONFIG_NAME_BUF (CARBON_CONFIG_NAME_MAX + 1)
#define CARBON_CONFIG_PATH_BUF (CARBON_CONFIG_PATH_MAX + 1)

struct carbon_config_cluster {
	char name[CARBON_CONFIG_NAME_BUF];
	char zone[CARBON_CONFIG_NAME_BUF]; /* "": constant fallback only */
	double pue;
	double core_power;	   /* W per core */
	double gpu_power;	   /* W per GPU */
	double mem_power;	   /* W per GB */
	double fallback_intensity; /* gCO2eq/kWh, resolved (see above) */
	bool fallback_given;	   /* FallbackIntensity was in the file */
	char eco_partition[CARBON_CONFIG_NAME_BUF]; /* "": none */
	char eco_qos[CARBON_CONFIG_NAME_BUF];
	char eco_cpu_freq[CARBON_CONFIG_NAME_BUF];
	unsigned line;
};

struct carbon_config_area {
	char provider[CARBON_CONFIG_NAME_BUF];
	char area[CARBON_CONFIG_NAME_BUF];
};

struct carbon_config_zone {
	char name[CARBON_CONFIG_NAME_BUF];
	char providers[CARBON_CONFIG_CHAIN_MAX][CARBON_CONFIG_NAME_BUF];
	size_t n_providers;
	double static_intensity;
	bool has_static_intensity;
	struct carbon_config_area areas[CARBON_CONFIG_CHAIN_MAX];
	size_t n_areas;
	unsigned line;
};

struct carbon_config_provider {
	char name[CARBON_CONFIG_NAME_BUF];
	enum carbon_config_provider_type type;
	/* what its data is, resolved from the type and keys (see above) */
	enum carbon_signal signal;
	enum carbon_basis basis;
	char url[CARBON_CONFIG_PATH_BUF]; /* the type's default if not given */
	char token_file[CARBON_CONFIG_PATH_BUF];
	char user[CARBON_CONFIG_NAME_BUF];
	char password_file[CARBON_CONFIG_PATH_BUF];
	char factor_table[CARBON_CONFIG_NAME_BUF];
	int64_t timeout;       /* seconds */
	int64_t poll_interval; /* seconds; 0: the global PollInterval */
	char trace[CARBON_CONFIG_PATH_BUF];
	char time_column[CARBON_CONFIG_PATH_BUF];
	char value_column[CARBON_CONFIG_PATH_BUF];
	char estimated_column[CARBON_CONFIG_PATH_BUF]; /* "": none */
	int64_t trace_start; /* seconds since the epoch */
	bool has_trace_start;
	double speed_up;
	unsigned line;
	/* the raw keys, kept so that a re-check resolves the same way */
	enum carbon_basis emission_factor_type;
	enum carbon_signal signal_type;
	enum carbon_signal declared_signal;
	enum carbon_basis declared_basis;
};

struct carbon_config_factors {
	char name[CARBON_CONFIG_NAME_BUF];
	enum carbon_basis basis;
	/* factor[k] for code B(k+1); codes not given hold Default */
	double factor[CARBON_CONFIG_PSR_MAX];
	double other; /* Default=, for codes outside B01..B25 */
	unsigned line;
	uint32_t given; /* bit k: B(k+1) was given */
};

struct carbon_config_defaults {
	char name[CARBON_CONFIG_NAME_BUF];
	enum carbon_urgency urgency;
	bool has_urgency;
	int64_t max_delay; /* seconds */
	bool has_max_delay;
	unsigned line;
};

/* What carbon_config_job_defaults() resolves for one job. */
struct carbon_config_job_defaults {
	enum carbon_urgency urgency;
	bool has_max_delay;
	int64_t max_delay; /* seconds */
};

struct carbon_config {
	char redis_host[CARBON_CONFIG_HOST_MAX + 1];
	int redis_port;
	char redis_user[CARBON_CONFIG_NAME_BUF];
	char redis_password_file[CARBON_CONFIG_PATH_BUF];
	int redis_timeout_ms;
	char redis_key_prefix[CARBON_CONFIG_NAME_BUF];
	char hmac_key_file[CARBON_CONFIG_PATH_BUF];
	char hmac_key_id[CARBON_CONFIG_NAME_BUF];
	int64_t poll_interval; /* all intervals in seconds */
	int64_t snapshot_refresh;
	int64_t stale_after;
	int64_t replan_interval;
	double min_saving_percent;
	double replan_hysteresis_percent;
	double sibling_slack_percent;
	double eco_threshold; /* 0: eco mode off */
	enum carbon_signal signal;
	enum carbon_basis basis;
	enum carbon_urgency default_urgency;
	int64_t max_delay_limit;
	int64_t flexible_max_delay;    /* resolved: <= max_delay_limit */
	bool flexible_max_delay_given; /* FlexibleMaxDelay was set */
	int forecast_fallback_days;
	char metrics_listen[CARBON_CONFIG_HOST_MAX + 8]; /* as written */
	char metrics_host[CARBON_CONFIG_HOST_MAX + 1];	 /* without [] */
	int metrics_port;
	enum carbon_config_log_level log_level;
	char config_file[CARBON_CONFIG_PATH_BUF];

	struct carbon_config_cluster *clusters;
	size_t n_clusters;
	struct carbon_config_zone *zones;
	size_t n_zones;
	struct carbon_config_provider *providers;
	size_t n_providers;
	struct carbon_config_factors *tables;
	size_t n_tables;
	struct carbon_config_defaults *partitions;
	size_t n_partitions;
	struct carbon_config_defaults *qos;
	size_t n_qos;

	/* parser state: not for readers */
	uint64_t args_given; /* global keys set by arguments: they win */
	bool file_parsed;
	char file_name[CARBON_CONFIG_PATH_BUF]; /* for messages */
};

/* A config holding every default and no records; NULL if out of memory. */
struct carbon_config *carbon_config_new(void);

/* Free cfg and everything in it; NULL is a no-op. */
void carbon_config_free(struct carbon_config *cfg);

/*
 * Parse carbon.conf from buf (len bytes, need not be NUL-terminated; file
 * is the name used in messages) into cfg, fresh from carbon_config_new()
 * or holding only arguments (keys set by arguments keep their value: the
 * file's is checked, then ignored), and check the whole (references,
 * required keys).  A config is parsed from one file once: a second call
 * is CARBON_EINVAL.  Returns 0 or a negative code with "FILE:LINE: ..."
 * in err (CARBON_EINVAL, CARBON_ERANGE, CARBON_ETOOLONG, CARBON_ENOMEM);
 * after a failure cfg holds part of the file: free it.
 */
int carbon_config_parse(struct carbon_config *cfg, const char *buf, size_t len,
			const char *file, char *err,
			size_t errlen) CARBON_MUST_CHECK;

/*
 * Apply plugin arguments, each "Key=Value" (value taken as is, no
 * quotes), global keys only, each at most once; they override the file
 * whether given before or after it.  origin names them in messages (e.g.
 * "spank_carbon.so arguments").  Re-checks the whole config.  Returns 0 or
 * a negative code; after a failure free cfg.
 */
int carbon_config_parse_args(struct carbon_config *cfg, int argc,
			     const char *const argv[], const char *origin,
			     char *err, size_t errlen) CARBON_MUST_CHECK;

/* As carbon_config_parse_args() for one string of space-separated
 * Key=Value pairs, quotes allowed as in the file. */
int carbon_config_parse_arg_string(struct carbon_config *cfg, const char *args,
				   const char *origin, char *err,
				   size_t errlen) CARBON_MUST_CHECK;

/* Records by name (case-insensitive); NULL when absent. */
const struct carbon_config_cluster *
carbon_config_cluster_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_zone *
carbon_config_zone_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_provider *
carbon_config_provider_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_factors *
carbon_config_factors_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_defaults *
carbon_config_partition_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_defaults *
carbon_config_qos_peek(const struct carbon_config *cfg, const char *name);

/*
 * The defaults for a job without --carbon-* options: QosDefaults of qos,
 * then PartitionDefaults of the first partition in the comma-separated
 * list partition that has them, then DefaultUrgency, key by key.  NULL
 * names are allowed.  out is always written.
 */
void carbon_config_job_defaults(const struct carbon_config *cfg,
				const char *partition, const char *qos,
				struct carbon_config_job_defaults *out);

/* The zone's name at provider (its Areas entry, else the zone name). */
const char *carbon_config_zone_area(const struct carbon_config_zone *zone,
				    const char *provider);

/*
 * The factor for an ENTSO-E PSR code ("B04"); Default for any other code;
 * CARBON_CONFIG_WORLD_INTENSITY for a NULL table.
 */
double carbon_config_factor(const struct carbon_config_factors *table,
			    const char *psr);

/*
 * The policy's parameters from the site's keys: Signal, Basis,
 * MinSavingPercent, ReplanHysteresisPercent, SiblingSlackPercent,
 * EcoThreshold and FlexibleMaxDelay.  A default config yields exactly
 * CARBON_POLICY_PARAMS_DEFAULTS; a NULL cfg yields them too.  out is
 * always written (NULL out: nothing).
 */
void carbon_config_policy_params(const struct carbon_config *cfg,
				 struct carbon_policy_params *out);

/*
 * The cluster's power model: CorePower, GpuPower, MemPower and PUE.  A
 * cluster line without them (and a NULL c) yields
 * CARBON_POWER_MODEL_DEFAULTS.  out is always written (NULL out: nothing).
 */
void carbon_config_cluster_power(const struct carbon_config_cluster *c,
				 struct carbon_power_model *out);

/* "electricitymaps", ...; "none" for NONE, "unknown" when out of range. */
const char *
carbon_config_provider_type_name(enum carbon_config_provider_type t);

/* The type's API base URL, "" for gsf and replay (and bad types). */
const char *carbon_config_default_url(enum carbon_config_provider_type t);

#endif
