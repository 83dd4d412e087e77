/*
 * scarbon: the command line (scarbon(1)).  Parses the verb and options,
 * then hands over to one verb's file.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm.h>

#include "../../adapters/sysclock.h"
#include "carbon/duration.h"
#include "carbon/report.h"
#include "carbon/timeparse.h"
#include "scarbon.h"

static const char usage_text[] =
	"Usage: scarbon [-M CLUSTER] [--json] VERB [OPTIONS]\n"
	"What the carbon-aware plugins did with your jobs, and when to run.\n"
	"\n"
	"  job JOBID            state, where and when it ran, the decision "
	"and\n"
	"                       why, energy and its source, gCO2e, what "
	"running\n"
	"                       at once would have emitted, the saving\n"
	"  queue [-u USER]      pending carbon-aware jobs: planned start,\n"
	"                       cluster and why they wait\n"
	"  report [-S START] [-E END] [--by "
	"user|account|cluster|partition|day]\n"
	"                       [--csv]  jobs, core-hours, kWh, kg CO2e, kg "
	"saved,\n"
	"                       share deferred/moved, wait added (default: "
	"the\n"
	"                       last 24 h, by user)\n"
	"  forecast [--cluster C] [--runtime 4h] [--within 24h] [--cores N]\n"
	"           [--mem GB] [--gpus N] [--url URL]\n"
	"                       the best start per cluster and its expected "
	"gCO2e\n"
	"\n"
	"  -M, --cluster-name C one cluster (default: the whole federation)\n"
	"  -C, --conf FILE      carbon.conf (default $CARBON_CONF, else next "
	"to\n"
	"                       $SLURM_CONF, else /etc/slurm/carbon.conf)\n"
	"      --json           JSON instead of text (every verb)\n"
	"  -h, --help           this text\n"
	"\n"
	"Times as sbatch --begin takes them (2026-12-01T08:00, today, ...) or\n"
	"now-DURATION (now-1d, now-12h);\n"
	"durations as MINUTES, H:MM:SS, D-H or N with s/m/h/d (4h, 90m).\n"
	"Exit status: 0 ok, 1 usage error, 2 Slurm or carbon-cached error,\n"
	"3 no such job or cluster.\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage(const char *fmt, ...)
{
	va_list ap;

	if (fmt && *fmt) {
		fprintf(stderr, "scarbon: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
	}
	fprintf(stderr, "Try 'scarbon --help'.\n");
	return SCARBON_USAGE;
}

enum {
	O_JSON = 256,
	O_CSV,
	O_BY,
	O_CLUSTER,
	O_RUNTIME,
	O_WITHIN,
	O_CORES,
	O_MEM,
	O_GPUS,
	O_URL
};

static const struct option longopts[] = {
	{"cluster-name", required_argument, NULL, 'M'},
	{"clusters", required_argument, NULL, 'M'},
	{"conf", required_argument, NULL, 'C'},
	{"json", no_argument, NULL, O_JSON},
	{"csv", no_argument, NULL, O_CSV},
	{"help", no_argument, NULL, 'h'},
	{"user", required_argument, NULL, 'u'},
	{"starttime", required_argument, NULL, 'S'},
	{"endtime", required_argument, NULL, 'E'},
	{"by", required_argument, NULL, O_BY},
	{"cluster", required_argument, NULL, O_CLUSTER},
	{"runtime", required_argument, NULL, O_RUNTIME},
	{"within", required_argument, NULL, O_WITHIN},
	{"cores", required_argument, NULL, O_CORES},
	{"mem", required_argument, NULL, O_MEM},
	{"gpus", required_argument, NULL, O_GPUS},
	{"url", required_argument, NULL, O_URL},
	{NULL, 0, NULL, 0},
};

static int when(const char *s, const char *name, int64_t *t)
{
	struct carbon_clock clk = carbon_sysclock_now();
	char err[512];
	int64_t ago;

	/* a report looks back: now-DURATION (now-1d, now-12h), as sacct's -S */
	if (!strncmp(s, "now-", 4)) {
		if (carbon_duration_parse(s + 4, name, 3660LL * 86400, &ago,
					  err, sizeof(err))) {
			fprintf(stderr, "scarbon: %s\n", err);
			return -1;
		}
		*t = clk.now - ago;
		return 0;
	}
	if (carbon_time_parse(s, &clk, name, t, err, sizeof(err))) {
		fprintf(stderr, "scarbon: %s\n", err);
		return -1;
	}
	return 0;
}

