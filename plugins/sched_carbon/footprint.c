/*
 * The footprint recorder of slurmctld/carbon (footprint.h).
 *
 * Each pass asks the accounting database, over slurmctld's own
 * connection (acct_db_conn: a second connection would take over the
 * controller's agent connection in 22.05's accounting_storage/slurmdbd),
 * for this cluster's jobs that ended in [since, now] in a final state,
 * every run of a requeued job included.  For each row without a
 * footprint yet it computes one (carbon_job_footprint_compute(), on the
 * snapshot the plugins share) and writes it into the row's AdminComment
 * with the same request as `sacctmgr modify job`, selecting exactly that
 * row (job or array task or component, state and end time).
 *
 * Only rows the database already shows as ended are written, so the
 * controller's own job-complete record, which carries AdminComment, has
 * been applied before and cannot overwrite the footprint.  since moves on
 * only after a pass that was answered, and lags CARBON_FP_MARGIN behind,
 * for records that reach slurmdbd late; a row seen twice is skipped by
 * its "carbon_fp" member.
 *
 * Like the re-planner, this thread holds no slurmctld lock while it waits
 * (it takes the assoc_mgr TRES read lock for a lookup, nothing else); a
 * slow or absent slurmdbd delays only this thread and slurmctld's own
 * agent, which queues.
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "slurm/slurm.h"
#include "slurm/slurm_errno.h"
#include "slurm/slurmdb.h"
#include "src/common/slurm_xlator.h"
#include "src/common/assoc_mgr.h"
#include "src/common/hostlist.h"
#include "src/common/list.h"
#include "src/common/slurm_accounting_storage.h"
#include "src/common/slurmdb_defs.h"
#include "src/common/xmalloc.h"
#include "src/common/xstring.h"
#include "src/slurmctld/fed_mgr.h"
#include "src/slurmctld/slurmctld.h"

#include "carbon/decision_text.h"
#include "carbon/job_footprint.h"
#include "footprint.h"

/* How far since lags behind the last answered pass (seconds). */
#define CARBON_FP_MARGIN 600

static const char who[] = "slurmctld/carbon";

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stop;
	struct carbon_ctld *ctld;
	struct carbon_footprint_stats st;
} fp = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

/* What one pass knows besides the rows. */
struct pass {
	int self;		/* carbon index of this cluster */
	int by_fed_id[64];	/* carbon index of a federation cluster id */
	int gpu_tres;		/* TRES id of gres/gpu; -1: not tracked */
	node_info_msg_t *nodes; /* for whether a job had its nodes alone */
	bool nodes_loaded;	/* asked for once a pass, when first needed */
	uint64_t recorded, failed;
};

static bool wait_next(int interval)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += interval;
	pthread_mutex_lock(&fp.lock);
	while (!fp.stop &&
	       pthread_cond_timedwait(&fp.wake, &fp.lock, &until) != ETIMEDOUT)
		;
	stop = fp.stop;
	pthread_mutex_unlock(&fp.lock);
	return !stop;
}

static int gpu_tres_id(void)
{
	assoc_mgr_lock_t locks = {.tres = READ_LOCK};
	char type[] = "gres", name[] = "gpu";
	slurmdb_tres_rec_t want = {.type = type, .name = name};
	int pos, id = -1;

	assoc_mgr_lock(&locks);
	pos = assoc_mgr_find_tres_pos(&want, true);
	if (pos >= 0 && assoc_mgr_tres_array && assoc_mgr_tres_array[pos])
		id = (int)assoc_mgr_tres_array[pos]->id;
	assoc_mgr_unlock(&locks);
	return id;
}

static void load_federation(struct pass *p, const struct carbon_ctld *c)
{
	slurmdb_federation_rec_t *fed = NULL;
	slurmdb_cluster_rec_t *cl;
	ListIterator it;

	for (int i = 0; i < 64; i++)
		p->by_fed_id[i] = -1;
	if (slurm_load_federation((void **)&fed) != SLURM_SUCCESS || !fed)
		return;
	if (fed->cluster_list) {
		it = list_iterator_create(fed->cluster_list);
		while ((cl = list_next(it)))
			if (cl->fed.id >= 1 && cl->fed.id < 64)
				p->by_fed_id[cl->fed.id] =
					carbon_ctld_cluster_index(c, cl->name);
		list_iterator_destroy(it);
	}
	slurm_destroy_federation_rec(fed);
}

