/*
 * libFuzzer target for carbon_energytest_parse_watts() (the test energy
 * plugin's EnergyCarbonTestWatts): any bytes give 0 with watts in range
 * that print back to the digits' value, or a negative code with a message
 * that names the key; and joules that are the exact product, rounded down.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "energytest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256] = "", buf[16];
	uint32_t w = 0, again = 0;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = carbon_energytest_parse_watts(s, &w, err, sizeof(err));
	if (rc == 0) {
		if (w < CARBON_ENERGYTEST_MIN_WATTS ||
		    w > CARBON_ENERGYTEST_MAX_WATTS)
			abort();
		snprintf(buf, sizeof(buf), "%u", w);
		if (carbon_energytest_parse_watts(buf, &again, NULL, 0) ||
		    again != w)
			abort();
	} else if (rc < CARBON_ERROR_LAST || rc > 0 ||
		   strncmp(err, CARBON_ENERGYTEST_KEY ": ",
			   strlen(CARBON_ENERGYTEST_KEY) + 2)) {
		abort();
	}
	/* Any power over any span: the exact product, or saturated. */
	if (size >= 12) {
		uint32_t pw;
		uint64_t ns;
		unsigned __int128 exact;

		memcpy(&pw, data, 4);
		memcpy(&ns, data + 4, 8);
		exact = (unsigned __int128)pw * ns / 1000000000u;
		if (exact > UINT64_MAX)
			exact = UINT64_MAX;
		if (carbon_energytest_joules(pw, ns) != (uint64_t)exact)
			abort();
	}
	free(s);
	return 0;
}
