/*
 * metrics.c: carbon-cached's counters and gauges, rendered as Prometheus
 * text (see metrics.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

#ifndef CARBON_CACHE_VERSION
#define CARBON_CACHE_VERSION "0.1.0"
#endif

/* Upper bounds of the latency histogram, seconds (+Inf is implicit). */
static const double bucket_le[CARBON_METRICS_BUCKETS] = {
	0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
};

struct provider_stats {
	char *name;
	uint64_t success, failure;
	uint64_t bucket[CARBON_METRICS_BUCKETS]; /* not cumulative */
	double sum;
};

struct zone_stats {
	char *name;
	struct carbon_metrics_zone z;
};

struct carbon_metrics {
	pthread_mutex_t lock;
	struct zone_stats *zones;
	size_t n_zones;
	struct provider_stats *providers;
	size_t n_providers;
	bool redis_up;
	uint64_t redis_writes;
	uint64_t redis_write_failures;
};

void carbon_metrics_free(struct carbon_metrics *m)
{
	if (!m)
		return;
	for (size_t i = 0; m->zones && i < m->n_zones; i++)
		free(m->zones[i].name);
	for (size_t i = 0; m->providers && i < m->n_providers; i++)
		free(m->providers[i].name);
	free(m->zones);
	free(m->providers);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

struct carbon_metrics *carbon_metrics_new(const char *const *zones,
					  size_t n_zones,
					  const char *const *providers,
					  size_t n_providers)
{
	struct carbon_metrics *m = calloc(1, sizeof(*m));
	bool ok;

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	m->zones = calloc(n_zones ? n_zones : 1, sizeof(*m->zones));
	m->providers =
		calloc(n_providers ? n_providers : 1, sizeof(*m->providers));
	ok = m->zones && m->providers;
	m->n_zones = m->zones ? n_zones : 0;
	m->n_providers = m->providers ? n_providers : 0;
	for (size_t i = 0; ok && i < n_zones; i++)
		ok = (m->zones[i].name = strdup(zones[i])) != NULL;
	for (size_t i = 0; ok && i < n_providers; i++)
		ok = (m->providers[i].name = strdup(providers[i])) != NULL;
	if (!ok) {
		carbon_metrics_free(m);
		return NULL;
	}
	return m;
}

void carbon_metrics_zone_set(struct carbon_metrics *m, size_t zone,
			     const struct carbon_metrics_zone *z)
{
	if (!m || zone >= m->n_zones || !z)
		return;
	pthread_mutex_lock(&m->lock);
	m->zones[zone].z = *z;
	pthread_mutex_unlock(&m->lock);
}

void carbon_metrics_zone_written(struct carbon_metrics *m, size_t zone,
				 bool written)
{
	if (!m || zone >= m->n_zones)
		return;
	pthread_mutex_lock(&m->lock);
	m->zones[zone].z.written = written;
	pthread_mutex_unlock(&m->lock);
}

void carbon_metrics_provider_observe(struct carbon_metrics *m, size_t provider,
				     bool ok, double seconds)
{
	struct provider_stats *p;
	size_t b = 0;

	if (!m || provider >= m->n_providers)
		return;
	pthread_mutex_lock(&m->lock);
	p = &m->providers[provider];
	if (ok)
		p->success++;
	else
		p->failure++;
	while (b < CARBON_METRICS_BUCKETS && seconds > bucket_le[b])
		b++;
	if (b < CARBON_METRICS_BUCKETS)
		p->bucket[b]++;
	p->sum += seconds;
	pthread_mutex_unlock(&m->lock);
}

void carbon_metrics_redis_set(struct carbon_metrics *m, bool up)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->redis_up = up;
	pthread_mutex_unlock(&m->lock);
}

void carbon_metrics_redis_wrote(struct carbon_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->redis_writes++;
	pthread_mutex_unlock(&m->lock);
}

void carbon_metrics_redis_write_failed(struct carbon_metrics *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->redis_write_failures++;
	pthread_mutex_unlock(&m->lock);
}

/* ---- rendering -------------------------------------------------------------- */

