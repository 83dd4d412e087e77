/* log.c: leveled log lines on stdout/stderr (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static volatile int log_level = CARBON_CACHE_LOG_INFO;

void carbon_log_set_level(enum carbon_cache_log_level level)
{
	log_level = (int)level;
}

bool carbon_log_enabled(enum carbon_cache_log_level level)
{
	return level != CARBON_CACHE_LOG_QUIET && (int)level <= log_level;
}

static const char *level_name(enum carbon_cache_log_level level)
{
	switch (level) {
	case CARBON_CACHE_LOG_ERROR:
		return "error";
	case CARBON_CACHE_LOG_INFO:
		return "info";
	case CARBON_CACHE_LOG_VERBOSE:
		return "verbose";
	default:
		return "debug";
	}
}

void carbon_log(enum carbon_cache_log_level level, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	va_list ap;
	FILE *f;
	int n;

	if (!carbon_log_enabled(level))
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		snprintf(line + sizeof(line) - 4, 4, "...");
	f = level == CARBON_CACHE_LOG_ERROR ? stderr : stdout;
	/* one write per line: stdio locks the stream for the call */
	fprintf(f, "%s carbon-cached %s: %s\n", stamp, level_name(level), line);
	fflush(f);
}