/* A TRES count from a tres string ("1=2,2=4000,3=51230"); -1: absent. */
static double tres_count(char *tres, int id)
{
	uint64_t v;

	if (!tres || id < 0)
		return -1;
	v = slurmdb_find_tres_count_in_string(tres, id);
	if (v == INFINITE64 || v == NO_VAL64)
		return -1;
	return (double)v;
}

/* Did the job have every CPU of its nodes (so a node meter is its own)? */
static bool had_nodes_alone(struct pass *p, const slurmdb_job_rec_t *j,
			    double cores)
{
	hostlist_t hl;
	char *host;
	double total = 0;

	/* only jobs with a measurement get here: most sites have none */
	if (!p->nodes_loaded) {
		p->nodes_loaded = true;
		if (slurm_load_node(0, &p->nodes, SHOW_ALL) != SLURM_SUCCESS)
			p->nodes = NULL;
	}
	if (!p->nodes || !j->nodes || cores <= 0)
		return false;
	hl = hostlist_create(j->nodes);
	if (!hl)
		return false;
	while ((host = hostlist_shift(hl))) {
		for (uint32_t i = 0; i < p->nodes->record_count; i++) {
			node_info_t *n = &p->nodes->node_array[i];

			if (n->name && !xstrcmp(n->name, host))
				total += n->cpus;
		}
		free(host);
	}
	hostlist_destroy(hl);
	return total > 0 && cores >= total;
}

/*
 * The job's own measured energy, or -1.  Slurm 22.05 charges a step its
 * node's whole meter while it runs, adds only srun steps to the job's
 * energy TRES, and never the batch step's (measured in 46-energy.bats on
 * the l-energy branch).  So: the extern step's, which spans the whole
 * allocation on every node (PrologFlags=Contain); else, on one node, the
 * batch step's, which spans the whole script and the srun steps in it.
 * Anything else (srun steps alone, which may overlap; several nodes
 * without an extern step) is no complete measurement.  0 is none too:
 * acct_gather_energy/none records 0.
 */
static double measured_energy(const slurmdb_job_rec_t *j)
{
	double ext = -1, batch = -1;
	slurmdb_step_rec_t *st;
	ListIterator it;

	if (!j->steps)
		return -1;
	it = list_iterator_create(j->steps);
	while ((st = list_next(it))) {
		uint64_t e = st->stats.consumed_energy;

		if (e == NO_VAL64 || e == 0)
			continue;
		if (st->step_id.step_id == SLURM_EXTERN_CONT)
			ext = (double)e;
		else if (st->step_id.step_id == SLURM_BATCH_SCRIPT)
			batch = (double)e;
	}
	list_iterator_destroy(it);
	if (ext > 0)
		return ext;
	return j->alloc_nodes == 1 ? batch : -1;
}

static void usage_of(struct pass *p, slurmdb_job_rec_t *j,
		     struct carbon_finished_job *f)
{
	slurmdb_step_rec_t *st;
	ListIterator it;

	f->cores = tres_count(j->tres_alloc_str, TRES_CPU);
	if (f->cores < 0)
		f->cores = j->req_cpus;
	f->mem_gb = tres_count(j->tres_alloc_str, TRES_MEM) / 1024.0;
	if (f->mem_gb < 0)
		f->mem_gb = 0;
	f->gpus = tres_count(j->tres_alloc_str, p->gpu_tres);
	if (f->gpus < 0)
		f->gpus = 0;
	if (j->steps) {
		it = list_iterator_create(j->steps);
		while ((st = list_next(it)))
			f->cpu_seconds += (double)st->tot_cpu_sec +
					  (double)st->tot_cpu_usec / 1e6;
		list_iterator_destroy(it);
	}
	f->energy_j = measured_energy(j);
	f->exclusive = f->energy_j > 0 && had_nodes_alone(p, j, f->cores);
}

