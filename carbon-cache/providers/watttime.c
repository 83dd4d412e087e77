/*
 * watttime.c: the WattTime API v3 provider (see watttime.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_util.h"
#include "watttime.h"

#define PROV	     "watttime"
#define HORIZON	     "24"
#define HISTORY_S    (24 * 3600)
#define SPAN_DEFAULT 300

struct watttime_state {
	char password[CARBON_SECRET_MAX];
	char token[CARBON_WATTTIME_TOKEN_MAX];
	int64_t token_at; /* the fetch's now when the token was issued */
	bool has_token;
};

/* ---- parsing ----------------------------------------------------------------- */

int carbon_watttime_parse_login(const char *buf, size_t len, char *token,
				size_t size, char *err, size_t errlen)
{
	struct json_object *root = NULL, *m = NULL;
	const char *s;
	size_t n;
	int rc;

	if (!token || size == 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	memset(token, 0, size);
	rc = carbon_provider_json_parse(buf, len, PROV, &root, err, errlen);
	if (!rc)
		rc = carbon_provider_json_member(
			root, "token", json_type_string, false, false,
			PROV ": login:", &m, err, errlen);
	if (rc)
		goto out;
	s = json_object_get_string(m);
	n = (size_t)json_object_get_string_len(m);
	if (n == 0 || n >= size) {
		rc = carbon_error_set(err, errlen, CARBON_ERANGE,
				      PROV
				      ": login: token: %zu bytes, expected "
				      "1 to %zu",
				      n, size - 1);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x21 || s[i] > 0x7e) {
			rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					      PROV ": login: token: byte %zu "
						   "is not printable ASCII",
					      i + 1);
			goto out;
		}
	}
	memcpy(token, s, n);
out:
	json_object_put(root);
	return rc;
}

static int parse_units(struct json_object *meta, double *factor, char *err,
		       size_t errlen)
{
	struct json_object *m;
	const char *u;
	int rc = carbon_provider_json_member(meta, "units", json_type_string,
					     true, true, PROV ": meta", &m, err,
					     errlen);

	*factor = CARBON_WATTTIME_LBS_MWH;
	if (rc || !m)
		return rc;
	u = json_object_get_string(m);
	if (!strcmp(u, "lbs_co2_per_mwh"))
		return 0;
	if (!strcmp(u, "kg_co2_per_mwh") || !strcmp(u, "g_co2_per_kwh")) {
		*factor = 1.0;
		return 0;
	}
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				PROV ": meta.units: \"%.40s\", expected "
				     "lbs_co2_per_mwh",
				u);
}

/* meta: units into *factor, the period into *span, the signal checked. */
static int parse_meta(struct json_object *root, const char *signal_type,
		      double *factor, int64_t *span, char *err, size_t errlen)
{
	struct json_object *meta, *m;
	double p;
	int rc;

	*factor = CARBON_WATTTIME_LBS_MWH;
	*span = 0;
	rc = carbon_provider_json_member(root, "meta", json_type_object, true,
					 true, PROV ":", &meta, err, errlen);
	if (rc || !meta)
		return rc;
	rc = carbon_provider_json_member(meta, "signal_type", json_type_string,
					 true, true, PROV ": meta", &m, err,
					 errlen);
	if (rc)
		return rc;
	if (m && signal_type && strcmp(json_object_get_string(m), signal_type))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": meta.signal_type: \"%.40s\", "
					     "expected \"%s\"",
					json_object_get_string(m), signal_type);
	rc = parse_units(meta, factor, err, errlen);
	if (!rc)
		rc = carbon_provider_json_member(
			meta, "data_point_period_seconds", json_type_double,
			true, true, PROV ": meta", &m, err, errlen);
	if (rc || !m)
		return rc;
	p = json_object_get_double(m);
	if (!(p >= 1 && p <= CARBON_WATTTIME_PERIOD_MAX) || p != floor(p))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					PROV
					": meta.data_point_period_seconds: "
					"%g, expected 1 to %d whole seconds",
					p, CARBON_WATTTIME_PERIOD_MAX);
	*span = (int64_t)p;
	return 0;
}

