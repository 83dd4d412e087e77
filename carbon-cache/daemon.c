/*
 * daemon.c: the fetch-and-write loop of carbon-cached (see daemon.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "latest.h"
#include "log.h"
#include "server.h"
#include "store.h"

#define MSG_MAX	   512
#define SLICE_MS   100
#define ONCE_TRIES 3

struct daemon {
	const struct carbon_config *cfg;
	struct carbon_runtime *rt;
	struct carbon_metrics *m;
	struct carbon_store *store;
	struct carbon_latest *latest; /* for the forecast; NULL with once */
	struct carbon_forecast_api api;
	struct carbon_chain_env env;
	volatile sig_atomic_t *stop;
	bool once;
	bool adopted;	  /* looked for records in Redis already */
	bool down_logged; /* the current outage was logged */
	long backoff_ms;
	double next_connect; /* monotonic seconds */
	double last_command; /* monotonic seconds */
};

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall(void)
{
	return (int64_t)time(NULL);
}

static void sleep_until(struct daemon *d, double until)
{
	while (!*d->stop && mono() < until) {
		struct timespec ts = {0, SLICE_MS * 1000000L};

		nanosleep(&ts, NULL);
	}
}

/* ---- Redis ------------------------------------------------------------------ */

static void redis_down(struct daemon *d, const char *why)
{
	carbon_store_disconnect(d->store);
	carbon_metrics_redis_set(d->m, false);
	d->backoff_ms = carbon_store_backoff(d->backoff_ms);
	d->next_connect = mono() + (double)d->backoff_ms / 1000.0;
	for (size_t i = 0; i < d->rt->n_zones; i++)
		carbon_metrics_zone_written(d->m, i, false);
	if (!d->down_logged)
		carbon_log_error("%s; records are kept in memory and written "
				 "when Redis is back",
				 why);
	else
		carbon_log_verbose("%s; next try in %ld ms", why,
				   d->backoff_ms);
	d->down_logged = true;
}

static bool key_of(struct daemon *d, const struct carbon_zone *z, char *key,
		   size_t len)
{
	if (carbon_record_key_name(d->cfg->redis_key_prefix, z->name, key,
				   len)) {
		carbon_log_error("zone %s: Redis key too long", z->name);
		return false;
	}
	return true;
}

/* A copy of zone i's record for the HTTP thread (latest.h). */
static void publish(struct daemon *d, size_t i)
{
	const struct carbon_zone *z = &d->rt->zones[i];
	char msg[MSG_MAX];

	if (z->last &&
	    carbon_latest_publish(d->latest, i, z->last, msg, sizeof(msg)))
		carbon_log_error("zone %s: the forecast endpoint keeps its "
				 "earlier data: %s",
				 z->name, msg);
}

/* Records of an earlier run, as last good data (see daemon.h). */
static void adopt_all(struct daemon *d)
{
	char key[256], msg[MSG_MAX];

	for (size_t i = 0; i < d->rt->n_zones && carbon_store_is_up(d->store);
	     i++) {
		struct carbon_zone *z = &d->rt->zones[i];
		struct carbon_metrics_zone mz;
		char *val = NULL;
		size_t len = 0;

		if (z->last || !key_of(d, z, key, sizeof(key)))
			continue;
		if (carbon_store_get(d->store, key, &val, &len, msg,
				     sizeof(msg)))
			break;
		if (val && !carbon_chain_adopt(z, &d->env, val, len, msg,
					       sizeof(msg))) {
			carbon_log_info("zone %s: took the record already in "
					"Redis (from %s) as last good data",
					z->name, z->last->source);
			carbon_chain_zone_metrics(z, wall(), &mz);
			mz.written = true;
			carbon_metrics_zone_set(d->m, i, &mz);
			publish(d, i);
		} else if (val) {
			carbon_log_info(
				"zone %s: ignoring the record in Redis: "
				"%s",
				z->name, msg);
		}
		free(val);
	}
}

static void redis_connect(struct daemon *d)
{
	char msg[MSG_MAX];

	if (carbon_store_connect(d->store, msg, sizeof(msg))) {
		redis_down(d, msg);
		return;
	}
	if (d->cfg->redis_host[0] == '/')
		carbon_log_info("redis: connected to %s", d->cfg->redis_host);
	else
		carbon_log_info("redis: connected to %s:%d", d->cfg->redis_host,
				d->cfg->redis_port);
	d->down_logged = false;
	d->backoff_ms = 0;
	d->last_command = mono();
	carbon_metrics_redis_set(d->m, true);
	if (!d->adopted) {
		adopt_all(d);
		d->adopted = true;
		return;
	}
	/* a reconnect: Redis may have restarted empty, write everything */
	for (size_t i = 0; i < d->rt->n_zones; i++)
		if (d->rt->zones[i].bytes)
			d->rt->zones[i].dirty = true;
}

