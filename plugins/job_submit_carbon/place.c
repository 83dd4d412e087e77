/*
 * job_submit/carbon's submit-path work; see place.h.  Strings handed to
 * Slurm come from Slurm's allocator (xstrdup); everything else is on the
 * stack.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "slurm/slurm.h"
#include "src/common/list.h"
#include "src/common/log.h"
#include "src/common/read_config.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/slurmctld.h"
#include "src/slurmctld/fed_mgr.h"

#include "carbon/decision_text.h"
#include "carbon/policy.h"
#include "carbon_job.h"
#include "place.h"
#include "sysclock.h"

#define PLUGIN "job_submit/carbon"

/* The value of NAME= in a job's variables, or NULL. */
static const char *value_in(char **env, uint32_t n, const char *name)
{
	size_t len = strlen(name);

	for (uint32_t i = 0; env && i < n; i++) {
		const char *kv = env[i];

		if (kv && !strncmp(kv, name, len) && kv[len] == '=')
			return kv + len + 1;
	}
	return NULL;
}

/*
 * An option's value: what the SPANK plugin put in spank_job_env (NAME, e.g.
 * CARBON_URGENCY), else SLURM_NAME in the job's own environment, which is
 * how a job submitted through slurmrestd, or by a client without the
 * plugin, gives it; *from names which one, for messages.
 */
static const char *option_value(const job_desc_msg_t *job, const char *name,
				const char **from, char *buf, size_t len)
{
	const char *v =
		value_in(job->spank_job_env, job->spank_job_env_size, name);

	if (v)
		return v;
	snprintf(buf, len, "SLURM_%s", name);
	v = value_in(job->environment, job->env_size, buf);
	if (v)
		*from = buf;
	return v;
}

int carbon_place_tags(const struct carbon_ctld *c, const job_desc_msg_t *job,
		      int64_t now, int64_t runtime, struct carbon_tags *tags,
		      char *err, size_t errlen)
{
	struct carbon_config_job_defaults def = {0};
	struct carbon_clock clk = carbon_sysclock_now();
	struct carbon_tag_names names = {0};
	char u[32], d[32], m[32];
	struct carbon_tags_input in = {
		.urgency = option_value(job, "CARBON_URGENCY", &names.urgency,
					u, sizeof(u)),
		.deadline = option_value(job, "CARBON_DEADLINE",
					 &names.deadline, d, sizeof(d)),
		.max_delay = option_value(job, "CARBON_MAX_DELAY",
					  &names.max_delay, m, sizeof(m)),
		.submit = now,
		.time_limit = runtime,
	};
	char dflt_delay[32];

	clk.now = now;
	if (c->cfg) {
		/* A job that names no partition goes to the default one, and
		 * gets that partition's carbon defaults.  (A job that names no
		 * QOS gets its association's default only later, in Slurm's
		 * own checks: QosDefaults apply to a QOS the job names.) */
		const char *part = job->partition;

		if ((!part || !part[0]) && default_part_loc)
			part = default_part_loc->name;
		carbon_config_job_defaults(c->cfg, part, job->qos, &def);
		if (!in.urgency)
			in.urgency = carbon_tags_urgency_name(def.urgency);
		if (!in.max_delay && def.has_max_delay) {
			snprintf(dflt_delay, sizeof(dflt_delay), "%llds",
				 (long long)def.max_delay);
			in.max_delay = dflt_delay;
		}
	}
	return carbon_tags_parse(&in, &clk, &names, tags, err, errlen);
}

static uint64_t bit(int i)
{
	return UINT64_C(1) << i;
}

/* The federation's members that carbon.conf knows; just us without one. */
static uint64_t federation_mask(const struct carbon_ctld *c)
{
	slurmdb_cluster_rec_t *sib;
	ListIterator it;
	uint64_t mask = 0;

	if (!fed_mgr_fed_rec || !fed_mgr_fed_rec->cluster_list)
		return bit(c->self);
	it = list_iterator_create(fed_mgr_fed_rec->cluster_list);
	while ((sib = list_next(it))) {
		int i = carbon_ctld_cluster_index(c, sib->name);

		if (i >= 0 && i < CARBON_POLICY_MAX_CLUSTERS)
			mask |= bit(i);
	}
	list_iterator_destroy(it);
	return mask | bit(c->self);
}

/* Intersect with the user's own -M list: never widen it. */
static uint64_t user_mask(const struct carbon_ctld *c, const char *clusters,
			  uint64_t mask)
{
	char *copy, *tok, *save = NULL;
	uint64_t user = 0;

	if (!clusters || !clusters[0])
		return mask;
	copy = xstrdup(clusters);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		int i = carbon_ctld_cluster_index(c, tok);

		if (i >= 0 && i < CARBON_POLICY_MAX_CLUSTERS)
			user |= bit(i);
	}
	xfree(copy);
	return mask & user;
}

