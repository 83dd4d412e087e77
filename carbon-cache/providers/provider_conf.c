/*
 * provider_conf.c: the Provider and EmissionFactors records and the zone
 * chains' rules (see provider_conf.h).  Pure: libc and libcarbon only.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cache_conf.h"
#include "providers/provider_conf.h"

#define STATIC_PROVIDER "static"
#define DAY		86400.0
#define N(a)		(sizeof(a) / sizeof((a)[0]))

/* The parser reads every record's name at offset 0 (carbon/config.h). */
_Static_assert(offsetof(struct carbon_provider_conf, name) == 0, "name");
_Static_assert(offsetof(struct carbon_factors, name) == 0, "name");

/* ---- the types ------------------------------------------------------------ */

static const struct carbon_config_word type_words[] = {
	{"electricitymaps", CARBON_PROVIDER_ELECTRICITYMAPS},
	{"watttime", CARBON_PROVIDER_WATTTIME},
	{"ukci", CARBON_PROVIDER_UKCI},
	{"entsoe", CARBON_PROVIDER_ENTSOE},
	{"gsf", CARBON_PROVIDER_GSF},
	{"replay", CARBON_PROVIDER_REPLAY},
	{NULL, 0},
};

/*
 * What a type accepts besides the keys every type has (Provider, Type,
 * PollInterval) and what it needs, as space-separated key names.
 */
struct type_rules {
	enum carbon_provider_type type;
	const char *url; /* default Url */
	const char *keys;
	const char *required;
};

static const struct type_rules rules[] = {
	{CARBON_PROVIDER_ELECTRICITYMAPS, "https://api.electricitymap.org/v3/",
	 "Url TokenFile EmissionFactorType Timeout", "TokenFile"},
	{CARBON_PROVIDER_WATTTIME, "https://api.watttime.org",
	 "Url User PasswordFile SignalType Timeout", "User PasswordFile"},
	{CARBON_PROVIDER_UKCI, "https://api.carbonintensity.org.uk",
	 "Url Timeout", ""},
	{CARBON_PROVIDER_ENTSOE, "https://web-api.tp.entsoe.eu/api",
	 "Url TokenFile FactorTable Timeout", "TokenFile FactorTable"},
	{CARBON_PROVIDER_GSF, "", "Url TokenFile Signal Basis Timeout", "Url"},
	{CARBON_PROVIDER_REPLAY, "",
	 "Trace TimeColumn ValueColumn EstimatedColumn TraceStart SpeedUp "
	 "Signal Basis",
	 "Trace"},
};

static const char *const common_keys = "Provider Type PollInterval";

static const struct type_rules *rules_of(enum carbon_provider_type t)
{
	for (size_t i = 0; i < N(rules); i++) {
		if (rules[i].type == t)
			return &rules[i];
	}
	return NULL;
}

/* Whether key is one of the space-separated names of list. */
static bool listed(const char *list, const char *key)
{
	size_t n = strlen(key);

	while (*list) {
		size_t w = strcspn(list, " ");

		if (w == n && !strncmp(list, key, n))
			return true;
		list += w + (list[w] == ' ');
	}
	return false;
}

const char *carbon_provider_type_name(enum carbon_provider_type t)
{
	if (t == CARBON_PROVIDER_NONE)
		return "none";
	for (const struct carbon_config_word *w = type_words; w->name; w++) {
		if (w->value == (int)t)
			return w->name;
	}
	return "unknown";
}

const char *carbon_provider_default_url(enum carbon_provider_type t)
{
	const struct type_rules *r = rules_of(t);

	return r ? r->url : "";
}

/* ---- the key tables -------------------------------------------------------- */

static const struct carbon_config_word factor_types[] = {
	{"lifecycle", CARBON_BASIS_LIFECYCLE},
	{"direct", CARBON_BASIS_DIRECT},
	{NULL, 0},
};

static const struct carbon_config_word watttime_signals[] = {
	{"co2_moer", CARBON_SIGNAL_MARGINAL},
	{"co2_aoer", CARBON_SIGNAL_AVERAGE},
	{NULL, 0},
};

#define K(st, name, kind, f, min, max, words, flags, has)                    \
	{                                                                    \
		name, CARBON_CONFIG_KIND_##kind, offsetof(struct st, f),     \
			sizeof(((struct st *)0)->f), min, max, words, flags, \
			has, NULL                                            \
	}
#define PR(name, kind, f, min, max, words) \
	K(carbon_provider_conf, name, kind, f, min, max, words, 0, 0)

