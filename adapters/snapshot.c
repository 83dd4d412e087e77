/*
 * The plugins' zone snapshot; the contract is in snapshot.h.  Redis I/O
 * happens only in refresh(), never under the lock readers take.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "carbon/error.h"
#include "carbon/record.h"
#include "hmac.h"
#include "secret.h"
#include "snapshot.h"

struct slot {
	char zone[CARBON_CONFIG_NAME_BUF];
	char key[CARBON_CONFIG_NAME_BUF * 2 + 8];
	carbon_series *series; /* owned; swapped under the write lock */
	struct carbon_snapshot_zone info;
};

struct carbon_snapshot {
	pthread_rwlock_t lock; /* guards slots[].series and .info */
	struct slot *slots;
	size_t n;

	pthread_mutex_t wake_lock; /* guards stop, running, stats */
	pthread_cond_t wake;
	pthread_t thread;
	bool running;
	bool stop;
	struct carbon_snapshot_stats stats;

	redisContext *redis; /* refresh thread only */
	char host[CARBON_CONFIG_HOST_MAX + 1];
	int port;
	char user[CARBON_CONFIG_NAME_BUF];
	char password[CARBON_SECRET_MAX + 1];
	bool has_password;
	struct timeval timeout;
	char key[CARBON_SECRET_MAX + 1];
	size_t keylen;
	char key_id[CARBON_CONFIG_NAME_BUF];
	bool has_key;
	/* the secret files, read again at each refresh until both are read */
	char key_file[CARBON_CONFIG_PATH_MAX + 1];
	char password_file[CARBON_CONFIG_PATH_MAX + 1];
	int64_t interval;

	carbon_log_fn *log;
	void *log_ctx;
};

static void logf_(struct carbon_snapshot *s, enum carbon_log_level lvl,
		  const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void logf_(struct carbon_snapshot *s, enum carbon_log_level lvl,
		  const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!s->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->log(lvl, msg, s->log_ctx);
}

static void count(struct carbon_snapshot *s, uint64_t *field)
{
	pthread_mutex_lock(&s->wake_lock);
	(*field)++;
	pthread_mutex_unlock(&s->wake_lock);
}

/*
 * Read the HMAC key and the Redis password while either is missing: at
 * creation and again at every refresh, so that a fixed permission takes
 * effect without a restart.  A failure is an error in the log each time
 * (every decision uses the fallbacks meanwhile) and counted.
 */
static bool read_secrets(struct carbon_snapshot *s)
{
	char err[512];
	size_t len;

	if (!s->key_file[0]) {
		logf_(s, CARBON_LOG_ERROR,
		      "HmacKeyFile is not set: records cannot be verified; "
		      "every decision uses the configured fallbacks");
		count(s, &s->stats.secret_errors);
		return false;
	}
	if (!s->has_key &&
	    carbon_secret_read(s->key_file, s->key, sizeof(s->key), &s->keylen,
			       err, sizeof(err)))
		goto fail;
	s->has_key = true;
	if (!s->password_file[0] || s->has_password)
		return true;
	if (carbon_secret_read(s->password_file, s->password,
			       sizeof(s->password), &len, err, sizeof(err)))
		goto fail;
	s->has_password = true;
	return true;
fail:
	logf_(s, CARBON_LOG_ERROR,
	      "cannot read a secret: %s; no carbon data is read and every "
	      "decision uses the configured fallbacks until it can be (tried "
	      "again at every refresh)",
	      err);
	count(s, &s->stats.secret_errors);
	return false;
}

static int init_slots(struct carbon_snapshot *s,
		      const struct carbon_config *cfg, char *err, size_t errlen)
{
	s->slots = calloc(cfg->n_zones ? cfg->n_zones : 1, sizeof(*s->slots));
	if (!s->slots)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"snapshot: out of memory");
	for (size_t i = 0; i < cfg->n_zones; i++) {
		struct slot *z = &s->slots[i];
		int rc;

		snprintf(z->zone, sizeof(z->zone), "%s", cfg->zones[i].name);
		rc = carbon_record_key_name(cfg->redis_key_prefix, z->zone,
					    z->key, sizeof(z->key));
		if (rc)
			return carbon_error_set(err, errlen, rc,
						"snapshot: no Redis key for "
						"zone %s",
						z->zone);
		s->n++;
	}
	return 0;
}

