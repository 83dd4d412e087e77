/*
 * config_check.c: the checks a key table cannot express alone: a record
 * once its whole line is read (keys that depend on each other), and the
 * config once the file or the arguments are in (names that refer to other
 * records, values resolved from several keys, limits set elsewhere).
 *
 * Whole-config checks run again after plugin arguments, so they only
 * derive resolved fields from given ones and never depend on running once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "carbon/config_internal.h"

#define STATIC_PROVIDER "static"

static const struct config_section *section(const char *start)
{
	for (size_t i = 0; i < config_n_records; i++) {
		if (!strcmp(config_records[i]->start, start))
			return config_records[i];
	}
	return NULL;
}

int config_check_cluster(struct config_parse *ps, void *rec, uint64_t given)
{
	struct carbon_config_cluster *c = rec;

	(void)given;
	if (!c->zone[0] && !c->fallback_given)
		return config_error(ps, CARBON_EINVAL,
				    "ClusterName=%s: give Zone=ZONE (defined "
				    "by a Zone line) or FallbackIntensity=G "
				    "(a constant intensity)",
				    c->name);
	return 0;
}

int config_check_zone(struct config_parse *ps, void *rec, uint64_t given)
{
	struct carbon_config_zone *z = rec;

	(void)given;
	for (size_t i = 0; i < z->n_areas; i++) {
		bool found = false;

		for (size_t k = 0; k < z->n_providers; k++)
			found |= !strcasecmp(z->providers[k],
					     z->areas[i].provider);
		if (!found)
			return config_error(ps, CARBON_EINVAL,
					    "Areas: provider \"%s\" is not in "
					    "this zone's Providers",
					    z->areas[i].provider);
	}
	return 0;
}

static int provider_type(struct config_parse *ps,
			 struct carbon_config_provider *p)
{
	char forms[160];

	if (!strcasecmp(p->name, STATIC_PROVIDER))
		return config_error(ps, CARBON_EINVAL,
				    "Provider=%s: the name is reserved for "
				    "the built-in provider (StaticIntensity "
				    "on the Zone line); use another name",
				    p->name);
	if (p->type != CARBON_CONFIG_PROVIDER_NONE)
		return 0;
	for (const struct config_word *w = config_provider_types; w->name;
	     w++) {
		if (!strcasecmp(p->name, w->name)) {
			p->type = (enum carbon_config_provider_type)w->value;
			return 0;
		}
	}
	config_words_list(config_provider_types, forms, sizeof(forms));
	return config_error(ps, CARBON_EINVAL,
			    "Provider=%s: Type: required when the name is not "
			    "a type; use %s",
			    p->name, forms);
}

int config_check_provider(struct config_parse *ps, void *rec, uint64_t given)
{
	const struct config_section *s = section("Provider");
	struct carbon_config_provider *p = rec;
	const char *tname;
	unsigned bit;
	int rc = provider_type(ps, p);

	if (rc)
		return rc;
	tname = carbon_config_provider_type_name(p->type);
	bit = 1u << p->type;
	for (size_t i = 0; i < s->n_keys; i++) {
		const struct config_key *k = &s->keys[i];
		bool has = given & (UINT64_C(1) << i);

		if (has && k->types && !(k->types & bit))
			return config_error(ps, CARBON_EINVAL,
					    "Provider=%s: %s does not apply to "
					    "Type=%s",
					    p->name, k->name, tname);
		if (!has && (k->req_types & bit))
			return config_error(ps, CARBON_EINVAL,
					    "Provider=%s: %s is required for "
					    "Type=%s",
					    p->name, k->name, tname);
	}
	if (!p->url[0] && (PT_HTTP & bit))
		strcpy(p->url, carbon_config_default_url(p->type));
	return 0;
}

static int check_defaults(struct config_parse *ps,
			  const struct carbon_config_defaults *d,
			  const char *what)
{
	if (!d->has_urgency && !d->has_max_delay)
		return config_error(ps, CARBON_EINVAL,
				    "%s=%s: give Urgency=critical|normal|"
				    "flexible and/or MaxDelay=INTERVAL",
				    what, d->name);
	return 0;
}

int config_check_partition(struct config_parse *ps, void *rec, uint64_t given)
{
	(void)given;
	return check_defaults(ps, rec, "PartitionDefaults");
}

int config_check_qos(struct config_parse *ps, void *rec, uint64_t given)
{
	(void)given;
	return check_defaults(ps, rec, "QosDefaults");
}

/* ---- the whole config --------------------------------------------------- */