static int origin_of(const struct pass *p, uint32_t job_id)
{
	uint32_t id = fed_mgr_get_cluster_id(job_id); /* the origin's */

	if (id >= 1 && id < 64 && p->by_fed_id[id] >= 0)
		return p->by_fed_id[id];
	return p->self;
}

/* The condition that selects exactly row j. */
static void row_cond(const slurmdb_job_rec_t *j, slurmdb_job_cond_t *c)
{
	slurm_selected_step_t *s = xmalloc(sizeof(*s));

	memset(c, 0, sizeof(*c));
	s->step_id.job_id = j->jobid;
	s->step_id.step_id = NO_VAL;
	s->step_id.step_het_comp = NO_VAL;
	s->array_task_id = NO_VAL;
	s->het_job_offset = NO_VAL;
	if (j->array_task_id != NO_VAL && j->array_job_id) {
		s->step_id.job_id = j->array_job_id;
		s->array_task_id = j->array_task_id;
	} else if (j->het_job_id && j->het_job_offset != NO_VAL) {
		s->step_id.job_id = j->het_job_id;
		s->het_job_offset = j->het_job_offset;
	}
	c->step_list = list_create(slurm_destroy_selected_step);
	list_append(c->step_list, s);
	c->cluster_list = list_create(xfree_ptr);
	list_append(c->cluster_list, xstrdup(j->cluster));
	c->state_list = list_create(xfree_ptr);
	/* as stored: a base state, or JOB_REQUEUE for a run that was requeued */
	list_append(c->state_list, xstrdup_printf("%u", j->state));
	c->usage_start = j->end;
	c->usage_end = j->end;
	c->flags = JOBCOND_FLAG_DUP | JOBCOND_FLAG_NO_DEFAULT_USAGE;
	c->db_flags = SLURMDB_JOB_FLAG_NOTSET;
}

static int write_row(const slurmdb_job_rec_t *j, const char *merged)
{
	slurmdb_job_cond_t cond;
	slurmdb_job_rec_t *rec = slurmdb_create_job_rec();
	List changed;
	int n;

	row_cond(j, &cond);
	rec->admin_comment = xstrdup(merged);
	errno = 0;
	changed = acct_storage_g_modify_job(acct_db_conn, getuid(), &cond, rec);
	n = changed ? list_count(changed) : 0;
	FREE_NULL_LIST(changed);
	slurmdb_destroy_job_rec(rec);
	FREE_NULL_LIST(cond.step_list);
	FREE_NULL_LIST(cond.cluster_list);
	FREE_NULL_LIST(cond.state_list);
	if (n != 1)
		error("%s: JobId=%u: footprint not recorded: the database "
		      "changed %d rows (%s)",
		      who, j->jobid, n, errno ? slurm_strerror(errno) : "-");
	return n == 1 ? 0 : -1;
}

/*
 * What row j says of the run, before any lock (usage may ask for nodes);
 * plan_at: the cluster the decision chose ("" without one), which tells a
 * job the plan moved from one the federation ran at a sibling by itself.
 */
static void facts_of(struct pass *p, slurmdb_job_rec_t *j,
		     struct carbon_finished_job *f, char *plan_at, size_t len)
{
	struct carbon_decision_record d;
	bool has_record =
		carbon_decision_parse(j->admin_comment, &d, NULL, 0) == 0;

	memset(f, 0, sizeof(*f));
	f->ran = j->start > 0 && j->end >= j->start && j->alloc_nodes > 0;
	f->submit = j->submit;
	f->start = j->start;
	f->end = j->end;
	f->ran_at = (size_t)p->self;
	f->origin = (size_t)origin_of(p, j->jobid);
	f->deferred = carbon_job_deferred(has_record, has_record && d.deferred,
					  j->submit, j->eligible);
	snprintf(plan_at, len, "%s", has_record ? d.at : "");
	if (f->ran)
		usage_of(p, j, f);
}

