/*
 * options.c: carbon-sim's command line and its --help.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon-sim.h"
#include "carbon/duration.h"
#include "carbon/timeparse.h"

#define VERSION "0.1"

const char *const policy_names[NPOLICIES] = {"agnostic", "carbon", "threshold",
					     "oracle"};

enum {
	O_WORKLOAD = 256,
	O_CLUSTER,
	O_START,
	O_POLICY,
	O_FLEX,
	O_CRIT,
	O_MAXDELAY,
	O_SEED,
	O_ORIGIN,
	O_TSCALE,
	O_SSCALE,
	O_MAXJOBS,
	O_DEFTIME,
	O_BFDEPTH,
	O_FORECAST,
	O_FERR,
	O_FHORIZON,
	O_FHISTORY,
	O_FSTEP,
	O_SDAYS,
	O_MINSAVE,
	O_SLACK,
	O_ECOTH,
	O_THLOW,
	O_THHIGH,
	O_ECOPOW,
	O_ECOSLOW,
	O_JSON,
	O_CSV,
	O_SVG,
	O_SVGPOL,
	O_LABEL,
	O_EXPLAIN,
	O_STRICT,
	O_PROGRESS,
	O_NOPROGRESS,
	O_GEN,
	O_GENDAYS,
	O_GENCORES,
	O_GENLOAD,
	O_VERSION,
};

static const struct option longopts[] = {
	{"workload", required_argument, NULL, O_WORKLOAD},
	{"cluster", required_argument, NULL, O_CLUSTER},
	{"start", required_argument, NULL, O_START},
	{"policy", required_argument, NULL, O_POLICY},
	{"flexible-fraction", required_argument, NULL, O_FLEX},
	{"critical-fraction", required_argument, NULL, O_CRIT},
	{"max-delay", required_argument, NULL, O_MAXDELAY},
	{"seed", required_argument, NULL, O_SEED},
	{"origin", required_argument, NULL, O_ORIGIN},
	{"time-scale", required_argument, NULL, O_TSCALE},
	{"size-scale", required_argument, NULL, O_SSCALE},
	{"max-jobs", required_argument, NULL, O_MAXJOBS},
	{"default-time", required_argument, NULL, O_DEFTIME},
	{"bf-depth", required_argument, NULL, O_BFDEPTH},
	{"forecast", required_argument, NULL, O_FORECAST},
	{"forecast-error", required_argument, NULL, O_FERR},
	{"forecast-horizon", required_argument, NULL, O_FHORIZON},
	{"forecast-history", required_argument, NULL, O_FHISTORY},
	{"forecast-step", required_argument, NULL, O_FSTEP},
	{"seasonal-days", required_argument, NULL, O_SDAYS},
	{"min-saving", required_argument, NULL, O_MINSAVE},
	{"sibling-slack", required_argument, NULL, O_SLACK},
	{"eco-threshold", required_argument, NULL, O_ECOTH},
	{"threshold-low", required_argument, NULL, O_THLOW},
	{"threshold-high", required_argument, NULL, O_THHIGH},
	{"eco-power", required_argument, NULL, O_ECOPOW},
	{"eco-slowdown", required_argument, NULL, O_ECOSLOW},
	{"json", no_argument, NULL, O_JSON},
	{"csv", required_argument, NULL, O_CSV},
	{"svg", required_argument, NULL, O_SVG},
	{"svg-policy", required_argument, NULL, O_SVGPOL},
	{"label", required_argument, NULL, O_LABEL},
	{"explain", required_argument, NULL, O_EXPLAIN},
	{"strict", no_argument, NULL, O_STRICT},
	{"progress", no_argument, NULL, O_PROGRESS},
	{"no-progress", no_argument, NULL, O_NOPROGRESS},
	{"quiet", no_argument, NULL, 'q'},
	{"gen-swf", required_argument, NULL, O_GEN},
	{"gen-days", required_argument, NULL, O_GENDAYS},
	{"gen-cores", required_argument, NULL, O_GENCORES},
	{"gen-load", required_argument, NULL, O_GENLOAD},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, O_VERSION},
	{NULL, 0, NULL, 0},
};

static int parse_dur(const char *name, const char *s, int64_t max, int64_t *v)
{
	char err[256];

	if (carbon_duration_parse(s, name, max, v, err, sizeof(err)))
		return usage_error("%s", err);
	return 0;
}

static int parse_policies(const char *s, bool *want)
{
	char buf[128];
	char *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return usage_error("--policy: \"%s\" is too long", s);
	strcpy(buf, s);
	memset(want, 0, NPOLICIES * sizeof(*want));
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int k;

		if (!strcmp(tok, "all")) {
			for (k = 0; k < NPOLICIES; k++)
				want[k] = true;
			continue;
		}
		for (k = 0; k < NPOLICIES; k++)
			if (!strcmp(tok, policy_names[k]))
				break;
		if (k == NPOLICIES)
			return usage_error("--policy: unknown policy \"%s\" "
					   "(agnostic, carbon, threshold, "
					   "oracle, all)",
					   tok);
		want[k] = true;
	}
	return 0;
}

static void defaults(struct opts *o)
{
	struct carbon_policy_params p = CARBON_POLICY_PARAMS_DEFAULTS;

	memset(o, 0, sizeof(*o));
	for (int k = 0; k < NPOLICIES; k++)
		o->want[k] = true;
	o->wl.time_scale = 1.0;
	o->wl.size_scale = 1.0;
	o->wl.flexible_fraction = 0.5;
	o->wl.max_delay = 86400;
	o->wl.seed = 1;
	o->fc.kind = CARBON_SIM_FORECAST_TRACE;
	o->fc.history = 86400;
	o->fc.horizon = 72 * 3600;
	o->fc.step = 3600;
	o->fc.seasonal_days = 7;
	o->params = p;
	o->th_low = o->th_high = -1;
	o->eco.power = 0.8;
	o->eco.slowdown = 1.15;
	o->svg_policy = "carbon";
	o->progress = -1;
	o->gen_days = 365;
	o->gen_cores = 128;
	o->gen_load = 0.6;
}

static int parse_start(const char *s, struct opts *o)
{
	char err[256];

	if (carbon_timeparse_iso(s, strlen(s), CARBON_TIMEPARSE_ISO_TRACE,
				 &o->start, err, sizeof(err)))
		return usage_error("--start: %s (use e.g. 2023-03-01T00:00Z)",
				   err);
	o->has_start = true;
	return 0;
}

static int parse_forecast(const char *s, struct opts *o)
{
	if (!strcmp(s, "trace"))
		o->fc.kind = CARBON_SIM_FORECAST_TRACE;
	else if (!strcmp(s, "seasonal"))
		o->fc.kind = CARBON_SIM_FORECAST_SEASONAL;
	else
		return usage_error("--forecast: \"%s\" is not trace or "
				   "seasonal",
				   s);
	return 0;
}

static int parse_origin(const char *s, struct opts *o)
{
	static const char *const names[] = {"rr", "queue", "partition",
					    "random"};

	for (int k = 0; k < 4; k++) {
		if (!strcmp(s, names[k])) {
			o->wl.origin = (enum carbon_sim_origin_rule)k;
			return 0;
		}
	}
	if (!strcmp(s, "round-robin")) {
		o->wl.origin = CARBON_SIM_ORIGIN_ROUND_ROBIN;
		return 0;
	}
	return usage_error("--origin: \"%s\" is not rr, queue, partition or "
			   "random",
			   s);
}

/* One option that takes a number or a duration. */
static int numeric(int c, const char *a, struct opts *o)
{
	const int64_t month = CARBON_MAX_DELAY_LIMIT;
	uint64_t u;
	double d;
	int rc = 0;

	switch (c) {
	case O_FLEX:
		return parse_double("--flexible-fraction", a, 0, 1,
				    &o->wl.flexible_fraction);
	case O_CRIT:
		return parse_double("--critical-fraction", a, 0, 1,
				    &o->wl.critical_fraction);
	case O_MAXDELAY:
		return parse_dur("--max-delay", a, month, &o->wl.max_delay);
	case O_SEED:
		return parse_u64("--seed", a, 0, UINT64_MAX, &o->wl.seed);
	case O_TSCALE:
		return parse_double("--time-scale", a, 1e-6, 1000,
				    &o->wl.time_scale);
	case O_SSCALE:
		return parse_double("--size-scale", a, 1e-6, 1000,
				    &o->wl.size_scale);
	case O_MAXJOBS:
		rc = parse_u64("--max-jobs", a, 1, CARBON_SIM_MAX_JOBS, &u);
		o->wl.max_jobs = (size_t)u;
		return rc;
	case O_DEFTIME:
		return parse_dur("--default-time", a, 100 * month,
				 &o->wl.default_req);
	case O_BFDEPTH:
		rc = parse_u64("--bf-depth", a, 1, 1000000, &u);
		o->bf_depth = (size_t)u;
		return rc;
	case O_FERR:
		rc = parse_double("--forecast-error", a, 0, 100, &d);
		o->fc.error = d / 100.0;
		return rc;
	case O_FHORIZON:
		return parse_dur("--forecast-horizon", a, month,
				 &o->fc.horizon);
	case O_FHISTORY:
		return parse_dur("--forecast-history", a, month,
				 &o->fc.history);
	case O_FSTEP:
		return parse_dur("--forecast-step", a, 86400, &o->fc.step);
	case O_SDAYS:
		rc = parse_u64("--seasonal-days", a, 1,
			       CARBON_SERIES_FORECAST_DAYS_MAX, &u);
		o->fc.seasonal_days = (int)u;
		return rc;
	case O_MINSAVE:
		return parse_double("--min-saving", a, 0, 100,
				    &o->params.min_saving_pct);
	case O_SLACK:
		return parse_double("--sibling-slack", a, 0, 1000,
				    &o->params.sibling_slack_pct);
	case O_ECOTH:
		return parse_double("--eco-threshold", a, 0,
				    CARBON_SERIES_VALUE_MAX,
				    &o->params.eco_threshold);
	case O_THLOW:
		return parse_double("--threshold-low", a, 0,
				    CARBON_SERIES_VALUE_MAX, &o->th_low);
	case O_THHIGH:
		return parse_double("--threshold-high", a, 0,
				    CARBON_SERIES_VALUE_MAX, &o->th_high);
	case O_ECOPOW:
		return parse_double("--eco-power", a, 0.01, 1, &o->eco.power);
	case O_ECOSLOW:
		return parse_double("--eco-slowdown", a, 1, 10,
				    &o->eco.slowdown);
	case O_EXPLAIN:
		rc = parse_u64("--explain", a, 0, INT64_MAX, &u);
		o->explain_id = (int64_t)u;
		o->has_explain = true;
		return rc;
	case O_GEN:
		rc = parse_u64("--gen-swf", a, 1, CARBON_SIM_MAX_JOBS, &u);
		o->gen_jobs = (size_t)u;
		return rc;
	case O_GENDAYS:
		return parse_double("--gen-days", a, 1, 3650, &o->gen_days);
	case O_GENCORES:
		rc = parse_u64("--gen-cores", a, 1, 1000000, &u);
		o->gen_cores = (uint32_t)u;
		return rc;
	case O_GENLOAD:
		return parse_double("--gen-load", a, 0.01, 10, &o->gen_load);
	}
	return usage_error("internal error: option %s", a);
}