/* The order is the one "its keys are ..." messages show. */
static const struct carbon_config_key provider_keys[] = {
	PR("Provider", NAME, name, 0, 0, NULL),
	PR("Type", ENUM, type, 0, 0, type_words),
	PR("Url", URL, url, 0, 0, NULL),
	PR("TokenFile", PATH, token_file, 0, 0, NULL),
	PR("User", NAME, user, 0, 0, NULL),
	PR("PasswordFile", PATH, password_file, 0, 0, NULL),
	PR("EmissionFactorType", ENUM, emission_factor_type, 0, 0,
	   factor_types),
	PR("SignalType", ENUM, signal_type, 0, 0, watttime_signals),
	PR("FactorTable", NAME, factor_table, 0, 0, NULL),
	PR("Signal", ENUM, declared_signal, 0, 0, carbon_config_signals),
	PR("Basis", ENUM, declared_basis, 0, 0, carbon_config_bases),
	PR("Timeout", INTERVAL, timeout, 1, 120, NULL),
	PR("PollInterval", INTERVAL, poll_interval, 10, DAY, NULL),
	PR("Trace", PATH, trace, 0, 0, NULL),
	PR("TimeColumn", TEXT, time_column, 0, 0, NULL),
	PR("ValueColumn", TEXT, value_column, 0, 0, NULL),
	PR("EstimatedColumn", TEXT, estimated_column, 0, 0, NULL),
	K(carbon_provider_conf, "TraceStart", UTC, trace_start, 0, 0, NULL,
	  CARBON_CONFIG_KEY_HAS,
	  offsetof(struct carbon_provider_conf, has_trace_start)),
	PR("SpeedUp", NUMBER, speed_up, 0.001, 100000, NULL),
};

