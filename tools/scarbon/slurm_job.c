/*
 * scarbon job and scarbon queue: one job in words, and the pending carbon
 * jobs with their plan.  Finished jobs come from slurmdbd (the row of the
 * cluster that ran it, as sacct -L shows it); pending ones from the
 * controller (squeue --federation's view).  Records are read with the
 * core's parsers (carbon/decision_text.h, carbon/job_footprint.h).
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include "carbon/decision_text.h"
#include "carbon/job_footprint.h"
#include "scarbon.h"

struct facts {
	bool has_d, has_fp, d_bad, fp_bad;
	struct carbon_decision_record d;
	struct carbon_job_footprint_record fp;
};

static void read_records(const char *comment, struct facts *f)
{
	int rc;

	memset(f, 0, sizeof(*f));
	rc = carbon_decision_parse(comment, &f->d, NULL, 0);
	f->has_d = rc == 0;
	f->d_bad = rc < 0;
	rc = carbon_job_footprint_parse(comment, &f->fp, NULL, 0);
	f->has_fp = rc == 0;
	f->fp_bad = rc < 0;
}

static const char *energy_words(const char *e)
{
	if (!strcmp(e, "measured-slurm"))
		return "measured by Slurm's energy accounting";
	if (!strcmp(e, "model"))
		return "estimated from the cores, memory and GPUs it had";
	return e;
}

static const char *quality_words(const char *q)
{
	if (!strcmp(q, "fresh"))
		return "fresh intensity data";
	if (!strcmp(q, "stale"))
		return "stale intensity data (the provider had not answered "
		       "lately)";
	if (!strcmp(q, "fallback"))
		return "fallback intensity (no live data for part of the run)";
	return q;
}

/* The job's rows in slurmdbd (every cluster unless -M), or NULL. */
static List db_rows(void *db, const struct scarbon_opts *o)
{
	slurmdb_job_cond_t c = {0};
	slurm_selected_step_t *s = calloc(1, sizeof(*s));
	List rows;

	if (!s)
		return NULL;
	s->step_id.job_id = o->job_id;
	s->step_id.step_id = NO_VAL;
	s->step_id.step_het_comp = NO_VAL;
	s->array_task_id = NO_VAL;
	s->het_job_offset = NO_VAL;
	c.step_list = slurm_list_create(free);
	slurm_list_append(c.step_list, s);
	if (o->cluster) {
		c.cluster_list = slurm_list_create(free);
		slurm_list_append(c.cluster_list, strdup(o->cluster));
	}
	c.flags = JOBCOND_FLAG_NO_TRUNC;
	c.db_flags = SLURMDB_JOB_FLAG_NOTSET;
	rows = slurmdb_jobs_get(db, &c);
	slurm_list_destroy(c.step_list);
	if (c.cluster_list)
		slurm_list_destroy(c.cluster_list);
	return rows;
}

/* The row of the run (sacct -L's): not a sibling's revoked copy. */
static slurmdb_job_rec_t *pick_row(List rows)
{
	slurmdb_job_rec_t *j, *best = NULL;
	ListIterator it = slurm_list_iterator_create(rows);

	while ((j = slurm_list_next(it))) {
		if (j->state & JOB_REVOKED)
			continue;
		if (!best || j->submit >= best->submit)
			best = j;
	}
	slurm_list_iterator_destroy(it);
	return best;
}

double scarbon_cores_of(char *tres, uint32_t req)
{
	uint64_t v =
		tres ? slurmdb_find_tres_count_in_string(tres, 1) : NO_VAL64;

	if (v == INFINITE64 || v == NO_VAL64)
		return req;
	return (double)v;
}

