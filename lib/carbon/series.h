/*
 * carbon/series.h: a grid's carbon intensity over time, and the questions
 * the scheduler and the accounting ask of it.
 *
 * A series is a step function of time: each point (t, gCO2eq/kWh) holds
 * from its own t until the next point's t, so the cadence may change inside
 * one series (5, 15, 30, 60 minutes: history hourly, forecast every 15
 * minutes).  The last point holds for the gap to its predecessor, or for
 * meta.default_span when it is alone.  The series covers [first t, end).
 *
 * Every value carries what it measures (struct carbon_series_meta): the
 * signal (average or marginal) and the basis (lifecycle, direct,
 * operational), as carbon/kind.h spells them.  Values of different kinds
 * must never be ranked against each other: carbon_series_is_comparable()
 * says when two series may be.
 *
 * Means are time-weighted: the exact integral of the step function over
 * [a, b) divided by b - a, partial overlaps counted by their seconds.  The
 * series keeps the running integral at every point (updated on append, so
 * appends stay O(1) amortised), which makes any mean O(log n) and the
 * best-window search O(n) without allocating.
 *
 * Ownership: carbon_series_new() returns a series the caller frees with
 * carbon_series_free(); functions that make a new series (resample,
 * forecast) hand it to the caller through an out-parameter.  The allocator
 * port is copied into the series; its ctx must outlive the series.
 * Pointers from the _peek functions are borrowed and stay valid until the
 * next append or free.  A series is not locked: share it read-only, or
 * guard it.
 */
#ifndef CARBON_SERIES_H
#define CARBON_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/kind.h"

/* Bound on points in one series: ten years hourly, a year every 30 s. */
#define CARBON_SERIES_MAX_POINTS ((size_t)1 << 20)
/* Highest accepted intensity, gCO2eq/kWh (coal is ~1000; lignite ~1200). */
#define CARBON_SERIES_VALUE_MAX 100000.0
/* How long a lone last point holds when meta.default_span is 0. */
#define CARBON_SERIES_DEFAULT_SPAN 3600
/* Longest default_span and resample/forecast cadence: one week. */
#define CARBON_SERIES_SPAN_MAX (INT64_C(7) * 86400)
/* Bytes in meta.source, without the NUL: a record's source fits. */
#define CARBON_SERIES_SOURCE_MAX 64
/* Most days a seasonal-naive forecast may take the median over. */
#define CARBON_SERIES_FORECAST_DAYS_MAX 28

/* Where the values came from, so a caller can say "fallback forecast". */
enum carbon_series_origin {
	CARBON_SERIES_PROVIDED = 0, /* as a provider or a trace gave them */
	CARBON_SERIES_RESAMPLED,    /* carbon_series_resample() */
	CARBON_SERIES_FALLBACK_FORECAST, /* carbon_series_forecast_seasonal() */
};

/* Zero is "unknown" (carbon/kind.h): a zeroed meta is never comparable. */
struct carbon_series_meta {
	enum carbon_signal signal;
	enum carbon_basis basis;
	enum carbon_series_origin origin;
	char source[CARBON_SERIES_SOURCE_MAX + 1]; /* e.g. "emaps:ES" */
	int64_t fetched_at;   /* when the provider answered; 0: unknown */
	int64_t default_span; /* seconds a lone last point holds; 0: 3600 */
};

struct carbon_series_point {
	int64_t t;    /* seconds since the epoch, 0..CARBON_TIME_MAX */
	double value; /* gCO2eq/kWh, 0..CARBON_SERIES_VALUE_MAX */
	bool is_forecast;
	bool is_estimated;
};

/* The answer of carbon_series_best_window(). */
struct carbon_series_window {
	int64_t start; /* the window is [start, end) */
	int64_t end;
	double mean;	   /* time-weighted mean over it, gCO2eq/kWh */
	size_t candidates; /* how many windows were compared */
};

/*
 * The allocator port.  resize behaves as realloc() (ptr NULL allocates;
 * size is never 0) and returns NULL on failure, leaving ptr untouched;
 * release behaves as free() and is never given NULL.  Tests pass a fake
 * that fails on demand.  A NULL port means libc.
 */
struct carbon_series_allocator {
	void *(*resize)(void *ptr, size_t size, void *ctx);
	void (*release)(void *ptr, void *ctx);
	void *ctx;
};

typedef struct carbon_series carbon_series;

/*
 * Check meta as carbon_series_new() does: enums in range, default_span
 * within 0..CARBON_SERIES_SPAN_MAX, source NUL-terminated in its array.
 * Returns 0 or CARBON_EINVAL.
 */
int carbon_series_meta_check(const struct carbon_series_meta *meta, char *err,
			     size_t errlen) CARBON_MUST_CHECK;

/*
 * A new empty series.  meta is copied (NULL: all unknown); alloc is copied
 * (NULL: libc).  Returns NULL when allocation fails, meta fails
 * carbon_series_meta_check(), or the port lacks a function.
 */
carbon_series *carbon_series_new(const struct carbon_series_meta *meta,
				 const struct carbon_series_allocator *alloc);

/*
 * A new empty series that allocates through like's port (for series
 * derived from like).  meta as in carbon_series_new(); NULL on the same
 * failures or when like is NULL.
 */
carbon_series *carbon_series_new_like(const carbon_series *like,
				      const struct carbon_series_meta *meta);

/* Free s and its points; NULL is a no-op. */
void carbon_series_free(carbon_series *s);