static int parse_point(struct json_object *e, const char *where, double factor,
		       bool forecast, struct carbon_provider_points *out,
		       char *err, size_t errlen)
{
	struct carbon_series_point p = {.is_forecast = forecast};
	bool is_null = false;
	double v = 0;
	int rc = carbon_provider_json_time(e, "point_time", where, &p.t, err,
					   errlen);

	if (!rc)
		rc = carbon_provider_json_number(e, "value", where, &v,
						 &is_null, err, errlen);
	if (rc)
		return rc;
	if (is_null) {
		out->skipped++;
		return 0;
	}
	p.value = v * factor;
	return carbon_provider_points_push(out, &p, where, err, errlen);
}

int carbon_watttime_parse_data(const char *buf, size_t len,
			       const char *signal_type, bool forecast,
			       struct carbon_provider_points *out, char *err,
			       size_t errlen)
{
	struct json_object *root = NULL, *arr = NULL;
	char where[CARBON_PROVIDER_WHERE_MAX];
	double factor = CARBON_WATTTIME_LBS_MWH;
	int64_t span = 0;
	int rc;

	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	rc = carbon_provider_json_parse(buf, len, PROV, &root, err, errlen);
	if (!rc)
		rc = parse_meta(root, signal_type, &factor, &span, err, errlen);
	if (!rc)
		rc = carbon_provider_json_array(root, "data", PROV ":", &arr,
						err, errlen);
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		snprintf(where, sizeof(where), PROV ": data[%zu]", i);
		rc = parse_point(json_object_array_get_idx(arr, i), where,
				 factor, forecast, out, err, errlen);
	}
	json_object_put(root);
	if (rc)
		carbon_provider_points_clear(out);
	else
		out->span = span;
	return rc;
}

/* ---- the provider ------------------------------------------------------------ */

static const char *signal_type(const struct carbon_provider_conf *cfg)
{
	return cfg->signal == CARBON_SIGNAL_AVERAGE ? "co2_aoer" : "co2_moer";
}

static int watttime_open(const struct carbon_provider_conf *cfg, void **state,
			 char *err, size_t errlen)
{
	struct watttime_state *st;
	int rc;

	*state = NULL;
	if (!carbon_signal_is_known(cfg->signal) ||
	    cfg->basis != CARBON_BASIS_OPERATIONAL)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: watttime yields marginal or "
					"average operational values, not %s %s",
					cfg->name,
					carbon_signal_name(cfg->signal),
					carbon_basis_name(cfg->basis));
	if (!cfg->user[0] || !cfg->password_file[0])
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: watttime needs User and "
					"PasswordFile",
					cfg->name);
	st = calloc(1, sizeof(*st));
	if (!st)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory", cfg->name);
	rc = carbon_provider_secret_load(
		cfg->name, "PasswordFile", cfg->password_file, st->password,
		sizeof(st->password), true, err, errlen);
	if (rc) {
		free(st);
		return rc;
	}
	*state = st;
	return 0;
}

static void watttime_close(void *state)
{
	if (!state)
		return;
	carbon_secret_wipe(state, sizeof(struct watttime_state));
	free(state);
}

