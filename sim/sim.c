/*
 * sim.c: the event model of carbon/sim.h: per-cluster FCFS queues with
 * EASY backfilling, federated queues where the first start wins, and one
 * event heap for job ends and begin times.
 *
 * Data structures, chosen for 10^5 jobs x a year:
 *  - arrivals are not events: the jobs array is sorted, a cursor merges it
 *    with the heap;
 *  - a queue is an array of job indices in submit order (index order);
 *    jobs leave lazily (started here or at a sibling) and the array is
 *    compacted when more than half of it is dead;
 *  - running jobs sit in an array sorted by expected end (start +
 *    requested time), which is what the head job's reservation needs.
 */
#include <string.h>

#include "carbon/sim.h"

#include "sim_internal.h"

enum { EV_END = 0, EV_BEGIN = 1, EV_RELEASE = 2 };
enum { J_WAITING = 0, J_DEFERRED, J_QUEUED, J_RUNNING, J_DONE };

struct event {
	int64_t t;
	uint32_t kind;
	uint32_t job;
};

struct run_entry {
	int64_t exp_end;
	uint32_t job;
	uint32_t cores;
};

struct queue {
	uint32_t *v;
	size_t first; /* entries before it are dead and dropped */
	size_t n;
	size_t cap;
	size_t dead; /* dead entries in [first, n) */
};

struct cluster_state {
	uint32_t free;
	struct queue q;
	struct run_entry *run;
	size_t nrun;
	bool dirty;
	bool skipped_fresh; /* a pass hid a job whose preferred is elsewhere */
};

struct job_state {
	uint64_t siblings;
	uint64_t release_to; /* added at its release event */
	int64_t exp_end;
	int64_t run_eff;
	int64_t req_eff;
	uint32_t preferred;
	uint8_t state;
	bool eco;
	bool fresh; /* arrived this instant, its preferred cluster first */
};

struct engine {
	const struct carbon_sim_config *cfg;
	struct sim_mem mem;
	struct cluster_state *cl;
	struct job_state *js;
	struct event *heap;
	size_t nheap, capheap;
	struct carbon_sim_outcome *out;
	size_t bf_depth;
	size_t running_total;
	uint32_t *fresh; /* jobs arrived at this instant with a preference */
	size_t nfresh, capfresh;
};

/* ---- the event heap, ordered by (t, kind, job) ---- */

static bool ev_before(const struct event *a, const struct event *b)
{
	if (a->t != b->t)
		return a->t < b->t;
	if (a->kind != b->kind)
		return a->kind < b->kind;
	return a->job < b->job;
}

static int heap_push(struct engine *e, int64_t t, uint32_t kind, uint32_t job,
		     char *err, size_t errlen)
{
	struct event ev = {.t = t, .kind = kind, .job = job};
	size_t i;

	if (sim_grow(&e->mem, (void **)&e->heap, &e->capheap, e->nheap + 1,
		     sizeof(*e->heap), err, errlen))
		return CARBON_ENOMEM;
	i = e->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!ev_before(&ev, &e->heap[p]))
			break;
		e->heap[i] = e->heap[p];
		i = p;
	}
	e->heap[i] = ev;
	return 0;
}

static struct event heap_pop(struct engine *e)
{
	struct event top = e->heap[0], last = e->heap[--e->nheap];
	size_t i = 0, n = e->nheap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_before(&e->heap[c + 1], &e->heap[c]))
			c++;
		if (!ev_before(&e->heap[c], &last))
			break;
		e->heap[i] = e->heap[c];
		i = c;
	}
	if (n)
		e->heap[i] = last;
	return top;
}

/* ---- queues ---- */

static void queue_compact(struct engine *e, struct queue *q)
{
	size_t k = 0;

	for (size_t i = q->first; i < q->n; i++)
		if (e->js[q->v[i]].state == J_QUEUED)
			q->v[k++] = q->v[i];
	q->first = 0;
	q->n = k;
	q->dead = 0;
}

static int queue_insert(struct engine *e, struct queue *q, uint32_t job,
			char *err, size_t errlen)
{
	size_t lo, hi;

	if (q->dead > 64 && q->dead > (q->n - q->first) / 2)
		queue_compact(e, q);
	if (sim_grow(&e->mem, (void **)&q->v, &q->cap, q->n + 1, sizeof(*q->v),
		     err, errlen))
		return CARBON_ENOMEM;
	/* upper bound of job among [first, n): usually the end */
	lo = q->first;
	hi = q->n;
	if (hi > lo && q->v[hi - 1] > job) {
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (q->v[mid] < job)
				lo = mid + 1;
			else
				hi = mid;
		}
		memmove(&q->v[lo + 1], &q->v[lo], (q->n - lo) * sizeof(*q->v));
	} else {
		lo = q->n;
	}
	q->v[lo] = job;
	q->n++;
	return 0;
}