static int one(int c, char *a, struct opts *o)
{
	switch (c) {
	case O_WORKLOAD:
		o->workload = a;
		return 0;
	case O_CLUSTER:
		if (o->nclusters == CARBON_SIM_MAX_CLUSTERS)
			return usage_error("--cluster: more than 64 "
					   "clusters");
		return parse_cluster(a, &o->clusters[o->nclusters++]);
	case O_START:
		return parse_start(a, o);
	case O_POLICY:
		return parse_policies(a, o->want);
	case O_ORIGIN:
		return parse_origin(a, o);
	case O_FORECAST:
		return parse_forecast(a, o);
	case O_JSON:
		o->json = true;
		return 0;
	case O_CSV:
		o->csv = a;
		return 0;
	case O_SVG:
		o->svg = a;
		return 0;
	case O_SVGPOL:
		o->svg_policy = a;
		return 0;
	case O_LABEL:
		o->label = a;
		return 0;
	case O_STRICT:
		o->strict = true;
		return 0;
	case O_PROGRESS:
	case O_NOPROGRESS:
		o->progress = c == O_PROGRESS;
		return 0;
	case 'q':
		o->quiet = true;
		return 0;
	}
	return numeric(c, a, o);
}

static int check(struct opts *o)
{
	int k;

	if (o->gen_jobs)
		return 0;
	if (!o->workload)
		return usage_error("--workload is required");
	if (!o->nclusters)
		return usage_error("at least one --cluster is required");
	for (size_t i = 0; i < o->nclusters; i++)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->clusters[i].name, o->clusters[j].name))
				return usage_error("--cluster: name \"%s\" is "
						   "used twice",
						   o->clusters[i].name);
	if (o->wl.critical_fraction + o->wl.flexible_fraction > 1.0 + 1e-12)
		return usage_error("--critical-fraction plus "
				   "--flexible-fraction exceed 1");
	if (o->th_low >= 0 && o->th_high >= 0 && o->th_high < o->th_low)
		return usage_error("--threshold-high is below "
				   "--threshold-low");
	if (o->fc.horizon < 3600)
		return usage_error("--forecast-horizon must be at least 1 "
				   "hour");
	if (o->fc.step < 60)
		return usage_error("--forecast-step must be at least 60 s");
	for (k = 0; k < NPOLICIES && !o->want[k]; k++)
		;
	if (k == NPOLICIES)
		return usage_error("--policy: no policy selected");
	o->params.flexible_max_delay = o->wl.max_delay;
	o->params.signal = o->clusters[0].signal;
	o->params.basis = o->clusters[0].basis;
	o->fc.seed = o->wl.seed;
	return 0;
}

int opts_parse(int argc, char **argv, struct opts *o)
{
	int c;

	defaults(o);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hq", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(help_text, stdout);
			return 1;
		}
		if (c == O_VERSION) {
			printf("carbon-sim %s\n", VERSION);
			return 1;
		}
		if (c == '?')
			return usage_error("unknown option \"%s\"",
					   argv[optind - 1]);
		if (c == ':')
			return usage_error("option \"%s\" needs a value",
					   argv[optind - 1]);
		if (one(c, optarg, o))
			return -1;
	}
	if (optind < argc)
		return usage_error("unexpected argument \"%s\"", argv[optind]);
	return check(o);
}
