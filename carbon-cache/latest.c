/*
 * latest.c: each zone's latest record, copied on publish and shared by
 * reference with the HTTP thread (see latest.h).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "carbon/forecast.h"
#include "latest.h"

struct slot {
	char zone[CARBON_RECORD_NAME_MAX + 1];
	struct carbon_latest_entry *e;
};

struct carbon_latest {
	pthread_mutex_t mu;
	struct slot *slots;
	size_t n;
};

struct carbon_latest *carbon_latest_new(const char *const *zones, size_t n)
{
	struct carbon_latest *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->slots = calloc(n ? n : 1, sizeof(*l->slots));
	if (!l->slots || pthread_mutex_init(&l->mu, NULL)) {
		free(l->slots);
		free(l);
		return NULL;
	}
	l->n = n;
	for (size_t i = 0; i < n; i++)
		strncpy(l->slots[i].zone, zones[i], CARBON_RECORD_NAME_MAX);
	return l;
}

static void entry_free(struct carbon_latest_entry *e)
{
	if (!e)
		return;
	carbon_series_free(e->forecast);
	free(e);
}

/* Drop one reference; the caller holds l->mu.  The entry to free, if
 * that was the last (freed outside the lock). */
static struct carbon_latest_entry *unref(struct carbon_latest_entry *e)
{
	if (!e || --e->refs)
		return NULL;
	return e;
}

void carbon_latest_free(struct carbon_latest *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		entry_free(unref(l->slots[i].e));
	pthread_mutex_destroy(&l->mu);
	free(l->slots);
	free(l);
}

long carbon_latest_find(const struct carbon_latest *l, const char *zone)
{
	if (!l || !zone)
		return -1;
	for (size_t i = 0; i < l->n; i++)
		if (!strcasecmp(l->slots[i].zone, zone))
			return (long)i;
	return -1;
}

int carbon_latest_publish(struct carbon_latest *l, size_t slot,
			  const struct carbon_record *r, char *err,
			  size_t errlen)
{
	struct carbon_latest_entry *e, *old;
	int rc;

	if (!l)
		return 0;
	if (slot >= l->n || !r)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"latest: internal error: bad "
					"arguments");
	e = calloc(1, sizeof(*e));
	if (!e)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"latest: out of memory");
	rc = carbon_forecast_series(r, &e->forecast, err, errlen);
	if (rc) {
		free(e);
		return rc;
	}
	e->head = *r;
	e->head.points = NULL;
	e->head.n_points = 0;
	e->n_points = r->n_points;
	e->refs = 1; /* the slot's */
	pthread_mutex_lock(&l->mu);
	old = l->slots[slot].e;
	l->slots[slot].e = e;
	old = unref(old);
	pthread_mutex_unlock(&l->mu);
	entry_free(old);
	return 0;
}

const struct carbon_latest_entry *carbon_latest_get(struct carbon_latest *l,
						    size_t slot)
{
	struct carbon_latest_entry *e;

	if (!l || slot >= l->n)
		return NULL;
	pthread_mutex_lock(&l->mu);
	e = l->slots[slot].e;
	if (e)
		e->refs++;
	pthread_mutex_unlock(&l->mu);
	return e;
}

void carbon_latest_put(struct carbon_latest *l,
		       const struct carbon_latest_entry *e)
{
	struct carbon_latest_entry *last;

	if (!l || !e)
		return;
	pthread_mutex_lock(&l->mu);
	/* the entry is const to readers; its count is the holder's */
	last = unref((struct carbon_latest_entry *)(uintptr_t)e);
	pthread_mutex_unlock(&l->mu);
	entry_free(last);
}
