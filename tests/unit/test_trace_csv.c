/*
 * Unit tests for carbon/trace_csv.h: the shipped Electricity Maps exports
 * shipped in data/carbon/ (decompressed by 'make data' into build/data/carbon,
 * read through a test-only helper; a missing file fails), then inline fixtures for RFC 4180 quoting, line ends, the
 * BOM, every time and number form, bad rows in both modes, the gap report,
 * header errors and allocation failures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/timeparse.h"
#include "carbon/trace_csv.h"

#define T0 INT64_C(1672531200) /* 2023-01-01T00:00:00Z */
#define H  INT64_C(3600)

#define LCA_NAME                           \
	"Carbon Intensity gCO\xe2\x82\x82" \
	"eq/kWh (LCA)"

static const struct carbon_series_meta meta = {
	.signal = CARBON_SIGNAL_AVERAGE,
	.basis = CARBON_BASIS_LIFECYCLE,
	.source = "test",
};

/* Columns t and v by name, no estimated column. */
static struct carbon_trace_csv_options by_name(void)
{
	struct carbon_trace_csv_options o = {
		.time = {"t", 0},
		.value = {"v", 0},
		.estimated = {NULL, -1},
		.meta = meta,
	};

	return o;
}

static struct carbon_trace_csv_report rep;
static char err[512];

static int parse(const char *csv, const struct carbon_trace_csv_options *o,
		 carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_trace_csv_parse(csv, strlen(csv), o, s, &rep, err,
				      sizeof(err));
}

/* Parse csv that must succeed; the caller frees. */
static carbon_series *ok(const char *csv,
			 const struct carbon_trace_csv_options *o)
{
	carbon_series *s;

	if (parse(csv, o, &s))
		fail_msg("parse failed: %s", err);
	return s;
}

/* ---- the shipped data ---------------------------------------------------- */

