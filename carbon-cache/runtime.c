/*
 * runtime.c: carbon.conf to provider instances, zones and secrets (see
 * runtime.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builtin.h"
#include "http.h"
#include "providers/entsoe.h"
#include "runtime.h"

#define MSG_MAX 512

static size_t metric_index(struct carbon_runtime *rt, const char *name)
{
	size_t i;

	for (i = 0; i < rt->n_metric_names; i++)
		if (!strcasecmp(rt->metric_names[i], name))
			return i;
	rt->metric_names[rt->n_metric_names++] = name;
	return i;
}

static struct carbon_http *http_for(const struct carbon_provider_conf *p,
				    const volatile sig_atomic_t *stop)
{
	struct carbon_http_limits lim = {.retries = -1};
	long total = (long)(p->timeout > 0 ? p->timeout : 10) * 1000;

	lim.total_timeout_ms = total;
	lim.connect_timeout_ms = total < 5000 ? total : 5000;
	return carbon_http_new(&lim, stop);
}

static int open_provider(struct carbon_runtime *rt,
			 const struct carbon_provider_conf *p,
			 const volatile sig_atomic_t *stop, char *err,
			 size_t errlen)
{
	const struct carbon_config *cfg = rt->cfg;
	struct carbon_instance *in = &rt->instances[rt->n_instances];
	char msg[MSG_MAX] = "";
	int rc;

	in->ops = carbon_provider_ops_find(p->type);
	if (!in->ops)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s:%u: Provider=%s: Type=%s is not "
					"built into this carbon-cached",
					cfg->file_name, p->line, p->name,
					carbon_provider_type_name(p->type));
	snprintf(in->name, sizeof(in->name), "%s", p->name);
	in->cfg = *p;
	in->http = http_for(p, stop);
	if (!in->http)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"Provider=%s: cannot set up libcurl",
					p->name);
	rc = in->ops->open(&in->cfg, &in->state, msg, sizeof(msg));
	/* ENTSO-E needs its emission-factor table, which lives in the
	 * config (kept by the runtime for the instance's whole life). */
	if (!rc && p->type == CARBON_PROVIDER_ENTSOE) {
		rc = carbon_entsoe_bind_factors(
			in->state, carbon_factors_peek(cfg, p->factor_table),
			msg, sizeof(msg));
		if (rc)
			in->ops->close(in->state);
	}
	if (rc) {
		carbon_http_free(in->http);
		in->http = NULL;
		return carbon_error_set(err, errlen, rc,
					"%s:%u: Provider=%s: %s",
					cfg->file_name, p->line, p->name, msg);
	}
	in->metric = metric_index(rt, in->name);
	rt->n_instances++;
	return 0;
}

static int open_static(struct carbon_runtime *rt,
		       const struct carbon_config_zone *zc,
		       struct carbon_instance **out, char *err, size_t errlen)
{
	struct carbon_instance *in = &rt->instances[rt->n_instances];
	char msg[MSG_MAX] = "";
	int rc;

	rc = carbon_static_open(zc->static_intensity, &in->state, msg,
				sizeof(msg));
	if (rc)
		return carbon_error_set(err, errlen, rc, "%s:%u: Zone=%s: %s",
					rt->cfg->file_name, zc->line, zc->name,
					msg);
	in->ops = &carbon_static_ops;
	snprintf(in->name, sizeof(in->name), "static");
	snprintf(in->cfg.name, sizeof(in->cfg.name), "static");
	in->cfg.signal = rt->cfg->signal;
	in->cfg.basis = rt->cfg->basis;
	in->cfg.line = zc->line;
	in->metric = metric_index(rt, in->name);
	*out = in;
	rt->n_instances++;
	return 0;
}

static struct carbon_instance *find_instance(struct carbon_runtime *rt,
					     const char *name)
{
	for (size_t i = 0; i < rt->n_instances; i++)
		if (rt->instances[i].ops != &carbon_static_ops &&
		    !strcasecmp(rt->instances[i].name, name))
			return &rt->instances[i];
	return NULL;
}

static int build_zone(struct carbon_runtime *rt,
		      const struct carbon_config_zone *zc,
		      struct carbon_zone *z, char *err, size_t errlen)
{
	const struct carbon_config *cfg = rt->cfg;

	snprintf(z->name, sizeof(z->name), "%s", zc->name);
	for (size_t k = 0; k < zc->n_providers; k++) {
		const char *name = zc->providers[k];
		struct carbon_instance *in = NULL;
		int rc = 0;

		if (!strcasecmp(name, "static"))
			rc = open_static(rt, zc, &in, err, errlen);
		else if (!(in = find_instance(rt, name)))
			rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					      "%s:%u: Zone=%s: provider %s is "
					      "not defined",
					      cfg->file_name, zc->line,
					      zc->name, name);
		if (rc)
			return rc;
		z->chain[k] = in;
		snprintf(z->areas[k], sizeof(z->areas[k]), "%s",
			 carbon_config_zone_area(zc, name));
	}
	z->n_chain = zc->n_providers;
	z->interval = z->chain[0]->cfg.poll_interval > 0
			      ? z->chain[0]->cfg.poll_interval
			      : cfg->poll_interval;
	return 0;
}

