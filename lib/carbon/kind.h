/*
 * carbon/kind.h: what an intensity value measures, the one vocabulary
 * shared by series (carbon/series.h), cache records (carbon/record.h),
 * carbon.conf (carbon/config.h) and the policy (carbon/policy.h).
 *
 * The signal says which emissions a kWh is charged with: the average of
 * the grid's mix, or the marginal plant's that answers extra demand.  The
 * basis says how far up the supply chain they are counted: lifecycle
 * (construction, fuel supply), direct (stack only) or operational (as
 * WattTime reports).  Values of different signal or basis are never
 * ranked against each other, so every module spells them with these two
 * enums and nothing else.
 *
 * Zero is UNKNOWN in both, so a zeroed struct is never comparable with
 * anything; the known values run densely from 1 to _LAST.  The names are
 * the wire names of the cache record and the words of carbon.conf.
 */
#ifndef CARBON_KIND_H
#define CARBON_KIND_H

#include <stdbool.h>

#include "carbon/error.h"

enum carbon_signal {
	CARBON_SIGNAL_UNKNOWN = 0,
	CARBON_SIGNAL_AVERAGE,
	CARBON_SIGNAL_MARGINAL,
};

enum carbon_basis {
	CARBON_BASIS_UNKNOWN = 0,
	CARBON_BASIS_LIFECYCLE,
	CARBON_BASIS_DIRECT,
	CARBON_BASIS_OPERATIONAL,
};

#define CARBON_SIGNAL_LAST CARBON_SIGNAL_MARGINAL
#define CARBON_BASIS_LAST  CARBON_BASIS_OPERATIONAL

/* Is s (b) one of the known values, i.e. neither UNKNOWN nor out of range? */
bool carbon_signal_is_known(enum carbon_signal s);
bool carbon_basis_is_known(enum carbon_basis b);

/*
 * Lowercase static names: "average", "marginal"; "lifecycle", "direct",
 * "operational"; "unknown" for UNKNOWN and out-of-range values.  Never
 * NULL.
 */
const char *carbon_signal_name(enum carbon_signal s);
const char *carbon_basis_name(enum carbon_basis b);

/*
 * A known value from its name, case-insensitively ("Average" too).
 * "unknown" is not accepted.  Returns 0 with *out set, or CARBON_EINVAL
 * (NULL argument or no such name; *out untouched).
 */
int carbon_signal_parse(const char *s,
			enum carbon_signal *out) CARBON_MUST_CHECK;
int carbon_basis_parse(const char *s, enum carbon_basis *out) CARBON_MUST_CHECK;

#endif
