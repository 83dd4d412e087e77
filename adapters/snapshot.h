/*
 * adapters/snapshot.h: the slurmctld plugins' in-memory copy of every
 * zone's intensity, refreshed from Redis by a background thread.
 *
 * The submit path must never wait on the network: it only takes the read
 * side of a lock around data already in memory.  The refresh thread does
 * all Redis I/O (connect with a timeout, AUTH, GET per zone; every call
 * bounded by RedisTimeout) outside the lock, verifies each record's
 * HMAC-SHA256 under the key from HmacKeyFile, decodes it, and swaps the
 * zone's series in under the write lock (a pointer exchange).  A zone
 * whose refresh fails keeps its last good series: forged, truncated or
 * missing records never replace good data, they are counted and logged.
 *
 * Ownership: the snapshot owns its series; carbon_snapshot_zone_peek()
 * returns a borrowed pointer valid until carbon_snapshot_read_unlock().
 * Threading: any number of readers; one refresh thread, started by
 * carbon_snapshot_start() (refused twice) and joined by
 * carbon_snapshot_stop(), which wakes it at once.
 */
#ifndef CARBON_ADAPTER_SNAPSHOT_H
#define CARBON_ADAPTER_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"
#include "carbon/series.h"

struct carbon_snapshot;

/* Log lines of the refresh thread go to the owner's logger. */
enum carbon_log_level {
	CARBON_LOG_ERROR = 0,
	CARBON_LOG_INFO,
	CARBON_LOG_VERBOSE,
	CARBON_LOG_DEBUG,
};
typedef void carbon_log_fn(enum carbon_log_level level, const char *msg,
			   void *ctx);

/* What the snapshot knows of one zone. */
struct carbon_snapshot_zone {
	const carbon_series *series; /* borrowed; NULL: never loaded */
	int64_t fetched_at;	     /* when the provider answered */
	int64_t loaded_at;	     /* when we last read a good record */
	bool record_stale;	     /* carbon-cached marked it stale */
	bool record_fallback;	     /* a later provider in the chain */
};

/* Counters for `scontrol show config` and the log. */
struct carbon_snapshot_stats {
	uint64_t refreshes; /* completed refresh passes */
	uint64_t loaded;    /* good records read */
	uint64_t missing;   /* GET answered nothing */
	uint64_t rejected;  /* bad signature or record */
	uint64_t redis_errors;
	uint64_t secret_errors; /* refreshes without a readable key/password */
	int64_t last_ok;	/* when Redis last answered; 0: never */
};

/*
 * A snapshot of cfg's zones (cfg is copied where needed and may be freed
 * after).  The HMAC key and the Redis password are read at the first
 * refresh and, while either cannot be read (missing, unreadable to this
 * user, a mode or owner secret.h refuses), again at every refresh: each
 * failure is logged at error level and counted in secret_errors, and no
 * record is read meanwhile (every decision uses the fallbacks), so that a
 * fixed permission takes effect without a restart.  NULL with err filled
 * on failure (no memory, a zone without a Redis key name).
 */
struct carbon_snapshot *carbon_snapshot_new(const struct carbon_config *cfg,
					    carbon_log_fn *log, void *log_ctx,
					    char *err, size_t errlen);

/* Start the refresh thread (first refresh at once).  0 or CARBON_EINVAL. */
int carbon_snapshot_start(struct carbon_snapshot *s, char *err, size_t errlen);

/* Stop and join the thread; then free everything.  NULL is a no-op. */
void carbon_snapshot_free(struct carbon_snapshot *s);

/* Refresh once in the caller's thread (tests, and `--once` tools). */
int carbon_snapshot_refresh(struct carbon_snapshot *s);

void carbon_snapshot_read_lock(struct carbon_snapshot *s);
void carbon_snapshot_read_unlock(struct carbon_snapshot *s);

/* Under the read lock: the zone's state, or false for an unknown zone. */
bool carbon_snapshot_zone_peek(const struct carbon_snapshot *s,
			       const char *zone,
			       struct carbon_snapshot_zone *out);

void carbon_snapshot_stats_get(struct carbon_snapshot *s,
			       struct carbon_snapshot_stats *out);

#endif
