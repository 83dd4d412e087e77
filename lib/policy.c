/*
 * The placement and deferral policy; the rules are in carbon/policy.h.
 *
 * Cost: each allowed cluster is priced once (price_cluster), then ranked;
 * choose() applies the no-crumbs and critical rules, siblings() the slack,
 * and replan() the hysteresis.  Everything is on the stack: a decision
 * over ten clusters with 288-point series does not allocate.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "carbon/policy.h"

#define TIE_EPS 1e-9

/* What we know of one cluster for this job. */
struct price {
	bool ranked;
	enum carbon_data_quality quality;
	double kwh;	  /* the job's energy there, PUE included */
	double now_mean;  /* intensity over [now, now + runtime) */
	double best_mean; /* over the best window */
	int64_t best_start;
};

static bool cheaper(double a, double b)
{
	return a < b - TIE_EPS * fmax(fabs(a), fabs(b));
}

static double pct_below(double base, double x)
{
	return base > 0 ? 100.0 * (base - x) / base : 0.0;
}

static bool usable_series(const struct carbon_policy_params *p,
			  const carbon_series *s, int64_t now)
{
	const struct carbon_series_meta *m = carbon_series_meta_peek(s);

	return m && m->signal == p->signal && m->basis == p->basis &&
	       carbon_series_covers(s, now, now + 1);
}

/* Price from the series: run-now mean and the best window up to latest. */
static bool price_series(const struct carbon_policy_params *p,
			 const struct carbon_policy_cluster *c,
			 const struct carbon_policy_job *job, int64_t latest,
			 struct price *pr)
{
	const struct carbon_series_meta *m = carbon_series_meta_peek(c->series);
	struct carbon_series_window w;
	int64_t start, end, span;
	char e[8];

	if (!usable_series(p, c->series, job->now) ||
	    carbon_series_bounds(c->series, &start, &end, e, sizeof(e)))
		return false;
	/* A forecast shorter than the job prices what it covers. */
	span = end - job->now < job->runtime ? end - job->now : job->runtime;
	if (carbon_series_mean(c->series, job->now, job->now + span,
			       &pr->now_mean, e, sizeof(e)))
		return false;
	pr->best_mean = pr->now_mean;
	pr->best_start = job->now;
	if (latest > job->now && span == job->runtime &&
	    !carbon_series_best_window(c->series, job->now,
				       latest + job->runtime, job->runtime, &w,
				       e, sizeof(e)) &&
	    w.start <= latest && cheaper(w.mean, pr->now_mean) &&
	    pct_below(pr->now_mean, w.mean) >= p->min_saving_pct) {
		pr->best_mean = w.mean;
		pr->best_start = w.start;
	}
	if (m->origin == CARBON_SERIES_FALLBACK_FORECAST || c->fallback)
		pr->quality = CARBON_DATA_FALLBACK;
	else
		pr->quality = c->stale ? CARBON_DATA_STALE : CARBON_DATA_FRESH;
	return true;
}

static int price_cluster(const struct carbon_policy_params *p,
			 const struct carbon_policy_cluster *c,
			 const struct carbon_policy_job *job, int64_t latest,
			 struct price *pr, char *err, size_t errlen)
{
	struct carbon_energy en;
	int rc;

	memset(pr, 0, sizeof(*pr));
	pr->quality = CARBON_DATA_NONE;
	rc = carbon_footprint_energy_model(&c->power, &job->usage, job->runtime,
					   &en, err, errlen);
	if (rc)
		return rc;
	pr->kwh = en.kwh;
	if (c->series && price_series(p, c, job, latest, pr)) {
		pr->ranked = true;
	} else if (c->fallback_intensity > 0) {
		pr->now_mean = pr->best_mean = c->fallback_intensity;
		pr->best_start = job->now;
		pr->quality = CARBON_DATA_FALLBACK;
		pr->ranked = true;
	}
	return 0;
}

