/*
 * carbon/record.h: the cache record, one per grid zone, that carbon-cached
 * writes to Redis and the slurmctld plugins read.
 *
 * The record is provider-neutral: whatever a provider returned is reduced
 * to an intensity time series in gCO2eq/kWh plus the metadata a reader
 * needs to judge it (signal, basis, source, age, fallback).  The wire form
 * is line-oriented text, so an admin can read it with `redis-cli GET`:
 *
 *   carbon-record v1
 *   zone=ES
 *   signal=average
 *   basis=lifecycle
 *   source=electricitymaps
 *   fetched_at=2026-11-23T08:05:00Z
 *   generated_at=2026-11-23T08:05:02Z
 *   stale=0
 *   age=2
 *   fallback=0
 *   derived=0
 *   key=k1
 *   points=4
 *   2026-11-23T06:00:00Z 142.5 -
 *   2026-11-23T07:00:00Z 138 e
 *   2026-11-23T08:00:00Z 120.25 f
 *   2026-11-23T09:00:00Z 98.125 fe
 *   sig=3620320bf592ead736a14ef8fac996ae57a869d6e3ad1370a58f2c7088090a0c
 *
 * (signed with the 11-byte key "example-key"; tests/unit/test_record.c
 * holds the same bytes).
 * Carbon-cached stores it under the Redis key "<RedisKeyPrefix>zone:<zone>"
 * (carbon_record_key_name()), e.g. "carbon:zone:ES".
 *
 * Grammar (v1).  Every line ends in "\n" (no "\r", no blank lines, no
 * spaces except the two separators of a point line).  The first line is
 * "carbon-record v1"; then exactly these header fields, in this order,
 * each once:
 *   zone=NAME          grid zone, [A-Za-z0-9_.-]{1,64}
 *   signal=average|marginal          never rank one against the other
 *   basis=lifecycle|direct|operational   (carbon_signal_name() and
 *                      carbon_basis_name() of carbon/kind.h; "unknown"
 *                      is never written or read)
 *   source=NAME        the provider (instance) that supplied the points
 *   fetched_at=TIME    when that provider answered
 *   generated_at=TIME  when this record was written; >= fetched_at
 *   stale=0|1          1: the last refresh failed and this is the last
 *                      good data, re-written (nothing is ever deleted)
 *   age=SECONDS        generated_at - fetched_at, spelled out for admins;
 *                      a record where it does not match is rejected
 *   fallback=0|1       1: the zone's first provider failed; a later one
 *                      in its chain (possibly the static value) answered
 *   derived=0|1        1: carbon-cached made up some points itself (e.g. a
 *                      forecast repeated from history, ForecastFallbackDays)
 *   key=NAME           id of the HMAC key that signs the record (rotation)
 *   points=N           1 <= N <= CARBON_RECORD_POINTS_MAX
 * then N point lines "TIME VALUE FLAGS", strictly increasing in TIME:
 *   TIME   UTC, exactly YYYY-MM-DDTHH:MM:SSZ (1970..9999): the start of
 *          the interval the value holds for (until the next point)
 *   VALUE  gCO2eq/kWh, 0..CARBON_RECORD_VALUE_MAX, at most 3 decimals,
 *          no leading zeros, no trailing zeros after the point, no '.'
 *          without decimals ("0", "12", "12.5", "0.125")
 *   FLAGS  "-" measured, "e" estimated, "f" forecast, "fe" both
 * then optionally "sig=" and 64 lowercase hex digits: HMAC-SHA256 over the
 * signed bytes, which are everything before the sig line (so the key id is
 * signed too).  Nothing may follow.
 *
 * The form is canonical: a record has exactly one byte form, and decode
 * accepts only that form, so for every buffer b that decodes,
 * encode(decode(b)) == b byte for byte.  Values are quantised to 0.001
 * gCO2eq/kWh on encode (rounded half up).
 *
 * The codec does no cryptography: carbon-cached encodes the record with an
 * empty sig, computes the HMAC (OpenSSL) over the bytes, stores the hex in
 * sig and encodes again; a reader decodes, computes the HMAC over the first
 * *signed_len bytes with the key named by key_id and compares it with sig
 * in constant time.  An unsigned record decodes (sig is ""); whether to
 * trust it is the reader's decision.
 *
 * Ownership: a struct carbon_record owns its points array; make one with
 * carbon_record_new() or carbon_record_decode() and release it with
 * carbon_record_free().  Encode borrows the record; input buffers are
 * borrowed for the call and need not be NUL-terminated.
 */
#ifndef CARBON_RECORD_H
#define CARBON_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "carbon/kind.h"
#include "carbon/series.h"

#define CARBON_RECORD_MAGIC   "carbon-record"
#define CARBON_RECORD_VERSION 1
/* Longest zone, source or key id, in bytes. */
#define CARBON_RECORD_NAME_MAX 64
/* Hex digits of an HMAC-SHA256. */
#define CARBON_RECORD_SIG_LEN 64
/* A week of 5-minute points is 2016; four times that is still < 300 KiB. */
#define CARBON_RECORD_POINTS_MAX 8192
/* Larger than any valid record (about 34 bytes a point): a hard cap. */
#define CARBON_RECORD_BYTES_MAX (512 * 1024)
/* Ten times coal: anything above is a provider or conversion error. */
#define CARBON_RECORD_VALUE_MAX 100000.0

struct carbon_record_point {
	int64_t t;    /* seconds since the epoch, UTC */
	double value; /* gCO2eq/kWh */
	bool is_forecast;
	bool is_estimated;
};

