/*
 * scarbon forecast: the best start per cluster for a job of a given size,
 * asked of carbon-cached's forecast endpoint (GET
 * /emissions/forecasts/current, the Carbon Aware SDK's shape), whose
 * address and the clusters' power model come from carbon.conf.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "cache_conf.h"
#include "carbon/config.h"
#include "carbon/footprint.h"
#include "carbon/report.h"
#include "scarbon.h"

#define BODY_MAX (4 << 20)

struct body {
	char *buf;
	size_t len;
	bool over;
};

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct body *b = ctx;
	size_t k = size * n;
	char *nb;

	if (b->len + k > BODY_MAX) {
		b->over = true;
		return 0;
	}
	nb = realloc(b->buf, b->len + k + 1);
	if (!nb)
		return 0;
	b->buf = nb;
	memcpy(b->buf + b->len, p, k);
	b->len += k;
	b->buf[b->len] = '\0';
	return k;
}

/* GET url; 0 with the body and HTTP status, or -1 (message printed). */
static int http_get(const char *url, struct body *b, long *status)
{
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (!c)
		return -1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		scarbon_err("%s: %s", url,
			    b->over ? "answer larger than 4 MiB"
				    : curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

static struct carbon_config *load_conf(const char *path)
{
	struct carbon_config *cfg = NULL;
	char err[512];

	if (access(path, R_OK)) {
		scarbon_err("%s: %s (give the file with -C or $CARBON_CONF, or "
			    "the endpoint with --url)",
			    path, strerror(errno));
		return NULL;
	}
	if (carbon_cache_conf_load(path, &cfg, err, sizeof(err))) {
		scarbon_err("%s", err);
		return NULL;
	}
	return cfg;
}

static void endpoint(const struct carbon_config *cfg, char *url, size_t len)
{
	const struct carbon_cache_conf *cc = carbon_cache_conf_peek(cfg);
	const struct carbon_config_listen *l = cc && cc->forecast.port
						       ? &cc->forecast
					       : cc ? &cc->metrics
						    : NULL;
	bool v6 = l && strchr(l->host, ':');

	if (!l || !l->port)
		snprintf(url, len, "http://127.0.0.1:9550%s",
			 "/emissions/forecasts/current");
	else
		snprintf(url, len,
			 "http://%s%s%s:%d/emissions/forecasts/current",
			 v6 ? "[" : "", l->host, v6 ? "]" : "", l->port);
}

/* kWh of the job over runtime on cluster c (all cores busy). */
static double job_kwh(const struct scarbon_opts *o,
		      const struct carbon_config_cluster *c)
{
	struct carbon_power_model m;
	struct carbon_job_usage u = {.cores = o->cores,
				     .cpu_usage = 1,
				     .gpus = o->gpus,
				     .gpu_usage = 1,
				     .mem_gb = o->mem_gb};
	struct carbon_energy e;

	carbon_config_cluster_power(c, &m);
	if (carbon_footprint_energy_model(&m, &u, o->runtime, &e, NULL, 0))
		return -1;
	return e.kwh;
}

struct answer {
	const char *cluster;
	struct scarbon_window w;
	double kwh;
	int status;
	char detail[256];
};

static void ask(const char *base, const struct scarbon_opts *o,
		const struct carbon_config_cluster *c, struct answer *a)
{
	char url[2048], err[256];
	struct body b = {0};
	long status = 0;
	size_t n = 0;
	char *loc = curl_escape(c->name, 0);

	a->cluster = c->name;
	a->kwh = job_kwh(o, c);
	int k = snprintf(
		url, sizeof(url), "%.1024s?location=%.512s&windowSize=%lld",
		base, loc ? loc : c->name, (long long)((o->runtime + 59) / 60));

	curl_free(loc);
	if (k < 0 || (size_t)k >= sizeof(url)) {
		a->status = -1;
		snprintf(a->detail, sizeof(a->detail), "URL too long");
	} else if (http_get(url, &b, &status)) {
		a->status = -1;
		snprintf(a->detail, sizeof(a->detail),
			 "carbon-cached did not "
			 "answer");
	} else if (status != 200) {
		a->status = (int)status;
		snprintf(a->detail, sizeof(a->detail), "HTTP %ld%s%.200s",
			 status, b.buf ? ": " : "", b.buf ? b.buf : "");
	} else if (scarbon_forecast_answer(b.buf, b.len, o->now - 3599,
					   o->now + o->within - o->runtime,
					   &a->w, 1, &n, err, sizeof(err)) ||
		   n != 1) {
		a->status = -2;
		snprintf(a->detail, sizeof(a->detail), "%s",
			 n == 1 ? err : "the answer names no location");
	} else {
		a->status = 200;
		if (a->w.has_best && a->w.start < o->now)
			a->w.start = o->now; /* the current window */
	}
	free(b.buf);
}

static void print_text(const struct scarbon_opts *o, struct answer *a, size_t n)
{
	char s[32], r[32], w[32], g[32], v[32], k[32];
	int best = -1;

	for (size_t i = 0; i < n; i++)
		if (a[i].status == 200 && a[i].w.has_best &&
		    (best < 0 ||
		     a[i].w.value * a[i].kwh < a[best].w.value * a[best].kwh))
			best = (int)i;
	printf("A job of %s core(s) for %s, starting within %s:\n",
	       scarbon_num(o->cores, k, sizeof(k)),
	       scarbon_span(o->runtime, r, sizeof(r)),
	       scarbon_span(o->within, w, sizeof(w)));
	printf("%-10s %-19s %10s %12s  %s\n", "CLUSTER", "BEST_START", "gCO2e",
	       "g/kWh", "");
	for (size_t i = 0; i < n; i++) {
		if (a[i].status != 200) {
			printf("%-10s %s\n", a[i].cluster, a[i].detail);
			continue;
		}
		if (!a[i].w.has_best) {
			printf("%-10s no window: the forecast ends too soon\n",
			       a[i].cluster);
			continue;
		}
		printf("%-10s %-19s %10s %12s  %s%s\n", a[i].cluster,
		       scarbon_time(a[i].w.start, s, sizeof(s)),
		       scarbon_num(a[i].w.value * a[i].kwh, g, sizeof(g)),
		       scarbon_num(a[i].w.value, v, sizeof(v)),
		       (int)i == best ? "best" : "",
		       a[i].w.stale ? " (stale data)" : "");
	}
}

static void print_json(struct answer *a, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++) {
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "cluster",
				       json_object_new_string(a[i].cluster));
		json_object_object_add(
			x, "ok",
			json_object_new_boolean(a[i].status == 200 &&
						a[i].w.has_best));
		if (a[i].status == 200 && a[i].w.has_best) {
			json_object_object_add(
				x, "best_start",
				json_object_new_int64(a[i].w.start));
			json_object_object_add(
				x, "intensity",
				json_object_new_double(a[i].w.value));
			json_object_object_add(
				x, "kwh", json_object_new_double(a[i].kwh));
			json_object_object_add(
				x, "expected_g",
				json_object_new_double(a[i].w.value *
						       a[i].kwh));
			json_object_object_add(
				x, "stale",
				json_object_new_boolean(a[i].w.stale));
		} else {
			json_object_object_add(
				x, "error",
				json_object_new_string(a[i].detail));
		}
		json_object_array_add(arr, x);
	}
	scarbon_json_print(arr);
	json_object_put(arr);
}

