/*
 * slurmctld/carbon: the carbon scheduler, loaded by SlurmctldPlugstack=carbon.
 *
 * It owns one background thread that re-plans, every ReplanInterval, the
 * pending carbon-tagged jobs submitted at this cluster (the origin):
 * carbon_replan() (carbon/replan.h) decides, and an update RPC to this
 * controller applies the new begin time, cluster set and record; the
 * federation pushes the update to the sibling copies.  Why a
 * SlurmctldPlugstack plugin and not a site_factor or sched plugin, and
 * what happens to held, dependent, array and heterogeneous jobs:
 * docs/design.md.
 *
 * Thread rules (slurmctld's, see docs/design.md):
 *  - init() runs before slurmctld serves RPCs, so the first pass comes one
 *    interval later and a failing RPC is just retried at the next pass;
 *  - it talks to slurmctld only through the client API (job list,
 *    partitions, federation, update), never holding a slurmctld lock;
 *  - fini() wakes it and joins it, so `scontrol shutdown` and SIGTERM are
 *    prompt.
 * init() never fails: a failing plugstack init is fatal to slurmctld, and a
 * carbon plugin must never take the controller down.  It logs and runs
 * disabled instead.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "src/common/list.h"
#include "src/common/read_config.h"
#include "src/common/slurm_xlator.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/fed_mgr.h"

#include "carbon/decision_text.h"
#include "carbon/replan.h"
#include "carbon_ctld.h"
#include "carbon_job.h"
#include "footprint.h"

/* The entry points slurmctld looks up by name (see exports.map). */
#define EXPORT __attribute__((visibility("default")))
EXPORT int init(void);
EXPORT int fini(void);
EXPORT void slurmctld_plugstack_p_get_config(config_plugin_params_t *p);

EXPORT const char plugin_name[] = "Carbon-aware re-planning";
EXPORT const char plugin_type[] = "slurmctld/carbon";
EXPORT const uint32_t plugin_version = SLURM_VERSION_NUMBER;

/* Without a usable carbon.conf, how often to look again. */
#define REPLAN_INTERVAL_DEFAULT 300

static struct carbon_ctld ctld = {.who = "slurmctld/carbon"};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running;
	bool stop;
	int interval;
	uint64_t passes;
	uint64_t updated; /* jobs re-planned since start */
	uint64_t failed;  /* update RPCs refused */
} state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
	.interval = REPLAN_INTERVAL_DEFAULT,
};

/* Sleep until the next pass or until fini() asks us to stop. */
static bool wait_next_pass(void)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	pthread_mutex_lock(&state.lock);
	until.tv_sec += state.interval;
	while (!state.stop) {
		if (pthread_cond_timedwait(&state.wake, &state.lock, &until) ==
		    ETIMEDOUT)
			break;
	}
	stop = state.stop;
	pthread_mutex_unlock(&state.lock);
	return !stop;
}

/* The federation as seen by one pass: fed id -> carbon.conf index. */
struct view {
	uint32_t self_id;  /* this cluster's federation id; 0: none */
	int by_id[64 + 1]; /* carbon index of fed id, -1: unknown */
	uint64_t fed_mask; /* carbon indices of the federation's members */
	const char *names[CARBON_POLICY_MAX_CLUSTERS];
	size_t n;
	/* this cluster's partitions, for a job's run time; NULL: unknown */
	const partition_info_msg_t *parts;
};

/* fed_mgr.c's sibling bit for a cluster id (ids run from 1 to 63). */
static uint64_t fed_bit(uint32_t id)
{
	return UINT64_C(1) << (id - 1);
}

static void load_view(struct view *v, void *fed_ptr)
{
	slurmdb_federation_rec_t *fed = fed_ptr;
	slurmdb_cluster_rec_t *cl;
	ListIterator it;

	for (size_t i = 0; i < sizeof(v->by_id) / sizeof(v->by_id[0]); i++)
		v->by_id[i] = -1;
	v->self_id = 0;
	v->fed_mask = UINT64_C(1) << ctld.self;
	if (!fed || !fed->cluster_list)
		return;
	it = list_iterator_create(fed->cluster_list);
	while ((cl = list_next(it))) {
		int i = carbon_ctld_cluster_index(&ctld, cl->name);

		if (cl->fed.id < 1 || cl->fed.id > 63)
			continue;
		v->by_id[cl->fed.id] = i;
		if (i >= 0)
			v->fed_mask |= UINT64_C(1) << i;
		if (!xstrcmp(cl->name, slurm_conf.cluster_name))
			v->self_id = cl->fed.id;
	}
	list_iterator_destroy(it);
}

