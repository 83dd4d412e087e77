/*
 * libFuzzer target for the ENTSO-E A75 parser: any bytes give valid
 * points whose values lie between the smallest and largest factor of the
 * table, with a consistent report, or a message and none (fuzz_points.h).
 */
#include <stdint.h>

#include <libxml/parser.h>

#include "fuzz_points.h"
#include "providers/entsoe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct carbon_factors table;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	xmlInitParser();
	table.basis = CARBON_BASIS_LIFECYCLE;
	table.other = 700;
	for (int k = 0; k < CARBON_PSR_MAX; k++)
		table.factor[k] = 10 + 40 * k;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_provider_points p = {0};
	struct carbon_entsoe_report r;
	char *buf = fuzz_copy(data, size);
	char err[512] = "";
	int rc;

	if (!buf)
		return 0;
	rc = carbon_entsoe_parse_a75(buf, size, &table, &p, &r, err,
				     sizeof(err));
	if (rc == 0) {
		if (r.types == 0 || r.consumption > r.series ||
		    r.types > CARBON_ENTSOE_TYPES_MAX ||
		    r.series > CARBON_ENTSOE_SERIES_MAX ||
		    (r.resolution != 900 && r.resolution != 1800 &&
		     r.resolution != 3600) ||
		    p.span != r.resolution)
			abort();
		for (size_t i = 0; i < p.n; i++)
			if (p.v[i].value < 10 - 1e-9 ||
			    p.v[i].value > 970 + 1e-9 ||
			    (i && (p.v[i].t - p.v[i - 1].t) % p.span))
				abort();
	}
	fuzz_check(rc, &p, err, false);
	free(buf);
	return 0;
}
