/*
 * sim_metrics.c: checking a simulation's config, pricing each job's run
 * and summing a run up (carbon/sim.h); also the allocation helpers the
 * simulator's files share.
 */
#include <stdlib.h>
#include <string.h>

#include "carbon/sim.h"

#include "sim_internal.h"

static void *libc_resize(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	return realloc(ptr, size);
}

static void libc_release(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

void sim_mem_init(struct sim_mem *m, const struct carbon_series_allocator *a)
{
	if (a && a->resize && a->release) {
		m->a = *a;
	} else {
		m->a.resize = libc_resize;
		m->a.release = libc_release;
		m->a.ctx = NULL;
	}
}

void *sim_calloc(struct sim_mem *m, size_t n, size_t size)
{
	void *p;

	if (!n || !size || n > SIZE_MAX / size)
		return NULL;
	p = m->a.resize(NULL, n * size, m->a.ctx);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void sim_free(struct sim_mem *m, void *p)
{
	if (p)
		m->a.release(p, m->a.ctx);
}

int sim_grow(struct sim_mem *m, void **p, size_t *cap, size_t need, size_t size,
	     char *err, size_t errlen)
{
	size_t n = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need && n <= SIZE_MAX / 2 / size)
		n *= 2;
	if (n < need || n > SIZE_MAX / size)
		goto nomem;
	q = m->a.resize(*p, n * size, m->a.ctx);
	if (!q)
		goto nomem;
	*p = q;
	*cap = n;
	return 0;
nomem:
	return carbon_error_set(err, errlen, CARBON_ENOMEM,
				"sim: out of memory for %zu entries", need);
}

static int64_t stretch(int64_t t, double f)
{
	double d = (double)t * f;
	int64_t r = (int64_t)d;

	return (double)r < d ? r + 1 : r;
}

void sim_effective_times(const struct carbon_sim_config *cfg,
			 const struct carbon_sim_job *job, bool eco,
			 int64_t *run, int64_t *req)
{
	*run = job->run;
	*req = job->req;
	if (eco && cfg->eco.slowdown > 1.0) {
		*run = stretch(job->run, cfg->eco.slowdown);
		*req = stretch(job->req, cfg->eco.slowdown);
	}
}

size_t sim_point_at(const struct carbon_series_point *p, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	if (!n || x < p[0].t)
		return SIZE_MAX;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p[mid].t <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

uint64_t carbon_sim_fitting(const struct carbon_sim_config *cfg,
			    const struct carbon_sim_job *job)
{
	uint64_t m = 0;

	for (size_t c = 0; c < cfg->nclusters; c++)
		if (cfg->clusters[c].cores >= job->cores)
			m |= UINT64_C(1) << c;
	return m;
}

static int check_clusters(const struct carbon_sim_config *cfg, char *err,
			  size_t errlen)
{
	if (cfg->nclusters < 1 || cfg->nclusters > CARBON_SIM_MAX_CLUSTERS)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL, "sim: %zu clusters (1..%d)",
			cfg->nclusters, CARBON_SIM_MAX_CLUSTERS);
	for (size_t c = 0; c < cfg->nclusters; c++) {
		const struct carbon_sim_cluster *cl = &cfg->clusters[c];
		const char *name = cl->name ? cl->name : "?";

		if (cl->cores < 1)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"sim: cluster %s has no cores",
						name);
		if (!(cl->fallback_intensity >= 0 &&
		      cl->fallback_intensity <= CARBON_SERIES_VALUE_MAX))
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"sim: cluster %s: fallback "
						"intensity out of range",
						name);
		if (!(cl->power.pue >= 1 && cl->power.pue <= 10))
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"sim: cluster %s: PUE must be "
						"within 1..10",
						name);
	}
	if (!(cfg->eco.power > 0 && cfg->eco.power <= 1) ||
	    !(cfg->eco.slowdown >= 1 && cfg->eco.slowdown <= 10))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sim: ECO power must be within (0, 1] "
					"and slowdown within 1..10");
	return 0;
}

static int bad_job(const struct carbon_sim_job *j, const char *why, char *err,
		   size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"sim: job %lld (line %zu): %s",
				(long long)j->id, j->line, why);
}

int carbon_sim_config_check(const struct carbon_sim_config *cfg, char *err,
			    size_t errlen)
{
	int rc;

	if (!cfg || !cfg->clusters || (cfg->njobs && !cfg->jobs))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sim: internal error: bad arguments");
	rc = check_clusters(cfg, err, errlen);
	if (rc)
		return rc;
	if (cfg->njobs > CARBON_SIM_MAX_JOBS)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sim: more than %zu jobs",
					CARBON_SIM_MAX_JOBS);
	for (size_t i = 0; i < cfg->njobs; i++) {
		const struct carbon_sim_job *j = &cfg->jobs[i];

		if (i && j->submit < cfg->jobs[i - 1].submit)
			return bad_job(j, "jobs not sorted by submit time", err,
				       errlen);
		if (j->submit < 0 || j->submit > CARBON_TIME_MAX / 2)
			return bad_job(j, "submit time out of range", err,
				       errlen);
		if (j->run <= 0 || j->req < j->run ||
		    j->req > CARBON_MAX_DELAY_LIMIT * 100)
			return bad_job(j, "need 0 < run time <= requested time",
				       err, errlen);
		if (j->origin >= cfg->nclusters ||
		    j->cores > cfg->clusters[j->origin].cores || !j->cores)
			return bad_job(j,
				       "origin cluster cannot hold its cores",
				       err, errlen);
		if ((unsigned)j->urgency > CARBON_URGENCY_FLEXIBLE)
			return bad_job(j, "urgency out of range", err, errlen);
	}
	return 0;
}

