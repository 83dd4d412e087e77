/*
 * Unit tests for carbon-cache/chain.c: a zone's chain with fake providers.
 * First provider answers; it fails and the second answers (fallback=1);
 * every provider fails (last good record kept, stale=1, re-signed, age
 * spelled out); nothing ever answered; a provider of the wrong kind; the
 * derived forecast; signing (the HMAC covers everything before the sig
 * line, a reader rejects another key and one changed byte); adopting a
 * record found in Redis.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chain.h"
#include "hmac.h"
#include "log.h"

#define NOW   INT64_C(1795321200) /* 2026-11-22T04:20:00Z */
#define HOUR  INT64_C(3600)
#define FAKES 3

/* What each fake provider does on its next fetch. */
struct fake {
	int rc;			   /* 0: answer */
	enum carbon_signal signal; /* kind of the series it answers */
	bool forecast;		   /* include forecast points */
	int history_hours;
	double value;
	int calls;
};

static struct fake fakes[FAKES];

static int fake_fetch(void *state, const struct carbon_provider_conf *cfg,
		      struct carbon_http *http, const char *area, int64_t now,
		      carbon_series **out, char *err, size_t errlen)
{
	struct fake *f = &fakes[(intptr_t)state];
	struct carbon_series_meta meta = {
		.signal = f->signal,
		.basis = CARBON_BASIS_LIFECYCLE,
	};
	int64_t start = now - now % HOUR - f->history_hours * HOUR;
	int64_t end = now - now % HOUR + (f->forecast ? 24 * HOUR : HOUR);
	carbon_series *s;

	(void)cfg, (void)http, (void)area;
	f->calls++;
	if (f->rc)
		return carbon_error_set(err, errlen, f->rc, "HTTP 503");
	strcpy(meta.source, "whatever-the-provider-says");
	s = carbon_series_new(&meta, NULL);
	assert_non_null(s);
	for (int64_t t = start; t < end; t += HOUR) {
		struct carbon_series_point p = {
			.t = t,
			.value = f->value + (double)((t / HOUR) % 24),
			.is_forecast = t > now,
		};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	*out = s;
	return 0;
}

static const struct carbon_provider_ops fake_ops = {
	.type = "fake",
	.fetch = fake_fetch,
};

struct fixture {
	struct carbon_instance inst[FAKES];
	struct carbon_zone zone;
	struct carbon_signer signer;
	struct carbon_chain_env env;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	static const char *const names[FAKES] = {"emaps", "entsoe", "static"};

	assert_non_null(fx);
	for (int i = 0; i < FAKES; i++) {
		fakes[i] = (struct fake){.signal = CARBON_SIGNAL_AVERAGE,
					 .forecast = true,
					 .history_hours = 24,
					 .value = 100.0 * (i + 1)};
		strcpy(fx->inst[i].name, names[i]);
		fx->inst[i].ops = &fake_ops;
		fx->inst[i].state = (void *)(intptr_t)i;
		fx->inst[i].metric = (size_t)i;
		fx->zone.chain[i] = &fx->inst[i];
		strcpy(fx->zone.areas[i], "ES");
	}
	fx->zone.n_chain = FAKES;
	strcpy(fx->zone.name, "ES");
	memcpy(fx->signer.key, "example-key", 11);
	fx->signer.len = 11;
	strcpy(fx->signer.key_id, "k1");
	fx->env = (struct carbon_chain_env){
		.signer = &fx->signer,
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.forecast_days = 1,
	};
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	carbon_zone_clear(&fx->zone);
	free(fx);
	return 0;
}

/* Decode the zone's bytes and check the signature under key. */
static struct carbon_record *decode_checked(const struct carbon_zone *z,
					    const char *key)
{
	struct carbon_record *r = NULL;
	size_t signed_len = 0;

	assert_non_null(z->bytes);
	assert_int_equal(strlen(z->bytes), z->len);
	assert_int_equal(carbon_record_decode(z->bytes, z->len, &r, &signed_len,
					      NULL, 0),
			 0);
	assert_true(carbon_hmac_verify(key, strlen(key), z->bytes, signed_len,
				       r->sig));
	return r;
}

static enum carbon_chain_outcome refresh_at(struct fixture *fx, int64_t now)
{
	enum carbon_chain_outcome o = CARBON_CHAIN_NONE;
	char err[256] = "";

	assert_int_equal(carbon_chain_refresh(&fx->zone, &fx->env, now, &o, err,
					      sizeof(err)),
			 0);
	return o;
}

static void test_first_provider(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;

	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	assert_int_equal(fakes[1].calls, 0);
	assert_true(fx->zone.dirty);
	r = decode_checked(&fx->zone, "example-key");
	assert_string_equal(r->zone, "ES");
	assert_string_equal(r->source, "emaps"); /* ours, not the provider's */
	assert_int_equal(r->fetched_at, NOW);
	assert_int_equal(r->generated_at, NOW);
	assert_false(r->fallback);
	assert_false(r->stale);
	assert_false(r->derived);
	assert_string_equal(r->key_id, "k1");
	assert_int_equal(r->n_points, 48);
	carbon_record_free(r);
}

static void test_fallback(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;

	fakes[0].rc = CARBON_EINVAL;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FALLBACK);
	assert_int_equal(fakes[0].calls, 1);
	assert_int_equal(fakes[1].calls, 1);
	assert_int_equal(fakes[2].calls, 0);
	r = decode_checked(&fx->zone, "example-key");
	assert_string_equal(r->source, "entsoe");
	assert_true(r->fallback);
	assert_false(r->stale);
	carbon_record_free(r);

	/* the first provider is back: it is tried first again */
	fakes[0].rc = 0;
	assert_int_equal(refresh_at(fx, NOW + HOUR), CARBON_CHAIN_FRESH);
	r = decode_checked(&fx->zone, "example-key");
	assert_false(r->fallback);
	assert_string_equal(r->source, "emaps");
	carbon_record_free(r);
}

