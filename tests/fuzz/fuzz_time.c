/*
 * libFuzzer target for carbon_time_parse(): any bytes, under three fixed
 * fake clocks (UTC, UTC+1, and east of Greenwich at the end of year 9999),
 * must give 0 with an instant in range or a negative code with a message
 * that names the option.  The same bytes go to carbon_timeparse_iso()
 * under its three forms: an instant in range or a message, and what the
 * strictest form accepts the others read as the same instant.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/timeparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int u2l(int64_t utc, struct tm *tm, void *ctx)
{
	return carbon_time_to_utc_tm(utc + *(const int64_t *)ctx, tm);
}

static int l2u(const struct tm *tm, int64_t *utc, void *ctx)
{
	int rc = carbon_time_from_utc_tm(tm, utc);

	if (!rc)
		*utc -= *(const int64_t *)ctx;
	return rc;
}

static void check(const char *s, int64_t now, int64_t offset)
{
	struct carbon_clock clk = {.now = now,
				   .local_to_utc = l2u,
				   .utc_to_local = u2l,
				   .ctx = &offset};
	char err[512] = "", buf[32];
	int64_t t = -1;
	int rc = carbon_time_parse(s, &clk, "--carbon-deadline", &t, err,
				   sizeof(err));

	if (rc == 0) {
		if (t < 0 || t > CARBON_TIME_MAX)
			abort();
		if (carbon_time_format(t, &clk, buf, sizeof(buf)))
			abort();
	} else if (rc < CARBON_ERROR_LAST || rc > 0 ||
		   strncmp(err, "--carbon-deadline: ", 19)) {
		abort();
	}
}

static void check_iso(const char *s, size_t len)
{
	static const enum carbon_timeparse_iso forms[] = {
		CARBON_TIMEPARSE_ISO_EXACT,
		CARBON_TIMEPARSE_ISO_DATE,
		CARBON_TIMEPARSE_ISO_TRACE,
	};
	int64_t t[3];
	int rc[3];
	char err[256];

	for (size_t i = 0; i < 3; i++) {
		err[0] = '\0';
		t[i] = -1;
		rc[i] = carbon_timeparse_iso(s, len, forms[i], &t[i], err,
					     sizeof(err));
		if (rc[i] == 0 && (t[i] < 0 || t[i] > CARBON_TIME_MAX))
			abort();
		if (rc[i] && (rc[i] < CARBON_ERROR_LAST || !err[0]))
			abort();
	}
	if (rc[0] == 0 && (rc[1] || rc[2] || t[1] != t[0] || t[2] != t[0]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_iso(s, size);
	check(s, INT64_C(1795429062), 0);
	check(s, INT64_C(1795425462), 3600);
	check(s, CARBON_TIME_MAX - 3600, 14 * 3600);
	free(s);
	return 0;
}