static int span(const char *s, const char *name, int64_t *t)
{
	char err[512];

	if (carbon_duration_parse(s, name, 31 * 86400, t, err, sizeof(err))) {
		fprintf(stderr, "scarbon: %s\n", err);
		return -1;
	}
	if (*t <= 0) {
		fprintf(stderr, "scarbon: %s: give a duration above 0\n", name);
		return -1;
	}
	return 0;
}

static int count(const char *s, const char *name, double max, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (!*s || *end || !(*v >= 0 && *v <= max)) {
		fprintf(stderr,
			"scarbon: %s: \"%s\" is not a number from 0 "
			"to %g\n",
			name, s, max);
		return -1;
	}
	return 0;
}

static int option(int c, struct scarbon_opts *o)
{
	char err[256];

	switch (c) {
	case 'M':
		if (strchr(optarg, ','))
			return usage("-M %s: give one cluster (or none for the "
				     "federation)",
				     optarg);
		o->cluster = optarg;
		return 0;
	case 'C':
		o->conf = optarg;
		return 0;
	case O_JSON:
		o->json = true;
		return 0;
	case O_CSV:
		o->csv = true;
		return 0;
	case 'u':
		o->user = optarg;
		return 0;
	case 'S':
		return when(optarg, "-S", &o->start) ? SCARBON_USAGE : 0;
	case 'E':
		return when(optarg, "-E", &o->end) ? SCARBON_USAGE : 0;
	case O_BY: {
		enum carbon_report_by by;

		if (carbon_report_by_parse(optarg, &by, err, sizeof(err))) {
			fprintf(stderr, "scarbon: %s\n", err);
			return SCARBON_USAGE;
		}
		o->by = (int)by;
		return 0;
	}
	case O_CLUSTER:
		o->fc_cluster = optarg;
		return 0;
	case O_RUNTIME:
		return span(optarg, "--runtime", &o->runtime) ? SCARBON_USAGE
							      : 0;
	case O_WITHIN:
		return span(optarg, "--within", &o->within) ? SCARBON_USAGE : 0;
	case O_CORES:
		return count(optarg, "--cores", 1e6, &o->cores) ? SCARBON_USAGE
								: 0;
	case O_MEM:
		return count(optarg, "--mem", 1e9, &o->mem_gb) ? SCARBON_USAGE
							       : 0;
	case O_GPUS:
		return count(optarg, "--gpus", 1e6, &o->gpus) ? SCARBON_USAGE
							      : 0;
	case O_URL:
		if (strncmp(optarg, "http://", 7) &&
		    strncmp(optarg, "https://", 8))
			return usage(
				"--url %s: give an http:// or https:// URL",
				optarg);
		o->url = optarg;
		return 0;
	case 'h':
		fputs(usage_text, stdout);
		exit(SCARBON_OK);
	default:
		return usage(NULL);
	}
}