/* The index of the cluster a federated job id was submitted at. */
static int origin_of(const struct carbon_ctld *c, const job_desc_msg_t *job,
		     bool *sibling_copy)
{
	slurmdb_cluster_rec_t *sib;
	ListIterator it;
	uint32_t id;
	int origin = c->self;

	*sibling_copy = false;
	if (job->job_id == NO_VAL || !fed_mgr_cluster_rec || !fed_mgr_fed_rec ||
	    !fed_mgr_fed_rec->cluster_list)
		return c->self;
	id = fed_mgr_get_cluster_id(job->job_id);
	if (id == fed_mgr_cluster_rec->fed.id)
		return c->self;
	*sibling_copy = true;
	it = list_iterator_create(fed_mgr_fed_rec->cluster_list);
	while ((sib = list_next(it)))
		if (sib->fed.id == id)
			origin = carbon_ctld_cluster_index(c, sib->name);
	list_iterator_destroy(it);
	return origin;
}

static uint32_t cpu_freq_of(const char *s)
{
	static const struct {
		const char *name;
		uint32_t value;
	} words[] = {
		{"low", CPU_FREQ_LOW},
		{"medium", CPU_FREQ_MEDIUM},
		{"highm1", CPU_FREQ_HIGHM1},
		{"high", CPU_FREQ_HIGH},
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcasecmp(s, words[i].name))
			return words[i].value;
	return (uint32_t)strtoul(s, NULL, 10);
}

/* The chosen cluster's eco profile, on the copy that runs there. */
static void apply_eco(const struct carbon_config_cluster *cc,
		      job_desc_msg_t *job)
{
	if (cc->eco_partition[0]) {
		xfree(job->partition);
		job->partition = xstrdup(cc->eco_partition);
	}
	if (cc->eco_qos[0]) {
		xfree(job->qos);
		job->qos = xstrdup(cc->eco_qos);
	}
	if (cc->eco_cpu_freq[0])
		job->cpu_freq_max = cpu_freq_of(cc->eco_cpu_freq);
}

static void record(job_desc_msg_t *job, const struct carbon_policy_decision *d,
		   const char **names, size_t n)
{
	char member[CARBON_DECISION_TEXT_MAX];
	char merged[CARBON_ADMIN_COMMENT_MAX + 1];

	if (carbon_decision_text(d, names, n, member, sizeof(member)) ||
	    carbon_admin_comment_merge(job->admin_comment, member, merged,
				       sizeof(merged))) {
		error("%s: decision record too long; not recorded", PLUGIN);
		return;
	}
	xfree(job->admin_comment);
	job->admin_comment = xstrdup(merged);
}

static void apply(const struct carbon_ctld *c, job_desc_msg_t *job,
		  const struct carbon_policy_decision *d, const char **names,
		  size_t n, uint64_t allowed, bool sibling_copy)
{
	bool here = (int)d->chosen == c->self;

	if (d->changed && !sibling_copy && fed_mgr_fed_rec &&
	    d->siblings != allowed) {
		xfree(job->clusters);
		job->clusters = carbon_job_cluster_list(names, n, d->siblings);
	}
	/* A user's own --begin is never made earlier. */
	if (d->deferred && (here || !sibling_copy) &&
	    (job->begin_time == 0 || job->begin_time < (time_t)d->begin))
		job->begin_time = (time_t)d->begin;
	if (d->mode == CARBON_MODE_ECO && here)
		apply_eco(&c->cfg->clusters[c->self], job);
	record(job, d, names, n);
}

static double elapsed_us(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e6 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e3;
}

static void utc_text(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "?");
}

/*
 * What sbatch prints (Slurm passes job_submit's message back on success):
 * one line when the plan moved or deferred the job, one when the site's
 * MaxDelayLimit cut the job's window.
 */
