/*
 * http.c: bounded HTTP GETs over libcurl (see http.h).
 *
 * One easy handle is driven through a multi handle, so the wait for data
 * is a curl_multi_poll() of at most POLL_MS: the stop flag (set by the
 * SIGTERM handler) is seen within that time even when a server accepts
 * the connection and never answers.  The transfer callback checks it too,
 * so curl itself aborts a transfer in progress.  Retries sleep in short
 * slices for the same reason.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "carbon/error.h"
#include "http.h"

#define POLL_MS		100
#define SLEEP_SLICE_MS	50
#define RETRY_AFTER_BUF 64
#define USER_AGENT	"carbon-cached/" CARBON_CACHE_VERSION
#ifndef CARBON_CACHE_VERSION
#define CARBON_CACHE_VERSION "0.1.0"
#endif

struct carbon_http {
	CURLM *multi;
	CURL *easy;
	struct carbon_http_limits lim;
	const volatile sig_atomic_t *stop;
};

/* What one attempt collects through the callbacks. */
struct attempt {
	struct carbon_http *h;
	char *body;
	size_t len, cap;
	bool too_big;
	char retry_after[RETRY_AFTER_BUF];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static bool stopped(const struct carbon_http *h)
{
	return h->stop && *h->stop;
}

static void limits_resolve(struct carbon_http_limits *l,
			   const struct carbon_http_limits *in)
{
	static const struct carbon_http_limits defaults = {
		.connect_timeout_ms = 5000,
		.total_timeout_ms = 10000,
		.body_max = 8u << 20,
		.retries = 2,
		.backoff_ms = 500,
		.retry_after_max_ms = 30000,
	};

	*l = defaults;
	if (!in)
		return;
	if (in->connect_timeout_ms > 0)
		l->connect_timeout_ms = in->connect_timeout_ms;
	if (in->total_timeout_ms > 0)
		l->total_timeout_ms = in->total_timeout_ms;
	if (in->body_max > 0)
		l->body_max = in->body_max;
	if (in->retries >= 0 && in->retries <= 10)
		l->retries = in->retries;
	if (in->backoff_ms > 0)
		l->backoff_ms = in->backoff_ms;
	if (in->retry_after_max_ms > 0)
		l->retry_after_max_ms = in->retry_after_max_ms;
}

struct carbon_http *carbon_http_new(const struct carbon_http_limits *limits,
				    const volatile sig_atomic_t *stop)
{
	struct carbon_http *h;

	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK)
		return NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	limits_resolve(&h->lim, limits);
	h->stop = stop;
	h->multi = curl_multi_init();
	h->easy = curl_easy_init();
	if (!h->multi || !h->easy) {
		carbon_http_free(h);
		return NULL;
	}
	return h;
}

void carbon_http_free(struct carbon_http *h)
{
	if (!h)
		return;
	if (h->easy)
		curl_easy_cleanup(h->easy);
	if (h->multi)
		curl_multi_cleanup(h->multi);
	free(h);
}

void carbon_http_response_clear(struct carbon_http_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* ---- callbacks ------------------------------------------------------------ */

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct attempt *a = userdata;
	size_t add = size * n;

	if (add > a->h->lim.body_max - a->len) {
		a->too_big = true;
		return 0; /* curl fails the transfer with CURLE_WRITE_ERROR */
	}
	if (a->len + add + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 16384;
		char *p;

		while (cap < a->len + add + 1)
			cap *= 2;
		p = realloc(a->body, cap);
		if (!p)
			return 0;
		a->body = p;
		a->cap = cap;
	}
	memcpy(a->body + a->len, data, add);
	a->len += add;
	a->body[a->len] = '\0';
	return add;
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	static const char name[] = "retry-after:";
	struct attempt *a = userdata;
	size_t len = size * n, k = sizeof(name) - 1, end;

	if (len > k && !strncasecmp(data, name, k)) {
		while (k < len && (data[k] == ' ' || data[k] == '\t'))
			k++;
		end = len;
		while (end > k && isspace((unsigned char)data[end - 1]))
			end--;
		if (end - k < sizeof(a->retry_after)) {
			memcpy(a->retry_after, data + k, end - k);
			a->retry_after[end - k] = '\0';
		}
	}
	return len;
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	const struct attempt *a = userdata;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stopped(a->h); /* non-zero aborts the transfer */
}

/* ---- one attempt ------------------------------------------------------------ */

static struct curl_slist *header_list(const struct carbon_http_request *req,
				      bool *failed)
{
	struct curl_slist *list = NULL, *next;

	*failed = false;
	for (size_t i = 0; req->headers && req->headers[i]; i++) {
		next = curl_slist_append(list, req->headers[i]);
		if (!next) {
			*failed = true;
			break;
		}
		list = next;
	}
	return list;
}

static void set_options(struct carbon_http *h,
			const struct carbon_http_request *req,
			struct curl_slist *headers, struct attempt *a,
			char *errbuf)
{
	CURL *e = h->easy;

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 h->lim.connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->lim.total_timeout_ms);
	/* No redirects: libcurl would send our custom credential headers
	 * (auth-token, Bearer) and query tokens on to another host.  The
	 * providers' APIs answer directly; a 3xx is reported as an error. */
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS,
			 CURLPROTO_HTTP | CURLPROTO_HTTPS);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
			 CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	if (req->basic_user) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, req->basic_user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
				 req->basic_password ? req->basic_password
						     : "");
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, a);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
}