static void test_all_fail_keeps_last_good_as_stale(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;
	char *before;

	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	before = strdup(fx->zone.bytes);
	fx->zone.dirty = false; /* as if written */
	for (int i = 0; i < FAKES; i++)
		fakes[i].rc = CARBON_EINVAL;
	assert_int_equal(refresh_at(fx, NOW + 600), CARBON_CHAIN_STALE);
	assert_true(fx->zone.dirty);
	r = decode_checked(&fx->zone, "example-key");
	assert_true(r->stale);
	assert_int_equal(r->fetched_at, NOW);
	assert_int_equal(r->generated_at, NOW + 600);
	assert_int_equal(carbon_record_age(r), 600);
	assert_string_equal(r->source, "emaps");
	assert_int_equal(r->n_points, 48); /* the same data */
	assert_non_null(strstr(fx->zone.bytes, "stale=1\nage=600\n"));
	/* the points are the same bytes; only header and sig changed */
	{
		const char *a = strstr(before, "points="),
			   *b = strstr(fx->zone.bytes, "points=");

		assert_int_equal(strstr(a, "sig=") - a, strstr(b, "sig=") - b);
		assert_memory_equal(a, b, (size_t)(strstr(a, "sig=") - a));
	}
	carbon_record_free(r);
	free(before);

	/* still failing: the age grows, the record stays */
	assert_int_equal(refresh_at(fx, NOW + 1200), CARBON_CHAIN_STALE);
	r = decode_checked(&fx->zone, "example-key");
	assert_int_equal(carbon_record_age(r), 1200);
	carbon_record_free(r);
}

static void test_nothing_ever(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < FAKES; i++)
		fakes[i].rc = CARBON_EINVAL;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_NONE);
	assert_null(fx->zone.bytes);
	assert_null(fx->zone.last);
	assert_false(fx->zone.dirty);
}

static void test_wrong_kind_is_a_failure(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;

	fakes[0].signal = CARBON_SIGNAL_MARGINAL;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FALLBACK);
	r = decode_checked(&fx->zone, "example-key");
	assert_int_equal(r->signal, CARBON_SIGNAL_AVERAGE);
	assert_string_equal(r->source, "entsoe");
	carbon_record_free(r);
}

static void test_derived_forecast(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;
	size_t forecast = 0;

	fakes[0].forecast = false;
	fakes[0].history_hours = 48;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	r = decode_checked(&fx->zone, "example-key");
	assert_true(r->derived);
	for (size_t i = 0; i < r->n_points; i++)
		forecast += r->points[i].is_forecast;
	assert_int_equal(forecast, 24);
	/* the same hour yesterday: history values repeat with the day */
	assert_true(r->points[r->n_points - 1].value ==
		    r->points[r->n_points - 25].value);
	carbon_record_free(r);

	/* ForecastFallbackDays=0: no derived points */
	fx->env.forecast_days = 0;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	r = decode_checked(&fx->zone, "example-key");
	assert_false(r->derived);
	carbon_record_free(r);
}

