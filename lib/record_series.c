/*
 * record_series.c: a cache record to an intensity series and back (see
 * carbon/record.h).  carbon-cached turns a provider's series into the
 * record it signs; the plugins turn the record they read into the series
 * the policy ranks.  Both directions carry the signal and basis through
 * unchanged and refuse UNKNOWN, so the kind can never be lost on the way.
 */
#include <string.h>

#include "internal/record_internal.h"

/* The two sides share their bounds, so a conversion never cuts or clips. */
_Static_assert(CARBON_SERIES_SOURCE_MAX >= CARBON_RECORD_NAME_MAX,
	       "a record's source fits in a series");
/* (cast: a static assertion takes no floating-point comparison) */
_Static_assert((int64_t)CARBON_SERIES_VALUE_MAX ==
		       (int64_t)CARBON_RECORD_VALUE_MAX,
	       "the same value range");
_Static_assert(CARBON_RECORD_POINTS_MAX <= CARBON_SERIES_MAX_POINTS,
	       "a record's points fit in a series");

static int check_kind(enum carbon_signal signal, enum carbon_basis basis,
		      const char *what, char *err, size_t errlen)
{
	if (carbon_signal_is_known(signal) && carbon_basis_is_known(basis))
		return 0;
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"carbon record: %s is %s/%s; a record needs a "
				"known signal and basis",
				what, carbon_signal_name(signal),
				carbon_basis_name(basis));
}

static int check_count(size_t n, char *err, size_t errlen)
{
	if (n >= 1 && n <= CARBON_RECORD_POINTS_MAX)
		return 0;
	return carbon_error_set(err, errlen, CARBON_ERANGE,
				"carbon record: %zu points; need 1 to %d", n,
				CARBON_RECORD_POINTS_MAX);
}

/* ---- record to series --------------------------------------------------- */

static void series_meta(const struct carbon_record *r,
			struct carbon_series_meta *m)
{
	size_t n = strnlen(r->source, sizeof(r->source));

	memset(m, 0, sizeof(*m));
	m->signal = r->signal;
	m->basis = r->basis;
	m->origin = r->derived ? CARBON_SERIES_FALLBACK_FORECAST
			       : CARBON_SERIES_PROVIDED;
	/* the static assertion above makes this a whole copy */
	memcpy(m->source, r->source,
	       n < CARBON_SERIES_SOURCE_MAX ? n : CARBON_SERIES_SOURCE_MAX);
	m->fetched_at = r->fetched_at;
}

int carbon_record_to_series(const struct carbon_record *r,
			    const struct carbon_series_allocator *alloc,
			    carbon_series **out, char *err, size_t errlen)
{
	return carbon_record_tail_to_series(r, 0, alloc, out, err, errlen);
}

int carbon_record_tail_to_series(const struct carbon_record *r, size_t from,
				 const struct carbon_series_allocator *alloc,
				 carbon_series **out, char *err, size_t errlen)
{
	struct carbon_series_meta m;
	carbon_series *s;
	int rc;

	if (!r || !out || (alloc && (!alloc->resize || !alloc->release)) ||
	    (from && from >= r->n_points))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: internal error: bad "
					"arguments");
	rc = check_kind(r->signal, r->basis, "the record", err, errlen);
	if (!rc)
		rc = check_count(r->points ? r->n_points : 0, err, errlen);
	if (!rc)
		rc = record_check_points(r, err, errlen);
	if (rc)
		return rc;
	series_meta(r, &m);
	/* a lone last point holds as long as it does in the record */
	if (from && from + 1 == r->n_points)
		m.default_span = r->points[from].t - r->points[from - 1].t;
	if (m.default_span > CARBON_SERIES_SPAN_MAX)
		m.default_span = CARBON_SERIES_SPAN_MAX;
	s = carbon_series_new(&m, alloc);
	if (!s)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon record: out of memory");
	/* the points passed the record's checks, so only memory can fail */
	for (size_t i = from; i < r->n_points && !rc; i++) {
		const struct carbon_record_point *q = &r->points[i];
		struct carbon_series_point p = {q->t, q->value, q->is_forecast,
						q->is_estimated};

		rc = carbon_series_append(s, &p, err, errlen);
	}
	if (rc) {
		carbon_series_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* ---- series to record --------------------------------------------------- */

static int check_series(const struct carbon_series_meta *m, size_t n,
			const char *zone, int64_t generated_at, char *err,
			size_t errlen)
{
	int rc = check_kind(m->signal, m->basis, "the series", err, errlen);

	if (rc)
		return rc;
	if (!record_name_ok(zone, strnlen(zone, CARBON_RECORD_NAME_MAX + 1)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: zone \"%.*s\" is not "
					"1-%d of [A-Za-z0-9_.-]",
					CARBON_RECORD_NAME_MAX, zone,
					CARBON_RECORD_NAME_MAX);
	if (!record_name_ok(m->source, strnlen(m->source, sizeof(m->source))))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: the series' source "
					"\"%s\" is not 1-%d of [A-Za-z0-9_.-]",
					m->source, CARBON_RECORD_NAME_MAX);
	if (m->fetched_at == 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: the series' fetched_at "
					"is unknown (0)");
	if (!record_time_ok(m->fetched_at) || !record_time_ok(generated_at))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"carbon record: fetched_at or "
					"generated_at is outside 1970..9999");
	if (generated_at < m->fetched_at)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: generated_at is "
					"before fetched_at");
	return check_count(n, err, errlen);
}

int carbon_record_from_series(const carbon_series *s, const char *zone,
			      int64_t generated_at, struct carbon_record **out,
			      char *err, size_t errlen)
{
	const struct carbon_series_meta *m = carbon_series_meta_peek(s);
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);
	struct carbon_record *r;
	int rc;

	if (!m || !zone || !out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: internal error: bad "
					"arguments");
	rc = check_series(m, n, zone, generated_at, err, errlen);
	if (rc)
		return rc;
	r = carbon_record_new(n);
	if (!r)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"carbon record: out of memory");
	/* both were checked as names: they fit and are terminated */
	strcpy(r->zone, zone);
	strcpy(r->source, m->source);
	r->signal = m->signal;
	r->basis = m->basis;
	r->fetched_at = m->fetched_at;
	r->generated_at = generated_at;
	r->derived = m->origin == CARBON_SERIES_FALLBACK_FORECAST;
	/* a series' points already meet the record's rules (same bounds) */
	for (size_t i = 0; i < n; i++) {
		r->points[i].t = p[i].t;
		r->points[i].value = p[i].value;
		r->points[i].is_forecast = p[i].is_forecast;
		r->points[i].is_estimated = p[i].is_estimated;
	}
	*out = r;
	return 0;
}
