/*
 * trace_csv.c: the CSV trace reader: RFC 4180 records, the header, rows
 * into points, bad-row policy and the gap report.  Fields are parsed in
 * trace_csv_field.c.  Nothing is copied but the few fields a row needs.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/timeparse.h"
#include "carbon/trace_csv.h"

enum { COL_TIME, COL_VALUE, COL_EST, NCOLS };

static const char *const col_role[NCOLS] = {"time", "value", "estimated"};

struct cursor {
	const char *p, *end;
	size_t line; /* line of p, 1-based */
};

/* One field: its bytes inside any quotes, "" not yet undone. */
struct field {
	const char *p;
	size_t len;
	bool quoted;
};

struct row {
	size_t line;
	size_t nfields;
	bool junk; /* text after a closing quote; the line was skipped */
	bool have[NCOLS];
	struct field col[NCOLS];
};

struct parser {
	const struct carbon_trace_csv_options *opt;
	struct carbon_trace_csv_report *rep;
	carbon_series *s;
	int want[NCOLS]; /* column index, -1: not read */
	char name[NCOLS][CARBON_TRACE_CSV_FIELD_MAX + 4];
	size_t ncols;
	int64_t last_t;
	size_t last_line;
};

/* Consume a line end at c->p (LF, CRLF, or CR at the very end). */
static bool eat_eol(struct cursor *c)
{
	if (c->p < c->end && *c->p == '\n') {
		c->p++;
	} else if (c->p < c->end && *c->p == '\r' &&
		   (c->p + 1 == c->end || c->p[1] == '\n')) {
		c->p += c->p + 1 == c->end ? 1 : 2;
	} else {
		return false;
	}
	c->line++;
	return true;
}

static void skip_line(struct cursor *c)
{
	while (c->p < c->end && !eat_eol(c))
		c->p++;
}

/* After a field: ',' (more follow), a line end or the end (*last). */
static bool field_end(struct cursor *c, bool *last)
{
	*last = c->p == c->end || eat_eol(c);
	if (*last)
		return true;
	if (*c->p != ',')
		return false;
	c->p++;
	return true;
}

static int read_quoted(struct cursor *c, struct field *f)
{
	const char *q = c->p + 1;
	size_t start_line = c->line;

	for (;; q++) {
		if (q == c->end) {
			c->line = start_line;
			return CARBON_EINVAL;
		}
		if (*q == '\n')
			c->line++;
		if (*q != '"')
			continue;
		if (q + 1 < c->end && q[1] == '"')
			q++;
		else
			break;
	}
	f->p = c->p + 1;
	f->len = (size_t)(q - f->p);
	f->quoted = true;
	c->p = q + 1;
	return 0;
}

/*
 * One field at c->p.  Returns 0; 1 when text follows a closing quote (the
 * rest of the line is skipped, *last set); CARBON_EINVAL for a quote never
 * closed (c->line then names where it opened).
 */
static int read_field(struct cursor *c, struct field *f, bool *last)
{
	if (c->p < c->end && *c->p == '"') {
		if (read_quoted(c, f))
			return CARBON_EINVAL;
	} else {
		f->p = c->p;
		f->quoted = false;
		while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
		       !(*c->p == '\r' &&
			 (c->p + 1 == c->end || c->p[1] == '\n')))
			c->p++;
		f->len = (size_t)(c->p - f->p);
	}
	if (field_end(c, last))
		return 0;
	skip_line(c);
	*last = true;
	return 1;
}

/* The field unquoted into buf (NUL-terminated); false if it does not fit. */
static bool field_copy(const struct field *f, char *buf, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < f->len; i++, n++) {
		if (n + 1 >= cap)
			return false;
		buf[n] = f->p[i];
		if (f->quoted && f->p[i] == '"')
			i++; /* "" is one quote */
	}
	buf[n] = '\0';
	return true;
}

static bool field_is(const struct field *f, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < f->len; i++, n++) {
		/* a NUL byte in the field must not match the name's end */
		if (name[n] == '\0' || name[n] != f->p[i])
			return false;
		if (f->quoted && f->p[i] == '"')
			i++;
	}
	return name[n] == '\0';
}

