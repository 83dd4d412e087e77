/*
 * server.c: /metrics, /healthz, /readyz and the forecast over
 * libmicrohttpd (see server.h).
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server.h"

#if MHD_VERSION < 0x00097002
typedef int carbon_mhd_result;
#else
typedef enum MHD_Result carbon_mhd_result;
#endif

#define CONNECTIONS_MAX	   32
#define CONNECTION_TIMEOUT 10 /* seconds */
#define READY_TEXT_MAX	   4096

struct carbon_server {
	struct MHD_Daemon *d;
	struct carbon_metrics *m;		    /* NULL: not served here */
	const struct carbon_forecast_api *forecast; /* NULL: likewise */
};

/* Extra headers of one answer (NULL: none). */
struct headers {
	const char *allow;
	const char *stale;
	int retry_after;
};

static carbon_mhd_result reply_with(struct MHD_Connection *c, unsigned status,
				    char *body, size_t len, const char *type,
				    const struct headers *h)
{
	struct MHD_Response *r;
	carbon_mhd_result ret;
	char retry[16];

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (h && h->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, h->allow);
	if (h && h->stale && h->stale[0])
		MHD_add_response_header(r, "X-Carbon-Stale", h->stale);
	if (h && h->retry_after > 0) {
		snprintf(retry, sizeof(retry), "%d", h->retry_after);
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry);
	}
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static carbon_mhd_result reply(struct MHD_Connection *c, unsigned status,
			       char *body, size_t len, const char *type)
{
	return reply_with(c, status, body, len, type, NULL);
}

static carbon_mhd_result reply_text(struct MHD_Connection *c, unsigned status,
				    const char *text)
{
	char *body = strdup(text);

	if (!body)
		return MHD_NO;
	return reply(c, status, body, strlen(body),
		     "text/plain; charset=utf-8");
}

static carbon_mhd_result serve_metrics(struct carbon_server *s,
				       struct MHD_Connection *c)
{
	struct carbon_metrics_process proc;
	char *body = NULL;
	size_t len = 0;

	carbon_process_read(&proc);
	if (carbon_metrics_render(s->m, (int64_t)time(NULL), &proc, &body,
				  &len))
		return reply_text(c, 500, "out of memory\n");
	return reply(c, MHD_HTTP_OK, body, len,
		     "text/plain; version=0.0.4; charset=utf-8");
}

static carbon_mhd_result serve_ready(struct carbon_server *s,
				     struct MHD_Connection *c)
{
	char why[READY_TEXT_MAX];

	if (carbon_metrics_ready(s->m, why, sizeof(why)))
		return reply_text(c, MHD_HTTP_OK, "ready\n");
	return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, why);
}

/* The query, as MHD decoded it; bounded. */
struct query {
	struct carbon_forecast_arg args[CARBON_FORECAST_API_ARGS_MAX];
	size_t n;
	bool too_many;
};

static carbon_mhd_result take_arg(void *cls, enum MHD_ValueKind kind,
				  const char *key, size_t klen,
				  const char *value, size_t vlen)
{
	struct query *q = cls;

	(void)kind;
	if (q->n == CARBON_FORECAST_API_ARGS_MAX) {
		q->too_many = true;
		return MHD_NO;
	}
	q->args[q->n++] = (struct carbon_forecast_arg){key, klen, value, vlen};
	return MHD_YES;
}

static carbon_mhd_result send_forecast(struct MHD_Connection *c,
				       struct carbon_forecast_reply *fr)
{
	struct headers h = {.stale = fr->stale,
			    .retry_after = fr->retry_after,
			    .allow = fr->status == 405 ? "GET" : NULL};
	carbon_mhd_result ret =
		reply_with(c, fr->status, fr->body, fr->len, fr->type, &h);

	fr->body = NULL; /* the response took it */
	return ret;
}

static carbon_mhd_result serve_forecast(struct carbon_server *s,
					struct MHD_Connection *c,
					const char *method)
{
	struct carbon_forecast_reply fr = {0};
	struct query q = {.n = 0};
	int rc;

	if (strcmp(method, "GET")) {
		rc = carbon_forecast_api_problem(
			405, NULL, "the forecast takes GET only", &fr);
	} else {
		MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, take_arg,
					    &q);
		rc = carbon_forecast_api_answer(s->forecast, q.args, q.n,
						q.too_many, (int64_t)time(NULL),
						&fr);
	}
	if (rc)
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	return send_forecast(c, &fr);
}

static carbon_mhd_result not_found(struct carbon_server *s,
				   struct MHD_Connection *c)
{
	char text[160];

	snprintf(text, sizeof(text), "carbon-cached serves %s%s%s here\n",
		 s->m ? "/metrics, /readyz, " : "", "/healthz",
		 s->forecast ? ", " CARBON_FORECAST_API_PATH : "");
	return reply_text(c, MHD_HTTP_NOT_FOUND, text);
}

static carbon_mhd_result handle(void *cls, struct MHD_Connection *c,
				const char *url, const char *method,
				const char *version, const char *upload,
				size_t *upload_size, void **con_cls)
{
	struct carbon_server *s = cls;

	(void)version, (void)upload, (void)con_cls;
	if (*upload_size)
		return MHD_NO; /* we take no bodies */
	if (s->forecast && !strcmp(url, CARBON_FORECAST_API_PATH))
		return serve_forecast(s, c, method);
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "GET or HEAD only\n");
	if (s->m && !strcmp(url, "/metrics"))
		return serve_metrics(s, c);
	if (!strcmp(url, "/healthz"))
		return reply_text(c, MHD_HTTP_OK, "ok\n");
	if (s->m && !strcmp(url, "/readyz"))
		return serve_ready(s, c);
	return not_found(s, c);
}

int carbon_server_start(const struct carbon_server_conf *conf,
			struct carbon_server **out, char *err, size_t errlen)
{
	const char *host = conf->host, *key = conf->key;
	int port = conf->port;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE};
	struct addrinfo *ai = NULL;
	struct carbon_server *s;
	char service[16];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	int rc;

	snprintf(service, sizeof(service), "%d", port);
	rc = getaddrinfo(host, service, &hints, &ai);
	if (rc)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s %s:%d: %s", key, host, port,
					gai_strerror(rc));
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(ai);
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"out of memory");
	}
	s->m = conf->metrics;
	s->forecast = conf->forecast;
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, (uint16_t)port, NULL, NULL, handle, s,
		MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)CONNECTION_TIMEOUT, MHD_OPTION_END);
	freeaddrinfo(ai);
	if (!s->d) {
		free(s);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s %s:%d: cannot listen "
					"(address in use or not local?)",
					key, host, port);
	}
	*out = s;
	return 0;
}

void carbon_server_stop(struct carbon_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}

void carbon_process_read(struct carbon_metrics_process *out)
{
	static double start_time;
	char buf[1024], *p;
	unsigned long long utime, stime;
	long long rss;
	long ticks = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	size_t n;
	FILE *f;

	memset(out, 0, sizeof(*out));
	f = fopen("/proc/self/stat", "re");
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (!p || ticks <= 0 ||
	    sscanf(p + 2,
		   "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
		   "%*d %*d %*d %*d %*d %*d %*u %*u %lld",
		   &utime, &stime, &rss) != 3)
		return;
	if (!start_time) { /* the first call, at start-up (daemon.c) */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		start_time = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
	out->valid = true;
	out->start_time = start_time;
	out->cpu_seconds = (double)(utime + stime) / (double)ticks;
	out->resident_bytes = (double)rss * (double)page;
}