/* The carbon indices of a job's viable siblings. */
static uint64_t siblings_of(const struct view *v, const slurm_job_info_t *j)
{
	uint64_t mask = 0;

	if (!v->self_id)
		return UINT64_C(1) << ctld.self;
	for (uint32_t id = 1; id <= 63; id++)
		if ((j->fed_siblings_viable & fed_bit(id)) && v->by_id[id] >= 0)
			mask |= UINT64_C(1) << v->by_id[id];
	return mask;
}

static int by_job_id(const void *a, const void *b)
{
	const slurm_job_info_t *x = *(slurm_job_info_t *const *)a;
	const slurm_job_info_t *y = *(slurm_job_info_t *const *)b;

	if (x->job_id != y->job_id)
		return x->job_id < y->job_id ? -1 : 1;
	return 0;
}

/* A new plan, made under the locks and sent after them. */
struct update {
	uint32_t job_id;
	time_t begin;
	char *clusters;	     /* NULL: unchanged */
	char *admin_comment; /* the merged record */
	char why[CARBON_POLICY_REASON_MAX];
};

struct updates {
	struct update *u;
	size_t n, cap;
};

static struct update *next_update(struct updates *ups)
{
	if (ups->n == ups->cap) {
		ups->cap = ups->cap ? 2 * ups->cap : 16;
		xrecalloc(ups->u, ups->cap, sizeof(*ups->u));
	}
	return &ups->u[ups->n++];
}

static void add_update(const struct view *v, const slurm_job_info_t *o,
		       const struct carbon_replan *rp, uint64_t siblings,
		       struct updates *ups)
{
	char member[CARBON_DECISION_TEXT_MAX];
	char merged[CARBON_ADMIN_COMMENT_MAX + 1];
	struct update *u;

	if (carbon_decision_text(&rp->decision, v->names, v->n, member,
				 sizeof(member)) ||
	    carbon_admin_comment_merge(o->admin_comment, member, merged,
				       sizeof(merged))) {
		error("%s: job %u: new record too long; not re-planned",
		      plugin_type, o->job_id);
		return;
	}
	u = next_update(ups);
	u->job_id = o->job_id;
	u->begin = (time_t)rp->begin;
	u->admin_comment = xstrdup(merged);
	u->clusters =
		(v->self_id && rp->siblings != siblings)
			? carbon_job_cluster_list(v->names, v->n, rp->siblings)
			: NULL;
	snprintf(u->why, sizeof(u->why), "%s", rp->why);
}

/* A user or an admin changed the begin time: only the record changes,
 * marked "begin_by":"user", so no later pass defers the job again. */
static void add_mark(const slurm_job_info_t *o, const struct carbon_replan *rp,
		     struct updates *ups)
{
	char merged[CARBON_ADMIN_COMMENT_MAX + 1];
	struct update *u;

	if (carbon_decision_mark_user_begin(o->admin_comment, merged,
					    sizeof(merged))) {
		error("%s: job %u: record cannot be marked; left alone",
		      plugin_type, o->job_id);
		return;
	}
	u = next_update(ups);
	u->job_id = o->job_id;
	u->begin = 0; /* unchanged */
	u->admin_comment = xstrdup(merged);
	snprintf(u->why, sizeof(u->why), "%s", rp->why);
}

/*
 * One job (all its copies in the federation, [first, end)): re-plan it
 * when this cluster is its origin, every copy is pending and the origin
 * copy carries our record.
 */
