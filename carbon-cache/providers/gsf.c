/*
 * gsf.c: the Carbon Aware SDK WebAPI provider (see gsf.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch_util.h"
#include "gsf.h"

#define PROV	  "gsf"
#define HISTORY_S (24 * 3600)

struct gsf_state {
	char token[CARBON_SECRET_MAX];
};

/* ---- parsing ----------------------------------------------------------------- */

/* "[d.]hh:mm:ss[.fffffff]" into seconds; -1 when malformed. */
static int64_t timespan(const char *s)
{
	int64_t f[4] = {0, 0, 0, 0}; /* days, hours, minutes, seconds */
	int k = 1, digits = 0;

	for (; *s; s++) {
		if (*s >= '0' && *s <= '9') {
			if (++digits > 7)
				return -1;
			f[k] = f[k] * 10 + (*s - '0');
		} else if (*s == '.' && k == 1 && digits) {
			f[0] = f[1], f[1] = 0, digits = 0; /* that was days */
		} else if (*s == ':' && k < 3 && digits) {
			k++, digits = 0;
		} else if (*s == '.' && k == 3 && digits) {
			break; /* fractions of a second are dropped */
		} else {
			return -1;
		}
	}
	if (k != 3 || !digits || f[1] > 23 || f[2] > 59 || f[3] > 59 ||
	    f[0] > 9999)
		return -1;
	return ((f[0] * 24 + f[1]) * 60 + f[2]) * 60 + f[3];
}

static int parse_duration(struct json_object *e, const char *where,
			  int64_t *secs, char *err, size_t errlen)
{
	struct json_object *m = NULL;
	double min;

	*secs = 0;
	/* e is an object (the caller's members were read); absent or null:
	 * not said */
	if (!json_object_object_get_ex(e, "duration", &m) || !m)
		return 0;
	if (json_object_is_type(m, json_type_string)) {
		*secs = timespan(json_object_get_string(m));
	} else if (json_object_is_type(m, json_type_int) ||
		   json_object_is_type(m, json_type_double)) {
		min = json_object_get_double(m);
		*secs = min >= 0 && min <= CARBON_GSF_DURATION_MAX / 60 &&
					min == floor(min)
				? (int64_t)min * 60
				: -1;
	} else {
		*secs = -1;
	}
	if (*secs < 0 || *secs > CARBON_GSF_DURATION_MAX)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s.duration: %.40s, expected "
					"\"hh:mm:ss\" or whole minutes up to "
					"7 days",
					where, json_object_to_json_string(m));
	return 0;
}

static int check_location(struct json_object *e, const char *where,
			  const char *location, char *err, size_t errlen)
{
	struct json_object *m;
	int rc =
		carbon_provider_json_member(e, "location", json_type_string,
					    true, true, where, &m, err, errlen);

	if (rc || !m || !location ||
	    !strcasecmp(json_object_get_string(m), location))
		return rc;
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s.location: \"%.40s\", expected \"%s\"",
				where, json_object_get_string(m), location);
}

/* One point: time_key/value_key as the two endpoints name them. */
static int parse_point(struct json_object *e, const char *where,
		       const char *time_key, const char *value_key,
		       const char *location, bool forecast,
		       struct carbon_provider_points *out, char *err,
		       size_t errlen)
{
	struct carbon_series_point p = {.is_forecast = forecast};
	bool is_null = false;
	int64_t secs = 0;
	int rc = check_location(e, where, location, err, errlen);

	if (!rc)
		rc = carbon_provider_json_time(e, time_key, where, &p.t, err,
					       errlen);
	if (!rc)
		rc = carbon_provider_json_number(e, value_key, where, &p.value,
						 &is_null, err, errlen);
	if (!rc)
		rc = parse_duration(e, where, &secs, err, errlen);
	if (rc)
		return rc;
	if (!out->span && secs)
		out->span = secs;
	if (is_null) {
		out->skipped++;
		return 0;
	}
	return carbon_provider_points_push(out, &p, where, err, errlen);
}

static int parse_points(struct json_object *arr, const char *name,
			const char *time_key, const char *value_key,
			const char *location, bool forecast,
			struct carbon_provider_points *out, char *err,
			size_t errlen)
{
	char where[CARBON_PROVIDER_WHERE_MAX];
	size_t n = json_object_array_length(arr);
	int rc = 0;

	if (n > CARBON_PROVIDER_POINTS_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					PROV ": %s: %zu items, more than %d",
					name, n, CARBON_PROVIDER_POINTS_MAX);
	for (size_t i = 0; !rc && i < n; i++) {
		snprintf(where, sizeof(where), PROV ": %s[%zu]", name, i);
		rc = parse_point(json_object_array_get_idx(arr, i), where,
				 time_key, value_key, location, forecast, out,
				 err, errlen);
	}
	return rc;
}

static int parse_start(const char *buf, size_t len,
		       struct carbon_provider_points *out,
		       struct json_object **root, char *err, size_t errlen)
{
	int rc;

	*root = NULL;
	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	rc = carbon_provider_json_parse(buf, len, PROV, root, err, errlen);
	if (!rc && !json_object_is_type(*root, json_type_array))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      PROV ": expected a JSON array, got %s",
				      carbon_provider_json_type_name(*root));
	return rc;
}

static int parse_end(struct json_object *root, int rc,
		     struct carbon_provider_points *out)
{
	json_object_put(root);
	if (rc)
		carbon_provider_points_clear(out);
	return rc;
}

int carbon_gsf_parse_emissions(const char *buf, size_t len,
			       const char *location,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen)
{
	struct json_object *root;
	int rc = parse_start(buf, len, out, &root, err, errlen);

	if (!rc)
		rc = parse_points(root, "emissions", "time", "rating", location,
				  false, out, err, errlen);
	return parse_end(root, rc, out);
}

