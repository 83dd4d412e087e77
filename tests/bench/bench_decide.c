/*
 * Decision benchmark: the time carbon_policy_decide() takes for one job
 * over 10 clusters, each with 72 h of 15-minute forecast (288 points), a
 * 4 h job with a 24 h window.  Prints the median and p99 per decision and
 * the same for a run-now-only job (no window) side by side, as a ratio.
 * It reports; it asserts nothing.  Target: median under 20 us on one core.
 *
 * Usage: bench_decide [DECISIONS]   (default 20000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "carbon/policy.h"

#define NCLUSTERS 10
#define POINTS	  288
#define STEP	  900

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static carbon_series *synthetic(int k, int64_t t0)
{
	struct carbon_series_meta m = {.signal = CARBON_SIGNAL_AVERAGE,
				       .basis = CARBON_BASIS_LIFECYCLE};
	carbon_series *s = carbon_series_new(&m, NULL);
	char err[128];

	for (int i = 0; s && i < POINTS; i++) {
		double day = 2 * M_PI * (i * STEP % 86400) / 86400.0;
		struct carbon_series_point p = {
			.t = t0 + (int64_t)i * STEP,
			.value = 200 + 40 * k + 120 * sin(day + k),
			.is_forecast = true,
		};
		if (carbon_series_append(s, &p, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			exit(1);
		}
	}
	return s;
}

/* Time n decisions of job; fill t[] with microseconds per decision. */
static int run(const struct carbon_policy_params *p,
	       const struct carbon_policy_cluster *c,
	       const struct carbon_policy_job *job, int n, double *t)
{
	struct carbon_policy_decision d;
	char err[256];

	for (int i = 0; i < n; i++) {
		double a = now_us();

		if (carbon_policy_decide(p, c, NCLUSTERS, job, &d, err,
					 sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return -1;
		}
		t[i] = now_us() - a;
	}
	qsort(t, n, sizeof(*t), cmp);
	return 0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20000;
	int64_t t0 = INT64_C(1700000000) / STEP * STEP;
	struct carbon_policy_cluster c[NCLUSTERS];
	carbon_series *series[NCLUSTERS];
	struct carbon_policy_params p = CARBON_POLICY_PARAMS_DEFAULTS;
	struct carbon_policy_job job = {
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.now = t0,
		.runtime = 4 * 3600,
		.has_latest_start = true,
		.latest_start = t0 + 24 * 3600,
		.usage = {.cores = 16, .cpu_usage = 1, .mem_gb = 64},
		.origin = 3,
	};
	double *win = calloc(n, sizeof(double));
	double *now = calloc(n, sizeof(double));

	if (n < 100 || !win || !now) {
		fprintf(stderr, "usage: bench_decide [DECISIONS >= 100]\n");
		return 2;
	}
	for (int k = 0; k < NCLUSTERS; k++)
		c[k] = (struct carbon_policy_cluster){
			.name = "c",
			.series = series[k] = synthetic(k, t0),
			.power = CARBON_POWER_MODEL_DEFAULTS,
		};
	if (run(&p, c, &job, n, win))
		return 1;
	job.urgency = CARBON_URGENCY_NORMAL;
	job.has_latest_start = false;
	if (run(&p, c, &job, n, now))
		return 1;
	printf("policy decision, %d clusters x %d points (15 min, 72 h), "
	       "4 h job, %d decisions each\n",
	       NCLUSTERS, POINTS, n);
	printf("%-28s %10s %10s\n", "", "median us", "p99 us");
	printf("%-28s %10.2f %10.2f\n", "24 h window (flexible)", win[n / 2],
	       win[n * 99 / 100]);
	printf("%-28s %10.2f %10.2f\n", "run now (normal, no window)",
	       now[n / 2], now[n * 99 / 100]);
	printf("%-28s %10.2f %10.2f\n", "ratio window / now",
	       win[n / 2] / now[n / 2], win[n * 99 / 100] / now[n * 99 / 100]);
	for (int k = 0; k < NCLUSTERS; k++)
		carbon_series_free(series[k]);
	free(win);
	free(now);
	return 0;
}