static void flush(struct daemon *d)
{
	char key[256], msg[MSG_MAX];

	for (size_t i = 0; i < d->rt->n_zones; i++) {
		struct carbon_zone *z = &d->rt->zones[i];

		if (!z->dirty || !z->bytes || !key_of(d, z, key, sizeof(key)))
			continue;
		if (carbon_store_set(d->store, key, z->bytes, z->len, msg,
				     sizeof(msg))) {
			carbon_metrics_redis_write_failed(d->m);
			redis_down(d, msg);
			return;
		}
		z->dirty = false;
		d->last_command = mono();
		carbon_metrics_redis_wrote(d->m);
		carbon_metrics_zone_written(d->m, i, true);
		carbon_log_debug("zone %s: wrote %zu bytes to %s", z->name,
				 z->len, key);
	}
}

static void redis_tick(struct daemon *d)
{
	char msg[MSG_MAX];

	if (!carbon_store_is_up(d->store) && mono() >= d->next_connect)
		redis_connect(d);
	if (!carbon_store_is_up(d->store))
		return;
	flush(d);
	if (carbon_store_is_up(d->store) &&
	    mono() - d->last_command >= CARBON_DAEMON_PING_EVERY) {
		if (carbon_store_ping(d->store, msg, sizeof(msg)))
			redis_down(d, msg);
		else
			d->last_command = mono();
	}
}

/* ---- refreshing --------------------------------------------------------------- */

static void log_outcome(const struct carbon_zone *z,
			enum carbon_chain_outcome o)
{
	const struct carbon_record *r = z->last;

	switch (o) {
	case CARBON_CHAIN_FRESH:
		carbon_log_verbose("zone %s: %zu points from %s", z->name,
				   r->n_points, r->source);
		break;
	case CARBON_CHAIN_FALLBACK:
		carbon_log_info("zone %s: served by %s (fallback=1)", z->name,
				r->source);
		break;
	case CARBON_CHAIN_STALE:
		carbon_log_error("zone %s: every provider failed; keeping the "
				 "record from %s, now stale (age %lld s)",
				 z->name, r->source,
				 (long long)carbon_record_age(r));
		break;
	case CARBON_CHAIN_NONE:
		carbon_log_error("zone %s: every provider failed and there is "
				 "no earlier record",
				 z->name);
		break;
	case CARBON_CHAIN_STOPPED:
		break;
	}
}

static enum carbon_chain_outcome refresh(struct daemon *d, size_t i,
					 int64_t now)
{
	struct carbon_zone *z = &d->rt->zones[i];
	enum carbon_chain_outcome o = CARBON_CHAIN_NONE;
	struct carbon_metrics_zone mz;
	int64_t retry;
	char msg[MSG_MAX];

	if (carbon_chain_refresh(z, &d->env, now, &o, msg, sizeof(msg))) {
		carbon_log_error("zone %s: %s", z->name, msg);
		o = CARBON_CHAIN_NONE;
	}
	log_outcome(z, o);
	publish(d, i);
	carbon_chain_zone_metrics(z, now, &mz);
	mz.written = z->bytes && !z->dirty;
	carbon_metrics_zone_set(d->m, i, &mz);
	retry = z->interval < CARBON_DAEMON_RETRY_MAX ? z->interval
						      : CARBON_DAEMON_RETRY_MAX;
	/* scheduled on the monotonic clock: a wall clock step must not stall
	 * or rush refreshes */
	z->next_due = (int64_t)mono() +
		      (o == CARBON_CHAIN_FRESH || o == CARBON_CHAIN_FALLBACK
			       ? z->interval
			       : retry);
	return o;
}

static void loop(struct daemon *d)
{
	while (!*d->stop) {
		int64_t tick = (int64_t)mono(), next = tick + 1;

		redis_tick(d);
		for (size_t i = 0; i < d->rt->n_zones && !*d->stop; i++) {
			if (d->rt->zones[i].next_due > tick)
				continue;
			refresh(d, i, wall());
			/* write each record as soon as it exists */
			if (carbon_store_is_up(d->store))
				flush(d);
		}
		for (size_t i = 0; i < d->rt->n_zones; i++)
			if (d->rt->zones[i].next_due < next)
				next = d->rt->zones[i].next_due;
		sleep_until(d, (double)next);
	}
}

