/*
 * sim_carbon.c: libcarbon's policy as a simulator port (see
 * carbon/sim_policy.h).
 *
 * A snapshot per cluster is cut from the true trace once per `step` and
 * reused by every decision in that step, as a plugin reuses its cache:
 * 8,760 snapshots of ~100 points per cluster and simulated year, never a
 * copy of the whole trace per job.  Noise is drawn from a stream seeded
 * by (seed, cluster, step), so a snapshot is the same whichever job asks
 * first and whatever else the run does.
 */
#include <string.h>

#include "carbon/prng.h"
#include "carbon/sim_policy.h"

#include "sim_internal.h"

/* The seasonal fallback forecast's cadence. */
#define SEASONAL_CADENCE 3600

struct snap {
	int64_t bucket; /* start of the step it was built for; -1: none */
	carbon_series *s;
};

struct carbon_sim_carbon {
	const struct carbon_sim_config *cfg;
	struct carbon_policy_params params;
	struct carbon_sim_forecast fc;
	struct carbon_sim_observer obs;
	bool has_eco;
	struct sim_mem mem;
	struct snap snaps[CARBON_SIM_MAX_CLUSTERS];
	struct carbon_series_point *buf; /* scratch for building snapshots */
	size_t capbuf;
	size_t decisions;
	size_t no_data;
};

static int check_forecast(const struct carbon_sim_forecast *fc, char *err,
			  size_t errlen)
{
	const char *bad = NULL;

	if ((unsigned)fc->kind > CARBON_SIM_FORECAST_SEASONAL)
		bad = "kind";
	else if (fc->history < 0 || fc->history > CARBON_MAX_DELAY_LIMIT)
		bad = "history (0..31 days)";
	else if (fc->horizon < 3600 || fc->horizon > CARBON_MAX_DELAY_LIMIT)
		bad = "horizon (1 h..31 days)";
	else if (fc->step < 60 || fc->step > 86400)
		bad = "step (60 s..1 day)";
	else if (!(fc->error >= 0 && fc->error <= 1))
		bad = "error (0..1)";
	else if (fc->kind == CARBON_SIM_FORECAST_SEASONAL &&
		 (fc->seasonal_days < 1 ||
		  fc->seasonal_days > CARBON_SERIES_FORECAST_DAYS_MAX))
		bad = "seasonal days (1..28)";
	if (bad)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon policy: invalid forecast %s",
					bad);
	return 0;
}

carbon_sim_carbon *
carbon_sim_carbon_new(const struct carbon_sim_config *cfg,
		      const struct carbon_policy_params *params,
		      const struct carbon_sim_forecast *fc, bool has_eco,
		      const struct carbon_sim_observer *obs, char *err,
		      size_t errlen)
{
	struct carbon_sim_carbon *p;
	struct sim_mem mem;

	if (!cfg || !params || !fc || carbon_sim_config_check(cfg, err, errlen))
		return NULL;
	if (check_forecast(fc, err, errlen))
		return NULL;
	sim_mem_init(&mem, cfg->alloc);
	p = sim_calloc(&mem, 1, sizeof(*p));
	if (!p) {
		int rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
					  "carbon policy: out of memory");

		(void)rc;
		return NULL;
	}
	p->cfg = cfg;
	p->params = *params;
	p->fc = *fc;
	if (obs)
		p->obs = *obs;
	p->has_eco = has_eco;
	p->mem = mem;
	for (size_t c = 0; c < CARBON_SIM_MAX_CLUSTERS; c++)
		p->snaps[c].bucket = -1;
	return p;
}

void carbon_sim_carbon_free(carbon_sim_carbon *p)
{
	struct sim_mem mem;

	if (!p)
		return;
	mem = p->mem;
	for (size_t c = 0; c < CARBON_SIM_MAX_CLUSTERS; c++)
		carbon_series_free(p->snaps[c].s);
	sim_free(&mem, p->buf);
	sim_free(&mem, p);
}

