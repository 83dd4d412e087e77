/*
 * Unit tests for carbon-cached's forecast endpoint: the latest-record
 * holder (latest.h: copies, references that outlive a newer publish, a
 * reader thread racing the publisher) and the answers of
 * forecast_api.h (the SDK's JSON shape and numbers, zones and clusters as
 * locations, the stale marker and header, every error status with its
 * ValidationProblemDetails body), and our own gsf provider's parser
 * reading the answer back: the same shape seen from the client's side.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "cache_conf.h"
#include "forecast_api.h"
#include "latest.h"
#include "providers/gsf.h"

#define T0 INT64_C(1795420800) /* 2026-11-23T08:00:00Z */
#define H  INT64_C(3600)

static const char conf[] = "HmacKeyFile=/etc/slurm/carbon-hmac.key\n"
			   "StaleAfter=1h\n"
			   "Zone=ES Providers=static StaticIntensity=100\n"
			   "Zone=NO Providers=static StaticIntensity=20\n"
			   "Zone=PT Providers=static StaticIntensity=30\n"
			   "ClusterName=es Zone=ES\n"
			   "ClusterName=north Zone=NO\n"
			   "ClusterName=bare FallbackIntensity=100\n";

static const char *const zones[] = {"ES", "NO", "PT"};

struct fixture {
	struct carbon_config *cfg;
	struct carbon_latest *latest;
	struct carbon_forecast_api api;
	struct carbon_forecast_reply out;
	struct json_object *doc;
};

/* ES's record: two measured hours, then six forecast hours from T0,
 * fetched at T0. */
static struct carbon_record *record(bool with_forecast, int64_t fetched_at)
{
	static const double v[] = {300, 200, 150, 120, 50, 120, 90, 130};
	struct carbon_record *r = carbon_record_new(8);

	assert_non_null(r);
	strcpy(r->zone, "ES");
	strcpy(r->source, "replay-es");
	r->signal = CARBON_SIGNAL_AVERAGE;
	r->basis = CARBON_BASIS_LIFECYCLE;
	r->fetched_at = r->generated_at = fetched_at;
	for (size_t i = 0; i < 8; i++) {
		r->points[i].t = T0 - 2 * H + (int64_t)i * H;
		r->points[i].value = v[i];
		r->points[i].is_forecast = with_forecast && i >= 2;
	}
	return r;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct carbon_record *r;
	char err[512];

	assert_non_null(fx);
	fx->cfg = carbon_cache_conf_new();
	assert_int_equal(carbon_config_parse(fx->cfg, conf, strlen(conf),
					     "carbon.conf", err, sizeof(err)),
			 0);
	fx->latest = carbon_latest_new(zones, 3);
	assert_non_null(fx->latest);
	r = record(true, T0);
	assert_int_equal(
		carbon_latest_publish(fx->latest, 0, r, err, sizeof(err)), 0);
	carbon_record_free(r);
	r = record(false, T0);
	strcpy(r->zone, "NO");
	assert_int_equal(
		carbon_latest_publish(fx->latest, 1, r, err, sizeof(err)), 0);
	carbon_record_free(r);
	fx->api.cfg = fx->cfg;
	fx->api.latest = fx->latest;
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	json_object_put(fx->doc);
	carbon_forecast_reply_clear(&fx->out);
	carbon_latest_free(fx->latest);
	carbon_config_free(fx->cfg);
	free(fx);
	return 0;
}