/*
 * Append one point.  t must be later than the last point's, value within
 * 0..CARBON_SERIES_VALUE_MAX (NaN and infinities are rejected), and the
 * series below CARBON_SERIES_MAX_POINTS points.  Returns 0, CARBON_EINVAL
 * (NULL, or t not increasing), CARBON_ERANGE (t or value out of range, or
 * the series full) or CARBON_ENOMEM; s is unchanged on failure.
 */
int carbon_series_append(carbon_series *s, const struct carbon_series_point *p,
			 char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * Append n points (n may be 0) with the checks above: all of them or, on
 * failure, none.  Messages name the failing point by its index in p.
 */
int carbon_series_append_points(carbon_series *s,
				const struct carbon_series_point *p, size_t n,
				char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * Append all of src's points to dst (to extend history with a forecast).
 * The two must be comparable and src must start after dst's last point.
 * When src is a fallback forecast, dst becomes one too, so the mark is
 * never lost.  All or nothing, as carbon_series_append_points().
 */
int carbon_series_append_series(carbon_series *dst, const carbon_series *src,
				char *err, size_t errlen) CARBON_MUST_CHECK;

/* Number of points; 0 for NULL. */
size_t carbon_series_count(const carbon_series *s);

/* The points in time order (borrowed), or NULL when empty or s is NULL. */
const struct carbon_series_point *
carbon_series_points_peek(const carbon_series *s);

/* The metadata (borrowed), or NULL for NULL. */
const struct carbon_series_meta *
carbon_series_meta_peek(const carbon_series *s);

/*
 * The covered interval [*start, *end).  Returns 0, or CARBON_EINVAL for a
 * NULL argument or an empty series.
 */
int carbon_series_bounds(const carbon_series *s, int64_t *start, int64_t *end,
			 char *err, size_t errlen) CARBON_MUST_CHECK;

/* Does s cover all of [a, b) (a < b)?  false for NULL or empty. */
bool carbon_series_covers(const carbon_series *s, int64_t a, int64_t b);

/*
 * May a and b be compared, merged or ranked?  Only when both are non-NULL
 * and have the same, known, signal and basis.
 */
bool carbon_series_is_comparable(const carbon_series *a,
				 const carbon_series *b);

/* The value in force at t (a covered instant).  CARBON_ERANGE outside. */
int carbon_series_value_at(const carbon_series *s, int64_t t, double *value,
			   char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * The integral of intensity over [a, b), in gCO2eq*s/kWh (divide by 3600
 * for g per kW of steady power).  a < b; [a, b) must be covered, else
 * CARBON_ERANGE with the covered interval in the message.
 */
int carbon_series_integral(const carbon_series *s, int64_t a, int64_t b,
			   double *gs_per_kwh, char *err,
			   size_t errlen) CARBON_MUST_CHECK;

/* The time-weighted mean over [a, b), under the same rules. */
int carbon_series_mean(const carbon_series *s, int64_t a, int64_t b,
		       double *mean, char *err,
		       size_t errlen) CARBON_MUST_CHECK;

/*
 * The window of len seconds with the lowest time-weighted mean inside
 * [a, b), as the Carbon Aware SDK's best window: the range is first cut to
 * what the series covers; the first candidate starts at its beginning,
 * then the start slides one data point at a time (every point time inside
 * the range); a candidate must end by the range's end.  Ties (means within
 * a relative 1e-9, so rounding cannot reorder equal windows) go to the
 * earliest start; the SDK returns all tied windows.  O(n) in the points
 * inside the range plus O(log n), no allocation.  Returns 0; CARBON_EINVAL
 * for NULL, an empty series, len <= 0 or a >= b; CARBON_ERANGE when no
 * window of len fits in the covered part of [a, b).
 */
int carbon_series_best_window(const carbon_series *s, int64_t a, int64_t b,
			      int64_t len, struct carbon_series_window *best,
			      char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * A new series of cadence-second slots aligned to multiples of cadence
 * since the epoch (so two clusters' grids line up), one per slot wholly
 * inside s, each the time-weighted mean of s over its slot and flagged
 * forecast/estimated when any point it draws on is.  The result's
 * default_span is cadence; its origin is RESAMPLED, or stays
 * FALLBACK_FORECAST.  cadence: 1..CARBON_SERIES_SPAN_MAX.  CARBON_ERANGE
 * when no slot fits or there would be too many.
 */
int carbon_series_resample(const carbon_series *s, int64_t cadence,
			   carbon_series **out, char *err,
			   size_t errlen) CARBON_MUST_CHECK;

/*
 * A seasonal-naive fallback forecast when a provider gives none: one point
 * per cadence-second slot starting at from, from + cadence, ... while
 * before to; each the median (mean of the middle two for an even count) of
 * hist's time-weighted means over the same slot on the `days` most recent
 * days whose slot hist wholly covers ("the last N days").  Days hist does
 * not reach are left out; a slot with none fails with CARBON_ERANGE.
 * Points are is_forecast; the series' origin is FALLBACK_FORECAST, other
 * meta as hist's, default_span = cadence.  days:
 * 1..CARBON_SERIES_FORECAST_DAYS_MAX; cadence: 1..86400.
 */
int carbon_series_forecast_seasonal(const carbon_series *hist, int64_t from,
				    int64_t to, int64_t cadence, int days,
				    carbon_series **out, char *err,
				    size_t errlen) CARBON_MUST_CHECK;

/*
 * Short static names for messages and logs; never NULL.  (Signal and
 * basis names: carbon_signal_name(), carbon_basis_name().)
 */
const char *carbon_series_origin_name(enum carbon_series_origin origin);

#endif