struct carbon_snapshot *carbon_snapshot_new(const struct carbon_config *cfg,
					    carbon_log_fn *log, void *log_ctx,
					    char *err, size_t errlen)
{
	struct carbon_config_redis_auth auth;
	struct carbon_snapshot *s;

	if (!cfg) {
		(void)!carbon_error_set(err, errlen, CARBON_EINVAL,
					"snapshot: no configuration");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		(void)!carbon_error_set(err, errlen, CARBON_ENOMEM,
					"snapshot: out of memory");
		return NULL;
	}
	pthread_rwlock_init(&s->lock, NULL);
	pthread_mutex_init(&s->wake_lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	s->log = log;
	s->log_ctx = log_ctx;
	snprintf(s->host, sizeof(s->host), "%s", cfg->redis_host);
	carbon_config_redis_auth(cfg, CARBON_CONFIG_REDIS_READER, &auth);
	snprintf(s->user, sizeof(s->user), "%s", auth.user);
	snprintf(s->key_id, sizeof(s->key_id), "%s", cfg->hmac_key_id);
	s->port = cfg->redis_port;
	s->timeout.tv_sec = cfg->redis_timeout_ms / 1000;
	s->timeout.tv_usec = (cfg->redis_timeout_ms % 1000) * 1000;
	s->interval = cfg->snapshot_refresh > 0 ? cfg->snapshot_refresh : 60;
	snprintf(s->key_file, sizeof(s->key_file), "%s", cfg->hmac_key_file);
	snprintf(s->password_file, sizeof(s->password_file), "%s",
		 auth.password_file);
	if (init_slots(s, cfg, err, errlen)) {
		carbon_snapshot_free(s);
		return NULL;
	}
	return s;
}

static void disconnect(struct carbon_snapshot *s)
{
	if (s->redis)
		redisFree(s->redis);
	s->redis = NULL;
}

static bool auth(struct carbon_snapshot *s)
{
	redisReply *r;
	bool ok;

	if (!s->has_password)
		return true;
	if (s->user[0])
		r = redisCommand(s->redis, "AUTH %s %s", s->user, s->password);
	else
		r = redisCommand(s->redis, "AUTH %s", s->password);
	ok = r && r->type == REDIS_REPLY_STATUS;
	if (!ok)
		logf_(s, CARBON_LOG_ERROR, "Redis %s:%d refused AUTH%s%s",
		      s->host, s->port, r && r->str ? ": " : "",
		      r && r->str ? r->str : "");
	if (r)
		freeReplyObject(r);
	return ok;
}

static bool connect_redis(struct carbon_snapshot *s)
{
	if (s->redis)
		return true;
	if (s->host[0] == '/')
		s->redis = redisConnectUnixWithTimeout(s->host, s->timeout);
	else
		s->redis =
			redisConnectWithTimeout(s->host, s->port, s->timeout);
	if (!s->redis || s->redis->err) {
		logf_(s, CARBON_LOG_ERROR, "cannot reach Redis at %s:%d: %s",
		      s->host, s->port,
		      s->redis ? s->redis->errstr : "no memory");
		disconnect(s);
		return false;
	}
	if (redisSetTimeout(s->redis, s->timeout) != REDIS_OK || !auth(s)) {
		disconnect(s);
		return false;
	}
	return true;
}

/* Check and decode one GET answer into a series; NULL when rejected. */
static carbon_series *accept_record(struct carbon_snapshot *s,
				    const struct slot *z, const char *buf,
				    size_t len,
				    struct carbon_snapshot_zone *info)
{
	struct carbon_record *rec = NULL;
	carbon_series *series = NULL;
	size_t signed_len = 0;
	char err[256];

	if (carbon_record_decode(buf, len, &rec, &signed_len, err,
				 sizeof(err))) {
		logf_(s, CARBON_LOG_ERROR, "zone %s: bad record in %s: %s",
		      z->zone, z->key, err);
		return NULL;
	}
	if (strcmp(rec->zone, z->zone) || strcmp(rec->key_id, s->key_id) ||
	    !carbon_hmac_verify(s->key, s->keylen, buf, signed_len, rec->sig)) {
		logf_(s, CARBON_LOG_ERROR, "zone %s: record in %s rejected: %s",
		      z->zone, z->key,
		      strcmp(rec->zone, z->zone) ? "it is for another zone"
		      : strcmp(rec->key_id, s->key_id)
			      ? "signed with another key id"
			      : "signature does not verify");
	} else if (carbon_record_to_series(rec, NULL, &series, err,
					   sizeof(err))) {
		logf_(s, CARBON_LOG_ERROR, "zone %s: %s", z->zone, err);
	} else {
		info->fetched_at = rec->fetched_at;
		info->record_stale = rec->stale;
		info->record_fallback = rec->fallback;
	}
	carbon_record_free(rec);
	return series;
}

/* Swap a zone's series in; the old one is freed outside the lock. */
static void install(struct carbon_snapshot *s, struct slot *z,
		    carbon_series *series, struct carbon_snapshot_zone info)
{
	carbon_series *old;

	pthread_rwlock_wrlock(&s->lock);
	old = z->series;
	z->series = series;
	info.series = series;
	z->info = info;
	pthread_rwlock_unlock(&s->lock);
	carbon_series_free(old);
}

static void refresh_zone(struct carbon_snapshot *s, struct slot *z)
{
	struct carbon_snapshot_zone info = {0};
	carbon_series *series = NULL;
	redisReply *r;

	r = redisCommand(s->redis, "GET %s", z->key);
	if (!r) {
		count(s, &s->stats.redis_errors);
		logf_(s, CARBON_LOG_ERROR, "Redis GET %s failed: %s", z->key,
		      s->redis->errstr);
		disconnect(s);
		return;
	}
	if (r->type == REDIS_REPLY_NIL) {
		count(s, &s->stats.missing);
		logf_(s, CARBON_LOG_VERBOSE, "zone %s: no record at %s yet",
		      z->zone, z->key);
	} else if (r->type == REDIS_REPLY_ERROR) {
		/* e.g. NOPERM: the ACL user may not GET this key */
		count(s, &s->stats.redis_errors);
		logf_(s, CARBON_LOG_ERROR, "zone %s: Redis refused GET %s: %s",
		      z->zone, z->key, r->str ? r->str : "(no message)");
	} else if (r->type != REDIS_REPLY_STRING) {
		count(s, &s->stats.rejected);
		logf_(s, CARBON_LOG_ERROR, "zone %s: %s is not a string",
		      z->zone, z->key);
	} else {
		series = accept_record(s, z, r->str, r->len, &info);
		count(s, series ? &s->stats.loaded : &s->stats.rejected);
	}
	freeReplyObject(r);
	if (series) {
		info.loaded_at = (int64_t)time(NULL);
		if (info.fetched_at != z->info.fetched_at)
			logf_(s, CARBON_LOG_INFO,
			      "zone %s: new data fetched at %lld, %zu "
			      "points%s%s",
			      z->zone, (long long)info.fetched_at,
			      carbon_series_count(series),
			      info.record_stale ? ", stale" : "",
			      info.record_fallback
				      ? ", from a fallback provider"
				      : "");
		install(s, z, series, info);
	}
}

/*
 * One pass over the zones.  A connection that breaks during the pass (Redis
 * restarted since the last one) is re-opened once at once, rather than
 * waiting a whole interval with the data going older.
 */
int carbon_snapshot_refresh(struct carbon_snapshot *s)
{
	bool was_connected;

	if (!s)
		return CARBON_EINVAL;
	if (!read_secrets(s)) {
		pthread_mutex_lock(&s->wake_lock);
		s->stats.refreshes++;
		pthread_mutex_unlock(&s->wake_lock);
		return CARBON_EINVAL;
	}
	for (int attempt = 0; attempt < 2; attempt++) {
		was_connected = s->redis != NULL;
		if (!connect_redis(s)) {
			count(s, &s->stats.redis_errors);
			break;
		}
		for (size_t i = 0; i < s->n && s->redis; i++)
			refresh_zone(s, &s->slots[i]);
		if (s->redis || !was_connected)
			break;
	}
	pthread_mutex_lock(&s->wake_lock);
	s->stats.refreshes++;
	if (s->redis)
		s->stats.last_ok = (int64_t)time(NULL);
	pthread_mutex_unlock(&s->wake_lock);
	return s->redis ? 0 : CARBON_EINVAL;
}

static void *refresh_thread(void *arg)
{
	struct carbon_snapshot *s = arg;

	for (;;) {
		struct timespec until;

		(void)carbon_snapshot_refresh(s);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += s->interval;
		pthread_mutex_lock(&s->wake_lock);
		while (!s->stop &&
		       pthread_cond_timedwait(&s->wake, &s->wake_lock,
					      &until) != ETIMEDOUT)
			;
		if (s->stop) {
			pthread_mutex_unlock(&s->wake_lock);
			break;
		}
		pthread_mutex_unlock(&s->wake_lock);
	}
	disconnect(s);
	return NULL;
}

int carbon_snapshot_start(struct carbon_snapshot *s, char *err, size_t errlen)
{
	int rc = 0;

	if (!s)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"snapshot: NULL");
	pthread_mutex_lock(&s->wake_lock);
	if (s->running)
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "snapshot: refresh thread already "
				      "running");
	else if ((rc = pthread_create(&s->thread, NULL, refresh_thread, s)))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "snapshot: cannot start thread: %s",
				      strerror(rc));
	else
		s->running = true;
	pthread_mutex_unlock(&s->wake_lock);
	return rc;
}