static void say_decision(const struct facts *f)
{
	char t[32];

	if (!f->has_d) {
		printf("  Decision:   %s\n",
		       f->d_bad ? "its carbon record is damaged"
				: "none (not a carbon-aware job)");
		return;
	}
	printf("  Decision:   run at %s, %s%s\n", f->d.at,
	       f->d.deferred ? "from " : "at once",
	       f->d.deferred ? scarbon_time(f->d.begin, t, sizeof(t)) : "");
	if (f->d.why[0])
		printf("  Why:        %s\n", f->d.why);
	if (f->d.rank[0])
		printf("  Ranking:    %s (expected gCO2e per cluster, best "
		       "first)\n",
		       f->d.rank);
	if (f->d.quality[0])
		printf("  Data:       %s\n", quality_words(f->d.quality));
}

static void say_footprint(const struct facts *f)
{
	char a[32], b[32], c[32];
	const struct carbon_job_footprint_record *p = &f->fp;

	if (!f->has_fp) {
		printf("  Footprint:  %s\n",
		       f->fp_bad ? "its footprint record is damaged"
				 : "not recorded yet (it is written within "
				   "a minute of the job's end)");
		return;
	}
	if (!p->ran) {
		printf("  Footprint:  none: the job never ran\n");
		return;
	}
	printf("  Energy:     %s kWh, %s", scarbon_num(p->kwh, a, sizeof(a)),
	       energy_words(p->energy));
	if (p->cpu_use >= 0)
		printf(" (CPU use %s%%)",
		       scarbon_num(p->cpu_use * 100, b, sizeof(b)));
	printf("\n  Emissions:  %s g CO2e (%s g/kWh on average over the run; "
	       "%s, %s)\n",
	       scarbon_num(p->g, a, sizeof(a)),
	       scarbon_num(p->ci, b, sizeof(b)), quality_words(p->quality),
	       p->sig);
	if (!strcmp(p->plan, "none")) {
		printf("  Saving:     none: the plan did not move or defer it "
		       "(had it run at once at %s: the same %s g)\n",
		       p->from, scarbon_num(p->cf_g, c, sizeof(c)));
		return;
	}
	printf("  Had it run at once at %s: %s g CO2e\n", p->from,
	       scarbon_num(p->cf_g, c, sizeof(c)));
	if (p->saved_g >= 0)
		printf("  Saving:     %s g CO2e (%s%%) by the plan (%s)\n",
		       scarbon_num(p->saved_g, a, sizeof(a)),
		       scarbon_num(p->cf_g > 0 ? 100 * p->saved_g / p->cf_g : 0,
				   b, sizeof(b)),
		       p->plan);
	else
		printf("  Saving:     none: the plan (%s) cost %s g CO2e more "
		       "than running at once\n",
		       p->plan, scarbon_num(-p->saved_g, a, sizeof(a)));
}

static void job_words(const slurmdb_job_rec_t *j, const struct facts *f)
{
	char a[32], b[32], s[32];
	bool ran = j->start > 0 && j->alloc_nodes > 0;

	printf("Job %u (%s) of %s, account %s: %s\n", j->jobid,
	       j->jobname ? j->jobname : "", j->user ? j->user : "?",
	       j->account ? j->account : "?", slurm_job_state_string(j->state));
	printf("  Submitted:  %s\n", scarbon_time(j->submit, a, sizeof(a)));
	if (ran && j->end > 0)
		printf("  Ran:        on %s from %s to %s (%s)\n", j->cluster,
		       scarbon_time(j->start, a, sizeof(a)),
		       scarbon_time(j->end, b, sizeof(b)),
		       scarbon_span(j->end - j->start, s, sizeof(s)));
	else if (ran)
		printf("  Running:    on %s since %s\n", j->cluster,
		       scarbon_time(j->start, a, sizeof(a)));
	else if ((j->state & JOB_STATE_BASE) == JOB_PENDING)
		printf("  Waiting:    not started yet\n");
	else
		printf("  Never ran:  it ended (%s) before it started, so it "
		       "has no footprint\n",
		       slurm_job_state_string(j->state));
	say_decision(f);
	if (ran && j->end > 0)
		say_footprint(f);
}

