/*
 * carbon-cache/cache_conf.h: carbon-cached's part of carbon.conf, an
 * extension of the core's parser (carbon/config.h, "Extensions").  The
 * core parses the keys every reader needs; this adds the daemon's own
 * global keys and, from providers/provider_conf.h, the Provider and
 * EmissionFactors records and the rules of a zone's chain.
 *
 * Every reader of carbon.conf creates its config with
 * carbon_cache_conf_new(): carbon-cached, and the slurmctld plugins too,
 * which need none of these keys but must accept exactly the files
 * carbon-cached accepts and report the same errors at the same lines.
 * So this file and providers/provider_conf.c are pure C like lib/ (libc
 * and libcarbon only): they are linked into slurmctld.
 *
 * Global keys (default; range):
 *   MetricsListen=HOST:PORT 127.0.0.1:9550; [IPv6]:PORT for IPv6: the
 *                          address of /metrics, /healthz and /readyz (and
 *                          of the forecast without ForecastListen)
 *   ForecastListen=HOST:PORT none: the forecast endpoint
 *                          (/emissions/forecasts/current, forecast_api.h)
 *                          gets an address of its own, where /metrics and
 *                          /readyz are not served; carbon-cached refuses
 *                          MetricsListen's own (runtime.h)
 *   LogLevel=quiet|error|info|verbose|debug   info
 *
 * Ownership: the block is the config's (carbon_config_free() frees it);
 * carbon_cache_conf_peek() borrows it.
 */
#ifndef CARBON_CACHE_CONF_H
#define CARBON_CACHE_CONF_H

#include <stddef.h>

#include "carbon/config.h"
#include "providers/provider_conf.h"

enum carbon_cache_log_level {
	CARBON_CACHE_LOG_QUIET = 0,
	CARBON_CACHE_LOG_ERROR,
	CARBON_CACHE_LOG_INFO,
	CARBON_CACHE_LOG_VERBOSE,
	CARBON_CACHE_LOG_DEBUG,
};

/* The extension's block: its global keys and its records' arrays. */
struct carbon_cache_conf {
	struct carbon_config_listen metrics;  /* MetricsListen */
	struct carbon_config_listen forecast; /* ForecastListen; port 0: none */
	enum carbon_cache_log_level log_level;
	struct carbon_provider_conf *providers;
	size_t n_providers;
	struct carbon_factors *tables; /* EmissionFactors */
	size_t n_tables;
};

extern const struct carbon_config_schema carbon_cache_conf_schema;

/* A config that knows carbon-cached's keys; NULL if out of memory. */
struct carbon_config *carbon_cache_conf_new(void);

/* Read (at most CARBON_CONFIG_BYTES_MAX bytes) and parse the file at path
 * into a new config (*out, for carbon_config_free); err says why not. */
int carbon_cache_conf_load(const char *path, struct carbon_config **out,
			   char *err, size_t errlen) CARBON_MUST_CHECK;

/* cfg's block; NULL when cfg was not made by carbon_cache_conf_new(). */
const struct carbon_cache_conf *
carbon_cache_conf_peek(const struct carbon_config *cfg);

#endif
