/*
 * electricitymaps.c: the Electricity Maps API v3 provider (see
 * electricitymaps.h).  Values are already gCO2eq/kWh; hourly cadence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "electricitymaps.h"
#include "fetch_util.h"

#define PROV	 "electricitymaps"
#define CADENCE	 3600
#define HDR_NAME "auth-token: "

enum doc { DOC_HISTORY, DOC_LATEST, DOC_FORECAST };

static const char *const doc_name[] = {"history", "latest", "forecast"};

struct emaps_state {
	char token[CARBON_SECRET_MAX];
};

/* ---- parsing ----------------------------------------------------------------- */

static int check_string(struct json_object *o, const char *key,
			const char *want, const char *where, char *err,
			size_t errlen)
{
	struct json_object *m;
	int rc = carbon_provider_json_member(o, key, json_type_string, true,
					     true, where, &m, err, errlen);

	if (rc || !m || !want)
		return rc;
	if (strcasecmp(json_object_get_string(m), want))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"%s%s%s: \"%.40s\", expected \"%s\"", where,
			where[strlen(where) - 1] == ':' ? " " : ".", key,
			json_object_get_string(m), want);
	return 0;
}

static const char *factor_type(enum carbon_basis basis)
{
	if (basis == CARBON_BASIS_LIFECYCLE || basis == CARBON_BASIS_DIRECT)
		return carbon_basis_name(basis);
	return NULL;
}

static int parse_entry(struct json_object *e, const char *where, bool forecast,
		       enum carbon_basis basis,
		       struct carbon_provider_points *out, char *err,
		       size_t errlen)
{
	struct carbon_series_point p = {.is_forecast = forecast};
	bool is_null = false;
	int rc;

	rc = carbon_provider_json_time(e, "datetime", where, &p.t, err, errlen);
	if (!rc)
		rc = carbon_provider_json_number(e, "carbonIntensity", where,
						 &p.value, &is_null, err,
						 errlen);
	if (!rc)
		rc = carbon_provider_json_bool(e, "isEstimated", where,
					       &p.is_estimated, err, errlen);
	if (!rc)
		rc = check_string(e, "emissionFactorType", factor_type(basis),
				  where, err, errlen);
	if (rc)
		return rc;
	if (is_null) {
		out->skipped++;
		return 0;
	}
	return carbon_provider_points_push(out, &p, where, err, errlen);
}

static int parse_doc(const char *buf, size_t len, enum doc doc,
		     const char *zone, enum carbon_basis basis,
		     struct carbon_provider_points *out, char *err,
		     size_t errlen)
{
	struct json_object *root = NULL, *arr = NULL;
	char where[CARBON_PROVIDER_WHERE_MAX];
	int rc;

	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					PROV ": bad arguments");
	carbon_provider_points_clear(out);
	rc = carbon_provider_json_parse(buf, len, PROV, &root, err, errlen);
	if (!rc)
		rc = check_string(root, "zone", zone, PROV ":", err, errlen);
	if (!rc && doc == DOC_LATEST) {
		rc = parse_entry(root, PROV ": latest", false, basis, out, err,
				 errlen);
		goto out;
	}
	if (!rc)
		rc = carbon_provider_json_array(root, doc_name[doc], PROV ":",
						&arr, err, errlen);
	for (size_t i = 0; !rc && i < json_object_array_length(arr); i++) {
		snprintf(where, sizeof(where), PROV ": %s[%zu]", doc_name[doc],
			 i);
		rc = parse_entry(json_object_array_get_idx(arr, i), where,
				 doc == DOC_FORECAST, basis, out, err, errlen);
	}
out:
	json_object_put(root);
	if (rc)
		carbon_provider_points_clear(out);
	else
		out->span = CADENCE;
	return rc;
}

int carbon_electricitymaps_parse_history(const char *buf, size_t len,
					 const char *zone,
					 enum carbon_basis basis,
					 struct carbon_provider_points *out,
					 char *err, size_t errlen)
{
	return parse_doc(buf, len, DOC_HISTORY, zone, basis, out, err, errlen);
}

