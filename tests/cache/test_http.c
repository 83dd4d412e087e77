/*
 * Unit tests for carbon-cache/http.c: Retry-After parsing, and GETs
 * against a scripted server on the loopback interface (in a thread of the
 * test): a body, the body cap, a 503 with Retry-After retried once, a 404
 * not retried, a 429 answered until retries run out, the stop flag
 * abandoning a transfer the server never answers, and only http/https.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbon/error.h"
#include "http.h"

static void test_retry_after(void **state)
{
	long ms = -1;

	(void)state;
	assert_int_equal(carbon_http_retry_after_ms("120", 0, &ms), 0);
	assert_int_equal(ms, 120000);
	assert_int_equal(carbon_http_retry_after_ms("0", 0, &ms), 0);
	assert_int_equal(ms, 0);
	/* 1994-11-06T08:49:37Z is 784111777 */
	assert_int_equal(
		carbon_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT",
					   784111770, &ms),
		0);
	assert_int_equal(ms, 7000);
	assert_int_equal(
		carbon_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT",
					   784111800, &ms),
		0);
	assert_int_equal(ms, 0); /* in the past: now */
	assert_int_not_equal(carbon_http_retry_after_ms("", 0, &ms), 0);
	assert_int_not_equal(carbon_http_retry_after_ms("-5", 0, &ms), 0);
	assert_int_not_equal(carbon_http_retry_after_ms("12s", 0, &ms), 0);
	assert_int_not_equal(carbon_http_retry_after_ms("soon", 0, &ms), 0);
	assert_int_not_equal(
		carbon_http_retry_after_ms("99999999999999999999", 0, &ms), 0);
	assert_int_not_equal(carbon_http_retry_after_ms(NULL, 0, &ms), 0);
}

/* ---- a scripted server ---------------------------------------------------------- */

#define SCRIPT_MAX 8

struct answer {
	const char *head; /* status line and headers, without the blank line */
	size_t body_len;  /* bytes of 'x' */
	bool hang;	  /* read the request, answer nothing */
};

struct server {
	int fd;
	int port;
	pthread_t thread;
	struct answer script[SCRIPT_MAX];
	int n, served;
	volatile bool quit;
};

static void answer(int c, const struct answer *a, volatile bool *quit)
{
	char req[4096], head[512];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(req) - 1 &&
	       (r = read(c, req + n, sizeof(req) - 1 - n)) > 0) {
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (a->hang) {
		while (!*quit)
			usleep(10000);
		return;
	}
	snprintf(head, sizeof(head),
		 "%s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 a->head, a->body_len);
	if (write(c, head, strlen(head)) < 0)
		return;
	for (size_t i = 0; i < a->body_len; i += 1024) {
		char chunk[1024];
		size_t k = a->body_len - i < 1024 ? a->body_len - i : 1024;

		memset(chunk, 'x', k);
		if (write(c, chunk, k) < 0)
			return;
	}
}

static void *serve(void *arg)
{
	struct server *s = arg;

	while (!s->quit && s->served < s->n) {
		int c = accept(s->fd, NULL, NULL);

		if (c < 0)
			break;
		answer(c, &s->script[s->served++], &s->quit);
		close(c);
	}
	return NULL;
}

static struct server *server_start(const struct answer *script, int n)
{
	struct server *s = calloc(1, sizeof(*s));
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);

	assert_non_null(s);
	memcpy(s->script, script, (size_t)n * sizeof(*script));
	s->n = n;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(s->fd >= 0);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 8), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &len), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
	return s;
}

static void server_stop(struct server *s)
{
	s->quit = true;
	shutdown(s->fd, SHUT_RDWR);
	pthread_join(s->thread, NULL);
	close(s->fd);
	free(s);
}

static int get(struct carbon_http *h, const struct server *s,
	       struct carbon_http_response *resp, char *err, size_t errlen)
{
	char url[64];
	const char *headers[] = {"auth-token: secret", NULL};
	struct carbon_http_request req = {.url = url, .headers = headers};

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v3/x?zone=ES", s->port);
	return carbon_http_get(h, &req, resp, err, errlen);
}

static const struct carbon_http_limits fast = {
	.connect_timeout_ms = 2000,
	.total_timeout_ms = 5000,
	.body_max = 4096,
	.retries = 2,
	.backoff_ms = 10,
	.retry_after_max_ms = 3000,
};

