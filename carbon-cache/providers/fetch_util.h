/*
 * carbon-cache/providers/fetch_util.h: the HTTP providers' fetch-side
 * helpers: URLs with escaped parameters, one GET with its failures turned
 * into the messages an admin acts on, secrets that may go into a header,
 * and times in the forms the APIs take.
 *
 * Small and used by every provider file, so they are static inline here
 * rather than a library of their own.  Nothing here logs; a secret (a
 * token, a password) never reaches a message: callers pass it to
 * provider_get(), which blanks it out of anything libcurl said.
 */
#ifndef CARBON_CACHE_PROVIDERS_FETCH_UTIL_H
#define CARBON_CACHE_PROVIDERS_FETCH_UTIL_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/error.h"
#include "carbon/timeparse.h"
#include "http.h"
#include "secret.h"

#define PROVIDER_URL_MAX 2048
#define PROVIDER_WHO_MAX 160
#define PROVIDER_BEARER	 "Authorization: Bearer "

/* A URL being built; overflow is sticky and reported by url_done(). */
struct provider_url {
	char buf[PROVIDER_URL_MAX];
	size_t len;
	bool overflow;
	bool query;
};

static inline void url_raw(struct provider_url *u, const char *s, size_t n)
{
	if (u->overflow || n >= sizeof(u->buf) - u->len) {
		u->overflow = true;
		return;
	}
	memcpy(u->buf + u->len, s, n);
	u->len += n;
	u->buf[u->len] = '\0';
}

/* s percent-encoded: everything but RFC 3986's unreserved characters. */
static inline void url_escaped(struct provider_url *u, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			url_raw(u, s, 1);
		else
			url_raw(u, e, 3);
	}
}

/* base (trailing '/' dropped) + "/" + path; path "" leaves base alone. */
static inline void url_start(struct provider_url *u, const char *base,
			     const char *path)
{
	size_t n = strlen(base);

	u->len = 0;
	u->buf[0] = '\0';
	u->overflow = false;
	u->query = false;
	while (n && base[n - 1] == '/')
		n--;
	url_raw(u, base, n);
	if (*path) {
		url_raw(u, "/", 1);
		url_raw(u, path, strlen(path));
	}
}

static inline void url_param(struct provider_url *u, const char *key,
			     const char *value)
{
	url_raw(u, u->query ? "&" : "?", 1);
	u->query = true;
	url_raw(u, key, strlen(key));
	url_raw(u, "=", 1);
	url_escaped(u, value);
}

static inline int url_done(const struct provider_url *u, const char *who,
			   char *err, size_t errlen)
{
	if (u->overflow)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: URL longer than %d bytes", who,
					PROVIDER_URL_MAX - 1);
	return 0;
}

/* Overwrite every copy of secret in s with '*' (secrets of 4+ bytes). */
static inline void provider_redact(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *p;

	if (n < 4)
		return;
	while ((p = strstr(s, secret)))
		memset(p, '*', n);
}

/*
 * GET req.  0 with a non-empty resp->body, or a negative code with err
 * "WHO: token rejected (HTTP 401)", "WHO: rate limited (HTTP 429) after 3
 * attempts", "WHO: server error (HTTP 503) after 3 attempts", "WHO: no
 * answer: timed out after 10.0 s", "WHO: HTTP 404", "WHO: empty answer".
 * resp->status stays readable; the caller clears resp in every case.
 */
static inline int provider_get(struct carbon_http *http,
			       const struct carbon_http_request *req,
			       const char *who, const char *secret,
			       struct carbon_http_response *resp, char *err,
			       size_t errlen)
{
	char why[256] = "";
	long st;
	int rc = carbon_http_get(http, req, resp, why, sizeof(why));

	provider_redact(why, secret);
	st = resp->status;
	if (rc == 0 && (!resp->body || resp->len == 0))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: empty answer (HTTP %ld)", who, st);
	if (rc == 0)
		return 0;
	rc = rc < 0 ? rc : CARBON_EINVAL;
	if (st == 401 || st == 403)
		return carbon_error_set(err, errlen, rc,
					"%s: token rejected (HTTP %ld)", who,
					st);
	if (st == 429)
		return carbon_error_set(err, errlen, rc,
					"%s: rate limited (HTTP 429) after %d "
					"attempt%s",
					who, resp->attempts,
					resp->attempts == 1 ? "" : "s");
	if (st >= 500)
		return carbon_error_set(err, errlen, rc,
					"%s: server error (HTTP %ld) after %d "
					"attempt%s",
					who, st, resp->attempts,
					resp->attempts == 1 ? "" : "s");
	if (st == 0)
		return carbon_error_set(err, errlen, rc, "%s: no answer: %s",
					who, why[0] ? why : "unknown error");
	if (st >= 200 && st < 300)
		return carbon_error_set(err, errlen, rc, "%s: %s", who,
					why[0] ? why : "bad answer");
	return carbon_error_set(err, errlen, rc, "%s: HTTP %ld", who, st);
}

