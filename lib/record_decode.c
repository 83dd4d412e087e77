/*
 * record_decode.c: bytes to a cache record (see carbon/record.h).
 *
 * Decode never trusts the length of anything: it walks the buffer with an
 * explicit end, reads every number digit by digit with a bound, and
 * accepts only the canonical spelling, so a signature over the bytes is
 * also a signature over the data.  No strtod(): it depends on the locale
 * (sbatch may run under LC_NUMERIC=de_DE) and accepts many spellings.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal/record_internal.h"
#include "carbon/timeparse.h"

#define TIME_LEN 20 /* YYYY-MM-DDTHH:MM:SSZ */
/* The longest legitimate line is a sig line; anything longer is garbage. */
#define LINE_MAX_BYTES 128
/* "YYYY-MM-DDTHH:MM:SSZ 0 -\n" */
#define POINT_MIN_BYTES (TIME_LEN + 4)

/* The header fields, in their one allowed order. */
enum field {
	F_ZONE,
	F_SIGNAL,
	F_BASIS,
	F_SOURCE,
	F_FETCHED,
	F_GENERATED,
	F_STALE,
	F_AGE,
	F_FALLBACK,
	F_DERIVED,
	F_KEY,
	F_POINTS,
	N_FIELDS
};

static const char *const field_names[N_FIELDS] = {
	"zone",	 "signal", "basis",    "source",  "fetched_at", "generated_at",
	"stale", "age",	   "fallback", "derived", "key",	"points",
};

struct rd {
	const char *p, *end;
	unsigned line;
	const char *s; /* the current line, without its "\n" */
	size_t n;
	char *err;
	size_t errlen;
};

static int CARBON_PRINTF(3, 4) bad(struct rd *d, int code, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return carbon_error_set(d->err, d->errlen, code,
				"carbon record: line %u: %s", d->line, msg);
}

/* Step to the next line; only printable ASCII, and it must end in "\n". */
static int next_line(struct rd *d, const char *what)
{
	const char *nl;
	size_t n;

	d->line++;
	if (d->p >= d->end)
		return bad(d, CARBON_EINVAL, "record ends before %s", what);
	nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
	n = nl ? (size_t)(nl - d->p) : (size_t)(d->end - d->p);
	if (n > LINE_MAX_BYTES)
		return bad(d, CARBON_EINVAL, "line longer than %d bytes",
			   LINE_MAX_BYTES);
	for (size_t i = 0; i < n; i++) {
		if (d->p[i] < 0x20 || d->p[i] > 0x7e)
			return bad(d, CARBON_EINVAL,
				   "control or non-ASCII byte at column %zu",
				   i + 1);
	}
	if (!nl)
		return bad(d, CARBON_EINVAL, "last line lacks its newline");
	d->s = d->p;
	d->n = n;
	d->p = nl + 1;
	return 0;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
	}
	return n > 0;
}

/* Exactly YYYY-MM-DDTHH:MM:SSZ, a real calendar date, 1970..9999. */
static bool parse_time(const char *s, size_t n, int64_t *t)
{
	return !carbon_timeparse_iso(s, n, CARBON_TIMEPARSE_ISO_EXACT, t, NULL,
				     0);
}

/* A canonical non-negative integer: "0" or no leading zero, <= max. */
static bool parse_uint(const char *s, size_t n, int64_t max, int64_t *v)
{
	int64_t x = 0;

	if (!digits(s, n) || (n > 1 && s[0] == '0') || n > 18)
		return false;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (s[i] - '0');
	if (x > max)
		return false;
	*v = x;
	return true;
}

/* A canonical value (see the header) in thousandths. */
static bool parse_value(const char *s, size_t n, int64_t *milli)
{
	const char *dot = memchr(s, '.', n);
	size_t ni = dot ? (size_t)(dot - s) : n;
	size_t nf = dot ? n - ni - 1 : 0;
	int64_t ip, fp = 0;

	if (!parse_uint(s, ni, RECORD_MILLI_MAX / 1000, &ip))
		return false;
	if (dot) {
		if (nf < 1 || nf > 3 || !digits(dot + 1, nf) || dot[nf] == '0')
			return false;
		for (size_t i = 0; i < 3; i++)
			fp = fp * 10 + (i < nf ? dot[1 + i] - '0' : 0);
	}
	if (ip * 1000 + fp > RECORD_MILLI_MAX)
		return false;
	*milli = ip * 1000 + fp;
	return true;
}

/* The known value 1..last (carbon/kind.h) spelled exactly s; 0 if none. */
static int parse_kind(const char *s, size_t n, int last,
		      const char *(*name)(int v))
{
	for (int v = 1; v <= last; v++) {
		if (strlen(name(v)) == n && !memcmp(s, name(v), n))
			return v;
	}
	return 0;
}

