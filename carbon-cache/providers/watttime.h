/*
 * carbon-cache/providers/watttime.h: the WattTime API v3 provider
 * (Type=watttime).
 *
 * fetch() logs in with HTTP basic auth (User, PasswordFile) at /login and
 * keeps the token in its state: it is renewed after
 * CARBON_WATTTIME_TOKEN_TTL seconds (WattTime's last 30 minutes) and once
 * when a call answers 401.  It then asks /v3/historical for the last 24 h
 * and /v3/forecast for the next 24 h of SignalType (co2_moer: marginal,
 * co2_aoer: average; both operational) for region=AREA, and returns one
 * series in gCO2/kWh (lbs/MWh x 0.45359237) with the answer's
 * data_point_period_seconds as its cadence.  A forecast refused with 403
 * or 404 (not in the plan) is left out.
 *
 * The parsers read one answer; the data parser empties out first and
 * leaves it empty on failure; a null value is skipped and counted.
 */
#ifndef CARBON_CACHE_PROVIDERS_WATTTIME_H
#define CARBON_CACHE_PROVIDERS_WATTTIME_H

#include <stdbool.h>

#include "json_util.h"
#include "provider.h"

/* g/kWh per lbs/MWh (1 lb = 0.45359237 kg; kg/MWh = g/kWh). */
#define CARBON_WATTTIME_LBS_MWH 0.45359237
/* Renew the login token after this many seconds. */
#define CARBON_WATTTIME_TOKEN_TTL 1500
/* Largest token kept, bytes with the NUL (a JWT is about 1 KiB). */
#define CARBON_WATTTIME_TOKEN_MAX 4096
/* Longest cadence accepted from data_point_period_seconds. */
#define CARBON_WATTTIME_PERIOD_MAX 86400

extern const struct carbon_provider_ops carbon_watttime_ops;

/*
 * {"token":"..."} from /login into token (size bytes): printable ASCII
 * without spaces, shorter than size.  token is zeroed on failure.
 */
int carbon_watttime_parse_login(const char *buf, size_t len, char *token,
				size_t size, char *err,
				size_t errlen) CARBON_MUST_CHECK;

/*
 * {"data":[{"point_time":..,"value":..}],"meta":{"signal_type":..,
 * "units":..,"data_point_period_seconds":..}} from /v3/historical or
 * /v3/forecast (forecast: points marked is_forecast).  signal_type (NULL:
 * not checked) must match meta's.  units lbs_co2_per_mwh (also assumed
 * when absent) are converted; kg_co2_per_mwh and g_co2_per_kwh are taken
 * as they are; others are refused.  out->span is the period (0: absent).
 */
int carbon_watttime_parse_data(const char *buf, size_t len,
			       const char *signal_type, bool forecast,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

#endif
