/*
 * carbon/swf.h: read a batch workload in the Standard Workload Format
 * (SWF, the Parallel Workloads Archive's format, version 2.2).
 *
 * One job per line, 18 fields separated by spaces or tabs: job number,
 * submit time, wait time, run time, allocated processors, average CPU time
 * used, used memory, requested processors, requested time, requested
 * memory, status, user, group, executable, queue, partition, preceding job,
 * think time.  -1 means unknown.  Lines starting with ';' are the header
 * ("; MaxProcs: 128"); blank lines are ignored.  Times are seconds from the
 * log's start.
 *
 * The caller reads the file (plain or gzip) and hands the bytes to a
 * reader, which walks them line by line with line numbers and parses
 * nothing it was not asked to.  A bad line (not 18 fields, not a number,
 * a negative value other than -1, a fraction where a count belongs, a line
 * longer than CARBON_SWF_LINE_MAX) is an error naming the line; the reader
 * has then moved past it, so the caller decides: skip it (count it) or stop.
 * Values are kept as the file has them, -1 included: what an unknown value
 * means is the caller's decision (carbon/sim_workload.h makes it).
 *
 * Fractions: average CPU time and the two memory fields may have one
 * (some archive logs write "12.5"); every other field must be an integer.
 *
 * Ownership: the reader borrows buf for its whole life; nothing allocates.
 */
#ifndef CARBON_SWF_H
#define CARBON_SWF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"

/* Longest line accepted, bytes without the newline. */
#define CARBON_SWF_LINE_MAX 1024
/* Fields in a job line. */
#define CARBON_SWF_FIELDS 18
/* Largest magnitude of any field: about 31,000 years in seconds. */
#define CARBON_SWF_VALUE_MAX INT64_C(1000000000000)

/* The 18 fields, in file order, -1 where unknown. */
struct carbon_swf_job {
	int64_t id;
	int64_t submit;
	int64_t wait;
	int64_t run;
	int64_t alloc_procs;
	double avg_cpu;
	double used_mem;
	int64_t req_procs;
	int64_t req_time;
	double req_mem;
	int64_t status;
	int64_t user;
	int64_t group;
	int64_t app;
	int64_t queue;
	int64_t partition;
	int64_t preceding;
	int64_t think;
	size_t line; /* 1-based line number it came from */
};

/* What the header said, when it said it; -1 where it did not. */
struct carbon_swf_header {
	int64_t max_procs;
	int64_t max_nodes;
	int64_t unix_start_time;
	int64_t time_zone; /* seconds, as the header's TimeZone */
};

struct carbon_swf_reader {
	const char *buf;
	size_t len;
	size_t pos;
	size_t line; /* lines consumed so far */
	struct carbon_swf_header header;
};

/* Start reading len bytes of buf (buf may be NULL when len is 0). */
void carbon_swf_reader_init(struct carbon_swf_reader *r, const char *buf,
			    size_t len);

/*
 * The next job line.  Returns 0 with *got true and *job filled; 0 with
 * *got false at the end of the input; or CARBON_EINVAL / CARBON_ERANGE for
 * a bad line, with a message "line N: ..." (*job not written, the reader
 * past the line, so the next call goes on after it).  Header lines on the
 * way update r->header.
 */
int carbon_swf_next(struct carbon_swf_reader *r, struct carbon_swf_job *job,
		    bool *got, char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * Parse one job line (len bytes, no newline) as carbon_swf_next does;
 * job->line is set to lineno and messages start "line <lineno>: ".
 */
int carbon_swf_parse_line(const char *s, size_t len, size_t lineno,
			  struct carbon_swf_job *job, char *err,
			  size_t errlen) CARBON_MUST_CHECK;

#endif
