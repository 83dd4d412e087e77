/*
 * carbon-cache/builtin.h: the two providers that need no network, and the
 * pure pieces of them the unit tests drive.
 *
 * static: the zone's StaticIntensity as a flat series around now.
 * replay: a recorded CSV trace (carbon/trace_csv.h) played back: the
 * trace instant TraceStart is replayed when carbon-cached starts, and the
 * trace advances SpeedUp trace seconds per real second, looping at its
 * end.  Each fetch returns the trace's [T - 24 h, T + 72 h) around the
 * replayed instant T, each point moved to the real time it is replayed
 * at; points after now are the forecast.
 *
 * Ownership: series returned through *out belong to the caller
 * (carbon_series_free()); a state from carbon_static_open() is closed by
 * carbon_static_ops.close.
 */
#ifndef CARBON_CACHE_BUILTIN_H
#define CARBON_CACHE_BUILTIN_H

#include <stddef.h>
#include <stdint.h>

#include "providers/provider_conf.h"
#include "carbon/series.h"

/* What static and replay return around now, in (replayed) seconds. */
#define CARBON_BUILTIN_HISTORY (INT64_C(24) * 3600)
#define CARBON_BUILTIN_HORIZON (INT64_C(72) * 3600)
/* The static series' step. */
#define CARBON_STATIC_STEP 3600
/* Largest trace file replay reads. */
#define CARBON_REPLAY_FILE_MAX (64u << 20)

/* A state for carbon_static_ops holding intensity (gCO2eq/kWh). */
int carbon_static_open(double intensity, void **state, char *err,
		       size_t errlen) CARBON_MUST_CHECK;

/*
 * The flat series: hourly points from the hour holding now minus
 * CARBON_BUILTIN_HISTORY to plus CARBON_BUILTIN_HORIZON, those after now
 * marked forecast; meta from the arguments (source "static").
 */
int carbon_static_series(double intensity, enum carbon_signal signal,
			 enum carbon_basis basis, int64_t now,
			 carbon_series **out, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

/* How trace time maps to real time. */
struct carbon_replay_clock {
	int64_t trace_start; /* trace instant replayed at real_start */
	int64_t real_start;  /* when carbon-cached started */
	double speed_up;     /* trace seconds per real second, > 0 */
};

/* The trace instant replayed at real time now (before any looping). */
int64_t carbon_replay_trace_time(const struct carbon_replay_clock *c,
				 int64_t now);

/* The real time trace instant t (unlooped) is replayed at. */
int64_t carbon_replay_real_time(const struct carbon_replay_clock *c, int64_t t);

/*
 * Parse a trace file's bytes with cfg's TimeColumn, ValueColumn and
 * EstimatedColumn (a column given as digits only is a 0-based index) into
 * a series of cfg's Signal and Basis.  A bad row fails with its line.
 */
int carbon_replay_load(const struct carbon_provider_conf *cfg, const char *buf,
		       size_t len, carbon_series **out, char *err,
		       size_t errlen) CARBON_MUST_CHECK;

/*
 * The window around now (see above) of trace, in real time, as a new
 * series with meta from trace (source set to source, fetched_at now).
 * Points that land on the same real second (high SpeedUp) keep the later
 * value; at most CARBON_RECORD_POINTS_MAX points, the newest kept.
 */
int carbon_replay_window(const carbon_series *trace,
			 const struct carbon_replay_clock *c, int64_t now,
			 const char *source, carbon_series **out, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

#endif
