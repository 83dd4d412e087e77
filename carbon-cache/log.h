/*
 * carbon-cache/log.h: carbon-cached's log lines.  Errors go to stderr,
 * everything else to stdout (journald keeps both), one whole line per
 * call so threads never interleave inside a line.  Secrets (tokens,
 * passwords, keys) and URLs with credentials never reach a log call.
 */
#ifndef CARBON_CACHE_LOG_H
#define CARBON_CACHE_LOG_H

#include <stdbool.h>

#include "cache_conf.h"
#include "carbon/error.h"

/* Lines above level are dropped; the default is INFO. */
void carbon_log_set_level(enum carbon_cache_log_level level);
bool carbon_log_enabled(enum carbon_cache_log_level level);

/* "TIME LEVEL: message"; level QUIET is never written. */
void carbon_log(enum carbon_cache_log_level level, const char *fmt, ...)
	CARBON_PRINTF(2, 3);

#define carbon_log_error(...) carbon_log(CARBON_CACHE_LOG_ERROR, __VA_ARGS__)
#define carbon_log_info(...)  carbon_log(CARBON_CACHE_LOG_INFO, __VA_ARGS__)
#define carbon_log_verbose(...) \
	carbon_log(CARBON_CACHE_LOG_VERBOSE, __VA_ARGS__)
#define carbon_log_debug(...) carbon_log(CARBON_CACHE_LOG_DEBUG, __VA_ARGS__)

#endif
