/*
 * carbon-cache/providers/provider_conf.h: what carbon.conf says about
 * providers: the Provider and EmissionFactors records, the provider types
 * (their keys, default URL and the kind of data each yields) and the rules
 * for a zone's chain.  Part of carbon-cached's extension of the core's
 * parser (cache_conf.h, carbon/config.h "Extensions"); pure C like lib/
 * (libc and libcarbon only), because the slurmctld plugins register the
 * extension too and so read these records exactly as carbon-cached does.
 *
 * Provider=NAME record (an instance; at most CARBON_PROVIDERS_MAX):
 *   Type=T                 electricitymaps|watttime|ukci|entsoe|gsf|replay;
 *                          default NAME when NAME is a type
 *   Url=URL                http(s)://...; default per type, see
 *                          carbon_provider_default_url(); required for gsf
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
 * CARBON_FACTOR_TABLES_MAX): configuration, not code.
 *   Basis=lifecycle|direct|operational   lifecycle
 *   B01=G ... B25=G        0-5000 gCO2eq/kWh per production type (PSR)
 *   Default=G              required; for every code not listed
 *
 * A zone's chain (Zone=ZONE Providers=P1,P2...): each name is "static"
 * (built in: needs StaticIntensity=G on the Zone line) or a Provider
 * record's, and every provider must yield the site's Signal and Basis.
 *
 * Adding a provider touches this directory only (and its docs and tests):
 * its file with the ops (provider.h), its CARBON_PROVIDER_* value below,
 * a row in provider_conf.c's type words and rules (keys it accepts and
 * needs, default URL) and a case in what_it_yields(), its ops in
 * registry.c; a key of its own is a field below and a row in
 * provider_conf.c's key table.
 *
 * Ownership: records live in the config (carbon_config_free() frees them);
 * the _peek functions return pointers into it.
 */
#ifndef CARBON_CACHE_PROVIDER_CONF_H
#define CARBON_CACHE_PROVIDER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"
#include "carbon/kind.h"

struct carbon_cache_conf; /* cache_conf.h */

#define CARBON_PROVIDERS_MAX	 64
#define CARBON_FACTOR_TABLES_MAX 16
#define CARBON_PSR_MAX		 25 /* B01..B25 */

enum carbon_provider_type {
	CARBON_PROVIDER_NONE = 0, /* only while parsing */
	CARBON_PROVIDER_ELECTRICITYMAPS,
	CARBON_PROVIDER_WATTTIME,
	CARBON_PROVIDER_UKCI,
	CARBON_PROVIDER_ENTSOE,
	CARBON_PROVIDER_GSF,
	CARBON_PROVIDER_REPLAY,
};

/* A Provider line. */
struct carbon_provider_conf {
	char name[CARBON_CONFIG_NAME_BUF];
	enum carbon_provider_type type;
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

/* An EmissionFactors line. */
struct carbon_factors {
	char name[CARBON_CONFIG_NAME_BUF];
	enum carbon_basis basis;
	/* factor[k] for code B(k+1); codes not given hold Default */
	double factor[CARBON_PSR_MAX];
	double other; /* Default=, for codes outside B01..B25 */
	unsigned line;
	bool given[CARBON_PSR_MAX]; /* B(k+1) was given */
};

/* The two record kinds, registered by cache_conf.c. */
extern const struct carbon_config_record carbon_provider_conf_record;
extern const struct carbon_config_record carbon_factors_record;

/*
 * The whole config is in (cache_conf.c's check): factor tables and every
 * provider's signal and basis resolved, every zone's chain checked.  0, or
 * a code with msg and *line the line of the record at fault.
 */
int carbon_provider_conf_check(struct carbon_config *cfg,
			       struct carbon_cache_conf *cc, unsigned *line,
			       char *msg, size_t len);

/* Records by name (case-insensitive); NULL when absent, or when cfg was
 * not made with carbon_cache_conf_new(). */
const struct carbon_provider_conf *
carbon_provider_conf_peek(const struct carbon_config *cfg, const char *name);
const struct carbon_factors *
carbon_factors_peek(const struct carbon_config *cfg, const char *name);

/*
 * The factor for an ENTSO-E PSR code ("B04"); Default for any other code;
 * CARBON_CONFIG_WORLD_INTENSITY for a NULL table.
 */
double carbon_factors_get(const struct carbon_factors *table, const char *psr);

/* "electricitymaps", ...; "none" for NONE, "unknown" when out of range. */
const char *carbon_provider_type_name(enum carbon_provider_type t);

/* The type's API base URL, "" for gsf and replay (and bad types). */
const char *carbon_provider_default_url(enum carbon_provider_type t);

#endif
