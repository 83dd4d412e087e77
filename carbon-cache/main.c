/*
 * main.c: carbon-cached's command line.  Loads carbon.conf, builds the
 * runtime (providers, secrets), then runs the daemon loop, one refresh
 * (--once) or only the checks (--check-config).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "daemon.h"
#include "log.h"
#include "runtime.h"

#ifndef CARBON_CACHE_VERSION
#define CARBON_CACHE_VERSION "0.1.0"
#endif
#define VERSION CARBON_CACHE_VERSION
#define MSG_MAX 1024

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: carbon-cached [-f FILE] [--once | --check-config] "
		"[--foreground]\n"
		"\n"
		"Fetch grid carbon intensity (history and forecast) for every "
		"Zone of\n"
		"carbon.conf from its chain of providers, sign each zone's "
		"record (HMAC-SHA256)\n"
		"and write it to Redis for the Slurm plugins.  A provider "
		"outage keeps the\n"
		"last good record, marked stale; a Redis outage keeps records "
		"in memory.\n"
		"\n"
		"  -f, --config=FILE   carbon.conf to read (default %s)\n"
		"      --once          fetch every zone once, write to Redis, "
		"exit: 0 when\n"
		"                      every zone got a record (fresh or "
		"fallback), 1 otherwise\n"
		"      --check-config  parse FILE and check it (secret files "
		"0600, traces\n"
		"                      readable, providers built in), print a "
		"summary, exit 0/1\n"
		"      --foreground    run in the foreground (always the case: "
		"carbon-cached\n"
		"                      never forks; for systemd Type=simple)\n"
		"  -h, --help          this text\n"
		"  -V, --version       the version\n"
		"\n"
		"Keys it reads: RedisHost, RedisPort, RedisUser, "
		"RedisPasswordFile,\n"
		"CacheRedisUser, CacheRedisPasswordFile (its own, instead of "
		"the two before),\n"
		"RedisTimeout, RedisKeyPrefix, HmacKeyFile, HmacKeyId, "
		"PollInterval,\n"
		"ForecastFallbackDays, MetricsListen, LogLevel, and the Zone "
		"and Provider\n"
		"lines (carbon.conf(5)).  Records go to PREFIX\"zone:\"ZONE, "
		"e.g. carbon:zone:ES.\n"
		"\n"
		"Operations: GET /metrics (Prometheus), /healthz, /readyz on "
		"MetricsListen.\n"
		"SIGTERM or SIGINT stop it within 2 s.  To change providers, "
		"edit carbon.conf,\n"
		"run carbon-cached --check-config, then restart carbon-cached "
		"(nothing else).\n"
		"\n"
		"Example:\n"
		"  carbon-cached --check-config -f /etc/slurm/carbon.conf\n"
		"  systemctl restart carbon-cached\n"
		"  redis-cli -a \"$(cat /etc/slurm/carbon-redis.pass)\" GET "
		"carbon:zone:ES\n"
		"\n"
		"See carbon-cached(8) and carbon.conf(5).\n",
		CARBON_CONFIG_DEFAULT_FILE);
}

static void print_summary(const struct carbon_config *cfg,
			  const struct carbon_runtime *rt)
{
	printf("%s: OK\n", cfg->file_name);
	printf("redis: %s", cfg->redis_host);
	if (cfg->redis_host[0] != '/')
		printf(":%d", cfg->redis_port);
	printf(", key prefix \"%s\", timeout %d ms, ", cfg->redis_key_prefix,
	       cfg->redis_timeout_ms);
	if (!rt->redis_auth.password_file[0])
		printf("no password\n");
	else if (rt->redis_auth.user[0])
		printf("ACL user %s (%s), password from %s\n",
		       rt->redis_auth.user, rt->redis_auth.user_key,
		       rt->redis_auth.password_file);
	else
		printf("password from %s (%s)\n", rt->redis_auth.password_file,
		       rt->redis_auth.file_key);
	printf("signing: HMAC-SHA256, key id %s, key from %s\n",
	       cfg->hmac_key_id, cfg->hmac_key_file);
	printf("data: %s/%s, forecast fallback %d day(s), stale after %lld s\n",
	       carbon_signal_name(cfg->signal), carbon_basis_name(cfg->basis),
	       cfg->forecast_fallback_days, (long long)cfg->stale_after);
	for (size_t i = 0; i < rt->n_zones; i++) {
		const struct carbon_zone *z = &rt->zones[i];

		printf("zone %s: every %lld s:", z->name,
		       (long long)z->interval);
		for (size_t k = 0; k < z->n_chain; k++)
			printf("%s %s%s%s", k ? " ->" : "", z->chain[k]->name,
			       strcmp(z->areas[k], z->name) ? " area " : "",
			       strcmp(z->areas[k], z->name) ? z->areas[k] : "");
		printf("\n");
	}
	for (size_t i = 0; i < rt->n_instances; i++) {
		const struct carbon_instance *in = &rt->instances[i];

		if (in->ops->open == NULL || !strcmp(in->ops->type, "static"))
			continue;
		printf("provider %s: %s%s%s\n", in->name, in->ops->type,
		       in->cfg.trace[0] ? ", trace " : "", in->cfg.trace);
	}
	printf("metrics: http://%s/metrics\n", rt->cc->metrics.text);
	printf("forecast: http://%s/emissions/forecasts/current\n",
	       rt->cc->forecast.port ? rt->cc->forecast.text
				     : rt->cc->metrics.text);
}

static int run(const char *path, bool once, bool check)
{
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	char err[MSG_MAX];
	int status = 1;

	if (carbon_cache_conf_load(path, &cfg, err, sizeof(err)) ||
	    carbon_runtime_new(cfg, &stop_flag, &rt, err, sizeof(err))) {
		fprintf(stderr, "carbon-cached: %s\n", err);
		goto out;
	}
	if (check) {
		print_summary(cfg, rt);
		status = 0;
		goto out;
	}
	carbon_log_set_level(rt->cc->log_level);
	carbon_log_info("carbon-cached %s: %zu zone(s) from %s", VERSION,
			rt->n_zones, path);
	status = carbon_daemon_run(cfg, rt, once, &stop_flag);
out:
	carbon_runtime_free(rt);
	carbon_config_free(cfg);
	return status;
}

static void install_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};

	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL); /* a dropped Redis connection */
	sigaction(SIGHUP, &sa, NULL);  /* changes need a restart */
}

