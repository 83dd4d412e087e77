/*
 * carbon-cache/store.h: the Redis side of carbon-cached (hiredis).
 *
 * One blocking connection (TCP, or a Unix socket when RedisHost is an
 * absolute path) with RedisTimeout on connect and on every command, and
 * AUTH (password, or ACL user and password) right after connecting.  Any
 * I/O or protocol error drops the connection: the caller reconnects with
 * backoff (carbon_store_backoff()) and keeps its records in memory
 * meanwhile.  A record is written with one SET of the whole value, so a
 * reader sees the old record or the new one, never a mix.
 *
 * Ownership: carbon_store_new() copies the options (the password too; it
 * is wiped by carbon_store_free()).  Values returned by carbon_store_get()
 * are the caller's (free()).
 */
#ifndef CARBON_CACHE_STORE_H
#define CARBON_CACHE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "carbon/error.h"

struct carbon_store_options {
	const char *host; /* name, address, or absolute socket path */
	int port;
	const char *user;     /* NULL or "": no ACL user */
	const char *password; /* NULL or "": no AUTH */
	int timeout_ms;
};

struct carbon_store;

struct carbon_store *carbon_store_new(const struct carbon_store_options *o);
void carbon_store_free(struct carbon_store *s);

/* Connect and authenticate (drops any old connection).  0 or a negative
 * code with err saying why (never the password). */
int carbon_store_connect(struct carbon_store *s, char *err,
			 size_t errlen) CARBON_MUST_CHECK;
bool carbon_store_is_up(const struct carbon_store *s);
void carbon_store_disconnect(struct carbon_store *s);

int carbon_store_ping(struct carbon_store *s, char *err,
		      size_t errlen) CARBON_MUST_CHECK;
int carbon_store_set(struct carbon_store *s, const char *key, const char *val,
		     size_t len, char *err, size_t errlen) CARBON_MUST_CHECK;
/* *val is NULL (and 0 returned) when the key does not exist. */
int carbon_store_get(struct carbon_store *s, const char *key, char **val,
		     size_t *len, char *err, size_t errlen) CARBON_MUST_CHECK;

/* The next reconnect delay after prev_ms (0: the first), in ms:
 * 500 ms doubling to 30 s. */
long carbon_store_backoff(long prev_ms);

#endif
