/*
 * A finished job's footprint from its accounting row (carbon/job_footprint.h).
 */
#include <string.h>

#include "carbon/job_footprint.h"
#include "carbon/timeparse.h"

/* Eligible this long after submission counts as waiting (seconds). */
#define DEFERRED_SLACK 60

bool carbon_job_deferred(bool has_record, bool record_deferred, int64_t submit,
			 int64_t eligible)
{
	if (!has_record)
		return false;
	return record_deferred || (eligible > 0 && submit > 0 &&
				   eligible - submit > DEFERRED_SLACK);
}

static double fallback_of(const struct carbon_policy_cluster *c)
{
	return c->fallback_intensity > 0 ? c->fallback_intensity
					 : CARBON_INTENSITY_WORLD;
}

static int energy_of(const struct carbon_finished_job *j,
		     const struct carbon_power_model *m, double *cpu_use,
		     struct carbon_energy *e, char *err, size_t errlen)
{
	struct carbon_job_usage u = {
		.cores = j->cores,
		.gpus = j->gpus,
		.gpu_usage = j->gpus > 0 ? 1.0 : 0.0,
		.mem_gb = j->mem_gb,
	};
	int64_t elapsed = j->end - j->start;

	if (j->exclusive && j->energy_j >= 0) {
		*cpu_use = -1;
		return carbon_footprint_energy_measured(
			j->energy_j, CARBON_ENERGY_MEASURED_SLURM, m->pue, e,
			err, errlen);
	}
	if (j->cores > 0 && elapsed > 0 && j->cpu_seconds > 0)
		u.cpu_usage = j->cpu_seconds / (j->cores * (double)elapsed);
	/* TotalCPU can exceed cores x elapsed by the sampling's rounding */
	if (!(u.cpu_usage <= 1.0))
		u.cpu_usage = u.cpu_usage > 1.0 ? 1.0 : 0.0;
	*cpu_use = u.cpu_usage;
	return carbon_footprint_energy_model(m, &u, elapsed, e, err, errlen);
}

static enum carbon_data_quality
quality_of(const struct carbon_policy_cluster *c, bool used_fallback)
{
	if (!c->series || c->fallback || used_fallback)
		return CARBON_DATA_FALLBACK;
	return c->stale ? CARBON_DATA_STALE : CARBON_DATA_FRESH;
}

/* One interval's gCO2e on cluster c: the run, or the counterfactual. */
static int price(const struct carbon_policy_cluster *c,
		 const struct carbon_energy *e, int64_t start, int64_t end,
		 struct carbon_footprint *fp, char *err, size_t errlen)
{
	struct carbon_footprint_input in = {
		.energy = *e,
		.start = start,
		.end = end,
		.ran = c->series,
		.fallback_intensity = fallback_of(c),
	};

	return carbon_footprint_compute(&in, fp, err, errlen);
}

static int check(const struct carbon_finished_job *j,
		 const struct carbon_policy_cluster *clusters, size_t n,
		 const struct carbon_job_footprint *out, char *err,
		 size_t errlen)
{
	if (!j || !clusters || !out || !n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"job footprint: NULL argument");
	if (j->ran_at >= n || j->origin >= n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"job footprint: cluster index out of "
					"range");
	if (j->ran && (j->start <= 0 || j->end < j->start || j->submit < 0 ||
		       j->submit > CARBON_TIME_MAX))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"job footprint: bad times (submit %lld, "
			"start %lld, end %lld)",
			(long long)j->submit, (long long)j->start,
			(long long)j->end);
	return 0;
}

int carbon_job_footprint_compute(const struct carbon_finished_job *j,
				 const struct carbon_policy_cluster *clusters,
				 size_t n, enum carbon_signal signal,
				 enum carbon_basis basis,
				 struct carbon_job_footprint *out, char *err,
				 size_t errlen)
{
	struct carbon_job_footprint f = {0};
	const struct carbon_policy_cluster *ran, *home;
	struct carbon_footprint cf;
	struct carbon_energy e;
	int rc = check(j, clusters, n, out, err, errlen);

	if (rc)
		return rc;
	f.ran = j->ran;
	f.start = j->start;
	f.end = j->end;
	f.ran_at = j->ran_at;
	f.origin = j->origin;
	f.signal = signal;
	f.basis = basis;
	f.cpu_use = -1;
	if (!j->ran) {
		*out = f;
		return 0;
	}
	ran = &clusters[j->ran_at];
	home = &clusters[j->origin];
	rc = energy_of(j, &ran->power, &f.cpu_use, &e, err, errlen);
	if (!rc)
		rc = price(ran, &e, j->start, j->end, &f.fp, err, errlen);
	if (rc)
		return rc;
	f.quality = quality_of(ran, f.fp.used_fallback);
	/* Run at a sibling by the federation's own choice is not the plan's
	 * doing: its counterfactual is what happened. */
	f.moved = j->moved && j->origin != j->ran_at;
	f.deferred = j->deferred;
	f.fp.has_counterfactual = true;
	f.fp.counterfactual_g = f.fp.g_co2e;
	f.fp.counterfactual_intensity = f.fp.intensity;
	if (f.moved || f.deferred) {
		rc = price(home, &e, j->submit, j->submit + (j->end - j->start),
			   &cf, err, errlen);
		if (rc)
			return rc;
		f.fp.counterfactual_g = cf.g_co2e;
		f.fp.counterfactual_intensity = cf.intensity;
		f.fp.counterfactual_used_fallback = cf.used_fallback;
		f.fp.counterfactual_fallback_s = cf.fallback_s;
		if (quality_of(home, cf.used_fallback) > f.quality)
			f.quality = quality_of(home, cf.used_fallback);
	}
	f.fp.savings_g = f.fp.counterfactual_g - f.fp.g_co2e;
	f.fp.savings_pct =
		f.fp.counterfactual_g > 0
			? 100.0 * f.fp.savings_g / f.fp.counterfactual_g
			: 0;
	*out = f;
	return 0;
}
