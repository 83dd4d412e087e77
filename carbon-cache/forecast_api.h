/*
 * carbon-cache/forecast_api.h: GET /emissions/forecasts/current, the
 * Carbon Aware SDK WebAPI's forecast endpoint, served from carbon-cached's
 * latest records (latest.h), so that users, who cannot read Redis, and the
 * SDK's clients (and our own gsf provider) can ask for the cleanest window.
 *
 * Request: the parameters of carbon/forecast.h.  A location is a Zone of
 * carbon.conf or a ClusterName (its Zone), case-insensitive.
 *
 * Answer 200, application/json: an array, one object per location in
 * request order, in the SDK's shape:
 *   generatedAt   when the provider answered (the record's fetched_at)
 *   requestedAt   now
 *   location      as requested
 *   dataStartAt, dataEndAt, windowSize (minutes)  as resolved
 *   optimalDataPoints, forecastData  [{location (as requested: our gsf
 *                 provider, like other clients, checks it), timestamp,
 *                 duration (minutes), value (gCO2eq/kWh, 3 decimals)}]
 * plus, not in the SDK, "carbonCache": {zone, source, signal, basis,
 * fetchedAt, ageSeconds, stale, fallback, derived}: what the data is and
 * how old.  stale is true when the zone's last refresh failed (the
 * record's stale=1) or the data is older than StaleAfter, the plugins'
 * rule; such answers also carry the header "X-Carbon-Stale: LOC[,LOC]".
 * Times are UTC, "YYYY-MM-DDTHH:MM:SSZ".
 *
 * Errors, application/problem+json in the shape of ASP.NET's
 * ValidationProblemDetails, as the SDK answers ({type, title, status,
 * detail, errors: {PARAM: [MESSAGE]}}): 400 for a bad parameter (errors
 * names it; the message says the accepted form), 404 for a location that
 * is neither a zone nor a cluster (the SDK has no such check: its data
 * source fails, usually with 500), 501 when the zone's record has no
 * forecast point (the SDK's answer when its source cannot forecast), 503
 * (with Retry-After) when carbon-cached has no record for the zone yet.
 * Any failing location fails the whole request, as in the SDK.
 *
 * Ownership: the api borrows cfg and latest; a reply owns its body
 * (carbon_forecast_reply_clear()).
 */
#ifndef CARBON_CACHE_FORECAST_API_H
#define CARBON_CACHE_FORECAST_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"
#include "carbon/forecast.h"
#include "latest.h"

#define CARBON_FORECAST_API_PATH "/emissions/forecasts/current"
/* Most query parameters read from one request; more is a 400. */
#define CARBON_FORECAST_API_ARGS_MAX 64
/* Retry-After of a 503, seconds. */
#define CARBON_FORECAST_API_RETRY 60

struct carbon_forecast_api {
	const struct carbon_config *cfg; /* zones, clusters, StaleAfter */
	struct carbon_latest *latest;
};

/* One query parameter as the HTTP layer decoded it (value may be NULL). */
struct carbon_forecast_arg {
	const char *key;
	size_t klen;
	const char *value;
	size_t vlen;
};

struct carbon_forecast_reply {
	unsigned status;
	char *body; /* owned (free()) */
	size_t len;
	const char *type; /* Content-Type, static */
	int retry_after;  /* seconds; 0: no Retry-After */
	char stale[CARBON_FORECAST_LOCATIONS_MAX *
		   (CARBON_RECORD_NAME_MAX + 1)];
};

/*
 * Answer the request whose query holds args (n of them; too_many when the
 * HTTP layer had to leave some out) at now.  Returns 0 with *out set (any
 * status), or CARBON_ENOMEM when no answer could be built (the caller
 * answers 500 itself).
 */
int carbon_forecast_api_answer(
	const struct carbon_forecast_api *api,
	const struct carbon_forecast_arg *args, size_t n, bool too_many,
	int64_t now, struct carbon_forecast_reply *out) CARBON_MUST_CHECK;

/*
 * A problem answer: status, its title, detail, and (param not NULL)
 * errors {param: [detail]}.  Returns 0 or CARBON_ENOMEM.
 */
int carbon_forecast_api_problem(
	unsigned status, const char *param, const char *detail,
	struct carbon_forecast_reply *out) CARBON_MUST_CHECK;

/* Free the body and zero the reply; NULL is a no-op. */
void carbon_forecast_reply_clear(struct carbon_forecast_reply *out);

#endif