void carbon_snapshot_free(struct carbon_snapshot *s)
{
	bool join;

	if (!s)
		return;
	pthread_mutex_lock(&s->wake_lock);
	join = s->running;
	s->stop = true;
	pthread_cond_broadcast(&s->wake);
	pthread_mutex_unlock(&s->wake_lock);
	if (join)
		pthread_join(s->thread, NULL);
	disconnect(s);
	for (size_t i = 0; i < s->n; i++)
		carbon_series_free(s->slots[i].series);
	free(s->slots);
	carbon_secret_wipe(s->key, sizeof(s->key));
	carbon_secret_wipe(s->password, sizeof(s->password));
	pthread_rwlock_destroy(&s->lock);
	pthread_mutex_destroy(&s->wake_lock);
	pthread_cond_destroy(&s->wake);
	free(s);
}

void carbon_snapshot_read_lock(struct carbon_snapshot *s)
{
	pthread_rwlock_rdlock(&s->lock);
}

void carbon_snapshot_read_unlock(struct carbon_snapshot *s)
{
	pthread_rwlock_unlock(&s->lock);
}

bool carbon_snapshot_zone_peek(const struct carbon_snapshot *s,
			       const char *zone,
			       struct carbon_snapshot_zone *out)
{
	for (size_t i = 0; s && zone && i < s->n; i++) {
		if (strcasecmp(s->slots[i].zone, zone))
			continue;
		*out = s->slots[i].info;
		out->series = s->slots[i].series;
		return true;
	}
	return false;
}

void carbon_snapshot_stats_get(struct carbon_snapshot *s,
			       struct carbon_snapshot_stats *out)
{
	pthread_mutex_lock(&s->wake_lock);
	*out = s->stats;
	pthread_mutex_unlock(&s->wake_lock);
}
