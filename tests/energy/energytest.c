/*
 * energytest.c: see energytest.h.  FOR TESTS ONLY (never installed).
 */
#include <stdbool.h>
#include <string.h>

#include "energytest.h"

#define NS_PER_S 1000000000u

static const char forms[] = "use a whole number of watts from 1 to 1000000";

int carbon_energytest_parse_watts(const char *s, uint32_t *watts, char *err,
				  size_t errlen)
{
	uint64_t v = 0;
	size_t i, n;
	int rc;

	rc = carbon_error_check_value(CARBON_ENERGYTEST_KEY, s, forms, err,
				      errlen);
	if (rc)
		return rc;
	n = strlen(s);
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"%s: \"%s\" is not a whole "
						"number; %s",
						CARBON_ENERGYTEST_KEY, s,
						forms);
		/* Past the maximum we stop growing v: it is out of range. */
		if (v <= CARBON_ENERGYTEST_MAX_WATTS)
			v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v < CARBON_ENERGYTEST_MIN_WATTS || v > CARBON_ENERGYTEST_MAX_WATTS)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: \"%s\" is out of range; %s",
					CARBON_ENERGYTEST_KEY, s, forms);
	*watts = (uint32_t)v;
	return 0;
}

uint64_t carbon_energytest_joules(uint32_t watts, uint64_t ns)
{
	uint64_t whole = ns / NS_PER_S, frac = ns % NS_PER_S;
	/* frac < 10^9 and watts < 2^32: the product fits in 64 bits. */
	uint64_t part = (uint64_t)watts * frac / NS_PER_S;

	if (whole && (uint64_t)watts > (UINT64_MAX - part) / whole)
		return UINT64_MAX;
	return (uint64_t)watts * whole + part;
}