/* Where a global key was set: its line in this file, or this pass. */
static int global_error(struct config_parse *ps, int code, const char *key,
			const char *msg)
{
	int i = config_key_find(&config_globals, key);

	if (ps->file && i >= 0 && ps->key_line[i])
		return config_error_at(ps, ps->key_line[i], code, "%s: %s", key,
				       msg);
	return config_error(ps, code, "%s: %s", key, msg);
}

static int check_globals(struct config_parse *ps)
{
	const struct carbon_config *cfg = ps->cfg;

	if (cfg->redis_user[0] && !cfg->redis_password_file[0])
		return global_error(ps, CARBON_EINVAL, "RedisUser",
				    "needs RedisPasswordFile=PATH (an ACL "
				    "user always has a password)");
	if (cfg->n_zones && !cfg->hmac_key_file[0])
		return config_error_at(ps, cfg->zones[0].line, CARBON_EINVAL,
				       "HmacKeyFile: required once a Zone is "
				       "defined (cache records are signed); "
				       "add HmacKeyFile=PATH");
	return 0;
}

/* FlexibleMaxDelay: at most MaxDelayLimit; unset, 1d or the limit. */
static int check_flexible(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;
	char msg[160];

	if (!cfg->flexible_max_delay_given) {
		cfg->flexible_max_delay = cfg->max_delay_limit < 86400
						  ? cfg->max_delay_limit
						  : 86400;
		return 0;
	}
	if (cfg->flexible_max_delay <= cfg->max_delay_limit)
		return 0;
	snprintf(msg, sizeof(msg),
		 "%llds is above MaxDelayLimit (%llds); lower it or raise "
		 "MaxDelayLimit",
		 (long long)cfg->flexible_max_delay,
		 (long long)cfg->max_delay_limit);
	return global_error(ps, CARBON_ERANGE, "FlexibleMaxDelay", msg);
}

static void resolve_tables(struct carbon_config *cfg)
{
	for (size_t i = 0; i < cfg->n_tables; i++) {
		struct carbon_config_factors *t = &cfg->tables[i];

		for (int k = 0; k < CARBON_CONFIG_PSR_MAX; k++) {
			if (!(t->given & (UINT32_C(1) << k)))
				t->factor[k] = t->other;
		}
	}
}

static int resolve_provider(struct config_parse *ps,
			    struct carbon_config_provider *p)
{
	const struct carbon_config_factors *t;

	p->signal = CARBON_SIGNAL_AVERAGE;
	switch (p->type) {
	case CARBON_CONFIG_PROVIDER_ELECTRICITYMAPS:
		p->basis = p->emission_factor_type;
		break;
	case CARBON_CONFIG_PROVIDER_WATTTIME:
		p->signal = p->signal_type;
		p->basis = CARBON_BASIS_OPERATIONAL;
		break;
	case CARBON_CONFIG_PROVIDER_UKCI:
		p->basis = CARBON_BASIS_DIRECT;
		break;
	case CARBON_CONFIG_PROVIDER_ENTSOE:
		t = carbon_config_factors_peek(ps->cfg, p->factor_table);
		if (!t)
			return config_error_at(ps, p->line, CARBON_EINVAL,
					       "Provider=%s: FactorTable: "
					       "\"%s\" is not defined by an "
					       "EmissionFactors line",
					       p->name, p->factor_table);
		p->basis = t->basis;
		break;
	default: /* gsf, replay: what the admin declared */
		p->signal = p->declared_signal;
		p->basis = p->declared_basis;
		break;
	}
	return 0;
}

