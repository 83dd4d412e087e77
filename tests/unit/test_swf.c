/*
 * Unit tests for carbon/swf.h: a real NASA iPSC line, -1 fields, the
 * header keys, every rejection with its line number, and a reader that
 * goes on after a bad line; and for carbon/sim_workload.h, which turns
 * SWF jobs into the simulator's: fallbacks for unknown fields, skips with
 * their reasons, time and size scaling, origins and seeded urgencies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/sim_workload.h"
#include "carbon/swf.h"

#define T0 INT64_C(1677628800) /* 2023-03-01T00:00:00Z */
#define H  INT64_C(3600)

/* Lines from the NASA-iPSC-1993-3.1-cln log (Parallel Workloads Archive). */
#define NASA_HEAD                      \
	"; Version: 2.2\n"             \
	"; Computer: Intel iPSC/860\n" \
	"; UnixStartTime: 749458803\n" \
	"; TimeZone: -28800\n"         \
	"; MaxNodes: 128\n"            \
	"; MaxProcs: 128\n"            \
	";\n"
#define NASA_1                                                                 \
	"    1        0     -1   1451  128     -1    -1   -1     -1    -1 -1 " \
	"  1   1  -1 -1 -1 -1 -1"
#define NASA_57                                                                \
	"   57    25574     -1     10    1     -1    -1   -1     -1    -1 -1 " \
	"  4   1   2 -1 -1 -1 -1"

static int parse(const char *s, struct carbon_swf_job *j, char *err,
		 size_t errlen)
{
	return carbon_swf_parse_line(s, strlen(s), 7, j, err, errlen);
}

static void test_nasa_line(void **state)
{
	struct carbon_swf_job j;
	char err[256] = "";

	(void)state;
	assert_int_equal(parse(NASA_57, &j, err, sizeof(err)), 0);
	assert_int_equal(j.id, 57);
	assert_int_equal(j.submit, 25574);
	assert_int_equal(j.wait, -1);
	assert_int_equal(j.run, 10);
	assert_int_equal(j.alloc_procs, 1);
	assert_true(j.avg_cpu == -1.0 && j.used_mem == -1.0);
	assert_int_equal(j.req_procs, -1);
	assert_int_equal(j.req_time, -1);
	assert_int_equal(j.user, 4);
	assert_int_equal(j.group, 1);
	assert_int_equal(j.app, 2);
	assert_int_equal(j.queue, -1);
	assert_int_equal(j.think, -1);
	assert_int_equal(j.line, 7);
}

static void test_fractions_and_tabs(void **state)
{
	struct carbon_swf_job j;
	char err[256] = "";

	(void)state;
	assert_int_equal(
		parse("3\t10\t5\t60\t4\t12.5\t0.25\t4\t120\t2.0\t1\t1\t"
		      "1\t1\t1\t1\t-1\t-1\r",
		      &j, err, sizeof(err)),
		0);
	assert_true(j.avg_cpu == 12.5 && j.used_mem == 0.25 &&
		    j.req_mem == 2.0);
	assert_int_equal(j.req_time, 120);
	/* a zero fraction in a count is still a whole number */
	assert_int_equal(parse("3 10 5 60.000 4 -1 -1 4 120 -1 1 1 1 1 1 1 "
			       "-1 -1",
			       &j, err, sizeof(err)),
			 0);
	assert_int_equal(j.run, 60);
}

struct bad {
	const char *line;
	int code;
	const char *msg;
};

static const struct bad bad_lines[] = {
	{"1 2 3", CARBON_EINVAL, "line 7: 3 fields, SWF has 18"},
	{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", CARBON_EINVAL,
	 "line 7: more than 18 fields"},
	{"1 2 x 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18", CARBON_EINVAL,
	 "line 7: field 3 (wait time) \"x\": not a number"},
	{"1 2 3 -5 5 6 7 8 9 10 11 12 13 14 15 16 17 18", CARBON_ERANGE,
	 "line 7: field 4 (run time) \"-5\": negative (only -1 means "
	 "unknown)"},
	{"1 2 3 4.5 5 6 7 8 9 10 11 12 13 14 15 16 17 18", CARBON_EINVAL,
	 "line 7: field 4 (run time) \"4.5\": a fraction where a whole number "
	 "belongs"},
	{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 1e3", CARBON_EINVAL,
	 "line 7: field 18 (think time) \"1e3\": not a number"},
	{"1 99999999999999999999 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
	 CARBON_ERANGE,
	 "line 7: field 2 (submit time) \"99999999999999999999\": too large"},
	{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 --1", CARBON_EINVAL,
	 "line 7: field 18 (think time) \"--1\": not a number"},
	{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 -", CARBON_EINVAL,
	 "line 7: field 18 (think time) \"-\": not a number"},
	{"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 .", CARBON_EINVAL,
	 "line 7: field 18 (think time) \".\": not a number"},
};