int scarbon_forecast(const struct scarbon_opts *o)
{
	char path[4096], base[1024];
	struct carbon_config *cfg =
		load_conf(scarbon_conf_path(o, path, sizeof(path)));
	struct answer *a = NULL;
	size_t n = 0;
	int rc = SCARBON_OK, ok = 0;

	if (!cfg)
		return SCARBON_SLURM;
	if (o->url)
		snprintf(base, sizeof(base), "%s", o->url);
	else
		endpoint(cfg, base, sizeof(base));
	a = calloc(cfg->n_clusters + 1, sizeof(*a));
	curl_global_init(CURL_GLOBAL_DEFAULT);
	for (size_t i = 0; a && i < cfg->n_clusters; i++) {
		const struct carbon_config_cluster *c = &cfg->clusters[i];

		if (o->fc_cluster && strcasecmp(o->fc_cluster, c->name))
			continue;
		ask(base, o, c, &a[n]);
		ok += a[n].status == 200;
		n++;
	}
	if (o->fc_cluster && !n) {
		scarbon_err("--cluster %s: not a cluster of %s", o->fc_cluster,
			    path);
		rc = SCARBON_NOT_FOUND;
	} else if (o->json) {
		print_json(a, n);
	} else {
		print_text(o, a, n);
	}
	if (!rc && !ok)
		rc = SCARBON_SLURM;
	curl_global_cleanup();
	free(a);
	carbon_config_free(cfg);
	return rc;
}
