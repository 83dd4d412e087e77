/*
 * carbon-cache/providers/fetch_util.h: the HTTP providers' fetch-side
 * helpers: URLs with escaped parameters, one GET with its failures turned
 * into the messages an admin acts on, secrets that may go into a header,
 * and times in the forms the APIs take (fetch_util.c).
 *
 * Nothing here logs; a secret (a token, a password) never reaches a
 * message: callers pass it to carbon_provider_get(), which blanks it out
 * of anything libcurl said.
 */
#ifndef CARBON_CACHE_PROVIDERS_FETCH_UTIL_H
#define CARBON_CACHE_PROVIDERS_FETCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"
#include "http.h"
#include "secret.h" /* callers keep and wipe the secrets they load */

#define PROVIDER_URL_MAX 2048
#define PROVIDER_WHO_MAX 160
#define PROVIDER_BEARER	 "Authorization: Bearer "

/* A URL being built; overflow is sticky and reported by carbon_provider_url_done(). */
struct carbon_provider_url {
	char buf[PROVIDER_URL_MAX];
	size_t len;
	bool overflow;
	bool query;
};

/* Room for any time carbon_provider_time() writes (the compiler counts int). */
#define PROVIDER_TIME_BUF 80

enum provider_time_form {
	PROVIDER_TIME_SECONDS, /* 2024-01-02T03:04:05Z */
	PROVIDER_TIME_MINUTES, /* 2024-01-02T03:04Z */
	PROVIDER_TIME_COMPACT, /* 202401020304 (ENTSO-E) */
};

/* Append n bytes of s as they are. */
void carbon_provider_url_raw(struct carbon_provider_url *u, const char *s,
			     size_t n);

/* s percent-encoded: everything but RFC 3986's unreserved characters. */
void carbon_provider_url_escaped(struct carbon_provider_url *u, const char *s);

/* base (trailing '/' dropped) + "/" + path; path "" leaves base alone. */
void carbon_provider_url_start(struct carbon_provider_url *u, const char *base,
			       const char *path);

void carbon_provider_url_param(struct carbon_provider_url *u, const char *key,
			       const char *value);

int carbon_provider_url_done(const struct carbon_provider_url *u,
			     const char *who, char *err, size_t errlen);

/* Overwrite every copy of secret in s with '*' (secrets of 4+ bytes). */
void carbon_provider_redact(char *s, const char *secret);

/*
 * GET req.  0 with a non-empty resp->body, or a negative code with err
 * "WHO: token rejected (HTTP 401)", "WHO: rate limited (HTTP 429) after 3
 * attempts", "WHO: server error (HTTP 503) after 3 attempts", "WHO: no
 * answer: timed out after 10.0 s", "WHO: HTTP 404", "WHO: empty answer".
 * resp->status stays readable; the caller clears resp in every case.
 */
int carbon_provider_get(struct carbon_http *http,
			const struct carbon_http_request *req, const char *who,
			const char *secret, struct carbon_http_response *resp,
			char *err, size_t errlen);

/*
 * carbon_provider_get() of url, with the header hdr_name + secret when both are
 * given and secret is not empty (PROVIDER_BEARER, "auth-token: "); the
 * header is wiped after the call.  A secret without hdr_name (a token in
 * the query) is only blanked out of messages.  *status gets the last HTTP
 * status; the caller clears resp in every case.
 */
int carbon_provider_get_url(struct carbon_http *http, const char *url,
			    const char *hdr_name, const char *secret,
			    const char *who, struct carbon_http_response *resp,
			    long *status, char *err, size_t errlen);

/* err = "WHO: " + msg, without msg's own "PROV: " prefix. */
int carbon_provider_fail(int rc, const char *who, const char *prov,
			 const char *msg, char *err, size_t errlen);

/*
 * Read a secret for a header or a query: printable ASCII without spaces
 * (a CR or LF would forge a header).  A password (HTTP basic, which
 * libcurl encodes) may hold spaces and UTF-8, never control bytes.  what
 * names it in messages ("TokenFile"); the secret itself never appears.
 */
int carbon_provider_secret_load(const char *prov, const char *what,
				const char *path, char *buf, size_t size,
				bool password, char *err, size_t errlen);

/* t in UTC as form; "" and CARBON_ERANGE for t outside 0..9999. */
int carbon_provider_time(int64_t t, enum provider_time_form form, char *buf,
			 size_t size);

#endif
