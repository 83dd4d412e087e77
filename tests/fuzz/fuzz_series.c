/*
 * libFuzzer target for carbon/series.h: bytes decode to a point list (mixed
 * spacings, arbitrary values) and a few queries; the invariants:
 *   - the best window's mean is <= every candidate's (brute force), it is
 *     one of the candidates, and the count matches;
 *   - every mean lies within [min, max] of the values it covers;
 *   - resampling keeps the integral over the slots it makes;
 *   - a seasonal forecast stays within [min, max] of the history.
 *
 * Input: 8 header bytes (a, b, len as 16-bit offsets; a mode byte; a days
 * byte), then 3 bytes per point (a spacing code, a 16-bit value).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0	   INT64_C(1672531200)
#define MAX_POINTS 1500
#define REL	   1e-9

struct range {
	double lo, hi;
};

/*
 * Means come from differences of running integrals, whose rounding is
 * relative to the integral over the whole series (scale): a mean over
 * len seconds may be off by about 1e-16 x scale / len.
 */
static double scale;

static double slack(double v, int64_t len)
{
	return 1e-9 + REL * v + 1e-14 * scale / (double)len;
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Min and max of the values in force over [a, b) (covered). */
static struct range values_over(const carbon_series *s, int64_t a, int64_t b)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);
	struct range r = {CARBON_SERIES_VALUE_MAX, 0.0};

	for (size_t i = 0; i < n; i++) {
		int64_t next = i + 1 < n ? p[i + 1].t : INT64_MAX;

		if (p[i].t >= b || next <= a)
			continue;
		r.lo = p[i].value < r.lo ? p[i].value : r.lo;
		r.hi = p[i].value > r.hi ? p[i].value : r.hi;
	}
	return r;
}

static bool within(double m, struct range r, int64_t len)
{
	double tol = slack(r.hi, len);

	return m >= r.lo - tol && m <= r.hi + tol;
}

static void check_mean(const carbon_series *s, int64_t a, int64_t b)
{
	double m;
	int rc = carbon_series_mean(s, a, b, &m, NULL, 0);

	if ((rc == 0) != carbon_series_covers(s, a, b))
		abort();
	if (rc == 0 && !within(m, values_over(s, a, b), b - a))
		abort();
}

static void check_window(const carbon_series *s, int64_t a, int64_t b,
			 int64_t len)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	struct carbon_series_window w;
	int64_t s0, s1, lo, hi;
	size_t cands = 0;
	bool found = false;
	int rc = carbon_series_best_window(s, a, b, len, &w, NULL, 0);

	if (carbon_series_bounds(s, &s0, &s1, NULL, 0))
		abort();
	lo = a > s0 ? a : s0;
	hi = b < s1 ? b : s1;
	for (size_t i = 0; i <= carbon_series_count(s); i++) {
		int64_t start = i == 0 ? lo : p[i - 1].t;
		double m;

		if ((i > 0 && start <= lo) || start + len > hi)
			continue;
		cands++;
		if (carbon_series_mean(s, start, start + len, &m, NULL, 0))
			abort();
		if (rc == 0 && m < w.mean - slack(w.mean, len))
			abort();
		found = found || (rc == 0 && start == w.start);
	}
	if (rc != 0) {
		if (rc != CARBON_ERANGE || cands)
			abort();
		return;
	}
	if (!found || cands != w.candidates || w.end != w.start + len ||
	    w.start < lo || w.end > hi ||
	    !within(w.mean, values_over(s, w.start, w.end), len))
		abort();
}

static void check_resample(const carbon_series *s, int64_t cadence)
{
	carbon_series *r = NULL;
	int64_t a, b;
	double m1, m2;

	if (carbon_series_resample(s, cadence, &r, NULL, 0))
		return;
	if (carbon_series_bounds(r, &a, &b, NULL, 0) ||
	    carbon_series_mean(r, a, b, &m1, NULL, 0) ||
	    carbon_series_mean(s, a, b, &m2, NULL, 0) ||
	    m1 - m2 > slack(m2, b - a) || m2 - m1 > slack(m2, b - a))
		abort();
	carbon_series_free(r);
}

static void check_forecast(const carbon_series *s, int days)
{
	carbon_series *f = NULL;
	int64_t a, b;
	struct range all;

	if (carbon_series_bounds(s, &a, &b, NULL, 0))
		abort();
	all = values_over(s, a, b);
	if (carbon_series_forecast_seasonal(s, b, b + 86400, 3600, days, &f,
					    NULL, 0))
		return;
	for (size_t i = 0; i < carbon_series_count(f); i++) {
		const struct carbon_series_point *p =
			&carbon_series_points_peek(f)[i];

		if (!p->is_forecast || !within(p->value, all, 3600))
			abort();
	}
	carbon_series_free(f);
}

static carbon_series *decode(const uint8_t *data, size_t size, int mode)
{
	static const int64_t gaps[] = {300, 900, 1800, 3600};
	struct carbon_series_meta meta = {
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_DIRECT,
		.default_span = (mode & 3) * 600,
	};
	carbon_series *s = carbon_series_new(&meta, NULL);
	int64_t t = T0;

	if (!s)
		abort();
	for (size_t i = 0; i + 3 <= size && i / 3 < MAX_POINTS; i += 3) {
		struct carbon_series_point p = {
			.t = t,
			.value = u16(data + i + 1) / 8.0,
			.is_forecast = data[i] & 1,
		};

		if (carbon_series_append(s, &p, NULL, 0))
			abort();
		t += data[i] < 224 ? gaps[data[i] & 3]
				   : 1 + (int64_t)(data[i] - 224) * 97;
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	carbon_series *s;
	int64_t a, b, len, a0, b0;
	int mode, days;

	if (size < 11)
		return 0;
	a = T0 - 3600 + (int64_t)u16(data) * 30;
	b = a + 1 + (int64_t)u16(data + 2) * 60;
	len = 1 + (int64_t)u16(data + 4) % 4096 * 60 / (1 + (data[6] >> 4));
	mode = data[6];
	days = 1 + data[7] % CARBON_SERIES_FORECAST_DAYS_MAX;
	s = decode(data + 8, size - 8, mode);
	if (carbon_series_bounds(s, &a0, &b0, NULL, 0) ||
	    carbon_series_integral(s, a0, b0, &scale, NULL, 0))
		abort();
	check_mean(s, a, b);
	check_window(s, a, b, len);
	check_window(s, T0, T0 + 100 * 86400, len);
	check_resample(s, (int64_t)(1 + (mode & 0x0c)) * 300);
	check_forecast(s, days);
	carbon_series_free(s);
	return 0;
}