/* The wanted fields of one record; blank lines are skipped by the caller. */
static int read_row(struct cursor *c, const int *want, struct row *r)
{
	bool last = false;

	memset(r, 0, sizeof(*r));
	r->line = c->line;
	while (!last) {
		struct field f;
		int rc = read_field(c, &f, &last);

		if (rc < 0)
			return rc;
		if (rc > 0) {
			r->junk = true;
			return 0;
		}
		for (int k = 0; k < NCOLS; k++) {
			if (want[k] >= 0 && (size_t)want[k] == r->nfields) {
				r->col[k] = f;
				r->have[k] = true;
			}
		}
		r->nfields++;
	}
	return 0;
}

static void skip_blank_lines(struct cursor *c)
{
	while (eat_eol(c))
		;
}

static int unterminated(const struct cursor *c, char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"line %zu: a quoted field is never closed",
				c->line);
}

static const struct carbon_trace_csv_column *column(const struct parser *ps,
						    int k)
{
	return k == COL_TIME	? &ps->opt->time
	       : k == COL_VALUE ? &ps->opt->value
				: &ps->opt->estimated;
}

/* Match the header's fields against the named columns. */
static int match_header(struct parser *ps, const struct field *f, size_t idx,
			size_t line, char *err, size_t errlen)
{
	for (int k = 0; k < NCOLS; k++) {
		const struct carbon_trace_csv_column *col = column(ps, k);

		if (!col->name || !field_is(f, col->name))
			continue;
		if (ps->want[k] >= 0)
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"line %zu: column \"%s\" appears twice "
				"(columns %d and %zu)",
				line, col->name, ps->want[k], idx);
		ps->want[k] = (int)idx;
	}
	return 0;
}

static int header_fields(struct parser *ps, struct cursor *c,
			 struct field *picked, char *err, size_t errlen)
{
	size_t line = c->line;
	bool last = false;
	int rc = 0;

	while (!last && !rc) {
		struct field f;

		rc = read_field(c, &f, &last);
		if (rc < 0)
			return unterminated(c, err, errlen);
		if (rc > 0)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"line %zu: text after a "
						"closing quote in the header",
						line);
		rc = match_header(ps, &f, ps->ncols, line, err, errlen);
		for (int k = 0; k < NCOLS; k++)
			if (ps->want[k] == (int)ps->ncols)
				picked[k] = f;
		ps->ncols++;
	}
	return rc;
}

/* Check one column spec against the header; name it for messages. */
static int resolve_column(struct parser *ps, int k, const struct field *f,
			  char *err, size_t errlen)
{
	const struct carbon_trace_csv_column *col = column(ps, k);

	if (col->name) {
		if (ps->want[k] < 0)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"no %s column \"%s\" in the "
						"header",
						col_role[k], col->name);
		snprintf(ps->name[k], sizeof(ps->name[k]), "%s", col->name);
		return 0;
	}
	if (col->index < 0 && k == COL_EST)
		return 0;
	if (col->index < 0 || (size_t)col->index >= ps->ncols)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s column %d is not among the "
					"header's %zu columns",
					col_role[k], col->index, ps->ncols);
	if (!field_copy(f, ps->name[k], sizeof(ps->name[k]) - 3))
		strcpy(ps->name[k] + sizeof(ps->name[k]) - 4, "...");
	return 0;
}

static int read_header(struct parser *ps, struct cursor *c, char *err,
		       size_t errlen)
{
	struct field picked[NCOLS] = {{0}};
	int rc;

	/* index columns are known now, named ones once the header is read */
	for (int k = 0; k < NCOLS; k++)
		ps->want[k] = column(ps, k)->name ? -1 : column(ps, k)->index;
	skip_blank_lines(c);
	if (c->p == c->end)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"no header row");
	rc = header_fields(ps, c, picked, err, errlen);
	for (int k = 0; k < NCOLS && !rc; k++)
		rc = resolve_column(ps, k, &picked[k], err, errlen);
	return rc;
}

