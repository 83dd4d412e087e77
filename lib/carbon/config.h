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
 * A line whose first key is one of ClusterName, Zone, PartitionDefaults,
 * QosDefaults (or a record kind an extension registers, see below) is a
 * record of that kind and may hold only that kind's keys; any other line
 * holds global keys.  A global key may be given once in the file.
 *
 * This header documents the core's keys, those every reader needs.
 * carbon-cached's own (MetricsListen, LogLevel, the Provider and
 * EmissionFactors records) are an extension it registers, documented in
 * carbon-cache/cache_conf.h and carbon-cache/providers/provider_conf.h;
 * every reader of carbon.conf registers it (see "Extensions" below).
 *
 * Global keys (default; range):
 *   RedisHost=HOST         127.0.0.1; a host name, an IP address, or an
 *                          absolute path to a Unix socket
 *   RedisPort=N            6379; 1-65535
 *   RedisUser=NAME         none; Redis ACL user (needs RedisPasswordFile)
 *   RedisPasswordFile=PATH none; absolute path
 *   CacheRedisUser=NAME    none; carbon-cached's own ACL user (needs
 *                          CacheRedisPasswordFile)
 *   CacheRedisPasswordFile=PATH none; absolute path.  When it is set,
 *                          carbon-cached (the writer) authenticates with
 *                          CacheRedisUser and this file, and RedisUser and
 *                          RedisPasswordFile are the readers' (the
 *                          plugins) only; else everyone uses those
 *                          (carbon_config_redis_auth())
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
 *   FootprintInterval=INTERVAL 1m; 0 (off) or up to 1d: how often each
 *                          controller records the footprints of the jobs
 *                          it ran that have ended (slurmctld/carbon)
 *   FootprintLookback=INTERVAL 1d; 1m-31d: how far back it looks at start
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
 *   Providers=P1[,P2...]   required; 1-CARBON_CONFIG_CHAIN_MAX distinct
 *                          names tried in order.  The core checks only
 *                          their syntax; what a name may be ("static", a
 *                          Provider record) is the providers' owner's
 *                          check (carbon-cache/providers/provider_conf.h).
 *   StaticIntensity=G      0-5000; the clusters' default FallbackIntensity
 *   Areas=P:AREA[,...]     the zone's name at provider P when it differs
 *                          (ENTSO-E EIC code, WattTime region); default:
 *                          the zone name; each P must be in Providers
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
 * Extensions: a component with keys of its own describes them in a
 * struct carbon_config_schema (global keys, record kinds, checks; see the
 * end of this header) and creates its configs with carbon_config_new_ext().
 * The same parser then reads them, with the same syntax, limits and
 * messages; without the extension they are unknown keys, reported with
 * their line.  Every reader of one file must register the same extension
 * to accept the same files: the slurmctld plugins register carbon-cached's
 * (carbon_cache_conf_new()), so a file is valid for all of them or none.
 *
 * Ownership: carbon_config_new() returns a config the caller frees with
 * carbon_config_free(); every string is an array inside it; the _peek and
 * lookup functions return pointers into it, valid until it is freed.  An
 * extension's block and its record arrays belong to the config too.  A
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

struct carbon_config_schema; /* below */
struct carbon_config_record;
struct carbon_config_word;
struct carbon_policy_params; /* carbon/policy.h */
struct carbon_power_model;   /* carbon/footprint.h */

#define CARBON_CONFIG_BYTES_MAX	      (1024 * 1024)
#define CARBON_CONFIG_LINE_MAX	      2048
#define CARBON_CONFIG_NAME_MAX	      64
#define CARBON_CONFIG_HOST_MAX	      255
#define CARBON_CONFIG_PATH_MAX	      1024 /* paths, URLs, column names */
#define CARBON_CONFIG_CLUSTERS_MAX    64
#define CARBON_CONFIG_ZONES_MAX	      64
#define CARBON_CONFIG_DEFAULTS_MAX    256
#define CARBON_CONFIG_CHAIN_MAX	      8
#define CARBON_CONFIG_DEFAULT_FILE    "/etc/slurm/carbon.conf"
#define CARBON_CONFIG_WORLD_INTENSITY 475.0

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
	char cache_redis_user[CARBON_CONFIG_NAME_BUF];
	char cache_redis_password_file[CARBON_CONFIG_PATH_BUF];
	int redis_timeout_ms;
	char redis_key_prefix[CARBON_CONFIG_NAME_BUF];
	char hmac_key_file[CARBON_CONFIG_PATH_BUF];
	char hmac_key_id[CARBON_CONFIG_NAME_BUF];
	int64_t poll_interval; /* all intervals in seconds */
	int64_t snapshot_refresh;
	int64_t stale_after;
	int64_t replan_interval;
	int64_t footprint_interval; /* 0: no footprints */
	int64_t footprint_lookback;
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
	char config_file[CARBON_CONFIG_PATH_BUF];

	struct carbon_config_cluster *clusters;
	size_t n_clusters;
	struct carbon_config_zone *zones;
	size_t n_zones;
	struct carbon_config_defaults *partitions;
	size_t n_partitions;
	struct carbon_config_defaults *qos;
	size_t n_qos;

	/* the extension (carbon_config_new_ext()) and its block */
	const struct carbon_config_schema *ext;
	void *ext_data;

	/* parser state: not for readers */
	uint64_t args_given; /* global keys set by arguments: they win */
	bool file_parsed;
	char file_name[CARBON_CONFIG_PATH_BUF]; /* for messages */
};