/* Copy the trace's points in force over [a, b) into p->buf, noisy after
 * bucket; *n gets their count. */
static int cut(carbon_sim_carbon *p, size_t c, int64_t a, int64_t b,
	       int64_t bucket, size_t *n, char *err, size_t errlen)
{
	const carbon_series *tr = p->cfg->clusters[c].trace;
	const struct carbon_series_point *pt = carbon_series_points_peek(tr);
	size_t np = carbon_series_count(tr), i = sim_point_at(pt, np, a), k = 0;
	struct carbon_prng rng;

	carbon_prng_seed2(&rng, p->fc.seed,
			  ((uint64_t)c << 48) ^ (uint64_t)bucket);
	for (i = i == SIZE_MAX ? 0 : i; i < np && pt[i].t < b; i++) {
		struct carbon_series_point q = pt[i];

		if (sim_grow(&p->mem, (void **)&p->buf, &p->capbuf, k + 1,
			     sizeof(*p->buf), err, errlen))
			return CARBON_ENOMEM;
		if (q.t > bucket) {
			q.is_forecast = true;
			if (p->fc.error > 0)
				q.value *=
					1.0 +
					p->fc.error * carbon_prng_normal(&rng);
			if (q.value < 0)
				q.value = 0;
			if (q.value > CARBON_SERIES_VALUE_MAX)
				q.value = CARBON_SERIES_VALUE_MAX;
		}
		p->buf[k++] = q;
	}
	*n = k;
	return 0;
}

/* History from the trace, then the seasonal-naive forecast from bucket. */
static int add_seasonal(carbon_sim_carbon *p, size_t c, int64_t bucket,
			carbon_series *snap, char *err, size_t errlen)
{
	const carbon_series *tr = p->cfg->clusters[c].trace;
	int64_t from = bucket - (int64_t)p->fc.seasonal_days * 86400;
	carbon_series *hist = NULL, *fc = NULL;
	size_t n;
	int rc;

	rc = cut(p, c, from, bucket, INT64_MAX, &n, err, errlen);
	if (rc)
		return rc;
	hist = carbon_series_new_like(tr, carbon_series_meta_peek(tr));
	if (!hist)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon policy: out of memory");
	rc = carbon_series_append_points(hist, p->buf, n, err, errlen);
	/* too little history is no forecast, as for a real plugin */
	if (!rc && !carbon_series_forecast_seasonal(
			   hist, bucket, bucket + p->fc.horizon,
			   SEASONAL_CADENCE, p->fc.seasonal_days, &fc, NULL, 0))
		rc = carbon_series_append_series(snap, fc, err, errlen);
	carbon_series_free(fc);
	carbon_series_free(hist);
	return rc;
}

static int build(carbon_sim_carbon *p, size_t c, int64_t bucket, char *err,
		 size_t errlen)
{
	const carbon_series *tr = p->cfg->clusters[c].trace;
	struct carbon_series_meta meta = *carbon_series_meta_peek(tr);
	bool seasonal = p->fc.kind == CARBON_SIM_FORECAST_SEASONAL;
	int64_t a = bucket - p->fc.history;
	int64_t b = seasonal ? bucket : bucket + p->fc.horizon;
	carbon_series *s;
	size_t n;
	int rc;

	meta.fetched_at = bucket;
	meta.origin = CARBON_SERIES_PROVIDED;
	s = carbon_series_new_like(tr, &meta);
	if (!s)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon policy: out of memory");
	rc = cut(p, c, a, b, bucket, &n, err, errlen);
	if (!rc)
		rc = carbon_series_append_points(s, p->buf, n, err, errlen);
	if (!rc && seasonal)
		rc = add_seasonal(p, c, bucket, s, err, errlen);
	if (rc) {
		carbon_series_free(s);
		return rc;
	}
	carbon_series_free(p->snaps[c].s);
	p->snaps[c].s = s;
	p->snaps[c].bucket = bucket;
	return 0;
}