static void test_bad_lines(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		struct carbon_swf_job j;
		char err[256] = "";
		int rc = parse(bad_lines[i].line, &j, err, sizeof(err));

		if (rc != bad_lines[i].code || strcmp(err, bad_lines[i].msg))
			fail_msg("\"%s\": rc %d, \"%s\"; want %d, \"%s\"",
				 bad_lines[i].line, rc, err, bad_lines[i].code,
				 bad_lines[i].msg);
	}
}

static void test_long_line(void **state)
{
	char line[CARBON_SWF_LINE_MAX + 2];
	struct carbon_swf_job j;
	char err[256] = "";

	(void)state;
	memset(line, ' ', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(parse(line, &j, err, sizeof(err)), CARBON_ERANGE);
	assert_string_equal(err, "line 7: longer than 1024 bytes");
}

static void test_reader_header_and_jobs(void **state)
{
	static const char log[] = NASA_HEAD NASA_1 "\n\n" NASA_57;
	struct carbon_swf_reader r;
	struct carbon_swf_job j;
	char err[256] = "";
	bool got;

	(void)state;
	carbon_swf_reader_init(&r, log, sizeof(log) - 1);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_true(got);
	assert_int_equal(j.id, 1);
	assert_int_equal(j.line, 8);
	assert_int_equal(r.header.max_procs, 128);
	assert_int_equal(r.header.max_nodes, 128);
	assert_int_equal(r.header.unix_start_time, 749458803);
	assert_int_equal(r.header.time_zone, -28800);
	/* the last line has no newline */
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_true(got);
	assert_int_equal(j.id, 57);
	assert_int_equal(j.line, 10);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_false(got);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_false(got);
}

static void test_reader_goes_on_after_bad_line(void **state)
{
	static const char log[] = "; MaxProcs: x\n"
				  "1 2 3\n" NASA_1 "\r\n"
				  "a\0b\n" NASA_57 "\n";
	struct carbon_swf_reader r;
	struct carbon_swf_job j;
	char err[256] = "";
	bool got;

	(void)state;
	carbon_swf_reader_init(&r, log, sizeof(log) - 1);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 2: 3 fields, SWF has 18");
	assert_int_equal(r.header.max_procs, -1);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_true(got && j.id == 1 && j.line == 3);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 4: a NUL byte");
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_true(got && j.id == 57 && j.line == 5);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_false(got);
}

static void test_empty_and_null(void **state)
{
	struct carbon_swf_reader r;
	struct carbon_swf_job j;
	char err[256] = "";
	bool got = true;

	(void)state;
	carbon_swf_reader_init(&r, NULL, 5);
	assert_int_equal(carbon_swf_next(&r, &j, &got, err, sizeof(err)), 0);
	assert_false(got);
	assert_int_equal(carbon_swf_next(NULL, &j, &got, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_swf_parse_line(NULL, 0, 1, &j, err, sizeof(err)),
		CARBON_EINVAL);
}

/* ---- the workload ---- */

static struct carbon_swf_job swf(int64_t id, int64_t submit, int64_t run,
				 int64_t alloc, int64_t req_procs,
				 int64_t req_time)
{
	struct carbon_swf_job s;

	memset(&s, 0xff, sizeof(s)); /* -1 everywhere */
	s.avg_cpu = s.used_mem = s.req_mem = -1;
	s.id = id;
	s.line = (size_t)id + 10;
	s.submit = submit;
	s.run = run;
	s.alloc_procs = alloc;
	s.req_procs = req_procs;
	s.req_time = req_time;
	return s;
}

static void test_workload_fields_and_skips(void **state)
{
	uint32_t cores[] = {4, 8};
	struct carbon_sim_workload_options opt = {
		.start = T0,
		.time_scale = 0.5,
		.size_scale = 1,
		.flexible_fraction = 1.0,
		.max_delay = 4 * H,
		.seed = 1,
		.cores = cores,
		.nclusters = 2,
	};
	struct carbon_swf_job in[] = {
		swf(1, 200, 60, 2, -1, -1), /* procs from alloc, req = run */
		swf(2, 100, 60, -1, 6, 30), /* only fits cluster 1; req < run */
		swf(3, 300, -1, 1, 1, 100), /* no run time */
		swf(4, 400, 0, 1, 1, 100),  /* zero run time */
		swf(5, 500, 10, 16, -1, 100), /* too wide */
		swf(6, -1, 10, 1, 1, 100),    /* no submit */
		swf(7, 600, 10, -1, -1, 100), /* no processors */
		swf(8, 700, 10, 1, 1, 100),
	};
	struct carbon_sim_workload w;
	char err[256] = "";

	(void)state;
	assert_int_equal(
		carbon_sim_workload_init(&w, &opt, NULL, err, sizeof(err)), 0);
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(
			carbon_sim_workload_add(&w, &in[i], err, sizeof(err)),
			0);
	carbon_sim_workload_add_bad_line(&w, 99);
	carbon_sim_workload_finish(&w);
	assert_int_equal(w.n, 3);
	assert_int_equal(carbon_sim_workload_skipped(&w), 6);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_NO_RUNTIME], 1);
	assert_int_equal(w.first_line[CARBON_SIM_SKIP_NO_RUNTIME], 13);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_ZERO_RUNTIME], 1);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_TOO_WIDE], 1);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_NO_SUBMIT], 1);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_NO_PROCS], 1);
	assert_int_equal(w.skipped[CARBON_SIM_SKIP_BAD_LINE], 1);
	assert_int_equal(w.first_line[CARBON_SIM_SKIP_BAD_LINE], 99);
	assert_int_equal(w.procs_from_alloc, 1);
	assert_int_equal(w.req_from_run, 1);
	/* sorted by submit, times halved */
	assert_int_equal(w.jobs[0].id, 2);
	assert_int_equal(w.jobs[0].submit, T0 + 50);
	assert_int_equal(w.jobs[0].req, 60);
	assert_int_equal(w.jobs[0].cores, 6);
	/* round-robin starts at cluster 0, which cannot hold 6 cores */
	assert_int_equal(w.jobs[0].origin, 1);
	assert_int_equal(w.jobs[1].id, 1);
	assert_int_equal(w.jobs[1].cores, 2);
	assert_int_equal(w.jobs[1].req, 60);
	assert_int_equal(w.jobs[1].origin, 1);
	assert_int_equal(w.jobs[2].origin, 0);
	/* all flexible: window and deadline from max_delay */
	assert_int_equal(w.jobs[1].urgency, CARBON_URGENCY_FLEXIBLE);
	assert_true(w.jobs[1].has_latest_start);
	assert_int_equal(w.jobs[1].latest_start, T0 + 100 + 4 * H);
	assert_int_equal(w.jobs[1].deadline, T0 + 100 + 60 + 4 * H);
	assert_string_equal(carbon_sim_skip_name(CARBON_SIM_SKIP_TOO_WIDE),
			    "wider than every cluster");
	carbon_sim_workload_release(&w);
	carbon_sim_workload_release(NULL);
}

