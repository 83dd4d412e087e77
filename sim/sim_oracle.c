/*
 * sim_oracle.c: the perfect-knowledge oracle of carbon/sim_policy.h.
 *
 * Each cluster keeps a capacity profile: a step function of cores in use
 * over time, as sorted breakpoints (segment i is [t[i], t[i+1]), the last
 * one open-ended and empty).  Jobs are placed in submit order, so the part
 * before the current submit time is dropped as we go and the profile only
 * holds what is running or reserved ahead.
 *
 * The cost of starting at s, f(s) = energy x mean intensity over
 * [s, s + run), is piecewise linear in s with kinks where s or s + run
 * crosses a trace point; the feasible starts are intervals bounded where s
 * or s + run crosses a profile breakpoint.  So the cheapest feasible start
 * is among: the window's ends, trace points (and minus run), profile
 * breakpoints (and minus run).  We price the trace-aligned ones first;
 * only if the cheapest of those does not fit do the profile's join in.
 */
#include <stdlib.h>
#include <string.h>

#include "carbon/sim_policy.h"

#include "sim_internal.h"

struct profile {
	int64_t *t;
	uint32_t *used;
	size_t first, n, cap;
	uint32_t cores;
};

struct cand {
	double cost;
	int64_t start;
	uint32_t cluster;
	bool not_origin;
	bool tried;
};

struct oracle {
	const struct carbon_sim_config *cfg;
	struct sim_mem mem;
	struct profile *pr;
	struct cand *cand;
	size_t ncand, capcand;
	double kwh[CARBON_SIM_MAX_CLUSTERS];
	int64_t earliest[CARBON_SIM_MAX_CLUSTERS];
};

static size_t pr_find(const struct profile *p, int64_t x)
{
	size_t lo = p->first, hi = p->n;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->t[mid] <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Does [s, s + dur) have room for cores?  If not, *next is the first
 * start after s that might. */
static bool pr_fits(const struct profile *p, int64_t s, int64_t dur,
		    uint32_t cores, int64_t *next)
{
	for (size_t j = pr_find(p, s); j < p->n && p->t[j] < s + dur; j++) {
		if ((uint64_t)p->used[j] + cores > p->cores) {
			*next = j + 1 < p->n ? p->t[j + 1] : INT64_MAX;
			return false;
		}
	}
	return true;
}

static int64_t pr_earliest(const struct profile *p, int64_t s, int64_t dur,
			   uint32_t cores)
{
	int64_t next;

	while (!pr_fits(p, s, dur, cores, &next))
		s = next;
	return s;
}

/* Make x a breakpoint. */
static int pr_split(struct oracle *o, struct profile *p, int64_t x, char *err,
		    size_t errlen)
{
	size_t i = pr_find(p, x), cap = p->cap;

	if (p->t[i] == x)
		return 0;
	if (sim_grow(&o->mem, (void **)&p->t, &cap, p->n + 1, sizeof(*p->t),
		     err, errlen) ||
	    sim_grow(&o->mem, (void **)&p->used, &p->cap, p->n + 1,
		     sizeof(*p->used), err, errlen))
		return CARBON_ENOMEM;
	memmove(&p->t[i + 2], &p->t[i + 1], (p->n - i - 1) * sizeof(*p->t));
	memmove(&p->used[i + 2], &p->used[i + 1],
		(p->n - i - 1) * sizeof(*p->used));
	p->t[i + 1] = x;
	p->used[i + 1] = p->used[i];
	p->n++;
	return 0;
}

static int pr_reserve(struct oracle *o, struct profile *p, int64_t s, int64_t e,
		      uint32_t cores, char *err, size_t errlen)
{
	int rc = pr_split(o, p, s, err, errlen);

	if (!rc)
		rc = pr_split(o, p, e, err, errlen);
	if (rc)
		return rc;
	for (size_t j = pr_find(p, s); j < p->n && p->t[j] < e; j++)
		p->used[j] += cores;
	return 0;
}

/* Forget what lies before now; compact when half the array is behind. */
static void pr_prune(struct profile *p, int64_t now)
{
	p->first = pr_find(p, now);
	if (p->first > 1024 && p->first > p->n / 2) {
		memmove(p->t, &p->t[p->first],
			(p->n - p->first) * sizeof(*p->t));
		memmove(p->used, &p->used[p->first],
			(p->n - p->first) * sizeof(*p->used));
		p->n -= p->first;
		p->first = 0;
	}
}

/* Mean intensity over [s, e) at cluster c, fallback where uncovered. */
static int window_mean(const struct carbon_sim_cluster *cl, int64_t s,
		       int64_t e, double *mean, char *err, size_t errlen)
{
	struct carbon_footprint_input in = {0};
	struct carbon_footprint fp;
	int rc;

	if (carbon_series_covers(cl->trace, s, e))
		return carbon_series_mean(cl->trace, s, e, mean, err, errlen);
	in.energy.kwh = 1.0;
	in.start = s;
	in.end = e;
	in.ran = cl->trace;
	in.fallback_intensity = cl->fallback_intensity;
	rc = carbon_footprint_compute(&in, &fp, err, errlen);
	if (!rc)
		*mean = fp.intensity;
	return rc;
}

static int add(struct oracle *o, size_t c, int64_t s,
	       const struct carbon_sim_job *job, char *err, size_t errlen)
{
	double mean;
	int rc = window_mean(&o->cfg->clusters[c], s, s + job->run, &mean, err,
			     errlen);

	if (rc)
		return rc;
	if (sim_grow(&o->mem, (void **)&o->cand, &o->capcand, o->ncand + 1,
		     sizeof(*o->cand), err, errlen))
		return CARBON_ENOMEM;
	o->cand[o->ncand++] = (struct cand){o->kwh[c] * mean, s, (uint32_t)c,
					    c != job->origin, false};
	return 0;
}

/* Trace points t and t - run inside (lo, hi]. */
static int add_trace(struct oracle *o, size_t c, int64_t lo, int64_t hi,
		     const struct carbon_sim_job *job, char *err, size_t errlen)
{
	const carbon_series *s = o->cfg->clusters[c].trace;
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s), i;
	int rc = 0;

	for (int pass = 0; pass < 2 && !rc; pass++) {
		int64_t shift = pass ? job->run : 0;

		i = sim_point_at(p, n, lo + shift);
		for (i = i == SIZE_MAX ? 0 : i + 1;
		     !rc && i < n && p[i].t - shift <= hi; i++)
			rc = add(o, c, p[i].t - shift, job, err, errlen);
	}
	return rc;
}

