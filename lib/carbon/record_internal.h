/*
 * carbon/record_internal.h: what lib/record.c (encode) and
 * lib/record_decode.c (decode) share, so that both apply the very same
 * rules and the form stays canonical.  Private to those two files;
 * adapters use carbon/record.h.  (It lives beside the public headers only
 * so that the Makefile's header dependencies see it.)
 */
#ifndef CARBON_RECORD_INTERNAL_H
#define CARBON_RECORD_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/record.h"

#define RECORD_N_SIGNALS 2
#define RECORD_N_BASES	 3
/* Longest value in thousandths of gCO2eq/kWh. */
#define RECORD_MILLI_MAX ((int64_t)(CARBON_RECORD_VALUE_MAX * 1000.0))

/* Wire names, indexed by the enums. */
extern const char *const record_signal_names[RECORD_N_SIGNALS];
extern const char *const record_basis_names[RECORD_N_BASES];

/* 1..CARBON_RECORD_NAME_MAX of [A-Za-z0-9_.-]. */
bool record_name_ok(const char *s, size_t n);

/* Exactly CARBON_RECORD_SIG_LEN lowercase hex digits. */
bool record_sig_ok(const char *s, size_t n);

/* 0 (1970) .. CARBON_TIME_MAX (9999). */
bool record_time_ok(int64_t t);

#endif