/* Test-only: read a whole file (the library never touches files). */
static char *slurp(const char *name, size_t *len)
{
	const char *dir = getenv("CARBON_DATA_DIR");
	char path[512];
	FILE *f;
	char *buf = NULL;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "build/data/carbon",
		 name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

struct zone {
	const char *file;
	double mean_lca;
	size_t estimated;
};

static void check_zone(const struct zone *z)
{
	struct carbon_trace_csv_options o = {
		.time = {"Datetime (UTC)", 0},
		.value = {LCA_NAME, 0},
		.estimated = {"Data Estimated", 0},
		.meta = meta,
	};
	carbon_series *a = NULL, *b = NULL;
	const struct carbon_series_point *pa, *pb;
	size_t len = 0, est = 0;
	char *buf = slurp(z->file, &len);
	int64_t start, end;
	double mean;

	if (!buf)
		fail_msg("cannot read the shipped trace %s: run 'make data' "
			 "(or set CARBON_DATA_DIR)",
			 z->file);
	assert_int_equal(carbon_trace_csv_parse(buf, len, &o, &a, &rep, err,
						sizeof(err)),
			 0);
	assert_int_equal(rep.rows, 8760);
	assert_int_equal(rep.points, 8760);
	assert_int_equal(rep.bad_rows, 0);
	assert_int_equal(rep.gaps, 0);
	assert_int_equal(rep.cadence, H);
	assert_int_equal(rep.largest_gap, H);
	/* by index: column 5, no estimated column */
	o.time = (struct carbon_trace_csv_column){NULL, 0};
	o.value = (struct carbon_trace_csv_column){NULL, 5};
	o.estimated = (struct carbon_trace_csv_column){NULL, -1};
	assert_int_equal(carbon_trace_csv_parse(buf, len, &o, &b, NULL, err,
						sizeof(err)),
			 0);
	assert_int_equal(carbon_series_count(b), 8760);
	pa = carbon_series_points_peek(a);
	pb = carbon_series_points_peek(b);
	for (size_t i = 0; i < 8760; i++) {
		assert_int_equal(pa[i].t, pb[i].t);
		assert_true(pa[i].value == pb[i].value);
		est += pa[i].is_estimated;
	}
	assert_int_equal(est, z->estimated);
	assert_int_equal(pa[0].t, T0);
	assert_int_equal(carbon_series_bounds(a, &start, &end, NULL, 0), 0);
	assert_int_equal(end, T0 + 365 * 24 * H);
	assert_int_equal(carbon_series_mean(a, start, end, &mean, NULL, 0), 0);
	assert_float_equal(mean, z->mean_lca, 1e-6);
	carbon_series_free(a);
	carbon_series_free(b);
	free(buf);
}

static void test_shipped_exports(void **state)
{
	static const struct zone zones[] = {
		{"emaps2023_ES_hourly.csv", 160.12215639269406, 14},
		{"emaps2023_NO_hourly.csv", 34.116059360730594, 4},
		{"emaps2023_US-CAL-CISO_hourly.csv", 261.15818493150685, 3},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		check_zone(&zones[i]);
}

/* ---- CSV structure ------------------------------------------------------- */

/* The same data every way it may be written. */
static void test_csv_forms(void **state)
{
	static const char *const forms[] = {
		"t,v\n2023-01-01T00:00:00Z,1.5\n2023-01-01T01:00:00Z,2\n",
		"\xEF\xBB\xBFt,v\r\n2023-01-01 00:00,1.5\r\n"
		"2023-01-01 01:00:00,2\r\n",
		"\"t\",\"v\"\n\"2023-01-01T00:00Z\",\"1.5\"\n"
		"2023-01-01T01:00:00.000Z,\" 2 \"",
		"\n\nt,v\n\n2023-01-01T01:00:00+01:00,1.5\n\n\n"
		"2023-01-01T00:00:00-01:00,2\r",
		"x,\"a,\"\"b\"\"\nc\",v,t\n1,\"q\"\"\n\",1.5,2023-01-01t00:00z"
		"\n2,,2,2023-01-01 01:00:00.5+00\n",
		"t,v,\n2023-01-01T00:00:00+0000,15e-1,\n"
		"2023-01-01T01:00:00Z,0.2e1,extra,fields\n",
	};
	struct carbon_trace_csv_options o = by_name();

	(void)state;
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		carbon_series *s;
		const struct carbon_series_point *p;

		if (parse(forms[i], &o, &s))
			fail_msg("form %zu: %s", i, err);
		assert_int_equal(carbon_series_count(s), 2);
		p = carbon_series_points_peek(s);
		if (p[0].t != T0 || p[0].value != 1.5 || p[1].t != T0 + H ||
		    p[1].value != 2.0)
			fail_msg("form %zu: %lld %g %lld %g", i,
				 (long long)p[0].t, p[0].value,
				 (long long)p[1].t, p[1].value);
		assert_int_equal(rep.rows, 2);
		assert_int_equal(rep.bad_rows, 0);
		carbon_series_free(s);
	}
}

/* A header name with a quote, a comma and a line break, by name. */
static void test_quoted_header_name(void **state)
{
	const char *csv = "\"a \"\"b\"\",\nc\",t\n7,2023-01-01T00:00Z\n";
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	o.value.name = "a \"b\",\nc";
	s = ok(csv, &o);
	assert_true(carbon_series_points_peek(s)[0].value == 7.0);
	assert_int_equal(carbon_series_meta_peek(s)->signal,
			 CARBON_SIGNAL_AVERAGE);
	carbon_series_free(s);
	/* a prefix or an extension of the name is not the name */
	o.value.name = "a \"b\",";
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	o.value.name = "a \"b\",\nc ";
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no value column \"a \"b\",\nc \" in the "
				 "header");
	/* chosen by index, it is named unquoted in messages */
	o.value = (struct carbon_trace_csv_column){NULL, 0};
	assert_int_equal(
		parse("\"a \"\"b\"\"\",t\nx,2023-01-01T00:00Z\n", &o, &s),
		CARBON_EINVAL);
	assert_string_equal(err, "line 2, column \"a \"b\"\": \"x\" is not a "
				 "number");
	/* a row too short for the time column */
	o.time = (struct carbon_trace_csv_column){NULL, 1};
	assert_int_equal(parse("v,t\n1\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "line 2: no column \"t\" (1): the row has 1 "
				 "fields");
}

static void test_estimated_column(void **state)
{
	const char *csv = "t,v,e\n"
			  "2023-01-01T00:00Z,1,true\n"
			  "2023-01-01T01:00Z,1,FALSE\n"
			  "2023-01-01T02:00Z,1,1\n"
			  "2023-01-01T03:00Z,1,0\n"
			  "2023-01-01T04:00Z,1,\n"
			  "2023-01-01T05:00Z,1, True \n"
			  "2023-01-01T06:00Z,1,maybe\n";
	struct carbon_trace_csv_options o = by_name();
	const struct carbon_series_point *p;
	carbon_series *s;

	(void)state;
	o.estimated.name = "e";
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "line 8, column \"e\": \"maybe\" is not true "
				 "or false");
	o.skip_bad_rows = true;
	s = ok(csv, &o);
	assert_int_equal(carbon_series_count(s), 6);
	p = carbon_series_points_peek(s);
	assert_true(p[0].is_estimated && !p[1].is_estimated &&
		    p[2].is_estimated && !p[3].is_estimated &&
		    !p[4].is_estimated && p[5].is_estimated);
	carbon_series_free(s);
	/* by index, and missing from a short row */
	o.estimated = (struct carbon_trace_csv_column){NULL, 2};
	o.skip_bad_rows = false;
	assert_int_equal(parse("t,v,e\n2023-01-01T00:00Z,1\n", &o, &s),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 2: no column \"e\" (2): the row has 2 "
				 "fields");
	o.estimated = (struct carbon_trace_csv_column){"nope", -1};
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no estimated column \"nope\" in the header");
	o.estimated = (struct carbon_trace_csv_column){NULL, 3};
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "estimated column 3 is not among the "
				 "header's 3 columns");
}