struct text {
	char *s;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...) CARBON_PRINTF(2, 3);

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len) {
			t->len += (size_t)n;
			return;
		}
		char *p = realloc(t->s, 2 * t->cap + (size_t)n);

		if (!p) {
			t->failed = true;
			return;
		}
		t->s = p;
		t->cap = 2 * t->cap + (size_t)n;
	}
}

static void head(struct text *t, const char *name, const char *type,
		 const char *help)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void render_zones(struct text *t, const struct carbon_metrics *m,
			 int64_t now)
{
	head(t, "carbon_intensity_now", "gauge",
	     "Carbon intensity in force at the zone's last refresh, "
	     "gCO2eq/kWh.");
	for (size_t i = 0; i < m->n_zones; i++)
		if (m->zones[i].z.has_record)
			put(t, "carbon_intensity_now{zone=\"%s\"} %.10g\n",
			    m->zones[i].name, m->zones[i].z.intensity_now);
	head(t, "carbon_forecast_horizon_seconds", "gauge",
	     "How far past now the zone's data reaches.");
	for (size_t i = 0; i < m->n_zones; i++) {
		const struct carbon_metrics_zone *z = &m->zones[i].z;

		if (z->has_record)
			put(t,
			    "carbon_forecast_horizon_seconds{zone=\"%s\"} "
			    "%lld\n",
			    m->zones[i].name,
			    (long long)(z->horizon_end > now
						? z->horizon_end - now
						: 0));
	}
	head(t, "carbon_data_age_seconds", "gauge",
	     "Seconds since the zone's provider last answered.");
	for (size_t i = 0; i < m->n_zones; i++) {
		const struct carbon_metrics_zone *z = &m->zones[i].z;

		if (z->has_record)
			put(t, "carbon_data_age_seconds{zone=\"%s\"} %lld\n",
			    m->zones[i].name,
			    (long long)(now > z->fetched_at
						? now - z->fetched_at
						: 0));
	}
	head(t, "carbon_zone_stale", "gauge",
	     "1 when the zone's last refresh failed and its last good record "
	     "is served.");
	for (size_t i = 0; i < m->n_zones; i++)
		put(t, "carbon_zone_stale{zone=\"%s\"} %d\n", m->zones[i].name,
		    m->zones[i].z.stale ? 1 : 0);
	head(t, "carbon_zone_fallback", "gauge",
	     "1 when the zone's data came from a later provider of its chain.");
	for (size_t i = 0; i < m->n_zones; i++)
		put(t, "carbon_zone_fallback{zone=\"%s\"} %d\n",
		    m->zones[i].name, m->zones[i].z.fallback ? 1 : 0);
	head(t, "carbon_zone_has_data", "gauge",
	     "1 when carbon-cached holds a record for the zone.");
	for (size_t i = 0; i < m->n_zones; i++)
		put(t, "carbon_zone_has_data{zone=\"%s\"} %d\n",
		    m->zones[i].name, m->zones[i].z.has_record ? 1 : 0);
}

static void render_providers(struct text *t, const struct carbon_metrics *m)
{
	head(t, "carbon_provider_requests_total", "counter",
	     "Provider fetches by result.");
	for (size_t i = 0; i < m->n_providers; i++) {
		const struct provider_stats *p = &m->providers[i];

		put(t,
		    "carbon_provider_requests_total{provider=\"%s\",result="
		    "\"success\"} %llu\n"
		    "carbon_provider_requests_total{provider=\"%s\",result="
		    "\"failure\"} %llu\n",
		    p->name, (unsigned long long)p->success, p->name,
		    (unsigned long long)p->failure);
	}
	head(t, "carbon_provider_latency_seconds", "histogram",
	     "Time of a provider fetch, retries included.");
	for (size_t i = 0; i < m->n_providers; i++) {
		const struct provider_stats *p = &m->providers[i];
		unsigned long long acc = 0, count = p->success + p->failure;

		for (size_t b = 0; b < CARBON_METRICS_BUCKETS; b++) {
			acc += p->bucket[b];
			put(t,
			    "carbon_provider_latency_seconds_bucket{provider="
			    "\"%s\",le=\"%g\"} %llu\n",
			    p->name, bucket_le[b], acc);
		}
		put(t,
		    "carbon_provider_latency_seconds_bucket{provider=\"%s\",le="
		    "\"+Inf\"} %llu\n"
		    "carbon_provider_latency_seconds_sum{provider=\"%s\"} "
		    "%.6f\n"
		    "carbon_provider_latency_seconds_count{provider=\"%s\"} "
		    "%llu\n",
		    p->name, count, p->name, p->sum, p->name, count);
	}
}