/* A config holding every default and no records; NULL if out of memory. */
struct carbon_config *carbon_config_new(void);

/*
 * As carbon_config_new(), with ext's keys registered (NULL: none).  ext is
 * borrowed and must outlive the config.  NULL if out of memory, or if ext
 * has more than CARBON_CONFIG_EXT_GLOBALS_MAX global keys or a record kind
 * more than CARBON_CONFIG_RECORD_KEYS_MAX keys (a programming error).
 */
struct carbon_config *
carbon_config_new_ext(const struct carbon_config_schema *ext);

/* The extension's block if cfg was made with ext, else NULL. */
void *carbon_config_ext_peek(const struct carbon_config *cfg,
			     const struct carbon_config_schema *ext);

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
const struct carbon_config_defaults *
carbon_config_partition_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_config_defaults *
carbon_config_qos_peek(const struct carbon_config *cfg, const char *name);

/*
 * The record of kind kind (the core's or cfg's extension's) called name,
 * case-insensitive; NULL when absent or when kind is not cfg's.  What the
 * extensions' own _peek functions are made of.
 */
const void *carbon_config_record_peek(const struct carbon_config *cfg,
				      const struct carbon_config_record *kind,
				      const char *name);

/*
 * The defaults for a job without --carbon-* options: QosDefaults of qos,
 * then PartitionDefaults of the first partition in the comma-separated
 * list partition that has them, then DefaultUrgency, key by key.  NULL
 * names are allowed.  out is always written.
 */
void carbon_config_job_defaults(const struct carbon_config *cfg,
				const char *partition, const char *qos,
				struct carbon_config_job_defaults *out);

/* Who authenticates to Redis as what (carbon_config_redis_auth()). */
enum carbon_config_redis_role {
	CARBON_CONFIG_REDIS_READER, /* the slurmctld plugins */
	CARBON_CONFIG_REDIS_WRITER, /* carbon-cached */
};

/* The Redis credentials of one role; pointers into cfg, "" for none. */
struct carbon_config_redis_auth {
	const char *user; /* ACL user; "": AUTH with the password only */
	const char *password_file; /* "": no AUTH */
	const char *user_key;	   /* the keys they came from, for messages */
	const char *file_key;
};

/*
 * The writer uses CacheRedisUser and CacheRedisPasswordFile when
 * CacheRedisPasswordFile is set, and otherwise, like the readers,
 * RedisUser and RedisPasswordFile: one Redis user for everyone, or a
 * writer allowed SET and readers allowed only GET (carbon.conf(5), Redis
 * ACLs).  out is always written (a NULL cfg: no AUTH).
 */
void carbon_config_redis_auth(const struct carbon_config *cfg,
			      enum carbon_config_redis_role role,
			      struct carbon_config_redis_auth *out);

/* The zone's name at provider (its Areas entry, else the zone name). */
const char *carbon_config_zone_area(const struct carbon_config_zone *zone,
				    const char *provider);

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

/* ---- extensions -----------------------------------------------------------
 *
 * An extension is data: rows of keys, each naming a kind of value and
 * where it goes, as the core's own tables do (lib/config_keys.c).  Its
 * global keys live in its block: ext->size bytes that carbon_config_new_ext()
 * allocates, zeroes and passes to ext->init() for the defaults;
 * carbon_config_ext_peek() returns it; carbon_config_free() frees it and
 * the record arrays in it.  Its record kinds keep their array pointer and
 * count in that block too (arr_off, count_off).  The parser owns the
 * syntax, duplicates, required keys, limits and every "FILE:LINE: "
 * prefix; the extension's checks return a message and a code, and the
 * parser puts it at the right line.
 */

#define CARBON_CONFIG_EXT_GLOBALS_MAX 32
#define CARBON_CONFIG_RECORD_KEYS_MAX 64

