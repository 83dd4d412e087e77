/*
 * libFuzzer target for the Electricity Maps parsers (history, latest,
 * forecast), with and without the zone and factor-type checks: any bytes
 * give valid points or a message and none (fuzz_points.h).
 */
#include <stdint.h>

#include "fuzz_points.h"
#include "providers/electricitymaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_provider_points p = {0};
	char *buf = fuzz_copy(data, size);
	char err[512];
	int rc;

	if (!buf)
		return 0;
	for (int strict = 0; strict < 2; strict++) {
		const char *zone = strict ? "FR" : NULL;
		enum carbon_basis b =
			strict ? CARBON_BASIS_LIFECYCLE : CARBON_BASIS_UNKNOWN;

		err[0] = '\0';
		rc = carbon_electricitymaps_parse_history(buf, size, zone, b,
							  &p, err, sizeof(err));
		fuzz_check(rc, &p, err, false);
		err[0] = '\0';
		rc = carbon_electricitymaps_parse_latest(buf, size, zone, b, &p,
							 err, sizeof(err));
		fuzz_check(rc, &p, err, false);
		if (rc == 0 && p.n > 1)
			abort();
		err[0] = '\0';
		rc = carbon_electricitymaps_parse_forecast(
			buf, size, zone, b, &p, err, sizeof(err));
		fuzz_check(rc, &p, err, true);
	}
	free(buf);
	return 0;
}