static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static struct json_object *job_json(const slurmdb_job_rec_t *j,
				    const struct facts *f)
{
	struct json_object *o = json_object_new_object(), *x;
	const struct carbon_job_footprint_record *p = &f->fp;

	json_object_object_add(o, "job_id", json_object_new_int64(j->jobid));
	json_object_object_add(o, "name", jstr(j->jobname));
	json_object_object_add(o, "user", jstr(j->user));
	json_object_object_add(o, "account", jstr(j->account));
	json_object_object_add(o, "cluster", jstr(j->cluster));
	json_object_object_add(o, "partition", jstr(j->partition));
	json_object_object_add(o, "state",
			       jstr(slurm_job_state_string(j->state)));
	json_object_object_add(o, "submit", json_object_new_int64(j->submit));
	json_object_object_add(o, "start", json_object_new_int64(j->start));
	json_object_object_add(o, "end", json_object_new_int64(j->end));
	json_object_object_add(
		o, "ran",
		json_object_new_boolean(j->start > 0 && j->alloc_nodes > 0));
	if (f->has_d) {
		x = json_object_new_object();
		json_object_object_add(x, "at", jstr(f->d.at));
		json_object_object_add(x, "deferred",
				       json_object_new_boolean(f->d.deferred));
		if (f->d.deferred)
			json_object_object_add(
				x, "begin", json_object_new_int64(f->d.begin));
		json_object_object_add(x, "quality", jstr(f->d.quality));
		json_object_object_add(x, "rank", jstr(f->d.rank));
		json_object_object_add(x, "why", jstr(f->d.why));
		json_object_object_add(x, "expected_g",
				       json_object_new_double(f->d.expected_g));
		json_object_object_add(x, "now_g",
				       json_object_new_double(f->d.baseline_g));
		json_object_object_add(o, "decision", x);
	}
	if (f->has_fp) {
		x = json_object_new_object();
		json_object_object_add(x, "ran",
				       json_object_new_boolean(p->ran));
		if (p->ran) {
			json_object_object_add(x, "on", jstr(p->on));
			json_object_object_add(x, "from", jstr(p->from));
			json_object_object_add(x, "energy_source",
					       jstr(p->energy));
			json_object_object_add(x, "kwh",
					       json_object_new_double(p->kwh));
			json_object_object_add(x, "g",
					       json_object_new_double(p->g));
			json_object_object_add(x, "intensity",
					       json_object_new_double(p->ci));
			json_object_object_add(x, "quality", jstr(p->quality));
			json_object_object_add(x, "signal", jstr(p->sig));
			json_object_object_add(x, "plan", jstr(p->plan));
			json_object_object_add(x, "counterfactual_g",
					       json_object_new_double(p->cf_g));
			json_object_object_add(
				x, "saved_g",
				json_object_new_double(p->saved_g));
		}
		json_object_object_add(o, "footprint", x);
	}
	return o;
}

int scarbon_job(const struct scarbon_opts *o)
{
	uint16_t flags = 0;
	void *db = slurmdb_connection_get(&flags);
	List rows = NULL;
	slurmdb_job_rec_t *j;
	struct facts f;
	int rc = SCARBON_OK;

	if (!db) {
		scarbon_err("cannot reach slurmdbd: %s",
			    slurm_strerror(slurm_get_errno()));
		return SCARBON_SLURM;
	}
	rows = db_rows(db, o);
	if (!rows) {
		scarbon_err("slurmdbd refused the query: %s",
			    slurm_strerror(slurm_get_errno()));
		rc = SCARBON_SLURM;
	} else if (!(j = pick_row(rows))) {
		scarbon_err("job %u: not found%s%s (or not yours to see)",
			    o->job_id, o->cluster ? " on " : "",
			    o->cluster ? o->cluster : "");
		rc = SCARBON_NOT_FOUND;
	} else {
		read_records(j->admin_comment, &f);
		if (o->json) {
			struct json_object *x = job_json(j, &f);

			scarbon_json_print(x);
			json_object_put(x);
		} else {
			job_words(j, &f);
		}
	}
	if (rows)
		slurm_list_destroy(rows);
	slurmdb_connection_close(&db);
	return rc;
}

/* ---- queue ---- */