static int check_args(const struct carbon_policy_params *p,
		      const struct carbon_policy_cluster *c, size_t n,
		      const struct carbon_policy_job *job,
		      const struct carbon_policy_decision *out, char *err,
		      size_t errlen)
{
	const char *bad = NULL;

	if (!p || !c || !job || !out)
		bad = "a NULL argument";
	else if (n < 1 || n > CARBON_POLICY_MAX_CLUSTERS)
		bad = "the cluster count (1..64)";
	else if (job->origin >= n)
		bad = "origin (not a cluster index)";
	else if (job->has_plan && job->plan_cluster >= n)
		bad = "plan_cluster (not a cluster index)";
	else if (job->runtime <= 0 || job->runtime > CARBON_TIME_MAX)
		bad = "runtime (must be > 0)";
	else if (job->now < 0 || job->now > CARBON_TIME_MAX - job->runtime -
						    CARBON_MAX_DELAY_LIMIT)
		bad = "now";
	else if (!(p->min_saving_pct >= 0 && p->min_saving_pct <= 100) ||
		 !(p->hysteresis_pct >= 0 && p->hysteresis_pct <= 100) ||
		 !(p->sibling_slack_pct >= 0 && p->sibling_slack_pct <= 1000) ||
		 !(p->eco_threshold >= 0 && isfinite(p->eco_threshold)))
		bad = "a percentage or threshold parameter (out of range)";
	else if (p->flexible_max_delay < 0 ||
		 p->flexible_max_delay > CARBON_MAX_DELAY_LIMIT)
		bad = "flexible_max_delay";
	for (size_t i = 0; !bad && i < n; i++)
		if (!(c[i].fallback_intensity >= 0 &&
		      c[i].fallback_intensity <= CARBON_SERIES_VALUE_MAX))
			bad = "a cluster's fallback_intensity";
	if (bad)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon policy: invalid %s", bad);
	return 0;
}

/* When may the job start at the latest?  See carbon/policy.h. */
static int64_t latest_start(const struct carbon_policy_params *p,
			    const struct carbon_policy_job *job)
{
	int64_t latest = job->now;

	if (job->urgency == CARBON_URGENCY_CRITICAL)
		return job->now;
	if (job->has_latest_start)
		latest = job->latest_start;
	else if (job->urgency == CARBON_URGENCY_FLEXIBLE)
		latest = job->now + p->flexible_max_delay;
	if (latest < job->now)
		latest = job->now;
	if (latest > job->now + CARBON_MAX_DELAY_LIMIT)
		latest = job->now + CARBON_MAX_DELAY_LIMIT;
	return latest;
}

static const char *name_of(const struct carbon_policy_cluster *c, size_t i)
{
	return c[i].name ? c[i].name : "?";
}

/* Insertion sort of the priced, allowed clusters: by best cost, then
 * origin, then index (n <= 64, and the order must be deterministic). */
static void rank(const struct carbon_policy_job *job, size_t n,
		 struct carbon_policy_decision *d)
{
	d->nranked = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		if (d->cost_g[i] < 0)
			continue;
		for (k = d->nranked; k > 0; k--) {
			size_t j = d->ranking[k - 1];
			double cj = d->cost_g[j], ci = d->cost_g[i];

			if (!(cheaper(ci, cj) ||
			      (!cheaper(cj, ci) && i == job->origin)))
				break;
			d->ranking[k] = d->ranking[k - 1];
		}
		d->ranking[k] = (uint8_t)i;
		d->nranked++;
	}
}

static uint64_t bit(size_t i)
{
	return UINT64_C(1) << i;
}

/* The clusters to keep: the chosen one, and when it starts now every
 * ranked cluster whose run-now cost is within the slack of its own. */
static uint64_t siblings(const struct carbon_policy_params *p,
			 const struct carbon_policy_decision *d)
{
	double limit = d->now_g[d->chosen] * (1.0 + p->sibling_slack_pct / 100);
	uint64_t keep = bit(d->chosen);

	if (d->deferred)
		return keep;
	for (size_t k = 0; k < d->nranked; k++) {
		size_t i = d->ranking[k];

		if (!cheaper(limit, d->now_g[i]))
			keep |= bit(i);
	}
	return keep;
}

/* The cluster decisions are compared against: the origin when the job may
 * run there, else the best allowed one.  SIZE_MAX: the origin may run the
 * job but we know nothing of it, so nothing can be justified. */
static size_t reference(const struct carbon_policy_job *job,
			const struct price *pr, uint64_t allowed,
			const struct carbon_policy_decision *d)
{
	if (!(allowed & bit(job->origin)))
		return d->ranking[0];
	return pr[job->origin].ranked ? job->origin : SIZE_MAX;
}

