/*
 * internal/record_internal.h: what lib/record.c (encode),
 * lib/record_decode.c (decode) and lib/record_series.c (conversions)
 * share, so that all apply the very same rules and the form stays
 * canonical.  Private to those files; adapters use carbon/record.h.
 * (lib/internal/ holds the core's private headers; lib/carbon/ only
 * public ones.)
 */
#ifndef CARBON_RECORD_INTERNAL_H
#define CARBON_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/record.h"

/* Longest value in thousandths of gCO2eq/kWh. */
#define RECORD_MILLI_MAX ((int64_t)(CARBON_RECORD_VALUE_MAX * 1000.0))

/* 1..CARBON_RECORD_NAME_MAX of [A-Za-z0-9_.-]. */
bool record_name_ok(const char *s, size_t n);

/* Exactly CARBON_RECORD_SIG_LEN lowercase hex digits. */
bool record_sig_ok(const char *s, size_t n);

/* 0 (1970) .. CARBON_TIME_MAX (9999). */
bool record_time_ok(int64_t t);

/*
 * r's n_points points (r->points not NULL): times in 1970..9999 and
 * strictly increasing, values 0..CARBON_RECORD_VALUE_MAX.  0, or
 * CARBON_EINVAL / CARBON_ERANGE with "carbon record: point N: ...".
 */
int record_check_points(const struct carbon_record *r, char *err,
			size_t errlen);

#endif