/* ---- bad rows ------------------------------------------------------------ */

static const char bad_csv[] =
	"t,v\n"
	"2023-01-01T00:00Z,10\n"      /* 2 ok */
	"2023-01-01T01:00Z\n"	      /* 3 missing value */
	"2023-01-01T01:00Z,abc\n"     /* 4 not a number */
	"2023-01-01 25:00,5\n"	      /* 5 hour out of range */
	"2023-01-01T01:00Z,-3\n"      /* 6 negative */
	"2022-12-31T23:30Z,5\n"	      /* 7 before line 2 */
	"2023-01-01T00:00Z,5\n"	      /* 8 repeats line 2 */
	"\"2023-01-01T01:00Z\"x,5\n"  /* 9 text after a quote */
	"2023-01-01T01:00Z,1e999\n"   /* 10 too large */
	"2023-01-01T01:00Z,1000000\n" /* 11 above the bound */
	/* 12 ok: a 64-byte value */
	"2023-01-01T01:00Z,"
	"0000000000000000000000000000000000000000000000000000000000000001\n"
	"2023-01-01T02:00Z,20\n" /* 13 ok */
	"yesterday,1\n";	 /* 14 not a time */

static void test_bad_rows_rejected(void **state)
{
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s = (carbon_series *)1;

	(void)state;
	assert_int_equal(carbon_trace_csv_parse(bad_csv, strlen(bad_csv), &o,
						&s, &rep, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 3: no column \"v\" (1): the row has 1 "
				 "fields");
	assert_ptr_equal(s, (carbon_series *)1); /* written only on success */
	assert_int_equal(rep.bad_rows, 1);
	assert_int_equal(rep.n_issues, 1);
	assert_int_equal(rep.issues[0].line, 3);
	assert_int_equal(rep.issues[0].code, CARBON_EINVAL);
	assert_string_equal(rep.issues[0].msg, err);
	/* an out-of-range value fails with ERANGE */
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,-1\n", &o, &s),
			 CARBON_ERANGE);
	assert_string_equal(err, "line 2, column \"v\": -1 is not within "
				 "0..100000 gCO2eq/kWh");
	/* and an index-chosen column is named by its header */
	o.value = (struct carbon_trace_csv_column){NULL, 1};
	assert_int_equal(parse("t,Intensity\n2023-01-01T00:00Z,x\n", &o, &s),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 2, column \"Intensity\": \"x\" is not "
				 "a number");
}

