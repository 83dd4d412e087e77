/*
 * tools/scarbon: what the carbon plugins did with a user's jobs, read
 * from Slurm (libslurm, slurmdb) and carbon-cached's forecast endpoint.
 * main.c parses the command line; slurm_job.c (job, queue), report.c
 * (report), forecast.c (forecast, libcurl) and forecast_answer.c (the
 * endpoint's JSON, fuzzed) each do one verb; out.c prints.
 */
#ifndef SCARBON_H
#define SCARBON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Exit codes (documented in scarbon(1)). */
enum {
	SCARBON_OK = 0,
	SCARBON_USAGE = 1,
	SCARBON_SLURM = 2,
	SCARBON_NOT_FOUND = 3,
};

struct scarbon_opts {
	const char *cluster; /* -M: one cluster, NULL: the federation */
	bool json, csv;
	const char *conf; /* carbon.conf path */
	/* job */
	uint32_t job_id;
	/* queue */
	const char *user;
	/* report */
	int64_t start, end;
	int by; /* enum carbon_report_by */
	/* forecast */
	const char *fc_cluster, *url;
	int64_t runtime, within;
	double cores, mem_gb, gpus;
	int64_t now;
};

int scarbon_job(const struct scarbon_opts *o);
int scarbon_queue(const struct scarbon_opts *o);
int scarbon_report(const struct scarbon_opts *o);
int scarbon_forecast(const struct scarbon_opts *o);

/* One location's answer from GET /emissions/forecasts/current. */
struct scarbon_window {
	char location[65];
	int64_t start; /* best window's start */
	double value;  /* its mean gCO2eq/kWh */
	int64_t duration_s;
	bool stale;
	bool has_best;
};

/*
 * Read the endpoint's answer (an array, one object a location) into
 * w[0..max), *n of them; the best window of each is the lowest of its
 * forecastData starting in [from, until] (or its optimalDataPoints' first
 * when from is 0).  Returns 0, or -1 with the reason in err.
 */
int scarbon_forecast_answer(const char *buf, size_t len, int64_t from,
			    int64_t until, struct scarbon_window *w, size_t max,
			    size_t *n, char *err, size_t errlen);

/* exported by libslurm without a public declaration */
extern char *slurm_job_state_string(uint32_t state);
extern char *slurm_job_reason_string(uint32_t inx);
extern uint64_t slurmdb_find_tres_count_in_string(char *tres_str_in, int id);
double scarbon_cores_of(char *tres, uint32_t req); /* slurm_job.c */

/* out.c */
void scarbon_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *scarbon_num(double v, char *buf, size_t len);   /* 3 sig. digits */
const char *scarbon_time(int64_t t, char *buf, size_t len); /* local */
const char *scarbon_span(int64_t secs, char *buf, size_t len); /* 2 h 5 min */
void scarbon_json_print(struct json_object *o);
int scarbon_set_cluster(const char *name); /* -M; 0 or SCARBON_SLURM */
/* the carbon.conf path: -C, $CARBON_CONF, else next to slurm.conf */
const char *scarbon_conf_path(const struct scarbon_opts *o, char *buf,
			      size_t len);

#endif
