/*
 * carbon-cache/metrics.h: what carbon-cached knows about itself, for
 * /metrics (Prometheus text format 0.0.4) and /readyz.
 *
 * The fetch loop updates the numbers; the HTTP server's thread renders
 * them.  Every function takes the one mutex inside, so a scrape sees a
 * consistent set and never blocks the loop for longer than a copy.
 *
 * Ownership: carbon_metrics_new() copies the zone and provider names;
 * carbon_metrics_free() frees everything.  Rendered text is the caller's
 * (free()).
 */
#ifndef CARBON_CACHE_METRICS_H
#define CARBON_CACHE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"

#define CARBON_METRICS_BUCKETS 10

/* One zone as of its last refresh. */
struct carbon_metrics_zone {
	bool has_record;      /* a record (fresh or stale) is held */
	bool stale;	      /* the last refresh failed: last good data */
	bool fallback;	      /* from a later provider of the chain */
	bool written;	      /* that record is in Redis */
	double intensity_now; /* gCO2eq/kWh in force at the refresh */
	int64_t horizon_end;  /* end of the data, seconds since the epoch */
	int64_t fetched_at;   /* when the provider answered */
};

/* The process's own numbers, read by the caller (/proc on Linux). */
struct carbon_metrics_process {
	bool valid;
	double start_time; /* seconds since the epoch */
	double resident_bytes;
	double cpu_seconds;
};

struct carbon_metrics;

struct carbon_metrics *carbon_metrics_new(const char *const *zones,
					  size_t n_zones,
					  const char *const *providers,
					  size_t n_providers);
void carbon_metrics_free(struct carbon_metrics *m);

void carbon_metrics_zone_set(struct carbon_metrics *m, size_t zone,
			     const struct carbon_metrics_zone *z);
void carbon_metrics_zone_written(struct carbon_metrics *m, size_t zone,
				 bool written);
void carbon_metrics_provider_observe(struct carbon_metrics *m, size_t provider,
				     bool ok, double seconds);
void carbon_metrics_redis_set(struct carbon_metrics *m, bool up);
void carbon_metrics_redis_wrote(struct carbon_metrics *m);
/* A record Redis refused or did not answer for (alerted on). */
void carbon_metrics_redis_write_failed(struct carbon_metrics *m);

/*
 * The exposition text at now into a new string (*out, *len without the
 * NUL).  proc may be NULL.  Returns 0 or CARBON_ENOMEM.
 */
int carbon_metrics_render(struct carbon_metrics *m, int64_t now,
			  const struct carbon_metrics_process *proc, char **out,
			  size_t *len) CARBON_MUST_CHECK;

/*
 * Ready: Redis is up and every zone's record (fresh, or stale but served)
 * is in Redis.  Otherwise false, with why (a few short lines: what is
 * missing) in buf.
 */
bool carbon_metrics_ready(struct carbon_metrics *m, char *buf, size_t len);

#endif
