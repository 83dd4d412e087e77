/*
 * series.c: the intensity series itself: storage, appends with their
 * checks, coverage, means and the best-window search.  Series made from
 * other series (resample, fallback forecast) live in series_derive.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon/series.h"
#include "carbon/timeparse.h"

struct carbon_series {
	struct carbon_series_meta meta;
	struct carbon_series_allocator alloc;
	struct carbon_series_point *pts;
	/*
	 * cum[i]: integral from pts[0].t to pts[i].t, gCO2eq*s/kWh, and
	 * cum[n] to the series' end; n + 1 entries.
	 */
	double *cum;
	size_t n;
	size_t cap;
	/*
	 * The fast path's facts: every gap from point tail on is step (0
	 * below two points).  Forecasts come evenly spaced, so the windows
	 * a scheduler asks about mostly start there.
	 */
	int64_t step;
	size_t tail;
};

/* Relative tolerance under which two window means count as tied. */
#define TIE_TOLERANCE 1e-9

static void *libc_resize(void *ptr, size_t size, void *ctx)
{
	(void)ctx;
	return realloc(ptr, size);
}

static void libc_release(void *ptr, void *ctx)
{
	(void)ctx;
	free(ptr);
}

static const struct carbon_series_allocator libc_allocator = {
	.resize = libc_resize,
	.release = libc_release,
	.ctx = NULL,
};

/* "YYYY-MM-DDTHH:MM:SSZ" for messages; buf holds at least 32 bytes. */
static const char *fmt_time(int64_t t, char *buf, size_t len)
{
	struct tm tm;

	if (carbon_time_to_utc_tm(t, &tm) || tm.tm_year > 9999 - 1900 ||
	    tm.tm_year < -1900)
		snprintf(buf, len, "%lld", (long long)t);
	else
		snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}

int carbon_series_meta_check(const struct carbon_series_meta *meta, char *err,
			     size_t errlen)
{
	if (!meta)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if ((unsigned)meta->signal > CARBON_SIGNAL_LAST ||
	    (unsigned)meta->basis > CARBON_BASIS_LAST ||
	    (unsigned)meta->origin > CARBON_SERIES_FALLBACK_FORECAST)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: signal, basis or origin "
					"out of range");
	if (meta->default_span < 0 ||
	    meta->default_span > CARBON_SERIES_SPAN_MAX)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: default span %lld s is not "
					"within 0..%lld",
					(long long)meta->default_span,
					(long long)CARBON_SERIES_SPAN_MAX);
	if (!memchr(meta->source, '\0', sizeof(meta->source)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: source is not terminated");
	return 0;
}

carbon_series *carbon_series_new(const struct carbon_series_meta *meta,
				 const struct carbon_series_allocator *alloc)
{
	struct carbon_series_meta m = {0};
	carbon_series *s;

	if (meta)
		m = *meta;
	if (carbon_series_meta_check(&m, NULL, 0))
		return NULL;
	if (m.default_span == 0)
		m.default_span = CARBON_SERIES_DEFAULT_SPAN;
	if (!alloc)
		alloc = &libc_allocator;
	if (!alloc->resize || !alloc->release)
		return NULL;
	s = alloc->resize(NULL, sizeof(*s), alloc->ctx);
	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->meta = m;
	s->alloc = *alloc;
	return s;
}

carbon_series *carbon_series_new_like(const carbon_series *like,
				      const struct carbon_series_meta *meta)
{
	return like ? carbon_series_new(meta, &like->alloc) : NULL;
}

void carbon_series_free(carbon_series *s)
{
	if (!s)
		return;
	if (s->pts)
		s->alloc.release(s->pts, s->alloc.ctx);
	if (s->cum)
		s->alloc.release(s->cum, s->alloc.ctx);
	s->alloc.release(s, s->alloc.ctx);
}

/* Make room for need points; the caller has checked need <= the bound. */
static int reserve(carbon_series *s, size_t need, char *err, size_t errlen)
{
	size_t cap = s->cap ? s->cap : 64;
	void *p;

	if (need <= s->cap)
		return 0;
	/* powers of two: never beyond CARBON_SERIES_MAX_POINTS (2^20) */
	while (cap < need)
		cap *= 2;
	p = s->alloc.resize(s->pts, cap * sizeof(*s->pts), s->alloc.ctx);
	if (!p)
		goto nomem;
	s->pts = p;
	/* pts may now exceed cap: harmless, cap only grows with both */
	p = s->alloc.resize(s->cum, (cap + 1) * sizeof(*s->cum), s->alloc.ctx);
	if (!p)
		goto nomem;
	s->cum = p;
	s->cap = cap;
	return 0;
nomem:
	return carbon_error_set(err, errlen, CARBON_ENOMEM,
				"series: out of memory for %zu points", need);
}

/* Check p as the point after one at prev_t (INT64_MIN: none). */
static int check_point(const struct carbon_series_point *p, int64_t prev_t,
		       size_t idx, char *err, size_t errlen)
{
	char a[32], b[32];

	if (p->t < 0 || p->t > CARBON_TIME_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"point %zu: time %lld is outside "
					"1970..9999",
					idx, (long long)p->t);
	if (!(p->value >= 0.0 && p->value <= CARBON_SERIES_VALUE_MAX))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"point %zu: value %g is not within "
					"0..%g gCO2eq/kWh",
					idx, p->value, CARBON_SERIES_VALUE_MAX);
	if (p->t <= prev_t)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"point %zu: time %s is not after the previous "
			"point's %s",
			idx, fmt_time(p->t, a, sizeof(a)),
			fmt_time(prev_t, b, sizeof(b)));
	return 0;
}

