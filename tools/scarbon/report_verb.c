/*
 * scarbon report: the jobs that ended in [start, end] (as sacct -S -E
 * selects them, each run once), grouped by carbon/report.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>
#include <slurm/slurmdb.h>

#include "carbon/decision_text.h"
#include "carbon/job_footprint.h"
#include "carbon/report.h"
#include "scarbon.h"

static void facts_of(slurmdb_job_rec_t *j, struct carbon_report_job *f)
{
	struct carbon_decision_record d;
	struct carbon_job_footprint_record fp;
	bool has_d = carbon_decision_parse(j->admin_comment, &d, NULL, 0) == 0;
	bool has_fp =
		carbon_job_footprint_parse(j->admin_comment, &fp, NULL, 0) == 0;

	memset(f, 0, sizeof(*f));
	f->user = j->user;
	f->account = j->account;
	f->cluster = j->cluster;
	f->partition = j->partition;
	f->submit = j->submit;
	f->eligible = j->eligible;
	f->ran = j->start > 0 && j->end >= j->start && j->alloc_nodes > 0;
	f->start = j->start;
	f->end = j->end;
	f->cores = scarbon_cores_of(j->tres_alloc_str, j->req_cpus);
	if (has_fp && fp.ran) {
		f->has_fp = true;
		f->kwh = fp.kwh;
		f->g = fp.g;
		f->saved_g = fp.saved_g;
		f->deferred = strstr(fp.plan, "deferred") != NULL;
		f->moved = strstr(fp.plan, "moved") != NULL;
	} else if (has_d) {
		f->deferred = carbon_job_deferred(true, d.deferred, j->submit,
						  j->eligible);
	}
}

static List ended(void *db, const struct scarbon_opts *o)
{
	static const uint32_t final[] = {
		JOB_COMPLETE,  JOB_CANCELLED, JOB_FAILED,    JOB_TIMEOUT,
		JOB_NODE_FAIL, JOB_PREEMPTED, JOB_BOOT_FAIL, JOB_DEADLINE,
		JOB_OOM,       JOB_REQUEUE,
	};
	slurmdb_job_cond_t c = {0};
	List rows;

	if (o->cluster) {
		c.cluster_list = slurm_list_create(free);
		slurm_list_append(c.cluster_list, strdup(o->cluster));
	}
	c.state_list = slurm_list_create(free);
	for (size_t i = 0; i < sizeof(final) / sizeof(final[0]); i++) {
		char *s = NULL;

		if (asprintf(&s, "%u", final[i]) > 0)
			slurm_list_append(c.state_list, s);
	}
	c.usage_start = o->start;
	c.usage_end = o->end;
	c.flags = JOBCOND_FLAG_DUP | JOBCOND_FLAG_NO_TRUNC;
	c.db_flags = SLURMDB_JOB_FLAG_NOTSET;
	rows = slurmdb_jobs_get(db, &c);
	slurm_list_destroy(c.state_list);
	if (c.cluster_list)
		slurm_list_destroy(c.cluster_list);
	return rows;
}

static struct json_object *row_json(const struct carbon_report_row *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "key", json_object_new_string(r->key));
	json_object_object_add(o, "jobs",
			       json_object_new_int64((int64_t)r->jobs));
	json_object_object_add(o, "ran",
			       json_object_new_int64((int64_t)r->ran));
	json_object_object_add(o, "with_footprint",
			       json_object_new_int64((int64_t)r->with_fp));
	json_object_object_add(o, "core_hours",
			       json_object_new_double(r->core_h));
	json_object_object_add(o, "kwh", json_object_new_double(r->kwh));
	json_object_object_add(o, "kg_co2e", json_object_new_double(r->kg));
	json_object_object_add(o, "kg_saved",
			       json_object_new_double(r->kg_saved));
	json_object_object_add(o, "deferred",
			       json_object_new_int64((int64_t)r->deferred));
	json_object_object_add(o, "moved",
			       json_object_new_int64((int64_t)r->moved));
	json_object_object_add(o, "share_deferred",
			       json_object_new_double(carbon_report_share(
				       r->deferred, r->jobs)));
	json_object_object_add(
		o, "share_moved",
		json_object_new_double(carbon_report_share(r->moved, r->jobs)));
	json_object_object_add(o, "wait_added_hours",
			       json_object_new_double(r->wait_added_h));
	return o;
}

static void csv_row(const struct carbon_report_row *r)
{
	/* keys are Slurm names or dates: no comma or quote to escape, but
	 * quote them anyway for "(none)" and odd site names */
	printf("\"%s\",%zu,%zu,%zu,%.6f,%.9f,%.9f,%.9f,%.4f,%.4f,%.4f\n",
	       r->key, r->jobs, r->ran, r->with_fp, r->core_h, r->kwh, r->kg,
	       r->kg_saved, carbon_report_share(r->deferred, r->jobs),
	       carbon_report_share(r->moved, r->jobs), r->wait_added_h);
}

