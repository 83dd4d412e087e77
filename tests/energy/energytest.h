/*
 * energytest.h: the arithmetic and the one option of the test-only energy
 * plugin acct_gather_energy/carbontest (acct_gather_energy_carbontest.c).
 *
 * FOR TESTS ONLY: the plugin makes Slurm's energy accounting report a
 * known energy (a constant power times elapsed time) so that the
 * integration tests can check a job's recorded energy and footprint.  It
 * is never installed.  Pure: libc and libcarbon only, so the unit test and
 * the fuzz target drive it without Slurm.
 */
#ifndef CARBON_ENERGYTEST_H
#define CARBON_ENERGYTEST_H

#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"

/* The acct_gather.conf key and its range, in watts. */
#define CARBON_ENERGYTEST_KEY	    "EnergyCarbonTestWatts"
#define CARBON_ENERGYTEST_MIN_WATTS 1u
#define CARBON_ENERGYTEST_MAX_WATTS 1000000u
/* Without the key: a plausible small node. */
#define CARBON_ENERGYTEST_DEFAULT_WATTS 100u

/*
 * An EnergyCarbonTestWatts value: a decimal whole number of watts from
 * CARBON_ENERGYTEST_MIN_WATTS to CARBON_ENERGYTEST_MAX_WATTS, digits only.
 * Returns 0 and sets *watts, or a negative code with a message naming the
 * key and the accepted form (*watts untouched).
 */
int carbon_energytest_parse_watts(const char *s, uint32_t *watts, char *err,
				  size_t errlen) CARBON_MUST_CHECK;

/*
 * Joules drawn at a constant `watts` over `ns` nanoseconds, rounded down.
 * Exact for every input: no overflow (the result fits for any ns at up to
 * CARBON_ENERGYTEST_MAX_WATTS; above that it saturates at UINT64_MAX).
 */
uint64_t carbon_energytest_joules(uint32_t watts, uint64_t ns);

#endif
