/*
 * carbon-cache/runtime.h: carbon.conf turned into what the daemon runs:
 * opened provider instances, zones with their chains, the HMAC signer and
 * the Redis credentials.  Building it does every check --check-config
 * promises: each provider type is built in, each provider opens (token
 * and password files are 0600 and readable, replay traces parse), the
 * HMAC key and Redis password files are 0600 and not empty, and
 * ForecastListen is not MetricsListen's address.
 *
 * Ownership: the runtime borrows cfg (which must outlive it) and owns
 * everything else; carbon_runtime_free() closes the providers and wipes
 * the secrets.
 */
#ifndef CARBON_CACHE_RUNTIME_H
#define CARBON_CACHE_RUNTIME_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache_conf.h"
#include "chain.h"

struct carbon_runtime {
	const struct carbon_config *cfg;    /* borrowed */
	const struct carbon_cache_conf *cc; /* cfg's carbon-cached keys */
	struct carbon_instance *instances;
	size_t n_instances;
	struct carbon_zone *zones;
	size_t n_zones;
	/* distinct provider names, for the metrics (static counted once) */
	const char *metric_names[CARBON_PROVIDERS_MAX + 1];
	size_t n_metric_names;
	struct carbon_signer signer;
	/* carbon-cached writes: CacheRedisUser/CacheRedisPasswordFile when
	 * set, else RedisUser/RedisPasswordFile (carbon_config_redis_auth) */
	struct carbon_config_redis_auth redis_auth;
	char redis_password[CARBON_SECRET_MAX + 1]; /* "" : none */
};

/*
 * Build the runtime from cfg, made by carbon_cache_conf_new() (anything
 * else is CARBON_EINVAL).  stop is handed to every HTTP client.
 * Returns 0 with *out set, or a negative code with err naming the record
 * ("FILE:LINE: Provider=NAME: ...") or the file at fault.
 */
int carbon_runtime_new(const struct carbon_config *cfg,
		       const volatile sig_atomic_t *stop,
		       struct carbon_runtime **out, char *err,
		       size_t errlen) CARBON_MUST_CHECK;

void carbon_runtime_free(struct carbon_runtime *rt);

/* The refresh environment of rt (metrics and stop as given). */
void carbon_runtime_env(const struct carbon_runtime *rt,
			struct carbon_metrics *metrics,
			const volatile sig_atomic_t *stop,
			struct carbon_chain_env *env);

#endif
