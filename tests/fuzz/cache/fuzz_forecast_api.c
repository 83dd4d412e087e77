/*
 * libFuzzer target for carbon-cached's forecast endpoint
 * (forecast_api.h): the bytes are a query string, split at '&' and '=' as
 * libmicrohttpd hands the parameters over, answered from a fixed
 * carbon.conf and one zone's record.  Every answer has a known status and
 * a body that is JSON: an array for 200, a problem object otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cache_conf.h"
#include "forecast_api.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 INT64_C(1795420800) /* 2026-11-23T08:00:00Z */

static const char conf[] = "HmacKeyFile=/etc/slurm/carbon-hmac.key\n"
			   "Zone=ES Providers=static StaticIntensity=100\n"
			   "Zone=NO Providers=static StaticIntensity=20\n"
			   "ClusterName=es Zone=ES\n"
			   "ClusterName=bare FallbackIntensity=100\n";

static struct carbon_forecast_api *api(void)
{
	static const char *const zones[] = {"ES", "NO"};
	static struct carbon_forecast_api a;
	struct carbon_config *cfg;
	struct carbon_record *r;

	if (a.cfg)
		return &a;
	cfg = carbon_cache_conf_new();
	a.latest = carbon_latest_new(zones, 2);
	r = carbon_record_new(48);
	if (!cfg || !a.latest || !r ||
	    carbon_config_parse(cfg, conf, strlen(conf), "carbon.conf", NULL,
				0))
		abort();
	a.cfg = cfg;
	strcpy(r->zone, "ES");
	strcpy(r->source, "replay-es");
	r->signal = CARBON_SIGNAL_AVERAGE;
	r->basis = CARBON_BASIS_LIFECYCLE;
	r->fetched_at = r->generated_at = T0;
	for (size_t i = 0; i < 48; i++) {
		r->points[i].t = T0 - 6 * 3600 + (int64_t)i * 1800;
		r->points[i].value = (double)(40 + (i * 53) % 400);
		r->points[i].is_forecast = i >= 12;
	}
	if (carbon_latest_publish(a.latest, 0, r, NULL, 0))
		abort();
	carbon_record_free(r);
	return &a;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carbon_forecast_arg args[CARBON_FORECAST_API_ARGS_MAX];
	struct carbon_forecast_reply out = {0};
	struct json_object *doc;
	char *buf = malloc(size + 1);
	size_t n = 0, i = 0;
	bool too_many = false;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	while (i < size) {
		char *p = buf + i, *amp = memchr(p, '&', size - i);
		size_t len = amp ? (size_t)(amp - p) : size - i;
		char *eq = memchr(p, '=', len);

		if (n == CARBON_FORECAST_API_ARGS_MAX) {
			too_many = true;
			break;
		}
		args[n++] = (struct carbon_forecast_arg){
			p, eq ? (size_t)(eq - p) : len, eq ? eq + 1 : NULL,
			eq ? len - (size_t)(eq - p) - 1 : 0};
		i += len + 1;
	}
	if (carbon_forecast_api_answer(api(), args, n, too_many, T0 + 600,
				       &out))
		abort();
	doc = json_tokener_parse(out.body);
	if (!doc ||
	    (out.status == 200) != json_object_is_type(doc, json_type_array) ||
	    (out.status != 200 && out.status != 400 && out.status != 404 &&
	     out.status != 500 && out.status != 501 && out.status != 503))
		abort();
	json_object_put(doc);
	carbon_forecast_reply_clear(&out);
	free(buf);
	return 0;
}
