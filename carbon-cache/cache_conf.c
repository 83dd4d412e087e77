/*
 * cache_conf.c: carbon-cached's extension of carbon.conf (see
 * cache_conf.h): its global keys, the providers' record kinds, and the
 * check that runs once the whole file is in.  Pure: libc and libcarbon.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_conf.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct carbon_config_word log_levels[] = {
	{"quiet", CARBON_CACHE_LOG_QUIET},
	{"error", CARBON_CACHE_LOG_ERROR},
	{"info", CARBON_CACHE_LOG_INFO},
	{"verbose", CARBON_CACHE_LOG_VERBOSE},
	{"debug", CARBON_CACHE_LOG_DEBUG},
	{NULL, 0},
};

/* After the core's global keys in messages, in this order. */
static const struct carbon_config_key globals[] = {
	{"MetricsListen", CARBON_CONFIG_KIND_LISTEN,
	 offsetof(struct carbon_cache_conf, metrics),
	 sizeof(struct carbon_config_listen), 0, 0, NULL, 0, 0, NULL},
	{"ForecastListen", CARBON_CONFIG_KIND_LISTEN,
	 offsetof(struct carbon_cache_conf, forecast),
	 sizeof(struct carbon_config_listen), 0, 0, NULL, 0, 0, NULL},
	{"LogLevel", CARBON_CONFIG_KIND_ENUM,
	 offsetof(struct carbon_cache_conf, log_level),
	 sizeof(enum carbon_cache_log_level), 0, 0, log_levels, 0, 0, NULL},
};

static const struct carbon_config_record *const records[] = {
	&carbon_provider_conf_record,
	&carbon_factors_record,
};

static void init(void *block)
{
	struct carbon_cache_conf *cc = block;

	strcpy(cc->metrics.text, "127.0.0.1:9550");
	strcpy(cc->metrics.host, "127.0.0.1");
	cc->metrics.port = 9550;
	cc->log_level = CARBON_CACHE_LOG_INFO;
}

static int check(struct carbon_config *cfg, void *block, unsigned *line,
		 char *msg, size_t len)
{
	return carbon_provider_conf_check(cfg, block, line, msg, len);
}

const struct carbon_config_schema carbon_cache_conf_schema = {
	sizeof(struct carbon_cache_conf),
	init,
	globals,
	N(globals),
	records,
	N(records),
	check,
};

struct carbon_config *carbon_cache_conf_new(void)
{
	return carbon_config_new_ext(&carbon_cache_conf_schema);
}

const struct carbon_cache_conf *
carbon_cache_conf_peek(const struct carbon_config *cfg)
{
	return carbon_config_ext_peek(cfg, &carbon_cache_conf_schema);
}

int carbon_cache_conf_load(const char *path, struct carbon_config **out,
			   char *err, size_t errlen)
{
	struct carbon_config *cfg = NULL;
	char *buf = NULL;
	size_t len = 0;
	ssize_t r;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL, "%s: %s",
					path, strerror(errno));
	buf = malloc(CARBON_CONFIG_BYTES_MAX + 1);
	while (buf && len <= CARBON_CONFIG_BYTES_MAX &&
	       (r = read(fd, buf + len, CARBON_CONFIG_BYTES_MAX + 1 - len)) !=
		       0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	cfg = buf ? carbon_cache_conf_new() : NULL;
	if (!cfg)
		rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
				      "out of memory");
	else if (len > CARBON_CONFIG_BYTES_MAX)
		rc = carbon_error_set(err, errlen, CARBON_ETOOLONG,
				      "%s: larger than %d bytes", path,
				      CARBON_CONFIG_BYTES_MAX);
	else
		rc = carbon_config_parse(cfg, buf, len, path, err, errlen);
	free(buf);
	if (rc) {
		carbon_config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}