/*
 * Profile breakpoints where a feasible interval can begin: s = b where
 * use drops to leave room, s = b - run where it rises (the job ends just
 * before), inside (lo, hi].
 */
static int add_profile(struct oracle *o, size_t c, int64_t lo, int64_t hi,
		       const struct carbon_sim_job *job, char *err,
		       size_t errlen)
{
	const struct profile *p = &o->pr[c];
	uint64_t room = p->cores - job->cores;
	int rc = 0;

	for (int pass = 0; pass < 2 && !rc; pass++) {
		int64_t shift = pass ? job->run : 0;
		size_t i = pr_find(p, lo + shift);

		for (i++; !rc && i < p->n && p->t[i] - shift <= hi; i++) {
			uint32_t before = p->used[i - 1], after = p->used[i];
			bool edge = pass ? after > before && before <= room
					 : after < before && after <= room;

			if (edge)
				rc = add(o, c, p->t[i] - shift, job, err,
					 errlen);
		}
	}
	return rc;
}

/* Cheaper first, then earlier, then the origin, then the lower index. */
static int cand_cmp(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;

	if (a->cost != b->cost)
		return a->cost < b->cost ? -1 : 1;
	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->not_origin != b->not_origin)
		return a->not_origin ? 1 : -1;
	return (a->cluster > b->cluster) - (a->cluster < b->cluster);
}

/*
 * The cheapest untried candidate that fits, or NULL; *passed_over says a
 * cheaper one did not fit.  One sort, then usually the first one fits.
 */
static struct cand *pick(struct oracle *o, const struct carbon_sim_job *job,
			 bool *passed_over)
{
	*passed_over = false;
	if (o->ncand > 1)
		qsort(o->cand, o->ncand, sizeof(*o->cand), cand_cmp);
	for (size_t k = 0; k < o->ncand; k++) {
		struct cand *c = &o->cand[k];
		int64_t next;

		if (c->tried)
			continue;
		c->tried = true;
		if (pr_fits(&o->pr[c->cluster], c->start, job->run, job->cores,
			    &next))
			return c;
		*passed_over = true;
	}
	return NULL;
}

/* Flexible: every cluster whose earliest start is within the window. */
static int choose_flexible(struct oracle *o, uint64_t fit,
			   const struct carbon_sim_job *job, struct cand *out,
			   char *err, size_t errlen)
{
	int64_t latest = job->latest_start;
	struct cand *best;
	bool passed_over;
	int rc = 0;

	for (size_t c = 0; !rc && c < o->cfg->nclusters; c++) {
		int64_t e = o->earliest[c];

		if (!(fit >> c & 1) || e > latest)
			continue;
		rc = add(o, c, e, job, err, errlen);
		if (!rc && latest > e)
			rc = add(o, c, latest, job, err, errlen);
		if (!rc)
			rc = add_trace(o, c, e, latest, job, err, errlen);
	}
	if (rc)
		return rc;
	best = pick(o, job, &passed_over);
	if (passed_over) {
		best->tried = false;
		for (size_t c = 0; !rc && c < o->cfg->nclusters; c++)
			if (fit >> c & 1 && o->earliest[c] <= latest)
				rc = add_profile(o, c, o->earliest[c], latest,
						 job, err, errlen);
		if (rc)
			return rc;
		best = pick(o, job, &passed_over);
	}
	*out = *best; /* never NULL: each earliest start fits */
	return 0;
}

/*
 * No deliberate delay: each cluster's earliest start is a candidate.
 * Critical jobs take the earliest of them (the cleanest among ties), as
 * the policy leaves them every sibling; normal ones the cheapest, as the
 * policy may move them to a cleaner, busier sibling.
 */
