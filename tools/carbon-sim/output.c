/*
 * output.c: carbon-sim's table, --json and --csv.
 *
 * The JSON keeps one policy per line and the run's settings on one line,
 * so tools/carbon-sim/report.sh can read it with awk (Debian's base has
 * no JSON tool); any JSON parser reads it too.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon-sim.h"

void fmt_utc(int64_t t, char *buf, size_t len)
{
	struct tm tm;

	if (carbon_time_to_utc_tm(t, &tm))
		snprintf(buf, len, "%lld", (long long)t);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min);
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* A duration for people: 42 s, 3.5 min, 2.1 h, 1.3 d. */
static const char *human(double s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%.0f s", s);
	else if (s < 3600)
		snprintf(buf, len, "%.1f min", s / 60);
	else if (s < 86400)
		snprintf(buf, len, "%.1f h", s / 3600);
	else
		snprintf(buf, len, "%.1f d", s / 86400);
	return buf;
}

void print_skips(FILE *f, const struct run *r)
{
	size_t total = carbon_sim_workload_skipped(&r->wl);

	fprintf(f, "carbon-sim: %s: %zu jobs simulated, %zu skipped",
		r->o->workload, r->wl.n, total);
	if (!total) {
		fputc('\n', f);
		return;
	}
	fputs(":", f);
	for (int i = 0; i < CARBON_SIM_SKIP_COUNT; i++)
		if (r->wl.skipped[i])
			fprintf(f, " %zu %s (first at line %zu);",
				r->wl.skipped[i],
				carbon_sim_skip_name((enum carbon_sim_skip)i),
				r->wl.first_line[i]);
	fputc('\n', f);
}

static void table_header(FILE *f, const struct run *r)
{
	const struct carbon_sim_metrics *m = &r->res[P_AGNOSTIC].m;
	char a[32], b[32];

	fmt_utc(r->wl.jobs[0].submit, a, sizeof(a));
	fmt_utc(m->last_end, b, sizeof(b));
	fprintf(f, "%zu jobs (%zu skipped) on %zu cluster%s, %s .. %s\n",
		r->wl.n, carbon_sim_workload_skipped(&r->wl), r->o->nclusters,
		r->o->nclusters == 1 ? "" : "s", a, b);
	for (size_t c = 0; c < r->o->nclusters; c++)
		fprintf(f,
			"  %-10s %6u cores  PUE %.2f  mean %.0f gCO2eq/kWh\n",
			r->clusters[c].name, r->clusters[c].cores,
			r->clusters[c].power.pue, r->data[c].mean);
	fprintf(f,
		"\n%-10s %10s %10s %8s %8s %9s %9s %9s %9s %10s %6s %6s %6s\n",
		"policy", "energy", "CO2e", "savings", "oracle", "wait", "wait",
		"nonflex", "nonflex", "deadline", "moved", "defer", "eco");
	fprintf(f, "%-10s %10s %10s %8s %8s %9s %9s %9s %9s %10s %6s %6s %6s\n",
		"", "kWh", "kg", "%", "share %", "mean", "p95", "mean", "p95",
		"miss c/n/f", "", "", "");
}

void print_table(FILE *f, const struct run *r)
{
	table_header(f, r);
	for (int k = 0; k < NPOLICIES; k++) {
		const struct policy_result *p = &r->res[k];
		const struct carbon_sim_metrics *m = &p->m;
		char w1[16], w2[16], w3[16], w4[16], share[16], miss[32];

		if (!p->ran || (k == P_AGNOSTIC && !r->o->want[k]))
			continue;
		if (p->oracle_share_pct < 0)
			snprintf(share, sizeof(share), "-");
		else
			snprintf(share, sizeof(share), "%.1f",
				 p->oracle_share_pct);
		snprintf(miss, sizeof(miss), "%zu/%zu/%zu",
			 m->misses_by_urgency[CARBON_URGENCY_CRITICAL],
			 m->misses_by_urgency[CARBON_URGENCY_NORMAL],
			 m->misses_by_urgency[CARBON_URGENCY_FLEXIBLE]);
		fprintf(f,
			"%-10s %10.1f %10.2f %8.2f %8s %9s %9s %9s %9s %10s "
			"%6zu %6zu %6zu\n",
			policy_names[k], m->energy_kwh, m->emissions_kg,
			p->savings_pct, share,
			human(m->wait_mean_s, w1, sizeof(w1)),
			human(m->wait_p95_s, w2, sizeof(w2)),
			human(m->nonflex_wait_mean_s, w3, sizeof(w3)),
			human(m->nonflex_wait_p95_s, w4, sizeof(w4)), miss,
			m->jobs_moved, m->jobs_deferred, m->jobs_eco);
	}
	if (r->res[P_CARBON].ran && r->res[P_CARBON].m.jobs_released)
		fprintf(f,
			"\ncarbon: %zu jobs were still waiting at their latest "
			"start and were released to every allowed cluster\n",
			r->res[P_CARBON].m.jobs_released);
	if (r->res[P_CARBON].ran && r->carbon_no_data)
		fprintf(f,
			"\ncarbon: %zu of %zu decisions had fallback or no "
			"forecast data\n",
			r->carbon_no_data, r->carbon_decisions);
	for (int k = 0; k < NPOLICIES; k++)
		if (r->res[k].ran && r->res[k].m.outside_trace)
			fprintf(f,
				"%s: %zu jobs ran partly outside a trace "
				"(priced at the fallback intensity)\n",
				policy_names[k], r->res[k].m.outside_trace);
}

