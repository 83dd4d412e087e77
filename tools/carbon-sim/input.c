/*
 * input.c: reading carbon-sim's inputs: the SWF workload (plain or gzip,
 * through zlib, which reads both) and each cluster's CSV trace.  Every
 * complaint names the file and, where there is one, the line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "carbon-sim.h"
#include "carbon/swf.h"
#include "carbon/trace_csv.h"

/* Bounds on what we read into memory. */
#define SWF_MAX	  ((size_t)2 << 30)
#define TRACE_MAX ((size_t)512 << 20)
/* Bad lines quoted one by one; the rest are counted. */
#define QUOTE_MAX 10

int read_file(const char *path, size_t max, char **buf, size_t *len, char *err,
	      size_t errlen)
{
	gzFile gz = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	char *b = NULL, *nb;
	int got;

	if (!gz) {
		snprintf(err, errlen, "%s: %s", path,
			 errno ? strerror(errno) : "cannot open");
		return -1;
	}
	for (;;) {
		if (n + 1 >= cap || !b) {
			if (b)
				cap *= 2;
			if (cap > max + 1)
				cap = max + 1;
			nb = realloc(b, cap);
			if (!nb) {
				snprintf(err, errlen, "%s: out of memory",
					 path);
				goto fail;
			}
			b = nb;
		}
		if (n >= max) {
			snprintf(err, errlen, "%s: larger than %zu MiB", path,
				 max >> 20);
			goto fail;
		}
		got = gzread(gz, b + n, (unsigned)(cap - 1 - n));
		if (got < 0) {
			int zerr;

			snprintf(err, errlen, "%s: %s", path,
				 gzerror(gz, &zerr));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	gzclose(gz);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	free(b);
	gzclose(gz);
	return -1;
}

/* A column given as a 0-based index (all digits) or a header name. */
static void column(const char *s, struct carbon_trace_csv_column *c)
{
	size_t n = strspn(s, "0123456789");

	c->name = NULL;
	c->index = -1;
	if (n && !s[n] && n < 6)
		c->index = atoi(s);
	else
		c->name = s;
}

static void report_trace(const struct run *r, const char *path,
			 const struct carbon_trace_csv_report *rep)
{
	if (r->o->quiet)
		return;
	for (size_t i = 0; i < rep->n_issues; i++)
		fprintf(stderr, "carbon-sim: %s: %s (row skipped)\n", path,
			rep->issues[i].msg);
	if (rep->bad_rows > rep->n_issues)
		fprintf(stderr, "carbon-sim: %s: %zu more bad rows skipped\n",
			path, rep->bad_rows - rep->n_issues);
	if (rep->gaps)
		fprintf(stderr,
			"carbon-sim: %s: %zu gaps longer than the %lld s "
			"cadence, the largest %lld s: values are held across "
			"them (--strict rejects)\n",
			path, rep->gaps, (long long)rep->cadence,
			(long long)rep->largest_gap);
}

static int load_trace(struct run *r, size_t c)
{
	const struct cluster_spec *cs = &r->o->clusters[c];
	struct carbon_trace_csv_options opt = {0};
	struct carbon_trace_csv_report rep;
	struct cluster_data *d = &r->data[c];
	char err[512], *buf = NULL;
	size_t len;
	int rc;

	if (read_file(cs->trace, TRACE_MAX, &buf, &len, err, sizeof(err))) {
		fprintf(stderr, "carbon-sim: %s\n", err);
		return -1;
	}
	column(cs->time_col, &opt.time);
	column(cs->value_col, &opt.value);
	opt.estimated.index = -1;
	if (cs->estimated_col)
		column(cs->estimated_col, &opt.estimated);
	opt.skip_bad_rows = !r->o->strict;
	opt.meta.signal = cs->signal;
	opt.meta.basis = cs->basis;
	snprintf(opt.meta.source, sizeof(opt.meta.source), "%s", cs->name);
	rc = carbon_trace_csv_parse(buf, len, &opt, &d->trace, &rep, err,
				    sizeof(err));
	free(buf);
	if (rc) {
		fprintf(stderr, "carbon-sim: %s: %s\n", cs->trace, err);
		return -1;
	}
	report_trace(r, cs->trace, &rep);
	if (r->o->strict && rep.gaps) {
		fprintf(stderr,
			"carbon-sim: %s: %zu gaps in the trace (largest %lld "
			"s); rejected by --strict\n",
			cs->trace, rep.gaps, (long long)rep.largest_gap);
		return -1;
	}
	if (carbon_series_bounds(d->trace, &d->t0, &d->t1, err, sizeof(err)) ||
	    carbon_series_mean(d->trace, d->t0, d->t1, &d->mean, err,
			       sizeof(err))) {
		fprintf(stderr, "carbon-sim: %s: %s\n", cs->trace, err);
		return -1;
	}
	return 0;
}

int load_traces(struct run *r)
{
	for (size_t c = 0; c < r->o->nclusters; c++)
		if (load_trace(r, c))
			return -1;
	return 0;
}

void free_traces(struct run *r)
{
	for (size_t c = 0; c < CARBON_SIM_MAX_CLUSTERS; c++) {
		carbon_series_free(r->data[c].trace);
		r->data[c].trace = NULL;
	}
}

/* Walk the SWF bytes into r->wl; bad lines quoted, counted, or fatal. */
static int parse_swf(struct run *r, const char *buf, size_t len)
{
	struct carbon_swf_reader rd;
	struct carbon_swf_job sj;
	char err[512];
	bool got;
	int rc;

	carbon_swf_reader_init(&rd, buf, len);
	for (;;) {
		rc = carbon_swf_next(&rd, &sj, &got, err, sizeof(err));
		if (rc) {
			if (r->o->strict) {
				fprintf(stderr,
					"carbon-sim: %s: %s (rejected by "
					"--strict)\n",
					r->o->workload, err);
				return -1;
			}
			if (!r->o->quiet && r->swf_lines_bad < QUOTE_MAX)
				fprintf(stderr,
					"carbon-sim: %s: %s (line skipped)\n",
					r->o->workload, err);
			r->swf_lines_bad++;
			carbon_sim_workload_add_bad_line(&r->wl, rd.line);
			continue;
		}
		if (!got)
			break;
		if (carbon_sim_workload_add(&r->wl, &sj, err, sizeof(err))) {
			fprintf(stderr, "carbon-sim: %s: %s\n", r->o->workload,
				err);
			return -1;
		}
	}
	if (!r->o->quiet && r->swf_lines_bad > QUOTE_MAX)
		fprintf(stderr, "carbon-sim: %s: %zu more bad lines skipped\n",
			r->o->workload, r->swf_lines_bad - QUOTE_MAX);
	return 0;
}

int load_workload(struct run *r)
{
	struct carbon_sim_workload_options wo = r->o->wl;
	uint32_t cores[CARBON_SIM_MAX_CLUSTERS];
	char err[512], *buf = NULL;
	size_t len;
	int rc;

	for (size_t c = 0; c < r->o->nclusters; c++)
		cores[c] = r->o->clusters[c].cores;
	wo.cores = cores;
	wo.nclusters = r->o->nclusters;
	wo.start = r->o->start;
	if (carbon_sim_workload_init(&r->wl, &wo, NULL, err, sizeof(err))) {
		fprintf(stderr, "carbon-sim: %s\n", err);
		return -1;
	}
	if (read_file(r->o->workload, SWF_MAX, &buf, &len, err, sizeof(err))) {
		fprintf(stderr, "carbon-sim: %s\n", err);
		return -1;
	}
	rc = parse_swf(r, buf, len);
	free(buf);
	if (rc)
		return rc;
	/* cores[] lives on this stack: finish() is the last use */
	carbon_sim_workload_finish(&r->wl);
	r->wl.opt.cores = NULL;
	if (!r->wl.n) {
		fprintf(stderr, "carbon-sim: %s: no usable jobs\n",
			r->o->workload);
		print_skips(stderr, r);
		return -1;
	}
	return 0;
}