static void replan_job(const struct view *v,
		       const struct carbon_policy_cluster *pc,
		       slurm_job_info_t **first, slurm_job_info_t **end,
		       int64_t now, struct updates *ups)
{
	struct carbon_decision_record rec;
	struct carbon_replan_job rj;
	struct carbon_job job;
	struct carbon_replan rp;
	slurm_job_info_t *o = NULL;
	char err[256];
	int rc;

	for (slurm_job_info_t **p = first; p < end; p++) {
		if (((*p)->job_state & JOB_STATE_BASE) != JOB_PENDING)
			return; /* started, or ended, somewhere */
		if (!v->self_id ||
		    !xstrcmp((*p)->cluster, slurm_conf.cluster_name))
			o = *p;
	}
	if (!o ||
	    (v->self_id && fed_mgr_get_cluster_id(o->job_id) != v->self_id))
		return;
	rc = carbon_decision_parse(o->admin_comment, &rec, err, sizeof(err));
	if (rc == 1)
		return; /* not a carbon job (or submitted before us) */
	if (rc) {
		verbose("%s: job %u: %s; left alone", plugin_type, o->job_id,
			err);
		return;
	}
	carbon_job_of_info(o, v->parts, &job);
	rj = (struct carbon_replan_job){
		.now = now,
		.begin_time = (int64_t)o->eligible_time, /* the begin time */
		.runtime = job.runtime,
		.usage = job.usage,
		.origin = (size_t)ctld.self,
		.siblings = siblings_of(v, o),
		/* A revoked origin copy may show priority 0: the reason
		 * tells a hold. */
		.held = o->state_reason == WAIT_HELD ||
			o->state_reason == WAIT_HELD_USER ||
			(o->priority == 0 && !(o->job_state & JOB_REVOKED)),
		.dependent = o->dependency && o->dependency[0],
		.array = o->array_task_id != NO_VAL || o->array_task_str ||
			 o->array_job_id,
		.het = o->het_job_id && o->het_job_id != NO_VAL,
		.record = &rec,
	};
	if (carbon_replan(&ctld.params, pc, v->n, &rj, &rp, err, sizeof(err))) {
		error("%s: job %u: %s", plugin_type, o->job_id, err);
		return;
	}
	if (rp.update)
		add_update(v, o, &rp, rj.siblings, ups);
	else if (rp.mark_user_begin)
		add_mark(o, &rp, ups);
	else
		debug2("%s: job %u: %s", plugin_type, o->job_id, rp.why);
}

/* Under ctld's read lock (config) and the snapshot's (series). */
static void replan_jobs(struct view *v, job_info_msg_t *jobs, int64_t now,
			struct updates *ups)
{
	struct carbon_policy_cluster pc[CARBON_POLICY_MAX_CLUSTERS];
	slurm_job_info_t **all;
	uint32_t n = jobs->record_count;

	if (!n)
		return;
	v->n = carbon_ctld_clusters(&ctld, now, pc, v->names);
	all = xcalloc(n, sizeof(*all));
	for (uint32_t i = 0; i < n; i++)
		all[i] = &jobs->job_array[i];
	qsort(all, n, sizeof(*all), by_job_id);
	for (uint32_t i = 0, k; i < n; i = k) {
		for (k = i + 1; k < n && all[k]->job_id == all[i]->job_id; k++)
			;
		if (all[i]->job_id)
			replan_job(v, pc, all + i, all + k, now, ups);
	}
	xfree(all);
}

/* One update RPC per job, after every lock is released. */
static uint64_t send_updates(struct updates *ups)
{
	uint64_t ok = 0, refused = 0;

	for (size_t i = 0; i < ups->n; i++) {
		struct update *up = &ups->u[i];
		job_desc_msg_t u;

		slurm_init_job_desc_msg(&u);
		u.job_id = up->job_id;
		u.begin_time = up->begin;
		u.admin_comment = up->admin_comment;
		u.clusters = up->clusters;
		if (slurm_update_job(&u) == SLURM_SUCCESS) {
			ok++;
			if (!up->begin)
				info("%s: job %u %s", plugin_type, up->job_id,
				     up->why);
			else
				info("%s: job %u %s; begin %s, clusters %s",
				     plugin_type, up->job_id, up->why,
				     up->begin > time(NULL) ? "later" : "now",
				     up->clusters ? up->clusters : "unchanged");
		} else {
			refused++;
			error("%s: job %u: update refused: %s", plugin_type,
			      up->job_id, slurm_strerror(slurm_get_errno()));
		}
		xfree(up->clusters);
		xfree(up->admin_comment);
	}
	xfree(ups->u);
	pthread_mutex_lock(&state.lock);
	state.updated += ok;
	state.failed += refused;
	pthread_mutex_unlock(&state.lock);
	return ok;
}

