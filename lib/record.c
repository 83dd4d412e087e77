/*
 * record.c: the per-zone cache record (see carbon/record.h): the rules
 * both directions share, the small API, and encode.  Decode is in
 * record_decode.c.
 *
 * Encode checks everything decode would reject, so a record that encodes
 * always decodes to itself.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal/record_internal.h"
#include "carbon/timeparse.h"

struct carbon_record *carbon_record_new(size_t n_points)
{
	struct carbon_record *r;

	if (n_points == 0 || n_points > CARBON_RECORD_POINTS_MAX)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->points = calloc(n_points, sizeof(*r->points));
	if (!r->points) {
		free(r);
		return NULL;
	}
	r->n_points = n_points;
	return r;
}

void carbon_record_free(struct carbon_record *r)
{
	if (!r)
		return;
	free(r->points);
	free(r);
}

int64_t carbon_record_age(const struct carbon_record *r)
{
	return r ? r->generated_at - r->fetched_at : 0;
}

int carbon_record_key_name(const char *prefix, const char *zone, char *buf,
			   size_t len)
{
	int n;

	if (!prefix || !zone || !buf || len == 0)
		return CARBON_EINVAL;
	n = snprintf(buf, len, "%szone:%s", prefix, zone);
	if (n < 0 || (size_t)n >= len)
		return CARBON_ETOOLONG;
	return 0;
}

/* ---- shared checks ------------------------------------------------------ */

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

bool record_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > CARBON_RECORD_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!name_char(s[i]))
			return false;
	}
	return true;
}

bool record_sig_ok(const char *s, size_t n)
{
	if (n != CARBON_RECORD_SIG_LEN)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

bool record_time_ok(int64_t t)
{
	return t >= 0 && t <= CARBON_TIME_MAX;
}

/* ---- encode ------------------------------------------------------------- */

/* A writer that counts what it could not write, so callers learn the size. */
struct out {
	char *buf;
	size_t cap;
	size_t n;
};

static void CARBON_PRINTF(2, 3) put(struct out *o, const char *fmt, ...)
{
	size_t room = o->cap > o->n ? o->cap - o->n : 0;
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(room ? o->buf + o->n : NULL, room, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

static void put_time(struct out *o, int64_t t)
{
	struct tm tm;

	/* callers checked record_time_ok(), so the conversion cannot fail */
	if (carbon_time_to_utc_tm(t, &tm))
		return;
	put(o, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* value in thousandths, rounded half up; callers checked the range */
static int64_t to_milli(double v)
{
	return (int64_t)(v * 1000.0 + 0.5);
}

static void put_value(struct out *o, int64_t milli)
{
	int64_t frac = milli % 1000;
	int digits = 3;

	if (frac == 0) {
		put(o, "%lld", (long long)(milli / 1000));
		return;
	}
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	put(o, "%lld.%0*lld", (long long)(milli / 1000), digits,
	    (long long)frac);
}

static int check_header(const struct carbon_record *r, char *err, size_t errlen)
{
	const char *bad = NULL;

	if (!record_name_ok(r->zone, strnlen(r->zone, sizeof(r->zone))))
		bad = "zone";
	else if (!record_name_ok(r->source,
				 strnlen(r->source, sizeof(r->source))))
		bad = "source";
	else if (!record_name_ok(r->key_id,
				 strnlen(r->key_id, sizeof(r->key_id))))
		bad = "key";
	else if (!carbon_signal_is_known(r->signal))
		bad = "signal";
	else if (!carbon_basis_is_known(r->basis))
		bad = "basis";
	else if (r->sig[0] &&
		 !record_sig_ok(r->sig, strnlen(r->sig, sizeof(r->sig))))
		bad = "sig";
	if (bad)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: %s is malformed", bad);
	if (!record_time_ok(r->fetched_at) || !record_time_ok(r->generated_at))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"carbon record: fetched_at or "
					"generated_at is outside 1970..9999");
	if (r->generated_at < r->fetched_at)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: generated_at is "
					"before fetched_at");
	if (r->n_points == 0 || r->n_points > CARBON_RECORD_POINTS_MAX ||
	    !r->points)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"carbon record: %zu points; need 1 "
					"to %d",
					r->n_points, CARBON_RECORD_POINTS_MAX);
	return 0;
}

int record_check_points(const struct carbon_record *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n_points; i++) {
		const struct carbon_record_point *p = &r->points[i];

		if (!record_time_ok(p->t))
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"carbon record: point %zu: "
						"time outside 1970..9999",
						i + 1);
		if (i > 0 && p->t <= r->points[i - 1].t)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"carbon record: point %zu: "
						"time not after point %zu",
						i + 1, i);
		/* written so that NaN fails too */
		if (!(p->value >= 0.0 && p->value <= CARBON_RECORD_VALUE_MAX))
			return carbon_error_set(
				err, errlen, CARBON_ERANGE,
				"carbon record: point %zu: value is not a "
				"number from 0 to %.0f",
				i + 1, CARBON_RECORD_VALUE_MAX);
	}
	return 0;
}

static void put_record(struct out *o, const struct carbon_record *r)
{
	static const char *const flags[2][2] = {{"-", "e"}, {"f", "fe"}};

	put(o, "%s v%d\n", CARBON_RECORD_MAGIC, CARBON_RECORD_VERSION);
	put(o, "zone=%s\nsignal=%s\nbasis=%s\nsource=%s\nfetched_at=", r->zone,
	    carbon_signal_name(r->signal), carbon_basis_name(r->basis),
	    r->source);
	put_time(o, r->fetched_at);
	put(o, "\ngenerated_at=");
	put_time(o, r->generated_at);
	put(o, "\nstale=%d\nage=%lld\nfallback=%d\nderived=%d\n", r->stale,
	    (long long)carbon_record_age(r), r->fallback, r->derived);
	put(o, "key=%s\npoints=%zu\n", r->key_id, r->n_points);
	for (size_t i = 0; i < r->n_points; i++) {
		const struct carbon_record_point *p = &r->points[i];

		put_time(o, p->t);
		put(o, " ");
		put_value(o, to_milli(p->value));
		put(o, " %s\n", flags[p->is_forecast][p->is_estimated]);
	}
	if (r->sig[0])
		put(o, "sig=%s\n", r->sig);
}

int carbon_record_encode(const struct carbon_record *r, char *buf, size_t len,
			 size_t *used, char *err, size_t errlen)
{
	struct out o = {buf, buf ? len : 0, 0};
	int rc;

	if (!r || !used)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: internal error: bad "
					"arguments");
	rc = check_header(r, err, errlen);
	if (!rc)
		rc = record_check_points(r, err, errlen);
	if (rc)
		return rc;
	put_record(&o, r);
	*used = o.n;
	if (o.n >= o.cap)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"carbon record: needs %zu bytes, "
					"buffer has %zu",
					o.n + 1, o.cap);
	return 0;
}

int carbon_record_encode_alloc(const struct carbon_record *r, char **out,
			       size_t *used, char *err, size_t errlen)
{
	size_t need = 0;
	char *buf;
	int rc;

	if (!out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: internal error: bad "
					"arguments");
	rc = carbon_record_encode(r, NULL, 0, &need, err, errlen);
	if (rc != CARBON_ETOOLONG)
		return rc;
	buf = malloc(need + 1);
	if (!buf)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon record: out of memory");
	rc = carbon_record_encode(r, buf, need + 1, used, err, errlen);
	if (rc) {
		free(buf);
		return rc;
	}
	if (err && errlen)
		err[0] = '\0'; /* the size probe left a message */
	*out = buf;
	return 0;
}