static void json_policy(FILE *f, const struct policy_result *p)
{
	const struct carbon_sim_metrics *m = &p->m;

	fprintf(f,
		"{\"energy_kwh\": %.3f, \"emissions_kg\": %.3f, "
		"\"savings_pct\": %.3f, ",
		m->energy_kwh, m->emissions_kg, p->savings_pct);
	if (p->oracle_share_pct < 0)
		fprintf(f, "\"oracle_share_pct\": null, ");
	else
		fprintf(f, "\"oracle_share_pct\": %.2f, ", p->oracle_share_pct);
	fprintf(f,
		"\"wait_mean_s\": %.1f, \"wait_p95_s\": %.0f, "
		"\"nonflex_wait_mean_s\": %.1f, \"nonflex_wait_p95_s\": %.0f, "
		"\"deadline_misses\": %zu, \"deadline_misses_by_urgency\": "
		"{\"critical\": %zu, \"normal\": %zu, \"flexible\": %zu}, "
		"\"jobs_moved\": %zu, \"jobs_deferred\": %zu, \"jobs_eco\": "
		"%zu, \"jobs_released\": %zu, \"outside_trace\": %zu}",
		m->wait_mean_s, m->wait_p95_s, m->nonflex_wait_mean_s,
		m->nonflex_wait_p95_s, m->deadline_misses,
		m->misses_by_urgency[CARBON_URGENCY_CRITICAL],
		m->misses_by_urgency[CARBON_URGENCY_NORMAL],
		m->misses_by_urgency[CARBON_URGENCY_FLEXIBLE], m->jobs_moved,
		m->jobs_deferred, m->jobs_eco, m->jobs_released,
		m->outside_trace);
}

static void json_config(FILE *f, const struct run *r)
{
	const struct opts *o = r->o;
	char start[32];

	fmt_utc(o->start, start, sizeof(start));
	fprintf(f, "  \"config\": {\"clusters\": [");
	for (size_t c = 0; c < o->nclusters; c++) {
		fprintf(f, "%s{\"name\": ", c ? ", " : "");
		json_str(f, o->clusters[c].name);
		fprintf(f,
			", \"cores\": %u, \"pue\": %.3f, \"mean_gco2_kwh\": "
			"%.1f}",
			o->clusters[c].cores, o->clusters[c].pue,
			r->data[c].mean);
	}
	fprintf(f,
		"], \"start\": \"%s\", \"flexible_fraction\": %.3f, "
		"\"critical_fraction\": %.3f, \"max_delay_s\": %lld, "
		"\"seed\": %llu, \"forecast\": \"%s\", \"forecast_error_pct\": "
		"%.2f, \"bf_depth\": %zu},\n",
		start, o->wl.flexible_fraction, o->wl.critical_fraction,
		(long long)o->wl.max_delay, (unsigned long long)o->wl.seed,
		o->fc.kind == CARBON_SIM_FORECAST_SEASONAL ? "seasonal"
							   : "trace",
		o->fc.error * 100,
		o->bf_depth ? o->bf_depth : CARBON_SIM_BF_DEPTH_DEFAULT);
}

void print_json(FILE *f, const struct run *r)
{
	bool first = true;

	fprintf(f, "{\n  \"label\": ");
	json_str(f, r->o->label ? r->o->label : "");
	fprintf(f, ",\n");
	json_config(f, r);
	fprintf(f, "  \"policies\": {\n");
	for (int k = 0; k < NPOLICIES; k++) {
		if (!r->res[k].ran || !r->o->want[k])
			continue;
		fprintf(f, "%s    \"%s\": ", first ? "" : ",\n",
			policy_names[k]);
		json_policy(f, &r->res[k]);
		first = false;
	}
	fprintf(f,
		"\n  },\n  \"jobs\": %zu,\n  \"skipped\": %zu,\n"
		"  \"skipped_by_reason\": {",
		r->wl.n, carbon_sim_workload_skipped(&r->wl));
	first = true;
	for (int i = 0; i < CARBON_SIM_SKIP_COUNT; i++) {
		if (!r->wl.skipped[i])
			continue;
		fprintf(f, "%s", first ? "" : ", ");
		json_str(f, carbon_sim_skip_name((enum carbon_sim_skip)i));
		fprintf(f, ": %zu", r->wl.skipped[i]);
		first = false;
	}
	fprintf(f, "},\n  \"carbon_decisions_without_forecast\": %zu\n}\n",
		r->carbon_no_data);
}

static const char *const urgency_names[] = {"normal", "critical", "flexible"};

int write_csv(const char *path, const struct run *r)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return -1;
	}
	fprintf(f, "policy,job,line,urgency,cores,origin,cluster,submit,begin,"
		   "start,end,wait_s,run_s,kwh,g_co2e,deferred,moved,eco,"
		   "deadline_missed\n");
	for (int k = 0; k < NPOLICIES; k++) {
		const struct carbon_sim_outcome *out = r->res[k].out;

		if (!r->res[k].ran || !r->o->want[k])
			continue;
		for (size_t i = 0; i < r->wl.n; i++) {
			const struct carbon_sim_job *j = &r->wl.jobs[i];
			const struct carbon_sim_outcome *o = &out[i];

			fprintf(f,
				"%s,%lld,%zu,%s,%u,%s,%s,%lld,%lld,%lld,%lld,"
				"%lld,%lld,%.6f,%.3f,%d,%d,%d,%d\n",
				policy_names[k], (long long)j->id, j->line,
				urgency_names[j->urgency], j->cores,
				r->clusters[j->origin].name,
				r->clusters[o->cluster].name,
				(long long)j->submit, (long long)o->begin,
				(long long)o->start, (long long)o->end,
				(long long)(o->start - j->submit),
				(long long)(o->end - o->start), o->kwh, o->g,
				o->deferred, o->moved, o->eco,
				o->end > j->deadline);
		}
	}
	if (fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}
