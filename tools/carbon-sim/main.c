/*
 * carbon-sim: replay a workload on carbon-aware clusters (see --help and
 * docs/carbon-sim.md).  This file runs the policies in turn and times
 * them; the model is libcarbonsim's (sim/carbon/sim.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "carbon-sim.h"

struct progress_state {
	bool on;
	double last;
	bool shown;
};

static struct progress_state progress_st;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The carbon_sim_progress port: one line on stderr, redrawn at most five
 * times a second, erased when a phase ends. */
void progress(void *ctx, const char *phase, size_t done, size_t total)
{
	struct progress_state *p = ctx;
	double t = now_s();

	if (!p->on)
		return;
	if (done >= total) {
		if (p->shown)
			fprintf(stderr, "\r%60s\r", "");
		p->shown = false;
		return;
	}
	if (t - p->last < 0.2)
		return;
	p->last = t;
	p->shown = true;
	fprintf(stderr, "\rcarbon-sim: %-9s %5.1f%% (%zu/%zu jobs)", phase,
		100.0 * (double)done / (double)(total ? total : 1), done,
		total);
}

static void build_config(struct run *r)
{
	const struct opts *o = r->o;
	static const struct carbon_sim_progress port = {progress, &progress_st};

	for (size_t c = 0; c < o->nclusters; c++) {
		const struct cluster_spec *cs = &o->clusters[c];
		struct carbon_sim_cluster *cl = &r->clusters[c];

		cl->name = cs->name;
		cl->cores = cs->cores;
		cl->power.w_per_core = cs->w_per_core;
		cl->power.pue = cs->pue;
		cl->trace = r->data[c].trace;
		cl->fallback_intensity =
			cs->fallback >= 0 ? cs->fallback : r->data[c].mean;
	}
	r->cfg.clusters = r->clusters;
	r->cfg.nclusters = o->nclusters;
	r->cfg.jobs = r->wl.jobs;
	r->cfg.njobs = r->wl.n;
	r->cfg.bf_depth = o->bf_depth;
	r->cfg.eco = o->eco;
	r->cfg.progress = &port;
}

/* The threshold policy's levels: given, or each trace's terciles over
 * the simulated period. */
static int thresholds(struct run *r)
{
	const struct carbon_sim_job *first = &r->wl.jobs[0];
	const struct carbon_sim_job *last = &r->wl.jobs[r->wl.n - 1];
	int64_t a = first->submit, b = last->submit + r->o->wl.max_delay + 1;
	char err[256];

	if (!r->o->want[P_THRESHOLD])
		return 0;
	for (size_t c = 0; c < r->o->nclusters; c++) {
		double lo = 0, hi = 0;

		if ((r->o->th_low < 0 || r->o->th_high < 0) &&
		    carbon_sim_threshold_terciles(r->data[c].trace, a, b, &lo,
						  &hi, err, sizeof(err))) {
			fprintf(stderr, "carbon-sim: cluster %s: %s\n",
				r->o->clusters[c].name, err);
			return -1;
		}
		r->th_low[c] = r->o->th_low >= 0 ? r->o->th_low : lo;
		r->th_high[c] = r->o->th_high >= 0 ? r->o->th_high : hi;
		if (r->th_high[c] < r->th_low[c])
			r->th_high[c] = r->th_low[c];
	}
	return 0;
}

static int run_carbon(struct run *r, struct carbon_sim_outcome *out,
		      const struct carbon_sim_observer *obs, char *err,
		      size_t errlen)
{
	carbon_sim_carbon *p;
	struct carbon_sim_policy port;
	int rc;

	p = carbon_sim_carbon_new(&r->cfg, &r->o->params, &r->o->fc, true, obs,
				  err, errlen);
	if (!p)
		return -1;
	port = carbon_sim_carbon_port(p);
	rc = carbon_sim_run(&r->cfg, &port, out, err, errlen);
	carbon_sim_carbon_counts(p, &r->carbon_decisions, &r->carbon_no_data);
	carbon_sim_carbon_free(p);
	return rc;
}