static void test_bad_rows_skipped(void **state)
{
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	o.skip_bad_rows = true;
	s = ok(bad_csv, &o);
	assert_int_equal(carbon_series_count(s), 3);
	assert_int_equal(rep.rows, 13);
	assert_int_equal(rep.points, 3);
	assert_int_equal(rep.bad_rows, 10);
	assert_int_equal(rep.non_monotonic, 1);
	assert_int_equal(rep.duplicates, 1);
	assert_int_equal(rep.n_issues, CARBON_TRACE_CSV_ISSUES_MAX);
	assert_int_equal(rep.issues[0].line, 3);
	assert_string_equal(rep.issues[1].msg, "line 4, column \"v\": \"abc\" "
					       "is not a number");
	assert_int_equal(rep.issues[2].code, CARBON_ERANGE);
	assert_string_equal(rep.issues[2].msg,
			    "line 5, column \"t\": \"2023-01-01 25:00\" has a "
			    "field out of range; use "
			    "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM]");
	assert_string_equal(rep.issues[4].msg, "line 7, column \"t\": time is "
					       "before line 2's");
	assert_string_equal(rep.issues[5].msg, "line 8, column \"t\": time "
					       "repeats line 2's");
	assert_string_equal(rep.issues[6].msg,
			    "line 9: text after a closing quote");
	assert_string_equal(rep.issues[7].msg, "line 10, column \"v\": "
					       "\"1e999\" is too large");
	/* the 64-byte value on line 12 is 1 */
	assert_int_equal(carbon_series_points_peek(s)[1].t, T0 + H);
	assert_true(carbon_series_points_peek(s)[1].value == 1.0);
	assert_int_equal(carbon_series_points_peek(s)[2].t, T0 + 2 * H);
	carbon_series_free(s);
	/* the 64-byte field fits; one more byte does not */
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,"
			       "0000000000000000000000000000000000000000000000"
			       "000000000000000001\n",
			       &o, &s),
			 0);
	carbon_series_free(s);
	o.skip_bad_rows = false;
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,"
			       "0000000000000000000000000000000000000000000000"
			       "0000000000000000001\n",
			       &o, &s),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 2, column \"v\": longer than 64 bytes");
}