/* Options a verb does not take are refused, not ignored. */
static int check_verb(const char *verb, const struct scarbon_opts *o,
		      const bool *given)
{
	static const struct {
		const char *verb;
		const char *opts; /* the option letters/ids it takes */
	} allowed[] = {
		{"job", ""},
		{"queue", "u"},
		{"report", "SEbc"},
		{"forecast", "lrwkmgU"},
	};
	static const struct {
		int id;
		char letter;
		const char *name;
	} map[] = {
		{'u', 'u', "-u"},
		{'S', 'S', "-S"},
		{'E', 'E', "-E"},
		{O_BY, 'b', "--by"},
		{O_CSV, 'c', "--csv"},
		{O_CLUSTER, 'l', "--cluster"},
		{O_RUNTIME, 'r', "--runtime"},
		{O_WITHIN, 'w', "--within"},
		{O_CORES, 'k', "--cores"},
		{O_MEM, 'm', "--mem"},
		{O_GPUS, 'g', "--gpus"},
		{O_URL, 'U', "--url"},
	};
	const char *ok = NULL;

	(void)o;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strcmp(verb, allowed[i].verb))
			ok = allowed[i].opts;
	if (!ok)
		return usage("\"%s\" is not a verb; use job, queue, report or "
			     "forecast",
			     verb);
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (given[map[i].id] && !strchr(ok, map[i].letter)) {
			fprintf(stderr, "scarbon: %s: %s does not take it\n",
				map[i].name, verb);
			return usage(NULL);
		}
	return 0;
}

/* Parse options with getopt_long from optind on, noting which were given. */
static int options(int argc, char **argv, const char *spec,
		   struct scarbon_opts *o, bool *given)
{
	int c, rc;

	while ((c = getopt_long(argc, argv, spec, longopts, NULL)) != -1) {
		if (c == '?')
			return usage(NULL);
		if ((rc = option(c, o)))
			return rc;
		if (c >= 0 && c <= O_URL)
			given[c] = true;
	}
	return 0;
}

static int run(const char *verb, int argc, char **argv, struct scarbon_opts *o)
{
	if (!strcmp(verb, "job")) {
		char *end;
		unsigned long id;

		if (argc != 1)
			return usage("job: give one JOBID");
		id = strtoul(argv[0], &end, 10);
		if (!*argv[0] || *end || id == 0 || id > 0xfffffffful)
			return usage("job: \"%s\" is not a job id (a number)",
				     argv[0]);
		o->job_id = (uint32_t)id;
		return scarbon_job(o);
	}
	if (argc)
		return usage("unexpected argument \"%s\"", argv[0]);
	if (!strcmp(verb, "queue"))
		return scarbon_queue(o);
	if (!strcmp(verb, "report")) {
		if (o->json && o->csv)
			return usage("--json and --csv: give one");
		if (o->start >= o->end)
			return usage("-S must be before -E");
		return scarbon_report(o);
	}
	return scarbon_forecast(o);
}

int main(int argc, char **argv)
{
	struct scarbon_opts o = {0};
	bool given[O_URL + 1] = {0};
	const char *verb;
	int rc;

	o.now = (int64_t)time(NULL);
	o.end = o.now;
	o.start = o.now - 86400;
	o.by = CARBON_REPORT_BY_USER;
	o.runtime = 3600;
	o.within = 86400;
	o.cores = 1;
	/* options may come before or after the verb, as in sacctmgr */
	if ((rc = options(argc, argv, "+M:C:hu:S:E:", &o, given)))
		return rc;
	if (optind >= argc)
		return usage("give a verb: job, queue, report or forecast");
	verb = argv[optind];
	/* the verb's own options: argv[0] then what follows the verb, parsed
	 * afresh (optind 0 resets GNU getopt) */
	argv[optind] = argv[0];
	argv += optind;
	argc -= optind;
	optind = 0;
	if ((rc = options(argc, argv, "M:C:hu:S:E:", &o, given)))
		return rc;
	if ((rc = check_verb(verb, &o, given)))
		return rc;
	if (o.runtime > o.within)
		return usage("--runtime is longer than --within");
	if (strcmp(verb, "forecast")) {
		/* slurm.conf, plugins (accounting_storage) */
		slurm_init(NULL);
		if ((rc = scarbon_set_cluster(o.cluster)))
			return rc;
	}
	rc = run(verb, argc - optind, argv + optind, &o);
	if (strcmp(verb, "forecast"))
		slurm_fini();
	return rc;
}
