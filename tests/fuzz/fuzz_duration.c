/*
 * libFuzzer target for carbon_duration_parse(): any bytes give 0 with a
 * duration within the limit that prints and (below 10^12 s) parses back to
 * itself, or a negative code with a message that names the option.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/duration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *s, int64_t max)
{
	char err[512] = "", buf[32];
	int64_t secs = -1, again = -1;
	int rc = carbon_duration_parse(s, "--carbon-max-delay", max, &secs, err,
				       sizeof(err));

	if (rc == 0) {
		if (secs < 0 || secs > max)
			abort();
		if (carbon_duration_format(secs, buf, sizeof(buf)))
			abort();
		/* far beyond 31 days the printed day count may exceed a field */
		if (secs < INT64_C(1000000000000) &&
		    (carbon_duration_parse(buf, "x", max, &again, NULL, 0) ||
		     again != secs))
			abort();
	} else if (rc < CARBON_ERROR_LAST || rc > 0 ||
		   strncmp(err, "--carbon-max-delay: ", 20)) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check(s, INT64_C(31) * 86400);
	check(s, INT64_MAX);
	free(s);
	return 0;
}