/* Where the last point stops holding; s is not empty. */
static int64_t series_end(const carbon_series *s)
{
	const struct carbon_series_point *last = &s->pts[s->n - 1];

	if (s->n == 1)
		return last->t + s->meta.default_span;
	return last->t + (last->t - s->pts[s->n - 2].t);
}

/* Add a checked point to a series with room for it. */
static void push(carbon_series *s, const struct carbon_series_point *p)
{
	size_t k = s->n++;

	s->pts[k] = *p;
	if (k == 0) {
		s->cum[0] = 0.0;
	} else {
		int64_t gap = p->t - s->pts[k - 1].t;

		s->cum[k] = s->cum[k - 1] + s->pts[k - 1].value * (double)gap;
		if (gap != s->step) {
			s->step = gap;
			s->tail = k - 1;
		}
	}
	s->cum[k + 1] = s->cum[k] + p->value * (double)(series_end(s) - p->t);
}

int carbon_series_append_points(carbon_series *s,
				const struct carbon_series_point *p, size_t n,
				char *err, size_t errlen)
{
	int64_t prev;
	int rc;

	if (!s || (!p && n))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (n > CARBON_SERIES_MAX_POINTS - s->n)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series: more than %zu points",
					CARBON_SERIES_MAX_POINTS);
	prev = s->n ? s->pts[s->n - 1].t : INT64_MIN;
	for (size_t i = 0; i < n; i++) {
		rc = check_point(&p[i], prev, i, err, errlen);
		if (rc)
			return rc;
		prev = p[i].t;
	}
	rc = reserve(s, s->n + n, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		push(s, &p[i]);
	return 0;
}

int carbon_series_append(carbon_series *s, const struct carbon_series_point *p,
			 char *err, size_t errlen)
{
	if (!p)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	return carbon_series_append_points(s, p, 1, err, errlen);
}

int carbon_series_append_series(carbon_series *dst, const carbon_series *src,
				char *err, size_t errlen)
{
	int rc;

	if (!dst || !src || dst == src)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (!carbon_series_is_comparable(dst, src))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"series: cannot append %s/%s values to a %s/%s "
			"series",
			carbon_signal_name(src->meta.signal),
			carbon_basis_name(src->meta.basis),
			carbon_signal_name(dst->meta.signal),
			carbon_basis_name(dst->meta.basis));
	rc = carbon_series_append_points(dst, src->pts, src->n, err, errlen);
	if (rc)
		return rc;
	if (src->meta.origin == CARBON_SERIES_FALLBACK_FORECAST)
		dst->meta.origin = CARBON_SERIES_FALLBACK_FORECAST;
	return 0;
}

size_t carbon_series_count(const carbon_series *s)
{
	return s ? s->n : 0;
}

const struct carbon_series_point *
carbon_series_points_peek(const carbon_series *s)
{
	return s && s->n ? s->pts : NULL;
}

const struct carbon_series_meta *carbon_series_meta_peek(const carbon_series *s)
{
	return s ? &s->meta : NULL;
}