static int read_secret(const char *path, const char *key, void *buf,
		       size_t size, size_t *len, char *err, size_t errlen)
{
	char msg[MSG_MAX];
	int rc = carbon_secret_read(path, buf, size, len, msg, sizeof(msg));

	if (rc)
		return carbon_error_set(err, errlen, rc, "%s: %s", key, msg);
	return 0;
}

static int read_secrets(struct carbon_runtime *rt, char *err, size_t errlen)
{
	const struct carbon_config *cfg = rt->cfg;
	size_t len = 0;
	int rc;

	if (!cfg->hmac_key_file[0])
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: HmacKeyFile is required: records "
					"are always signed",
					cfg->file_name);
	rc = read_secret(cfg->hmac_key_file, "HmacKeyFile", rt->signer.key,
			 sizeof(rt->signer.key), &rt->signer.len, err, errlen);
	if (rc)
		return rc;
	snprintf(rt->signer.key_id, sizeof(rt->signer.key_id), "%s",
		 cfg->hmac_key_id);
	carbon_config_redis_auth(cfg, CARBON_CONFIG_REDIS_WRITER,
				 &rt->redis_auth);
	if (!rt->redis_auth.password_file[0])
		return 0;
	return read_secret(rt->redis_auth.password_file,
			   rt->redis_auth.file_key, rt->redis_password,
			   sizeof(rt->redis_password), &len, err, errlen);
}

int carbon_runtime_new(const struct carbon_config *cfg,
		       const volatile sig_atomic_t *stop,
		       struct carbon_runtime **out, char *err, size_t errlen)
{
	const struct carbon_cache_conf *cc = carbon_cache_conf_peek(cfg);
	struct carbon_runtime *rt;
	int rc = 0;

	if (!cc || !out)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"runtime: bad arguments");
	if (!cfg->n_zones)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: no Zone line: carbon-cached has "
					"nothing to fetch",
					cfg->file_name);
	/* (names are not resolved: "localhost" against "127.0.0.1" is
	 * refused when the second server starts) */
	if (cc->forecast.port == cc->metrics.port &&
	    !strcasecmp(cc->forecast.host, cc->metrics.host))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: ForecastListen: %s is "
					"MetricsListen's address; leave "
					"ForecastListen out to serve the "
					"forecast there",
					cfg->file_name, cc->forecast.text);
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory");
	rt->cfg = cfg;
	rt->cc = cc;
	rt->instances =
		calloc(cc->n_providers + cfg->n_zones, sizeof(*rt->instances));
	rt->zones = calloc(cfg->n_zones, sizeof(*rt->zones));
	if (!rt->instances || !rt->zones)
		rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
				      "out of memory");
	if (!rc)
		rc = read_secrets(rt, err, errlen);
	for (size_t i = 0; !rc && i < cc->n_providers; i++)
		rc = open_provider(rt, &cc->providers[i], stop, err, errlen);
	for (size_t i = 0; !rc && i < cfg->n_zones; i++) {
		rc = build_zone(rt, &cfg->zones[i], &rt->zones[i], err, errlen);
		rt->n_zones = i + 1;
	}
	if (rc) {
		carbon_runtime_free(rt);
		return rc;
	}
	*out = rt;
	return 0;
}

void carbon_runtime_free(struct carbon_runtime *rt)
{
	if (!rt)
		return;
	for (size_t i = 0; rt->zones && i < rt->n_zones; i++)
		carbon_zone_clear(&rt->zones[i]);
	for (size_t i = 0; rt->instances && i < rt->n_instances; i++) {
		struct carbon_instance *in = &rt->instances[i];

		if (in->ops && in->ops->close)
			in->ops->close(in->state);
		carbon_http_free(in->http);
	}
	free(rt->zones);
	free(rt->instances);
	carbon_signer_wipe(&rt->signer);
	carbon_secret_wipe(rt->redis_password, sizeof(rt->redis_password));
	free(rt);
}

void carbon_runtime_env(const struct carbon_runtime *rt,
			struct carbon_metrics *metrics,
			const volatile sig_atomic_t *stop,
			struct carbon_chain_env *env)
{
	memset(env, 0, sizeof(*env));
	env->signer = &rt->signer;
	env->signal = rt->cfg->signal;
	env->basis = rt->cfg->basis;
	env->forecast_days = rt->cfg->forecast_fallback_days;
	env->metrics = metrics;
	env->stop = stop;
}