struct carbon_record {
	char zone[CARBON_RECORD_NAME_MAX + 1];
	enum carbon_signal signal; /* known: never UNKNOWN (carbon/kind.h) */
	enum carbon_basis basis;
	char source[CARBON_RECORD_NAME_MAX + 1];
	int64_t fetched_at;   /* seconds since the epoch */
	int64_t generated_at; /* seconds since the epoch */
	bool stale;
	bool fallback;
	bool derived;
	char key_id[CARBON_RECORD_NAME_MAX + 1];
	char sig[CARBON_RECORD_SIG_LEN + 1]; /* "" or 64 lowercase hex */
	size_t n_points;
	struct carbon_record_point *points; /* owned, n_points long */
};

/*
 * A zeroed record with room for n_points points (n_points set, points
 * zeroed; signal and basis UNKNOWN, which encode refuses until set); NULL
 * when n_points is 0 or above CARBON_RECORD_POINTS_MAX, or on allocation
 * failure.
 */
struct carbon_record *carbon_record_new(size_t n_points);

/* Free r and its points; NULL is a no-op. */
void carbon_record_free(struct carbon_record *r);

/*
 * Write r's canonical form, with its sig line when r->sig is not empty,
 * into buf (len bytes) followed by a NUL.  *used receives the length
 * without the NUL, also when buf is too small (then CARBON_ETOOLONG, and
 * len >= *used + 1 will do).  Returns 0, CARBON_EINVAL (a name or sig is
 * malformed, signal or basis is UNKNOWN or out of range, generated_at <
 * fetched_at, or times not increasing)
 * or CARBON_ERANGE (a time outside 1970..9999, a value negative, NaN,
 * infinite or above CARBON_RECORD_VALUE_MAX, or no or too many points).
 */
int carbon_record_encode(const struct carbon_record *r, char *buf, size_t len,
			 size_t *used, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

/* As carbon_record_encode() into a new NUL-terminated string (free()). */
int carbon_record_encode_alloc(const struct carbon_record *r, char **out,
			       size_t *used, char *err,
			       size_t errlen) CARBON_MUST_CHECK;

/*
 * Parse buf (len bytes) into a new record in *out and set *signed_len to
 * the number of leading bytes the signature covers (== len when there is
 * no sig line).  Rejects (CARBON_EINVAL, message "carbon record: line N:
 * ...") anything that is not exactly the canonical form: an unknown magic
 * or version, a missing, duplicate, unknown or misplaced field, a bad
 * value, times not strictly increasing, trailing bytes; CARBON_ERANGE for
 * out-of-range values and point counts; CARBON_ETOOLONG for more than
 * CARBON_RECORD_BYTES_MAX bytes; CARBON_ENOMEM.  *out and *signed_len are
 * written only on success.
 */
int carbon_record_decode(const char *buf, size_t len,
			 struct carbon_record **out, size_t *signed_len,
			 char *err, size_t errlen) CARBON_MUST_CHECK;

/* generated_at - fetched_at: how old the data was when written. */
int64_t carbon_record_age(const struct carbon_record *r);

/*
 * The Redis key of zone's record: prefix followed by "zone:" and zone,
 * e.g. "carbon:zone:ES".  Returns 0 or CARBON_ETOOLONG (buf holds the cut
 * text), CARBON_EINVAL for a NULL argument.
 */
int carbon_record_key_name(const char *prefix, const char *zone, char *buf,
			   size_t len) CARBON_MUST_CHECK;

/*
 * A new series (through alloc; NULL: libc) holding r's points and what
 * they are: meta signal, basis, source and fetched_at from r; origin
 * FALLBACK_FORECAST when r->derived (carbon-cached made points up), else
 * PROVIDED; default_span 0.  Each point keeps is_forecast and
 * is_estimated.  Returns 0 with *out set, CARBON_EINVAL (NULL, signal or
 * basis UNKNOWN, times not increasing), CARBON_ERANGE (no or too many
 * points, a time or value out of range) or CARBON_ENOMEM; *out only on
 * success.  The caller frees *out with carbon_series_free().
 */
int carbon_record_to_series(const struct carbon_record *r,
			    const struct carbon_series_allocator *alloc,
			    carbon_series **out, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/*
 * As carbon_record_to_series() for r's points from index from on
 * (from < r->n_points, else CARBON_EINVAL): a part of the record, e.g. its
 * forecast.  When that part is r's last point alone, it holds as long as
 * it does in r (the gap to its predecessor, at most
 * CARBON_SERIES_SPAN_MAX).  The whole record's checks apply.
 */
int carbon_record_tail_to_series(const struct carbon_record *r, size_t from,
				 const struct carbon_series_allocator *alloc,
				 carbon_series **out, char *err,
				 size_t errlen) CARBON_MUST_CHECK;

/*
 * A new record (carbon_record_free()) of s's points for zone, written at
 * generated_at: signal, basis, source and fetched_at from s's meta;
 * derived when s's origin is FALLBACK_FORECAST; stale and fallback false,
 * key_id and sig empty (the writer sets them before it signs).  Returns 0
 * with *out set; CARBON_EINVAL (NULL, signal or basis UNKNOWN, zone or
 * source not a record name, fetched_at 0 (unknown), generated_at before
 * it); CARBON_ERANGE (no points or more than CARBON_RECORD_POINTS_MAX,
 * generated_at outside 1970..9999); CARBON_ENOMEM.  *out only on success.
 */
int carbon_record_from_series(const carbon_series *s, const char *zone,
			      int64_t generated_at, struct carbon_record **out,
			      char *err, size_t errlen) CARBON_MUST_CHECK;

#endif