static void render_process(struct text *t, const struct carbon_metrics *m,
			   const struct carbon_metrics_process *proc)
{
	head(t, "carbon_redis_up", "gauge",
	     "1 when the last Redis command succeeded.");
	put(t, "carbon_redis_up %d\n", m->redis_up ? 1 : 0);
	head(t, "carbon_redis_writes_total", "counter",
	     "Records written to Redis.");
	put(t, "carbon_redis_writes_total %llu\n",
	    (unsigned long long)m->redis_writes);
	head(t, "carbon_redis_write_failures_total", "counter",
	     "Records Redis refused or did not answer for (kept in memory "
	     "and written again).");
	put(t, "carbon_redis_write_failures_total %llu\n",
	    (unsigned long long)m->redis_write_failures);
	head(t, "carbon_cached_build_info", "gauge",
	     "Always 1; the version of carbon-cached that serves this.");
	put(t, "carbon_cached_build_info{version=\"%s\"} 1\n",
	    CARBON_CACHE_VERSION);
	if (!proc || !proc->valid)
		return;
	head(t, "process_start_time_seconds", "gauge",
	     "Start time of the process since unix epoch in seconds.");
	put(t, "process_start_time_seconds %.3f\n", proc->start_time);
	head(t, "process_resident_memory_bytes", "gauge",
	     "Resident memory size in bytes.");
	put(t, "process_resident_memory_bytes %.0f\n", proc->resident_bytes);
	head(t, "process_cpu_seconds_total", "counter",
	     "Total user and system CPU time spent in seconds.");
	put(t, "process_cpu_seconds_total %.2f\n", proc->cpu_seconds);
}

int carbon_metrics_render(struct carbon_metrics *m, int64_t now,
			  const struct carbon_metrics_process *proc, char **out,
			  size_t *len)
{
	struct text t = {.s = malloc(8192), .cap = 8192};

	if (!m || !out || !len || !t.s) {
		free(t.s);
		return CARBON_ENOMEM;
	}
	t.s[0] = '\0';
	pthread_mutex_lock(&m->lock);
	render_zones(&t, m, now);
	render_providers(&t, m);
	render_process(&t, m, proc);
	pthread_mutex_unlock(&m->lock);
	if (t.failed) {
		free(t.s);
		return CARBON_ENOMEM;
	}
	*out = t.s;
	*len = t.len;
	return 0;
}

/* Append one line to buf, keeping it NUL-terminated; cut when full. */
static void why(char *buf, size_t len, size_t *used, const char *a,
		const char *b, const char *c)
{
	int n;

	if (!buf || *used + 1 >= len)
		return;
	n = snprintf(buf + *used, len - *used, "%s%s%s\n", a, b, c);
	if (n > 0)
		*used += (size_t)n < len - *used ? (size_t)n : len - *used - 1;
}

bool carbon_metrics_ready(struct carbon_metrics *m, char *buf, size_t len)
{
	size_t used = 0;
	bool ready;

	if (buf && len)
		buf[0] = '\0';
	if (!m)
		return false;
	pthread_mutex_lock(&m->lock);
	ready = m->redis_up;
	if (!m->redis_up)
		why(buf, len, &used, "redis: not reachable", "", "");
	for (size_t i = 0; i < m->n_zones; i++) {
		const struct carbon_metrics_zone *z = &m->zones[i].z;

		if (!z->has_record)
			why(buf, len, &used, "zone ", m->zones[i].name,
			    ": no data yet");
		else if (!z->written)
			why(buf, len, &used, "zone ", m->zones[i].name,
			    ": record not in Redis yet");
		ready = ready && z->has_record && z->written;
	}
	pthread_mutex_unlock(&m->lock);
	return ready;
}
