/*
 * carbon/config_internal.h: what the lib/config*.c files share.  Private
 * to them; adapters use carbon/config.h.  (It lives beside the public
 * headers only so that the Makefile's header dependencies see it.)
 *
 * config.c splits lines into Key=Value tokens and drives the parse;
 * config_keys.c holds the key tables; config_value.c turns one value into
 * a field; config_check.c checks a record once its line is read and the
 * whole config once the file or the arguments are; config_lookup.c
 * answers questions about a parsed config.
 */
#ifndef CARBON_CONFIG_INTERNAL_H
#define CARBON_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/config.h"

enum config_kind {
	CK_NAME,     /* char[NAME_BUF], [A-Za-z0-9_.-] */
	CK_PREFIX,   /* char[NAME_BUF], a name that may also hold ':' */
	CK_TEXT,     /* char[size], anything but control bytes */
	CK_PATH,     /* char[size], absolute */
	CK_URL,	     /* char[size], http:// or https:// */
	CK_HOST,     /* char[size], host, address or socket path */
	CK_LISTEN,   /* MetricsListen: HOST:PORT into three fields */
	CK_INT,	     /* int in [min, max] */
	CK_NUMBER,   /* double in [min, max] */
	CK_INTERVAL, /* int64_t seconds in [min, max], with a unit */
	CK_ENUM,     /* int from words */
	CK_CHAIN,    /* the zone's Providers list */
	CK_AREAS,    /* the zone's Areas list */
	CK_CPUFREQ,  /* char[NAME_BUF], Slurm --cpu-freq */
	CK_UTC,	     /* int64_t, YYYY-MM-DD[THH:MM[:SS]][Z] */
	CK_PSR,	     /* double factor[arg], sets bit arg of "given" */
};

/* Key flags. */
#define KF_REQUIRED  0x1u /* the record needs it */
#define KF_ARGS_ONLY 0x2u /* plugin arguments only, never in the file */
#define NO_OFFSET    ((size_t)-1)

/* A bit per provider type, for the keys that apply to only some. */
#define PT(t) (1u << CARBON_CONFIG_PROVIDER_##t)
#define PT_HTTP \
	(PT(ELECTRICITYMAPS) | PT(WATTTIME) | PT(UKCI) | PT(ENTSOE) | PT(GSF))
#define PT_ALL (PT_HTTP | PT(REPLAY))

struct config_parse;

struct config_word {
	const char *name;
	int value;
};

struct config_key {
	const char *name; /* canonical spelling, shown in messages */
	enum config_kind kind;
	size_t off;  /* of the field in the record (or the config) */
	size_t size; /* of a char[] field */
	double min, max;
	const struct config_word *words; /* CK_ENUM, NULL-terminated */
	size_t has_off;	    /* a bool set when given, or NO_OFFSET */
	unsigned types;	    /* provider types it applies to; 0: all */
	unsigned req_types; /* provider types that require it */
	unsigned flags;
	int arg; /* CK_PSR: the code's index */
};

/* One kind of line: the globals, or a record started by its first key. */
struct config_section {
	const char *start; /* "ClusterName", ...; NULL for the globals */
	const char *what;  /* "cluster", for messages */
	const struct config_key *keys;
	size_t n_keys;
	size_t rec_size;
	size_t max;
	size_t arr_off;	  /* the array pointer in struct carbon_config */
	size_t count_off; /* its size_t count */
	size_t line_off;  /* the record's unsigned line */
	void (*init)(void *rec);
	int (*check)(struct config_parse *ps, void *rec, uint64_t given);
};

struct config_parse {
	struct carbon_config *cfg;
	const char *file;   /* while parsing the file, else NULL */
	const char *origin; /* while parsing arguments, else NULL */
	unsigned line;
	uint64_t given;		       /* global keys seen in this pass */
	unsigned key_line[64];	       /* where each was (file only) */
	struct carbon_config *scratch; /* sink for keys arguments own */
	char *err;
	size_t errlen;
};

extern const struct config_section config_globals;
extern const struct config_section *const config_records[];
extern const size_t config_n_records;
extern const struct config_word config_provider_types[];
extern const struct config_word config_signals[];
extern const struct config_word config_bases[];

/* "FILE:LINE: " + message (or "ORIGIN: "), into ps->err; returns code. */
int config_error(struct config_parse *ps, int code, const char *fmt, ...)
	CARBON_PRINTF(3, 4);

/* As config_error() for a record found at line (after the whole parse). */
int config_error_at(struct config_parse *ps, unsigned line, int code,
		    const char *fmt, ...) CARBON_PRINTF(4, 5);

/* Parse value v for key k into the record or config at base. */
int config_key_set(struct config_parse *ps, const struct config_key *k,
		   const char *v, void *base);

/* The key of section s called name (case-insensitive); -1 if none. */
int config_key_find(const struct config_section *s, const char *name);

/* "a, b or c" for words, into buf. */
void config_words_list(const struct config_word *w, char *buf, size_t len);

/* 1-64 of [A-Za-z0-9_.-]. */
bool config_name_ok(const char *s, size_t n);

/* A record's line is read: required keys, keys that do not apply. */
int config_check_cluster(struct config_parse *ps, void *rec, uint64_t given);
int config_check_zone(struct config_parse *ps, void *rec, uint64_t given);
int config_check_provider(struct config_parse *ps, void *rec, uint64_t given);
int config_check_partition(struct config_parse *ps, void *rec, uint64_t given);
int config_check_qos(struct config_parse *ps, void *rec, uint64_t given);

/* The file or the arguments are in: references, resolved values. */
int config_check_all(struct config_parse *ps);

void config_init_globals(struct carbon_config *cfg);

#endif
