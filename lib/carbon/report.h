/*
 * carbon/report.h: what `scarbon report` prints, from the facts of each
 * job (one row of `sacct -L` with its decision and footprint records), and
 * the number formatting every scarbon verb shares.
 *
 * Pure: the caller reads the jobs (libslurm/slurmdb) and the records
 * (carbon_decision_parse(), carbon_job_footprint_parse()) and passes the
 * facts in; this module groups them, adds them up and formats numbers.
 *
 * One group (a row of the report) per distinct key, in key order:
 *   jobs        rows counted (one per run, array task, component)
 *   ran         jobs that started; core_h: cores x (end - start) / 3600
 *   with_fp     jobs that carry a footprint; kwh, kg, kg_saved: their sums
 *               (kg_saved < 0: the plan lost)
 *   deferred, moved   jobs the plan deferred / ran away from their origin
 *   wait_added_h      for deferred jobs, eligible - submit (the wait the
 *               plan asked for), summed, in hours
 * and one total row (key "total") over every job.
 * Keys: user, account, cluster, partition as given ("" is "(none)"), or
 * the UTC day of the job's start (its submission when it never ran),
 * YYYY-MM-DD.
 *
 * Ownership: carbon_report_build() returns an array the caller frees with
 * carbon_report_free(); the jobs' strings are borrowed and copied.
 */
#ifndef CARBON_REPORT_H
#define CARBON_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"

#define CARBON_REPORT_KEY_MAX 64
/* Most groups one report holds; more is CARBON_ERANGE. */
#define CARBON_REPORT_GROUPS_MAX 100000

enum carbon_report_by {
	CARBON_REPORT_BY_USER = 0,
	CARBON_REPORT_BY_ACCOUNT,
	CARBON_REPORT_BY_CLUSTER,
	CARBON_REPORT_BY_PARTITION,
	CARBON_REPORT_BY_DAY,
};

/* One job's facts. */
struct carbon_report_job {
	const char *user, *account, *cluster, *partition; /* NULL: "" */
	int64_t submit, eligible, start, end;
	bool ran;     /* start and end are a real run */
	double cores; /* allocated CPUs */
	bool has_fp;  /* a footprint record with ran=1 */
	double kwh, g, saved_g;
	bool deferred, moved; /* from the footprint's plan (or decision) */
};

struct carbon_report_row {
	char key[CARBON_REPORT_KEY_MAX + 1];
	size_t jobs, ran, with_fp, deferred, moved;
	double core_h, kwh, kg, kg_saved, wait_added_h;
};

/* "user", "account", "cluster", "partition" or "day" into *by; 0 or
 * CARBON_EINVAL with a message naming the accepted words. */
int carbon_report_by_parse(const char *s, enum carbon_report_by *by, char *err,
			   size_t errlen) CARBON_MUST_CHECK;
const char *carbon_report_by_name(enum carbon_report_by by);

/*
 * Group n jobs by `by` into *rows (*nrows of them, sorted by key) and
 * their total into *total.  Returns 0, CARBON_EINVAL (NULL with n > 0, a
 * bad `by`), CARBON_ENOMEM or CARBON_ERANGE (too many groups); the
 * outputs are set only on success.
 */
int carbon_report_build(const struct carbon_report_job *jobs, size_t n,
			enum carbon_report_by by,
			struct carbon_report_row **rows, size_t *nrows,
			struct carbon_report_row *total, char *err,
			size_t errlen) CARBON_MUST_CHECK;
void carbon_report_free(struct carbon_report_row *rows);

/* Share of part in whole, 0..1 (0 when whole is 0). */
double carbon_report_share(size_t part, size_t whole);

/*
 * v with `digits` significant digits (1..15), in plain decimals, never as
 * an exponent and never rounded to 0 when v is not 0: 0.0123, 12.3, 1230
 * (integers are not cut: 123456 stays 123456).  Returns buf.
 */
const char *carbon_report_num(double v, int digits, char *buf, size_t len);

#endif
