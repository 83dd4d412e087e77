/*
 * carbon-cache/server.h: carbon-cached's HTTP endpoints (libmicrohttpd,
 * one thread per listening address).  MetricsListen serves operations:
 *   GET /metrics   Prometheus text format (metrics.h)
 *   GET /healthz   200 "ok" while the process runs
 *   GET /readyz    200 "ready" when Redis is up and every zone's record
 *                  (fresh, or stale but served) is in Redis; else 503
 *                  with one line per missing piece
 * and the Carbon Aware SDK's GET /emissions/forecasts/current
 * (forecast_api.h), unless ForecastListen gives the forecast an address
 * of its own, where only it and /healthz are served: a site can then open
 * the forecast to users and keep /metrics to itself.
 * Anything else is 404; methods other than GET and HEAD are 405, and the
 * forecast takes GET only.
 *
 * Ownership: the server borrows the metrics and the forecast api, which
 * must outlive it.
 */
#ifndef CARBON_CACHE_SERVER_H
#define CARBON_CACHE_SERVER_H

#include <stddef.h>

#include "forecast_api.h"
#include "metrics.h"

struct carbon_server;

/* What one listening address serves. */
struct carbon_server_conf {
	const char *key; /* its carbon.conf key, for messages */
	const char *host;
	int port;
	struct carbon_metrics *metrics; /* NULL: no /metrics, /readyz */
	const struct carbon_forecast_api *forecast; /* NULL: no forecast */
};

/* Listen on c->host:c->port (an IPv4/IPv6 address or a name).  Returns
 * 0 with *out set, or a negative code with err naming the key and the
 * address. */
int carbon_server_start(const struct carbon_server_conf *c,
			struct carbon_server **out, char *err,
			size_t errlen) CARBON_MUST_CHECK;

/* Stop serving and join the thread; NULL is a no-op. */
void carbon_server_stop(struct carbon_server *s);

/* This process's resident memory and CPU time from /proc/self/stat, and
 * its start time: the wall clock at the first call (carbon_daemon_run()
 * makes it at start-up; /proc/stat may be hidden by ProcSubset=pid). */
void carbon_process_read(struct carbon_metrics_process *out);

#endif