int carbon_series_bounds(const carbon_series *s, int64_t *start, int64_t *end,
			 char *err, size_t errlen)
{
	if (!s || !start || !end)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (!s->n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series %s: no points", s->meta.source);
	*start = s->pts[0].t;
	*end = series_end(s);
	return 0;
}

bool carbon_series_covers(const carbon_series *s, int64_t a, int64_t b)
{
	return s && s->n && a < b && a >= s->pts[0].t && b <= series_end(s);
}

bool carbon_series_is_comparable(const carbon_series *a, const carbon_series *b)
{
	return a && b && carbon_signal_is_known(a->meta.signal) &&
	       carbon_basis_is_known(a->meta.basis) &&
	       a->meta.signal == b->meta.signal &&
	       a->meta.basis == b->meta.basis;
}

/* The last point at or before x; x >= pts[0].t. */
static size_t step_index(const carbon_series *s, int64_t x)
{
	size_t lo = 0, hi = s->n;

	/* invariant: pts[lo].t <= x, and pts[hi].t > x when hi < n */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->pts[mid].t <= x)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The integral from pts[0].t to x, x inside point k's step (or its end). */
static double integral_to(const carbon_series *s, size_t k, int64_t x)
{
	return s->cum[k] + s->pts[k].value * (double)(x - s->pts[k].t);
}

static int not_covered(const carbon_series *s, int64_t a, int64_t b, char *err,
		       size_t errlen)
{
	char ta[32], tb[32], ts[32], te[32];

	if (!s->n)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"series %s: no points", s->meta.source);
	return carbon_error_set(
		err, errlen, CARBON_ERANGE,
		"series %s covers [%s, %s), not [%s, %s)", s->meta.source,
		fmt_time(s->pts[0].t, ts, sizeof(ts)),
		fmt_time(series_end(s), te, sizeof(te)),
		fmt_time(a, ta, sizeof(ta)), fmt_time(b, tb, sizeof(tb)));
}

int carbon_series_value_at(const carbon_series *s, int64_t t, double *value,
			   char *err, size_t errlen)
{
	if (!s || !value)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (!s->n || t < s->pts[0].t || t >= series_end(s))
		return not_covered(s, t, t < INT64_MAX ? t + 1 : t, err,
				   errlen);
	*value = s->pts[step_index(s, t)].value;
	return 0;
}

/* Integral over [a, b) and, when both ends lie in one step, its value. */
static int integrate(const carbon_series *s, int64_t a, int64_t b, double *sum,
		     double *flat, char *err, size_t errlen)
{
	size_t ka, kb;

	if (!s || !sum)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (a >= b)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: empty interval [%lld, %lld)",
					(long long)a, (long long)b);
	if (!carbon_series_covers(s, a, b))
		return not_covered(s, a, b, err, errlen);
	ka = step_index(s, a);
	kb = step_index(s, b);
	/* inside one step the answer is exact, not a difference of sums */
	if (ka == kb || (kb == ka + 1 && s->pts[kb].t == b)) {
		*flat = s->pts[ka].value;
		*sum = s->pts[ka].value * (double)(b - a);
	} else {
		*flat = -1.0;
		*sum = integral_to(s, kb, b) - integral_to(s, ka, a);
	}
	return 0;
}

int carbon_series_integral(const carbon_series *s, int64_t a, int64_t b,
			   double *gs_per_kwh, char *err, size_t errlen)
{
	double flat;

	return integrate(s, a, b, gs_per_kwh, &flat, err, errlen);
}

int carbon_series_mean(const carbon_series *s, int64_t a, int64_t b,
		       double *mean, char *err, size_t errlen)
{
	double sum, flat;
	int rc = integrate(s, a, b, &sum, &flat, err, errlen);

	if (rc)
		return rc;
	if (!mean)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	*mean = flat >= 0.0 ? flat : sum / (double)(b - a);
	return 0;
}

/* The lowest window integral so far, and what a later one must beat. */
struct scan {
	double min;
	double bar;
	int64_t start;
};

static void scan_take(struct scan *sc, double sum, int64_t start)
{
	sc->min = sum;
	sc->bar = sum - TIE_TOLERANCE * sum;
	sc->start = start;
}

/*
 * Windows starting at points i..last where every gap from i on is step:
 * len = m steps + r seconds, so a window is m whole steps and r seconds
 * of the point m on (when r > 0 that point exists: the window ends
 * before the series does).  cum[n] is the integral to the end.
 */