/* Keep a bad row's message (the first few) and count it. */
static void note_issue(struct carbon_trace_csv_report *rep, size_t line,
		       int code, const char *msg)
{
	struct carbon_trace_csv_issue *is;

	rep->bad_rows++;
	if (rep->n_issues == CARBON_TRACE_CSV_ISSUES_MAX)
		return;
	is = &rep->issues[rep->n_issues++];
	is->line = line;
	is->code = code;
	snprintf(is->msg, sizeof(is->msg), "%s", msg);
}

/* The field of column k, unquoted and without surrounding spaces. */
static int field_text(const struct parser *ps, const struct row *r, int k,
		      char *buf, size_t cap, const char **text, char *msg,
		      size_t msglen)
{
	char *e;

	if (!r->have[k])
		return carbon_error_set(msg, msglen, CARBON_EINVAL,
					"line %zu: no column \"%s\" (%d): the "
					"row has %zu fields",
					r->line, ps->name[k], ps->want[k],
					r->nfields);
	if (!field_copy(&r->col[k], buf, cap))
		return carbon_error_set(msg, msglen, CARBON_EINVAL,
					"line %zu, column \"%s\": longer than "
					"%zu bytes",
					r->line, ps->name[k], cap - 1);
	while (*buf == ' ')
		buf++;
	e = buf + strlen(buf);
	while (e > buf && e[-1] == ' ')
		*--e = '\0';
	*text = buf;
	return 0;
}

static int parse_flag(const char *s, bool *flag)
{
	if (!strcasecmp(s, "true") || !strcmp(s, "1") || !*s) {
		*flag = *s != '\0';
		return 0;
	}
	*flag = false;
	return strcasecmp(s, "false") && strcmp(s, "0") ? CARBON_EINVAL : 0;
}

/* Order against the previous point: out of order and duplicates are bad. */
static int check_order(struct parser *ps, const struct row *r, int64_t t,
		       char *msg, size_t msglen)
{
	if (!carbon_series_count(ps->s) || t > ps->last_t)
		return 0;
	if (t == ps->last_t)
		ps->rep->duplicates++;
	else
		ps->rep->non_monotonic++;
	return carbon_error_set(msg, msglen, CARBON_EINVAL,
				"line %zu, column \"%s\": time %s line %zu's",
				r->line, ps->name[COL_TIME],
				t == ps->last_t ? "repeats" : "is before",
				ps->last_line);
}

/* One row into *pt; a message starting "line N" when it is bad. */
static int parse_row(struct parser *ps, const struct row *r,
		     struct carbon_series_point *pt, char *msg, size_t msglen)
{
	char buf[CARBON_TRACE_CSV_FIELD_MAX + 1], why[160];
	const char *text;
	int rc, k;

	memset(pt, 0, sizeof(*pt));
	if (r->junk)
		return carbon_error_set(msg, msglen, CARBON_EINVAL,
					"line %zu: text after a closing quote",
					r->line);
	k = COL_TIME;
	rc = field_text(ps, r, k, buf, sizeof(buf), &text, msg, msglen);
	if (rc)
		return rc;
	rc = carbon_timeparse_iso(text, strlen(text),
				  CARBON_TIMEPARSE_ISO_TRACE, &pt->t, why,
				  sizeof(why));
	if (rc)
		goto bad_field;
	k = COL_VALUE;
	rc = field_text(ps, r, k, buf, sizeof(buf), &text, msg, msglen);
	if (rc)
		return rc;
	rc = carbon_trace_csv_parse_value(text, strlen(text), &pt->value, why,
					  sizeof(why));
	if (!rc && !(pt->value >= 0.0 && pt->value <= CARBON_SERIES_VALUE_MAX))
		rc = carbon_error_set(why, sizeof(why), CARBON_ERANGE,
				      "%g is not within 0..%g gCO2eq/kWh",
				      pt->value, CARBON_SERIES_VALUE_MAX);
	if (rc)
		goto bad_field;
	k = COL_EST;
	if (ps->want[k] >= 0) {
		rc = field_text(ps, r, k, buf, sizeof(buf), &text, msg, msglen);
		if (rc)
			return rc;
		rc = parse_flag(text, &pt->is_estimated);
		if (rc)
			rc = carbon_error_set(why, sizeof(why), rc,
					      "\"%.40s\" is not true or false",
					      text);
		if (rc)
			goto bad_field;
	}
	return check_order(ps, r, pt->t, msg, msglen);
bad_field:
	return carbon_error_set(msg, msglen, rc, "line %zu, column \"%s\": %s",
				r->line, ps->name[k], why);
}

