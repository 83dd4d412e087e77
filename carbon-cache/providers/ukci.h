/*
 * carbon-cache/providers/ukci.h: the UK Carbon Intensity API provider
 * (Type=ukci; NESO's carbonintensity.org.uk, no account, CC BY 4.0).
 *
 * AREA is "national" or "region:N" (N = 1..17, the API's region ids).
 * National: fetch() asks /intensity/{now}/pt24h (history) and
 * /intensity/{now}/fw48h (forecast) and takes "actual" where given, else
 * "forecast" marked is_forecast.  Regional: the API has forecasts only,
 * so fetch() asks /regional/intensity/{now - 24 h}/fw48h/regionid/N and
 * every point is is_forecast.  Half-hour periods; average direct values.
 *
 * The parsers empty out first and leave it empty on failure; a period
 * without any value is skipped and counted.  Every period must last
 * CARBON_UKCI_PERIOD seconds ("from" to "to").
 */
#ifndef CARBON_CACHE_PROVIDERS_UKCI_H
#define CARBON_CACHE_PROVIDERS_UKCI_H

#include "json_util.h"
#include "provider.h"

#define CARBON_UKCI_PERIOD     1800
#define CARBON_UKCI_REGION_MAX 17

extern const struct carbon_provider_ops carbon_ukci_ops;

/* {"data":[{"from":..,"to":..,"intensity":{"forecast":..,"actual":..}}]} */
int carbon_ukci_parse_national(const char *buf, size_t len,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/*
 * {"data":[{"regionid":N,"data":[{"from":..,"to":..,"intensity":
 * {"forecast":..}}]}]} (data may also be the region object itself).
 * regionid (0: not checked) must match the region's.
 */
int carbon_ukci_parse_regional(const char *buf, size_t len, int regionid,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/* "national" -> 0, "region:N" -> N; CARBON_EINVAL otherwise. */
int carbon_ukci_parse_area(const char *area, int *regionid, char *err,
			   size_t errlen) CARBON_MUST_CHECK;

#endif