int carbon_gsf_parse_forecast(const char *buf, size_t len, const char *location,
			      struct carbon_provider_points *out, char *err,
			      size_t errlen)
{
	struct json_object *root, *f = NULL, *loc, *arr = NULL;
	int rc = parse_start(buf, len, out, &root, err, errlen);
	size_t n = rc ? 0 : json_object_array_length(root);

	for (size_t i = 0; !rc && !f && i < n; i++) {
		struct json_object *e = json_object_array_get_idx(root, i);

		if (n == 1 || !location ||
		    (json_object_object_get_ex(e, "location", &loc) &&
		     json_object_is_type(loc, json_type_string) &&
		     !strcasecmp(json_object_get_string(loc), location)))
			f = e;
	}
	if (!rc && !f)
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      PROV ": no forecast for \"%s\" among %zu",
				      location ? location : "", n);
	if (!rc)
		rc = carbon_provider_json_array(f, "forecastData",
						PROV ": forecast", &arr, err,
						errlen);
	if (!rc)
		rc = parse_points(arr, "forecastData", "timestamp", "value",
				  location, true, out, err, errlen);
	return parse_end(root, rc, out);
}

/* ---- the provider ------------------------------------------------------------ */

static int gsf_open(const struct carbon_provider_conf *cfg, void **state,
		    char *err, size_t errlen)
{
	struct gsf_state *st;
	int rc;

	*state = NULL;
	if (!carbon_signal_is_known(cfg->signal) ||
	    !carbon_basis_is_known(cfg->basis) || !cfg->url[0])
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: gsf needs Url, Signal and Basis",
					cfg->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory", cfg->name);
	if (cfg->token_file[0]) {
		rc = carbon_provider_secret_load(
			cfg->name, "TokenFile", cfg->token_file, st->token,
			sizeof(st->token), false, err, errlen);
		if (rc) {
			free(st);
			return rc;
		}
	}
	*state = st;
	return 0;
}

static void gsf_close(void *state)
{
	if (!state)
		return;
	carbon_secret_wipe(state, sizeof(struct gsf_state));
	free(state);
}

static int build_url(const struct carbon_provider_conf *cfg, const char *area,
		     int64_t now, bool forecast, struct carbon_provider_url *u,
		     const char *who, char *err, size_t errlen)
{
	char a[PROVIDER_TIME_BUF], b[PROVIDER_TIME_BUF];

	carbon_provider_url_start(u, cfg->url,
				  forecast ? "emissions/forecasts/current"
					   : "emissions/bylocation");
	carbon_provider_url_param(u, "location", area);
	if (!forecast) {
		if (carbon_provider_time(now - HISTORY_S, PROVIDER_TIME_SECONDS,
					 a, sizeof(a)) ||
		    carbon_provider_time(now, PROVIDER_TIME_SECONDS, b,
					 sizeof(b)))
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"%s: now %lld is out of range",
						who, (long long)now);
		carbon_provider_url_param(u, "time", a);
		carbon_provider_url_param(u, "toTime", b);
	}
	return carbon_provider_url_done(u, who, err, errlen);
}

static int get_doc(const struct gsf_state *st,
		   const struct carbon_provider_conf *cfg,
		   struct carbon_http *http, const char *area, int64_t now,
		   bool forecast, struct carbon_provider_points *out,
		   long *status, char *err, size_t errlen)
{
	char who[PROVIDER_WHO_MAX], msg[512];
	struct carbon_http_response resp = {0};
	struct carbon_provider_url u;
	int rc;

	snprintf(who, sizeof(who), "%s %s: %s", cfg->name, area,
		 forecast ? "forecast" : "emissions");
	rc = build_url(cfg, area, now, forecast, &u, who, err, errlen);
	if (rc)
		return rc;
	rc = carbon_provider_get_url(http, u.buf, PROVIDER_BEARER, st->token,
				     who, &resp, status, err, errlen);
	if (!rc) {
		rc = forecast ? carbon_gsf_parse_forecast(resp.body, resp.len,
							  area, out, msg,
							  sizeof(msg))
			      : carbon_gsf_parse_emissions(resp.body, resp.len,
							   area, out, msg,
							   sizeof(msg));
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	carbon_http_response_clear(&resp);
	return rc;
}

static int gsf_fetch(void *state, const struct carbon_provider_conf *cfg,
		     struct carbon_http *http, const char *area, int64_t now,
		     carbon_series **out, char *err, size_t errlen)
{
	struct carbon_provider_points hist = {0}, fc = {0};
	const struct carbon_provider_points *parts[2] = {&hist, &fc};
	long status = 0;
	int rc;

	*out = NULL;
	if (!state || !area || !*area)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not opened, or no area",
					cfg->name);
	rc = get_doc(state, cfg, http, area, now, false, &hist, &status, err,
		     errlen);
	if (!rc) {
		rc = get_doc(state, cfg, http, area, now, true, &fc, &status,
			     err, errlen);
		if (rc && (status == 403 || status == 404 || status == 501)) {
			carbon_provider_points_clear(&fc);
			rc = 0;
		}
	}
	if (!rc)
		rc = carbon_provider_series_build(
			cfg, area, now, hist.span ? hist.span : fc.span, parts,
			2, out, err, errlen);
	carbon_provider_points_clear(&hist);
	carbon_provider_points_clear(&fc);
	return rc;
}

const struct carbon_provider_ops carbon_gsf_ops = {
	.type = "gsf",
	.open = gsf_open,
	.fetch = gsf_fetch,
	.close = gsf_close,
};