static void test_short_history_no_derived(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r;

	/* an hour of data cannot make a seasonal forecast: kept as is */
	fakes[0].forecast = false;
	fakes[0].history_hours = 0;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	r = decode_checked(&fx->zone, "example-key");
	assert_false(r->derived);
	assert_int_equal(r->n_points, 1);
	carbon_record_free(r);
}

static void test_signature_rejects_other_key_and_changes(void **state)
{
	struct fixture *fx = *state;
	struct carbon_record *r = NULL;
	size_t signed_len = 0;
	char *copy;

	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	assert_int_equal(carbon_record_decode(fx->zone.bytes, fx->zone.len, &r,
					      &signed_len, NULL, 0),
			 0);
	assert_false(carbon_hmac_verify("other-key", 9, fx->zone.bytes,
					signed_len, r->sig));
	copy = strdup(fx->zone.bytes);
	/* one value digit changed: still a valid record, a bad signature */
	char *digit = strstr(copy, "Z 1") + 2;
	*digit = *digit == '1' ? '2' : '1';
	assert_false(carbon_hmac_verify("example-key", 11, copy, signed_len,
					r->sig));
	free(copy);
	carbon_record_free(r);
}

static void test_sign_twice_is_canonical(void **state)
{
	struct fixture *fx = *state;
	char *again = NULL;
	size_t len = 0;

	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	assert_int_equal(carbon_chain_sign(fx->zone.last, &fx->signer, &again,
					   &len, NULL, 0),
			 0);
	assert_int_equal(len, fx->zone.len);
	assert_memory_equal(again, fx->zone.bytes, len);
	free(again);
}

static void test_adopt(void **state)
{
	struct fixture *fx = *state;
	struct carbon_zone other = {0};
	char *bytes;
	size_t len;
	char err[256];

	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	bytes = strdup(fx->zone.bytes);
	len = fx->zone.len;

	strcpy(other.name, "ES");
	assert_int_equal(carbon_chain_adopt(&other, &fx->env, bytes, len, err,
					    sizeof(err)),
			 0);
	assert_false(other.dirty);
	assert_non_null(other.last);
	assert_string_equal(other.bytes, bytes);
	carbon_zone_clear(&other);

	/* another zone's record, another key, a changed byte: refused */
	strcpy(other.name, "NO");
	assert_int_not_equal(carbon_chain_adopt(&other, &fx->env, bytes, len,
						err, sizeof(err)),
			     0);
	strcpy(other.name, "ES");
	memcpy(fx->signer.key, "EXAMPLE-KEY", 11);
	assert_int_not_equal(carbon_chain_adopt(&other, &fx->env, bytes, len,
						err, sizeof(err)),
			     0);
	assert_non_null(strstr(err, "not signed by key k1"));
	memcpy(fx->signer.key, "example-key", 11);
	bytes[strlen(
		"carbon-record v1\nzone=ES\nsignal=average\nbasis=lifecycle"
		"\nsource=e")] = 'E';
	assert_int_not_equal(carbon_chain_adopt(&other, &fx->env, bytes, len,
						err, sizeof(err)),
			     0);
	assert_null(other.last);
	free(bytes);
}

static void test_stop_flag(void **state)
{
	struct fixture *fx = *state;
	volatile sig_atomic_t stop = 1;

	fx->env.stop = &stop;
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_STOPPED);
	assert_int_equal(fakes[0].calls, 0);
	assert_null(fx->zone.bytes);
}

static void test_zone_metrics(void **state)
{
	struct fixture *fx = *state;
	struct carbon_metrics_zone mz;

	carbon_chain_zone_metrics(&fx->zone, NOW, &mz);
	assert_false(mz.has_record);
	assert_int_equal(refresh_at(fx, NOW), CARBON_CHAIN_FRESH);
	carbon_chain_zone_metrics(&fx->zone, NOW, &mz);
	assert_true(mz.has_record);
	assert_false(mz.stale);
	/* the hour holding NOW (04:00 UTC): 100 + 4 */
	assert_true(mz.intensity_now == 104.0);
	assert_int_equal(mz.fetched_at, NOW);
	assert_int_equal(mz.horizon_end, NOW - NOW % HOUR + 24 * HOUR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_first_provider),
		T(test_fallback),
		T(test_all_fail_keeps_last_good_as_stale),
		T(test_nothing_ever),
		T(test_wrong_kind_is_a_failure),
		T(test_derived_forecast),
		T(test_short_history_no_derived),
		T(test_signature_rejects_other_key_and_changes),
		T(test_sign_twice_is_canonical),
		T(test_adopt),
		T(test_stop_flag),
		T(test_zone_metrics),
#undef T
	};

	carbon_log_set_level(CARBON_CACHE_LOG_QUIET);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
