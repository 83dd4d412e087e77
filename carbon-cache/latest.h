/*
 * carbon-cache/latest.h: each zone's latest record, as the HTTP thread
 * may read it while the fetch loop goes on.
 *
 * The fetch loop owns each zone's record (chain.h) and replaces or
 * re-marks it on every refresh; the forecast endpoint runs in the HTTP
 * server's thread.  So after every refresh the loop publishes a copy: an
 * immutable entry (the record's header, and its forecast part as a
 * series) that replaces the zone's previous entry under one mutex.  A
 * reader takes a reference under the same mutex and computes outside it;
 * the entry it holds stays valid until it puts it back, however many
 * entries are published meanwhile.  Publishing never waits on a reader's
 * computation, and a reader never sees a half-written record.
 *
 * Ownership: carbon_latest_new() copies the zone names; an entry belongs
 * to the holder and to every reader holding a reference, and is freed by
 * the last carbon_latest_put() (or carbon_latest_free()).
 */
#ifndef CARBON_CACHE_LATEST_H
#define CARBON_CACHE_LATEST_H

#include <stddef.h>

#include "carbon/error.h"
#include "carbon/record.h"
#include "carbon/series.h"

/* What a reader sees of a zone's record: read only. */
struct carbon_latest_entry {
	struct carbon_record head; /* zone ... key_id; points NULL */
	size_t n_points;	   /* in the record */
	carbon_series *forecast;   /* its forecast part; NULL: none */
	unsigned refs;		   /* the holder's; under its mutex */
};

struct carbon_latest;

/* A holder with one empty slot per zone; NULL when out of memory. */
struct carbon_latest *carbon_latest_new(const char *const *zones, size_t n);

/* Free the holder and its entries.  No reader may hold or take one any
 * more: stop the server first.  NULL is a no-op. */
void carbon_latest_free(struct carbon_latest *l);

/* The slot of zone (case-insensitive), or -1. */
long carbon_latest_find(const struct carbon_latest *l, const char *zone);

/*
 * Publish a copy of r as zone slot's entry.  Returns 0, or a negative code
 * (out of memory, a record whose points do not make a series) with err
 * set, leaving the slot's entry as it was.  l NULL: nothing, 0.
 */
int carbon_latest_publish(struct carbon_latest *l, size_t slot,
			  const struct carbon_record *r, char *err,
			  size_t errlen) CARBON_MUST_CHECK;

/* A reference to slot's entry (NULL: nothing published yet). */
const struct carbon_latest_entry *carbon_latest_get(struct carbon_latest *l,
						    size_t slot);

/* Give back a reference from carbon_latest_get(); NULL is a no-op. */
void carbon_latest_put(struct carbon_latest *l,
		       const struct carbon_latest_entry *e);

#endif