static int run_policy(struct run *r, int k)
{
	struct policy_result *res = &r->res[k];
	struct carbon_sim_threshold th = {&r->cfg, r->th_low, r->th_high};
	struct carbon_sim_policy port;
	char err[512] = "";
	double t0 = now_s();
	int rc = 0;

	res->out = calloc(r->wl.n, sizeof(*res->out));
	if (!res->out) {
		fprintf(stderr, "carbon-sim: out of memory\n");
		return -1;
	}
	switch (k) {
	case P_AGNOSTIC:
		port = carbon_sim_agnostic_port();
		rc = carbon_sim_run(&r->cfg, &port, res->out, err, sizeof(err));
		break;
	case P_CARBON:
		rc = run_carbon(r, res->out, NULL, err, sizeof(err));
		break;
	case P_THRESHOLD:
		port = carbon_sim_threshold_port(&th);
		rc = carbon_sim_run(&r->cfg, &port, res->out, err, sizeof(err));
		break;
	case P_ORACLE:
		rc = carbon_sim_oracle_run(&r->cfg, res->out, err, sizeof(err));
		break;
	}
	if (!rc)
		rc = carbon_sim_metrics_compute(r->wl.jobs, res->out, r->wl.n,
						NULL, &res->m, err,
						sizeof(err));
	res->seconds = now_s() - t0;
	if (rc) {
		fprintf(stderr, "carbon-sim: %s policy: %s\n", policy_names[k],
			err);
		return -1;
	}
	res->ran = true;
	return 0;
}

static void compare(struct run *r)
{
	double base = r->res[P_AGNOSTIC].m.emissions_kg;
	const struct policy_result *orc = &r->res[P_ORACLE];
	double orc_sav =
		orc->ran ? carbon_sim_savings_pct(base, orc->m.emissions_kg)
			 : 0;

	for (int k = 0; k < NPOLICIES; k++) {
		struct policy_result *res = &r->res[k];

		res->savings_pct =
			carbon_sim_savings_pct(base, res->m.emissions_kg);
		res->oracle_share_pct =
			orc->ran && orc_sav > 0
				? 100.0 * res->savings_pct / orc_sav
				: -1;
	}
}

static int explain(struct run *r)
{
	struct explain ex = {.id = r->o->explain_id, .f = stdout};
	struct carbon_sim_observer obs = {explain_decided, &ex};
	struct carbon_sim_outcome *out = calloc(r->wl.n, sizeof(*out));
	char err[512] = "";
	int rc;

	if (!out)
		return -1;
	rc = run_carbon(r, out, &obs, err, sizeof(err));
	free(out);
	if (rc) {
		fprintf(stderr, "carbon-sim: carbon policy: %s\n", err);
		return -1;
	}
	if (!ex.found) {
		fprintf(stderr,
			"carbon-sim: --explain: no simulated job has number "
			"%lld (skipped, or beyond --max-jobs?)\n",
			(long long)r->o->explain_id);
		return -1;
	}
	return 0;
}

/* Default start: the latest trace start, so every trace covers time 0. */
static void pick_start(struct run *r, struct opts *o)
{
	if (o->has_start)
		return;
	o->start = r->data[0].t0;
	for (size_t c = 1; c < o->nclusters; c++)
		if (r->data[c].t0 > o->start)
			o->start = r->data[c].t0;
}

static int simulate(struct run *r)
{
	if (r->o->has_explain)
		return explain(r);
	for (int k = 0; k < NPOLICIES; k++)
		if ((k == P_AGNOSTIC || r->o->want[k]) && run_policy(r, k))
			return -1;
	compare(r);
	if (r->o->json)
		print_json(stdout, r);
	else
		print_table(stdout, r);
	if (r->o->csv && write_csv(r->o->csv, r))
		return -1;
	if (r->o->svg && write_svg(r->o->svg, r))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct opts o;
	static struct run r;
	int rc;

	rc = opts_parse(argc, argv, &o);
	if (rc)
		return rc > 0 ? 0 : 2;
	if (o.gen_jobs)
		return gen_swf(stdout, &o) ? 1 : 0;
	progress_st.on = o.progress < 0 ? isatty(2) && !o.quiet : o.progress;
	r.o = &o;
	rc = load_traces(&r);
	if (!rc) {
		pick_start(&r, &o);
		rc = load_workload(&r);
	}
	if (!rc) {
		build_config(&r);
		rc = thresholds(&r);
	}
	if (!rc && !o.quiet && !o.has_explain)
		print_skips(stderr, &r);
	if (!rc)
		rc = simulate(&r);
	for (int k = 0; k < NPOLICIES; k++)
		free(r.res[k].out);
	carbon_sim_workload_release(&r.wl);
	free_traces(&r);
	return rc ? 1 : 0;
}
