/*
 * carbon/forecast.h: the question the Green Software Foundation's Carbon
 * Aware SDK answers at GET /emissions/forecasts/current, asked of one
 * zone's forecast: "between dataStartAt and dataEndAt, what is the mean
 * intensity of a windowSize-minute window starting at each moment, and
 * which start is the cleanest?".  carbon-cached serves it over HTTP
 * (carbon-cache/forecast_api.h) so that users, who cannot read Redis, and
 * the SDK's own clients can ask it; this module is the pure part: the
 * query's parameters, the forecast part of a record, and the windows.
 *
 * The query, as the SDK's WebAPI takes it (names case-insensitive, as
 * ASP.NET binds them):
 *   location=NAME      required, repeatable (one answer each, in order);
 *                      1-64 of [A-Za-z0-9_.-]; empty values are skipped,
 *                      as the SDK does; at most CARBON_FORECAST_LOCATIONS_MAX
 *   dataStartAt=TIME   default: the forecast's first point
 *   dataEndAt=TIME     default: the forecast's end
 *   windowSize=MINUTES default (and 0): one data point's duration, the
 *                      one in force at dataStartAt; 1 to
 *                      CARBON_FORECAST_WINDOW_MAX minutes
 * TIME is ISO 8601 (carbon_timeparse_iso()'s TRACE form, or a date
 * alone): 2026-11-23T08:00:00Z, 2026-11-23T09:00:00+01:00,
 * 2026-11-23T08:00:00.0000000Z; no offset means UTC.  A space where an
 * offset's sign belongs is read as '+' (an unencoded '+' in a query string
 * arrives as a space).  Any other parameter, or a scalar given twice, is
 * refused: a typo must not silently mean the default.
 *
 * The windows, as the SDK computes them (its RollingAverage and
 * GetOptimalEmissions), on the series' step function:
 *   - dataStartAt and dataEndAt must lie within the forecast, [first
 *     point, end], and dataStartAt before dataEndAt (else CARBON_ERANGE or
 *     CARBON_EINVAL naming the parameter);
 *   - the candidate starts are dataStartAt, then every point time after
 *     it whose window ends by dataEndAt (carbon_series_best_window()'s
 *     candidates, so the optimum is that function's answer).  The SDK
 *     slides by the first point's duration from dataStartAt instead; the
 *     two agree when dataStartAt is on a point and the cadence is even;
 *   - each window's value is its time-weighted mean (carbon_series_mean());
 *   - the optimal points are the windows whose mean ties the lowest
 *     (relative 1e-9), in time order, the SDK's "all tied windows";
 *   - a window longer than [dataStartAt, dataEndAt) gives no windows, and
 *     no optimum (not an error: the SDK answers empty arrays).
 *
 * Ownership: a query is a plain struct (no allocation); a result owns its
 * points array (carbon_forecast_result_clear()).  The series passed in is
 * borrowed and only read, so one may be shared by threads.
 */
#ifndef CARBON_FORECAST_H
#define CARBON_FORECAST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/record.h"
#include "carbon/series.h"

/* Most location= values one request may name. */
#define CARBON_FORECAST_LOCATIONS_MAX 16
/* Longest windowSize, minutes: a week. */
#define CARBON_FORECAST_WINDOW_MAX (7 * 24 * 60)
/* Most windows one answer holds: a full record's points. */
#define CARBON_FORECAST_POINTS_MAX CARBON_RECORD_POINTS_MAX

struct carbon_forecast_query {
	char location[CARBON_FORECAST_LOCATIONS_MAX]
		     [CARBON_RECORD_NAME_MAX + 1];
	size_t n_locations;
	bool has_start, has_end, has_window;
	int64_t start; /* seconds since the epoch, when has_start */
	int64_t end;
	int64_t window; /* seconds; 0: one data point's duration */
};

/* One window: [t, t + duration), its mean intensity. */
struct carbon_forecast_point {
	int64_t t;
	int64_t duration; /* seconds */
	double value;	  /* gCO2eq/kWh */
	bool optimal;	  /* among the lowest (the SDK's optimalDataPoints) */
};

struct carbon_forecast_result {
	int64_t start;			      /* dataStartAt, resolved */
	int64_t end;			      /* dataEndAt, resolved */
	int64_t window;			      /* seconds, resolved */
	struct carbon_forecast_point *points; /* owned; NULL when none */
	size_t n_points;
	size_t n_optimal;
};

/* An empty query (no parameter given). */
void carbon_forecast_query_init(struct carbon_forecast_query *q);

/*
 * Take one query parameter as the HTTP layer decoded it: key (klen bytes)
 * and value (vlen bytes; NULL for a key without '=').  Returns 0, or a
 * negative code with err naming the parameter and the accepted form and
 * *param the parameter's name as the SDK spells it ("dataStartAt"), or
 * NULL when the key is no parameter of the endpoint (the caller names it
 * by its key).  q keeps what was taken before a failure.
 */
int carbon_forecast_query_add(struct carbon_forecast_query *q, const char *key,
			      size_t klen, const char *value, size_t vlen,
			      const char **param, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

/*
 * After the last parameter: a location is required.  Returns 0 or
 * CARBON_EINVAL with *param "location".
 */
int carbon_forecast_query_finish(const struct carbon_forecast_query *q,
				 const char **param, char *err,
				 size_t errlen) CARBON_MUST_CHECK;

/*
 * The forecast part of r: a new series (libc allocator) of r's points from
 * its first forecast point on, or from the point before it when that one
 * was in force at r's fetched_at (the value "now" when the provider
 * answered, so a window may start at once), with r's signal, basis,
 * source and fetched_at; a lone last point holds as long as it does in r.
 * *out is NULL when r has no forecast point.  Returns 0, CARBON_EINVAL (NULL
 * arguments, a record that does not make a series) or CARBON_ENOMEM.
 */
int carbon_forecast_series(const struct carbon_record *r, carbon_series **out,
			   char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * The windows of q over s (see above) into out, which must be zeroed or
 * cleared.  Returns 0; CARBON_EINVAL or CARBON_ERANGE with err and *param
 * naming dataStartAt or dataEndAt; CARBON_EINVAL for bad arguments or an
 * empty series (*param NULL); CARBON_ENOMEM.  out is set only on success.
 */
int carbon_forecast_compute(const carbon_series *s,
			    const struct carbon_forecast_query *q,
			    struct carbon_forecast_result *out,
			    const char **param, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/* Free out's points and zero it; NULL is a no-op. */
void carbon_forecast_result_clear(struct carbon_forecast_result *out);

#endif
