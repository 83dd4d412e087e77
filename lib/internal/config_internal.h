/*
 * internal/config_internal.h: what the lib/config*.c files share.  Private
 * to them; adapters use carbon/config.h, whose key and record tables
 * (struct carbon_config_key, struct carbon_config_record) the core's own
 * keys use too.
 *
 * config.c splits lines into Key=Value tokens and drives the parse;
 * config_ext.c makes and frees configs and numbers the keys and record
 * kinds of the core and of the extension;
 * config_keys.c holds the core's key tables; config_value.c turns one value
 * into a field; config_check.c checks a record once its line is read and
 * the whole config once the file or the arguments are; config_lookup.c
 * answers questions about a parsed config.
 *
 * Global keys are numbered across the core's table and then the
 * extension's (config_global_key()); the bit masks of keys given and the
 * lines they were given on use that number.
 */
#ifndef CARBON_CONFIG_INTERNAL_H
#define CARBON_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"

/* The core's key table formats, shorter (names in carbon/config.h). */
#define CK_NAME	     CARBON_CONFIG_KIND_NAME
#define CK_PREFIX    CARBON_CONFIG_KIND_PREFIX
#define CK_TEXT	     CARBON_CONFIG_KIND_TEXT
#define CK_PATH	     CARBON_CONFIG_KIND_PATH
#define CK_URL	     CARBON_CONFIG_KIND_URL
#define CK_HOST	     CARBON_CONFIG_KIND_HOST
#define CK_LISTEN    CARBON_CONFIG_KIND_LISTEN
#define CK_INT	     CARBON_CONFIG_KIND_INT
#define CK_NUMBER    CARBON_CONFIG_KIND_NUMBER
#define CK_INTERVAL  CARBON_CONFIG_KIND_INTERVAL
#define CK_ENUM	     CARBON_CONFIG_KIND_ENUM
#define CK_CHAIN     CARBON_CONFIG_KIND_CHAIN
#define CK_AREAS     CARBON_CONFIG_KIND_AREAS
#define CK_CPUFREQ   CARBON_CONFIG_KIND_CPUFREQ
#define CK_UTC	     CARBON_CONFIG_KIND_UTC
#define CK_FUNC	     CARBON_CONFIG_KIND_FUNC
#define KF_REQUIRED  CARBON_CONFIG_KEY_REQUIRED
#define KF_ARGS_ONLY CARBON_CONFIG_KEY_ARGS_ONLY
#define KF_HAS	     CARBON_CONFIG_KEY_HAS

/* At most this many global keys, core and extension (bits of a mask). */
#define CONFIG_GLOBALS_MAX 64

struct config_parse {
	struct carbon_config *cfg;
	const char *file;   /* while parsing the file, else NULL */
	const char *origin; /* while parsing arguments, else NULL */
	unsigned line;
	uint64_t given; /* global keys seen in this pass */
	unsigned key_line[CONFIG_GLOBALS_MAX]; /* where each was (file only) */
	struct carbon_config *scratch;	       /* sink for keys arguments own */
	char *err;
	size_t errlen;
};

/* The core's global keys (start NULL) and its record kinds, in order. */
extern const struct carbon_config_record config_globals;
extern const struct carbon_config_record *const config_records[];
extern const size_t config_n_records;

/* "FILE:LINE: " + message (or "ORIGIN: "), into ps->err; returns code. */
int config_error(struct config_parse *ps, int code, const char *fmt, ...)
	CARBON_PRINTF(3, 4);

/* As config_error() for a record found at line (after the whole parse). */
int config_error_at(struct config_parse *ps, unsigned line, int code,
		    const char *fmt, ...) CARBON_PRINTF(4, 5);

/* Parse value v for key k into the record or block at base. */
int config_key_set(struct config_parse *ps, const struct carbon_config_key *k,
		   const char *v, void *base);

/* The key of record kind s called name (case-insensitive); -1 if none. */
int config_key_find(const struct carbon_config_record *s, const char *name);

/* Global key i of cfg (the core's, then the extension's; i from
 * config_global_find()), with the structure its field is in. */
const struct carbon_config_key *config_global_key(struct carbon_config *cfg,
						  size_t i, void **base);

/* The number of cfg's global key called name; -1 if none. */
int config_global_find(const struct carbon_config *cfg, const char *name);

/* Record kind i of cfg (the core's, then the extension's); NULL past the
 * last. */
const struct carbon_config_record *
config_record_kind(const struct carbon_config *cfg, size_t i);

/* Whether s is one of the core's record kinds (else an extension's). */
bool config_record_is_core(const struct carbon_config_record *s);

/* Where kind s keeps its array and count: cfg, or the extension's block. */
char *config_record_owner(struct carbon_config *cfg,
			  const struct carbon_config_record *s);

/* 1-64 of [A-Za-z0-9_.-]. */
bool config_name_ok(const char *s, size_t n);

/* A record's line is read: keys that depend on each other. */
int config_check_cluster(void *rec, uint64_t given, char *msg, size_t len);
int config_check_zone(void *rec, uint64_t given, char *msg, size_t len);
int config_check_partition(void *rec, uint64_t given, char *msg, size_t len);
int config_check_qos(void *rec, uint64_t given, char *msg, size_t len);

/* The file or the arguments are in: references, resolved values. */
int config_check_all(struct config_parse *ps);

void config_init_globals(struct carbon_config *cfg);

#endif