/* The reason always compares with running now at the reference. */
static void describe(const struct carbon_policy_cluster *c,
		     const struct carbon_policy_job *job, size_t ref,
		     struct carbon_policy_decision *d)
{
	const char *at = name_of(c, d->chosen);
	const char *from = name_of(c, ref);
	double saving = pct_below(d->now_g[ref], d->expected_g);
	double wait_h = (double)(d->begin - job->now) / 3600.0;

	if (d->deferred && d->chosen != ref)
		snprintf(d->reason, sizeof(d->reason),
			 "moved to %s, deferred %.1f h: %.0f%% below now at %s",
			 at, wait_h, saving, from);
	else if (d->deferred)
		snprintf(d->reason, sizeof(d->reason),
			 "deferred %.1f h at %s: %.0f%% below now", wait_h, at,
			 saving);
	else if (d->chosen != ref && (d->siblings & bit(ref)))
		snprintf(d->reason, sizeof(d->reason),
			 "prefers %s: %.0f%% below now at %s, which is kept",
			 at, saving, from);
	else if (d->chosen != ref)
		snprintf(d->reason, sizeof(d->reason),
			 "moved to %s: %.0f%% below now at %s", at, saving,
			 from);
	else
		snprintf(d->reason, sizeof(d->reason),
			 "runs now at %s: no cleaner option worth the shift",
			 at);
}

/* The normal case: pick the cluster and start, apply no-crumbs. */
static void choose(const struct carbon_policy_params *p,
		   const struct carbon_policy_cluster *c,
		   const struct carbon_policy_job *job, const struct price *pr,
		   size_t ref, uint64_t allowed,
		   struct carbon_policy_decision *d)
{
	size_t best = d->ranking[0];

	d->chosen = best;
	if (best != ref &&
	    pct_below(d->cost_g[ref], d->cost_g[best]) < p->min_saving_pct)
		d->chosen = ref;
	d->begin = d->start[d->chosen];
	d->deferred = d->begin > job->now;
	d->expected_g = d->cost_g[d->chosen];
	d->intensity = pr[d->chosen].best_mean;
	/* The saving is measured against the reference: the decision rests
	 * on both clusters' data, so it is as good as the worse of the two. */
	d->quality = pr[d->chosen].quality > pr[ref].quality
			     ? pr[d->chosen].quality
			     : pr[ref].quality;
	d->siblings = siblings(p, d);
	/* A normal job must not wait longer for carbon: it keeps the cluster
	 * it would have run at, and Slurm starts it wherever it fits first.
	 * Only flexible jobs are narrowed to the clean clusters. */
	if (job->urgency == CARBON_URGENCY_NORMAL && !d->deferred)
		d->siblings |= bit(ref);
	if (p->eco_threshold > 0 && d->intensity > p->eco_threshold &&
	    c[d->chosen].has_eco)
		d->mode = CARBON_MODE_ECO;
	d->changed = d->deferred || d->siblings != allowed ||
		     d->mode == CARBON_MODE_ECO;
	describe(c, job, ref, d);
}

/* Cost of the current plan under today's data; < 0 when unknown. */
static double plan_cost(const struct carbon_policy_params *p,
			const struct carbon_policy_cluster *c,
			const struct carbon_policy_job *job,
			const struct price *pr)
{
	const struct price *pp = &pr[job->plan_cluster];
	const carbon_series *s = c[job->plan_cluster].series;
	int64_t start = job->plan_begin > job->now ? job->plan_begin : job->now;
	double mean;
	char e[8];

	if (!pp->ranked)
		return -1;
	if (s && usable_series(p, s, job->now) &&
	    !carbon_series_mean(s, start, start + job->runtime, &mean, e,
				sizeof(e)))
		return pp->kwh * mean;
	if (c[job->plan_cluster].fallback_intensity > 0)
		return pp->kwh * c[job->plan_cluster].fallback_intensity;
	return -1;
}

/* Hysteresis: keep a still-valid plan unless the new one is clearly
 * better. */
