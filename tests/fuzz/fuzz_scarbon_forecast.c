/*
 * Fuzz scarbon's reader of the forecast endpoint's answer
 * (tools/scarbon/forecast_answer.c): any bytes, no crash; never more
 * windows than room; a best window only when it lies in the asked range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scarbon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scarbon_window w[4];
	const int64_t from = 1700000000, until = 1700086400;
	char err[128];
	size_t n = 99;

	for (int mode = 0; mode < 2; mode++) {
		int rc = scarbon_forecast_answer((const char *)data, size,
						 mode ? from : 0, until, w, 4,
						 &n, err, sizeof(err));

		if (n > 4 || (rc && rc != -1))
			abort();
		for (size_t i = 0; !rc && mode && i < n; i++)
			if (w[i].has_best &&
			    (w[i].start < from || w[i].start > until))
				abort();
	}
	return 0;
}
