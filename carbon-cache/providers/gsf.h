/*
 * carbon-cache/providers/gsf.h: the Green Software Foundation's Carbon
 * Aware SDK WebAPI as a provider (Type=gsf; Url= is required).
 *
 * fetch() asks /emissions/bylocation?location=AREA&time=..&toTime=.. for
 * the last 24 h and /emissions/forecasts/current?location=AREA for the
 * SDK's current forecast, and returns one series of the configured
 * Signal and Basis (the SDK passes on whatever its own data source
 * gives: set them to match it).  With a TokenFile, its token is sent as
 * "Authorization: Bearer TOKEN" (the WebAPI has no auth of its own; a
 * gateway in front of it may).  A forecast the SDK cannot give (HTTP 403,
 * 404, 501) is left out.
 *
 * Durations are read in both forms the WebAPI writes: a .NET TimeSpan
 * string "[d.]hh:mm:ss[.fffffff]" or a whole number of minutes.  The
 * first point's duration becomes out->span.  A null rating or value is
 * skipped and counted.  The parsers empty out first and leave it empty on
 * failure; location (NULL: not checked) must match, ignoring case.
 */
#ifndef CARBON_CACHE_PROVIDERS_GSF_H
#define CARBON_CACHE_PROVIDERS_GSF_H

#include "json_util.h"
#include "provider.h"

/* Longest duration accepted, seconds. */
#define CARBON_GSF_DURATION_MAX (INT64_C(7) * 86400)

extern const struct carbon_provider_ops carbon_gsf_ops;

/* [{"location":..,"time":..,"rating":..,"duration":..}] */
int carbon_gsf_parse_emissions(const char *buf, size_t len,
			       const char *location,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/*
 * [{"location":..,"forecastData":[{"location":..,"timestamp":..,
 * "duration":..,"value":..}],...}]: the forecast for location (or the
 * only one), points marked is_forecast.
 */
int carbon_gsf_parse_forecast(const char *buf, size_t len, const char *location,
			      struct carbon_provider_points *out, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

#endif