int main(int argc, char **argv)
{
	enum { O_ONCE = 256, O_CHECK, O_FOREGROUND };
	static const struct option longopts[] = {
		{"config", required_argument, NULL, 'f'},
		{"once", no_argument, NULL, O_ONCE},
		{"check-config", no_argument, NULL, O_CHECK},
		{"foreground", no_argument, NULL, O_FOREGROUND},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *path = CARBON_CONFIG_DEFAULT_FILE;
	bool once = false, check = false;
	int c, status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, "f:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		case O_ONCE:
			once = true;
			break;
		case O_CHECK:
			check = true;
			break;
		case O_FOREGROUND:
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("carbon-cached %s\n", VERSION);
			return 0;
		default:
			fprintf(stderr, "Try 'carbon-cached --help'.\n");
			return 2;
		}
	}
	if (optind < argc || (once && check)) {
		fprintf(stderr, "carbon-cached: %s\n",
			optind < argc ? "unexpected argument"
				      : "--once and --check-config exclude "
					"each other");
		fprintf(stderr, "Try 'carbon-cached --help'.\n");
		return 2;
	}
	install_signals();
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "carbon-cached: cannot initialise libcurl\n");
		return 1;
	}
	status = run(path, once, check);
	curl_global_cleanup();
	return status;
}