/* Drive the transfer, polling so that the stop flag is seen quickly. */
static CURLcode drive(struct carbon_http *h)
{
	CURLcode result = CURLE_OK;
	CURLMsg *msg;
	int running = 1, left;

	if (curl_multi_add_handle(h->multi, h->easy) != CURLM_OK)
		return CURLE_FAILED_INIT;
	while (running) {
		if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
			result = CURLE_FAILED_INIT;
			break;
		}
		if (stopped(h)) {
			result = CURLE_ABORTED_BY_CALLBACK;
			running = 0;
			break;
		}
		if (running && curl_multi_poll(h->multi, NULL, 0, POLL_MS,
					       NULL) != CURLM_OK) {
			result = CURLE_FAILED_INIT;
			break;
		}
	}
	while ((msg = curl_multi_info_read(h->multi, &left)))
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == h->easy &&
		    result == CURLE_OK)
			result = msg->data.result;
	curl_multi_remove_handle(h->multi, h->easy);
	return result;
}

static int transport_error(const struct carbon_http *h, CURLcode rc,
			   const struct attempt *a, const char *errbuf,
			   char *err, size_t errlen)
{
	if (stopped(h) || rc == CURLE_ABORTED_BY_CALLBACK)
		return carbon_error_set(err, errlen, CARBON_EINVAL, "stopped");
	if (a->too_big)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"body over %zu bytes", h->lim.body_max);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"timed out after %.1f s",
					h->lim.total_timeout_ms / 1000.0);
	if (rc == CURLE_WRITE_ERROR)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory for the body");
	/* curl's message names the host, never the path or the query */
	return carbon_error_set(err, errlen, CARBON_EINVAL, "%s",
				errbuf[0] ? errbuf : curl_easy_strerror(rc));
}

/*
 * One attempt.  Returns 0 for a 2xx answer; otherwise a negative code with
 * err set, and *retry_ms >= 0 when a retry makes sense (-1: do not retry).
 */
static int attempt_once(struct carbon_http *h,
			const struct carbon_http_request *req,
			struct carbon_http_response *resp, long *retry_ms,
			char *err, size_t errlen)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct attempt a = {.h = h};
	struct curl_slist *headers;
	bool failed;
	CURLcode rc;
	long status = 0;
	int ret = 0;

	*retry_ms = -1;
	headers = header_list(req, &failed);
	if (failed) {
		curl_slist_free_all(headers);
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory for the headers");
	}
	set_options(h, req, headers, &a, errbuf);
	rc = drive(h);
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	resp->status = status;
	free(resp->body);
	resp->body = a.body;
	resp->len = a.len;
	if (rc != CURLE_OK) {
		ret = transport_error(h, rc, &a, errbuf, err, errlen);
		if (!stopped(h) && !a.too_big &&
		    (rc == CURLE_COULDNT_CONNECT || rc == CURLE_RECV_ERROR ||
		     rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING))
			*retry_ms = 0;
		return ret;
	}
	if (status >= 200 && status < 300)
		return 0;
	if (status == 429 || status >= 500) {
		*retry_ms = 0;
		if ((status == 429 || status == 503) &&
		    carbon_http_retry_after_ms(a.retry_after,
					       (long long)time(NULL),
					       retry_ms) == 0 &&
		    *retry_ms > h->lim.retry_after_max_ms)
			*retry_ms = h->lim.retry_after_max_ms;
	}
	return carbon_error_set(err, errlen, CARBON_EINVAL, "HTTP %ld", status);
}

/* Sleep ms in slices; false when the stop flag cut it short. */
static bool pause_ms(const struct carbon_http *h, long ms)
{
	while (ms > 0 && !stopped(h)) {
		long slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
		struct timespec ts = {slice / 1000, (slice % 1000) * 1000000L};

		while (nanosleep(&ts, &ts) && errno == EINTR && !stopped(h))
			;
		ms -= slice;
	}
	return !stopped(h);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int carbon_http_get(struct carbon_http *h,
		    const struct carbon_http_request *req,
		    struct carbon_http_response *resp, char *err, size_t errlen)
{
	struct timespec t0;
	long retry_ms = -1, backoff;
	int rc = CARBON_EINVAL;

	if (!resp)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"http: bad arguments");
	memset(resp, 0, sizeof(*resp));
	if (!h || !req || !req->url)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"http: bad arguments");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	backoff = h->lim.backoff_ms;
	for (int i = 0; i <= h->lim.retries; i++) {
		if (stopped(h)) {
			rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					      "stopped");
			break;
		}
		resp->attempts = i + 1;
		rc = attempt_once(h, req, resp, &retry_ms, err, errlen);
		if (rc == 0 || retry_ms < 0 || i == h->lim.retries)
			break;
		if (!pause_ms(h, retry_ms > 0 ? retry_ms : backoff))
			break;
		if (backoff < LONG_MAX / 2)
			backoff *= 2;
	}
	resp->seconds = elapsed(&t0);
	return rc;
}

int carbon_http_retry_after_ms(const char *value, long long now, long *ms)
{
	char *end;
	long long secs;
	time_t when;

	if (!value || !ms || !*value)
		return CARBON_EINVAL;
	if (isdigit((unsigned char)value[0])) {
		errno = 0;
		secs = strtoll(value, &end, 10);
		if (errno || *end || secs < 0 || secs > LONG_MAX / 1000)
			return CARBON_EINVAL;
		*ms = (long)secs * 1000;
		return 0;
	}
	/* IMF-fixdate and the obsolete forms, as curl reads cookie dates */
	when = curl_getdate(value, NULL);
	if (when == (time_t)-1)
		return CARBON_EINVAL;
	secs = (long long)when - now;
	if (secs > LONG_MAX / 1000)
		return CARBON_EINVAL;
	*ms = secs > 0 ? (long)secs * 1000 : 0;
	return 0;
}
