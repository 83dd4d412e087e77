/*
 * carbon/decision_text.h: the decision record a job carries, in the form
 * `scontrol show job` and `sacct -o AdminComment` display.
 *
 * The record is one compact JSON object, versioned ("v":1), under the key
 * "carbon":
 *
 *   {"carbon":{"v":1,"at":"no","begin":"2023-06-15T17:00:00Z","mode":"fast",
 *    "q":"fresh","u":"flexible","latest":"2023-06-16T04:00:00Z",
 *    "allow":"es,no,cal","exp_g":49.7,"now_g":405.4,"rank":"no:49.7,
 *    cal:253.9,es:287.7","why":"moved to no, deferred 13.0 h: 88% below
 *    now at cal"}}
 *
 *   at     the chosen cluster; begin: UTC start ("now" when not deferred)
 *   mode   fast|eco;  q: fresh|stale|fallback|none (carbon/policy.h)
 *   u      the job's urgency: critical|normal|flexible
 *   latest the latest start in force (UTC): re-planning never goes past it
 *   allow  the clusters the job may run on (the user's -M and the
 *          federation); absent: every configured cluster
 *   exp_g  expected gCO2e of the decision; now_g: of running now at the
 *          origin (-1: unknown)
 *   rank   cluster:gCO2e at its best start, best first
 *   why    the policy's reason
 *   begin_by  "user" once re-planning saw the job's begin time changed by
 *          a user or an admin (`scontrol update JobId=N StartTime=now`, or
 *          a later one): re-planning leaves the job alone from then on
 *
 * AdminComment may hold other things a site keeps there; merging
 * preserves them: an empty comment becomes {"carbon":{...}}; a JSON object
 * comment gets a "carbon" member inserted (or its earlier one replaced); any
 * other text keeps its text and gets " {"carbon":{...}}" appended (or the
 * earlier one replaced).  The carbon object never contains braces, so the
 * earlier one is found exactly.
 */
#ifndef CARBON_DECISION_TEXT_H
#define CARBON_DECISION_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/policy.h"

#define CARBON_DECISION_TEXT_VERSION 1
/* Bytes enough for any decision record of up to 64 clusters. */
#define CARBON_DECISION_TEXT_MAX 4096
/* Longest AdminComment we build (Slurm has no limit; we keep it sane). */
#define CARBON_ADMIN_COMMENT_MAX 8192

/*
 * The record of d (names[i] is cluster i's name, n the cluster count) as
 * `"carbon":{...}` (the member, without the outer braces) into buf.
 * Returns 0, CARBON_EINVAL (NULL, bad n) or CARBON_ETOOLONG.
 */
int carbon_decision_text(const struct carbon_policy_decision *d,
			 const char *const *names, size_t n, char *buf,
			 size_t len) CARBON_MUST_CHECK;

/*
 * Merge a member into an AdminComment (old may be NULL or empty), as
 * described above, into out: the decision "carbon":{...} from
 * carbon_decision_text(), or another member of ours such as the
 * footprint "carbon_fp":{...} (carbon/footprint_text.h); each replaces
 * only its own earlier copy.  Returns 0,
 * CARBON_EINVAL or CARBON_ETOOLONG (the result would exceed len or
 * CARBON_ADMIN_COMMENT_MAX).
 */
int carbon_admin_comment_merge(const char *old, const char *member, char *out,
			       size_t len) CARBON_MUST_CHECK;

/* Longest string field carbon_decision_parse() keeps, with the NUL. */
#define CARBON_DECISION_FIELD_MAX 1024

/* What re-planning reads back from a job's record. */
struct carbon_decision_record {
	int version;
	char at[64]; /* the chosen cluster */
	bool has_begin;
	bool deferred; /* begin was a time, not "now" */
	int64_t begin; /* when deferred */
	enum carbon_policy_mode mode;
	bool has_urgency;
	enum carbon_urgency urgency;
	bool has_latest;
	int64_t latest;
	char allow[CARBON_DECISION_FIELD_MAX]; /* "": every cluster */
	double expected_g;		       /* -1 when absent */
	double baseline_g;
	/* for people (scarbon job/queue): "" when absent */
	char quality[16];		      /* q */
	char rank[CARBON_DECISION_FIELD_MAX]; /* "no:49.7,cal:253.9" */
	char why[CARBON_DECISION_FIELD_MAX];
	bool begin_by_user; /* "begin_by":"user" */
};

/*
 * Find and read the carbon record in an AdminComment (anything around it
 * is ignored, unknown keys too).  Returns 0; 1 when there is no record;
 * CARBON_EINVAL when it is damaged (edited by hand, or a later major
 * version), with the reason in err.
 */
int carbon_decision_parse(const char *comment, struct carbon_decision_record *r,
			  char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * comment with its carbon record marked "begin_by":"user" into out (the
 * rest of the comment and of the record unchanged; a record marked
 * already is copied as it is).  Returns 0; 1 when comment has no carbon
 * record; CARBON_EINVAL (NULL, a record without its end) or
 * CARBON_ETOOLONG (beyond len or CARBON_ADMIN_COMMENT_MAX).
 */
int carbon_decision_mark_user_begin(const char *comment, char *out,
				    size_t len) CARBON_MUST_CHECK;

#endif
