/*
 * carbon-cache/providers/json_util.h: what the HTTP providers' parsers
 * share: a bounded json-c parse, typed member access with messages that
 * name the provider and the failing field, a growable list of points that
 * refuses time going backwards, and the step that turns a provider's
 * answers into one series of the configured kind.
 *
 * Nothing here does I/O or reads the clock; every function fills
 * `char *err, size_t errlen` and returns 0 or a negative CARBON_E*.
 *
 * Messages have the form "PROVIDER: PATH: problem", PATH as in
 * "history[3].carbonIntensity", so a bad answer can be found in a capture.
 *
 * Ownership: carbon_provider_json_parse() hands the root to the caller,
 * who drops it with json_object_put() (roots only: members are borrowed
 * from their root).  A point list owns its array; free it with
 * carbon_provider_points_clear().
 */
#ifndef CARBON_CACHE_PROVIDERS_JSON_UTIL_H
#define CARBON_CACHE_PROVIDERS_JSON_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "provider_conf.h"
#include "carbon/error.h"
#include "carbon/series.h"

/* Largest answer any provider parser reads, bytes (http.c caps at 8 MiB). */
#define CARBON_PROVIDER_BODY_MAX ((size_t)16 << 20)
/* Deepest JSON nesting accepted; the real answers need 5. */
#define CARBON_PROVIDER_JSON_DEPTH 16
/* Most points one answer may hold: 69 days at 5 minutes. */
#define CARBON_PROVIDER_POINTS_MAX 20000
/* Highest plausible intensity, gCO2eq/kWh (the config's factor bound). */
#define CARBON_PROVIDER_VALUE_MAX 5000.0
/* Earliest plausible point: 2000-01-01T00:00:00Z. */
#define CARBON_PROVIDER_TIME_MIN INT64_C(946684800)
/* Room for "PROVIDER: path[i].path[j]" in messages. */
#define CARBON_PROVIDER_WHERE_MAX 96

/* Points in time order, as one answer gave them. */
struct carbon_provider_points {
	struct carbon_series_point *v;
	size_t n;
	size_t cap;
	size_t skipped; /* null (or no-generation) values left out */
	int64_t span;	/* the answer's cadence, s; 0: not said */
};

/* Free the array and zero the list; NULL is a no-op. */
void carbon_provider_points_clear(struct carbon_provider_points *pts);

/*
 * Append one point.  where names it in messages ("ukci: data[4]").  t
 * must be after the last point's (else "not after the previous point":
 * out of order or duplicate), within CARBON_PROVIDER_TIME_MIN..
 * CARBON_TIME_MAX; value finite and within 0..CARBON_PROVIDER_VALUE_MAX;
 * the list below CARBON_PROVIDER_POINTS_MAX.
 */
int carbon_provider_points_push(struct carbon_provider_points *pts,
				const struct carbon_series_point *p,
				const char *where, char *err,
				size_t errlen) CARBON_MUST_CHECK;

/*
 * Parse len bytes of buf as one JSON object or array: at most
 * CARBON_PROVIDER_BODY_MAX bytes, no NUL byte, nesting at most
 * CARBON_PROVIDER_JSON_DEPTH, nothing but white space after it.  prov
 * names the provider in messages ("truncated JSON", "malformed JSON at
 * byte N").  *root is the caller's (json_object_put()).
 */
int carbon_provider_json_parse(const char *buf, size_t len, const char *prov,
			       struct json_object **root, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/* "object", "array", "string", "number", "boolean", "null". */
const char *carbon_provider_json_type_name(const struct json_object *o);

/*
 * obj's member key, which must be of type (json_type_double means any
 * number).  A missing member is an error unless optional; a null member
 * is an error unless nullable.  *out is NULL for a missing or null
 * member.  where names obj ("gsf: [2]"); obj itself must be an object.
 */
int carbon_provider_json_member(struct json_object *obj, const char *key,
				enum json_type type, bool optional,
				bool nullable, const char *where,
				struct json_object **out, char *err,
				size_t errlen) CARBON_MUST_CHECK;

/* A required array member with at most CARBON_PROVIDER_POINTS_MAX items. */
int carbon_provider_json_array(struct json_object *obj, const char *key,
			       const char *where, struct json_object **out,
			       char *err, size_t errlen) CARBON_MUST_CHECK;

/* A required string member holding an ISO 8601 time, as seconds. */
int carbon_provider_json_time(struct json_object *obj, const char *key,
			      const char *where, int64_t *t, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

/*
 * A number member (required, may be null): *is_null set for null, else
 * *v finite.  Range checks are the caller's (units differ).
 */
int carbon_provider_json_number(struct json_object *obj, const char *key,
				const char *where, double *v, bool *is_null,
				char *err, size_t errlen) CARBON_MUST_CHECK;

/* An optional boolean member: false when missing or null. */
int carbon_provider_json_bool(struct json_object *obj, const char *key,
			      const char *where, bool *b, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

/*
 * Build *out from parts (in priority order: a part's points are taken
 * only after the last point already taken, so history wins over latest
 * over forecast where they overlap).  Signal and basis come from cfg,
 * source is "NAME:AREA", fetched_at now, default_span span.  Fails with
 * "no data" when no part has a point.
 */
int carbon_provider_series_build(
	const struct carbon_provider_conf *cfg, const char *area, int64_t now,
	int64_t span, const struct carbon_provider_points *const *parts,
	size_t n_parts, carbon_series **out, char *err,
	size_t errlen) CARBON_MUST_CHECK;

#endif
