/*
 * explain.c: --explain JOBID, the carbon policy's inputs and decision for
 * one job as JSON, exactly as carbon_policy_decide() got and gave them, so
 * a test can feed the same snapshot and job to the job_submit plugin and
 * compare.  Times are seconds since the epoch.
 */
#include "carbon-sim.h"

static void jnum(FILE *f, const char *key, double v, bool last)
{
	fprintf(f, "\"%s\": %.17g%s", key, v, last ? "" : ", ");
}

static void jint(FILE *f, const char *key, long long v, bool last)
{
	fprintf(f, "\"%s\": %lld%s", key, v, last ? "" : ", ");
}

static void jbool(FILE *f, const char *key, bool v, bool last)
{
	fprintf(f, "\"%s\": %s%s", key, v ? "true" : "false", last ? "" : ", ");
}

static void print_series(FILE *f, const carbon_series *s)
{
	const struct carbon_series_meta *m = carbon_series_meta_peek(s);
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);

	if (!s) {
		fprintf(f, "null");
		return;
	}
	fprintf(f,
		"{\"signal\": \"%s\", \"basis\": \"%s\", \"origin\": \"%s\", ",
		carbon_signal_name(m->signal), carbon_basis_name(m->basis),
		carbon_series_origin_name(m->origin));
	fprintf(f, "\"source\": ");
	json_str(f, m->source);
	fprintf(f, ", ");
	jint(f, "fetched_at", m->fetched_at, false);
	jint(f, "default_span", m->default_span, false);
	fprintf(f, "\"points\": [");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s\n        [%lld, %.17g, %s, %s]", i ? "," : "",
			(long long)p[i].t, p[i].value,
			p[i].is_forecast ? "true" : "false",
			p[i].is_estimated ? "true" : "false");
	fprintf(f, "]}");
}

static void print_params(FILE *f, const struct carbon_policy_params *p)
{
	fprintf(f, "  \"params\": {\"signal\": \"%s\", \"basis\": \"%s\", ",
		carbon_signal_name(p->signal), carbon_basis_name(p->basis));
	jnum(f, "min_saving_pct", p->min_saving_pct, false);
	jnum(f, "hysteresis_pct", p->hysteresis_pct, false);
	jnum(f, "sibling_slack_pct", p->sibling_slack_pct, false);
	jnum(f, "eco_threshold", p->eco_threshold, false);
	jint(f, "flexible_max_delay", p->flexible_max_delay, true);
	fprintf(f, "},\n");
}

static void print_clusters(FILE *f, const struct carbon_policy_cluster *c,
			   size_t n)
{
	fprintf(f, "  \"clusters\": [");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_str(f, c[i].name);
		fprintf(f, ", ");
		jbool(f, "stale", c[i].stale, false);
		jnum(f, "fallback_intensity", c[i].fallback_intensity, false);
		fprintf(f, "\"power\": {");
		jnum(f, "w_per_core", c[i].power.w_per_core, false);
		jnum(f, "w_per_gpu", c[i].power.w_per_gpu, false);
		jnum(f, "w_per_gb", c[i].power.w_per_gb, false);
		jnum(f, "pue", c[i].power.pue, true);
		fprintf(f, "}, ");
		jbool(f, "has_eco", c[i].has_eco, false);
		fprintf(f, "\"series\": ");
		print_series(f, c[i].series);
		fprintf(f, "}");
	}
	fprintf(f, "],\n");
}

static void print_pjob(FILE *f, const struct carbon_policy_job *j)
{
	fprintf(f, "  \"policy_job\": {\"urgency\": \"%s\", ",
		carbon_tags_urgency_name(j->urgency));
	jint(f, "now", j->now, false);
	jint(f, "runtime", j->runtime, false);
	jbool(f, "has_latest_start", j->has_latest_start, false);
	jint(f, "latest_start", j->latest_start, false);
	fprintf(f, "\"usage\": {");
	jnum(f, "cores", j->usage.cores, false);
	jnum(f, "cpu_usage", j->usage.cpu_usage, false);
	jnum(f, "gpus", j->usage.gpus, false);
	jnum(f, "gpu_usage", j->usage.gpu_usage, false);
	jnum(f, "mem_gb", j->usage.mem_gb, true);
	fprintf(f, "}, ");
	jint(f, "origin", (long long)j->origin, false);
	jint(f, "allowed", (long long)j->allowed, false);
	jbool(f, "has_plan", j->has_plan, true);
	fprintf(f, "},\n");
}

static void print_per_cluster(FILE *f, const char *key, const double *v,
			      size_t n)
{
	fprintf(f, "\"%s\": [", key);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%.17g", i ? ", " : "", v[i]);
	fprintf(f, "], ");
}

static void print_decision(FILE *f, const struct carbon_policy_decision *d,
			   const struct carbon_policy_cluster *c, size_t n)
{
	fprintf(f, "  \"decision\": {\"ranking\": [");
	for (size_t i = 0; i < d->nranked; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_str(f, c[d->ranking[i]].name);
	}
	fprintf(f, "], ");
	print_per_cluster(f, "cost_g", d->cost_g, n);
	print_per_cluster(f, "now_g", d->now_g, n);
	fprintf(f, "\"start\": [");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%lld", i ? ", " : "", (long long)d->start[i]);
	fprintf(f, "], \"chosen\": ");
	json_str(f, c[d->chosen].name);
	fprintf(f, ", \"siblings\": [");
	for (size_t i = 0, k = 0; i < n; i++)
		if (d->siblings >> i & 1) {
			fprintf(f, "%s", k++ ? ", " : "");
			json_str(f, c[i].name);
		}
	fprintf(f, "], ");
	jint(f, "begin", d->begin, false);
	jbool(f, "deferred", d->deferred, false);
	fprintf(f, "\"mode\": \"%s\", ", carbon_policy_mode_name(d->mode));
	jnum(f, "expected_g", d->expected_g, false);
	jnum(f, "baseline_g", d->baseline_g, false);
	jnum(f, "intensity", d->intensity, false);
	fprintf(f, "\"quality\": \"%s\", ",
		carbon_policy_quality_name(d->quality));
	jbool(f, "changed", d->changed, false);
	fprintf(f, "\"reason\": ");
	json_str(f, d->reason);
	fprintf(f, "}\n");
}

void explain_decided(void *ctx, size_t index, const struct carbon_sim_job *job,
		     const struct carbon_policy_params *params,
		     const struct carbon_policy_cluster *clusters, size_t n,
		     const struct carbon_policy_job *pj,
		     const struct carbon_policy_decision *d)
{
	struct explain *ex = ctx;
	FILE *f = ex->f;

	(void)index;
	if (job->id != ex->id || ex->found)
		return;
	ex->found = true;
	fprintf(f, "{\n  \"job\": {");
	jint(f, "id", job->id, false);
	jint(f, "line", (long long)job->line, false);
	jint(f, "submit", job->submit, false);
	jint(f, "run", job->run, false);
	jint(f, "req", job->req, false);
	jint(f, "cores", job->cores, false);
	fprintf(f, "\"urgency\": \"%s\", \"origin\": ",
		carbon_tags_urgency_name(job->urgency));
	json_str(f, clusters[job->origin].name);
	fprintf(f, ", ");
	jint(f, "deadline", job->deadline, true);
	fprintf(f, "},\n");
	print_params(f, params);
	print_pjob(f, pj);
	print_clusters(f, clusters, n);
	print_decision(f, d, clusters, n);
	fprintf(f, "}\n");
}
