/*
 * Unit tests for carbon-cache/runtime.c: carbon.conf to what the daemon
 * runs.  Chains in order with their areas, per-provider PollInterval,
 * "static" opened per zone but counted once in the metrics, the signer
 * and the Redis password read from 0600 files; a 0644 secret, a missing
 * trace, a config without zones or a ForecastListen on MetricsListen's
 * address refused with the file (and line).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime.h"

struct fixture {
	char dir[64];
	char key[128], pass[128], trace[128];
};

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	strcpy(fx->dir, "/tmp/test_runtime.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	snprintf(fx->key, sizeof(fx->key), "%s/hmac.key", fx->dir);
	snprintf(fx->pass, sizeof(fx->pass), "%s/redis.pass", fx->dir);
	snprintf(fx->trace, sizeof(fx->trace), "%s/es.csv", fx->dir);
	write_file(fx->key, "example-key\n", 0600);
	write_file(fx->pass, "pw\n", 0600);
	write_file(fx->trace,
		   "Datetime (UTC),v\n2023-01-01 00:00:00,10\n"
		   "2023-01-01 01:00:00,20\n",
		   0644);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unlink(fx->key);
	unlink(fx->pass);
	unlink(fx->trace);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

/* Parse text (with @KEY@, @PASS@, @TRACE@ filled in) and build. */
static int build(const struct fixture *fx, const char *tmpl,
		 struct carbon_config **cfg, struct carbon_runtime **rt,
		 char *err, size_t errlen)
{
	char text[4096] = "", *o = text;
	int rc;

	for (const char *p = tmpl; *p;) {
		const char *v = NULL;
		size_t skip = 0;

		if (!strncmp(p, "@KEY@", 5))
			v = fx->key, skip = 5;
		else if (!strncmp(p, "@PASS@", 6))
			v = fx->pass, skip = 6;
		else if (!strncmp(p, "@TRACE@", 7))
			v = fx->trace, skip = 7;
		if (v) {
			o += sprintf(o, "%s", v);
			p += skip;
		} else {
			*o++ = *p++;
		}
	}
	*cfg = carbon_cache_conf_new();
	rc = carbon_config_parse(*cfg, text, strlen(text), "carbon.conf", err,
				 errlen);
	if (rc)
		return rc;
	return carbon_runtime_new(*cfg, NULL, rt, err, errlen);
}

static const char good[] =
	"RedisPasswordFile=@PASS@\n"
	"HmacKeyFile=@KEY@\n"
	"HmacKeyId=k7\n"
	"PollInterval=5m\n"
	"Provider=trace-es Type=replay Trace=@TRACE@ TimeColumn=0 "
	"ValueColumn=v PollInterval=30s\n"
	"Zone=ES Providers=trace-es,static StaticIntensity=200 "
	"Areas=trace-es:ES-trace\n"
	"Zone=NO Providers=static StaticIntensity=30\n";

