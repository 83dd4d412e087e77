/*
 * carbon-sim.h: what the files of the carbon-sim program share.
 *
 * carbon-sim is an adapter: it reads files (SWF, gzip, CSV), parses the
 * command line, times itself and prints; every rule lives in libcarbonsim
 * (sim/: carbon/swf.h, carbon/sim*.h) and libcarbon (carbon/policy.h).
 *
 *   options.c   the command line
 *   spec.c      numbers and the --cluster spec
 *   help.c      --help
 *   input.c     reading the workload and the traces
 *   main.c      the run: policies in turn, metrics, progress line
 *   output.c    table, --json, --csv
 *   svg.c       --svg
 *   explain.c   --explain
 *   synth.c     --gen-swf, a synthetic workload for benchmarks
 */
#ifndef CARBON_SIM_TOOL_H
#define CARBON_SIM_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "carbon/policy.h"
#include "carbon/series.h"
#include "carbon/sim.h"
#include "carbon/sim_policy.h"
#include "carbon/sim_workload.h"

enum policy_id { P_AGNOSTIC = 0, P_CARBON, P_THRESHOLD, P_ORACLE, NPOLICIES };

struct cluster_spec {
	const char *name;
	uint32_t cores;
	double pue;
	double w_per_core;
	const char *trace;
	const char *time_col;
	const char *value_col;
	const char *estimated_col; /* NULL: none */
	enum carbon_signal signal;
	enum carbon_basis basis;
	double fallback; /* < 0: the trace's mean */
};

struct opts {
	const char *workload;
	struct cluster_spec clusters[CARBON_SIM_MAX_CLUSTERS];
	size_t nclusters;
	bool has_start;
	int64_t start;
	bool want[NPOLICIES];
	struct carbon_sim_workload_options wl; /* cores filled later */
	size_t bf_depth;
	struct carbon_sim_forecast fc;
	struct carbon_policy_params params;
	double th_low, th_high; /* < 0: the terciles of each trace */
	struct carbon_sim_eco eco;
	bool json;
	const char *csv;
	const char *svg;
	const char *svg_policy;
	const char *label;
	bool has_explain;
	int64_t explain_id;
	bool strict;
	int progress; /* -1: when stderr is a terminal */
	bool quiet;
	/* --gen-swf */
	size_t gen_jobs;
	double gen_days;
	uint32_t gen_cores;
	double gen_load;
};

/* A loaded cluster: the spec, its trace, what the trace's report said. */
struct cluster_data {
	carbon_series *trace;
	double mean;
	int64_t t0, t1;
};

/* The run's results for one policy. */
struct policy_result {
	bool ran;
	struct carbon_sim_outcome *out;
	struct carbon_sim_metrics m;
	double savings_pct;
	double oracle_share_pct; /* < 0: unknown */
	double seconds;		 /* wall time */
};

struct run {
	const struct opts *o;
	struct carbon_sim_config cfg;
	struct carbon_sim_cluster clusters[CARBON_SIM_MAX_CLUSTERS];
	struct cluster_data data[CARBON_SIM_MAX_CLUSTERS];
	struct carbon_sim_workload wl;
	size_t swf_lines_bad;
	struct policy_result res[NPOLICIES];
	size_t carbon_decisions, carbon_no_data;
	double th_low[CARBON_SIM_MAX_CLUSTERS],
		th_high[CARBON_SIM_MAX_CLUSTERS];
};

extern const char *const policy_names[NPOLICIES];

/* options.c: 0, or 1 after --help/--version (exit 0), or -1 after an
 * error was printed (exit 2). */
int opts_parse(int argc, char **argv, struct opts *o);

/* help.c */
extern const char help_text[];

/* spec.c: each prints its complaint and returns -1, or returns 0. */
int usage_error(const char *fmt, ...) CARBON_PRINTF(1, 2);
int parse_double(const char *name, const char *s, double lo, double hi,
		 double *v);
int parse_u64(const char *name, const char *s, uint64_t lo, uint64_t hi,
	      uint64_t *v);
/* Split spec in place (argv strings are writable) into *c. */
int parse_cluster(char *spec, struct cluster_spec *c);

/* input.c */
int read_file(const char *path, size_t max, char **buf, size_t *len, char *err,
	      size_t errlen);
int load_traces(struct run *r);
int load_workload(struct run *r);
void free_traces(struct run *r);

/* output.c */
void print_table(FILE *f, const struct run *r);
void print_json(FILE *f, const struct run *r);
int write_csv(const char *path, const struct run *r);
void print_skips(FILE *f, const struct run *r);
void fmt_utc(int64_t t, char *buf, size_t len);
void json_str(FILE *f, const char *s);

/* svg.c */
int write_svg(const char *path, const struct run *r);

/* explain.c */
struct explain {
	int64_t id;
	bool found;
	FILE *f;
};
void explain_decided(void *ctx, size_t index, const struct carbon_sim_job *job,
		     const struct carbon_policy_params *params,
		     const struct carbon_policy_cluster *clusters, size_t n,
		     const struct carbon_policy_job *pj,
		     const struct carbon_policy_decision *d);

/* synth.c */
int gen_swf(FILE *f, const struct opts *o);

/* main.c */
void progress(void *ctx, const char *phase, size_t done, size_t total);

#endif
