/*
 * chain.c: one refresh of one zone (see chain.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chain.h"
#include "hmac.h"
#include "log.h"

#define MSG_MAX 512

static double mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool stop_requested(const struct carbon_chain_env *env)
{
	return env->stop && *env->stop;
}

void carbon_signer_wipe(struct carbon_signer *s)
{
	if (s)
		carbon_secret_wipe(s->key, sizeof(s->key));
}

void carbon_zone_clear(struct carbon_zone *z)
{
	if (!z)
		return;
	carbon_record_free(z->last);
	free(z->bytes);
	z->last = NULL;
	z->bytes = NULL;
	z->len = 0;
	z->dirty = false;
}

int carbon_chain_sign(struct carbon_record *r, const struct carbon_signer *s,
		      char **out, size_t *len, char *err, size_t errlen)
{
	char *unsigned_bytes = NULL;
	size_t n = 0;
	int rc;

	if (!r || !s || !out || !len)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"sign: bad arguments");
	snprintf(r->key_id, sizeof(r->key_id), "%s", s->key_id);
	r->sig[0] = '\0';
	rc = carbon_record_encode_alloc(r, &unsigned_bytes, &n, err, errlen);
	if (rc)
		return rc;
	rc = carbon_hmac_hex(s->key, s->len, unsigned_bytes, n, r->sig);
	free(unsigned_bytes);
	if (rc) {
		r->sig[0] = '\0';
		return carbon_error_set(err, errlen, rc,
					"sign: HMAC-SHA256 failed");
	}
	return carbon_record_encode_alloc(r, out, len, err, errlen);
}

/* ---- one provider ----------------------------------------------------------- */

static bool has_forecast(const carbon_series *s)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);

	for (size_t i = 0; i < n; i++)
		if (p[i].is_forecast)
			return true;
	return false;
}

/* A copy of s with our source and fetched_at: the record's provenance is
 * the daemon's to state, not the provider's. */
static int normalise(const carbon_series *s, const char *source, int64_t now,
		     carbon_series **out, char *err, size_t errlen)
{
	struct carbon_series_meta meta = *carbon_series_meta_peek(s);
	carbon_series *c;
	int rc;

	snprintf(meta.source, sizeof(meta.source), "%s", source);
	meta.fetched_at = now;
	c = carbon_series_new_like(s, &meta);
	if (!c)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory");
	rc = carbon_series_append_series(c, s, err, errlen);
	if (rc) {
		carbon_series_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

/* Without a provider forecast: repeat the last days (best effort). */
static void derive_forecast(carbon_series *s, const struct carbon_zone *z,
			    const struct carbon_instance *inst, int days)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);
	size_t n = carbon_series_count(s);
	int64_t start, end, cadence = CARBON_SERIES_DEFAULT_SPAN;
	carbon_series *f = NULL;
	char msg[MSG_MAX];

	if (n >= 2)
		cadence = p[n - 1].t - p[n - 2].t;
	if (cadence < 60 || cadence > 86400)
		cadence = CARBON_SERIES_DEFAULT_SPAN;
	if (carbon_series_bounds(s, &start, &end, msg, sizeof(msg)) ||
	    carbon_series_forecast_seasonal(
		    s, end, end + CARBON_CHAIN_DERIVED_HORIZON, cadence, days,
		    &f, msg, sizeof(msg)) ||
	    carbon_series_append_series(s, f, msg, sizeof(msg)))
		carbon_log_verbose("zone %s: provider %s: no derived forecast: "
				   "%s",
				   z->name, inst->name, msg);
	carbon_series_free(f);
}

/* Fetch from one link and make the signed record; 0 or a failure with
 * the reason in err. */
static int try_link(struct carbon_zone *z, size_t k,
		    const struct carbon_chain_env *env, int64_t now,
		    struct carbon_record **rec, char **bytes, size_t *len,
		    char *err, size_t errlen)
{
	struct carbon_instance *inst = z->chain[k];
	const struct carbon_series_meta *m;
	carbon_series *raw = NULL, *s = NULL;
	double t0 = mono_seconds();
	int rc;

	rc = inst->ops->fetch(inst->state, &inst->cfg, inst->http, z->areas[k],
			      now, &raw, err, errlen);
	if (!rc && (!raw || !carbon_series_count(raw)))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "no data points");
	m = rc ? NULL : carbon_series_meta_peek(raw);
	if (m && (m->signal != env->signal || m->basis != env->basis))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "yields %s/%s data, the zone holds "
				      "%s/%s: signals are never mixed",
				      carbon_signal_name(m->signal),
				      carbon_basis_name(m->basis),
				      carbon_signal_name(env->signal),
				      carbon_basis_name(env->basis));
	if (!rc)
		rc = normalise(raw, inst->name, now, &s, err, errlen);
	carbon_series_free(raw);
	if (!rc && env->forecast_days > 0 && !has_forecast(s))
		derive_forecast(s, z, inst, env->forecast_days);
	if (!rc)
		rc = carbon_record_from_series(s, z->name, now, rec, err,
					       errlen);
	carbon_series_free(s);
	if (!rc) {
		(*rec)->fallback = k > 0;
		rc = carbon_chain_sign(*rec, env->signer, bytes, len, err,
				       errlen);
		if (rc) {
			carbon_record_free(*rec);
			*rec = NULL;
		}
	}
	carbon_metrics_provider_observe(env->metrics, inst->metric, rc == 0,
					mono_seconds() - t0);
	return rc;
}