static void replan_pass(void)
{
	job_info_msg_t *jobs = NULL;
	partition_info_msg_t *parts = NULL;
	void *fed = NULL;
	struct view v = {0};
	struct updates ups = {0};
	uint16_t flags = SHOW_ALL | SHOW_LOCAL;
	struct timespec t0, t1;
	uint64_t changed;
	int interval;
	double ms;

	carbon_ctld_read_lock(&ctld);
	interval = carbon_ctld_enabled(&ctld) ? (int)ctld.cfg->replan_interval
					      : REPLAN_INTERVAL_DEFAULT;
	carbon_ctld_read_unlock(&ctld);
	pthread_mutex_lock(&state.lock);
	state.interval = interval;
	pthread_mutex_unlock(&state.lock);

	if (slurm_load_federation(&fed) == SLURM_SUCCESS && fed)
		flags = SHOW_ALL | SHOW_FEDERATION | SHOW_SIBLING;
	if (slurm_load_jobs(0, &jobs, flags) != SLURM_SUCCESS) {
		debug("%s: cannot load jobs (%s); next pass in %d s",
		      plugin_type, slurm_strerror(slurm_get_errno()), interval);
		goto out;
	}
	/* For the run time of a job without a time limit, as job_submit
	 * takes it under slurmctld's partition lock: here over RPC, because
	 * this thread holds no slurmctld lock. */
	if (slurm_load_partitions(0, &parts, SHOW_ALL | SHOW_LOCAL) !=
	    SLURM_SUCCESS) {
		debug("%s: cannot load partitions (%s); jobs without a time "
		      "limit are planned for an hour",
		      plugin_type, slurm_strerror(slurm_get_errno()));
		parts = NULL;
	}
	v.parts = parts;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	carbon_ctld_read_lock(&ctld);
	if (carbon_ctld_enabled(&ctld)) {
		load_view(&v, fed);
		if (ctld.snap)
			carbon_snapshot_read_lock(ctld.snap);
		replan_jobs(&v, jobs, (int64_t)time(NULL), &ups);
		if (ctld.snap)
			carbon_snapshot_read_unlock(ctld.snap);
	}
	carbon_ctld_read_unlock(&ctld);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	changed = send_updates(&ups);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
	     (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (changed)
		info("%s: re-planning pass over %u job records: %" PRIu64
		     " re-planned (decided in %.1f ms)",
		     plugin_type, jobs->record_count, changed, ms);
	else
		debug("%s: re-planning pass over %u job records: none "
		      "re-planned (decided in %.1f ms)",
		      plugin_type, jobs->record_count, ms);
out:
	if (jobs)
		slurm_free_job_info_msg(jobs);
	if (parts)
		slurm_free_partition_info_msg(parts);
	if (fed)
		slurm_destroy_federation_rec(fed);
}

static void *replan_thread(void *arg)
{
	(void)arg;
	while (wait_next_pass()) {
		replan_pass();
		pthread_mutex_lock(&state.lock);
		state.passes++;
		pthread_mutex_unlock(&state.lock);
	}
	return NULL;
}

int init(void)
{
	int rc;

	pthread_mutex_lock(&state.lock);
	if (state.running) {
		pthread_mutex_unlock(&state.lock);
		error("%s: init called twice; keeping the running thread",
		      plugin_type);
		return SLURM_SUCCESS;
	}
	pthread_mutex_unlock(&state.lock);
	carbon_ctld_open(&ctld, plugin_type);
	carbon_ctld_read_lock(&ctld);
	if (carbon_ctld_enabled(&ctld))
		state.interval = (int)ctld.cfg->replan_interval;
	carbon_ctld_read_unlock(&ctld);
	pthread_mutex_lock(&state.lock);
	state.stop = false;
	rc = pthread_create(&state.thread, NULL, replan_thread, NULL);
	state.running = (rc == 0);
	pthread_mutex_unlock(&state.lock);

	if (rc)
		error("%s: cannot start the re-planning thread (%s); running "
		      "without re-planning",
		      plugin_type, strerror(rc));
	else
		info("%s: loaded, re-planning every %d s", plugin_type,
		     state.interval);
	carbon_footprint_start(&ctld);
	return SLURM_SUCCESS;
}

int fini(void)
{
	bool join;

	pthread_mutex_lock(&state.lock);
	join = state.running;
	state.stop = true;
	pthread_cond_broadcast(&state.wake);
	pthread_mutex_unlock(&state.lock);
	if (join)
		pthread_join(state.thread, NULL);
	state.running = false;
	carbon_footprint_stop();
	carbon_ctld_close(&ctld);
	return SLURM_SUCCESS;
}

static void add_pair(List pairs, const char *name, char *value_owned)
{
	config_key_pair_t *kp = xmalloc(sizeof(*kp));

	kp->name = xstrdup(name);
	kp->value = value_owned;
	list_append(pairs, kp);
}

/* This plugin's snapshot's counters (job_submit/carbon keeps its own). */
static void add_snapshot_pairs(List pairs)
{
	struct carbon_snapshot_stats st = {0};
	bool have = false;

	carbon_ctld_read_lock(&ctld);
	if (ctld.snap) {
		carbon_snapshot_stats_get(ctld.snap, &st);
		have = true;
	}
	carbon_ctld_read_unlock(&ctld);
	add_pair(pairs, "SnapshotRefreshes",
		 have ? xstrdup_printf("%" PRIu64, st.refreshes)
		      : xstrdup("none (no snapshot)"));
	add_pair(pairs, "RecordsLoaded", xstrdup_printf("%" PRIu64, st.loaded));
	add_pair(pairs, "RecordsMissing",
		 xstrdup_printf("%" PRIu64, st.missing));
	add_pair(pairs, "RecordsRejected",
		 xstrdup_printf("%" PRIu64, st.rejected));
	add_pair(pairs, "RedisErrors",
		 xstrdup_printf("%" PRIu64, st.redis_errors));
	add_pair(pairs, "SecretErrors",
		 xstrdup_printf("%" PRIu64, st.secret_errors));
}

/* Shown by `scontrol show config` under the plugstack section. */
void slurmctld_plugstack_p_get_config(config_plugin_params_t *p)
{
	struct carbon_footprint_stats fs;
	uint64_t passes, updated, failed;
	bool running;
	int interval;

	pthread_mutex_lock(&state.lock);
	passes = state.passes;
	updated = state.updated;
	failed = state.failed;
	running = state.running;
	interval = state.interval;
	pthread_mutex_unlock(&state.lock);

	xstrcat(p->name, plugin_type);
	add_pair(p->key_pairs, "ReplanInterval",
		 xstrdup_printf("%d sec", interval));
	add_pair(p->key_pairs, "ReplanThread",
		 xstrdup(running ? "running" : "stopped"));
	add_pair(p->key_pairs, "ReplanPasses",
		 xstrdup_printf("%" PRIu64, passes));
	add_pair(p->key_pairs, "ReplannedJobs",
		 xstrdup_printf("%" PRIu64, updated));
	add_pair(p->key_pairs, "ReplanUpdatesRefused",
		 xstrdup_printf("%" PRIu64, failed));
	carbon_footprint_stats_get(&fs);
	add_pair(p->key_pairs, "FootprintInterval",
		 xstrdup_printf("%d sec", fs.interval));
	add_pair(p->key_pairs, "FootprintThread",
		 xstrdup(fs.running ? "running" : "stopped"));
	add_pair(p->key_pairs, "FootprintPasses",
		 xstrdup_printf("%" PRIu64, fs.passes));
	add_pair(p->key_pairs, "FootprintsRecorded",
		 xstrdup_printf("%" PRIu64, fs.recorded));
	add_pair(p->key_pairs, "FootprintsFailed",
		 xstrdup_printf("%" PRIu64, fs.failed));
	add_snapshot_pairs(p->key_pairs);
}
