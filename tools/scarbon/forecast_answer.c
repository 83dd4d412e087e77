/*
 * The forecast endpoint's answer (carbon-cache/forecast_api.h, the Carbon
 * Aware SDK's shape) read into windows.  Outside input: fuzzed
 * (tests/fuzz/fuzz_scarbon_forecast.c).
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "carbon/error.h"
#include "carbon/timeparse.h"
#include "scarbon.h"

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "the forecast answer %s", what);
	return -1;
}

static bool point(struct json_object *p, int64_t *t, double *v, int64_t *dur)
{
	struct json_object *ts, *val, *d;
	const char *s;

	if (!json_object_is_type(p, json_type_object) ||
	    !json_object_object_get_ex(p, "timestamp", &ts) ||
	    !json_object_object_get_ex(p, "value", &val) ||
	    !json_object_is_type(ts, json_type_string) ||
	    !(json_object_is_type(val, json_type_double) ||
	      json_object_is_type(val, json_type_int)))
		return false;
	s = json_object_get_string(ts);
	if (carbon_timeparse_iso(s, strlen(s), CARBON_TIMEPARSE_ISO_EXACT, t,
				 NULL, 0))
		return false;
	*v = json_object_get_double(val);
	*dur = 0;
	if (json_object_object_get_ex(p, "duration", &d) &&
	    json_object_is_type(d, json_type_int)) {
		int64_t m = json_object_get_int64(d);

		if (m > 0 && m < 1000000)
			*dur = m * 60;
	}
	return *v == *v; /* not NaN */
}

/* The lowest window of one location's object starting in [from, until]. */
static int one(struct json_object *loc, int64_t from, int64_t until,
	       struct scarbon_window *w, char *err, size_t errlen)
{
	struct json_object *name, *data, *cc, *stale;
	const char *key = from ? "forecastData" : "optimalDataPoints";

	memset(w, 0, sizeof(*w));
	if (!json_object_is_type(loc, json_type_object))
		return fail(err, errlen, "is not an array of objects");
	if (json_object_object_get_ex(loc, "location", &name) &&
	    json_object_is_type(name, json_type_string))
		snprintf(w->location, sizeof(w->location), "%s",
			 json_object_get_string(name));
	if (json_object_object_get_ex(loc, "carbonCache", &cc) &&
	    json_object_object_get_ex(cc, "stale", &stale))
		w->stale = json_object_get_boolean(stale);
	if (!json_object_object_get_ex(loc, key, &data) ||
	    !json_object_is_type(data, json_type_array))
		return fail(err, errlen, "has no forecastData array");
	for (size_t i = 0; i < json_object_array_length(data); i++) {
		int64_t t, dur;
		double v;

		if (!point(json_object_array_get_idx(data, i), &t, &v, &dur))
			return fail(err, errlen, "has a malformed data point");
		if (from && (t < from || t > until))
			continue;
		if (!w->has_best || v < w->value) {
			w->has_best = true;
			w->start = t;
			w->value = v;
			w->duration_s = dur;
		}
	}
	return 0;
}

int scarbon_forecast_answer(const char *buf, size_t len, int64_t from,
			    int64_t until, struct scarbon_window *w, size_t max,
			    size_t *n, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(32);
	struct json_object *root;
	int rc = 0;

	*n = 0;
	if (!tok)
		return fail(err, errlen, "could not be read (out of memory)");
	root = json_tokener_parse_ex(tok, buf,
				     (int)(len > 1 << 30 ? 1 << 30 : len));
	if (!root || json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(root);
		json_tokener_free(tok);
		return fail(err, errlen, "is not JSON");
	}
	json_tokener_free(tok);
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return fail(err, errlen, "is not an array");
	}
	for (size_t i = 0; i < json_object_array_length(root) && !rc; i++) {
		if (*n >= max) {
			rc = fail(err, errlen, "has more locations than asked");
			break;
		}
		rc = one(json_object_array_get_idx(root, i), from, until,
			 &w[*n], err, errlen);
		if (!rc)
			(*n)++;
	}
	json_object_put(root);
	return rc;
}