/* Ask with the query "k=v&k=v..." (no decoding) at now; parse the body. */
static unsigned ask(struct fixture *fx, const char *query, int64_t now)
{
	struct carbon_forecast_arg args[CARBON_FORECAST_API_ARGS_MAX];
	static char buf[1024];
	size_t n = 0;
	char *p = buf, *amp;

	snprintf(buf, sizeof(buf), "%s", query);
	while (*p && n < CARBON_FORECAST_API_ARGS_MAX) {
		char *eq;

		amp = strchr(p, '&');
		if (amp)
			*amp = '\0';
		eq = strchr(p, '=');
		if (eq)
			*eq = '\0';
		args[n++] = (struct carbon_forecast_arg){
			p, strlen(p), eq ? eq + 1 : NULL,
			eq ? strlen(eq + 1) : 0};
		p = amp ? amp + 1 : p + strlen(p);
	}
	json_object_put(fx->doc);
	carbon_forecast_reply_clear(&fx->out);
	assert_int_equal(carbon_forecast_api_answer(&fx->api, args, n, false,
						    now, &fx->out),
			 0);
	fx->doc = json_tokener_parse(fx->out.body);
	assert_non_null(fx->doc);
	return fx->out.status;
}

static struct json_object *at(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no member %s in %s", key,
			 json_object_to_json_string(o));
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	return json_object_get_string(at(o, key));
}

/* A problem answer of status naming param (NULL: no errors member) with a
 * message holding piece. */
static void problem(struct fixture *fx, unsigned status, const char *param,
		    const char *piece)
{
	struct json_object *errs, *list;

	assert_int_equal(fx->out.status, status);
	assert_string_equal(fx->out.type,
			    "application/problem+json; charset=utf-8");
	assert_int_equal(json_object_get_int(at(fx->doc, "status")), status);
	if (!strstr(str(fx->doc, "detail"), piece))
		fail_msg("\"%s\" not in \"%s\"", piece, str(fx->doc, "detail"));
	if (!param) {
		assert_false(
			json_object_object_get_ex(fx->doc, "errors", NULL));
		return;
	}
	errs = at(fx->doc, "errors");
	list = at(errs, param);
	assert_int_equal(json_object_array_length(list), 1);
	assert_string_equal(
		json_object_get_string(json_object_array_get_idx(list, 0)),
		str(fx->doc, "detail"));
}

/* ---- the holder --------------------------------------------------------------- */

