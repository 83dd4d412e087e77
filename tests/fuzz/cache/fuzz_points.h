/*
 * tests/fuzz/cache/fuzz_points.h: the invariants every provider parser's
 * result must keep, checked by the fuzz targets beside it: on success,
 * points in strictly increasing time within range and values within
 * 0..CARBON_PROVIDER_VALUE_MAX, at most CARBON_PROVIDER_POINTS_MAX of
 * them; on failure, a negative CARBON_E* code, a message, no points.
 */
#ifndef CARBON_FUZZ_POINTS_H
#define CARBON_FUZZ_POINTS_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/timeparse.h"
#include "providers/json_util.h"

static inline void fuzz_check(int rc, struct carbon_provider_points *p,
			      const char *err, bool forecast)
{
	if (rc > 0 || rc < CARBON_ERROR_LAST)
		abort();
	if (rc < 0) {
		if (p->n || p->v || !err[0])
			abort();
		return;
	}
	if (p->n > CARBON_PROVIDER_POINTS_MAX || p->n > p->cap || p->span < 0 ||
	    p->span > CARBON_SERIES_SPAN_MAX)
		abort();
	for (size_t i = 0; i < p->n; i++) {
		const struct carbon_series_point *v = &p->v[i];

		if (v->t < CARBON_PROVIDER_TIME_MIN || v->t > CARBON_TIME_MAX ||
		    (i && v->t <= p->v[i - 1].t) || !isfinite(v->value) ||
		    v->value < 0 || v->value > CARBON_PROVIDER_VALUE_MAX ||
		    (forecast && !v->is_forecast))
			abort();
	}
	carbon_provider_points_clear(p);
}

/* A copy of the input, so reads past size are caught exactly. */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);

	if (buf)
		memcpy(buf, data, size);
	return buf;
}

#endif
