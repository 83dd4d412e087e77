/*
 * config_ext.c: a config's life and where its keys live: the core's
 * global keys and record kinds (config_keys.c), then those of the
 * extension it was made with (carbon/config.h, "Extensions"), in one
 * numbering that the parser's masks and messages use.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"

const struct carbon_config_key *config_global_key(struct carbon_config *cfg,
						  size_t i, void **base)
{
	size_t n = config_globals.n_keys;

	if (i < n) {
		*base = cfg;
		return &config_globals.keys[i];
	}
	*base = cfg->ext_data;
	return &cfg->ext->globals[i - n];
}

int config_global_find(const struct carbon_config *cfg, const char *name)
{
	int i = config_key_find(&config_globals, name);

	for (size_t k = 0; i < 0 && cfg->ext && k < cfg->ext->n_globals; k++) {
		if (!strcasecmp(cfg->ext->globals[k].name, name))
			i = (int)(config_globals.n_keys + k);
	}
	return i;
}

const struct carbon_config_record *
config_record_kind(const struct carbon_config *cfg, size_t i)
{
	if (i < config_n_records)
		return config_records[i];
	i -= config_n_records;
	return cfg->ext && i < cfg->ext->n_records ? cfg->ext->records[i]
						   : NULL;
}

bool config_record_is_core(const struct carbon_config_record *s)
{
	for (size_t i = 0; i < config_n_records; i++) {
		if (config_records[i] == s)
			return true;
	}
	return false;
}

char *config_record_owner(struct carbon_config *cfg,
			  const struct carbon_config_record *s)
{
	return config_record_is_core(s) ? (char *)cfg : cfg->ext_data;
}

/* The limits that the masks of keys given put on an extension. */
static bool schema_ok(const struct carbon_config_schema *ext)
{
	if (!ext)
		return true;
	if (ext->n_globals > CARBON_CONFIG_EXT_GLOBALS_MAX)
		return false;
	for (size_t i = 0; i < ext->n_records; i++) {
		if (ext->records[i]->n_keys > CARBON_CONFIG_RECORD_KEYS_MAX)
			return false;
	}
	return true;
}

struct carbon_config *
carbon_config_new_ext(const struct carbon_config_schema *ext)
{
	struct carbon_config *cfg =
		schema_ok(ext) ? calloc(1, sizeof(*cfg)) : NULL;

	if (cfg && ext)
		cfg->ext_data = calloc(1, ext->size ? ext->size : 1);
	if (!cfg || (ext && !cfg->ext_data)) {
		free(cfg);
		return NULL;
	}
	config_init_globals(cfg);
	cfg->ext = ext;
	if (ext && ext->init)
		ext->init(cfg->ext_data);
	return cfg;
}

struct carbon_config *carbon_config_new(void)
{
	return carbon_config_new_ext(NULL);
}

void *carbon_config_ext_peek(const struct carbon_config *cfg,
			     const struct carbon_config_schema *ext)
{
	return cfg && ext && cfg->ext == ext ? cfg->ext_data : NULL;
}

void carbon_config_free(struct carbon_config *cfg)
{
	const struct carbon_config_record *s;

	if (!cfg)
		return;
	for (size_t i = 0; (s = config_record_kind(cfg, i)); i++)
		free(*(void **)(config_record_owner(cfg, s) + s->arr_off));
	free(cfg->ext_data);
	free(cfg);
}