int carbon_electricitymaps_parse_latest(const char *buf, size_t len,
					const char *zone,
					enum carbon_basis basis,
					struct carbon_provider_points *out,
					char *err, size_t errlen)
{
	return parse_doc(buf, len, DOC_LATEST, zone, basis, out, err, errlen);
}

int carbon_electricitymaps_parse_forecast(const char *buf, size_t len,
					  const char *zone,
					  enum carbon_basis basis,
					  struct carbon_provider_points *out,
					  char *err, size_t errlen)
{
	return parse_doc(buf, len, DOC_FORECAST, zone, basis, out, err, errlen);
}

/* ---- the provider ------------------------------------------------------------ */

static int emaps_open(const struct carbon_provider_conf *cfg, void **state,
		      char *err, size_t errlen)
{
	struct emaps_state *st;
	int rc;

	*state = NULL;
	if (cfg->signal != CARBON_SIGNAL_AVERAGE || !factor_type(cfg->basis))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: electricitymaps yields average "
					"lifecycle or direct values, not %s %s",
					cfg->name,
					carbon_signal_name(cfg->signal),
					carbon_basis_name(cfg->basis));
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

static void emaps_close(void *state)
{
	if (!state)
		return;
	carbon_secret_wipe(state, sizeof(struct emaps_state));
	free(state);
}

/* GET one document and parse it into out; *status is the HTTP status. */
static int get_doc(const struct emaps_state *st,
		   const struct carbon_provider_conf *cfg,
		   struct carbon_http *http, const char *area, enum doc doc,
		   struct carbon_provider_points *out, long *status, char *err,
		   size_t errlen)
{
	static const char *const path[] = {"carbon-intensity/history",
					   "carbon-intensity/latest",
					   "carbon-intensity/forecast"};
	char who[PROVIDER_WHO_MAX], msg[512];
	struct carbon_http_response resp = {0};
	struct carbon_provider_url u;
	int rc;

	snprintf(who, sizeof(who), "%s %s: %s", cfg->name, area, doc_name[doc]);
	carbon_provider_url_start(&u, cfg->url, path[doc]);
	carbon_provider_url_param(&u, "zone", area);
	carbon_provider_url_param(&u, "emissionFactorType",
				  factor_type(cfg->basis));
	rc = carbon_provider_url_done(&u, who, err, errlen);
	if (rc)
		return rc;
	rc = carbon_provider_get_url(http, u.buf, HDR_NAME, st->token, who,
				     &resp, status, err, errlen);
	if (!rc) {
		rc = parse_doc(resp.body, resp.len, doc, area, cfg->basis, out,
			       msg, sizeof(msg));
		if (rc)
			rc = carbon_provider_fail(rc, who, PROV, msg, err,
						  errlen);
	}
	carbon_http_response_clear(&resp);
	return rc;
}

static int emaps_fetch(void *state, const struct carbon_provider_conf *cfg,
		       struct carbon_http *http, const char *area, int64_t now,
		       carbon_series **out, char *err, size_t errlen)
{
	struct carbon_provider_points pts[3] = {{0}};
	const struct carbon_provider_points *parts[3] = {&pts[0], &pts[1],
							 &pts[2]};
	long status = 0;
	int rc = 0;

	*out = NULL;
	if (!state || !area || !*area)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: not opened, or no area",
					cfg->name);
	for (int d = DOC_HISTORY; !rc && d <= DOC_FORECAST; d++) {
		rc = get_doc(state, cfg, http, area, (enum doc)d, &pts[d],
			     &status, err, errlen);
		/* a forecast outside the plan: history alone, fallback later */
		if (rc && d == DOC_FORECAST &&
		    (status == 401 || status == 403 || status == 404)) {
			carbon_provider_points_clear(&pts[d]);
			rc = 0;
		}
	}
	if (!rc)
		rc = carbon_provider_series_build(cfg, area, now, CADENCE,
						  parts, 3, out, err, errlen);
	for (int d = 0; d < 3; d++)
		carbon_provider_points_clear(&pts[d]);
	return rc;
}

const struct carbon_provider_ops carbon_electricitymaps_ops = {
	.type = "electricitymaps",
	.open = emaps_open,
	.fetch = emaps_fetch,
	.close = emaps_close,
};