static void test_translation(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	const struct carbon_zone *es, *no;
	char err[512] = "";

	assert_int_equal(build(fx, good, &cfg, &rt, err, sizeof(err)), 0);
	assert_int_equal(rt->n_zones, 2);
	es = &rt->zones[0];
	no = &rt->zones[1];
	assert_string_equal(es->name, "ES");
	assert_int_equal(es->n_chain, 2);
	assert_string_equal(es->chain[0]->name, "trace-es");
	assert_string_equal(es->chain[0]->ops->type, "replay");
	assert_string_equal(es->areas[0], "ES-trace");
	assert_string_equal(es->chain[1]->name, "static");
	assert_string_equal(es->areas[1], "ES");
	assert_int_equal(es->interval, 30); /* the first provider's own */
	assert_int_equal(no->interval, 300);
	/* one static instance per zone, one metrics name */
	assert_ptr_not_equal(es->chain[1], no->chain[0]);
	assert_int_equal(rt->n_metric_names, 2);
	assert_int_equal(es->chain[1]->metric, no->chain[0]->metric);
	assert_int_equal(no->chain[0]->cfg.signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(no->chain[0]->cfg.basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(rt->signer.len, 11);
	assert_memory_equal(rt->signer.key, "example-key", 11);
	assert_string_equal(rt->signer.key_id, "k7");
	assert_string_equal(rt->redis_password, "pw");
	carbon_runtime_free(rt);
	carbon_config_free(cfg);
	carbon_runtime_free(NULL);
}

static void test_loose_secret_refused(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	char err[512] = "";

	assert_int_equal(chmod(fx->key, 0644), 0);
	assert_int_not_equal(build(fx, good, &cfg, &rt, err, sizeof(err)), 0);
	assert_null(rt);
	assert_non_null(strstr(err, "HmacKeyFile: secret file"));
	assert_non_null(strstr(err, "mode 0644"));
	carbon_config_free(cfg);

	assert_int_equal(chmod(fx->key, 0600), 0);
	assert_int_equal(chmod(fx->pass, 0604), 0);
	assert_int_not_equal(build(fx, good, &cfg, &rt, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "RedisPasswordFile: secret file"));
	carbon_config_free(cfg);
}

static void test_missing_trace_names_line(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	char err[512] = "";

	unlink(fx->trace);
	assert_int_not_equal(build(fx, good, &cfg, &rt, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "carbon.conf:5: Provider=trace-es: "));
	assert_non_null(strstr(err, "No such file"));
	carbon_config_free(cfg);
}

static void test_no_zone(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	char err[512] = "";

	assert_int_not_equal(
		build(fx, "HmacKeyFile=@KEY@\n", &cfg, &rt, err, sizeof(err)),
		0);
	assert_non_null(strstr(err, "no Zone line"));
	carbon_config_free(cfg);
}

static void test_forecast_listen_clash(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	char err[512] = "";

	assert_int_not_equal(
		build(fx,
		      "HmacKeyFile=@KEY@\n"
		      "MetricsListen=[::1]:9000 "
		      "ForecastListen=[::1]:9000\n"
		      "Zone=ES Providers=static StaticIntensity=1\n",
		      &cfg, &rt, err, sizeof(err)),
		0);
	assert_string_equal(err, "carbon.conf: ForecastListen: [::1]:9000 is "
				 "MetricsListen's address; leave "
				 "ForecastListen out to serve the forecast "
				 "there");
	carbon_config_free(cfg);
	/* another port is fine */
	assert_int_equal(build(fx,
			       "HmacKeyFile=@KEY@\n"
			       "MetricsListen=[::1]:9000 "
			       "ForecastListen=[::1]:9001\n"
			       "Zone=ES Providers=static StaticIntensity=1\n",
			       &cfg, &rt, err, sizeof(err)),
			 0);
	assert_int_equal(rt->cc->forecast.port, 9001);
	carbon_runtime_free(rt);
	carbon_config_free(cfg);
}

static void test_env(void **state)
{
	struct fixture *fx = *state;
	struct carbon_config *cfg = NULL;
	struct carbon_runtime *rt = NULL;
	struct carbon_chain_env env;
	volatile sig_atomic_t stop = 0;
	char err[512] = "";

	assert_int_equal(build(fx, good, &cfg, &rt, err, sizeof(err)), 0);
	carbon_runtime_env(rt, NULL, &stop, &env);
	assert_ptr_equal(env.signer, &rt->signer);
	assert_int_equal(env.forecast_days, 1);
	assert_int_equal(env.signal, CARBON_SIGNAL_AVERAGE);
	assert_ptr_equal(env.stop, &stop);
	carbon_runtime_free(rt);
	carbon_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_translation),
		T(test_loose_secret_refused),
		T(test_missing_trace_names_line),
		T(test_no_zone),
		T(test_forecast_listen_clash),
		T(test_env),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