static int login(struct watttime_state *st,
		 const struct carbon_provider_conf *cfg,
		 struct carbon_http *http, const char *area, int64_t now,
		 char *err, size_t errlen)
{
	struct carbon_http_response resp = {0};
	struct carbon_http_request req = {0};
	char who[PROVIDER_WHO_MAX], msg[512];
	struct carbon_provider_url u;
	int rc;

	st->has_token = false;
	carbon_secret_wipe(st->token, sizeof(st->token));
	snprintf(who, sizeof(who), "%s %s: login", cfg->name, area);
	carbon_provider_url_start(&u, cfg->url, "login");
	rc = carbon_provider_url_done(&u, who, err, errlen);
	if (rc)
		return rc;
	req.url = u.buf;
	req.basic_user = cfg->user;
	req.basic_password = st->password;
	rc = carbon_provider_get(http, &req, who, st->password, &resp, err,
				 errlen);
	if (rc && (resp.status == 401 || resp.status == 403))
		rc = carbon_error_set(err, errlen, rc,
				      "%s: User or PasswordFile rejected "
				      "(HTTP %ld)",
				      who, resp.status);
	if (!rc) {
		rc = carbon_watttime_parse_login(resp.body, resp.len, st->token,
						 sizeof(st->token), msg,
						 sizeof(msg));
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	if (resp.body)
		carbon_secret_wipe(resp.body, resp.len);
	carbon_http_response_clear(&resp);
	if (rc)
		return rc;
	st->has_token = true;
	st->token_at = now;
	return 0;
}

static int build_url(const struct carbon_provider_conf *cfg, const char *area,
		     int64_t now, bool forecast, struct carbon_provider_url *u,
		     const char *who, char *err, size_t errlen)
{
	char a[PROVIDER_TIME_BUF], b[PROVIDER_TIME_BUF];

	carbon_provider_url_start(u, cfg->url,
				  forecast ? "v3/forecast" : "v3/historical");
	carbon_provider_url_param(u, "region", area);
	carbon_provider_url_param(u, "signal_type", signal_type(cfg));
	if (forecast) {
		carbon_provider_url_param(u, "horizon_hours", HORIZON);
	} else {
		if (carbon_provider_time(now - HISTORY_S, PROVIDER_TIME_SECONDS,
					 a, sizeof(a)) ||
		    carbon_provider_time(now, PROVIDER_TIME_SECONDS, b,
					 sizeof(b)))
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"%s: now %lld is out of range",
						who, (long long)now);
		carbon_provider_url_param(u, "start", a);
		carbon_provider_url_param(u, "end", b);
	}
	return carbon_provider_url_done(u, who, err, errlen);
}

/* One data call; *status is the last HTTP status. */
static int get_data(struct watttime_state *st,
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
		 forecast ? "forecast" : "historical");
	rc = build_url(cfg, area, now, forecast, &u, who, err, errlen);
	if (rc)
		return rc;
	rc = carbon_provider_get_url(http, u.buf, PROVIDER_BEARER, st->token,
				     who, &resp, status, err, errlen);
	if (!rc) {
		rc = carbon_watttime_parse_data(resp.body, resp.len,
						signal_type(cfg), forecast, out,
						msg, sizeof(msg));
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	carbon_http_response_clear(&resp);
	return rc;
}

/* A data call with a valid token: log in when needed, once more on 401. */
static int get_authed(struct watttime_state *st,
		      const struct carbon_provider_conf *cfg,
		      struct carbon_http *http, const char *area, int64_t now,
		      bool forecast, struct carbon_provider_points *out,
		      long *status, char *err, size_t errlen)
{
	int rc = 0;

	if (!st->has_token || now - st->token_at >= CARBON_WATTTIME_TOKEN_TTL ||
	    now < st->token_at)
		rc = login(st, cfg, http, area, now, err, errlen);
	if (!rc)
		rc = get_data(st, cfg, http, area, now, forecast, out, status,
			      err, errlen);
	if (rc && *status == 401) {
		rc = login(st, cfg, http, area, now, err, errlen);
		if (!rc)
			rc = get_data(st, cfg, http, area, now, forecast, out,
				      status, err, errlen);
	}
	return rc;
}

static int watttime_fetch(void *state, const struct carbon_provider_conf *cfg,
			  struct carbon_http *http, const char *area,
			  int64_t now, carbon_series **out, char *err,
			  size_t errlen)
{
	struct carbon_provider_points hist = {0}, fc = {0};
	const struct carbon_provider_points *parts[2] = {&hist, &fc};
	int64_t span;
	long status = 0;
	int rc;

	*out = NULL;
	if (!state || !area || !*area)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not opened, or no area",
					cfg->name);
	rc = get_authed(state, cfg, http, area, now, false, &hist, &status, err,
			errlen);
	if (!rc) {
		status = 0;
		rc = get_authed(state, cfg, http, area, now, true, &fc, &status,
				err, errlen);
		if (rc && (status == 403 || status == 404)) {
			carbon_provider_points_clear(&fc);
			rc = 0;
		}
	}
	span = hist.span ? hist.span : fc.span ? fc.span : SPAN_DEFAULT;
	if (!rc)
		rc = carbon_provider_series_build(cfg, area, now, span, parts,
						  2, out, err, errlen);
	carbon_provider_points_clear(&hist);
	carbon_provider_points_clear(&fc);
	return rc;
}

const struct carbon_provider_ops carbon_watttime_ops = {
	.type = "watttime",
	.open = watttime_open,
	.fetch = watttime_fetch,
	.close = watttime_close,
};
