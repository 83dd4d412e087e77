/*
 * Submission load generator for tests/bench/bench_submit.sh: PROCS worker
 * processes each submit JOBS small batch jobs with
 * slurm_submit_batch_job(), back to back, and the parent reports the
 * accepted jobs per second and the per-call latency.  An `sbatch` loop
 * would mostly measure sbatch's own start-up (~3 ms a call), not
 * slurmctld; this client pays that once per process.
 *
 * The workers load Slurm's configuration (slurm_init) before a common
 * start signal; throughput is the jobs accepted between the first worker's
 * first call and the last worker's last reply.  Each job is the script
 * "#!/bin/sh\ntrue\n", submitted held by default (priority 0) so nothing
 * runs and, at a federation origin, no sibling copies are made.  -u puts
 * CARBON_URGENCY=<value> into the job's spank_job_env, as the SPANK plugin
 * does for `sbatch --carbon-urgency`.  It reports; it asserts nothing.
 *
 * Usage: submit_client [-p PROCS] [-n JOBS] [-u URGENCY] [-J NAME]
 *                      [-t MINUTES] [-o LATENCY_FILE] [-r]
 *   -p  worker processes (default 4)      -n  jobs per worker (default 250)
 *   -J  job name (default bench)          -t  time limit (default 10 min)
 *   -o  append every call's latency (microseconds, one a line) to a file
 *   -r  submit runnable jobs instead of held ones
 * Prints: jobs=N errors=N seconds=S jobs_per_s=X p50_us=X p95_us=X p99_us=X
 *         cpu_us_per_job=X (the workers' user+system time per accepted job)
 * Exits 1 when any submission failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <slurm/slurm.h>
#include <slurm/slurm_errno.h>

#define PROCS_MAX 64
#define JOBS_MAX  1000000

struct options {
	int procs;
	int jobs;
	char *urgency;
	char *name;
	uint32_t time_limit;
	char *latency_file;
	int hold;
};

/* What each worker hands back, in memory shared with the parent. */
struct worker_result {
	int ok;
	int errors;
	double first; /* CLOCK_MONOTONIC seconds before the first call */
	double last;  /* and after the last reply */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile of n sorted values. */
static double percentile(const double *v, size_t n, double p)
{
	size_t rank;

	if (!n)
		return 0;
	rank = (size_t)((p / 100.0) * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static void usage(void)
{
	fprintf(stderr,
		"usage: submit_client [-p PROCS] [-n JOBS] [-u URGENCY] "
		"[-J NAME] [-t MINUTES] [-o LATENCY_FILE] [-r]\n");
	exit(2);
}

static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		usage();
	return (int)v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static char default_name[] = "bench";
	int c;

	*o = (struct options){.procs = 4,
			      .jobs = 250,
			      .name = default_name,
			      .time_limit = 10,
			      .hold = 1};
	while ((c = getopt(argc, argv, "p:n:u:J:t:o:r")) != -1) {
		switch (c) {
		case 'p':
			o->procs = parse_int(optarg, 1, PROCS_MAX);
			break;
		case 'n':
			o->jobs = parse_int(optarg, 1, JOBS_MAX);
			break;
		case 'u':
			o->urgency = optarg;
			break;
		case 'J':
			o->name = optarg;
			break;
		case 't':
			o->time_limit = (uint32_t)parse_int(optarg, 1, 525600);
			break;
		case 'o':
			o->latency_file = optarg;
			break;
		case 'r':
			o->hold = 0;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
}

/* One worker: wait for the start signal, submit, record. */
static void worker(const struct options *o, int ready_fd, int go_fd,
		   struct worker_result *res, double *lat)
{
	static char script[] = "#!/bin/sh\ntrue\n";
	static char path[] = "PATH=/usr/bin:/bin";
	static char dev_null[] = "/dev/null";
	char *env[] = {path};
	char urgency[128];
	char *spank_env[] = {urgency};
	char cwd[PATH_MAX];
	job_desc_msg_t desc;
	char byte = 0;
	int first_error = 1;

	slurm_init(NULL);
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/tmp");
	slurm_init_job_desc_msg(&desc);
	desc.name = o->name;
	desc.script = script;
	desc.environment = env;
	desc.env_size = 1;
	desc.work_dir = cwd;
	desc.std_out = dev_null;
	desc.user_id = getuid();
	desc.group_id = getgid();
	desc.min_nodes = 1;
	desc.time_limit = o->time_limit;
	if (o->hold)
		desc.priority = 0;
	if (o->urgency) {
		snprintf(urgency, sizeof(urgency), "CARBON_URGENCY=%s",
			 o->urgency);
		desc.spank_job_env = spank_env;
		desc.spank_job_env_size = 1;
	}

	/* Ready; then block until the parent closes the start pipe. */
	if (write(ready_fd, &byte, 1) != 1 || read(go_fd, &byte, 1) < 0)
		_exit(1);
	res->first = mono();
	for (int i = 0; i < o->jobs; i++) {
		submit_response_msg_t *resp = NULL;
		double t0 = mono();
		int rc = slurm_submit_batch_job(&desc, &resp);

		lat[i] = (mono() - t0) * 1e6;
		if (rc == SLURM_SUCCESS) {
			res->ok++;
		} else {
			res->errors++;
			lat[i] = -1;
			if (first_error) {
				fprintf(stderr, "submit_client: %s\n",
					slurm_strerror(errno));
				first_error = 0;
			}
		}
		slurm_free_submit_response_response_msg(resp);
	}
	res->last = mono();
	slurm_fini();
	_exit(0);
}

static int write_latencies(const char *path, const double *lat, size_t n)
{
	FILE *f = fopen(path, "a");

	if (!f) {
		fprintf(stderr, "submit_client: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (lat[i] >= 0)
			fprintf(f, "%.1f\n", lat[i]);
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct options o;
	struct worker_result *res;
	struct rusage ru;
	double *lat, *sorted, first = 0, last = 0, cpu;
	size_t total, n_ok = 0;
	int ready[2], go[2], ok = 0, errors = 0, failed = 0;
	char byte;

	parse_options(argc, argv, &o);
	total = (size_t)o.procs * (size_t)o.jobs;
	res = mmap(NULL, sizeof(*res) * (size_t)o.procs + sizeof(*lat) * total,
		   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED || pipe(ready) || pipe(go)) {
		perror("submit_client");
		return 1;
	}
	lat = (double *)(res + o.procs);
	fflush(NULL);
	for (int p = 0; p < o.procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			perror("submit_client: fork");
			return 1;
		}
		if (!pid) {
			close(ready[0]);
			close(go[1]);
			worker(&o, ready[1], go[0], &res[p],
			       lat + (size_t)p * (size_t)o.jobs);
		}
	}
	close(ready[1]);
	close(go[0]);
	for (int p = 0; p < o.procs; p++)
		if (read(ready[0], &byte, 1) != 1) {
			fprintf(stderr, "submit_client: a worker died\n");
			return 1;
		}
	close(go[1]); /* start */
	for (int p = 0; p < o.procs; p++) {
		int status;

		if (wait(&status) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			failed = 1;
	}
	for (int p = 0; p < o.procs; p++) {
		ok += res[p].ok;
		errors += res[p].errors;
		if (!p || res[p].first < first)
			first = res[p].first;
		if (!p || res[p].last > last)
			last = res[p].last;
	}
	getrusage(RUSAGE_CHILDREN, &ru);
	cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	      (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
	sorted = malloc(sizeof(*sorted) * (total ? total : 1));
	if (!sorted) {
		perror("submit_client");
		return 1;
	}
	for (size_t i = 0; i < total; i++)
		if (lat[i] >= 0)
			sorted[n_ok++] = lat[i];
	qsort(sorted, n_ok, sizeof(*sorted), cmp_double);
	if (o.latency_file && write_latencies(o.latency_file, lat, total))
		failed = 1;
	printf("jobs=%d errors=%d seconds=%.3f jobs_per_s=%.1f p50_us=%.1f "
	       "p95_us=%.1f p99_us=%.1f cpu_us_per_job=%.1f\n",
	       ok, errors, last - first,
	       last > first ? ok / (last - first) : 0.0,
	       percentile(sorted, n_ok, 50), percentile(sorted, n_ok, 95),
	       percentile(sorted, n_ok, 99), ok ? cpu / ok : 0.0);
	free(sorted);
	return failed || errors ? 1 : 0;
}