static void test_body(void **state)
{
	struct answer script[] = {
		{.head = "HTTP/1.1 200 OK", .body_len = 4000}};
	struct server *s = server_start(script, 1);
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.len, 4000);
	assert_int_equal(strlen(resp.body), 4000);
	assert_int_equal(resp.attempts, 1);
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_body_cap(void **state)
{
	struct answer script[] = {
		{.head = "HTTP/1.1 200 OK", .body_len = 5000}};
	struct server *s = server_start(script, 1);
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), CARBON_ETOOLONG);
	assert_string_equal(err, "body over 4096 bytes");
	assert_int_equal(resp.attempts, 1); /* not retried */
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_retry_after_503(void **state)
{
	struct answer script[] = {
		{.head = "HTTP/1.1 503 Busy\r\nRetry-After: 1"},
		{.head = "HTTP/1.1 200 OK", .body_len = 2},
	};
	struct server *s = server_start(script, 2);
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), 0);
	assert_int_equal(resp.attempts, 2);
	assert_true(resp.seconds >= 0.9); /* it waited as told */
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_404_not_retried(void **state)
{
	struct answer script[] = {
		{.head = "HTTP/1.1 404 Not Found", .body_len = 3}};
	struct server *s = server_start(script, 1);
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), CARBON_EINVAL);
	assert_string_equal(err, "HTTP 404");
	assert_int_equal(resp.status, 404);
	assert_int_equal(resp.attempts, 1);
	assert_non_null(resp.body); /* the error body is kept */
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_429_until_retries_run_out(void **state)
{
	struct answer script[] = {
		{.head = "HTTP/1.1 429 Too Many"},
		{.head = "HTTP/1.1 429 Too Many"},
		{.head = "HTTP/1.1 429 Too Many"},
	};
	struct server *s = server_start(script, 3);
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), CARBON_EINVAL);
	assert_string_equal(err, "HTTP 429");
	assert_int_equal(resp.attempts, 3);
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

struct stopper {
	volatile sig_atomic_t *flag;
	int after_ms;
};

static void *set_stop(void *arg)
{
	struct stopper *st = arg;

	usleep((useconds_t)st->after_ms * 1000);
	*st->flag = 1;
	return NULL;
}

static void test_stop_abandons_hanging_transfer(void **state)
{
	struct answer script[] = {{.hang = true}};
	struct server *s = server_start(script, 1);
	volatile sig_atomic_t stop = 0;
	struct carbon_http *h = carbon_http_new(&fast, &stop);
	struct stopper st = {.flag = &stop, .after_ms = 300};
	struct carbon_http_response resp;
	pthread_t t;
	char err[256] = "";

	(void)state;
	pthread_create(&t, NULL, set_stop, &st);
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), CARBON_EINVAL);
	pthread_join(t, NULL);
	assert_string_equal(err, "stopped");
	assert_true(resp.seconds < 1.0); /* not the 5 s timeout */
	assert_int_equal(resp.attempts, 1);
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_timeout(void **state)
{
	struct answer script[] = {{.hang = true}};
	struct server *s = server_start(script, 1);
	struct carbon_http_limits lim = fast;
	struct carbon_http *h;
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	lim.total_timeout_ms = 300;
	h = carbon_http_new(&lim, NULL);
	assert_int_equal(get(h, s, &resp, err, sizeof(err)), CARBON_EINVAL);
	assert_string_equal(err, "timed out after 0.3 s");
	assert_int_equal(resp.attempts, 1); /* a timeout is not retried */
	carbon_http_response_clear(&resp);
	carbon_http_free(h);
	server_stop(s);
}

static void test_only_http(void **state)
{
	struct carbon_http *h = carbon_http_new(&fast, NULL);
	struct carbon_http_request req = {.url = "file:///etc/passwd"};
	struct carbon_http_response resp;
	char err[256] = "";

	(void)state;
	assert_int_not_equal(carbon_http_get(h, &req, &resp, err, sizeof(err)),
			     0);
	assert_null(resp.body);
	carbon_http_response_clear(&resp);
	req.url = NULL;
	assert_int_not_equal(carbon_http_get(h, &req, &resp, err, sizeof(err)),
			     0);
	carbon_http_free(h);
	carbon_http_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_body_cap),
		cmocka_unit_test(test_retry_after_503),
		cmocka_unit_test(test_404_not_retried),
		cmocka_unit_test(test_429_until_retries_run_out),
		cmocka_unit_test(test_stop_abandons_hanging_transfer),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_only_http),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