static int refresh(carbon_sim_carbon *p, size_t c, int64_t now, char *err,
		   size_t errlen)
{
	int64_t bucket = now - now % p->fc.step;

	if (p->snaps[c].bucket == bucket)
		return 0;
	if (!p->cfg->clusters[c].trace) {
		p->snaps[c].bucket = bucket;
		return 0;
	}
	return build(p, c, bucket, err, errlen);
}

const carbon_series *carbon_sim_carbon_snapshot(carbon_sim_carbon *p, size_t c,
						int64_t now)
{
	if (!p || c >= p->cfg->nclusters || now < 0 ||
	    refresh(p, c, now, NULL, 0))
		return NULL;
	return p->snaps[c].s;
}

void carbon_sim_carbon_counts(const carbon_sim_carbon *p, size_t *decisions,
			      size_t *no_data)
{
	*decisions = p ? p->decisions : 0;
	*no_data = p ? p->no_data : 0;
}

/*
 * The policy's view of job: what job_submit/carbon passes (place.c): the
 * time limit as runtime (run times are unknown at submission), the tags'
 * window, the cores at full use, every cluster that can hold the job.
 */
static void policy_job(const carbon_sim_carbon *p,
		       const struct carbon_sim_job *job,
		       struct carbon_policy_job *pj)
{
	memset(pj, 0, sizeof(*pj));
	pj->urgency = job->urgency;
	pj->now = job->submit;
	/* the time limit, as Slurm keeps it: whole minutes */
	pj->runtime = (job->req + 59) / 60 * 60;
	pj->has_latest_start = job->has_latest_start;
	pj->latest_start = job->latest_start;
	pj->usage.cores = job->cores;
	pj->usage.cpu_usage = 1.0;
	pj->origin = job->origin;
	pj->allowed = carbon_sim_fitting(p->cfg, job);
}

static int carbon_place(void *ctx, size_t index,
			const struct carbon_sim_job *job,
			struct carbon_sim_placement *out, char *err,
			size_t errlen)
{
	carbon_sim_carbon *p = ctx;
	struct carbon_policy_cluster pc[CARBON_SIM_MAX_CLUSTERS];
	struct carbon_policy_decision d;
	struct carbon_policy_job pj;
	size_t n = p->cfg->nclusters;
	int rc;

	for (size_t c = 0; c < n; c++) {
		const struct carbon_sim_cluster *cl = &p->cfg->clusters[c];

		rc = refresh(p, c, job->submit, err, errlen);
		if (rc)
			return rc;
		memset(&pc[c], 0, sizeof(pc[c]));
		pc[c].name = cl->name;
		pc[c].series = p->snaps[c].s;
		pc[c].power = cl->power;
		pc[c].has_eco = p->has_eco;
	}
	policy_job(p, job, &pj);
	rc = carbon_policy_decide(&p->params, pc, n, &pj, &d, err, errlen);
	if (rc)
		return rc;
	p->decisions++;
	p->no_data += d.quality >= CARBON_DATA_FALLBACK;
	if (p->obs.decided)
		p->obs.decided(p->obs.ctx, index, job, &p->params, pc, n, &pj,
			       &d);
	out->siblings = d.siblings;
	out->preferred = d.chosen;
	out->begin = d.begin;
	out->eco = d.mode == CARBON_MODE_ECO;
	if (d.urgency != CARBON_URGENCY_CRITICAL) {
		out->release_at = d.latest + CARBON_SIM_REPLAN_INTERVAL;
		out->release_to = d.allowed;
	}
	return 0;
}

struct carbon_sim_policy carbon_sim_carbon_port(carbon_sim_carbon *p)
{
	struct carbon_sim_policy port = {.place = carbon_place, .ctx = p};

	return port;
}
