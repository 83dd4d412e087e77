/*
 * sim_policy.c: the agnostic and threshold policies of
 * carbon/sim_policy.h.  The carbon policy is in sim_carbon.c, the oracle
 * in sim_oracle.c.
 */
#include <stdlib.h>
#include <string.h>

#include "carbon/sim_policy.h"

#include "sim_internal.h"

static int agnostic_place(void *ctx, size_t index,
			  const struct carbon_sim_job *job,
			  struct carbon_sim_placement *out, char *err,
			  size_t errlen)
{
	(void)ctx;
	(void)index;
	(void)err;
	(void)errlen;
	out->siblings = UINT64_C(1) << job->origin;
	out->preferred = job->origin;
	out->begin = job->submit;
	out->eco = false;
	return 0;
}

struct carbon_sim_policy carbon_sim_agnostic_port(void)
{
	struct carbon_sim_policy p = {.place = agnostic_place, .ctx = NULL};

	return p;
}

/* The value in force at t; false when the trace does not cover t. */
static bool value_at(const carbon_series *s, int64_t t, double *v)
{
	return s && !carbon_series_value_at(s, t, v, NULL, 0);
}

/* The first point time in (t, latest] whose value is <= low; latest when
 * none. */
static int64_t first_low(const carbon_series *s, int64_t t, int64_t latest,
			 double low)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);
	size_t i = sim_point_at(p, n, t);

	for (i = i == SIZE_MAX ? 0 : i + 1; i < n && p[i].t <= latest; i++)
		if (p[i].value <= low)
			return p[i].t;
	return latest;
}

static int threshold_place(void *ctx, size_t index,
			   const struct carbon_sim_job *job,
			   struct carbon_sim_placement *out, char *err,
			   size_t errlen)
{
	const struct carbon_sim_threshold *th = ctx;
	size_t c = job->origin;
	const carbon_series *s = th->cfg->clusters[c].trace;
	double v, at_begin;

	(void)index;
	(void)err;
	(void)errlen;
	out->siblings = UINT64_C(1) << c;
	out->preferred = c;
	out->begin = job->submit;
	out->eco = false;
	if (job->urgency == CARBON_URGENCY_CRITICAL ||
	    !value_at(s, job->submit, &v) || v <= th->low[c])
		return 0;
	if (job->urgency == CARBON_URGENCY_FLEXIBLE && job->has_latest_start &&
	    job->latest_start > job->submit) {
		out->begin = first_low(s, job->submit, job->latest_start,
				       th->low[c]);
		out->eco = value_at(s, out->begin, &at_begin) &&
			   at_begin > th->high[c];
		return 0;
	}
	out->eco = v > th->high[c];
	return 0;
}

struct carbon_sim_policy
carbon_sim_threshold_port(const struct carbon_sim_threshold *t)
{
	struct carbon_sim_policy p = {.place = threshold_place,
				      .ctx = (void *)(uintptr_t)t};

	return p;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int carbon_sim_threshold_terciles(const carbon_series *s, int64_t a, int64_t b,
				  double *low, double *high, char *err,
				  size_t errlen)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s), k = 0;
	struct sim_mem mem;
	double *v;

	if (!low || !high)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"threshold: internal error: bad "
					"arguments");
	for (size_t i = 0; i < n; i++)
		k += p[i].t >= a && p[i].t < b;
	if (!k)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"threshold: no intensity values in "
					"the simulated period");
	sim_mem_init(&mem, NULL);
	v = sim_calloc(&mem, k, sizeof(*v));
	if (!v)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"threshold: out of memory");
	k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].t >= a && p[i].t < b)
			v[k++] = p[i].value;
	qsort(v, k, sizeof(*v), cmp_double);
	*low = v[(k + 2) / 3 - 1];
	*high = v[(2 * k + 2) / 3 - 1];
	sim_free(&mem, v);
	return 0;
}
