/*
 * libFuzzer target for the WattTime parsers: /login (a token that is
 * printable ASCII without spaces, or a message and a zeroed buffer) and
 * the data answers of /v3/historical and /v3/forecast (fuzz_points.h).
 */
#include <stdint.h>

#include "fuzz_points.h"
#include "providers/watttime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void login(const char *buf, size_t size)
{
	char tok[64], err[512] = "";
	int rc = carbon_watttime_parse_login(buf, size, tok, sizeof(tok), err,
					     sizeof(err));
	size_t n = strnlen(tok, sizeof(tok));

	if (n == sizeof(tok))
		abort();
	if (rc == 0) {
		if (n == 0)
			abort();
		for (size_t i = 0; i < n; i++)
			if (tok[i] < 0x21 || tok[i] > 0x7e)
				abort();
	} else if (rc > 0 || n || !err[0]) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_provider_points p = {0};
	char *buf = fuzz_copy(data, size);
	char err[512];
	int rc;

	if (!buf)
		return 0;
	login(buf, size);
	for (int f = 0; f < 2; f++) {
		err[0] = '\0';
		rc = carbon_watttime_parse_data(buf, size, "co2_moer", f, &p,
						err, sizeof(err));
		fuzz_check(rc, &p, err, f);
		err[0] = '\0';
		rc = carbon_watttime_parse_data(buf, size, NULL, f, &p, err,
						sizeof(err));
		fuzz_check(rc, &p, err, f);
	}
	free(buf);
	return 0;
}
