/*
 * forecast_api.c: GET /emissions/forecasts/current (see forecast_api.h).
 * The request is parsed and the windows computed by the core
 * (carbon/forecast.h); this file resolves locations against carbon.conf,
 * takes the zones' latest entries and writes the SDK's JSON with json-c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "carbon/timeparse.h"
#include "forecast_api.h"

#define MSG_MAX 1024

#define JSON_TYPE    "application/json; charset=utf-8"
#define PROBLEM_TYPE "application/problem+json; charset=utf-8"

/* One location of the request, as it is being answered. */
struct loc {
	const char *name; /* as requested */
	const char *zone; /* carbon.conf's spelling */
	const struct carbon_latest_entry *e;
	struct carbon_forecast_result r;
	bool stale;
};

/* Why one request failed: its status, parameter and message. */
struct failure {
	unsigned status;
	const char *param; /* static, or key */
	char key[48];	   /* an unknown parameter, shown */
	char msg[MSG_MAX];
};

static const struct {
	unsigned status;
	const char *title;
	const char *section; /* of RFC 9110 */
} problems[] = {
	{400, "One or more validation errors occurred.", "15.5.1"},
	{404, "Not Found", "15.5.5"},
	{405, "Method Not Allowed", "15.5.6"},
	{500, "Internal Server Error", "15.6.1"},
	{501, "Not Implemented", "15.6.2"},
	{503, "Service Unavailable", "15.6.4"},
};

void carbon_forecast_reply_clear(struct carbon_forecast_reply *out)
{
	if (!out)
		return;
	free(out->body);
	memset(out, 0, sizeof(*out));
}

/* Serialise root (which is dropped) into out's body. */
static int take_json(struct json_object *root, unsigned status,
		     const char *type, struct carbon_forecast_reply *out)
{
	const char *text =
		root ? json_object_to_json_string_ext(
			       root, JSON_C_TO_STRING_PLAIN |
					     JSON_C_TO_STRING_NOSLASHESCAPE)
		     : NULL;
	char *body = text ? strdup(text) : NULL;

	json_object_put(root);
	if (!body)
		return CARBON_ENOMEM;
	free(out->body);
	out->body = body;
	out->len = strlen(body);
	out->status = status;
	out->type = type;
	return 0;
}

/* add a member; json-c takes val (NULL is JSON null) */
static void put(struct json_object *o, const char *key, struct json_object *val)
{
	json_object_object_add(o, key, val);
}

int carbon_forecast_api_problem(unsigned status, const char *param,
				const char *detail,
				struct carbon_forecast_reply *out)
{
	struct json_object *root = json_object_new_object(), *errs, *list;
	const char *title = "Error", *section = "15.6.1";
	char type[80];

	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++)
		if (problems[i].status == status) {
			title = problems[i].title;
			section = problems[i].section;
		}
	snprintf(type, sizeof(type),
		 "https://tools.ietf.org/html/rfc9110#section-%s", section);
	if (!root)
		return CARBON_ENOMEM;
	put(root, "type", json_object_new_string(type));
	put(root, "title", json_object_new_string(title));
	put(root, "status", json_object_new_int((int)status));
	put(root, "detail", json_object_new_string(detail));
	if (param) {
		errs = json_object_new_object();
		list = json_object_new_array();
		json_object_array_add(list, json_object_new_string(detail));
		json_object_object_add(errs, param, list);
		put(root, "errors", errs);
	}
	return take_json(root, status, PROBLEM_TYPE, out);
}

/* ---- the request ------------------------------------------------------------ */

/* f's status, parameter and message (cut with "..." when too long). */
static bool fail(struct failure *f, unsigned status, const char *param,
		 const char *fmt, ...) CARBON_PRINTF(4, 5);

static bool fail(struct failure *f, unsigned status, const char *param,
		 const char *fmt, ...)
{
	va_list ap;
	int n;

	f->status = status;
	f->param = param;
	va_start(ap, fmt);
	n = vsnprintf(f->msg, sizeof(f->msg), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(f->msg))
		strcpy(f->msg + sizeof(f->msg) - 4, "...");
	return false;
}

static bool read_query(const struct carbon_forecast_arg *args, size_t n,
		       bool too_many, struct carbon_forecast_query *q,
		       struct failure *f)
{
	int rc = 0;