/* What a key's value is, and what field it fills (at off). */
enum carbon_config_kind {
	CARBON_CONFIG_KIND_NAME,     /* char[size], [A-Za-z0-9_.-], 1-64 */
	CARBON_CONFIG_KIND_PREFIX,   /* as NAME, ':' allowed too */
	CARBON_CONFIG_KIND_TEXT,     /* char[size], anything but control */
	CARBON_CONFIG_KIND_PATH,     /* char[size], absolute */
	CARBON_CONFIG_KIND_URL,	     /* char[size], http:// or https:// */
	CARBON_CONFIG_KIND_HOST,     /* char[size], host, address or socket */
	CARBON_CONFIG_KIND_LISTEN,   /* struct carbon_config_listen */
	CARBON_CONFIG_KIND_INT,	     /* int in [min, max] */
	CARBON_CONFIG_KIND_NUMBER,   /* double in [min, max] */
	CARBON_CONFIG_KIND_INTERVAL, /* int64_t seconds in [min, max], unit */
	CARBON_CONFIG_KIND_ENUM,     /* an int-sized enum, from words */
	CARBON_CONFIG_KIND_CHAIN,    /* the Zone record's Providers list */
	CARBON_CONFIG_KIND_AREAS,    /* the Zone record's Areas list */
	CARBON_CONFIG_KIND_CPUFREQ,  /* char[NAME_BUF], Slurm's --cpu-freq */
	CARBON_CONFIG_KIND_UTC,	     /* int64_t, YYYY-MM-DD[THH:MM[:SS]][Z] */
	CARBON_CONFIG_KIND_FUNC,     /* the key's own parse() */
};

/* CARBON_CONFIG_KIND_LISTEN: HOST:PORT, [IPv6]:PORT. */
struct carbon_config_listen {
	char text[CARBON_CONFIG_HOST_MAX + 8]; /* as written */
	char host[CARBON_CONFIG_HOST_MAX + 1]; /* without [] */
	int port;
};

struct carbon_config_word {
	const char *name;
	int value;
};

/* The words of Signal= and Basis= (carbon/kind.h), for an extension's
 * keys of those kinds. */
extern const struct carbon_config_word carbon_config_signals[];
extern const struct carbon_config_word carbon_config_bases[];

/* "a, b or c" of words (NULL-terminated), into buf; cut to len. */
void carbon_config_words_list(const struct carbon_config_word *words, char *buf,
			      size_t len);

/* Key flags. */
#define CARBON_CONFIG_KEY_REQUIRED  0x1u /* a record needs it */
#define CARBON_CONFIG_KEY_ARGS_ONLY 0x2u /* plugin arguments, never a file */
#define CARBON_CONFIG_KEY_HAS	    0x4u /* sets the bool at has_off */

struct carbon_config_key {
	const char *name; /* canonical spelling, shown in messages */
	enum carbon_config_kind kind;
	size_t off;	 /* of the field in the record or the block */
	size_t size;	 /* of a char[] field */
	double min, max; /* INT, NUMBER, INTERVAL */
	const struct carbon_config_word *words; /* ENUM: NULL-terminated */
	unsigned flags;				/* CARBON_CONFIG_KEY_* */
	size_t has_off;				/* with CARBON_CONFIG_KEY_HAS */
	/* FUNC: value into the field; 0, or a CARBON_E* code with msg (the
	 * parser puts "FILE:LINE: KEY: " before it) */
	int (*parse)(const char *value, void *field, char *msg, size_t len);
};

/*
 * A kind of record line, started by its first key (keys[0], a NAME at
 * offset 0 of the record: records are named, and names are unique per
 * kind).  At most max records of rec_size bytes, an array whose pointer
 * and size_t count are at arr_off and count_off of the extension's block;
 * each record's line (unsigned) at line_off.  init() sets a new record's
 * defaults (NULL: zeroes); check() runs once its line is read, with bit i
 * of given set for keys[i] (NULL: none); 0 or a code with msg.
 */
struct carbon_config_record {
	const char *start; /* "Provider": keys[0]'s name */
	const char *what;  /* "provider", in messages */
	const struct carbon_config_key *keys;
	size_t n_keys;
	size_t rec_size;
	size_t max;
	size_t arr_off;
	size_t count_off;
	size_t line_off;
	void (*init)(void *rec);
	int (*check)(void *rec, uint64_t given, char *msg, size_t len);
};

/*
 * A record kind's row, for records of struct st (keys an array) kept in
 * the array arr, with its size_t count, of struct owner (the extension's
 * block; the core's own use struct carbon_config).
 */
#define CARBON_CONFIG_RECORD(start, what, keys, st, max, owner, arr, count,  \
			     init, check)                                    \
	{                                                                    \
		start, what, keys, sizeof(keys) / sizeof((keys)[0]),         \
			sizeof(struct st), max, offsetof(struct owner, arr), \
			offsetof(struct owner, count),                       \
			offsetof(struct st, line), init, check               \
	}

/*
 * Global keys (their fields in the block) and record kinds of one
 * extension.  Its keys come after the core's in every list a message
 * shows.  check() runs whenever the whole config is checked (after the
 * file and after each set of arguments), after the core's checks of the
 * global keys and before those of clusters and job defaults: it may
 * resolve fields from the keys given (and so must give the same result
 * when run again) and read the core's records; 0, or a code with msg and
 * *line set to the line of the record at fault (0: none).
 */
struct carbon_config_schema {
	size_t size;
	void (*init)(void *block);
	const struct carbon_config_key *globals;
	size_t n_globals;
	const struct carbon_config_record *const *records;
	size_t n_records;
	int (*check)(struct carbon_config *cfg, void *block, unsigned *line,
		     char *msg, size_t len);
};

#endif