/* The footprint member of f, under the ctld and snapshot locks. */
static int member_of(const struct carbon_ctld *c,
		     const struct carbon_finished_job *f, uint32_t job_id,
		     char *member, size_t len)
{
	struct carbon_policy_cluster cl[CARBON_POLICY_MAX_CLUSTERS];
	const char *names[CARBON_POLICY_MAX_CLUSTERS];
	struct carbon_job_footprint out;
	char err[256];
	size_t n = carbon_ctld_clusters(c, (int64_t)time(NULL), cl, names);

	if (carbon_job_footprint_compute(f, cl, n, c->cfg->signal,
					 c->cfg->basis, &out, err,
					 sizeof(err)) ||
	    carbon_job_footprint_text(&out, names, n, member, len)) {
		error("%s: JobId=%u: no footprint: %s", who, job_id, err);
		return -1;
	}
	debug("%s: JobId=%u footprint %s", who, job_id, member);
	return 0;
}

static void record_row(struct pass *p, struct carbon_ctld *c,
		       slurmdb_job_rec_t *j)
{
	char member[CARBON_JOB_FOOTPRINT_TEXT_MAX];
	char merged[CARBON_ADMIN_COMMENT_MAX + 1];
	char plan_at[sizeof(((struct carbon_decision_record *)0)->at)];
	struct carbon_finished_job f;
	int rc;

	if (j->admin_comment && strstr(j->admin_comment, "\"carbon_fp\":{"))
		return;
	facts_of(p, j, &f, plan_at, sizeof(plan_at));
	carbon_ctld_read_lock(c);
	if (c->snap)
		carbon_snapshot_read_lock(c->snap);
	f.moved = plan_at[0] &&
		  carbon_ctld_cluster_index(c, plan_at) == (int)f.ran_at;
	rc = carbon_ctld_enabled(c)
		     ? member_of(c, &f, j->jobid, member, sizeof(member))
		     : -1;
	if (c->snap)
		carbon_snapshot_read_unlock(c->snap);
	carbon_ctld_read_unlock(c);
	if (!rc && carbon_admin_comment_merge(j->admin_comment, member, merged,
					      sizeof(merged))) {
		error("%s: JobId=%u: AdminComment would be too long with the "
		      "footprint; not recorded",
		      who, j->jobid);
		rc = -1;
	}
	if (!rc)
		rc = write_row(j, merged);
	if (rc)
		p->failed++;
	else
		p->recorded++;
}

static List ended_rows(const char *cluster, time_t since, time_t until)
{
	static const uint32_t final[] = {
		JOB_COMPLETE,  JOB_CANCELLED, JOB_FAILED,    JOB_TIMEOUT,
		JOB_NODE_FAIL, JOB_PREEMPTED, JOB_BOOT_FAIL, JOB_DEADLINE,
		JOB_OOM,       JOB_REQUEUE,
	};
	slurmdb_job_cond_t cond = {0};
	List rows;

	cond.cluster_list = list_create(xfree_ptr);
	list_append(cond.cluster_list, xstrdup(cluster));
	cond.state_list = list_create(xfree_ptr);
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++)
		list_append(cond.state_list, xstrdup_printf("%u", final[i]));
	cond.usage_start = since;
	cond.usage_end = until;
	cond.flags = JOBCOND_FLAG_DUP | JOBCOND_FLAG_NO_TRUNC;
	/* 0 would ask for jobs with no scheduling flag at all: none */
	cond.db_flags = SLURMDB_JOB_FLAG_NOTSET;
	rows = jobacct_storage_g_get_jobs_cond(acct_db_conn, getuid(), &cond);
	FREE_NULL_LIST(cond.cluster_list);
	FREE_NULL_LIST(cond.state_list);
	return rows;
}

