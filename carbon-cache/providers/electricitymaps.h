/*
 * carbon-cache/providers/electricitymaps.h: the Electricity Maps API v3
 * provider (Type=electricitymaps).
 *
 * fetch() asks carbon-intensity/history (the last 24 h, hourly),
 * carbon-intensity/latest and carbon-intensity/forecast for zone=AREA and
 * the configured emissionFactorType, with the TokenFile's key in the
 * auth-token header, and returns one average series of that basis:
 * history, then latest, then forecast where they do not overlap.  A
 * forecast the plan does not include (HTTP 401, 403, 404 on that call
 * alone) is left out; the daemon's fallback forecast takes over.
 *
 * The parsers read one answer each into a point list (json_util.h), which
 * they empty first and leave empty on failure.  zone (NULL: not checked)
 * must match the answer's "zone"; basis (UNKNOWN: not checked) must match
 * every "emissionFactorType" given.  A null carbonIntensity is skipped
 * and counted in out->skipped.
 */
#ifndef CARBON_CACHE_PROVIDERS_ELECTRICITYMAPS_H
#define CARBON_CACHE_PROVIDERS_ELECTRICITYMAPS_H

#include "json_util.h"
#include "provider.h"

extern const struct carbon_provider_ops carbon_electricitymaps_ops;

/* {"zone":..,"history":[{"carbonIntensity":..,"datetime":..,...}]} */
int carbon_electricitymaps_parse_history(const char *buf, size_t len,
					 const char *zone,
					 enum carbon_basis basis,
					 struct carbon_provider_points *out,
					 char *err,
					 size_t errlen) CARBON_MUST_CHECK;

/* {"zone":..,"carbonIntensity":..,"datetime":..,"isEstimated":..} */
int carbon_electricitymaps_parse_latest(const char *buf, size_t len,
					const char *zone,
					enum carbon_basis basis,
					struct carbon_provider_points *out,
					char *err,
					size_t errlen) CARBON_MUST_CHECK;

/* {"zone":..,"forecast":[{"carbonIntensity":..,"datetime":..}]}; points
 * are marked is_forecast. */
int carbon_electricitymaps_parse_forecast(const char *buf, size_t len,
					  const char *zone,
					  enum carbon_basis basis,
					  struct carbon_provider_points *out,
					  char *err,
					  size_t errlen) CARBON_MUST_CHECK;

#endif
