/*
 * The synthetic day that test_policy.c and test_replan.c share: hourly
 * series from T0 for three zones, hand-checkable.  es is clean 10:00-16:00
 * (80, else 250), no is flat 30, cal is clean 17:00-23:00 (120, else 300).
 * Every cluster uses the Green Algorithms defaults, so a job's energy is
 * the same everywhere and costs compare as intensities do.
 */
#ifndef CARBON_TEST_THREE_ZONES_H
#define CARBON_TEST_THREE_ZONES_H

#include "carbon/policy.h"

#define H   3600
#define T0  INT64_C(1700006400) /* a whole hour, 00:00 UTC */
#define NCL 3
#define ES  0
#define NO  1
#define CAL 2

/* n hourly forecast points from T0 (a cmocka failure on any error). */
static carbon_series *series_of(const double *v, size_t n,
				enum carbon_signal sig, enum carbon_basis basis)
{
	struct carbon_series_meta m = {.signal = sig, .basis = basis};
	carbon_series *s = carbon_series_new(&m, NULL);
	char err[128];

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {.t = T0 + (int64_t)i * H,
						.value = v[i],
						.is_forecast = true};
		assert_int_equal(carbon_series_append(s, &p, err, sizeof(err)),
				 0);
	}
	return s;
}

static void three_zones_fill(double *es, double *no, double *cal, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t h = i % 24;

		es[i] = (h >= 10 && h < 16) ? 80 : 250;
		no[i] = 30;
		cal[i] = (h >= 17 && h < 23) ? 120 : 300;
	}
}

/* 48 h of the day into s[] (to free) and the policy's clusters c[]. */
static void three_zones(carbon_series *s[NCL],
			struct carbon_policy_cluster c[NCL])
{
	static const char *const names[NCL] = {"es", "no", "cal"};
	double v[NCL][48];

	three_zones_fill(v[ES], v[NO], v[CAL], 48);
	for (int i = 0; i < NCL; i++) {
		s[i] = series_of(v[i], 48, CARBON_SIGNAL_AVERAGE,
				 CARBON_BASIS_LIFECYCLE);
		c[i] = (struct carbon_policy_cluster){
			.name = names[i],
			.series = s[i],
			.power = CARBON_POWER_MODEL_DEFAULTS,
		};
	}
}

#endif