static void take(struct carbon_zone *z, struct carbon_record *r, char *bytes,
		 size_t len)
{
	carbon_zone_clear(z);
	z->last = r;
	z->bytes = bytes;
	z->len = len;
	z->dirty = true;
}

/* Every provider failed: the last good record again, stale, re-signed. */
static int mark_stale(struct carbon_zone *z, const struct carbon_chain_env *env,
		      int64_t now, char *err, size_t errlen)
{
	struct carbon_record *r = z->last;
	int64_t old_generated = r->generated_at;
	bool old_stale = r->stale;
	char *bytes = NULL;
	size_t len = 0;
	int rc;

	r->stale = true;
	r->generated_at = now > r->fetched_at ? now : r->fetched_at;
	rc = carbon_chain_sign(r, env->signer, &bytes, &len, err, errlen);
	if (rc) {
		r->stale = old_stale;
		r->generated_at = old_generated;
		return rc;
	}
	free(z->bytes);
	z->bytes = bytes;
	z->len = len;
	z->dirty = true;
	return 0;
}

int carbon_chain_refresh(struct carbon_zone *z,
			 const struct carbon_chain_env *env, int64_t now,
			 enum carbon_chain_outcome *outcome, char *err,
			 size_t errlen)
{
	char msg[MSG_MAX];

	if (!z || !env || !env->signer || !outcome)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"refresh: bad arguments");
	for (size_t k = 0; k < z->n_chain; k++) {
		struct carbon_record *r = NULL;
		char *bytes = NULL;
		size_t len = 0;

		if (stop_requested(env)) {
			*outcome = CARBON_CHAIN_STOPPED;
			return 0;
		}
		if (!try_link(z, k, env, now, &r, &bytes, &len, msg,
			      sizeof(msg))) {
			take(z, r, bytes, len);
			*outcome =
				k ? CARBON_CHAIN_FALLBACK : CARBON_CHAIN_FRESH;
			return 0;
		}
		if (stop_requested(env)) {
			*outcome = CARBON_CHAIN_STOPPED;
			return 0;
		}
		carbon_log_error("zone %s: provider %s failed: %s", z->name,
				 z->chain[k]->name, msg);
	}
	if (!z->last) {
		*outcome = CARBON_CHAIN_NONE;
		return 0;
	}
	*outcome = CARBON_CHAIN_STALE;
	return mark_stale(z, env, now, err, errlen);
}

int carbon_chain_adopt(struct carbon_zone *z,
		       const struct carbon_chain_env *env, const char *buf,
		       size_t len, char *err, size_t errlen)
{
	struct carbon_record *r = NULL;
	size_t signed_len = 0;
	char *copy;
	int rc;

	rc = carbon_record_decode(buf, len, &r, &signed_len, err, errlen);
	if (rc)
		return rc;
	if (strcmp(r->key_id, env->signer->key_id) || !r->sig[0] ||
	    !carbon_hmac_verify(env->signer->key, env->signer->len, buf,
				signed_len, r->sig))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "not signed by key %s",
				      env->signer->key_id);
	else if (strcasecmp(r->zone, z->name) || r->signal != env->signal ||
		 r->basis != env->basis)
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "another zone's or kind's record");
	copy = rc ? NULL : malloc(len + 1);
	if (!rc && !copy)
		rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
				      "out of memory");
	if (rc) {
		carbon_record_free(r);
		return rc;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	take(z, r, copy, len);
	z->dirty = false; /* it is in Redis already */
	return 0;
}

void carbon_chain_zone_metrics(const struct carbon_zone *z, int64_t now,
			       struct carbon_metrics_zone *out)
{
	const struct carbon_record *r = z ? z->last : NULL;
	size_t n, i = 0;

	memset(out, 0, sizeof(*out));
	if (!r || !r->n_points)
		return;
	n = r->n_points;
	while (i + 1 < n && r->points[i + 1].t <= now)
		i++;
	out->has_record = true;
	out->stale = r->stale;
	out->fallback = r->fallback;
	out->intensity_now = r->points[i].value;
	out->fetched_at = r->fetched_at;
	out->horizon_end = r->points[n - 1].t +
			   (n > 1 ? r->points[n - 1].t - r->points[n - 2].t
				  : CARBON_SERIES_DEFAULT_SPAN);
}