	f->status = 400;
	carbon_forecast_query_init(q);
	if (too_many)
		return fail(f, 400, "query",
			    "query: more than %d parameters; give location "
			    "(repeatable), dataStartAt, dataEndAt and "
			    "windowSize",
			    CARBON_FORECAST_API_ARGS_MAX);
	for (size_t i = 0; i < n && !rc; i++) {
		rc = carbon_forecast_query_add(
			q, args[i].key, args[i].klen, args[i].value,
			args[i].vlen, &f->param, f->msg, sizeof(f->msg));
		/* an unknown key is named by itself */
		if (rc && !f->param)
			f->param = carbon_error_shown(args[i].key, args[i].klen,
						      f->key, sizeof(f->key));
	}
	if (!rc)
		rc = carbon_forecast_query_finish(q, &f->param, f->msg,
						  sizeof(f->msg));
	return rc == 0;
}

/* "A, B, C" of the config's zone or cluster names into buf. */
static void list_names(const struct carbon_config *cfg, bool zones, char *buf,
		       size_t len)
{
	size_t n = zones ? cfg->n_zones : cfg->n_clusters, used = 0;

	buf[0] = '\0';
	if (!n)
		strcpy(buf, "none");
	for (size_t i = 0; i < n; i++) {
		const char *name =
			zones ? cfg->zones[i].name : cfg->clusters[i].name;
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
				 name);

		if (k < 0 || (size_t)k >= len - used) {
			strcpy(buf + (used + 6 <= len ? used : len - 6),
			       ", ...");
			break;
		}
		used += (size_t)k;
	}
}

/* A location's zone: a Zone record, else a cluster's Zone. */
static bool resolve(const struct carbon_config *cfg, struct loc *l,
		    struct failure *f)
{
	const struct carbon_config_zone *z =
		carbon_config_zone_peek(cfg, l->name);
	const struct carbon_config_cluster *c;
	char zones[400], clusters[400];

	if (z) {
		l->zone = z->name;
		return true;
	}
	c = carbon_config_cluster_peek(cfg, l->name);
	if (c && c->zone[0]) {
		l->zone = c->zone;
		return true;
	}
	if (c)
		return fail(f, 404, "location",
			    "location: cluster %s has no Zone in carbon.conf "
			    "(it uses the constant FallbackIntensity), so "
			    "there is no forecast for it",
			    c->name);
	list_names(cfg, true, zones, sizeof(zones));
	list_names(cfg, false, clusters, sizeof(clusters));
	return fail(f, 404, "location",
		    "location: \"%s\" is neither a zone nor a cluster of "
		    "carbon.conf; use a zone (%s) or a cluster (%s)",
		    l->name, zones, clusters);
}

/* Take the zone's latest entry and compute its windows. */
static bool compute(const struct carbon_forecast_api *api,
		    const struct carbon_forecast_query *q, int64_t now,
		    struct loc *l, struct failure *f)
{
	long slot = carbon_latest_find(api->latest, l->zone);
	int rc;

	l->e = slot < 0 ? NULL : carbon_latest_get(api->latest, (size_t)slot);
	if (!l->e)
		return fail(f, 503, NULL,
			    "zone %s: carbon-cached holds no data for it yet "
			    "(no provider has answered since it started); try "
			    "again later",
			    l->zone);
	if (!l->e->forecast)
		return fail(f, 501, NULL,
			    "zone %s: its data (from %s) holds no forecast, "
			    "only measured points",
			    l->zone, l->e->head.source);
	rc = carbon_forecast_compute(l->e->forecast, q, &l->r, &f->param,
				     f->msg, sizeof(f->msg));
	if (rc) {
		f->status = rc == CARBON_ENOMEM || !f->param ? 500 : 400;
		return false;
	}
	l->stale = l->e->head.stale ||
		   now - l->e->head.fetched_at > api->cfg->stale_after;
	return true;
}

/* ---- the answer ------------------------------------------------------------- */

static struct json_object *time_json(int64_t t)
{
	char buf[24];

	if (carbon_time_format_iso(t, buf, sizeof(buf)))
		return NULL;
	return json_object_new_string(buf);
}

/* gCO2eq/kWh with at most 3 decimals, as the record keeps them. */
static struct json_object *value_json(double v)
{
	char buf[48];
	size_t n;