static void test_latest(void **state)
{
	struct fixture *fx = *state;
	const struct carbon_latest_entry *e, *e2;
	struct carbon_record *r = record(true, T0 + H);
	char err[256];

	assert_int_equal(carbon_latest_find(fx->latest, "es"), 0);
	assert_int_equal(carbon_latest_find(fx->latest, "PT"), 2);
	assert_int_equal(carbon_latest_find(fx->latest, "XX"), -1);
	assert_null(carbon_latest_get(fx->latest, 2)); /* nothing yet */
	assert_null(carbon_latest_get(fx->latest, 9));
	e = carbon_latest_get(fx->latest, 0);
	assert_non_null(e);
	assert_int_equal(e->head.fetched_at, T0);
	assert_int_equal(e->n_points, 8);
	assert_null(e->head.points);
	assert_int_equal(carbon_series_count(e->forecast), 6);
	e2 = carbon_latest_get(fx->latest, 1);
	assert_null(e2->forecast); /* measured points only */
	carbon_latest_put(fx->latest, e2);
	/* a newer publish: the held entry stays whole, new readers see the
	 * new one */
	assert_int_equal(
		carbon_latest_publish(fx->latest, 0, r, err, sizeof(err)), 0);
	carbon_record_free(r);
	e2 = carbon_latest_get(fx->latest, 0);
	assert_int_equal(e2->head.fetched_at, T0 + H);
	assert_int_equal(e->head.fetched_at, T0);
	assert_int_equal(carbon_series_count(e->forecast), 6);
	carbon_latest_put(fx->latest, e);
	carbon_latest_put(fx->latest, e2);
	carbon_latest_put(fx->latest, NULL);
	assert_int_equal(
		carbon_latest_publish(fx->latest, 7, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(carbon_latest_publish(NULL, 0, NULL, err, sizeof(err)),
			 0);
	carbon_latest_free(NULL);
}

struct race {
	struct carbon_latest *l;
	bool done;	/* __atomic */
	unsigned reads; /* __atomic */
	unsigned bad;	/* the reader's, read after the join */
};

static void *reader(void *arg)
{
	struct race *rc = arg;

	while (!__atomic_load_n(&rc->done, __ATOMIC_ACQUIRE)) {
		const struct carbon_latest_entry *e =
			carbon_latest_get(rc->l, 0);

		/* an entry is whole: its series is its record's */
		if (!e || carbon_series_meta_peek(e->forecast)->fetched_at !=
				  e->head.fetched_at)
			rc->bad++;
		carbon_latest_put(rc->l, e);
		__atomic_fetch_add(&rc->reads, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Publish while a reader takes and drops entries: at least 2000 publishes
 * and 1000 reads (bounded: the reader may be scheduled late). */
static void test_latest_race(void **state)
{
	struct fixture *fx = *state;
	struct race rc = {.l = fx->latest};
	pthread_t t;
	char err[256];
	int i = 0;

	assert_int_equal(pthread_create(&t, NULL, reader, &rc), 0);
	for (;
	     i < 2000000 &&
	     (i < 2000 || __atomic_load_n(&rc.reads, __ATOMIC_ACQUIRE) < 1000);
	     i++) {
		struct carbon_record *r = record(true, T0 + i);

		assert_int_equal(carbon_latest_publish(fx->latest, 0, r, err,
						       sizeof(err)),
				 0);
		carbon_record_free(r);
	}
	__atomic_store_n(&rc.done, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(rc.bad, 0);
	assert_true(rc.reads >= 1000);
}

/* ---- answers ------------------------------------------------------------------ */

static void test_answer(void **state)
{
	struct fixture *fx = *state;
	struct json_object *f, *data, *opt, *p, *cc;

	assert_int_equal(
		ask(fx, "location=es&Location=ES&windowSize=120", T0 + 600),
		200);
	assert_string_equal(fx->out.type, "application/json; charset=utf-8");
	assert_string_equal(fx->out.stale, "");
	assert_int_equal(json_object_array_length(fx->doc), 2);
	f = json_object_array_get_idx(fx->doc, 0);
	assert_string_equal(str(f, "location"), "es");
	assert_string_equal(str(f, "generatedAt"), "2026-11-23T08:00:00Z");
	assert_string_equal(str(f, "requestedAt"), "2026-11-23T08:10:00Z");
	assert_string_equal(str(f, "dataStartAt"), "2026-11-23T08:00:00Z");
	assert_string_equal(str(f, "dataEndAt"), "2026-11-23T14:00:00Z");
	assert_int_equal(json_object_get_int(at(f, "windowSize")), 120);
	/* forecast 150 120 50 120 90 130: 2-hour means from each hour */
	data = at(f, "forecastData");
	assert_int_equal(json_object_array_length(data), 5);
	p = json_object_array_get_idx(data, 0);
	assert_string_equal(str(p, "location"), "es");
	assert_string_equal(str(p, "timestamp"), "2026-11-23T08:00:00Z");
	assert_int_equal(json_object_get_int(at(p, "duration")), 120);
	assert_true(json_object_get_double(at(p, "value")) == 135);
	assert_true(json_object_get_double(
			    at(json_object_array_get_idx(data, 2), "value")) ==
		    85);
	opt = at(f, "optimalDataPoints");
	assert_int_equal(json_object_array_length(opt), 2); /* 85 twice */
	assert_string_equal(str(json_object_array_get_idx(opt, 0), "timestamp"),
			    "2026-11-23T09:00:00Z");
	assert_string_equal(str(json_object_array_get_idx(opt, 1), "timestamp"),
			    "2026-11-23T10:00:00Z");
	cc = at(f, "carbonCache");
	assert_string_equal(str(cc, "zone"), "ES");
	assert_string_equal(str(cc, "source"), "replay-es");
	assert_string_equal(str(cc, "signal"), "average");
	assert_string_equal(str(cc, "basis"), "lifecycle");
	assert_int_equal(json_object_get_int(at(cc, "ageSeconds")), 600);
	assert_false(json_object_get_boolean(at(cc, "stale")));
	f = json_object_array_get_idx(fx->doc, 1);
	assert_string_equal(str(f, "location"), "ES");
	/* a cluster's zone, an unaligned start: the default window is the
	 * hour in force at 09:30, then the windows from each point */
	assert_int_equal(ask(fx,
			     "location=es&dataStartAt=2026-11-23T09:30:00Z"
			     "&dataEndAt=2026-11-23T12:00:00Z",
			     T0),
			 200);
	f = json_object_array_get_idx(fx->doc, 0);
	assert_int_equal(json_object_get_int(at(f, "windowSize")), 60);
	data = at(f, "forecastData");
	assert_int_equal(json_object_array_length(data), 3);
	assert_true(json_object_get_double(
			    at(json_object_array_get_idx(data, 0), "value")) ==
		    85);
	assert_string_equal(
		str(json_object_array_get_idx(data, 2), "timestamp"),
		"2026-11-23T11:00:00Z");
	/* a window longer than the range: empty arrays, as the SDK */
	assert_int_equal(ask(fx, "location=ES&windowSize=600", T0), 200);
	f = json_object_array_get_idx(fx->doc, 0);
	assert_int_equal(json_object_array_length(at(f, "forecastData")), 0);
	assert_int_equal(json_object_array_length(at(f, "optimalDataPoints")),
			 0);
}

static void test_stale(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r = record(true, T0);
	char err[256];

	/* older than StaleAfter (1 h) */
	assert_int_equal(ask(fx, "location=es&location=ES", T0 + H + 1), 200);
	assert_true(json_object_get_boolean(
		at(at(json_object_array_get_idx(fx->doc, 0), "carbonCache"),
		   "stale")));
	assert_string_equal(fx->out.stale, "es,ES");
	assert_int_equal(ask(fx, "location=es", T0 + H), 200);
	assert_string_equal(fx->out.stale, "");
	/* the record says its last refresh failed */
	r->stale = true;
	r->generated_at = T0 + 60;
	assert_int_equal(
		carbon_latest_publish(fx->latest, 0, r, err, sizeof(err)), 0);
	carbon_record_free(r);
	assert_int_equal(ask(fx, "location=ES", T0 + 120), 200);
	assert_string_equal(fx->out.stale, "ES");
	assert_true(json_object_get_boolean(
		at(at(json_object_array_get_idx(fx->doc, 0), "carbonCache"),
		   "stale")));
}

static void test_errors(void **state)
{
	struct fixture *fx = *state;
	struct carbon_forecast_reply r = {0};

	assert_int_equal(ask(fx, "location=ES&dataStartAt=yesterday", T0), 400);
	problem(fx, 400, "dataStartAt",
		"dataStartAt: \"yesterday\" is not a time; use an ISO 8601 "
		"time");
	assert_string_equal(str(fx->doc, "title"),
			    "One or more validation errors occurred.");
	assert_string_equal(
		str(fx->doc, "type"),
		"https://tools.ietf.org/html/rfc9110#section-15.5.1");
	assert_int_equal(
		ask(fx, "location=ES&dataEndAt=2026-11-24T00:00:00Z", T0), 400);
	problem(fx, 400, "dataEndAt",
		"dataEndAt: 2026-11-24T00:00:00Z is outside the forecast; use "
		"a "
		"time from 2026-11-23T08:00:00Z through 2026-11-23T14:00:00Z");
	assert_int_equal(ask(fx, "dataStartAt=2026-11-23T08:00:00Z", T0), 400);
	problem(fx, 400, "location", "location: is not set");
	assert_int_equal(ask(fx, "location=ES&time=now", T0), 400);
	problem(fx, 400, "time", "\"time\" is not a parameter");
	assert_int_equal(ask(fx, "location=ES&windowSize", T0), 400);
	problem(fx, 400, "windowSize", "not a number of minutes");
	assert_int_equal(ask(fx, "location=XX", T0), 404);
	problem(fx, 404, "location",
		"location: \"XX\" is neither a zone nor a cluster of "
		"carbon.conf; use a zone (ES, NO, PT) or a cluster (es, north, "
		"bare)");
	assert_int_equal(ask(fx, "location=bare", T0), 404);
	problem(fx, 404, "location", "cluster bare has no Zone");
	/* any failing location fails the request */
	assert_int_equal(ask(fx, "location=ES&location=north", T0), 501);
	problem(fx, 501, NULL,
		"zone NO: its data (from replay-es) holds no forecast");
	assert_int_equal(ask(fx, "location=PT", T0), 503);
	problem(fx, 503, NULL, "zone PT: carbon-cached holds no data for it");
	assert_int_equal(fx->out.retry_after, CARBON_FORECAST_API_RETRY);
	/* the HTTP layer dropped parameters */
	assert_int_equal(
		carbon_forecast_api_answer(&fx->api, NULL, 0, true, T0, &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "more than 64 parameters"));
	carbon_forecast_reply_clear(&r);
	assert_int_equal(carbon_forecast_api_problem(405, NULL, "GET only", &r),
			 0);
	assert_int_equal(r.status, 405);
	assert_non_null(strstr(r.body, "\"title\":\"Method Not Allowed\""));
	carbon_forecast_reply_clear(&r);
	assert_int_equal(
		carbon_forecast_api_answer(NULL, NULL, 0, false, T0, &r),
		CARBON_ENOMEM);
	carbon_forecast_reply_clear(NULL);
}

/* Our gsf provider, the SDK's client here, reads the answer back. */
static void test_gsf_reads_it(void **state)
{
	struct fixture *fx = *state;
	struct carbon_provider_points pts = {0};
	char err[512] = "";

	assert_int_equal(ask(fx, "location=es", T0), 200);
	assert_int_equal(carbon_gsf_parse_forecast(fx->out.body, fx->out.len,
						   "es", &pts, err,
						   sizeof(err)),
			 0);
	assert_int_equal(pts.n, 6);
	assert_int_equal(pts.span, 3600);
	assert_int_equal(pts.v[0].t, T0);
	assert_true(pts.v[0].value == 150);
	assert_true(pts.v[2].value == 50);
	assert_true(pts.v[5].is_forecast);
	carbon_provider_points_clear(&pts);
}

/* carbon.conf's ForecastListen: unset by default, or an address
 * (MetricsListen's own is refused by the runtime: test_runtime.c). */
static void test_forecast_listen(void **state)
{
	static const char *const bad[][2] = {
		{"ForecastListen=9551\n",
		 "carbon.conf:1: ForecastListen: \"9551\" is not HOST:PORT"},
		{"ForecastListen=0.0.0.0:0\n", "ForecastListen: port 0 is out"},
	};
	struct fixture *fx = *state;
	const struct carbon_cache_conf *cc = carbon_cache_conf_peek(fx->cfg);
	struct carbon_config *cfg;
	char err[512];
	const char *ok = "ForecastListen=0.0.0.0:9551\n";

	assert_int_equal(cc->forecast.port, 0);
	cfg = carbon_cache_conf_new();
	assert_int_equal(carbon_config_parse(cfg, ok, strlen(ok), "carbon.conf",
					     err, sizeof(err)),
			 0);
	cc = carbon_cache_conf_peek(cfg);
	assert_string_equal(cc->forecast.host, "0.0.0.0");
	assert_int_equal(cc->forecast.port, 9551);
	assert_int_equal(cc->metrics.port, 9550);
	carbon_config_free(cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cfg = carbon_cache_conf_new();
		assert_true(carbon_config_parse(
				    cfg, bad[i][0], strlen(bad[i][0]),
				    "carbon.conf", err, sizeof(err)) < 0);
		if (!strstr(err, bad[i][1]))
			fail_msg("\"%s\" not in \"%s\"", bad[i][1], err);
		carbon_config_free(cfg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_latest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stale, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gsf_reads_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_forecast_listen, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
