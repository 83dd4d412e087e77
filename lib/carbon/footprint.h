/*
 * carbon/footprint.h: a finished job's energy and carbon footprint, and
 * what it would have been had it not been shifted.
 *
 * Energy comes from a measurement (Slurm's ConsumedEnergy, RAPL) or, when
 * the job did not have its nodes alone, the Green Algorithms model:
 *
 *   E[kWh] = t[h] x (cores x W_per_core x cpu_usage
 *                    + gpus x W_per_gpu x gpu_usage
 *                    + mem_GB x W_per_GB) x PUE / 1000
 *
 * and every result says which (enum carbon_energy_source).  PUE is applied
 * to measured energy too, so both are facility energy.
 *
 * Carbon is time-resolved: the job's average power times the integral of
 * the grid's intensity over [start, end), i.e. E x the time-weighted mean
 * intensity over the run, not one sample.  The counterfactual is the same
 * energy profile (same duration, same average power) on the origin
 * cluster's series starting at submission: what running at once, at home,
 * would have emitted.  Savings = counterfactual - actual.
 *
 * Where a series does not cover an interval, the uncovered seconds are
 * priced at a constant fallback intensity (e.g. CARBON_INTENSITY_WORLD),
 * the covered ones from the series, and the result says so
 * (used_fallback, fallback_s); a negative fallback makes that an error.
 *
 * Ownership: series in the input are borrowed for the call; the result
 * holds no pointers.
 */
#ifndef CARBON_FOOTPRINT_H
#define CARBON_FOOTPRINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/series.h"

/* Green Algorithms' world average, gCO2eq/kWh, the usual last resort. */
#define CARBON_INTENSITY_WORLD 475.0

enum carbon_energy_source {
	CARBON_ENERGY_MODEL = 0,      /* Green Algorithms model */
	CARBON_ENERGY_MEASURED_SLURM, /* ConsumedEnergy (AcctGatherEnergy) */
	CARBON_ENERGY_MEASURED_RAPL,  /* RAPL counters: CPU packages, DRAM */
};

/* Watts per unit and the data centre's PUE (Green Algorithms' terms). */
struct carbon_power_model {
	double w_per_core; /* per allocated core at full use */
	double w_per_gpu;  /* per allocated GPU at full use */
	double w_per_gb;   /* per GB of allocated memory */
	double pue;	   /* power usage effectiveness, >= 1 */
};

/* Green Algorithms' defaults (0.3725 W/GB is disputed; 0.08 proposed). */
#define CARBON_POWER_MODEL_DEFAULTS                                         \
	{                                                                   \
		.w_per_core = 12.0, .w_per_gpu = 200.0, .w_per_gb = 0.3725, \
		.pue = 1.56,                                                \
	}

/* What the job was allocated and how much of it it used. */
struct carbon_job_usage {
	double cores;	  /* allocated cores */
	double cpu_usage; /* 0..1: CPU time / (cores x elapsed) */
	double gpus;	  /* allocated GPUs */
	double gpu_usage; /* 0..1 */
	double mem_gb;	  /* allocated memory, GB */
};

struct carbon_energy {
	double kwh; /* facility energy (PUE applied) */
	enum carbon_energy_source source;
};

struct carbon_footprint_input {
	struct carbon_energy energy;
	int64_t start; /* the job ran in [start, end), 0 <= start <= end */
	int64_t end;
	const carbon_series *ran; /* where it ran; NULL: fallback only */
	/* gCO2eq/kWh for uncovered seconds; < 0: fail instead */
	double fallback_intensity;
	/* the counterfactual; origin NULL: none */
	const carbon_series *origin; /* the submitting cluster's series */
	int64_t submit;		     /* counterfactual start */
};

struct carbon_footprint {
	double kwh;
	enum carbon_energy_source energy_source;
	double g_co2e;
	double intensity;   /* effective gCO2eq/kWh = g_co2e / kwh */
	bool used_fallback; /* some of [start, end) priced at fallback */
	int64_t fallback_s; /* how many seconds */
	bool has_counterfactual;
	double counterfactual_g;
	double counterfactual_intensity;
	bool counterfactual_used_fallback;
	int64_t counterfactual_fallback_s;
	double savings_g;   /* counterfactual - actual; < 0: shifting cost */
	double savings_pct; /* 100 x savings / counterfactual; 0 if that is 0 */
};

/*
 * Energy from the model for a run of seconds (>= 0).  Rates must be finite
 * and >= 0 (usages 0..1, counts and watts bounded so the product stays
 * finite), pue 1..10.  Returns 0 or CARBON_EINVAL (NULL) / CARBON_ERANGE,
 * the message naming the field; *e (source MODEL) only on success.
 */
int carbon_footprint_energy_model(const struct carbon_power_model *m,
				  const struct carbon_job_usage *u,
				  int64_t seconds, struct carbon_energy *e,
				  char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * Energy from a measurement in joules (finite, 0..1e15) at the nodes,
 * times pue (1..10; pass 1 when the figure is already at the facility).
 * source must be a MEASURED_* value, else CARBON_EINVAL.
 */
int carbon_footprint_energy_measured(double joules,
				     enum carbon_energy_source source,
				     double pue, struct carbon_energy *e,
				     char *err,
				     size_t errlen) CARBON_MUST_CHECK;

/*
 * The footprint, and the counterfactual when in->origin is set (then
 * in->ran and in->origin must be comparable, see
 * carbon_series_is_comparable()).  A zero-length run takes the intensity
 * in force at start.  Returns 0; CARBON_EINVAL (NULL, bad energy or
 * times, series not comparable) or CARBON_ERANGE (not covered and no
 * fallback); *out only on success.
 */
int carbon_footprint_compute(const struct carbon_footprint_input *in,
			     struct carbon_footprint *out, char *err,
			     size_t errlen) CARBON_MUST_CHECK;

/* "model", "measured-slurm", "measured-rapl" or "unknown"; never NULL. */
const char *carbon_footprint_energy_source_name(enum carbon_energy_source src);

#endif
