/*
 * Unit tests for carbon/footprint.h: the Green Algorithms model with its
 * defaults (hand-computed), measured energy, the time-resolved footprint of
 * a job crossing a step, the counterfactual and savings, fallback when a
 * series does not cover the run, and every rejection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/footprint.h"
#include "carbon/timeparse.h"

#define T0  INT64_C(1672567200) /* 2023-01-01T10:00:00Z */
#define MIN INT64_C(60)
#define H   INT64_C(3600)
#define EPS 1e-9

static const struct carbon_series_meta meta = {
	.signal = CARBON_SIGNAL_AVERAGE,
	.basis = CARBON_BASIS_LIFECYCLE,
	.source = "test",
};

/* Hourly points from start with the given values. */
static carbon_series *hourly(int64_t start, const double *v, size_t n)
{
	carbon_series *s = carbon_series_new(&meta, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {
			.t = start + (int64_t)i * H,
			.value = v[i],
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

static void test_model_defaults(void **state)
{
	const struct carbon_power_model m = CARBON_POWER_MODEL_DEFAULTS;
	struct carbon_job_usage u = {
		.cores = 4, .cpu_usage = 1.0, .mem_gb = 16};
	struct carbon_energy e = {.kwh = -1};
	char err[128];

	(void)state;
	assert_true(m.w_per_core == 12.0 && m.w_per_gpu == 200.0 &&
		    m.w_per_gb == 0.3725 && m.pue == 1.56);
	/* 2 h x (4 x 12 + 16 x 0.3725) W x 1.56 = 168.3552 Wh */
	assert_int_equal(carbon_footprint_energy_model(&m, &u, 2 * H, &e, err,
						       sizeof(err)),
			 0);
	assert_float_equal(e.kwh, 0.1683552, EPS);
	assert_int_equal(e.source, CARBON_ENERGY_MODEL);
	/* one GPU at half load adds 100 W x 1.56 x 2 h */
	u.gpus = 1;
	u.gpu_usage = 0.5;
	u.cpu_usage = 0.25;
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, 2 * H, &e, NULL, 0), 0);
	assert_float_equal(
		e.kwh,
		2.0 * (4 * 12 * 0.25 + 100 + 16 * 0.3725) * 1.56 / 1000.0, EPS);
	assert_int_equal(carbon_footprint_energy_model(&m, &u, 0, &e, NULL, 0),
			 0);
	assert_true(e.kwh == 0.0);
}

static void test_model_rejections(void **state)
{
	const struct carbon_power_model good = CARBON_POWER_MODEL_DEFAULTS;
	struct carbon_power_model m = good;
	const struct carbon_job_usage ok = {.cores = 1, .cpu_usage = 1};
	struct carbon_job_usage u = ok;
	struct carbon_energy e = {.kwh = 7};
	char err[128];

	(void)state;
	assert_int_equal(carbon_footprint_energy_model(NULL, &u, H, &e, err,
						       sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "footprint: internal error: bad arguments");
	assert_int_equal(
		carbon_footprint_energy_model(&m, NULL, H, &e, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, H, NULL, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, -1, &e, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "footprint: run time -1 s is negative or too "
				 "long");
	u.cpu_usage = 1.5;
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, H, &e, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "footprint: CPU usage = 1.5 is not within "
				 "0..1");
	u = ok;
	u.cores = NAN;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	u = ok;
	u.mem_gb = -1;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	u = ok;
	u.gpus = 2e6;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	u = ok;
	u.gpu_usage = -0.1;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	u = ok;
	m.w_per_gpu = INFINITY;
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, H, &e, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "footprint: W per GPU = inf is not within "
				 "0..100000");
	m = good;
	m.w_per_core = -12;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	m = good;
	m.w_per_gb = 1e6;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	m = good;
	m.pue = 0.9;
	assert_int_equal(
		carbon_footprint_energy_model(&m, &u, H, &e, err, sizeof(err)),
		CARBON_ERANGE);
	assert_string_equal(err, "footprint: PUE 0.9 is not within 1..10");
	m.pue = 10.5;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, H, &e, NULL, 0),
			 CARBON_ERANGE);
	assert_true(e.kwh == 7);
}

