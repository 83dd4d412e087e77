/*
 * carbon/tags.h: a job's carbon tags, parsed and checked as one.
 *
 * A user tags a job with up to three options; the SPANK plugin checks them
 * in sbatch/salloc/srun so a bad value fails the command at once, and
 * job_submit/carbon checks them again in slurmctld, where they become the
 * constraints the scheduler may shift the job within:
 *
 *   --carbon-urgency=critical|normal|flexible   (case-insensitive)
 *       critical: never delayed; normal, flexible: the policy's business.
 *   --carbon-deadline=TIME      the job must have FINISHED by then; any
 *       sbatch --begin form (carbon/timeparse.h), evaluated at clk->now in
 *       clk's local time zone.
 *   --carbon-max-delay=DURATION longest wait for cleaner power, counted
 *       from submission (carbon/duration.h); at most
 *       CARBON_MAX_DELAY_LIMIT.  Plain N is minutes, as in sbatch --time.
 *
 * Decisions a Slurm admin should know:
 *   - latest_start = min(deadline - time limit, submit + max delay), never
 *     later than submit + CARBON_MAX_DELAY_LIMIT even for a far deadline,
 *     so carbon shifting alone never holds a job for more than 31 days.
 *     The policy may lower it further with the site's own limit.
 *   - With an unknown time limit (0) the deadline only bounds the start;
 *     adapters should pass the partition's default time limit instead.
 *   - A deadline must lie after now, and at least the time limit after
 *     now, else the job is rejected (CARBON_EPAST, CARBON_EDEADLINE): it
 *     could not meet it even if it started at once.
 *   - critical wins: latest_start = submit, whatever else is given, so an
 *     #SBATCH max-delay in a template does not conflict with a command
 *     line --carbon-urgency=critical.
 *   - NULL means "not given"; an empty string is an error.
 *   - Relative values (now+4hours, 16:00) depend on now and the time zone:
 *     the client should resolve the deadline once and pass the instant on
 *     as "uts<seconds>", which every later parse reads unchanged.
 *
 * Ownership: the input strings and names are borrowed for the call;
 * struct carbon_tags holds no pointers.
 */
#ifndef CARBON_TAGS_H
#define CARBON_TAGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/timeparse.h"

/* The longest --carbon-max-delay, and the cap on latest_start - submit. */
#define CARBON_MAX_DELAY_LIMIT (INT64_C(31) * 86400)

#define CARBON_URGENCY_FORMS "use critical, normal or flexible"

enum carbon_urgency {
	CARBON_URGENCY_NORMAL = 0, /* also the value when not given */
	CARBON_URGENCY_CRITICAL,
	CARBON_URGENCY_FLEXIBLE,
};

/*
 * How the options are named in messages, e.g. "--carbon-deadline" in
 * sbatch, "SBATCH_CARBON_DEADLINE" for a value from the environment.
 * A NULL struct or member means the --carbon-* spelling.
 */
struct carbon_tag_names {
	const char *urgency;
	const char *deadline;
	const char *max_delay;
};

struct carbon_tags_input {
	const char *urgency; /* raw values; NULL: not given */
	const char *deadline;
	const char *max_delay;
	int64_t submit;	    /* submission, seconds since the epoch; 0: now */
	int64_t time_limit; /* the job's time limit in seconds; 0: unknown */
};

/* Zero-initialised means: nothing given. */
struct carbon_tags {
	enum carbon_urgency urgency;
	bool has_urgency;
	bool has_deadline;
	bool has_max_delay;
	bool has_latest_start;
	int64_t deadline;     /* latest end, seconds since the epoch */
	int64_t max_delay;    /* seconds */
	int64_t latest_start; /* seconds since the epoch */
};

/*
 * Parse and check all three options (see above) and fill *tags.
 * clk->now is the instant relative values and the deadline checks use;
 * in->submit (or now when 0) is where max delay counts from, so a pending
 * job being modified keeps its original window.  Options are checked in
 * the order urgency, deadline, max delay; the first failure is reported.
 * Returns 0 or a negative CARBON_E* code with err filled; *tags is
 * written only on success.
 */
int carbon_tags_parse(const struct carbon_tags_input *in,
		      const struct carbon_clock *clk,
		      const struct carbon_tag_names *names,
		      struct carbon_tags *tags, char *err,
		      size_t errlen) CARBON_MUST_CHECK;

/* One --carbon-urgency value; *u is written only on success. */
int carbon_tags_parse_urgency(const char *s, const char *name,
			      enum carbon_urgency *u, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

/* "critical", "normal", "flexible", or "unknown"; never NULL. */
const char *carbon_tags_urgency_name(enum carbon_urgency u);

#endif
