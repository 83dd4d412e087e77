/*
 * fetch_util.c: the HTTP providers' fetch-side helpers (fetch_util.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/timeparse.h"
#include "fetch_util.h"

void carbon_provider_url_raw(struct carbon_provider_url *u, const char *s,
			     size_t n)
{
	if (u->overflow || n >= sizeof(u->buf) - u->len) {
		u->overflow = true;
		return;
	}
	memcpy(u->buf + u->len, s, n);
	u->len += n;
	u->buf[u->len] = '\0';
}

void carbon_provider_url_escaped(struct carbon_provider_url *u, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = {'%', hex[c >> 4], hex[c & 15]};

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			carbon_provider_url_raw(u, s, 1);
		else
			carbon_provider_url_raw(u, e, 3);
	}
}

void carbon_provider_url_start(struct carbon_provider_url *u, const char *base,
			       const char *path)
{
	size_t n = strlen(base);

	u->len = 0;
	u->buf[0] = '\0';
	u->overflow = false;
	u->query = false;
	while (n && base[n - 1] == '/')
		n--;
	carbon_provider_url_raw(u, base, n);
	if (*path) {
		carbon_provider_url_raw(u, "/", 1);
		carbon_provider_url_raw(u, path, strlen(path));
	}
}

void carbon_provider_url_param(struct carbon_provider_url *u, const char *key,
			       const char *value)
{
	carbon_provider_url_raw(u, u->query ? "&" : "?", 1);
	u->query = true;
	carbon_provider_url_raw(u, key, strlen(key));
	carbon_provider_url_raw(u, "=", 1);
	carbon_provider_url_escaped(u, value);
}

int carbon_provider_url_done(const struct carbon_provider_url *u,
			     const char *who, char *err, size_t errlen)
{
	if (u->overflow)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: URL longer than %d bytes", who,
					PROVIDER_URL_MAX - 1);
	return 0;
}

void carbon_provider_redact(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *p;

	if (n < 4)
		return;
	while ((p = strstr(s, secret)))
		memset(p, '*', n);
}

int carbon_provider_get(struct carbon_http *http,
			const struct carbon_http_request *req, const char *who,
			const char *secret, struct carbon_http_response *resp,
			char *err, size_t errlen)
{
	char why[256] = "";
	long st;
	int rc = carbon_http_get(http, req, resp, why, sizeof(why));

	carbon_provider_redact(why, secret);
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

int carbon_provider_get_url(struct carbon_http *http, const char *url,
			    const char *hdr_name, const char *secret,
			    const char *who, struct carbon_http_response *resp,
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
	rc = carbon_provider_get(http, &req, who, secret, resp, err, errlen);
	if (hdr) {
		carbon_secret_wipe(hdr, n);
		free(hdr);
	}
	if (status)
		*status = resp->status;
	return rc;
}

int carbon_provider_fail(int rc, const char *who, const char *prov,
			 const char *msg, char *err, size_t errlen)
{
	size_t n = strlen(prov);

	if (!strncmp(msg, prov, n) && msg[n] == ':' && msg[n + 1] == ' ')
		msg += n + 2;
	return carbon_error_set(err, errlen, rc, "%s: %s", who, msg);
}

int carbon_provider_secret_load(const char *prov, const char *what,
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

int carbon_provider_time(int64_t t, enum provider_time_form form, char *buf,
			 size_t size)
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