static void test_measured(void **state)
{
	struct carbon_energy e = {0};
	char err[128];

	(void)state;
	assert_int_equal(
		carbon_footprint_energy_measured(
			3.6e6, CARBON_ENERGY_MEASURED_SLURM, 1.0, &e, NULL, 0),
		0);
	assert_float_equal(e.kwh, 1.0, EPS);
	assert_int_equal(e.source, CARBON_ENERGY_MEASURED_SLURM);
	assert_int_equal(
		carbon_footprint_energy_measured(
			7.2e6, CARBON_ENERGY_MEASURED_RAPL, 1.56, &e, NULL, 0),
		0);
	assert_float_equal(e.kwh, 3.12, EPS);
	assert_int_equal(e.source, CARBON_ENERGY_MEASURED_RAPL);
	assert_int_equal(
		carbon_footprint_energy_measured(1.0, CARBON_ENERGY_MODEL, 1.0,
						 &e, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "footprint: energy source 0 is not a "
				 "measurement");
	assert_int_equal(carbon_footprint_energy_measured(
				 -1.0, CARBON_ENERGY_MEASURED_SLURM, 1.0, &e,
				 err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "footprint: energy J = -1 is not within "
				 "0..1e+15");
	assert_int_equal(
		carbon_footprint_energy_measured(
			NAN, CARBON_ENERGY_MEASURED_SLURM, 1.0, &e, NULL, 0),
		CARBON_ERANGE);
	assert_int_equal(
		carbon_footprint_energy_measured(
			1.0, CARBON_ENERGY_MEASURED_SLURM, 0.5, &e, NULL, 0),
		CARBON_ERANGE);
	assert_int_equal(
		carbon_footprint_energy_measured(
			1.0, CARBON_ENERGY_MEASURED_SLURM, 1.0, NULL, NULL, 0),
		CARBON_EINVAL);
}

/*
 * A 2-hour job from 10:30 to 12:30 over hourly 100, 300, 200: the
 * time-resolved mean is (30 x 100 + 60 x 300 + 30 x 200) / 120 = 225,
 * where the value at the start alone would say 100.
 */
static void test_job_crossing_a_step(void **state)
{
	const double v[] = {100.0, 300.0, 200.0, 50.0};
	const struct carbon_power_model m = CARBON_POWER_MODEL_DEFAULTS;
	const struct carbon_job_usage u = {
		.cores = 4, .cpu_usage = 1, .mem_gb = 16};
	carbon_series *s = hourly(T0, v, 4);
	struct carbon_footprint_input in = {
		.start = T0 + 30 * MIN,
		.end = T0 + 150 * MIN,
		.ran = s,
		.fallback_intensity = -1,
	};
	struct carbon_footprint f;
	char err[256];

	(void)state;
	assert_int_equal(carbon_footprint_energy_model(&m, &u, 2 * H,
						       &in.energy, NULL, 0),
			 0);
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 0);
	assert_float_equal(f.intensity, 225.0, EPS);
	assert_float_equal(f.kwh, 0.1683552, EPS);
	assert_float_equal(f.g_co2e, 0.1683552 * 225.0, 1e-9);
	assert_int_equal(f.energy_source, CARBON_ENERGY_MODEL);
	assert_false(f.used_fallback);
	assert_int_equal(f.fallback_s, 0);
	assert_false(f.has_counterfactual);
	assert_true(f.savings_g == 0.0);
	carbon_series_free(s);
}

/*
 * Submitted at 08:00 at home (hourly 400, 300, 500), shifted to run
 * 10:00-11:00 elsewhere at 100: counterfactual 08:00-09:00 = 400.
 */
static void test_counterfactual_and_savings(void **state)
{
	const double here[] = {100.0, 100.0};
	const double home[] = {400.0, 300.0, 500.0};
	carbon_series *ran = hourly(T0, here, 2);
	carbon_series *origin = hourly(T0 - 2 * H, home, 3);
	struct carbon_footprint_input in = {
		.energy = {.kwh = 2.0, .source = CARBON_ENERGY_MEASURED_SLURM},
		.start = T0,
		.end = T0 + H,
		.ran = ran,
		.fallback_intensity = -1,
		.origin = origin,
		.submit = T0 - 2 * H,
	};
	struct carbon_footprint f;

	(void)state;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_float_equal(f.g_co2e, 200.0, EPS);
	assert_true(f.has_counterfactual);
	assert_float_equal(f.counterfactual_intensity, 400.0, EPS);
	assert_float_equal(f.counterfactual_g, 800.0, EPS);
	assert_float_equal(f.savings_g, 600.0, EPS);
	assert_float_equal(f.savings_pct, 75.0, EPS);
	assert_false(f.counterfactual_used_fallback);
	assert_int_equal(f.energy_source, CARBON_ENERGY_MEASURED_SLURM);
	/* submitted at 08:30: (30 x 400 + 30 x 300) / 60 = 350 */
	in.submit = T0 - 90 * MIN;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_float_equal(f.counterfactual_intensity, 350.0, EPS);
	/* shifting into dirtier power: negative savings */
	in.ran = origin;
	in.origin = ran;
	in.start = T0 - H;
	in.end = T0;
	in.submit = T0;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_float_equal(f.savings_g, 200.0 - 600.0, EPS);
	assert_float_equal(f.savings_pct, -200.0, EPS);
	carbon_series_free(ran);
	carbon_series_free(origin);
}

static void test_zero_counterfactual(void **state)
{
	const double zero[] = {0.0};
	const double some[] = {10.0};
	carbon_series *ran = hourly(T0, some, 1);
	carbon_series *origin = hourly(T0, zero, 1);
	struct carbon_footprint_input in = {
		.energy = {.kwh = 1.0},
		.start = T0,
		.end = T0 + H,
		.ran = ran,
		.fallback_intensity = -1,
		.origin = origin,
		.submit = T0,
	};
	struct carbon_footprint f;

	(void)state;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_true(f.counterfactual_g == 0.0);
	assert_float_equal(f.savings_g, -10.0, EPS);
	assert_true(f.savings_pct == 0.0);
	carbon_series_free(ran);
	carbon_series_free(origin);
}

/* The series ends at 12:00; the job runs 11:30-12:30. */
static void test_fallback(void **state)
{
	const double v[] = {100.0, 200.0};
	carbon_series *s = hourly(T0, v, 2);
	struct carbon_footprint_input in = {
		.energy = {.kwh = 1.0},
		.start = T0 + 90 * MIN,
		.end = T0 + 150 * MIN,
		.ran = s,
		.fallback_intensity = CARBON_INTENSITY_WORLD,
	};
	struct carbon_footprint f;
	char err[256];

	(void)state;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_true(f.used_fallback);
	assert_int_equal(f.fallback_s, 30 * MIN);
	assert_float_equal(f.intensity, (200.0 + 475.0) / 2, EPS);
	/* wholly outside: all fallback */
	in.start = T0 + 5 * H;
	in.end = T0 + 6 * H;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_int_equal(f.fallback_s, H);
	assert_float_equal(f.intensity, 475.0, EPS);
	/* no series at all */
	in.ran = NULL;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_true(f.used_fallback);
	assert_float_equal(f.g_co2e, 475.0, EPS);
	/* without a fallback the gap is an error naming what is covered */
	in.ran = s;
	in.fallback_intensity = -1;
	in.start = T0 + 90 * MIN;
	in.end = T0 + 150 * MIN;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "footprint: run: series test covers "
				 "[2023-01-01T10:00:00Z, 2023-01-01T12:00:00Z)"
				 ", not [2023-01-01T11:30:00Z, "
				 "2023-01-01T12:30:00Z), and no fallback "
				 "intensity");
	in.ran = NULL;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "footprint: run: no series, and no fallback "
				 "intensity");
	/* the counterfactual's own gap */
	in.ran = s;
	in.origin = s;
	in.submit = T0 + 10 * H;
	in.start = T0;
	in.end = T0 + H;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_non_null(strstr(err, "footprint: counterfactual: series test"));
	in.fallback_intensity = 300;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_true(f.counterfactual_used_fallback);
	assert_int_equal(f.counterfactual_fallback_s, H);
	assert_float_equal(f.savings_g, 200.0, EPS);
	carbon_series_free(s);
}