/* A job left the queued state: every sibling queue holds one more dead. */
static void queues_forget(struct engine *e, uint32_t job)
{
	uint64_t m = e->js[job].siblings;

	for (size_t c = 0; m; c++, m >>= 1)
		if (m & 1)
			e->cl[c].q.dead++;
}

static void queue_drop_front(struct engine *e, struct queue *q)
{
	while (q->first < q->n && e->js[q->v[q->first]].state != J_QUEUED) {
		q->first++;
		q->dead--;
	}
}

/* ---- running sets, sorted by (exp_end, job) ---- */

static size_t run_lower(const struct cluster_state *cs, int64_t exp_end,
			uint32_t job)
{
	size_t lo = 0, hi = cs->nrun;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct run_entry *r = &cs->run[mid];

		if (r->exp_end < exp_end ||
		    (r->exp_end == exp_end && r->job < job))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void run_remove(struct cluster_state *cs, int64_t exp_end, uint32_t job)
{
	size_t i = run_lower(cs, exp_end, job);

	if (i < cs->nrun && cs->run[i].job == job) {
		memmove(&cs->run[i], &cs->run[i + 1],
			(cs->nrun - i - 1) * sizeof(*cs->run));
		cs->nrun--;
	}
}

static int start_job(struct engine *e, size_t c, uint32_t j, int64_t t,
		     char *err, size_t errlen)
{
	struct cluster_state *cs = &e->cl[c];
	struct job_state *js = &e->js[j];
	const struct carbon_sim_job *job = &e->cfg->jobs[j];
	size_t i;

	js->state = J_RUNNING;
	js->exp_end = t + js->req_eff;
	queues_forget(e, j);
	cs->free -= job->cores;
	/* run[] has room: each running job holds at least one core */
	i = run_lower(cs, js->exp_end, j);
	memmove(&cs->run[i + 1], &cs->run[i],
		(cs->nrun - i) * sizeof(*cs->run));
	cs->run[i] = (struct run_entry){js->exp_end, j, job->cores};
	cs->nrun++;
	e->out[j].cluster = (uint32_t)c;
	e->out[j].start = t;
	e->out[j].end = t + js->run_eff;
	e->out[j].eco = js->eco;
	e->out[j].moved = c != job->origin;
	e->running_total++;
	return heap_push(e, t + js->run_eff, EV_END, j, err, errlen);
}

/* EASY: when will `need` cores be free, and how many beyond it then? */
static void reservation(const struct cluster_state *cs, uint32_t need,
			int64_t *shadow, uint32_t *extra)
{
	uint64_t avail = cs->free;

	*shadow = INT64_MAX;
	*extra = 0;
	for (size_t i = 0; i < cs->nrun; i++) {
		avail += cs->run[i].cores;
		if (avail >= need) {
			*shadow = cs->run[i].exp_end;
			*extra = (uint32_t)(avail - need);
			return;
		}
	}
}

static bool visible(const struct engine *e, uint32_t j, size_t c)
{
	return !e->js[j].fresh || e->js[j].preferred == c;
}

/* One scheduling pass of cluster c at t: FCFS, then EASY backfill. */
static int pass(struct engine *e, size_t c, int64_t t, char *err, size_t errlen)
{
	struct cluster_state *cs = &e->cl[c];
	struct queue *q = &cs->q;
	bool blocked = false;
	int64_t shadow = 0;
	uint32_t extra = 0;
	size_t tested = 0;
	int rc;

	queue_drop_front(e, q);
	for (size_t i = q->first; i < q->n && cs->free > 0; i++) {
		uint32_t j = q->v[i];
		const struct carbon_sim_job *job = &e->cfg->jobs[j];

		if (e->js[j].state != J_QUEUED)
			continue;
		if (!visible(e, j, c)) {
			cs->skipped_fresh = true;
			continue;
		}
		if (blocked && ++tested > e->bf_depth)
			break;
		if (job->cores > cs->free) {
			if (!blocked) {
				reservation(cs, job->cores, &shadow, &extra);
				blocked = true;
			}
			continue;
		}
		if (blocked && t + e->js[j].req_eff > shadow) {
			if (job->cores > extra)
				continue;
			extra -= job->cores;
		}
		rc = start_job(e, c, j, t, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* Put job j in the queue of every cluster in mask. */
static int queue_on(struct engine *e, uint32_t j, uint64_t mask, char *err,
		    size_t errlen)
{
	int rc;

	for (size_t c = 0; mask; c++, mask >>= 1) {
		if (!(mask & 1))
			continue;
		rc = queue_insert(e, &e->cl[c].q, j, err, errlen);
		if (rc)
			return rc;
		e->cl[c].dirty = true;
	}
	return 0;
}

static int enqueue(struct engine *e, uint32_t j, char *err, size_t errlen)
{
	struct job_state *js = &e->js[j];
	uint64_t m = js->siblings;

	js->state = J_QUEUED;
	js->fresh = (m & (m - 1)) != 0;
	if (js->fresh) {
		if (sim_grow(&e->mem, (void **)&e->fresh, &e->capfresh,
			     e->nfresh + 1, sizeof(*e->fresh), err, errlen))
			return CARBON_ENOMEM;
		e->fresh[e->nfresh++] = j;
	}
	return queue_on(e, j, m, err, errlen);
}

static int submit(struct engine *e, const struct carbon_sim_policy *policy,
		  uint32_t j, char *err, size_t errlen)
{
	const struct carbon_sim_job *job = &e->cfg->jobs[j];
	struct carbon_sim_placement p = {0};
	struct job_state *js = &e->js[j];
	int rc = policy->place(policy->ctx, j, job, &p, err, errlen);

	if (rc)
		return rc;
	js->siblings = p.siblings & carbon_sim_fitting(e->cfg, job);
	if (!js->siblings)
		js->siblings = UINT64_C(1) << job->origin;
	js->preferred = (uint32_t)p.preferred;
	if (p.preferred >= 64 || !(js->siblings >> p.preferred & 1))
		js->preferred =
			(js->siblings >> job->origin & 1)
				? job->origin
				: (uint32_t)__builtin_ctzll(js->siblings);
	js->eco = p.eco;
	js->release_to =
		p.release_to & carbon_sim_fitting(e->cfg, job) & ~js->siblings;
	if (p.release_at > 0 && js->release_to) {
		rc = heap_push(e,
			       p.release_at > p.begin ? p.release_at : p.begin,
			       EV_RELEASE, j, err, errlen);
		if (rc)
			return rc;
	}
	sim_effective_times(e->cfg, job, p.eco, &js->run_eff, &js->req_eff);
	e->out[j].begin = p.begin > job->submit ? p.begin : job->submit;
	e->out[j].deferred = e->out[j].begin > job->submit;
	if (e->out[j].deferred) {
		js->state = J_DEFERRED;
		return heap_push(e, e->out[j].begin, EV_BEGIN, j, err, errlen);
	}
	return enqueue(e, j, err, errlen);
}

/* Still waiting at its release time: it may also start elsewhere. */
static int release(struct engine *e, uint32_t j, char *err, size_t errlen)
{
	struct job_state *js = &e->js[j];
	uint64_t m = js->release_to;

	if (js->state != J_QUEUED)
		return 0;
	js->siblings |= m;
	e->out[j].released = true;
	return queue_on(e, j, m, err, errlen);
}

static int apply_event(struct engine *e, const struct event *ev, char *err,
		       size_t errlen)
{
	struct job_state *js = &e->js[ev->job];

	if (ev->kind == EV_BEGIN)
		return enqueue(e, ev->job, err, errlen);
	if (ev->kind == EV_RELEASE)
		return release(e, ev->job, err, errlen);
	{
		size_t c = e->out[ev->job].cluster;
		struct cluster_state *cs = &e->cl[c];

		run_remove(cs, js->exp_end, ev->job);
		cs->free += e->cfg->jobs[ev->job].cores;
		cs->dirty = true;
		js->state = J_DONE;
		e->running_total--;
	}
	return 0;
}

/*
 * Every cluster touched at t schedules.  Jobs that arrived now with
 * several siblings are first seen by their preferred cluster only (as a
 * federation's origin sees a job before its siblings do); clusters that
 * hid one get a second pass once everyone may see them.
 */
static int schedule_all(struct engine *e, int64_t t, char *err, size_t errlen)
{
	size_t nc = e->cfg->nclusters;
	int rc;

	for (size_t c = 0; c < nc; c++) {
		if (!e->cl[c].dirty)
			continue;
		rc = pass(e, c, t, err, errlen);
		if (rc)
			return rc;
	}
	for (size_t k = 0; k < e->nfresh; k++)
		e->js[e->fresh[k]].fresh = false;
	e->nfresh = 0;
	for (size_t c = 0; c < nc; c++) {
		if (e->cl[c].skipped_fresh) {
			e->cl[c].skipped_fresh = false;
			rc = pass(e, c, t, err, errlen);
			if (rc)
				return rc;
		}
		e->cl[c].dirty = false;
	}
	return 0;
}

/* The next instant anything happens; false when nothing is left. */
static bool next_time(const struct engine *e, size_t next_job, int64_t *t)
{
	bool any = false;

	if (next_job < e->cfg->njobs) {
		*t = e->cfg->jobs[next_job].submit;
		any = true;
	}
	if (e->nheap && (!any || e->heap[0].t < *t)) {
		*t = e->heap[0].t;
		any = true;
	}
	return any;
}

static void report(const struct engine *e, const char *phase, size_t done)
{
	const struct carbon_sim_progress *p = e->cfg->progress;

	if (p && p->report)
		p->report(p->ctx, phase, done, e->cfg->njobs);
}

static int loop(struct engine *e, const struct carbon_sim_policy *policy,
		char *err, size_t errlen)
{
	size_t next = 0, n = e->cfg->njobs;
	int64_t t;
	int rc = 0;

	while (next_time(e, next, &t)) {
		while (e->nheap && e->heap[0].t == t) {
			struct event ev = heap_pop(e);

			rc = apply_event(e, &ev, err, errlen);
			if (rc)
				return rc;
		}
		for (; next < n && e->cfg->jobs[next].submit == t; next++) {
			rc = submit(e, policy, (uint32_t)next, err, errlen);
			if (rc)
				return rc;
			if ((next & 4095) == 4095)
				report(e, "simulate", next + 1);
		}
		rc = schedule_all(e, t, err, errlen);
		if (rc)
			return rc;
	}
	for (size_t j = 0; j < n; j++)
		if (e->js[j].state != J_DONE)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"sim: internal error: job %lld "
						"never ran",
						(long long)e->cfg->jobs[j].id);
	report(e, "simulate", n);
	return 0;
}

static int engine_init(struct engine *e, const struct carbon_sim_config *cfg,
		       struct carbon_sim_outcome *out, char *err, size_t errlen)
{
	size_t nc = cfg->nclusters;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->out = out;
	sim_mem_init(&e->mem, cfg->alloc);
	e->bf_depth =
		cfg->bf_depth ? cfg->bf_depth : CARBON_SIM_BF_DEPTH_DEFAULT;
	e->cl = sim_calloc(&e->mem, nc, sizeof(*e->cl));
	e->js = sim_calloc(&e->mem, cfg->njobs ? cfg->njobs : 1,
			   sizeof(*e->js));
	if (!e->cl || !e->js)
		goto nomem;
	for (size_t c = 0; c < nc; c++) {
		size_t cap = cfg->clusters[c].cores;

		if (cap > cfg->njobs)
			cap = cfg->njobs ? cfg->njobs : 1;
		e->cl[c].free = cfg->clusters[c].cores;
		e->cl[c].run = sim_calloc(&e->mem, cap, sizeof(*e->cl[c].run));
		if (!e->cl[c].run)
			goto nomem;
	}
	memset(out, 0, cfg->njobs * sizeof(*out));
	return 0;
nomem:
	return carbon_error_set(err, errlen, CARBON_ENOMEM,
				"sim: out of memory for %zu jobs", cfg->njobs);
}

static void engine_free(struct engine *e)
{
	if (e->cl) {
		for (size_t c = 0; c < e->cfg->nclusters; c++) {
			sim_free(&e->mem, e->cl[c].q.v);
			sim_free(&e->mem, e->cl[c].run);
		}
	}
	sim_free(&e->mem, e->cl);
	sim_free(&e->mem, e->js);
	sim_free(&e->mem, e->heap);
	sim_free(&e->mem, e->fresh);
}

int carbon_sim_run(const struct carbon_sim_config *cfg,
		   const struct carbon_sim_policy *policy,
		   struct carbon_sim_outcome *out, char *err, size_t errlen)
{
	struct engine e;
	int rc;

	if (!policy || !policy->place || (!out && cfg && cfg->njobs))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sim: internal error: bad arguments");
	rc = carbon_sim_config_check(cfg, err, errlen);
	if (rc)
		return rc;
	rc = engine_init(&e, cfg, out, err, errlen);
	if (!rc)
		rc = loop(&e, policy, err, errlen);
	engine_free(&e);
	for (size_t j = 0; !rc && j < cfg->njobs; j++)
		rc = carbon_sim_price(cfg, &cfg->jobs[j], &out[j], err, errlen);
	return rc;
}
