/*
 * carbon/trace_csv.h: read an intensity trace from CSV (an Electricity
 * Maps export, a simulator's input) into a series.
 *
 * The caller reads the file and passes the bytes; nothing here touches the
 * file system.  The first record is the header.  Accepted CSV: RFC 4180
 * (fields separated by ',', optionally in double quotes with "" for a
 * quote and line breaks inside), records ended by LF or CRLF, an optional
 * UTF-8 byte order mark, blank lines ignored.  Columns are chosen by
 * header name (exact bytes after unquoting, e.g. the UTF-8 of
 * "Carbon Intensity gCO₂eq/kWh (LCA)") or by 0-based index; spaces around
 * a value are ignored.
 *
 * Times: carbon_timeparse_iso()'s TRACE form (carbon/timeparse.h):
 * YYYY-MM-DD, then 'T' or ' ', then HH:MM[:SS[.fraction]], then nothing
 * (UTC), 'Z', or an offset +HH:MM, +HHMM or +HH (or '-').  The fraction
 * is dropped (series have whole seconds).  Values: decimal
 * numbers (123, 114.42, 1.5e2), no NaN or infinity.  The optional
 * "estimated" column holds true/false/1/0 (case-insensitive) or nothing.
 *
 * Rows must come in increasing time.  A bad row (unparsable field, value
 * out of range, missing column, a time not after the previous row's,
 * i.e. out of order or a duplicate) either fails the whole parse with
 * its line number and column name, or, with skip_bad_rows, is counted and
 * the first few are kept in the report.  Broken CSV structure (a quote
 * never closed) always fails.  Gaps (spacings above the cadence) are
 * reported, not filled: the series holds each value until the next.
 *
 * Ownership: buf and the option strings are borrowed for the call; the
 * series returned in *out belongs to the caller (carbon_series_free()).
 */
#ifndef CARBON_TRACE_CSV_H
#define CARBON_TRACE_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/series.h"

/* Bad rows the report keeps, and the length of each message. */
#define CARBON_TRACE_CSV_ISSUES_MAX 8
#define CARBON_TRACE_CSV_MSG_MAX    192
/* Longest time, value or flag field, in bytes. */
#define CARBON_TRACE_CSV_FIELD_MAX 64

/* A column by header name (when name is set) or by 0-based index. */
struct carbon_trace_csv_column {
	const char *name;
	int index; /* -1 with name NULL: no such column (optional ones) */
};

struct carbon_trace_csv_options {
	struct carbon_trace_csv_column time;
	struct carbon_trace_csv_column value;
	struct carbon_trace_csv_column estimated; /* optional */
	bool skip_bad_rows;
	/* spacing gaps are measured against; 0: the smallest spacing seen */
	int64_t cadence;
	struct carbon_series_meta meta;		     /* for the series made */
	const struct carbon_series_allocator *alloc; /* NULL: libc */
};

struct carbon_trace_csv_issue {
	size_t line; /* where the row starts, 1-based */
	int code;    /* CARBON_E* */
	char msg[CARBON_TRACE_CSV_MSG_MAX];
};

struct carbon_trace_csv_report {
	size_t rows;	      /* data records read (blank lines excluded) */
	size_t points;	      /* rows that became points */
	size_t bad_rows;      /* rows skipped */
	size_t non_monotonic; /* of those: time before the previous row's */
	size_t duplicates;    /* of those: time equal to the previous row's */
	int64_t cadence;      /* what gaps were measured against */
	size_t gaps;	      /* spacings larger than cadence */
	int64_t largest_gap;  /* largest spacing, s; 0 below two points */
	size_t n_issues; /* issues[] kept, <= CARBON_TRACE_CSV_ISSUES_MAX */
	struct carbon_trace_csv_issue issues[CARBON_TRACE_CSV_ISSUES_MAX];
};

/*
 * Parse len bytes of buf into a new series (*out, meta from opt).  report
 * may be NULL; it is filled on success and on a bad-row failure.  Returns
 * 0; CARBON_EINVAL (NULL arguments, a column not in the header or named
 * twice, broken CSV, a bad row without skip_bad_rows, no data rows);
 * CARBON_ERANGE (a value out of range without skip_bad_rows, too many
 * rows); CARBON_ENOMEM.  Messages start "line N" where one applies.
 */
int carbon_trace_csv_parse(const char *buf, size_t len,
			   const struct carbon_trace_csv_options *opt,
			   carbon_series **out,
			   struct carbon_trace_csv_report *report, char *err,
			   size_t errlen) CARBON_MUST_CHECK;

/*
 * One value as above into *v (a leading '-' parses; the series rejects
 * it).  Returns 0, CARBON_EINVAL (malformed) or CARBON_ERANGE (overflows
 * a double).
 */
int carbon_trace_csv_parse_value(const char *s, size_t len, double *v,
				 char *err, size_t errlen) CARBON_MUST_CHECK;

#endif
