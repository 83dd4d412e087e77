/*
 * carbon-cache/chain.h: a zone's provider chain and what one refresh does
 * with it.
 *
 * A refresh tries the zone's providers in order.  The first that answers
 * with a series of the site's kind becomes the zone's new record:
 * normalised (source = the provider's name, fetched_at = now), extended
 * with a seasonal forecast from its own history when it has no forecast
 * (ForecastFallbackDays; marked derived), marked fallback when it was not
 * the first provider, signed, and encoded.  When every provider fails,
 * the last good record is re-signed with stale=1 and its age (never
 * deleted); with no record yet, nothing changes.  Every failure is one
 * log line naming zone, provider and reason.
 *
 * Ownership: a carbon_zone owns its last record and its encoded bytes; it
 * borrows its chain's instances from the runtime (runtime.h).  The
 * signer's key is secret: it is wiped by carbon_signer_wipe().
 */
#ifndef CARBON_CACHE_CHAIN_H
#define CARBON_CACHE_CHAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "providers/provider_conf.h"
#include "carbon/record.h"
#include "metrics.h"
#include "provider.h"
#include "secret.h"

/* How far the derived forecast reaches (it repeats past days). */
#define CARBON_CHAIN_DERIVED_HORIZON (INT64_C(24) * 3600)

/* One opened provider: a Provider record, or one zone's "static". */
struct carbon_instance {
	char name[CARBON_CONFIG_NAME_BUF];
	const struct carbon_provider_ops *ops;
	struct carbon_provider_conf cfg; /* a copy; static: made up */
	void *state;			 /* ops->close() */
	struct carbon_http *http;	 /* owned; NULL for static */
	size_t metric;			 /* its provider index in metrics */
};

struct carbon_zone {
	char name[CARBON_CONFIG_NAME_BUF];
	struct carbon_instance *chain[CARBON_CONFIG_CHAIN_MAX]; /* borrowed */
	char areas[CARBON_CONFIG_CHAIN_MAX][CARBON_CONFIG_NAME_BUF];
	size_t n_chain;
	int64_t interval;	    /* seconds between refreshes */
	int64_t next_due;	    /* next refresh, CLOCK_MONOTONIC seconds */
	struct carbon_record *last; /* fresh or stale; NULL: none yet */
	char *bytes;		    /* last, signed and encoded */
	size_t len;
	bool dirty; /* bytes are not in Redis yet */
};

struct carbon_signer {
	unsigned char key[CARBON_SECRET_MAX + 1];
	size_t len;
	char key_id[CARBON_RECORD_NAME_MAX + 1];
};

/* What a refresh needs besides the zone. */
struct carbon_chain_env {
	const struct carbon_signer *signer;
	enum carbon_signal signal; /* the site's kind */
	enum carbon_basis basis;
	int forecast_days;		   /* ForecastFallbackDays; 0: off */
	struct carbon_metrics *metrics;	   /* may be NULL */
	const volatile sig_atomic_t *stop; /* may be NULL */
};

enum carbon_chain_outcome {
	CARBON_CHAIN_FRESH,    /* the first provider answered */
	CARBON_CHAIN_FALLBACK, /* a later provider answered */
	CARBON_CHAIN_STALE,    /* none did: last good record kept, stale */
	CARBON_CHAIN_NONE,     /* none did and there is no record */
	CARBON_CHAIN_STOPPED,  /* the stop flag cut the refresh short */
};

/*
 * Refresh z at now as described above; *outcome says what happened.
 * Returns 0, or a negative code (out of memory, signing failed) with err
 * set, leaving z as it was.
 */
int carbon_chain_refresh(struct carbon_zone *z,
			 const struct carbon_chain_env *env, int64_t now,
			 enum carbon_chain_outcome *outcome, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

/*
 * Sign r (its key_id is set from the signer): encode with an empty sig,
 * HMAC the bytes, set sig, encode again.  *out is a new string (free()).
 */
int carbon_chain_sign(struct carbon_record *r, const struct carbon_signer *s,
		      char **out, size_t *len, char *err,
		      size_t errlen) CARBON_MUST_CHECK;

/*
 * Take a record found in Redis at start-up as z's last good record, when
 * it is z's, of the site's kind and signed by our key: a restart during a
 * provider outage then still serves (stale) data.  Returns 0 or a
 * negative code with the reason in err (z unchanged).
 */
int carbon_chain_adopt(struct carbon_zone *z,
		       const struct carbon_chain_env *env, const char *buf,
		       size_t len, char *err, size_t errlen) CARBON_MUST_CHECK;

/* The zone's gauges from its record (written is left false). */
void carbon_chain_zone_metrics(const struct carbon_zone *z, int64_t now,
			       struct carbon_metrics_zone *out);

/* Free z's record and bytes (the struct itself is the caller's). */
void carbon_zone_clear(struct carbon_zone *z);

void carbon_signer_wipe(struct carbon_signer *s);

#endif
