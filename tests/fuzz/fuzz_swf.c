/*
 * libFuzzer target for carbon/swf.h and the simulator behind it: any bytes
 * are read line by line (every failure a negative code with a "line N: "
 * message, the reader always advancing), every job read has fields of -1
 * or 0..CARBON_SWF_VALUE_MAX, and the first jobs are then replayed on two
 * small clusters under every policy (agnostic, oracle, threshold, and
 * libcarbon's with a noisy forecast): every job runs, no earlier than its
 * submission, for exactly its run time, and no cluster ever holds more
 * cores than it has.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/sim.h"
#include "carbon/sim_policy.h"
#include "carbon/sim_workload.h"
#include "carbon/swf.h"

#define MAX_JOBS 48

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_field(int64_t v)
{
	if (v < -1 || v > CARBON_SWF_VALUE_MAX)
		abort();
}

static void check_job(const struct carbon_swf_job *j)
{
	int64_t f[] = {j->id,	       j->submit,    j->wait,	  j->run,
		       j->alloc_procs, j->req_procs, j->req_time, j->status,
		       j->user,	       j->group,     j->app,	  j->queue,
		       j->partition,   j->preceding, j->think};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		check_field(f[i]);
	if (!(j->avg_cpu >= -1) || !(j->used_mem >= -1) || !(j->req_mem >= -1))
		abort();
}

static void check_run(const struct carbon_sim_config *cfg,
		      const struct carbon_sim_outcome *o)
{
	for (size_t i = 0; i < cfg->njobs; i++) {
		const struct carbon_sim_job *j = &cfg->jobs[i];
		uint64_t used = 0;

		if (o[i].start < j->submit || o[i].end - o[i].start != j->run ||
		    o[i].cluster >= cfg->nclusters || !(o[i].g >= 0))
			abort();
		for (size_t k = 0; k < cfg->njobs; k++)
			if (o[k].cluster == o[i].cluster &&
			    o[k].start <= o[i].start && o[k].end > o[i].start)
				used += cfg->jobs[k].cores;
		if (used > cfg->clusters[o[i].cluster].cores)
			abort();
	}
}

/* The carbon policy (noisy forecast) and the threshold rule. */
static void other_policies(const struct carbon_sim_config *cfg,
			   const carbon_series *s, struct carbon_sim_outcome *o)
{
	struct carbon_policy_params pp = CARBON_POLICY_PARAMS_DEFAULTS;
	struct carbon_sim_forecast fc = {.kind = CARBON_SIM_FORECAST_TRACE,
					 .history = 3600,
					 .horizon = 3 * 3600,
					 .step = 3600,
					 .error = 0.2,
					 .seed = 1};
	double low[2] = {100, 100}, high[2] = {250, 250};
	struct carbon_sim_threshold th = {cfg, low, high};
	struct carbon_sim_policy p = carbon_sim_threshold_port(&th);
	carbon_sim_carbon *cp;

	(void)s;
	if (carbon_sim_run(cfg, &p, o, NULL, 0))
		abort();
	check_run(cfg, o);
	cp = carbon_sim_carbon_new(cfg, &pp, &fc, false, NULL, NULL, 0);
	if (!cp)
		abort();
	p = carbon_sim_carbon_port(cp);
	if (carbon_sim_run(cfg, &p, o, NULL, 0))
		abort();
	check_run(cfg, o);
	carbon_sim_carbon_free(cp);
}

static void simulate(struct carbon_sim_workload *w)
{
	static const double v[] = {300, 100, 250, 50, 400, 120};
	struct carbon_series_meta m = {.signal = CARBON_SIGNAL_AVERAGE,
				       .basis = CARBON_BASIS_LIFECYCLE};
	carbon_series *s = carbon_series_new(&m, NULL);
	struct carbon_sim_cluster c[2];
	struct carbon_sim_config cfg = {.clusters = c, .nclusters = 2};
	struct carbon_sim_outcome *o = calloc(w->n + 1, sizeof(*o));
	struct carbon_sim_policy p = carbon_sim_agnostic_port();

	if (!s || !o)
		abort();
	for (size_t i = 0; i < 6; i++) {
		struct carbon_series_point pt = {.t = (int64_t)i * 3600,
						 .value = v[i]};

		if (carbon_series_append(s, &pt, NULL, 0))
			abort();
	}
	for (int k = 0; k < 2; k++) {
		memset(&c[k], 0, sizeof(c[k]));
		c[k].cores = k ? 16 : 8;
		c[k].power.w_per_core = 10;
		c[k].power.pue = 1.2;
		c[k].trace = s;
		c[k].fallback_intensity = 475;
	}
	cfg.jobs = w->jobs;
	cfg.njobs = w->n;
	cfg.eco.power = cfg.eco.slowdown = 1;
	cfg.bf_depth = 3;
	if (carbon_sim_run(&cfg, &p, o, NULL, 0))
		abort();
	check_run(&cfg, o);
	if (carbon_sim_oracle_run(&cfg, o, NULL, 0))
		abort();
	check_run(&cfg, o);
	other_policies(&cfg, s, o);
	free(o);
	carbon_series_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t cores[] = {8, 16};
	struct carbon_sim_workload_options opt = {
		.time_scale = 1,
		.size_scale = 1,
		.flexible_fraction = 0.5,
		.critical_fraction = 0.2,
		.max_delay = 7200,
		.max_jobs = MAX_JOBS,
		.cores = cores,
		.nclusters = 2,
	};
	struct carbon_swf_reader r;
	struct carbon_sim_workload w;
	struct carbon_swf_job j;
	char err[256];
	size_t last = 0;
	bool got = true;

	if (carbon_sim_workload_init(&w, &opt, NULL, NULL, 0))
		abort();
	carbon_swf_reader_init(&r, (const char *)data, size);
	while (got) {
		int rc = carbon_swf_next(&r, &j, &got, err, sizeof(err));

		if (r.line < last || (rc == 0 && got && r.line == last))
			abort();
		last = r.line;
		if (rc) {
			if (rc < CARBON_ERROR_LAST || strncmp(err, "line ", 5))
				abort();
			got = true;
			continue;
		}
		if (!got)
			break;
		check_job(&j);
		/* keep replays short: only small, short jobs */
		if (j.run > 100000)
			j.run = 1 + j.run % 100000;
		if (j.submit > 1000000)
			j.submit %= 1000000;
		if (carbon_sim_workload_add(&w, &j, NULL, 0))
			abort();
	}
	if (r.pos != size)
		abort();
	carbon_sim_workload_finish(&w);
	if (w.n)
		simulate(&w);
	carbon_sim_workload_release(&w);
	return 0;
}
