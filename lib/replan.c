/*
 * Re-planning one pending job; the rules are in carbon/replan.h.
 */
#include <stdio.h>
#include <string.h>

#include "carbon/replan.h"

static uint64_t bit(size_t i)
{
	return UINT64_C(1) << i;
}

static int index_of(const struct carbon_policy_cluster *c, size_t n,
		    const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].name && strlen(c[i].name) == len &&
		    !strncmp(c[i].name, name, len))
			return (int)i;
	return -1;
}

/* The record's "allow" list as a mask; "" is every cluster. */
static uint64_t allowed_mask(const struct carbon_policy_cluster *c, size_t n,
			     const char *allow)
{
	uint64_t all = n == 64 ? UINT64_MAX : bit(n) - 1, mask = 0;
	const char *p = allow;

	if (!*allow)
		return all;
	while (*p) {
		size_t len = strcspn(p, ",");
		int i = index_of(c, n, p, len);

		if (i >= 0)
			mask |= bit((size_t)i);
		p += len;
		if (*p == ',')
			p++;
	}
	return mask;
}

/* When a begin time takes effect: a past one means now. */
static int64_t not_before(int64_t begin, int64_t now)
{
	return begin > now ? begin : now;
}

static int leave(struct carbon_replan *out, const char *why)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->why, sizeof(out->why), "%s", why);
	return 0;
}

/* Why a job is not re-planned at all, or NULL. */
static const char *not_ours(const struct carbon_replan_job *job)
{
	const struct carbon_decision_record *r = job->record;

	if (job->held)
		return "held";
	if (job->dependent)
		return "waits for a dependency";
	if (job->array)
		return "job array: planned once, at submission";
	if (job->het)
		return "heterogeneous job: planned once, at submission";
	if (!r->has_urgency || !r->has_latest)
		return "record without urgency or latest start";
	if (r->urgency == CARBON_URGENCY_CRITICAL)
		return "critical";
	if (r->begin_by_user ||
	    job->begin_time > (r->deferred ? r->begin : job->now) +
				      CARBON_REPLAN_BEGIN_SLACK)
		return "begin time set by the user";
	return NULL;
}

/*
 * Did a user or an admin run a deferred job now (`scontrol update
 * StartTime=now`)?  Only re-planning changes begin and record together, so
 * a begin earlier than the deferred record's is theirs.  A later begin is
 * not marked: Slurm itself delays a requeued job's begin (by the
 * credential's lifetime), and the job is left alone only until then.
 */
static bool begin_changed_by_user(const struct carbon_replan_job *job)
{
	const struct carbon_decision_record *r = job->record;

	return r->deferred && job->begin_time > 0 &&
	       job->begin_time < r->begin - CARBON_REPLAN_BEGIN_SLACK;
}

int carbon_replan(const struct carbon_policy_params *params,
		  const struct carbon_policy_cluster *clusters, size_t n,
		  const struct carbon_replan_job *job,
		  struct carbon_replan *out, char *err, size_t errlen)
{
	const struct carbon_decision_record *r;
	struct carbon_policy_job pj;
	struct carbon_replan res;
	const char *skip;
	uint64_t allowed;
	int plan, rc;

	if (!job || !job->record || !out || !clusters || n < 1 ||
	    n > CARBON_POLICY_MAX_CLUSTERS || job->origin >= n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"replan: bad arguments");
	r = job->record;
	skip = not_ours(job);
	if (skip)
		return leave(out, skip);
	if (begin_changed_by_user(job)) {
		leave(out, "begin time set by the user: marked in the record");
		out->mark_user_begin = true;
		return 0;
	}
	plan = index_of(clusters, n, r->at, strlen(r->at));
	if (plan < 0)
		return leave(out, "planned cluster not in carbon.conf");
	allowed = allowed_mask(clusters, n, r->allow);
	if (!allowed)
		return leave(out, "no allowed cluster in carbon.conf");

	memset(&res, 0, sizeof(res));
	pj = (struct carbon_policy_job){
		.urgency = r->urgency,
		.now = job->now,
		.runtime = job->runtime,
		.has_latest_start = true,
		.latest_start = not_before(r->latest, job->now),
		.usage = job->usage,
		.origin = job->origin,
		.allowed = allowed,
		.has_plan = job->now < r->latest,
		.plan_begin = job->begin_time,
		.plan_cluster = (size_t)plan,
	};
	rc = carbon_policy_decide(params, clusters, n, &pj, &res.decision, err,
				  errlen);
	if (rc)
		return rc;
	res.decision.latest = r->latest;
	if (job->now >= r->latest) {
		/* The promise: it starts by its latest start wherever it may
		 * run, even when the clean cluster is full. */
		res.released = true;
		res.begin = job->now;
		res.siblings = allowed;
		res.decision.siblings = allowed;
		res.decision.begin = job->now;
		res.decision.deferred = false;
		snprintf(res.decision.reason, sizeof(res.decision.reason),
			 "released at its latest start: any allowed cluster");
		res.update =
			job->siblings != allowed || job->begin_time > job->now;
	} else if (res.decision.changed) {
		char why[CARBON_POLICY_REASON_MAX];

		if (strncmp(res.decision.reason, "re-planned", 10)) {
			snprintf(why, sizeof(why), "%s", res.decision.reason);
			snprintf(res.decision.reason,
				 sizeof(res.decision.reason),
				 "re-planned: %.100s", why);
		}
		res.begin =
			res.decision.deferred ? res.decision.begin : job->now;
		if (res.begin > r->latest) /* the policy never does this */
			res.begin = r->latest;
		res.siblings = res.decision.siblings;
		res.update = job->siblings != res.siblings ||
			     not_before(res.begin, job->now) !=
				     not_before(job->begin_time, job->now);
	}
	if (res.update)
		snprintf(res.why, sizeof(res.why), "%s", res.decision.reason);
	else if (res.released)
		snprintf(res.why, sizeof(res.why), "released already");
	else
		snprintf(res.why, sizeof(res.why), "%s",
			 res.decision.changed ? "plan unchanged"
					      : res.decision.reason);
	*out = res;
	return 0;
}
