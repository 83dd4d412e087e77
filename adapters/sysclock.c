/*
 * The system clock and local time zone behind libcarbon's clock port.
 * Slurm's own time parser uses mktime() the same way, so a deadline given
 * as 16:00 means what `sbatch --begin=16:00` means on this host.
 */
#include <time.h>

#include "sysclock.h"

static int local_to_utc(const struct tm *local, int64_t *utc, void *ctx)
{
	struct tm tm = *local;
	time_t t;

	(void)ctx;
	tm.tm_isdst = -1;
	t = mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*utc = (int64_t)t;
	return 0;
}

static int utc_to_local(int64_t utc, struct tm *local, void *ctx)
{
	time_t t = (time_t)utc;

	(void)ctx;
	return localtime_r(&t, local) ? 0 : -1;
}

struct carbon_clock carbon_sysclock_now(void)
{
	struct carbon_clock clk = {
		.now = (int64_t)time(NULL),
		.local_to_utc = local_to_utc,
		.utc_to_local = utc_to_local,
		.ctx = NULL,
	};
	return clk;
}
