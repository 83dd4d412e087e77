/*
 * carbon-cache/http.h: bounded HTTP GETs for the providers (libcurl).
 *
 * Every request has a connect timeout, a total timeout and a body cap; a
 * 429 or 5xx answer is retried with exponential backoff that honours
 * Retry-After (capped); a stop flag set from the SIGTERM handler aborts a
 * transfer in flight within ~100 ms.  Headers and basic-auth credentials
 * are never logged.
 *
 * Ownership: carbon_http_new() returns a client the caller frees with
 * carbon_http_free(); a response body belongs to the response and is freed
 * by carbon_http_response_clear().
 */
#ifndef CARBON_CACHE_HTTP_H
#define CARBON_CACHE_HTTP_H

#include <signal.h>
#include <stddef.h>

struct carbon_http;

struct carbon_http_limits {
	long connect_timeout_ms; /* default 5000 */
	long total_timeout_ms;	 /* default 10000; per attempt */
	size_t body_max;	 /* default 8 MiB */
	int retries;		 /* default 2 (3 attempts) */
	long backoff_ms;	 /* default 500, doubled per retry */
	long retry_after_max_ms; /* default 30000 */
};

struct carbon_http_request {
	const char *url;
	const char *const
		*headers; /* "Name: value", NULL-terminated; may be NULL */
	const char *basic_user; /* HTTP basic auth; NULL: none */
	const char *basic_password;
};

struct carbon_http_response {
	long status; /* HTTP status of the last attempt; 0: no answer */
	char *body;  /* NUL-terminated; NULL when none */
	size_t len;
	int attempts;
	double seconds; /* wall time of all attempts */
};

struct carbon_http *carbon_http_new(const struct carbon_http_limits *limits,
				    const volatile sig_atomic_t *stop);
void carbon_http_free(struct carbon_http *h);

/*
 * GET req->url.  Returns 0 for a 2xx answer within the limits; otherwise a
 * negative CARBON_E* with err saying what happened ("HTTP 401",
 * "timed out after 10 s", "body over 8 MiB", "stopped").  *resp is filled
 * in both cases (status, attempts) and must be cleared by the caller.
 */
int carbon_http_get(struct carbon_http *h,
		    const struct carbon_http_request *req,
		    struct carbon_http_response *resp, char *err,
		    size_t errlen);

void carbon_http_response_clear(struct carbon_http_response *resp);

/*
 * A Retry-After header value (RFC 9110: delay-seconds or an HTTP-date) as
 * milliseconds from now (seconds since the epoch); a date in the past is
 * 0.  Returns 0 with *ms set, or CARBON_EINVAL for anything else (the
 * caller then uses its own backoff).  Exposed for the unit tests.
 */
int carbon_http_retry_after_ms(const char *value, long long now, long *ms);

#endif