static void urgencies(uint64_t seed, enum carbon_urgency *u, size_t n)
{
	uint32_t cores[] = {4};
	struct carbon_sim_workload_options opt = {
		.start = T0,
		.time_scale = 1,
		.size_scale = 1,
		.critical_fraction = 0.25,
		.flexible_fraction = 0.5,
		.seed = seed,
		.origin = CARBON_SIM_ORIGIN_RANDOM,
		.cores = cores,
		.nclusters = 1,
	};
	struct carbon_sim_workload w;

	assert_int_equal(carbon_sim_workload_init(&w, &opt, NULL, NULL, 0), 0);
	for (size_t i = 0; i < n; i++) {
		struct carbon_swf_job s =
			swf((int64_t)i, (int64_t)i, 10, 1, 1, 10);

		assert_int_equal(carbon_sim_workload_add(&w, &s, NULL, 0), 0);
	}
	carbon_sim_workload_finish(&w);
	for (size_t i = 0; i < n; i++)
		u[i] = w.jobs[i].urgency;
	carbon_sim_workload_release(&w);
}

static void test_workload_seeded(void **state)
{
	enum carbon_urgency a[400], b[400], c[400];
	size_t count[3] = {0}, diff = 0;

	(void)state;
	urgencies(5, a, 400);
	urgencies(5, b, 400);
	urgencies(6, c, 400);
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 0; i < 400; i++) {
		count[a[i]]++;
		diff += a[i] != c[i];
	}
	assert_true(diff > 0);
	assert_true(count[CARBON_URGENCY_CRITICAL] > 70 &&
		    count[CARBON_URGENCY_CRITICAL] < 130);
	assert_true(count[CARBON_URGENCY_FLEXIBLE] > 160 &&
		    count[CARBON_URGENCY_FLEXIBLE] < 240);
}

static void test_workload_bad_options(void **state)
{
	uint32_t cores[] = {4};
	struct carbon_sim_workload_options opt = {
		.time_scale = 1,
		.size_scale = 1,
		.critical_fraction = 0.6,
		.flexible_fraction = 0.6,
		.cores = cores,
		.nclusters = 1,
	};
	struct carbon_sim_workload w;
	char err[256] = "";

	(void)state;
	assert_int_equal(
		carbon_sim_workload_init(&w, &opt, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "workload: invalid urgency fractions (each "
				 "0..1, together at most 1)");
	opt.critical_fraction = 0;
	opt.time_scale = 0;
	assert_int_equal(
		carbon_sim_workload_init(&w, &opt, NULL, err, sizeof(err)),
		CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nasa_line),
		cmocka_unit_test(test_fractions_and_tabs),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_reader_header_and_jobs),
		cmocka_unit_test(test_reader_goes_on_after_bad_line),
		cmocka_unit_test(test_empty_and_null),
		cmocka_unit_test(test_workload_fields_and_skips),
		cmocka_unit_test(test_workload_seeded),
		cmocka_unit_test(test_workload_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