/* --once: every zone once, one write, the exit status. */
static int once(struct daemon *d)
{
	bool ok = true;
	int64_t now;

	/* Connect first: the records already in Redis become the last good
	 * data, so a zone whose chain fails now is re-written stale. */
	for (int t = 0; t < ONCE_TRIES && !*d->stop; t++) {
		redis_tick(d);
		if (carbon_store_is_up(d->store))
			break;
		sleep_until(d, d->next_connect);
	}
	now = wall();
	for (size_t i = 0; i < d->rt->n_zones && !*d->stop; i++) {
		enum carbon_chain_outcome o = refresh(d, i, now);

		if (o != CARBON_CHAIN_FRESH && o != CARBON_CHAIN_FALLBACK)
			ok = false;
	}
	for (int t = 0; t < ONCE_TRIES && !*d->stop; t++) {
		redis_tick(d);
		if (carbon_store_is_up(d->store))
			break;
		sleep_until(d, d->next_connect);
	}
	for (size_t i = 0; i < d->rt->n_zones; i++) {
		const struct carbon_zone *z = &d->rt->zones[i];

		if (!z->bytes || z->dirty)
			ok = false;
		carbon_log_info("zone %s: %s", z->name,
				!z->bytes  ? "no record"
				: z->dirty ? "record not written to Redis"
				: z->last->fallback ? "written (fallback)"
						    : "written");
	}
	return ok && !*d->stop ? 0 : 1;
}

static int setup(struct daemon *d, char *err, size_t errlen)
{
	const struct carbon_config *cfg = d->cfg;
	const char *zones[CARBON_CONFIG_ZONES_MAX];
	struct carbon_store_options so = {
		.host = cfg->redis_host,
		.port = cfg->redis_port,
		.user = d->rt->redis_auth.user,
		.password = d->rt->redis_password,
		.timeout_ms = cfg->redis_timeout_ms,
	};

	for (size_t i = 0; i < d->rt->n_zones; i++)
		zones[i] = d->rt->zones[i].name;
	d->m = carbon_metrics_new(zones, d->rt->n_zones, d->rt->metric_names,
				  d->rt->n_metric_names);
	d->store = carbon_store_new(&so);
	if (!d->once)
		d->latest = carbon_latest_new(zones, d->rt->n_zones);
	if (!d->m || !d->store || (!d->once && !d->latest))
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory");
	d->api.cfg = cfg;
	d->api.latest = d->latest;
	carbon_runtime_env(d->rt, d->m, d->stop, &d->env);
	return 0;
}

/* MetricsListen, and ForecastListen when it is set (see server.h). */
static int start_servers(struct daemon *d, struct carbon_server **ops,
			 struct carbon_server **fc)
{
	const struct carbon_cache_conf *cc = d->rt->cc;
	bool own = cc->forecast.port > 0;
	struct carbon_server_conf mc = {
		.key = "MetricsListen",
		.host = cc->metrics.host,
		.port = cc->metrics.port,
		.metrics = d->m,
		.forecast = own ? NULL : &d->api,
	};
	struct carbon_server_conf fcc = {
		.key = "ForecastListen",
		.host = cc->forecast.host,
		.port = cc->forecast.port,
		.forecast = &d->api,
	};
	char msg[MSG_MAX];

	if (carbon_server_start(&mc, ops, msg, sizeof(msg)) ||
	    (own && carbon_server_start(&fcc, fc, msg, sizeof(msg)))) {
		carbon_log_error("%s", msg);
		return CARBON_EINVAL;
	}
	carbon_log_info("serving /metrics, /healthz, /readyz%s on %s",
			own ? "" : ", " CARBON_FORECAST_API_PATH,
			cc->metrics.text);
	if (own)
		carbon_log_info("serving " CARBON_FORECAST_API_PATH
				", /healthz on %s",
				cc->forecast.text);
	return 0;
}

int carbon_daemon_run(const struct carbon_config *cfg,
		      struct carbon_runtime *rt, bool once_only,
		      volatile sig_atomic_t *stop)
{
	struct daemon d = {
		.cfg = cfg, .rt = rt, .stop = stop, .once = once_only};
	struct carbon_server *server = NULL, *forecast = NULL;
	struct carbon_metrics_process proc;
	char msg[MSG_MAX];
	int status = 1;

	if (setup(&d, msg, sizeof(msg))) {
		carbon_log_error("%s", msg);
		goto out;
	}
	carbon_process_read(&proc); /* fixes the start time */
	if (!once_only && start_servers(&d, &server, &forecast))
		goto out;
	if (once_only) {
		status = once(&d);
	} else {
		loop(&d);
		status = 0;
	}
	carbon_log_info("stopping");
out:
	carbon_server_stop(forecast);
	carbon_server_stop(server);
	carbon_latest_free(d.latest); /* no server reads it any more */
	carbon_store_free(d.store);
	carbon_metrics_free(d.m);
	return status;
}