int carbon_sim_energy(const struct carbon_sim_config *cfg, size_t c,
		      const struct carbon_sim_job *job, bool eco, double *kwh,
		      char *err, size_t errlen)
{
	struct carbon_job_usage u = {.cores = job->cores, .cpu_usage = 1.0};
	struct carbon_energy en;
	int64_t run, req;
	int rc;

	sim_effective_times(cfg, job, eco, &run, &req);
	rc = carbon_footprint_energy_model(&cfg->clusters[c].power, &u, run,
					   &en, err, errlen);
	if (rc)
		return rc;
	*kwh = eco ? en.kwh * cfg->eco.power : en.kwh;
	return 0;
}

int carbon_sim_price(const struct carbon_sim_config *cfg,
		     const struct carbon_sim_job *job,
		     struct carbon_sim_outcome *o, char *err, size_t errlen)
{
	const struct carbon_sim_cluster *cl = &cfg->clusters[o->cluster];
	struct carbon_footprint_input in = {0};
	struct carbon_footprint fp;
	int rc;

	rc = carbon_sim_energy(cfg, o->cluster, job, o->eco, &in.energy.kwh,
			       err, errlen);
	if (rc)
		return rc;
	in.energy.source = CARBON_ENERGY_MODEL;
	in.start = o->start;
	in.end = o->end;
	in.ran = cl->trace;
	in.fallback_intensity = cl->fallback_intensity;
	rc = carbon_footprint_compute(&in, &fp, err, errlen);
	if (rc)
		return rc;
	o->kwh = fp.kwh;
	o->g = fp.g_co2e;
	o->outside_trace = fp.used_fallback;
	return 0;
}

double carbon_sim_savings_pct(double base, double x)
{
	return base > 0 ? 100.0 * (base - x) / base : 0.0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Mean and nearest-rank 95th percentile of v[0..n); v gets sorted. */
static void mean_p95(int64_t *v, size_t n, double *mean, double *p95)
{
	double sum = 0;

	*mean = *p95 = 0;
	if (!n)
		return;
	for (size_t i = 0; i < n; i++)
		sum += (double)v[i];
	qsort(v, n, sizeof(*v), cmp_i64);
	*mean = sum / (double)n;
	/* rank ceil(0.95 n), 1-based */
	*p95 = (double)v[(95 * n + 99) / 100 - 1];
}

static void sum_up(const struct carbon_sim_job *jobs,
		   const struct carbon_sim_outcome *out, size_t n,
		   struct carbon_sim_metrics *m)
{
	for (size_t i = 0; i < n; i++) {
		const struct carbon_sim_outcome *o = &out[i];

		m->energy_kwh += o->kwh;
		m->emissions_kg += o->g / 1000.0;
		if (o->end > jobs[i].deadline) {
			m->deadline_misses++;
			m->misses_by_urgency[jobs[i].urgency]++;
		}
		m->jobs_moved += o->moved;
		m->jobs_released += o->released;
		m->jobs_deferred += o->deferred;
		m->jobs_eco += o->eco;
		m->outside_trace += o->outside_trace;
		if (!i || o->start < m->first_start)
			m->first_start = o->start;
		if (o->end > m->last_end)
			m->last_end = o->end;
	}
}

int carbon_sim_metrics_compute(const struct carbon_sim_job *jobs,
			       const struct carbon_sim_outcome *out, size_t n,
			       const struct carbon_series_allocator *alloc,
			       struct carbon_sim_metrics *m, char *err,
			       size_t errlen)
{
	struct sim_mem mem;
	int64_t *w = NULL;
	size_t k = 0;

	if (!m || (n && (!jobs || !out)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sim: internal error: bad arguments");
	memset(m, 0, sizeof(*m));
	m->jobs = n;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned)jobs[i].urgency > CARBON_URGENCY_FLEXIBLE)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"sim: job %lld: bad urgency",
						(long long)jobs[i].id);
	sim_mem_init(&mem, alloc);
	w = sim_calloc(&mem, n, sizeof(*w));
	if (!w)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"sim: out of memory for %zu waits", n);
	sum_up(jobs, out, n, m);
	for (size_t i = 0; i < n; i++)
		if (jobs[i].urgency != CARBON_URGENCY_FLEXIBLE)
			w[k++] = out[i].start - jobs[i].submit;
	m->nonflex_jobs = k;
	mean_p95(w, k, &m->nonflex_wait_mean_s, &m->nonflex_wait_p95_s);
	for (size_t i = 0; i < n; i++)
		w[i] = out[i].start - jobs[i].submit;
	mean_p95(w, n, &m->wait_mean_s, &m->wait_p95_s);
	sim_free(&mem, w);
	return 0;
}