static bool wanted(const slurm_job_info_t *j, const struct scarbon_opts *o,
		   uid_t uid)
{
	if ((j->job_state & JOB_STATE_BASE) != JOB_PENDING)
		return false;
	if (j->job_state & JOB_REVOKED)
		return false;
	if (o->user && uid != (uid_t)-1 && j->user_id != uid)
		return false;
	return j->admin_comment && strstr(j->admin_comment, "\"carbon\":{");
}

static uid_t uid_of(const char *user)
{
	char *end;
	unsigned long v;
	struct passwd *pw;

	if (!user)
		return (uid_t)-1;
	v = strtoul(user, &end, 10);
	if (*user && !*end)
		return (uid_t)v;
	pw = getpwnam(user);
	return pw ? pw->pw_uid : (uid_t)-2;
}

static void queue_line(const slurm_job_info_t *j, const struct facts *f)
{
	char t[32];
	const char *why = f->has_d && f->d.why[0] ? f->d.why : "-";
	int64_t begin =
		f->has_d && f->d.deferred ? f->d.begin : (int64_t)j->start_time;

	printf("%-10u %-12.12s %-10.10s %-7.7s %-19s  %s\n", j->job_id,
	       j->name ? j->name : "", j->user_name ? j->user_name : "?",
	       f->has_d ? f->d.at : "?", scarbon_time(begin, t, sizeof(t)),
	       why);
}

static struct json_object *queue_json(const slurm_job_info_t *j,
				      const struct facts *f)
{
	struct json_object *o = json_object_new_object();
	int64_t begin =
		f->has_d && f->d.deferred ? f->d.begin : (int64_t)j->start_time;

	json_object_object_add(o, "job_id", json_object_new_int64(j->job_id));
	json_object_object_add(o, "name", jstr(j->name));
	json_object_object_add(o, "user", jstr(j->user_name));
	json_object_object_add(o, "cluster", jstr(f->has_d ? f->d.at : ""));
	json_object_object_add(o, "planned_start",
			       json_object_new_int64(begin));
	json_object_object_add(
		o, "deferred",
		json_object_new_boolean(f->has_d && f->d.deferred));
	json_object_object_add(o, "latest_start",
			       json_object_new_int64(f->has_d && f->d.has_latest
							     ? f->d.latest
							     : 0));
	json_object_object_add(o, "why", jstr(f->has_d ? f->d.why : ""));
	json_object_object_add(o, "slurm_reason",
			       jstr(slurm_job_reason_string(j->state_reason)));
	return o;
}

int scarbon_queue(const struct scarbon_opts *o)
{
	job_info_msg_t *msg = NULL;
	struct json_object *arr = NULL;
	uid_t uid = uid_of(o->user);
	size_t shown = 0;

	if (uid == (uid_t)-2) {
		scarbon_err("-u %s: no such user", o->user);
		return SCARBON_USAGE;
	}
	if (slurm_load_jobs(0, &msg,
			    SHOW_ALL | SHOW_DETAIL |
				    (o->cluster ? 0 : SHOW_FEDERATION)) !=
	    SLURM_SUCCESS) {
		scarbon_err("cannot load the jobs: %s",
			    slurm_strerror(slurm_get_errno()));
		return SCARBON_SLURM;
	}
	if (o->json)
		arr = json_object_new_array();
	else
		printf("%-10s %-12s %-10s %-7s %-19s  %s\n", "JOBID", "NAME",
		       "USER", "CLUSTER", "PLANNED_START", "WHY");
	for (uint32_t i = 0; i < msg->record_count; i++) {
		slurm_job_info_t *j = &msg->job_array[i];
		struct facts f;

		if (!wanted(j, o, uid))
			continue;
		read_records(j->admin_comment, &f);
		shown++;
		if (arr)
			json_object_array_add(arr, queue_json(j, &f));
		else
			queue_line(j, &f);
	}
	if (arr) {
		scarbon_json_print(arr);
		json_object_put(arr);
	} else if (!shown) {
		printf("(no pending carbon-aware jobs)\n");
	}
	slurm_free_job_info_msg(msg);
	return SCARBON_OK;
}
