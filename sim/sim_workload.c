/*
 * sim_workload.c: SWF jobs to simulator jobs (carbon/sim_workload.h).
 */
#include <stdlib.h>
#include <string.h>

#include "carbon/prng.h"
#include "carbon/sim_workload.h"

#include "sim_internal.h"

/* PRNG streams, so one rule's draws never shift another's. */
enum { STREAM_URGENCY = 1, STREAM_ORIGIN = 2 };

static bool fraction(double f)
{
	return f >= 0.0 && f <= 1.0;
}

int carbon_sim_workload_init(struct carbon_sim_workload *w,
			     const struct carbon_sim_workload_options *opt,
			     const struct carbon_series_allocator *alloc,
			     char *err, size_t errlen)
{
	const char *bad = NULL;
	struct sim_mem mem;

	if (!w || !opt)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"workload: internal error: bad "
					"arguments");
	if (!opt->cores || opt->nclusters < 1 ||
	    opt->nclusters > CARBON_SIM_MAX_CLUSTERS)
		bad = "cluster list";
	else if (opt->start < 0 || opt->start > CARBON_TIME_MAX / 4)
		bad = "start";
	else if (!(opt->time_scale > 0 && opt->time_scale <= 1000))
		bad = "time scale (0 < x <= 1000)";
	else if (!(opt->size_scale > 0 && opt->size_scale <= 1000))
		bad = "size scale (0 < x <= 1000)";
	else if (!fraction(opt->critical_fraction) ||
		 !fraction(opt->flexible_fraction) ||
		 opt->critical_fraction + opt->flexible_fraction > 1.0 + 1e-12)
		bad = "urgency fractions (each 0..1, together at most 1)";
	else if (opt->max_delay < 0 || opt->max_delay > CARBON_MAX_DELAY_LIMIT)
		bad = "max delay (0..31 days)";
	else if (opt->default_req < 0 || opt->default_req > CARBON_TIME_MAX / 4)
		bad = "default requested time";
	else if ((unsigned)opt->origin > CARBON_SIM_ORIGIN_RANDOM)
		bad = "origin rule";
	if (bad)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"workload: invalid %s", bad);
	memset(w, 0, sizeof(*w));
	w->opt = *opt;
	sim_mem_init(&mem, alloc);
	w->alloc = mem.a;
	for (size_t c = 0; c < opt->nclusters; c++)
		if (opt->cores[c] > w->max_cores)
			w->max_cores = opt->cores[c];
	return 0;
}

static void skip(struct carbon_sim_workload *w, enum carbon_sim_skip why,
		 size_t line)
{
	if (!w->skipped[why]++)
		w->first_line[why] = line;
}

void carbon_sim_workload_add_bad_line(struct carbon_sim_workload *w,
				      size_t line)
{
	skip(w, CARBON_SIM_SKIP_BAD_LINE, line);
}

static int64_t scale_round(int64_t v, double f)
{
	return (int64_t)((double)v * f + 0.5);
}

/* Fill j from sj; false with *why when the job cannot be simulated. */
static bool convert(struct carbon_sim_workload *w,
		    const struct carbon_swf_job *sj, struct carbon_sim_job *j,
		    enum carbon_sim_skip *why)
{
	const struct carbon_sim_workload_options *o = &w->opt;
	int64_t procs = sj->req_procs > 0 ? sj->req_procs : sj->alloc_procs;
	int64_t limit = CARBON_MAX_DELAY_LIMIT * 100;

	*why = sj->submit < 0	 ? CARBON_SIM_SKIP_NO_SUBMIT
	       : sj->run < 0	 ? CARBON_SIM_SKIP_NO_RUNTIME
	       : sj->run == 0	 ? CARBON_SIM_SKIP_ZERO_RUNTIME
	       : procs <= 0	 ? CARBON_SIM_SKIP_NO_PROCS
	       : sj->run > limit ? CARBON_SIM_SKIP_OUT_OF_RANGE
				 : CARBON_SIM_SKIP_COUNT;
	if (*why != CARBON_SIM_SKIP_COUNT)
		return false;
	memset(j, 0, sizeof(*j));
	j->id = sj->id;
	j->line = sj->line;
	j->submit = o->start + scale_round(sj->submit, o->time_scale);
	procs = scale_round(procs, o->size_scale);
	if (procs < 1)
		procs = 1;
	if (procs > w->max_cores) {
		*why = CARBON_SIM_SKIP_TOO_WIDE;
		return false;
	}
	if (j->submit > CARBON_TIME_MAX / 2) {
		*why = CARBON_SIM_SKIP_OUT_OF_RANGE;
		return false;
	}
	j->cores = (uint32_t)procs;
	j->run = sj->run;
	j->req = sj->req_time > 0 ? sj->req_time : o->default_req;
	if (j->req > limit)
		j->req = limit;
	if (j->req < j->run)
		j->req = j->run;
	j->queue = sj->queue;
	j->partition = sj->partition;
	return true;
}