static const char *signal_name(int v)
{
	return carbon_signal_name((enum carbon_signal)v);
}

static const char *basis_name(int v)
{
	return carbon_basis_name((enum carbon_basis)v);
}

static bool parse_flag(const char *s, size_t n, bool *v)
{
	if (n != 1 || (s[0] != '0' && s[0] != '1'))
		return false;
	*v = s[0] == '1';
	return true;
}

static int field_index(const char *s, size_t n)
{
	for (int i = 0; i < N_FIELDS; i++) {
		if (strlen(field_names[i]) == n &&
		    !memcmp(s, field_names[i], n))
			return i;
	}
	return -1;
}

static void copy_name(char *dst, const char *s, size_t n)
{
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static int check_magic(struct rd *d)
{
	static const char magic[] = CARBON_RECORD_MAGIC " v";
	size_t m = sizeof(magic) - 1;
	int rc = next_line(d, "the magic line");

	if (rc)
		return rc;
	if (d->n < m || memcmp(d->s, magic, m) || !digits(d->s + m, d->n - m))
		return bad(d, CARBON_EINVAL,
			   "not a carbon record (no \"%s v%d\" line)",
			   CARBON_RECORD_MAGIC, CARBON_RECORD_VERSION);
	if (d->n != m + 1 || d->s[m] != '0' + CARBON_RECORD_VERSION)
		return bad(d, CARBON_EINVAL,
			   "unsupported version \"%.*s\"; this build reads "
			   "v%d",
			   (int)(d->n - m), d->s + m, CARBON_RECORD_VERSION);
	return 0;
}

/* Read the line for field f: "name=value"; sets *v, *vn. */
static int field_line(struct rd *d, int f, const char **v, size_t *vn)
{
	const char *eq;
	int got, rc = next_line(d, field_names[f]);

	if (rc)
		return rc;
	eq = memchr(d->s, '=', d->n);
	got = eq ? field_index(d->s, (size_t)(eq - d->s)) : -1;
	if (got == f) {
		*v = eq + 1;
		*vn = d->n - (size_t)(eq + 1 - d->s);
		return 0;
	}
	if (got >= 0 && got < f)
		return bad(d, CARBON_EINVAL, "duplicate field \"%s\"",
			   field_names[got]);
	if (got > f)
		return bad(d, CARBON_EINVAL, "missing field \"%s\"",
			   field_names[f]);
	return bad(d, CARBON_EINVAL, "expected field \"%s\", found \"%.*s\"",
		   field_names[f], (int)(d->n > 40 ? 40 : d->n), d->s);
}

static bool parse_field(struct carbon_record *r, int f, const char *v, size_t n,
			int64_t *scratch)
{
	switch (f) {
	case F_ZONE:
	case F_SOURCE:
	case F_KEY:
		if (!record_name_ok(v, n))
			return false;
		copy_name(f == F_ZONE	  ? r->zone
			  : f == F_SOURCE ? r->source
					  : r->key_id,
			  v, n);
		return true;
	case F_SIGNAL:
		/* case-sensitive: only the canonical spelling; never "unknown" */
		r->signal = (enum carbon_signal)parse_kind(
			v, n, CARBON_SIGNAL_LAST, signal_name);
		return r->signal != CARBON_SIGNAL_UNKNOWN;
	case F_BASIS:
		r->basis = (enum carbon_basis)parse_kind(
			v, n, CARBON_BASIS_LAST, basis_name);
		return r->basis != CARBON_BASIS_UNKNOWN;
	case F_FETCHED:
		return parse_time(v, n, &r->fetched_at);
	case F_GENERATED:
		return parse_time(v, n, &r->generated_at);
	case F_STALE:
		return parse_flag(v, n, &r->stale);
	case F_FALLBACK:
		return parse_flag(v, n, &r->fallback);
	case F_DERIVED:
		return parse_flag(v, n, &r->derived);
	default: /* F_AGE, F_POINTS */
		return parse_uint(v, n, CARBON_TIME_MAX, scratch);
	}
}

/* The header into *hdr; *count receives the number of points announced. */
static int read_header(struct rd *d, struct carbon_record *hdr, size_t *count)
{
	int64_t age = 0, n = 0;

	for (int f = 0; f < N_FIELDS; f++) {
		const char *v = NULL;
		size_t vn = 0;
		int rc = field_line(d, f, &v, &vn);

		if (rc)
			return rc;
		if (!parse_field(hdr, f, v, vn, f == F_AGE ? &age : &n))
			return bad(d, CARBON_EINVAL,
				   "malformed value for \"%s\"",
				   field_names[f]);
		if (f == F_GENERATED && hdr->generated_at < hdr->fetched_at)
			return bad(d, CARBON_EINVAL,
				   "generated_at is before fetched_at");
		if (f == F_AGE && age != carbon_record_age(hdr))
			return bad(d, CARBON_EINVAL,
				   "age is not generated_at - fetched_at");
	}
	if (n < 1 || n > CARBON_RECORD_POINTS_MAX)
		return bad(d, CARBON_ERANGE, "points=%lld; need 1 to %d",
			   (long long)n, CARBON_RECORD_POINTS_MAX);
	/* do not allocate for points the bytes cannot hold */
	if (n > (d->end - d->p) / POINT_MIN_BYTES)
		return bad(d, CARBON_EINVAL,
			   "points=%lld, but only %lld bytes follow",
			   (long long)n, (long long)(d->end - d->p));
	*count = (size_t)n;
	return 0;
}

static int read_point(struct rd *d, struct carbon_record *r, size_t i)
{
	struct carbon_record_point *p = &r->points[i];
	const char *sp1, *sp2, *fl;
	size_t fn;
	int64_t milli;
	int rc = next_line(d, "all points");

	if (rc)
		return rc;
	if (d->n >= 4 && !memcmp(d->s, "sig=", 4))
		return bad(d, CARBON_EINVAL, "only %zu of %zu points", i,
			   r->n_points);
	sp1 = memchr(d->s, ' ', d->n);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', d->n - (size_t)(sp1 + 1 - d->s))
		  : NULL;
	if (!sp2 || !parse_time(d->s, (size_t)(sp1 - d->s), &p->t) ||
	    !parse_value(sp1 + 1, (size_t)(sp2 - sp1 - 1), &milli))
		return bad(d, CARBON_EINVAL, "malformed point");
	fl = sp2 + 1;
	fn = d->n - (size_t)(fl - d->s);
	if (fn == 1 && (fl[0] == '-' || fl[0] == 'e' || fl[0] == 'f')) {
		p->is_forecast = fl[0] == 'f';
		p->is_estimated = fl[0] == 'e';
	} else if (fn == 2 && fl[0] == 'f' && fl[1] == 'e') {
		p->is_forecast = p->is_estimated = true;
	} else {
		return bad(d, CARBON_EINVAL, "malformed point flags");
	}
	if (i > 0 && p->t <= r->points[i - 1].t)
		return bad(d, CARBON_EINVAL,
			   "time not after the previous "
			   "point's");
	p->value = (double)milli / 1000.0;
	return 0;
}

/* After the points: nothing, or one sig line and nothing. */
static int read_trailer(struct rd *d, struct carbon_record *r,
			size_t *signed_len, const char *start)
{
	int rc;

	*signed_len = (size_t)(d->p - start);
	if (d->p == d->end)
		return 0;
	rc = next_line(d, "the signature");
	if (rc)
		return rc;
	if (d->n < 4 || memcmp(d->s, "sig=", 4))
		return bad(d, CARBON_EINVAL,
			   "expected \"sig=\" or the end after %zu points",
			   r->n_points);
	if (!record_sig_ok(d->s + 4, d->n - 4))
		return bad(d, CARBON_EINVAL,
			   "sig is not %d lowercase hex digits",
			   CARBON_RECORD_SIG_LEN);
	copy_name(r->sig, d->s + 4, d->n - 4);
	if (d->p != d->end) {
		d->line++;
		return bad(d, CARBON_EINVAL, "data after the signature");
	}
	return 0;
}

int carbon_record_decode(const char *buf, size_t len,
			 struct carbon_record **out, size_t *signed_len,
			 char *err, size_t errlen)
{
	struct carbon_record hdr = {0}, *r = NULL;
	size_t count = 0, slen = 0;
	struct rd d;
	int rc;

	if (!buf || !out || !signed_len)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: internal error: bad "
					"arguments");
	if (len > CARBON_RECORD_BYTES_MAX)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"carbon record: %zu bytes; at most %d",
					len, CARBON_RECORD_BYTES_MAX);
	d = (struct rd){buf, buf + len, 0, NULL, 0, err, errlen};
	rc = check_magic(&d);
	if (!rc)
		rc = read_header(&d, &hdr, &count);
	if (rc)
		return rc;
	r = carbon_record_new(count);
	if (!r)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon record: out of memory");
	hdr.points = r->points;
	hdr.n_points = count;
	*r = hdr;
	for (size_t i = 0; i < count && !rc; i++)
		rc = read_point(&d, r, i);
	if (!rc)
		rc = read_trailer(&d, r, &slen, buf);
	if (rc) {
		carbon_record_free(r);
		return rc;
	}
	*out = r;
	*signed_len = slen;
	return 0;
}
