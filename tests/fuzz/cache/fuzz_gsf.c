/*
 * libFuzzer target for the Carbon Aware SDK parsers (emissions and
 * forecasts, with and without a location): valid points with a span
 * within a week, or a message and none (fuzz_points.h).
 */
#include <stdint.h>

#include "fuzz_points.h"
#include "providers/gsf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const char *buf, size_t size, const char *loc, bool fc)
{
	struct carbon_provider_points p = {0};
	char err[512] = "";
	int rc = fc ? carbon_gsf_parse_forecast(buf, size, loc, &p, err,
						sizeof(err))
		    : carbon_gsf_parse_emissions(buf, size, loc, &p, err,
						 sizeof(err));

	if (rc == 0 && (p.span < 0 || p.span > CARBON_GSF_DURATION_MAX))
		abort();
	fuzz_check(rc, &p, err, fc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	run(buf, size, "eastus", false);
	run(buf, size, NULL, false);
	run(buf, size, "eastus", true);
	run(buf, size, NULL, true);
	free(buf);
	return 0;
}
