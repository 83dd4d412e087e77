/*
 * store.c: Redis through hiredis (see store.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include <hiredis/hiredis.h>

#include "secret.h"
#include "store.h"

#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS	 30000

struct carbon_store {
	redisContext *c;
	char *host;
	int port;
	char *user;
	char *password;
	int timeout_ms;
};

static char *dup_or_null(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

struct carbon_store *carbon_store_new(const struct carbon_store_options *o)
{
	struct carbon_store *s;

	if (!o || !o->host || !*o->host)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->host = strdup(o->host);
	s->user = dup_or_null(o->user);
	s->password = dup_or_null(o->password);
	s->port = o->port;
	s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 500;
	if (!s->host || (o->user && *o->user && !s->user) ||
	    (o->password && *o->password && !s->password)) {
		carbon_store_free(s);
		return NULL;
	}
	return s;
}

void carbon_store_free(struct carbon_store *s)
{
	if (!s)
		return;
	carbon_store_disconnect(s);
	if (s->password) {
		carbon_secret_wipe(s->password, strlen(s->password));
		free(s->password);
	}
	free(s->user);
	free(s->host);
	free(s);
}

void carbon_store_disconnect(struct carbon_store *s)
{
	if (s && s->c) {
		redisFree(s->c);
		s->c = NULL;
	}
}

bool carbon_store_is_up(const struct carbon_store *s)
{
	return s && s->c;
}

/* The reply of a command in *out, or a negative code with err set; a lost
 * connection is dropped (a context with an error cannot be used again). */
static int checked(struct carbon_store *s, void *reply, redisReply **out,
		   char *err, size_t errlen)
{
	redisReply *r = reply;
	int rc;

	*out = NULL;
	if (!r) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL, "redis: %s",
				      s->c->errstr[0] ? s->c->errstr
						      : "connection lost");
		carbon_store_disconnect(s);
		return rc;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL, "redis: %.*s",
				      (int)r->len, r->str);
		freeReplyObject(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int authenticate(struct carbon_store *s, char *err, size_t errlen)
{
	redisReply *r = NULL;

	if (!s->password)
		return 0;
	int rc;

	if (s->user)
		rc = checked(
			s,
			redisCommand(s->c, "AUTH %s %s", s->user, s->password),
			&r, err, errlen);
	else
		rc = checked(s, redisCommand(s->c, "AUTH %s", s->password), &r,
			     err, errlen);
	freeReplyObject(r);
	return rc;
}

int carbon_store_connect(struct carbon_store *s, char *err, size_t errlen)
{
	struct timeval tv;
	int rc;

	if (!s)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"redis: no store");
	carbon_store_disconnect(s);
	tv.tv_sec = s->timeout_ms / 1000;
	tv.tv_usec = (s->timeout_ms % 1000) * 1000;
	if (s->host[0] == '/')
		s->c = redisConnectUnixWithTimeout(s->host, tv);
	else
		s->c = redisConnectWithTimeout(s->host, s->port, tv);
	if (!s->c)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"redis: out of memory");
	if (s->c->err) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "redis %s:%d: %s", s->host, s->port,
				      s->c->errstr);
		carbon_store_disconnect(s);
		return rc;
	}
	if (redisSetTimeout(s->c, tv) != REDIS_OK) {
		carbon_store_disconnect(s);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"redis: cannot set the timeout");
	}
	rc = authenticate(s, err, errlen);
	if (!rc)
		rc = carbon_store_ping(s, err, errlen);
	if (rc)
		carbon_store_disconnect(s);
	return rc;
}

int carbon_store_ping(struct carbon_store *s, char *err, size_t errlen)
{
	redisReply *r = NULL;
	int rc;

	if (!carbon_store_is_up(s))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"redis: not connected");
	rc = checked(s, redisCommand(s->c, "PING"), &r, err, errlen);
	freeReplyObject(r);
	return rc;
}

int carbon_store_set(struct carbon_store *s, const char *key, const char *val,
		     size_t len, char *err, size_t errlen)
{
	redisReply *r = NULL;
	int rc;

	if (!carbon_store_is_up(s))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"redis: not connected");
	rc = checked(s, redisCommand(s->c, "SET %s %b", key, val, len), &r, err,
		     errlen);
	freeReplyObject(r);
	return rc;
}

int carbon_store_get(struct carbon_store *s, const char *key, char **val,
		     size_t *len, char *err, size_t errlen)
{
	redisReply *r;
	int rc = 0;

	*val = NULL;
	*len = 0;
	if (!carbon_store_is_up(s))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"redis: not connected");
	rc = checked(s, redisCommand(s->c, "GET %s", key), &r, err, errlen);
	if (rc)
		return rc;
	if (r->type == REDIS_REPLY_STRING) {
		*val = malloc(r->len + 1);
		if (*val) {
			memcpy(*val, r->str, r->len);
			(*val)[r->len] = '\0';
			*len = r->len;
		} else {
			rc = carbon_error_set(err, errlen, CARBON_ENOMEM,
					      "redis: out of memory");
		}
	}
	freeReplyObject(r);
	return rc;
}

long carbon_store_backoff(long prev_ms)
{
	if (prev_ms <= 0)
		return BACKOFF_FIRST_MS;
	return prev_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : prev_ms * 2;
}
