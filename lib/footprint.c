/*
 * footprint.c: job energy (measured or Green Algorithms model) and its
 * time-resolved carbon footprint, counterfactual and savings.
 */
#include <stdio.h>
#include <string.h>

#include "carbon/footprint.h"
#include "carbon/timeparse.h"

/* Bounds that keep every product finite; far beyond any real job. */
#define MAX_CORES  1e7
#define MAX_GPUS   1e6
#define MAX_MEM_GB 1e9
#define MAX_WATTS  1e5
#define MAX_PUE	   10.0
#define MAX_JOULES 1e15
#define MAX_KWH	   (MAX_JOULES / 3.6e6 * MAX_PUE)

static int bad_arguments(char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"footprint: internal error: bad arguments");
}

/* lo <= v <= hi, false for NaN. */
static bool within(double v, double lo, double hi)
{
	return v >= lo && v <= hi;
}

static int check_field(const char *name, double v, double hi, char *err,
		       size_t errlen)
{
	if (within(v, 0.0, hi))
		return 0;
	return carbon_error_set(err, errlen, CARBON_ERANGE,
				"footprint: %s = %g is not within 0..%g", name,
				v, hi);
}

static int check_pue(double pue, char *err, size_t errlen)
{
	if (within(pue, 1.0, MAX_PUE))
		return 0;
	return carbon_error_set(err, errlen, CARBON_ERANGE,
				"footprint: PUE %g is not within 1..%g", pue,
				MAX_PUE);
}

static int check_model(const struct carbon_power_model *m,
		       const struct carbon_job_usage *u, char *err,
		       size_t errlen)
{
	const struct {
		const char *name;
		double v, hi;
	} f[] = {
		{"W per core", m->w_per_core, MAX_WATTS},
		{"W per GPU", m->w_per_gpu, MAX_WATTS},
		{"W per GB", m->w_per_gb, MAX_WATTS},
		{"cores", u->cores, MAX_CORES},
		{"CPU usage", u->cpu_usage, 1.0},
		{"GPUs", u->gpus, MAX_GPUS},
		{"GPU usage", u->gpu_usage, 1.0},
		{"memory GB", u->mem_gb, MAX_MEM_GB},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		int rc = check_field(f[i].name, f[i].v, f[i].hi, err, errlen);

		if (rc)
			return rc;
	}
	return check_pue(m->pue, err, errlen);
}

int carbon_footprint_energy_model(const struct carbon_power_model *m,
				  const struct carbon_job_usage *u,
				  int64_t seconds, struct carbon_energy *e,
				  char *err, size_t errlen)
{
	double watts;
	int rc;

	if (!m || !u || !e)
		return bad_arguments(err, errlen);
	if (seconds < 0 || seconds > CARBON_TIME_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"footprint: run time %lld s is "
					"negative or too long",
					(long long)seconds);
	rc = check_model(m, u, err, errlen);
	if (rc)
		return rc;
	watts = u->cores * m->w_per_core * u->cpu_usage +
		u->gpus * m->w_per_gpu * u->gpu_usage + u->mem_gb * m->w_per_gb;
	e->kwh = (double)seconds / 3600.0 * watts * m->pue / 1000.0;
	e->source = CARBON_ENERGY_MODEL;
	return 0;
}

int carbon_footprint_energy_measured(double joules,
				     enum carbon_energy_source source,
				     double pue, struct carbon_energy *e,
				     char *err, size_t errlen)
{
	int rc;

	if (!e)
		return bad_arguments(err, errlen);
	if (source != CARBON_ENERGY_MEASURED_SLURM &&
	    source != CARBON_ENERGY_MEASURED_RAPL)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint: energy source %d is not "
					"a measurement",
					(int)source);
	rc = check_field("energy J", joules, MAX_JOULES, err, errlen);
	if (!rc)
		rc = check_pue(pue, err, errlen);
	if (rc)
		return rc;
	e->kwh = joules / 3.6e6 * pue;
	e->source = source;
	return 0;
}

/* Where [a, b) and s overlap, [*lo, *hi); false (and untouched) if not. */
static bool overlap(const carbon_series *s, int64_t a, int64_t b, int64_t *lo,
		    int64_t *hi)
{
	int64_t ss, se;

	if (!s || carbon_series_bounds(s, &ss, &se, NULL, 0))
		return false;
	ss = a > ss ? a : ss;
	se = b < se ? b : se;
	if (ss >= se)
		return false;
	*lo = ss;
	*hi = se;
	return true;
}

static int no_fallback(const carbon_series *s, const char *what, int64_t a,
		       int64_t b, char *err, size_t errlen)
{
	char why[192] = "no series";
	double v;
	int rc = 0;

	/* the series' own message says what it covers */
	if (s && a < b)
		rc = carbon_series_integral(s, a, b, &v, why, sizeof(why));
	else if (s)
		rc = carbon_series_value_at(s, a, &v, why, sizeof(why));
	(void)rc;
	return carbon_error_set(err, errlen, CARBON_ERANGE,
				"footprint: %s: %s, and no fallback "
				"intensity",
				what, why);
}