/* A job that ended as it started: the value in force at that instant. */
static void test_zero_length(void **state)
{
	const double v[] = {100.0, 200.0};
	carbon_series *s = hourly(T0, v, 2);
	struct carbon_footprint_input in = {
		.energy = {.kwh = 0.5},
		.start = T0 + H,
		.end = T0 + H,
		.ran = s,
		.fallback_intensity = -1,
	};
	struct carbon_footprint f;
	char err[256];

	(void)state;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_float_equal(f.g_co2e, 100.0, EPS);
	assert_false(f.used_fallback);
	in.start = in.end = T0 + 2 * H;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_non_null(strstr(err, "footprint: run: series test covers"));
	in.ran = NULL;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	in.ran = s;
	in.fallback_intensity = 400;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0), 0);
	assert_true(f.used_fallback);
	assert_int_equal(f.fallback_s, 0);
	assert_float_equal(f.g_co2e, 200.0, EPS);
	carbon_series_free(s);
}

static void test_input_rejections(void **state)
{
	struct carbon_series_meta other = meta;
	const double v[] = {100.0};
	carbon_series *s = hourly(T0, v, 1), *m;
	const struct carbon_footprint_input good = {
		.energy = {.kwh = 1.0},
		.start = T0,
		.end = T0 + H,
		.ran = s,
		.fallback_intensity = -1,
	};
	struct carbon_footprint_input in = good;
	struct carbon_footprint f = {.g_co2e = 42};
	char err[256];

	(void)state;
	other.signal = CARBON_SIGNAL_MARGINAL;
	m = carbon_series_new(&other, NULL);
	assert_int_equal(carbon_footprint_compute(NULL, &f, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_footprint_compute(&in, NULL, NULL, 0),
			 CARBON_EINVAL);
	in.energy.kwh = -1;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "footprint: energy -1 kWh (source 0) is not "
				 "valid");
	in.energy.kwh = NAN;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in = good;
	in.energy.source = (enum carbon_energy_source)5;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in = good;
	in.end = T0 - 1;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "footprint: run [1672567200, 1672567199) or "
				 "submit 0 is not a valid time");
	in = good;
	in.start = -5;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in = good;
	in.end = CARBON_TIME_MAX + 1;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in = good;
	in.origin = s;
	in.submit = -1;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in.submit = CARBON_TIME_MAX + 1;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	in = good;
	in.fallback_intensity = NAN;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "footprint: fallback intensity nan is not a "
				 "number up to 100000");
	in.fallback_intensity = 1e6;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_ERANGE);
	/* never rank a marginal series against an average one */
	in = good;
	in.origin = m;
	assert_int_equal(carbon_footprint_compute(&in, &f, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "footprint: the run's and the origin's series "
				 "are not comparable (signal and basis must "
				 "match)");
	in.ran = NULL;
	assert_int_equal(carbon_footprint_compute(&in, &f, NULL, 0),
			 CARBON_EINVAL);
	assert_true(f.g_co2e == 42);
	carbon_series_free(s);
	carbon_series_free(m);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(
		carbon_footprint_energy_source_name(CARBON_ENERGY_MODEL),
		"model");
	assert_string_equal(carbon_footprint_energy_source_name(
				    CARBON_ENERGY_MEASURED_SLURM),
			    "measured-slurm");
	assert_string_equal(carbon_footprint_energy_source_name(
				    CARBON_ENERGY_MEASURED_RAPL),
			    "measured-rapl");
	assert_string_equal(carbon_footprint_energy_source_name(
				    (enum carbon_energy_source)9),
			    "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_defaults),
		cmocka_unit_test(test_model_rejections),
		cmocka_unit_test(test_measured),
		cmocka_unit_test(test_job_crossing_a_step),
		cmocka_unit_test(test_counterfactual_and_savings),
		cmocka_unit_test(test_zero_counterfactual),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_input_rejections),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