static int choose_now(struct oracle *o, uint64_t fit, int64_t min_e,
		      const struct carbon_sim_job *job, struct cand *out,
		      char *err, size_t errlen)
{
	bool critical = job->urgency == CARBON_URGENCY_CRITICAL;
	bool passed_over;
	int rc = 0;

	for (size_t c = 0; !rc && c < o->cfg->nclusters; c++)
		if (fit >> c & 1 && (!critical || o->earliest[c] == min_e))
			rc = add(o, c, o->earliest[c], job, err, errlen);
	if (rc)
		return rc;
	*out = *pick(o, job, &passed_over);
	return 0;
}

static int place(struct oracle *o, size_t idx, struct carbon_sim_outcome *out,
		 char *err, size_t errlen)
{
	const struct carbon_sim_job *job = &o->cfg->jobs[idx];
	uint64_t fit = carbon_sim_fitting(o->cfg, job);
	int64_t min_e = INT64_MAX;
	bool window = false;
	struct cand best;
	int rc;

	for (size_t c = 0; c < o->cfg->nclusters; c++) {
		if (!(fit >> c & 1))
			continue;
		rc = carbon_sim_energy(o->cfg, c, job, false, &o->kwh[c], err,
				       errlen);
		if (rc)
			return rc;
		o->earliest[c] = pr_earliest(&o->pr[c], job->submit, job->run,
					     job->cores);
		if (o->earliest[c] < min_e)
			min_e = o->earliest[c];
	}
	window = job->urgency == CARBON_URGENCY_FLEXIBLE &&
		 job->has_latest_start && min_e <= job->latest_start;
	o->ncand = 0;
	rc = window ? choose_flexible(o, fit, job, &best, err, errlen)
		    : choose_now(o, fit, min_e, job, &best, err, errlen);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->cluster = best.cluster;
	out->start = best.start;
	out->end = best.start + job->run;
	out->deferred = best.start > o->earliest[best.cluster];
	out->begin = out->deferred ? best.start : job->submit;
	out->moved = best.cluster != job->origin;
	rc = pr_reserve(o, &o->pr[best.cluster], out->start, out->end,
			job->cores, err, errlen);
	if (!rc)
		rc = carbon_sim_price(o->cfg, job, out, err, errlen);
	return rc;
}

static void oracle_free(struct oracle *o)
{
	if (o->pr) {
		for (size_t c = 0; c < o->cfg->nclusters; c++) {
			sim_free(&o->mem, o->pr[c].t);
			sim_free(&o->mem, o->pr[c].used);
		}
	}
	sim_free(&o->mem, o->pr);
	sim_free(&o->mem, o->cand);
}

static int oracle_init(struct oracle *o, const struct carbon_sim_config *cfg,
		       char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->cfg = cfg;
	sim_mem_init(&o->mem, cfg->alloc);
	o->pr = sim_calloc(&o->mem, cfg->nclusters, sizeof(*o->pr));
	if (!o->pr)
		goto nomem;
	for (size_t c = 0; c < cfg->nclusters; c++) {
		struct profile *p = &o->pr[c];

		p->t = sim_calloc(&o->mem, 64, sizeof(*p->t));
		p->used = sim_calloc(&o->mem, 64, sizeof(*p->used));
		if (!p->t || !p->used)
			goto nomem;
		p->cap = 64;
		p->n = 1; /* [0, forever) empty */
		p->cores = cfg->clusters[c].cores;
	}
	return 0;
nomem:
	return carbon_error_set(err, errlen, CARBON_ENOMEM,
				"oracle: out of memory");
}

/* In submit order; the profiles forget what lies before each submit. */
static int place_all(struct oracle *o, struct carbon_sim_outcome *out,
		     char *err, size_t errlen)
{
	const struct carbon_sim_progress *pg = o->cfg->progress;
	int rc = 0;

	for (size_t j = 0; !rc && j < o->cfg->njobs; j++) {
		for (size_t c = 0; c < o->cfg->nclusters; c++)
			pr_prune(&o->pr[c], o->cfg->jobs[j].submit);
		rc = place(o, j, &out[j], err, errlen);
		if (pg && pg->report && (j & 4095) == 4095)
			pg->report(pg->ctx, "oracle", j + 1, o->cfg->njobs);
	}
	return rc;
}

int carbon_sim_oracle_run(const struct carbon_sim_config *cfg,
			  struct carbon_sim_outcome *out, char *err,
			  size_t errlen)
{
	const struct carbon_sim_progress *pg;
	struct oracle o;
	int rc;

	if (!out && cfg && cfg->njobs)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"oracle: internal error: bad "
					"arguments");
	rc = carbon_sim_config_check(cfg, err, errlen);
	if (rc)
		return rc;
	pg = cfg->progress;
	rc = oracle_init(&o, cfg, err, errlen);
	if (!rc)
		rc = place_all(&o, out, err, errlen);
	if (!rc && pg && pg->report)
		pg->report(pg->ctx, "oracle", cfg->njobs, cfg->njobs);
	oracle_free(&o);
	return rc;
}