/* A bad row: fail, or count it and go on (skip_bad_rows). */
static int bad_row(struct parser *ps, size_t line, int code, const char *msg,
		   char *err, size_t errlen)
{
	note_issue(ps->rep, line, code, msg);
	if (ps->opt->skip_bad_rows)
		return 0;
	return carbon_error_set(err, errlen, code, "%s", msg);
}

static int add_point(struct parser *ps, const struct row *r,
		     const struct carbon_series_point *pt, char *err,
		     size_t errlen)
{
	int rc;

	if (carbon_series_count(ps->s) == CARBON_SERIES_MAX_POINTS)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"line %zu: more than %zu rows", r->line,
					CARBON_SERIES_MAX_POINTS);
	rc = carbon_series_append(ps->s, pt, err, errlen);
	if (rc)
		return rc;
	ps->last_t = pt->t;
	ps->last_line = r->line;
	ps->rep->points++;
	return 0;
}

static int read_rows(struct parser *ps, struct cursor *c, char *err,
		     size_t errlen)
{
	char msg[CARBON_TRACE_CSV_MSG_MAX];
	struct carbon_series_point pt;
	struct row r;
	int rc;

	for (skip_blank_lines(c); c->p < c->end; skip_blank_lines(c)) {
		if (read_row(c, ps->want, &r))
			return unterminated(c, err, errlen);
		ps->rep->rows++;
		rc = parse_row(ps, &r, &pt, msg, sizeof(msg));
		if (rc)
			rc = bad_row(ps, r.line, rc, msg, err, errlen);
		else
			rc = add_point(ps, &r, &pt, err, errlen);
		if (rc)
			return rc;
	}
	if (carbon_series_count(ps->s))
		return 0;
	if (ps->rep->n_issues)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"no valid data rows (%zu bad; first: "
					"%s)",
					ps->rep->bad_rows,
					ps->rep->issues[0].msg);
	return carbon_error_set(err, errlen, CARBON_EINVAL, "no data rows");
}

/* Spacings above the cadence (given, or the smallest seen). */
static void gap_stats(const carbon_series *s, int64_t cadence,
		      struct carbon_trace_csv_report *rep)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);

	for (size_t i = 1; cadence <= 0 && i < n; i++)
		if (i == 1 || p[i].t - p[i - 1].t < rep->cadence)
			rep->cadence = p[i].t - p[i - 1].t;
	if (cadence > 0)
		rep->cadence = cadence;
	for (size_t i = 1; i < n; i++) {
		int64_t d = p[i].t - p[i - 1].t;

		if (d > rep->largest_gap)
			rep->largest_gap = d;
		if (d > rep->cadence)
			rep->gaps++;
	}
}

int carbon_trace_csv_parse(const char *buf, size_t len,
			   const struct carbon_trace_csv_options *opt,
			   carbon_series **out,
			   struct carbon_trace_csv_report *report, char *err,
			   size_t errlen)
{
	struct carbon_trace_csv_report local;
	struct parser ps = {0};
	struct cursor c = {buf, buf + len, 1};
	int rc;

	if ((!buf && len) || !opt || !out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"trace: internal error: bad arguments");
	rc = carbon_series_meta_check(&opt->meta, err, errlen);
	if (rc)
		return rc;
	ps.opt = opt;
	ps.rep = report ? report : &local;
	memset(ps.rep, 0, sizeof(*ps.rep));
	ps.s = carbon_series_new(&opt->meta, opt->alloc);
	if (!ps.s)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"trace: out of memory");
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		c.p += 3;
	rc = read_header(&ps, &c, err, errlen);
	if (!rc)
		rc = read_rows(&ps, &c, err, errlen);
	if (rc) {
		carbon_series_free(ps.s);
		return rc;
	}
	gap_stats(ps.s, opt->cadence, ps.rep);
	*out = ps.s;
	return 0;
}