/*
 * The mean intensity over [a, b) (at a when a == b): the series where it
 * covers, fallback elsewhere.  *fb_s counts the fallback seconds, *used
 * says whether fallback was used at all.
 */
static int mean_over(const carbon_series *s, int64_t a, int64_t b,
		     double fallback, const char *what, double *mean,
		     int64_t *fb_s, bool *used, char *err, size_t errlen)
{
	int64_t lo = 0, hi = 0, uncovered;
	double sum = 0.0;
	int rc = 0;

	if (a == b) {
		*fb_s = 0;
		*used = !s || carbon_series_value_at(s, a, mean, NULL, 0);
		if (*used && fallback < 0.0)
			return no_fallback(s, what, a, b, err, errlen);
		if (*used)
			*mean = fallback;
		return 0;
	}
	if (overlap(s, a, b, &lo, &hi))
		rc = carbon_series_integral(s, lo, hi, &sum, err, errlen);
	uncovered = (b - a) - (hi - lo);
	if (rc || (uncovered > 0 && fallback < 0.0))
		return rc ? rc : no_fallback(s, what, a, b, err, errlen);
	if (uncovered > 0)
		sum += fallback * (double)uncovered;
	*fb_s = uncovered;
	*used = uncovered > 0;
	*mean = sum / (double)(b - a);
	return 0;
}

static int check_input(const struct carbon_footprint_input *in, char *err,
		       size_t errlen)
{
	if (!within(in->energy.kwh, 0.0, MAX_KWH) ||
	    (unsigned)in->energy.source > CARBON_ENERGY_MEASURED_RAPL)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint: energy %g kWh (source "
					"%d) is not valid",
					in->energy.kwh, (int)in->energy.source);
	if (in->start < 0 || in->start > in->end || in->end > CARBON_TIME_MAX ||
	    (in->origin && (in->submit < 0 || in->submit > CARBON_TIME_MAX)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint: run [%lld, %lld) or "
					"submit %lld is not a valid time",
					(long long)in->start,
					(long long)in->end,
					(long long)in->submit);
	if (!(in->fallback_intensity <= CARBON_SERIES_VALUE_MAX))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"footprint: fallback intensity %g is "
					"not a number up to %g",
					in->fallback_intensity,
					CARBON_SERIES_VALUE_MAX);
	if (in->origin && !carbon_series_is_comparable(in->ran, in->origin))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"footprint: the run's and the origin's "
					"series are not comparable (signal "
					"and basis must match)");
	return 0;
}

static void fill_counterfactual(struct carbon_footprint *f, double mean,
				int64_t fb_s, bool used)
{
	f->has_counterfactual = true;
	f->counterfactual_intensity = mean;
	f->counterfactual_g = f->kwh * mean;
	f->counterfactual_fallback_s = fb_s;
	f->counterfactual_used_fallback = used;
	f->savings_g = f->counterfactual_g - f->g_co2e;
	f->savings_pct = f->counterfactual_g > 0.0
				 ? 100.0 * f->savings_g / f->counterfactual_g
				 : 0.0;
}

int carbon_footprint_compute(const struct carbon_footprint_input *in,
			     struct carbon_footprint *out, char *err,
			     size_t errlen)
{
	struct carbon_footprint f = {0};
	double mean;
	int64_t fb_s;
	bool used;
	int rc;

	if (!in || !out)
		return bad_arguments(err, errlen);
	rc = check_input(in, err, errlen);
	if (rc)
		return rc;
	rc = mean_over(in->ran, in->start, in->end, in->fallback_intensity,
		       "run", &mean, &fb_s, &used, err, errlen);
	if (rc)
		return rc;
	f.kwh = in->energy.kwh;
	f.energy_source = in->energy.source;
	f.intensity = mean;
	f.g_co2e = f.kwh * mean;
	f.fallback_s = fb_s;
	f.used_fallback = used;
	if (in->origin) {
		int64_t a = in->submit, b = in->submit + (in->end - in->start);

		rc = mean_over(in->origin, a, b, in->fallback_intensity,
			       "counterfactual", &mean, &fb_s, &used, err,
			       errlen);
		if (rc)
			return rc;
		fill_counterfactual(&f, mean, fb_s, used);
	}
	*out = f;
	return 0;
}

const char *carbon_footprint_energy_source_name(enum carbon_energy_source src)
{
	switch (src) {
	case CARBON_ENERGY_MODEL:
		return "model";
	case CARBON_ENERGY_MEASURED_SLURM:
		return "measured-slurm";
	case CARBON_ENERGY_MEASURED_RAPL:
		return "measured-rapl";
	}
	return "unknown";
}
