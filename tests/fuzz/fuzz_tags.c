/*
 * libFuzzer target for carbon_tags_parse().  The input is split at '\n'
 * into urgency, deadline and max delay (a missing or empty field is NULL,
 * "not given"); the fourth field, if any, is the time limit in seconds.  A
 * success must satisfy the promises in carbon/tags.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/tags.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1795425462)

static int u2l(int64_t utc, struct tm *tm, void *ctx)
{
	(void)ctx;
	return carbon_time_to_utc_tm(utc + 3600, tm);
}

static int l2u(const struct tm *tm, int64_t *utc, void *ctx)
{
	int rc = carbon_time_from_utc_tm(tm, utc);

	(void)ctx;
	if (!rc)
		*utc -= 3600;
	return rc;
}

static void check_promises(const struct carbon_tags *t, int64_t submit,
			   int64_t limit)
{
	if (!t->has_latest_start) {
		if (t->has_deadline || t->has_max_delay ||
		    t->urgency == CARBON_URGENCY_CRITICAL)
			abort();
		return;
	}
	if (t->latest_start > submit + CARBON_MAX_DELAY_LIMIT)
		abort();
	if (t->urgency == CARBON_URGENCY_CRITICAL && t->latest_start != submit)
		abort();
	if (t->has_deadline &&
	    (t->deadline <= NOW || t->deadline - limit < NOW ||
	     t->latest_start > t->deadline - limit))
		abort();
	if (t->has_max_delay &&
	    (t->max_delay < 0 || t->max_delay > CARBON_MAX_DELAY_LIMIT ||
	     t->latest_start > submit + t->max_delay))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_clock clk = {
		.now = NOW, .local_to_utc = l2u, .utc_to_local = u2l};
	struct carbon_tags_input in = {.submit = NOW - 60};
	const char *field[4] = {NULL, NULL, NULL, NULL};
	struct carbon_tags t;
	char *s = malloc(size + 1), *p, err[512] = "";
	int n = 0, rc;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (p = s; n < 4; n++) {
		field[n] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
		*p++ = '\0';
	}
	/* an empty field is "not given", to reach every combination */
	for (int i = 0; i < 3; i++)
		if (field[i] && !field[i][0])
			field[i] = NULL;
	in.urgency = field[0];
	in.deadline = field[1];
	in.max_delay = field[2];
	in.time_limit = field[3] ? strtoll(field[3], NULL, 10) : 2 * 3600;
	rc = carbon_tags_parse(&in, &clk, NULL, &t, err, sizeof(err));
	if (rc == 0)
		check_promises(&t, in.submit, in.time_limit);
	else if (rc < CARBON_ERROR_LAST || rc > 0 || !err[0])
		abort();
	free(s);
	return 0;
}