static void text_row(const struct carbon_report_row *r)
{
	char a[32], b[32], c[32], d[32], e[32];

	printf("%-16.16s %6zu %10s %10s %10s %10s %5.0f%% %5.0f%% %9s\n",
	       r->key, r->jobs, scarbon_num(r->core_h, a, sizeof(a)),
	       scarbon_num(r->kwh, b, sizeof(b)),
	       scarbon_num(r->kg, c, sizeof(c)),
	       scarbon_num(r->kg_saved, d, sizeof(d)),
	       100 * carbon_report_share(r->deferred, r->jobs),
	       100 * carbon_report_share(r->moved, r->jobs),
	       scarbon_num(r->wait_added_h, e, sizeof(e)));
}

static void print(const struct scarbon_opts *o, struct carbon_report_row *rows,
		  size_t n, const struct carbon_report_row *total)
{
	const char *by = carbon_report_by_name((enum carbon_report_by)o->by);
	char a[32], b[32];

	if (o->json) {
		struct json_object *x = json_object_new_object(),
				   *arr = json_object_new_array();

		json_object_object_add(x, "by", json_object_new_string(by));
		json_object_object_add(x, "start",
				       json_object_new_int64(o->start));
		json_object_object_add(x, "end", json_object_new_int64(o->end));
		for (size_t i = 0; i < n; i++)
			json_object_array_add(arr, row_json(&rows[i]));
		json_object_object_add(x, "rows", arr);
		json_object_object_add(x, "total", row_json(total));
		scarbon_json_print(x);
		json_object_put(x);
		return;
	}
	if (o->csv) {
		printf("%s,jobs,ran,with_footprint,core_hours,kwh,kg_co2e,"
		       "kg_saved,share_deferred,share_moved,wait_added_hours\n",
		       by);
		for (size_t i = 0; i < n; i++)
			csv_row(&rows[i]);
		csv_row(total);
		return;
	}
	printf("Jobs that ended from %s to %s, by %s\n",
	       scarbon_time(o->start, a, sizeof(a)),
	       scarbon_time(o->end, b, sizeof(b)), by);
	printf("%-16s %6s %10s %10s %10s %10s %6s %6s %9s\n", by, "jobs",
	       "core-h", "kWh", "kg CO2e", "kg saved", "defer", "moved",
	       "wait+ h");
	for (size_t i = 0; i < n; i++)
		text_row(&rows[i]);
	text_row(total);
	if (total->ran > total->with_fp)
		printf("(%zu job(s) that ran have no footprint yet: not in kWh "
		       "and kg)\n",
		       total->ran - total->with_fp);
}

int scarbon_report(const struct scarbon_opts *o)
{
	uint16_t flags = 0;
	void *db = slurmdb_connection_get(&flags);
	struct carbon_report_job *facts = NULL;
	struct carbon_report_row *rows = NULL, total;
	size_t n = 0, nrows = 0;
	char err[256];
	List l;
	int rc = SCARBON_OK;

	if (!db) {
		scarbon_err("cannot reach slurmdbd: %s",
			    slurm_strerror(slurm_get_errno()));
		return SCARBON_SLURM;
	}
	l = ended(db, o);
	if (!l) {
		scarbon_err("slurmdbd refused the query: %s",
			    slurm_strerror(slurm_get_errno()));
		slurmdb_connection_close(&db);
		return SCARBON_SLURM;
	}
	facts = calloc((size_t)slurm_list_count(l) + 1, sizeof(*facts));
	if (facts) {
		ListIterator it = slurm_list_iterator_create(l);
		slurmdb_job_rec_t *j;

		while ((j = slurm_list_next(it)))
			if (!(j->state & JOB_REVOKED))
				facts_of(j, &facts[n++]);
		slurm_list_iterator_destroy(it);
	}
	if (!facts ||
	    carbon_report_build(facts, n, (enum carbon_report_by)o->by, &rows,
				&nrows, &total, err, sizeof(err))) {
		scarbon_err("%s", facts ? err : "out of memory");
		rc = SCARBON_SLURM;
	} else {
		print(o, rows, nrows, &total);
	}
	carbon_report_free(rows);
	free(facts);
	slurm_list_destroy(l);
	slurmdb_connection_close(&db);
	return rc;
}