int carbon_sim_workload_add(struct carbon_sim_workload *w,
			    const struct carbon_swf_job *sj, char *err,
			    size_t errlen)
{
	struct sim_mem mem = {.a = w->alloc};
	enum carbon_sim_skip why;
	struct carbon_sim_job j;

	if (!convert(w, sj, &j, &why)) {
		skip(w, why, sj->line);
		return 0;
	}
	if ((w->opt.max_jobs && w->n >= w->opt.max_jobs) ||
	    w->n >= CARBON_SIM_MAX_JOBS) {
		skip(w, CARBON_SIM_SKIP_OVER_MAX, sj->line);
		return 0;
	}
	if (sim_grow(&mem, (void **)&w->jobs, &w->cap, w->n + 1,
		     sizeof(*w->jobs), err, errlen))
		return CARBON_ENOMEM;
	w->procs_from_alloc += sj->req_procs <= 0;
	w->req_from_run += sj->req_time <= 0 && w->opt.default_req == 0;
	w->req_from_default += sj->req_time <= 0 && w->opt.default_req > 0;
	w->jobs[w->n++] = j;
	return 0;
}

/* Sort key: submit time, then file order (line, kept in j->line). */
static int by_submit(const void *a, const void *b)
{
	const struct carbon_sim_job *x = a, *y = b;

	if (x->submit != y->submit)
		return (x->submit > y->submit) - (x->submit < y->submit);
	return (x->line > y->line) - (x->line < y->line);
}

/* The first cluster from c on (cyclically) that holds cores. */
static uint32_t fit_from(const struct carbon_sim_workload *w, uint64_t c,
			 uint32_t cores)
{
	size_t n = w->opt.nclusters;

	for (size_t k = 0; k < n; k++) {
		size_t i = (size_t)((c + k) % n);

		if (w->opt.cores[i] >= cores)
			return (uint32_t)i;
	}
	return 0; /* unreachable: too wide jobs were skipped */
}

static uint32_t pick_origin(struct carbon_sim_workload *w,
			    const struct carbon_sim_job *j, uint64_t *rr,
			    struct carbon_prng *rng)
{
	int64_t key = -1;

	switch (w->opt.origin) {
	case CARBON_SIM_ORIGIN_QUEUE:
		key = j->queue;
		break;
	case CARBON_SIM_ORIGIN_PARTITION:
		key = j->partition;
		break;
	case CARBON_SIM_ORIGIN_RANDOM:
		return fit_from(w, carbon_prng_below(rng, w->opt.nclusters),
				j->cores);
	case CARBON_SIM_ORIGIN_ROUND_ROBIN:
		break;
	}
	if (key >= 0)
		return fit_from(w, (uint64_t)key, j->cores);
	return fit_from(w, (*rr)++, j->cores);
}

void carbon_sim_workload_finish(struct carbon_sim_workload *w)
{
	const struct carbon_sim_workload_options *o = &w->opt;
	struct carbon_prng urg, org;
	uint64_t rr = 0;

	if (w->n > 1)
		qsort(w->jobs, w->n, sizeof(*w->jobs), by_submit);
	carbon_prng_seed2(&urg, o->seed, STREAM_URGENCY);
	carbon_prng_seed2(&org, o->seed, STREAM_ORIGIN);
	for (size_t i = 0; i < w->n; i++) {
		struct carbon_sim_job *j = &w->jobs[i];
		double u = carbon_prng_uniform(&urg);

		j->origin = pick_origin(w, j, &rr, &org);
		j->urgency = u < o->critical_fraction ? CARBON_URGENCY_CRITICAL
			     : u < o->critical_fraction + o->flexible_fraction
				     ? CARBON_URGENCY_FLEXIBLE
				     : CARBON_URGENCY_NORMAL;
		j->deadline = j->submit + j->req + o->max_delay;
		j->has_latest_start = j->urgency != CARBON_URGENCY_NORMAL;
		j->latest_start = j->urgency == CARBON_URGENCY_FLEXIBLE
					  ? j->submit + o->max_delay
					  : j->submit;
	}
}

size_t carbon_sim_workload_skipped(const struct carbon_sim_workload *w)
{
	size_t n = 0;

	for (int i = 0; i < CARBON_SIM_SKIP_COUNT; i++)
		n += w->skipped[i];
	return n;
}

void carbon_sim_workload_release(struct carbon_sim_workload *w)
{
	struct sim_mem mem;

	if (!w)
		return;
	mem.a = w->alloc;
	if (mem.a.release)
		sim_free(&mem, w->jobs);
	w->jobs = NULL;
	w->n = w->cap = 0;
}

const char *carbon_sim_skip_name(enum carbon_sim_skip why)
{
	switch (why) {
	case CARBON_SIM_SKIP_BAD_LINE:
		return "bad SWF line";
	case CARBON_SIM_SKIP_NO_SUBMIT:
		return "submit time unknown (-1)";
	case CARBON_SIM_SKIP_NO_RUNTIME:
		return "run time unknown (-1)";
	case CARBON_SIM_SKIP_ZERO_RUNTIME:
		return "zero run time";
	case CARBON_SIM_SKIP_NO_PROCS:
		return "no processor count (requested and allocated -1)";
	case CARBON_SIM_SKIP_TOO_WIDE:
		return "wider than every cluster";
	case CARBON_SIM_SKIP_OUT_OF_RANGE:
		return "time out of range";
	case CARBON_SIM_SKIP_OVER_MAX:
		return "beyond --max-jobs";
	case CARBON_SIM_SKIP_COUNT:
		break;
	}
	return "unknown";
}
