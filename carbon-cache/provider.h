/*
 * carbon-cache/provider.h: the one small interface every intensity
 * provider implements (Electricity Maps, WattTime, ENTSO-E, UK Carbon
 * Intensity, the GSF Carbon Aware SDK, static, replay).
 *
 * A provider turns (its configuration, a zone's area code at that provider,
 * now) into a carbon_series of the kind the configuration promised:
 * history up to now and, where it has one, a forecast.  It never talks to
 * Redis and never keeps state across zones except what its ctx holds (a
 * WattTime login token, a parsed replay trace).
 *
 * Each provider keeps its parsing in a pure function over a response
 * buffer (`carbon_<name>_parse_*`), separate from the HTTP call, so parsers
 * are unit-tested on fixtures and fuzzed without a network.
 *
 * The series' meta must carry cfg->signal and cfg->basis (the daemon
 * refuses any other kind); its source and fetched_at are replaced by the
 * daemon with the provider's name and the time fetch() returned.
 * Points may run past now (is_forecast set on those); without any
 * forecast point the daemon derives one (ForecastFallbackDays).
 *
 * Ownership: fetch() hands a new series to the caller through *out; the
 * caller frees it.  The config and the HTTP client are borrowed.
 * Threading: the daemon calls fetch() from one thread at a time per
 * provider instance.
 */
#ifndef CARBON_CACHE_PROVIDER_H
#define CARBON_CACHE_PROVIDER_H

#include <stdint.h>

#include "providers/provider_conf.h"
#include "carbon/series.h"
#include "http.h"

struct carbon_provider;

struct carbon_provider_ops {
	const char *type; /* as in carbon.conf's Type= */
	/* Prepare an instance (read token files, load a trace); 0 or a
	 * negative CARBON_E* with err filled.  *state may stay NULL. */
	int (*open)(const struct carbon_provider_conf *cfg, void **state,
		    char *err, size_t errlen);
	/* Fetch area's intensity around now.  0 with *out set, or a
	 * negative CARBON_E* with err naming the provider, the zone and
	 * what went wrong (HTTP status, the first bad field). */
	int (*fetch)(void *state, const struct carbon_provider_conf *cfg,
		     struct carbon_http *http, const char *area, int64_t now,
		     carbon_series **out, char *err, size_t errlen);
	void (*close)(void *state); /* NULL state is a no-op */
};

/*
 * The ops for a configured type, or NULL when this build does not carry
 * that provider (the daemon then refuses the configuration by name).
 */
const struct carbon_provider_ops *
carbon_provider_ops_find(enum carbon_provider_type type);

/*
 * Each provider file defines exactly one of these (registry.c maps the
 * types to them).  "static" has no Provider record and so no type: the
 * daemon opens it per zone with carbon_static_open() (builtin.h), then
 * uses carbon_static_ops' fetch and close.
 */
extern const struct carbon_provider_ops carbon_electricitymaps_ops;
extern const struct carbon_provider_ops carbon_watttime_ops;
extern const struct carbon_provider_ops carbon_ukci_ops;
extern const struct carbon_provider_ops carbon_entsoe_ops;
extern const struct carbon_provider_ops carbon_gsf_ops;
extern const struct carbon_provider_ops carbon_replay_ops;
extern const struct carbon_provider_ops carbon_static_ops;

#endif
