/*
 * libFuzzer target for the forecast query (carbon/forecast.h): the bytes
 * are a query string, split at '&' and at each pair's first '=' as the
 * HTTP layer hands them over (a pair without '=' has no value), each piece
 * in a buffer of its own exact size.  Every parameter is taken or refused
 * with a message and a known parameter name; what was taken is in range;
 * then the windows over a fixed forecast of mixed cadence are in the
 * range asked for, each a mean within the data's values, with an optimum
 * among them, or a message naming dataStartAt or dataEndAt.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/forecast.h"
#include "carbon/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1795420800) /* 2026-11-23T08:00:00Z */

static carbon_series *forecast(void)
{
	static const struct carbon_series_meta meta = {
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.source = "fuzz",
	};
	static carbon_series *s;
	int64_t t = T0;

	if (s)
		return s;
	s = carbon_series_new(&meta, NULL);
	for (int i = 0; s && i < 60; i++) {
		struct carbon_series_point p = {.t = t,
						.value = 50 + (i * 37) % 300,
						.is_forecast = true};

		if (carbon_series_append(s, &p, NULL, 0))
			abort();
		t += i < 24 ? 3600 : 900;
	}
	return s;
}

static bool known(const char *param)
{
	static const char *const names[] = {"location", "dataStartAt",
					    "dataEndAt", "windowSize"};

	for (size_t i = 0; i < 4; i++)
		if (param == names[i] || (param && !strcmp(param, names[i])))
			return true;
	return false;
}

static void check_query(const struct carbon_forecast_query *q)
{
	if (q->n_locations > CARBON_FORECAST_LOCATIONS_MAX)
		abort();
	for (size_t i = 0; i < q->n_locations; i++) {
		size_t n = strlen(q->location[i]);

		if (n == 0 || n > CARBON_RECORD_NAME_MAX ||
		    strspn(q->location[i],
			   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
			   "KLMNOPQRSTUVWXYZ0123456789_.-") != n)
			abort();
	}
	if ((q->has_start && (q->start < 0 || q->start > CARBON_TIME_MAX)) ||
	    (q->has_end && (q->end < 0 || q->end > CARBON_TIME_MAX)) ||
	    q->window < 0 || q->window > CARBON_FORECAST_WINDOW_MAX * 60)
		abort();
}

/* One "key[=value]" piece, each part in a buffer of its exact size. */
static void add(struct carbon_forecast_query *q, const uint8_t *p, size_t n)
{
	const uint8_t *eq = memchr(p, '=', n);
	size_t klen = eq ? (size_t)(eq - p) : n, vlen = eq ? n - klen - 1 : 0;
	char *key = malloc(klen ? klen : 1),
	     *val = eq ? malloc(vlen + 1) : NULL;
	const char *param = "unset";
	char err[512] = "";
	int rc;

	if (!key || (eq && !val))
		goto out;
	memcpy(key, p, klen);
	if (val)
		memcpy(val, eq + 1, vlen);
	rc = carbon_forecast_query_add(q, key, klen, val, vlen, &param, err,
				       sizeof(err));
	if (rc > 0 || rc < CARBON_ERROR_LAST || (rc && !err[0]) ||
	    (param && !known(param)) || (!rc && !param))
		abort();
out:
	free(key);
	free(val);
}

static void check_windows(const struct carbon_forecast_query *q)
{
	struct carbon_forecast_result r = {0};
	const char *param = "unset";
	char err[512] = "";
	size_t n_opt = 0;
	int rc = carbon_forecast_compute(forecast(), q, &r, &param, err,
					 sizeof(err));

	if (rc) {
		if (!err[0] || !param || !known(param) || r.points)
			abort();
		return;
	}
	if (r.start >= r.end || r.window <= 0 ||
	    (r.n_points && r.n_optimal == 0))
		abort();
	for (size_t i = 0; i < r.n_points; i++) {
		const struct carbon_forecast_point *w = &r.points[i];

		if (w->t < r.start || w->t + w->duration > r.end ||
		    w->duration != r.window || w->value < 50 ||
		    w->value > 349 || (i && w->t <= r.points[i - 1].t))
			abort();
		n_opt += w->optimal;
	}
	if (n_opt != r.n_optimal)
		abort();
	carbon_forecast_result_clear(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_forecast_query q;
	const char *param = NULL;
	size_t i = 0;

	carbon_forecast_query_init(&q);
	while (i < size) {
		const uint8_t *amp = memchr(data + i, '&', size - i);
		size_t n = amp ? (size_t)(amp - (data + i)) : size - i;

		add(&q, data + i, n);
		i += n + 1;
	}
	check_query(&q);
	if (carbon_forecast_query_finish(&q, &param, NULL, 0) == 0)
		check_windows(&q);
	return 0;
}