#define PSR(k)                                                               \
	K(carbon_factors, "B" #k, NUMBER, factor[1##k - 101], 0, 5000, NULL, \
	  CARBON_CONFIG_KEY_HAS,                                             \
	  offsetof(struct carbon_factors, given[1##k - 101]))

static const struct carbon_config_key factor_keys[] = {
	K(carbon_factors, "EmissionFactors", NAME, name, 0, 0, NULL, 0, 0),
	K(carbon_factors, "Basis", ENUM, basis, 0, 0, carbon_config_bases, 0,
	  0),
	K(carbon_factors, "Default", NUMBER, other, 0, 5000, NULL,
	  CARBON_CONFIG_KEY_REQUIRED, 0),
	PSR(01),
	PSR(02),
	PSR(03),
	PSR(04),
	PSR(05),
	PSR(06),
	PSR(07),
	PSR(08),
	PSR(09),
	PSR(10),
	PSR(11),
	PSR(12),
	PSR(13),
	PSR(14),
	PSR(15),
	PSR(16),
	PSR(17),
	PSR(18),
	PSR(19),
	PSR(20),
	PSR(21),
	PSR(22),
	PSR(23),
	PSR(24),
	PSR(25),
};

/* ---- a record's line ------------------------------------------------------- */

static void init_provider(void *rec)
{
	struct carbon_provider_conf *p = rec;

	p->timeout = 10;
	p->speed_up = 1;
	p->emission_factor_type = CARBON_BASIS_LIFECYCLE;
	p->signal_type = CARBON_SIGNAL_MARGINAL;
	p->declared_signal = CARBON_SIGNAL_AVERAGE;
	p->declared_basis = CARBON_BASIS_LIFECYCLE;
	strcpy(p->time_column, "Datetime (UTC)");
	strcpy(p->value_column, "Carbon Intensity gCO\xe2\x82\x82"
				"eq/kWh (LCA)");
}

static void init_factors(void *rec)
{
	struct carbon_factors *t = rec;

	t->basis = CARBON_BASIS_LIFECYCLE;
}

static int provider_type(struct carbon_provider_conf *p, char *msg, size_t len)
{
	char forms[160];

	if (!strcasecmp(p->name, STATIC_PROVIDER))
		return carbon_error_set(msg, len, CARBON_EINVAL,
					"Provider=%s: the name is reserved "
					"for the built-in provider "
					"(StaticIntensity on the Zone line); "
					"use another name",
					p->name);
	if (p->type != CARBON_PROVIDER_NONE)
		return 0;
	for (const struct carbon_config_word *w = type_words; w->name; w++) {
		if (!strcasecmp(p->name, w->name)) {
			p->type = (enum carbon_provider_type)w->value;
			return 0;
		}
	}
	carbon_config_words_list(type_words, forms, sizeof(forms));
	return carbon_error_set(msg, len, CARBON_EINVAL,
				"Provider=%s: Type: required when the name is "
				"not a type; use %s",
				p->name, forms);
}

/* Keys that do not apply to the type, keys it needs; the default URL. */
static int check_provider(void *rec, uint64_t given, char *msg, size_t len)
{
	struct carbon_provider_conf *p = rec;
	const struct type_rules *r;
	const char *tname;
	int rc = provider_type(p, msg, len);

	if (rc)
		return rc;
	r = rules_of(p->type);
	tname = carbon_provider_type_name(p->type);
	for (size_t i = 0; i < N(provider_keys); i++) {
		const char *key = provider_keys[i].name;
		bool has = given & (UINT64_C(1) << i);

		if (has && !listed(common_keys, key) && !listed(r->keys, key))
			return carbon_error_set(msg, len, CARBON_EINVAL,
						"Provider=%s: %s does not "
						"apply to Type=%s",
						p->name, key, tname);
		if (!has && listed(r->required, key))
			return carbon_error_set(msg, len, CARBON_EINVAL,
						"Provider=%s: %s is required "
						"for Type=%s",
						p->name, key, tname);
	}
	if (!p->url[0])
		strcpy(p->url, r->url);
	return 0;
}

const struct carbon_config_record carbon_provider_conf_record =
	CARBON_CONFIG_RECORD("Provider", "provider", provider_keys,
			     carbon_provider_conf, CARBON_PROVIDERS_MAX,
			     carbon_cache_conf, providers, n_providers,
			     init_provider, check_provider);

const struct carbon_config_record carbon_factors_record = CARBON_CONFIG_RECORD(
	"EmissionFactors", "factor table", factor_keys, carbon_factors,
	CARBON_FACTOR_TABLES_MAX, carbon_cache_conf, tables, n_tables,
	init_factors, NULL);

/* ---- the whole config ------------------------------------------------------ */

static void resolve_tables(struct carbon_cache_conf *cc)
{
	for (size_t i = 0; i < cc->n_tables; i++) {
		struct carbon_factors *t = &cc->tables[i];

		for (int k = 0; k < CARBON_PSR_MAX; k++) {
			if (!t->given[k])
				t->factor[k] = t->other;
		}
	}
}

/* The kind of data p yields, from its type and keys. */
static int what_it_yields(const struct carbon_config *cfg,
			  struct carbon_provider_conf *p, char *msg, size_t len)
{
	const struct carbon_factors *t;

	p->signal = CARBON_SIGNAL_AVERAGE;
	switch (p->type) {
	case CARBON_PROVIDER_ELECTRICITYMAPS:
		p->basis = p->emission_factor_type;
		break;
	case CARBON_PROVIDER_WATTTIME:
		p->signal = p->signal_type;
		p->basis = CARBON_BASIS_OPERATIONAL;
		break;
	case CARBON_PROVIDER_UKCI:
		p->basis = CARBON_BASIS_DIRECT;
		break;
	case CARBON_PROVIDER_ENTSOE:
		t = carbon_factors_peek(cfg, p->factor_table);
		if (!t)
			return carbon_error_set(msg, len, CARBON_EINVAL,
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
static int check_link(const struct carbon_config *cfg,
		      const struct carbon_config_zone *z, const char *name,
		      char *msg, size_t len)
{
	const struct carbon_provider_conf *p;

	if (!strcasecmp(name, STATIC_PROVIDER)) {
		if (z->has_static_intensity)
			return 0;
		return carbon_error_set(msg, len, CARBON_EINVAL,
					"Zone=%s: Providers: \"static\" needs "
					"StaticIntensity=G on the same line",
					z->name);
	}
	p = carbon_provider_conf_peek(cfg, name);
	if (!p)
		return carbon_error_set(msg, len, CARBON_EINVAL,
					"Zone=%s: Providers: \"%s\" is not "
					"defined by a Provider line (or use "
					"\"static\")",
					z->name, name);
	if (p->signal != cfg->signal || p->basis != cfg->basis)
		return carbon_error_set(
			msg, len, CARBON_EINVAL,
			"Zone=%s: Providers: \"%s\" yields %s/%s data, but "
			"the site ranks on Signal=%s Basis=%s; signals and "
			"bases are never mixed",
			z->name, name, carbon_signal_name(p->signal),
			carbon_basis_name(p->basis),
			carbon_signal_name(cfg->signal),
			carbon_basis_name(cfg->basis));
	return 0;
}

int carbon_provider_conf_check(struct carbon_config *cfg,
			       struct carbon_cache_conf *cc, unsigned *line,
			       char *msg, size_t len)
{
	int rc;

	resolve_tables(cc);
	for (size_t i = 0; i < cc->n_providers; i++) {
		rc = what_it_yields(cfg, &cc->providers[i], msg, len);
		if (rc) {
			*line = cc->providers[i].line;
			return rc;
		}
	}
	for (size_t i = 0; i < cfg->n_zones; i++) {
		const struct carbon_config_zone *z = &cfg->zones[i];

		for (size_t k = 0; k < z->n_providers; k++) {
			rc = check_link(cfg, z, z->providers[k], msg, len);
			if (rc) {
				*line = z->line;
				return rc;
			}
		}
	}
	return 0;
}

/* ---- lookups --------------------------------------------------------------- */

const struct carbon_provider_conf *
carbon_provider_conf_peek(const struct carbon_config *cfg, const char *name)
{
	return carbon_config_record_peek(cfg, &carbon_provider_conf_record,
					 name);
}

const struct carbon_factors *
carbon_factors_peek(const struct carbon_config *cfg, const char *name)
{
	return carbon_config_record_peek(cfg, &carbon_factors_record, name);
}

double carbon_factors_get(const struct carbon_factors *table, const char *psr)
{
	int k;

	if (!table)
		return CARBON_CONFIG_WORLD_INTENSITY;
	if (psr && psr[0] == 'B' && psr[1] >= '0' && psr[1] <= '9' &&
	    psr[2] >= '0' && psr[2] <= '9' && !psr[3]) {
		k = (psr[1] - '0') * 10 + (psr[2] - '0');
		if (k >= 1 && k <= CARBON_PSR_MAX)
			return table->factor[k - 1];
	}
	return table->other;
}