/* One pass over [since, now]; returns whether the database answered. */
static bool footprint_pass(struct carbon_ctld *c, time_t since, time_t now)
{
	struct pass p = {.gpu_tres = -1};
	char cluster[256];
	slurmdb_job_rec_t *j;
	ListIterator it;
	List rows;

	carbon_ctld_read_lock(c);
	p.self = carbon_ctld_enabled(c) ? c->self : -1;
	snprintf(cluster, sizeof(cluster), "%s",
		 p.self >= 0 ? c->cfg->clusters[p.self].name : "");
	carbon_ctld_read_unlock(c);
	if (p.self < 0 || !acct_db_conn)
		return false;
	rows = ended_rows(cluster, since, now);
	if (!rows) {
		debug("%s: footprints: the accounting database did not answer; "
		      "next pass tries again from the same time",
		      who);
		return false;
	}
	if (list_count(rows)) {
		load_federation(&p, c);
		p.gpu_tres = gpu_tres_id();
		it = list_iterator_create(rows);
		while ((j = list_next(it)))
			record_row(&p, c, j);
		list_iterator_destroy(it);
		if (p.nodes)
			slurm_free_node_info_msg(p.nodes);
	}
	FREE_NULL_LIST(rows);
	if (p.recorded || p.failed)
		info("%s: footprints of %" PRIu64 " jobs recorded, %" PRIu64
		     " failed",
		     who, p.recorded, p.failed);
	pthread_mutex_lock(&fp.lock);
	fp.st.passes++;
	fp.st.recorded += p.recorded;
	fp.st.failed += p.failed;
	pthread_mutex_unlock(&fp.lock);
	return true;
}

static int interval_now(struct carbon_ctld *c, int64_t *lookback)
{
	int interval = 60;

	carbon_ctld_read_lock(c);
	if (carbon_ctld_enabled(c)) {
		interval = (int)c->cfg->footprint_interval;
		*lookback = c->cfg->footprint_lookback;
	}
	carbon_ctld_read_unlock(c);
	return interval;
}

static void *footprint_thread(void *arg)
{
	struct carbon_ctld *c = arg;
	int64_t lookback = 86400;
	int interval = interval_now(c, &lookback);
	time_t since = 0;

	/* the first pass one interval in: slurmctld serves RPCs by then */
	while (wait_next(interval > 0 ? interval : 60)) {
		time_t now = time(NULL);

		interval = interval_now(c, &lookback);
		pthread_mutex_lock(&fp.lock);
		fp.st.interval = interval;
		pthread_mutex_unlock(&fp.lock);
		if (interval <= 0)
			continue;
		if (!since)
			since = now - (time_t)lookback;
		if (footprint_pass(c, since, now)) {
			since = now - CARBON_FP_MARGIN > since
					? now - CARBON_FP_MARGIN
					: since;
			pthread_mutex_lock(&fp.lock);
			fp.st.since = since;
			pthread_mutex_unlock(&fp.lock);
		}
	}
	return NULL;
}

void carbon_footprint_start(struct carbon_ctld *ctld)
{
	int64_t lookback = 0;
	int rc;

	pthread_mutex_lock(&fp.lock);
	if (fp.running) {
		pthread_mutex_unlock(&fp.lock);
		return;
	}
	fp.ctld = ctld;
	fp.stop = false;
	fp.st.interval = interval_now(ctld, &lookback);
	rc = pthread_create(&fp.thread, NULL, footprint_thread, ctld);
	fp.running = fp.st.running = (rc == 0);
	pthread_mutex_unlock(&fp.lock);
	if (rc)
		error("%s: cannot start the footprint thread (%s); no job "
		      "footprints",
		      who, strerror(rc));
}

void carbon_footprint_stop(void)
{
	bool join;

	pthread_mutex_lock(&fp.lock);
	join = fp.running;
	fp.stop = true;
	pthread_cond_broadcast(&fp.wake);
	pthread_mutex_unlock(&fp.lock);
	if (join)
		pthread_join(fp.thread, NULL);
	fp.running = fp.st.running = false;
}

void carbon_footprint_stats_get(struct carbon_footprint_stats *st)
{
	pthread_mutex_lock(&fp.lock);
	*st = fp.st;
	pthread_mutex_unlock(&fp.lock);
}
