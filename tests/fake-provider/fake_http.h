/*
 * tests/fake-provider/fake_http.h: a scripted stand-in for carbon-cached's
 * HTTP client, for the providers' unit tests (tests/cache/
 * test_providers_*.c).  Include it in exactly one file of a test program.
 *
 * It defines carbon_http_get() and carbon_http_response_clear() (http.h),
 * so the linker takes these and never pulls http.o out of libcache.a: the
 * providers' fetch paths run without a network.  Each call answers with
 * the next scripted answer and records the request (URL, headers, basic
 * auth) for the test to check.  tests/cache/test_providers_http.c runs the
 * same fetch paths against the real client and tests/fake-provider/
 * server.py.
 */
#ifndef CARBON_TESTS_FAKE_HTTP_H
#define CARBON_TESTS_FAKE_HTTP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbon/error.h"
#include "http.h"

#define FAKE_CALLS_MAX 16
#define FAKE_TEXT_MAX  8192

struct fake_answer {
	long status;	  /* 0: no answer (transport error) */
	const char *body; /* NULL: none */
	size_t len;	  /* 0: strlen(body) */
	const char *why;  /* the client's message for a failure */
	int attempts;	  /* 0: 1 */
};

struct fake_call {
	char url[FAKE_TEXT_MAX];
	char headers[FAKE_TEXT_MAX]; /* joined with '\n' */
	char user[256];
	char password[256];
	int basic;
};

static struct fake_answer fake_script[FAKE_CALLS_MAX];
static struct fake_call fake_calls[FAKE_CALLS_MAX];
static size_t fake_n, fake_next;

static inline void fake_reset(void)
{
	memset(fake_script, 0, sizeof(fake_script));
	memset(fake_calls, 0, sizeof(fake_calls));
	fake_n = fake_next = 0;
}

static inline void fake_push_answer(struct fake_answer a)
{
	if (fake_n < FAKE_CALLS_MAX)
		fake_script[fake_n++] = a;
}

/* An answer with status and body (NULL: none). */
static inline void fake_push(long status, const char *body)
{
	fake_push_answer((struct fake_answer){.status = status, .body = body});
}

/* No answer at all, as a timeout or a refused connection. */
static inline void fake_push_down(const char *why)
{
	fake_push_answer((struct fake_answer){.why = why});
}

int carbon_http_get(struct carbon_http *h,
		    const struct carbon_http_request *req,
		    struct carbon_http_response *resp, char *err, size_t errlen)
{
	struct fake_call *c =
		&fake_calls[fake_next < FAKE_CALLS_MAX ? fake_next
						       : FAKE_CALLS_MAX - 1];
	const struct fake_answer *a;
	size_t hl = 0;

	(void)h;
	memset(resp, 0, sizeof(*resp));
	snprintf(c->url, sizeof(c->url), "%s", req->url);
	for (size_t i = 0; req->headers && req->headers[i]; i++)
		hl += (size_t)snprintf(
			c->headers + hl,
			hl < sizeof(c->headers) ? sizeof(c->headers) - hl : 0,
			"%s\n", req->headers[i]);
	c->basic = req->basic_user != NULL;
	snprintf(c->user, sizeof(c->user), "%s",
		 req->basic_user ? req->basic_user : "");
	snprintf(c->password, sizeof(c->password), "%s",
		 req->basic_password ? req->basic_password : "");
	if (fake_next >= fake_n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"fake: no answer scripted for %s",
					req->url);
	a = &fake_script[fake_next++];
	resp->status = a->status;
	resp->attempts = a->attempts ? a->attempts : 1;
	if (a->body) {
		size_t len = a->len ? a->len : strlen(a->body);

		resp->body = malloc(len + 1);
		if (!resp->body)
			return carbon_error_set(err, errlen, CARBON_ENOMEM,
						"fake: out of memory");
		memcpy(resp->body, a->body, len);
		resp->body[len] = '\0';
		resp->len = len;
	}
	if (a->why)
		return carbon_error_set(err, errlen, CARBON_EINVAL, "%s",
					a->why);
	if (a->status >= 200 && a->status < 300)
		return 0;
	return carbon_error_set(err, errlen, CARBON_EINVAL, "HTTP %ld",
				a->status);
}

void carbon_http_response_clear(struct carbon_http_response *resp)
{
	if (!resp)
		return;
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* A 0600 file holding text in a fresh temporary directory; path is
 * PATH_MAX long.  Returns 0 or -1. */
static inline int fake_secret_file(const char *text, mode_t mode, char *path,
				   size_t size)
{
	char dir[] = "/tmp/carbon-fake-XXXXXX";
	FILE *f;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, size, "%s/secret", dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	fclose(f);
	return chmod(path, mode);
}

/* Remove what fake_secret_file() made. */
static inline void fake_secret_remove(const char *path)
{
	char dir[4096];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	unlink(path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		rmdir(dir);
	}
}

#endif
