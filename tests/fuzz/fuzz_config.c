/*
 * libFuzzer target for carbon_config_parse() and plugin arguments: any
 * bytes as carbon.conf, and their first line as an argument string, either
 * fail with a negative code and a message that names where ("FILE:LINE: "
 * or "ORIGIN: "), or give a config that keeps the promises of
 * carbon/config.h: every name resolves, every chain is of the site's
 * kind, every value is in its range, and the policy parameters and
 * power models it yields are ones the policy and the footprint accept.
 * The config has carbon-cached's keys registered (carbon-cache/cache_conf.h),
 * as every reader's has, so the extension's records and checks are fuzzed
 * through the core's parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cache_conf.h"
#include "carbon/config.h"
#include "carbon/footprint.h"
#include "carbon/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_names(const struct carbon_config *cfg,
			const struct carbon_cache_conf *cc)
{
	for (size_t i = 0; i < cfg->n_clusters; i++) {
		const struct carbon_config_cluster *c = &cfg->clusters[i];

		if (carbon_config_cluster_peek(cfg, c->name) != c ||
		    (c->zone[0] && !carbon_config_zone_peek(cfg, c->zone)) ||
		    (!c->zone[0] && !c->fallback_given) || c->pue < 1.0 ||
		    c->pue > 3.0 || !(c->fallback_intensity >= 0.0) ||
		    c->fallback_intensity > 5000.0)
			abort();
	}
	for (size_t i = 0; i < cfg->n_zones; i++) {
		const struct carbon_config_zone *z = &cfg->zones[i];

		if (carbon_config_zone_peek(cfg, z->name) != z ||
		    z->n_providers < 1 ||
		    z->n_providers > CARBON_CONFIG_CHAIN_MAX ||
		    !cfg->hmac_key_file[0])
			abort();
		for (size_t k = 0; k < z->n_providers; k++) {
			const struct carbon_provider_conf *p =
				carbon_provider_conf_peek(cfg, z->providers[k]);

			if (!strcasecmp(z->providers[k], "static"))
				continue;
			if (!p || p->signal != cfg->signal ||
			    p->basis != cfg->basis)
				abort();
		}
		if (!carbon_config_zone_area(z, z->providers[0]))
			abort();
	}
	for (size_t i = 0; i < cc->n_providers; i++) {
		const struct carbon_provider_conf *p = &cc->providers[i];

		if (carbon_provider_conf_peek(cfg, p->name) != p ||
		    p->type == CARBON_PROVIDER_NONE ||
		    (p->type == CARBON_PROVIDER_ENTSOE &&
		     !carbon_factors_peek(cfg, p->factor_table)))
			abort();
	}
}

static void check_values(const struct carbon_config *cfg,
			 const struct carbon_cache_conf *cc)
{
	struct carbon_config_job_defaults d;

	if (cfg->redis_port < 1 || cfg->redis_port > 65535 ||
	    cc->metrics.port < 1 || cc->metrics.port > 65535 ||
	    cfg->snapshot_refresh < 5 || cfg->max_delay_limit < 0 ||
	    cfg->max_delay_limit > 31 * 86400 ||
	    !(cfg->min_saving_percent >= 0.0) ||
	    cfg->min_saving_percent > 100.0 || !cc->metrics.host[0])
		abort();
	for (size_t i = 0; i < cc->n_tables; i++) {
		double f = carbon_factors_get(&cc->tables[i], "B04");

		if (!(f >= 0.0 && f <= 5000.0))
			abort();
	}
	carbon_config_job_defaults(
		cfg, cfg->n_partitions ? cfg->partitions[0].name : NULL,
		cfg->n_qos ? cfg->qos[0].name : NULL, &d);
	if (d.has_max_delay && d.max_delay > cfg->max_delay_limit)
		abort();
	if (cfg->flexible_max_delay < 0 ||
	    cfg->flexible_max_delay > cfg->max_delay_limit)
		abort();
}

/* What the config hands the policy and the footprint, they accept. */
static void check_ports(const struct carbon_config *cfg)
{
	const struct carbon_job_usage u = {.cores = 2,
					   .cpu_usage = 1,
					   .gpus = 1,
					   .gpu_usage = 1,
					   .mem_gb = 8};
	const struct carbon_policy_job job = {
		.urgency = CARBON_URGENCY_FLEXIBLE,
		.now = 1700000000,
		.runtime = 3600,
		.usage = u,
	};
	struct carbon_policy_cluster cl = {.fallback_intensity = 100};
	struct carbon_policy_params p;
	struct carbon_policy_decision dec;
	struct carbon_energy e;

	carbon_config_policy_params(cfg, &p);
	if (p.signal != cfg->signal || p.basis != cfg->basis ||
	    p.flexible_max_delay != cfg->flexible_max_delay)
		abort();
	for (size_t i = 0; i < cfg->n_clusters; i++) {
		carbon_config_cluster_power(&cfg->clusters[i], &cl.power);
		if (carbon_footprint_energy_model(&cl.power, &u, 3600, &e, NULL,
						  0) ||
		    carbon_policy_decide(&p, &cl, 1, &job, &dec, NULL, 0))
			abort();
	}
}

static void check(const struct carbon_config *cfg, int rc, const char *err,
		  const char *prefix)
{
	if (rc) {
		if (rc < CARBON_ERROR_LAST || rc > 0 ||
		    strncmp(err, prefix, strlen(prefix)))
			abort();
		return;
	}
	check_names(cfg, carbon_cache_conf_peek(cfg));
	check_values(cfg, carbon_cache_conf_peek(cfg));
	check_ports(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_config *cfg = carbon_cache_conf_new();
	const uint8_t *nl = memchr(data, '\n', size);
	size_t n1 = nl ? (size_t)(nl - data) : size;
	char err[512] = "", *line = malloc(n1 + 1);
	int rc;

	if (!cfg || !line)
		abort();
	rc = carbon_config_parse(cfg, (const char *)data, size, "f.conf", err,
				 sizeof(err));
	check(cfg, rc, err, "f.conf");
	carbon_config_free(cfg);
	/* the first line as plugin arguments, then the file over them */
	memcpy(line, data, n1);
	line[n1] = '\0';
	cfg = carbon_cache_conf_new();
	rc = carbon_config_parse_arg_string(cfg, line, "args", err,
					    sizeof(err));
	check(cfg, rc, err, "args: ");
	if (!rc) {
		rc = carbon_config_parse(cfg, (const char *)data, size,
					 "f.conf", err, sizeof(err));
		check(cfg, rc, err, "f.conf");
	}
	carbon_config_free(cfg);
	free(line);
	return 0;
}