/*
 * provider_get() of url, with the header hdr_name + secret when both are
 * given and secret is not empty (PROVIDER_BEARER, "auth-token: "); the
 * header is wiped after the call.  A secret without hdr_name (a token in
 * the query) is only blanked out of messages.  *status gets the last HTTP
 * status; the caller clears resp in every case.
 */
static inline int provider_get_url(struct carbon_http *http, const char *url,
				   const char *hdr_name, const char *secret,
				   const char *who,
				   struct carbon_http_response *resp,
				   long *status, char *err, size_t errlen)
{
	const char *headers[2] = {NULL, NULL};
	struct carbon_http_request req = {.url = url, .headers = headers};
	char *hdr = NULL;
	size_t n = 0;
	int rc;

	if (hdr_name && secret && *secret) {
		n = strlen(hdr_name) + strlen(secret) + 1;
		hdr = malloc(n);
		if (!hdr)
			return carbon_error_set(err, errlen, CARBON_ENOMEM,
						"%s: out of memory", who);
		snprintf(hdr, n, "%s%s", hdr_name, secret);
		headers[0] = hdr;
	}
	rc = provider_get(http, &req, who, secret, resp, err, errlen);
	if (hdr) {
		carbon_secret_wipe(hdr, n);
		free(hdr);
	}
	if (status)
		*status = resp->status;
	return rc;
}

/* err = "WHO: " + msg, without msg's own "PROV: " prefix. */
static inline int provider_fail(int rc, const char *who, const char *prov,
				const char *msg, char *err, size_t errlen)
{
	size_t n = strlen(prov);

	if (!strncmp(msg, prov, n) && msg[n] == ':' && msg[n + 1] == ' ')
		msg += n + 2;
	return carbon_error_set(err, errlen, rc, "%s: %s", who, msg);
}

/*
 * Read a secret for a header or a query: printable ASCII without spaces
 * (a CR or LF would forge a header).  A password (HTTP basic, which
 * libcurl encodes) may hold spaces and UTF-8, never control bytes.  what
 * names it in messages ("TokenFile"); the secret itself never appears.
 */
static inline int provider_secret_load(const char *prov, const char *what,
				       const char *path, char *buf, size_t size,
				       bool password, char *err, size_t errlen)
{
	char why[256];
	size_t len = 0;
	int rc = carbon_secret_read(path, buf, size, &len, why, sizeof(why));

	if (rc)
		return carbon_error_set(err, errlen, rc, "%s: %s: %s", prov,
					what, why);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if (password ? c < 0x20 || c == 0x7f : c < 0x21 || c > 0x7e) {
			carbon_secret_wipe(buf, size);
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"%s: %s %s: byte %zu is %s",
						prov, what, path, i + 1,
						password
							? "a control byte"
							: "not printable "
							  "ASCII (or a space)");
		}
	}
	return 0;
}

/* Room for any time provider_time() writes (the compiler counts int). */
#define PROVIDER_TIME_BUF 80

enum provider_time_form {
	PROVIDER_TIME_SECONDS, /* 2024-01-02T03:04:05Z */
	PROVIDER_TIME_MINUTES, /* 2024-01-02T03:04Z */
	PROVIDER_TIME_COMPACT, /* 202401020304 (ENTSO-E) */
};

/* t in UTC as form; "" and CARBON_ERANGE for t outside 0..9999. */
static inline int provider_time(int64_t t, enum provider_time_form form,
				char *buf, size_t size)
{
	struct tm tm;
	int y, n;

	buf[0] = '\0';
	if (t < 0 || t > CARBON_TIME_MAX || carbon_time_to_utc_tm(t, &tm))
		return CARBON_ERANGE;
	y = tm.tm_year + 1900;
	if (form == PROVIDER_TIME_SECONDS)
		n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			     tm.tm_sec);
	else if (form == PROVIDER_TIME_MINUTES)
		n = snprintf(buf, size, "%04d-%02d-%02dT%02d:%02dZ", y,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	else
		n = snprintf(buf, size, "%04d%02d%02d%02d%02d", y,
			     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min);
	return n < 0 || n >= (int)size ? CARBON_ETOOLONG : 0;
}

#endif