static void scan_uniform(const carbon_series *s, size_t i, size_t last,
			 int64_t len, struct scan *sc)
{
	const double *cum = s->cum;
	const struct carbon_series_point *p = s->pts;
	size_t m = (size_t)(len / s->step);
	double r = (double)(len % s->step);
	struct scan k = *sc; /* a local copy: sc might alias cum */

	if (r == 0.0) {
		for (; i <= last; i++) {
			double sum = cum[i + m] - cum[i];

			if (sum < k.bar)
				scan_take(&k, sum, p[i].t);
		}
	} else {
		for (; i <= last; i++) {
			double sum = cum[i + m] - cum[i] + p[i + m].value * r;

			if (sum < k.bar)
				scan_take(&k, sum, p[i].t);
		}
	}
	*sc = k;
}

/* The same for any spacing: j follows each window's end. */
static void scan_mixed(const carbon_series *s, size_t i, size_t j, size_t last,
		       int64_t len, struct scan *sc)
{
	const struct carbon_series_point *p = s->pts;
	const double *cum = s->cum;
	size_t n = s->n;
	struct scan k = *sc;

	for (; i <= last; i++) {
		int64_t stop = p[i].t + len;
		double sum;

		while (j + 1 < n && p[j + 1].t <= stop)
			j++;
		sum = cum[j] + p[j].value * (double)(stop - p[j].t) - cum[i];
		if (sum < k.bar)
			scan_take(&k, sum, p[i].t);
	}
	*sc = k;
}

/*
 * The hot path: candidate starts are lo, then every point time in
 * (lo, hi - len], in one pass.  Integrals are compared, not means (len is
 * fixed), so the loops need no division.  Over the evenly spaced tail a
 * window costs a subtraction and a multiply; before it, j walks along
 * with each window's end.
 */
static void scan_windows(const carbon_series *s, int64_t lo, int64_t hi,
			 int64_t len, struct carbon_series_window *best)
{
	size_t i = step_index(s, lo), j = step_index(s, lo + len);
	size_t last = step_index(s, hi - len); /* the last start that fits */
	size_t split = last + 1; /* where the evenly spaced tail takes over */
	struct scan sc;

	if (s->step)
		split = s->tail > i + 1 ? s->tail : i + 1;
	scan_take(&sc, integral_to(s, j, lo + len) - integral_to(s, i, lo), lo);
	if (split > i + 1)
		scan_mixed(s, i + 1, j, split - 1 < last ? split - 1 : last,
			   len, &sc);
	if (split <= last)
		scan_uniform(s, split, last, len, &sc);
	best->start = sc.start;
	best->end = sc.start + len;
	best->mean = sc.min / (double)len;
	best->candidates = 1 + (last > i ? last - i : 0);
}

int carbon_series_best_window(const carbon_series *s, int64_t a, int64_t b,
			      int64_t len, struct carbon_series_window *best,
			      char *err, size_t errlen)
{
	struct carbon_series_window w = {0};
	int64_t lo, hi;
	char ta[32], tb[32];

	if (!s || !best)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: internal error: bad "
					"arguments");
	if (!s->n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series %s: no points", s->meta.source);
	if (len <= 0 || a >= b)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"series: window of %lld s in "
					"[%lld, %lld): need len > 0 and a < b",
					(long long)len, (long long)a,
					(long long)b);
	lo = a > s->pts[0].t ? a : s->pts[0].t;
	hi = b < series_end(s) ? b : series_end(s);
	if (hi <= lo || hi - lo < len)
		return carbon_error_set(
			err, errlen, CARBON_ERANGE,
			"series %s: no %lld s window fits in [%s, %s) "
			"and the data",
			s->meta.source, (long long)len,
			fmt_time(a, ta, sizeof(ta)),
			fmt_time(b, tb, sizeof(tb)));
	scan_windows(s, lo, hi, len, &w);
	*best = w;
	return 0;
}

const char *carbon_series_origin_name(enum carbon_series_origin origin)
{
	/* indexed by the enum's values, which start at 0 and are dense */
	static const char *const names[] = {"provided", "resampled",
					    "fallback forecast"};

	return (unsigned)origin < sizeof(names) / sizeof(names[0])
		       ? names[origin]
		       : "unknown";
}