static void replan(const struct carbon_policy_params *p,
		   const struct carbon_policy_cluster *c,
		   const struct carbon_policy_job *job, const struct price *pr,
		   int64_t latest, struct carbon_policy_decision *d)
{
	int64_t plan_start =
		job->plan_begin > job->now ? job->plan_begin : job->now;
	double cost = plan_cost(p, c, job, pr);

	if (plan_start > latest) {
		snprintf(d->reason, sizeof(d->reason),
			 "re-planned: the plan started after the latest start");
		d->changed = true;
		return;
	}
	if (cost >= 0 &&
	    !(d->expected_g >= 0 &&
	      pct_below(cost, d->expected_g) >= p->hysteresis_pct)) {
		d->chosen = job->plan_cluster;
		d->begin = plan_start;
		d->deferred = plan_start > job->now;
		d->expected_g = cost;
		d->changed = false;
		snprintf(d->reason, sizeof(d->reason),
			 "plan kept: no gain of %.0f%% or more",
			 p->hysteresis_pct);
		return;
	}
	d->changed = d->chosen != job->plan_cluster || d->begin != plan_start;
}

static void fill_prices(size_t n, const struct price *pr, uint64_t allowed,
			struct carbon_policy_decision *d)
{
	for (size_t i = 0; i < n; i++) {
		d->cost_g[i] = d->now_g[i] = -1;
		d->start[i] = -1;
		if (!pr[i].ranked)
			continue;
		d->now_g[i] = pr[i].kwh * pr[i].now_mean;
		if (!(allowed & bit(i)))
			continue;
		d->cost_g[i] = pr[i].kwh * pr[i].best_mean;
		d->start[i] = pr[i].best_start;
	}
}

int carbon_policy_decide(const struct carbon_policy_params *params,
			 const struct carbon_policy_cluster *clusters, size_t n,
			 const struct carbon_policy_job *job,
			 struct carbon_policy_decision *out, char *err,
			 size_t errlen)
{
	struct price pr[CARBON_POLICY_MAX_CLUSTERS];
	struct carbon_policy_decision d;
	uint64_t all, allowed;
	int64_t latest;
	size_t ref;
	int rc;

	rc = check_args(params, clusters, n, job, out, err, errlen);
	if (rc)
		return rc;
	memset(&d, 0, sizeof(d));
	all = n == 64 ? UINT64_MAX : bit(n) - 1;
	allowed = job->allowed ? job->allowed & all : all;
	latest = latest_start(params, job);
	for (size_t i = 0; i < n; i++) {
		rc = price_cluster(params, &clusters[i], job, latest, &pr[i],
				   err, errlen);
		if (rc)
			return rc;
	}
	fill_prices(n, pr, allowed, &d);
	rank(job, n, &d);
	d.chosen = job->origin;
	d.siblings = allowed;
	d.begin = job->now;
	d.expected_g = d.intensity = -1;
	d.baseline_g = d.now_g[job->origin];
	d.quality = CARBON_DATA_NONE;
	d.urgency = job->urgency;
	d.latest = latest;
	d.allowed = allowed;
	ref = d.nranked ? reference(job, pr, allowed, &d) : SIZE_MAX;
	if (ref == SIZE_MAX) {
		snprintf(d.reason, sizeof(d.reason),
			 "no usable carbon data: left as submitted");
	} else if (job->urgency == CARBON_URGENCY_CRITICAL) {
		d.chosen = ref;
		d.expected_g = d.now_g[ref];
		d.intensity = pr[ref].now_mean;
		d.quality = pr[ref].quality;
		snprintf(d.reason, sizeof(d.reason),
			 "critical: runs as submitted");
	} else {
		choose(params, clusters, job, pr, ref, allowed, &d);
		if (job->has_plan)
			replan(params, clusters, job, pr, latest, &d);
	}
	*out = d;
	return 0;
}

const char *carbon_policy_mode_name(enum carbon_policy_mode mode)
{
	return mode == CARBON_MODE_ECO ? "eco" : "fast";
}

const char *carbon_policy_quality_name(enum carbon_data_quality q)
{
	switch (q) {
	case CARBON_DATA_FRESH:
		return "fresh";
	case CARBON_DATA_STALE:
		return "stale";
	case CARBON_DATA_FALLBACK:
		return "fallback";
	case CARBON_DATA_NONE:
		return "none";
	}
	return "unknown";
}
