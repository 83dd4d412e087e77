/*
 * static.c: the built-in "static" provider, a zone's StaticIntensity as a
 * flat series around now (see builtin.h).  It cannot fail once opened,
 * which is why it is the usual last link of a chain.
 */
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "provider.h"

struct static_state {
	double intensity;
};

int carbon_static_open(double intensity, void **state, char *err, size_t errlen)
{
	struct static_state *s;

	if (!state || !(intensity >= 0 && intensity <= CARBON_SERIES_VALUE_MAX))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"static: StaticIntensity out of range");
	s = calloc(1, sizeof(*s));
	if (!s)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"static: out of memory");
	s->intensity = intensity;
	*state = s;
	return 0;
}

int carbon_static_series(double intensity, enum carbon_signal signal,
			 enum carbon_basis basis, int64_t now,
			 carbon_series **out, char *err, size_t errlen)
{
	struct carbon_series_meta meta = {
		.signal = signal,
		.basis = basis,
		.fetched_at = now,
		.default_span = CARBON_STATIC_STEP,
	};
	int64_t hour = now - now % CARBON_STATIC_STEP;
	carbon_series *s;
	int rc = 0;

	if (!out || now < CARBON_BUILTIN_HISTORY)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"static: bad arguments");
	strcpy(meta.source, "static");
	s = carbon_series_new(&meta, NULL);
	if (!s)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"static: out of memory or bad kind");
	for (int64_t t = hour - CARBON_BUILTIN_HISTORY;
	     !rc && t < hour + CARBON_BUILTIN_HORIZON;
	     t += CARBON_STATIC_STEP) {
		struct carbon_series_point p = {
			.t = t,
			.value = intensity,
			.is_forecast = t > now,
		};

		rc = carbon_series_append(s, &p, err, errlen);
	}
	if (rc) {
		carbon_series_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int static_open(const struct carbon_provider_conf *cfg, void **state,
		       char *err, size_t errlen)
{
	(void)cfg, (void)state;
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"static: opened per zone with "
				"carbon_static_open()");
}

static int static_fetch(void *state, const struct carbon_provider_conf *cfg,
			struct carbon_http *http, const char *area, int64_t now,
			carbon_series **out, char *err, size_t errlen)
{
	const struct static_state *s = state;

	(void)http, (void)area;
	if (!s || !cfg)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"static: not opened");
	return carbon_static_series(s->intensity, cfg->signal, cfg->basis, now,
				    out, err, errlen);
}

static void static_close(void *state)
{
	free(state);
}

const struct carbon_provider_ops carbon_static_ops = {
	.type = "static",
	.open = static_open,
	.fetch = static_fetch,
	.close = static_close,
};
