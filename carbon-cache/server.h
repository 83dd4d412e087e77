/*
 * carbon-cache/server.h: the operations endpoint of carbon-cached
 * (libmicrohttpd, its own thread), bound to MetricsListen:
 *   GET /metrics   Prometheus text format (metrics.h)
 *   GET /healthz   200 "ok" while the process runs
 *   GET /readyz    200 "ready" when Redis is up and every zone's record
 *                  (fresh, or stale but served) is in Redis; else 503
 *                  with one line per missing piece
 * Anything else is 404; methods other than GET and HEAD are 405.
 *
 * Ownership: the server borrows the metrics, which must outlive it.
 */
#ifndef CARBON_CACHE_SERVER_H
#define CARBON_CACHE_SERVER_H

#include <stddef.h>

#include "metrics.h"

struct carbon_server;

/* Listen on host:port (an IPv4/IPv6 address or a name).  Returns 0 with
 * *out set, or a negative code with err naming the address. */
int carbon_server_start(const char *host, int port, struct carbon_metrics *m,
			struct carbon_server **out, char *err,
			size_t errlen) CARBON_MUST_CHECK;

/* Stop serving and join the thread; NULL is a no-op. */
void carbon_server_stop(struct carbon_server *s);

/* This process's resident memory and CPU time from /proc/self/stat, and
 * its start time: the wall clock at the first call (carbon_daemon_run()
 * makes it at start-up; /proc/stat may be hidden by ProcSubset=pid). */
void carbon_process_read(struct carbon_metrics_process *out);

#endif