static void tell_user(const struct carbon_policy_decision *d,
		      const char *const *names, size_t origin, int64_t now,
		      bool capped, int64_t latest, char *msg, size_t len)
{
	char when[32];
	size_t used = 0;

	msg[0] = '\0';
	if (d->chosen != origin || d->deferred) {
		/* A normal job keeps its origin: Slurm starts it at whichever
		 * of its clusters can start it first, so it is not moved. */
		bool kept = d->chosen != origin && !d->deferred &&
			    (d->siblings & bit(origin));
		int n;

		utc_text(d->begin, when, sizeof(when));
		if (kept)
			n = snprintf(msg, len,
				     "carbon: prefers %s, %s kept (it runs where "
				     "it can start first)",
				     names[d->chosen], names[origin]);
		else
			n = snprintf(msg, len, "carbon: runs at %s%s%s",
				     names[d->chosen],
				     d->chosen != origin ? " (moved)" : "",
				     d->deferred ? ", not before " : "");
		used = n > 0 && (size_t)n < len ? (size_t)n : len - 1;
		if (d->deferred)
			used += (size_t)snprintf(
				msg + used, len - used, "%s (in %.1f h)", when,
				(double)(d->begin - now) / 3600);
		if (used < len && d->baseline_g > 0 && d->expected_g >= 0)
			used += (size_t)snprintf(
				msg + used, len - used,
				": expected %.1f gCO2e%s, %.0f%% below running "
				"now at %s (%.1f g)",
				d->expected_g, kept ? " there" : "",
				100.0 * (1 - d->expected_g / d->baseline_g),
				names[origin], d->baseline_g);
	}
	if (capped && used + 1 < len) {
		utc_text(latest, when, sizeof(when));
		snprintf(msg + used, len - used,
			 "%scarbon: the job's window was cut to the site's "
			 "MaxDelayLimit: latest start %s",
			 used ? "\n" : "", when);
	}
}

void carbon_place_job(struct carbon_ctld *c, job_desc_msg_t *job,
		      const struct carbon_tags *tags,
		      const struct carbon_job *view, int64_t now, char *outcome,
		      size_t outlen, char *user_msg, size_t msglen)
{
	struct carbon_policy_cluster pc[CARBON_POLICY_MAX_CLUSTERS];
	const char *names[CARBON_POLICY_MAX_CLUSTERS];
	struct carbon_policy_decision d;
	struct carbon_policy_job pj = {0};
	struct timespec t0, t1, cpu0, cpu1;
	bool sibling_copy;
	char err[256];
	uint64_t allowed;
	bool capped = false; /* MaxDelayLimit cut the job's window */
	int origin, rc;
	size_t n;

	snprintf(outcome, outlen, "carbon placement disabled");
	user_msg[0] = '\0';
	if (!carbon_ctld_enabled(c))
		return;
	origin = origin_of(c, job, &sibling_copy);
	allowed = user_mask(c, job->clusters, federation_mask(c));
	/* Slurm runs a heterogeneous job whole at the cluster it was
	 * submitted to and never federates it: a component moved to a
	 * sibling would never start.  It may still wait for a cleaner
	 * window at its origin.  A sibling copy is never a component, and
	 * its het_job_offset is not yet reset when this runs (fed_mgr sets
	 * it to NO_VAL only after validate_job_create_req), so it is not
	 * read there. */
	if (origin >= 0 && !sibling_copy && job->het_job_offset != NO_VAL)
		allowed &= bit(origin);
	if (origin < 0 || !allowed) {
		snprintf(outcome, outlen, "%s",
			 origin < 0 ? "origin cluster not in carbon.conf"
				    : "no cluster of its -M in carbon.conf");
		return;
	}
	pj = (struct carbon_policy_job){
		.urgency = tags->urgency,
		.now = now,
		.runtime = view->runtime,
		.has_latest_start = tags->has_latest_start,
		.latest_start = tags->latest_start,
		.usage = view->usage,
		.origin = (size_t)origin,
		.allowed = allowed,
	};
	if (pj.has_latest_start &&
	    pj.latest_start > now + c->cfg->max_delay_limit) {
		pj.latest_start = now + c->cfg->max_delay_limit;
		capped = true;
	}

	/* Wall clock and this thread's CPU time: on a busy controller the
	 * first also counts the time the thread waited for a CPU. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu0);
	if (c->snap) /* without one, every cluster is priced at its fallback */
		carbon_snapshot_read_lock(c->snap);
	n = carbon_ctld_clusters(c, now, pc, names);
	rc = carbon_policy_decide(&c->params, pc, n, &pj, &d, err, sizeof(err));
	if (c->snap)
		carbon_snapshot_read_unlock(c->snap);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc) {
		error("%s: job %s of uid %u: no decision: %s", PLUGIN,
		      job->name ? job->name : "?", job->user_id, err);
		snprintf(outcome, outlen, "no decision (see the error)");
		return;
	}
	apply(c, job, &d, names, n, allowed, sibling_copy);
	if (!sibling_copy)
		tell_user(&d, names, (size_t)origin, now, capped,
			  pj.latest_start, user_msg, msglen);
	snprintf(
		outcome, outlen,
		"%s%s at %s, %s, data %s, %.1f/%.1f gCO2e (decided in %.1f us, "
		"%.1f us CPU)",
		sibling_copy ? "sibling copy: " : "", d.reason, names[d.chosen],
		carbon_policy_mode_name(d.mode),
		carbon_policy_quality_name(d.quality), d.expected_g,
		d.baseline_g, elapsed_us(&t0, &t1), elapsed_us(&cpu0, &cpu1));
}
