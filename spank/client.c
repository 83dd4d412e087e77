/*
 * spank/client.c: the --carbon-* options, in sbatch, salloc and srun.
 *
 * It owns the option table (shown in `sbatch --help`, usable as #SBATCH
 * lines), validates each value with libcarbon so a bad one fails the
 * command at once, and hands the values to slurmctld through
 * spank_job_control_setenv(): they arrive in job_desc->spank_job_env as
 * CARBON_<NAME>=value, where job_submit/carbon reads them.
 *
 * The dispatcher (spank_carbon.c) registers the table in every context, so
 * the callbacks also run in slurmstepd on the forwarded values, already
 * checked in the client; a failure there is only logged by Slurm.  Nothing
 * here fails a job in slurmd or slurmstepd for a carbon reason.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include <slurm/spank.h>

#include "carbon/duration.h"
#include "carbon/tags.h"
#include "carbon/timeparse.h"
#include "sysclock.h"

#include "client.h"

enum opt_id { OPT_URGENCY, OPT_DEADLINE, OPT_MAX_DELAY, OPT_COUNT };

/* Longest value we accept from the command line or an #SBATCH line. */
#define VALUE_MAX CARBON_VALUE_MAX

struct carbon_opt {
	const char *env;	   /* name in spank_job_env */
	char value[VALUE_MAX + 1]; /* what slurmctld receives */
	bool set;
};

static struct carbon_opt opts[OPT_COUNT] = {
	[OPT_URGENCY] = {.env = "CARBON_URGENCY"},
	[OPT_DEADLINE] = {.env = "CARBON_DEADLINE"},
	[OPT_MAX_DELAY] = {.env = "CARBON_MAX_DELAY"},
};

static int opt_cb(int val, const char *optarg, int remote);

/* As users type them, for messages. */
static const char *const opt_names[OPT_COUNT] = {
	[OPT_URGENCY] = "--carbon-urgency",
	[OPT_DEADLINE] = "--carbon-deadline",
	[OPT_MAX_DELAY] = "--carbon-max-delay",
};

/* The environment variables, after Slurm's own: SBATCH_CARBON_URGENCY for
 * sbatch, SALLOC_... for salloc, SLURM_... for srun. */
static const char *const env_suffix[OPT_COUNT] = {
	[OPT_URGENCY] = "CARBON_URGENCY",
	[OPT_DEADLINE] = "CARBON_DEADLINE",
	[OPT_MAX_DELAY] = "CARBON_MAX_DELAY",
};

/* struct spank_option's strings are plain char * (historical API). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
static struct spank_option options[] = {
	{"carbon-urgency", "critical|normal|flexible",
	 "How the job may be shifted for carbon: critical (never delayed), "
	 "normal, flexible (may wait or move to a cleaner cluster)",
	 1, OPT_URGENCY, opt_cb},
	{"carbon-deadline", "TIME",
	 "Latest time the job must have finished, in sbatch --begin forms "
	 "(now+4hours, 16:00, 2026-11-23T08:00, tomorrow)",
	 1, OPT_DEADLINE, opt_cb},
	{"carbon-max-delay", "DURATION",
	 "Longest the job may wait for cleaner power (90, 4:00:00, "
	 "1-12:00:00, 12h, 90m, 2d)",
	 1, OPT_MAX_DELAY, opt_cb},
	SPANK_OPTIONS_TABLE_END};
#pragma GCC diagnostic pop

/*
 * Check one value with libcarbon's parser and keep the form slurmctld gets.
 * A relative deadline (now+4hours, 16:00) is resolved here, once, in the
 * user's time zone, and passed on as "uts<seconds>": slurmctld and every
 * sibling then read the same instant.
 */
static int check_value(int val, const char *arg, const char *name, char *out,
		       size_t outlen, char *err, size_t errlen)
{
	enum carbon_urgency u;
	struct carbon_clock clk;
	struct carbon_tags tags;
	int64_t n;
	int rc = 0;

	switch (val) {
	case OPT_URGENCY:
		rc = carbon_tags_parse_urgency(arg, name, &u, err, errlen);
		if (!rc)
			snprintf(out, outlen, "%s",
				 carbon_tags_urgency_name(u));
		break;
	case OPT_DEADLINE:
		/* The time limit is not known here; job_submit/carbon checks
		 * the deadline against it. */
		clk = carbon_sysclock_now();
		rc = carbon_tags_parse(
			&(struct carbon_tags_input){.deadline = arg}, &clk,
			&(struct carbon_tag_names){.deadline = name}, &tags,
			err, errlen);
		if (!rc)
			snprintf(out, outlen, "uts%lld",
				 (long long)tags.deadline);
		break;
	case OPT_MAX_DELAY:
		rc = carbon_duration_parse(arg, name, CARBON_MAX_DELAY_LIMIT,
					   &n, err, errlen);
		if (!rc)
			snprintf(out, outlen, "%llds", (long long)n);
		break;
	default:
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "unknown carbon option %d", val);
	}
	return rc;
}

static int opt_cb(int val, const char *optarg, int remote)
{
	char err[512];
	char out[VALUE_MAX + 1];

	(void)remote;
	if (val < 0 || val >= OPT_COUNT)
		return -1;
	if (check_value(val, optarg ? optarg : "", opt_names[val], out,
			sizeof(out), err, sizeof(err))) {
		slurm_error("%s", err);
		return -1;
	}
	snprintf(opts[val].value, sizeof(opts[val].value), "%s", out);
	opts[val].set = true;
	return 0;
}

struct spank_option *carbon_spank_client_options(void)
{
	return options;
}

const char *carbon_spank_env_prefix(void)
{
	if (!strcmp(program_invocation_short_name, "sbatch"))
		return "SBATCH_";
	if (!strcmp(program_invocation_short_name, "salloc"))
		return "SALLOC_";
	return "SLURM_";
}

/*
 * Options not given on the command line or in #SBATCH lines may come from
 * the environment (SBATCH_CARBON_URGENCY=flexible ...), checked the same
 * way; a bad value fails the command with the variable's name.  (Slurm's
 * own variables sit between the two kinds of option; SPANK cannot tell
 * them apart, so here any option given wins over the environment.)
 */
static int read_environment(void)
{
	const char *prefix = carbon_spank_env_prefix();

	for (int i = 0; i < OPT_COUNT; i++) {
		char name[64], err[512], out[VALUE_MAX + 1];
		const char *v;

		if (opts[i].set)
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, env_suffix[i]);
		v = getenv(name);
		if (!v)
			continue;
		if (check_value(i, v, name, out, sizeof(out), err,
				sizeof(err))) {
			slurm_error("%s", err);
			return -1;
		}
		snprintf(opts[i].value, sizeof(opts[i].value), "%s", out);
		opts[i].set = true;
	}
	return 0;
}

int carbon_spank_client_post_opt(spank_t sp)
{
	if (read_environment())
		return -1;
	for (int i = 0; i < OPT_COUNT; i++) {
		spank_err_t rc;

		if (!opts[i].set)
			continue;
		rc = spank_job_control_setenv(sp, opts[i].env, opts[i].value,
					      1);
		if (rc != ESPANK_SUCCESS) {
			slurm_error("spank/carbon: cannot pass --%s to "
				    "slurmctld: %s",
				    options[i].name, spank_strerror(rc));
			return -1;
		}
	}
	return 0;
}
