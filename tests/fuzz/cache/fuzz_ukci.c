/*
 * libFuzzer target for the UK Carbon Intensity parsers (national, and
 * regional with and without a region id) and the area syntax: valid
 * half-hourly points or a message and none (fuzz_points.h).
 */
#include <stdint.h>

#include "fuzz_points.h"
#include "providers/ukci.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void area(const uint8_t *data, size_t size)
{
	char s[32], err[256] = "";
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
	int id = -1, rc;

	memcpy(s, data, n);
	s[n] = '\0';
	rc = carbon_ukci_parse_area(s, &id, err, sizeof(err));
	if ((rc == 0 && (id < 0 || id > CARBON_UKCI_REGION_MAX)) ||
	    (rc && (!err[0] || rc != CARBON_EINVAL)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_provider_points p = {0};
	char *buf = fuzz_copy(data, size);
	char err[512];
	int rc;

	if (!buf)
		return 0;
	area(data, size);
	err[0] = '\0';
	rc = carbon_ukci_parse_national(buf, size, &p, err, sizeof(err));
	fuzz_check(rc, &p, err, false);
	for (int id = 0; id <= 13; id += 13) {
		err[0] = '\0';
		rc = carbon_ukci_parse_regional(buf, size, id, &p, err,
						sizeof(err));
		fuzz_check(rc, &p, err, true);
	}
	free(buf);
	return 0;
}
