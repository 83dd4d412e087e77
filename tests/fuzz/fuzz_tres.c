/*
 * Fuzz the TRES GPU reader: any string, no crash; an accepted one gives a
 * count in [0, CARBON_TRES_GPUS_MAX]; a rejected one leaves the output.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/tres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char err[128];
	double n = -7;
	int rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rc = carbon_tres_gpus(s, &n, err, sizeof(err));
	if (rc == 0 && !(n >= 0 && n <= CARBON_TRES_GPUS_MAX))
		abort();
	if (rc != 0 && (rc != CARBON_EINVAL || n != -7))
		abort();
	free(s);
	return 0;
}