/* One entry of a zone's chain: defined, and of the site's kind. */
static int check_link(struct config_parse *ps,
		      const struct carbon_config_zone *z, const char *name)
{
	const struct carbon_config *cfg = ps->cfg;
	const struct carbon_config_provider *p;

	if (!strcasecmp(name, STATIC_PROVIDER)) {
		if (z->has_static_intensity)
			return 0;
		return config_error_at(ps, z->line, CARBON_EINVAL,
				       "Zone=%s: Providers: \"static\" needs "
				       "StaticIntensity=G on the same line",
				       z->name);
	}
	p = carbon_config_provider_peek(cfg, name);
	if (!p)
		return config_error_at(ps, z->line, CARBON_EINVAL,
				       "Zone=%s: Providers: \"%s\" is not "
				       "defined by a Provider line (or use "
				       "\"static\")",
				       z->name, name);
	if (p->signal != cfg->signal || p->basis != cfg->basis)
		return config_error_at(
			ps, z->line, CARBON_EINVAL,
			"Zone=%s: Providers: \"%s\" yields %s/%s data, but "
			"the site ranks on Signal=%s Basis=%s; signals and "
			"bases are never mixed",
			z->name, name, carbon_signal_name(p->signal),
			carbon_basis_name(p->basis),
			carbon_signal_name(cfg->signal),
			carbon_basis_name(cfg->basis));
	return 0;
}

static int check_clusters(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;

	for (size_t i = 0; i < cfg->n_clusters; i++) {
		struct carbon_config_cluster *c = &cfg->clusters[i];
		const struct carbon_config_zone *z = NULL;

		if (c->zone[0]) {
			z = carbon_config_zone_peek(cfg, c->zone);
			if (!z)
				return config_error_at(
					ps, c->line, CARBON_EINVAL,
					"ClusterName=%s: Zone: \"%s\" is not "
					"defined by a Zone line; define it, or "
					"drop Zone and give FallbackIntensity",
					c->name, c->zone);
		}
		if (!c->fallback_given)
			c->fallback_intensity =
				z && z->has_static_intensity
					? z->static_intensity
					: CARBON_CONFIG_WORLD_INTENSITY;
	}
	return 0;
}

static int check_delays(struct config_parse *ps,
			const struct carbon_config_defaults *d, size_t n,
			const char *what)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i].has_max_delay &&
		    d[i].max_delay > ps->cfg->max_delay_limit)
			return config_error_at(
				ps, d[i].line, CARBON_ERANGE,
				"%s=%s: MaxDelay: %llds is above "
				"MaxDelayLimit (%llds); lower it or raise "
				"MaxDelayLimit",
				what, d[i].name, (long long)d[i].max_delay,
				(long long)ps->cfg->max_delay_limit);
	}
	return 0;
}

int config_check_all(struct config_parse *ps)
{
	struct carbon_config *cfg = ps->cfg;
	int rc = check_globals(ps);

	if (!rc)
		rc = check_flexible(ps);
	resolve_tables(cfg);
	for (size_t i = 0; i < cfg->n_providers && !rc; i++)
		rc = resolve_provider(ps, &cfg->providers[i]);
	for (size_t i = 0; i < cfg->n_zones && !rc; i++) {
		const struct carbon_config_zone *z = &cfg->zones[i];

		for (size_t k = 0; k < z->n_providers && !rc; k++)
			rc = check_link(ps, z, z->providers[k]);
	}
	if (!rc)
		rc = check_clusters(ps);
	if (!rc)
		rc = check_delays(ps, cfg->partitions, cfg->n_partitions,
				  "PartitionDefaults");
	if (!rc)
		rc = check_delays(ps, cfg->qos, cfg->n_qos, "QosDefaults");
	return rc;
}
