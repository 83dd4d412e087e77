/*
 * carbon-cache/daemon.h: carbon-cached's loop.
 *
 * One thread fetches: zones are refreshed one after another when due (a
 * provider instance is never called from two threads), then every record
 * not yet in Redis is written.  Redis may come and go: records stay in
 * memory and are written when it is back (after a reconnect every record
 * is written again, since a restarted Redis may be empty).  At the first
 * connection, a zone's record already in Redis and signed by our key is
 * taken as its last good record.  The HTTP servers (server.h) run in
 * their own threads and only read the metrics and each zone's latest
 * record, a copy the loop publishes after every refresh (latest.h).
 *
 * The stop flag (set from SIGTERM/SIGINT) is checked between steps, by
 * every HTTP transfer and in every sleep, so the loop returns within
 * about RedisTimeout + 0.2 s.
 */
#ifndef CARBON_CACHE_DAEMON_H
#define CARBON_CACHE_DAEMON_H

#include <signal.h>
#include <stdbool.h>

#include "runtime.h"

/* After a failed refresh of every provider, retry at most this late. */
#define CARBON_DAEMON_RETRY_MAX 60
/* Redis is pinged when nothing was written for this long (seconds). */
#define CARBON_DAEMON_PING_EVERY 5

/*
 * Run until *stop (or, with once, after one refresh of every zone and one
 * write).  rt is built from cfg; the metrics server is started here.
 * Returns the process exit status: 0, or 1 when the server cannot start
 * or (once) some zone got no fresh or fallback record or could not be
 * written.
 */
int carbon_daemon_run(const struct carbon_config *cfg,
		      struct carbon_runtime *rt, bool once,
		      volatile sig_atomic_t *stop);

#endif