	snprintf(buf, sizeof(buf), "%.3f", v);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 1 && buf[n - 1] == '.')
		buf[--n] = '\0';
	return json_object_new_double_s(v, buf);
}

static struct json_object *point_json(const char *name,
				      const struct carbon_forecast_point *p)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "location", json_object_new_string(name));
	put(o, "timestamp", time_json(p->t));
	put(o, "duration", json_object_new_int64((p->duration + 30) / 60));
	put(o, "value", value_json(p->value));
	return o;
}

/* forecastData (all windows) or optimalDataPoints (the optimal ones). */
static struct json_object *points_json(const struct loc *l, bool optimal_only)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; a && i < l->r.n_points; i++)
		if (!optimal_only || l->r.points[i].optimal)
			json_object_array_add(
				a, point_json(l->name, &l->r.points[i]));
	return a;
}

static struct json_object *cache_json(const struct loc *l, int64_t now)
{
	const struct carbon_record *h = &l->e->head;
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "zone", json_object_new_string(l->zone));
	put(o, "source", json_object_new_string(h->source));
	put(o, "signal", json_object_new_string(carbon_signal_name(h->signal)));
	put(o, "basis", json_object_new_string(carbon_basis_name(h->basis)));
	put(o, "fetchedAt", time_json(h->fetched_at));
	put(o, "ageSeconds", json_object_new_int64(now - h->fetched_at));
	put(o, "stale", json_object_new_boolean(l->stale));
	put(o, "fallback", json_object_new_boolean(h->fallback));
	put(o, "derived", json_object_new_boolean(h->derived));
	return o;
}

static struct json_object *forecast_json(const struct loc *l, int64_t now)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	put(o, "generatedAt", time_json(l->e->head.fetched_at));
	put(o, "requestedAt", time_json(now));
	put(o, "location", json_object_new_string(l->name));
	put(o, "dataStartAt", time_json(l->r.start));
	put(o, "dataEndAt", time_json(l->r.end));
	put(o, "windowSize", json_object_new_int64((l->r.window + 30) / 60));
	put(o, "optimalDataPoints", points_json(l, true));
	put(o, "forecastData", points_json(l, false));
	put(o, "carbonCache", cache_json(l, now));
	return o;
}

static int answer_ok(struct loc *locs, size_t n, int64_t now,
		     struct carbon_forecast_reply *out)
{
	struct json_object *root = json_object_new_array();
	size_t used = 0;

	for (size_t i = 0; root && i < n; i++) {
		json_object_array_add(root, forecast_json(&locs[i], now));
		if (locs[i].stale && used < sizeof(out->stale))
			used += (size_t)snprintf(
				out->stale + used, sizeof(out->stale) - used,
				"%s%s", used ? "," : "", locs[i].name);
	}
	return take_json(root, 200, JSON_TYPE, out);
}

int carbon_forecast_api_answer(const struct carbon_forecast_api *api,
			       const struct carbon_forecast_arg *args, size_t n,
			       bool too_many, int64_t now,
			       struct carbon_forecast_reply *out)
{
	struct loc locs[CARBON_FORECAST_LOCATIONS_MAX];
	struct carbon_forecast_query q;
	struct failure f = {0};
	size_t k = 0;
	bool ok;
	int rc;

	if (!api || !api->cfg || !out || (n && !args))
		return CARBON_ENOMEM; /* nothing sensible to say */
	memset(out, 0, sizeof(*out));
	memset(locs, 0, sizeof(locs));
	ok = read_query(args, n, too_many, &q, &f);
	for (; ok && k < q.n_locations; k++) {
		locs[k].name = q.location[k];
		ok = resolve(api->cfg, &locs[k], &f) &&
		     compute(api, &q, now, &locs[k], &f);
	}
	rc = ok ? answer_ok(locs, q.n_locations, now, out)
		: carbon_forecast_api_problem(f.status, f.param, f.msg, out);
	if (!rc && f.status == 503)
		out->retry_after = CARBON_FORECAST_API_RETRY;
	for (size_t i = 0; i < CARBON_FORECAST_LOCATIONS_MAX; i++) {
		carbon_forecast_result_clear(&locs[i].r);
		carbon_latest_put(api->latest, locs[i].e);
	}
	return rc;
}