static void test_no_rows(void **state)
{
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	assert_int_equal(parse("t,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no data rows");
	assert_int_equal(parse("t,v\n\r\n\n", &o, &s), CARBON_EINVAL);
	o.skip_bad_rows = true;
	assert_int_equal(parse("t,v\nx,1\ny,2\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no valid data rows (2 bad; first: line 2, "
				 "column \"t\": \"x\" is not a time; use "
				 "YYYY-MM-DDTHH:MM[:SS[.fff]][Z|+HH:MM])");
	assert_null(s);
}

/* ---- header and structure errors ------------------------------------------ */

static void test_header_errors(void **state)
{
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	assert_int_equal(parse("", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no header row");
	assert_int_equal(parse("\r\n\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no header row");
	assert_int_equal(parse("\xEF\xBB\xBF", &o, &s), CARBON_EINVAL);
	assert_int_equal(parse("time,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "no time column \"t\" in the header");
	/* a NUL byte is data, not the end of a name */
	assert_int_equal(carbon_trace_csv_parse("t\0,v\n", 5, &o, &s, NULL, err,
						sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "no time column \"t\" in the header");
	assert_int_equal(parse("t,v,t\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "line 1: column \"t\" appears twice (columns "
				 "0 and 2)");
	assert_int_equal(parse("\n\"t\"x,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "line 2: text after a closing quote in the "
				 "header");
	assert_int_equal(parse("t,\"v\n\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "line 1: a quoted field is never closed");
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,1\n\n\"2023-\n", &o, &s),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 4: a quoted field is never closed");
	o.skip_bad_rows = true;
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,\"1\n", &o, &s),
			 CARBON_EINVAL);
	assert_string_equal(err, "line 2: a quoted field is never closed");
	o = by_name();
	o.time = (struct carbon_trace_csv_column){NULL, 2};
	assert_int_equal(parse("t,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "time column 2 is not among the header's 2 "
				 "columns");
	o.time = (struct carbon_trace_csv_column){NULL, -1};
	assert_int_equal(parse("t,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "time column -1 is not among the header's 2 "
				 "columns");
}

/* A long header name chosen by index is cut in messages. */
static void test_long_header_name(void **state)
{
	char csv[256];
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	snprintf(csv, sizeof(csv),
		 "t,%s\n2023-01-01T00:00Z,x\n", /* a 100-byte name */
		 "0123456789012345678901234567890123456789"
		 "0123456789012345678901234567890123456789"
		 "01234567890123456789");
	o.value = (struct carbon_trace_csv_column){NULL, 1};
	assert_int_equal(parse(csv, &o, &s), CARBON_EINVAL);
	assert_non_null(strstr(err, "line 2, column \"0123456789"));
	assert_non_null(strstr(err, "567890123...\": \"x\" is not"));
}

static void test_bad_arguments(void **state)
{
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	assert_int_equal(
		carbon_trace_csv_parse(NULL, 3, &o, &s, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "trace: internal error: bad arguments");
	assert_int_equal(
		carbon_trace_csv_parse("t,v", 3, NULL, &s, NULL, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_trace_csv_parse("t,v", 3, &o, NULL, NULL, NULL, 0),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_trace_csv_parse(NULL, 0, &o, &s, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "no header row");
	o.meta.signal = (enum carbon_signal)42;
	assert_int_equal(parse("t,v\n", &o, &s), CARBON_EINVAL);
	assert_string_equal(err, "series: signal, basis or origin out of "
				 "range");
}

/* ---- gaps ---------------------------------------------------------------- */

static void test_gaps(void **state)
{
	const char *csv = "t,v\n"
			  "2023-01-01T00:00Z,1\n"
			  "2023-01-01T01:00Z,1\n"
			  "2023-01-01T04:00Z,1\n"
			  "2023-01-01T05:00Z,1\n"
			  "2023-01-01T07:00Z,1\n";
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	s = ok(csv, &o);
	assert_int_equal(rep.cadence, H);
	assert_int_equal(rep.gaps, 2);
	assert_int_equal(rep.largest_gap, 3 * H);
	carbon_series_free(s);
	o.cadence = 2 * H;
	s = ok(csv, &o);
	assert_int_equal(rep.cadence, 2 * H);
	assert_int_equal(rep.gaps, 1);
	carbon_series_free(s);
	o.cadence = 0;
	s = ok("t,v\n2023-01-01T00:00Z,1\n", &o);
	assert_int_equal(rep.cadence, 0);
	assert_int_equal(rep.gaps, 0);
	assert_int_equal(rep.largest_gap, 0);
	carbon_series_free(s);
}

/* ---- fields -------------------------------------------------------------- */

static void test_values(void **state)
{
	static const struct {
		const char *in;
		double v;
	} good[] = {
		{"0", 0.0},
		{"114.42", 114.42},
		{"285.41", 285.41},
		{"+3", 3.0},
		{"-0", 0.0},
		{"-0.0e5", 0.0},
		{"-2.5", -2.5},
		{".5", 0.5},
		{"5.", 5.0},
		{"007.250", 7.25},
		{"1.5e2", 150.0},
		{"1.5E+2", 150.0},
		{"15e-1", 1.5},
		{"1e-400", 0.0},
		{"0e999999999", 0.0},
		{"123456789012345678901234", 1.2345678901234568e23},
		{"0.000000000000000000000000001", 1e-27},
		{"1e300", 1e300},
		{"160.12215639269406392694063926940", 160.12215639269406},
	};
	static const char *const bad[] = {
		"",    "+",	"-",	 ".",	"e5",	 "1e",
		"1e+", "1.2.3", "1,5",	 " 1",	"1 ",	 "nan",
		"inf", "0x10",	"1_000", "--1", "1e5.5",
	};
	double v;
	char msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -99;
		if (carbon_trace_csv_parse_value(good[i].in, strlen(good[i].in),
						 &v, msg, sizeof(msg)))
			fail_msg("\"%s\": %s", good[i].in, msg);
		/* exact where the fast path is exact, else within 1 ulp-ish */
		if (!(v == good[i].v || (v - good[i].v) * (v - good[i].v) <=
						1e-30 * good[i].v * good[i].v))
			fail_msg("\"%s\": got %.17g, want %.17g", good[i].in, v,
				 good[i].v);
	}
	assert_int_equal(carbon_trace_csv_parse_value("-0", 2, &v, NULL, 0), 0);
	assert_false(__builtin_signbit(v));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (carbon_trace_csv_parse_value(bad[i], strlen(bad[i]), &v,
						 msg,
						 sizeof(msg)) != CARBON_EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
	assert_int_equal(
		carbon_trace_csv_parse_value("1e309", 5, &v, msg, sizeof(msg)),
		CARBON_ERANGE);
	assert_string_equal(msg, "\"1e309\" is too large");
	assert_int_equal(
		carbon_trace_csv_parse_value("9e99999999999", 13, &v, NULL, 0),
		CARBON_ERANGE);
	assert_int_equal(
		carbon_trace_csv_parse_value(NULL, 0, &v, msg, sizeof(msg)),
		CARBON_EINVAL);
	assert_int_equal(carbon_trace_csv_parse_value("1", 1, NULL, NULL, 0),
			 CARBON_EINVAL);
	/* bytes after len are not read */
	assert_int_equal(carbon_trace_csv_parse_value("12x", 2, &v, NULL, 0),
			 0);
	assert_true(v == 12.0);
}

/* ---- limits and allocation ----------------------------------------------- */

struct fake_alloc {
	int fail_at;
	int calls;
};

static void *fake_resize(void *ptr, size_t size, void *ctx)
{
	struct fake_alloc *f = ctx;

	if (++f->calls == f->fail_at)
		return NULL;
	return realloc(ptr, size);
}

static void fake_release(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static void test_alloc_failures(void **state)
{
	struct fake_alloc fa = {.fail_at = 1};
	const struct carbon_series_allocator port = {fake_resize, fake_release,
						     &fa};
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;

	(void)state;
	o.alloc = &port;
	o.skip_bad_rows = true;
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,1\n", &o, &s),
			 CARBON_ENOMEM);
	assert_string_equal(err, "trace: out of memory");
	fa = (struct fake_alloc){.fail_at = 2};
	assert_int_equal(parse("t,v\n2023-01-01T00:00Z,1\n", &o, &s),
			 CARBON_ENOMEM);
	assert_string_equal(err, "series: out of memory for 1 points");
	assert_null(s);
	fa = (struct fake_alloc){0};
	s = ok("t,v\n2023-01-01T00:00Z,1\n", &o);
	assert_int_equal(fa.calls, 3);
	carbon_series_free(s);
}

/* One row more than a series may hold. */
static void test_too_many_rows(void **state)
{
	size_t n = CARBON_SERIES_MAX_POINTS + 1, row = 24, len = 4 + n * row;
	char *csv = malloc(len + 1), *p = csv;
	struct carbon_trace_csv_options o = by_name();
	carbon_series *s;
	struct tm tm;

	(void)state;
	assert_non_null(csv);
	p += sprintf(p, "t,v\n");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(
			carbon_time_to_utc_tm(T0 + (int64_t)i * 60, &tm), 0);
		p += sprintf(p, "%04d-%02d-%02dT%02d:%02d,1\n",
			     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			     tm.tm_hour, tm.tm_min);
	}
	assert_int_equal(carbon_trace_csv_parse(csv, (size_t)(p - csv), &o, &s,
						&rep, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "line 1048578: more than 1048576 rows");
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_exports),
		cmocka_unit_test(test_csv_forms),
		cmocka_unit_test(test_quoted_header_name),
		cmocka_unit_test(test_estimated_column),
		cmocka_unit_test(test_bad_rows_rejected),
		cmocka_unit_test(test_bad_rows_skipped),
		cmocka_unit_test(test_no_rows),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_long_header_name),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_alloc_failures),
		cmocka_unit_test(test_too_many_rows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
