/*
 * tests/cache/provider_test.h: what the providers' unit tests
 * (tests/cache/test_providers_*.c) share: the message buffer and the
 * parsed points every test checks, the checks of a failed parse and a
 * failed fetch, and the provider configuration a fetch test opens.
 * Include it once per test program, after cmocka.h.
 */
#ifndef CARBON_TESTS_PROVIDER_TEST_H
#define CARBON_TESTS_PROVIDER_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/config.h"
#include "carbon/series.h"
#include "providers/json_util.h"

static char err[1024];
static struct carbon_provider_points pts;

/* The last message names TEXT. */
static inline void expect_message(const char *text)
{
	if (!strstr(err, text))
		fail_msg("message \"%s\" lacks \"%s\"", err, text);
}

/* A parse failed with a message naming TEXT and left no points. */
static inline void expect_fail(int rc, const char *text)
{
	assert_true(rc < 0);
	expect_message(text);
	assert_int_equal(pts.n, 0);
}

/* A fetch failed: no series, a message naming TEXT that does not show
 * SECRET (NULL: nothing to hide). */
static inline void expect_fetch_failed(int rc, const carbon_series *s,
				       const char *text, const char *secret)
{
	assert_true(rc < 0);
	assert_null(s);
	expect_message(text);
	if (secret)
		assert_null(strstr(err, secret));
}

/* A document of HEAD, N copies of ITEM joined by commas, and TAIL: an
 * array over a parser's limit.  The caller frees it. */
static inline char *repeated_json(const char *head, const char *item, size_t n,
				  const char *tail)
{
	size_t size = strlen(head) + n * (strlen(item) + 1) + strlen(tail) + 1;
	char *s = malloc(size), *p;

	assert_non_null(s);
	p = s + sprintf(s, "%s", head);
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", item);
	sprintf(p, "%s", tail);
	return s;
}

/* cmocka teardown of the parser tests. */
static inline int teardown(void **state)
{
	(void)state;
	carbon_provider_points_clear(&pts);
	return 0;
}

/* A fresh configuration of provider NAME of TYPE at URL, the fake HTTP
 * client's script emptied (fake_http.h comes first). */
static inline void provider_config(struct carbon_provider_conf *cfg,
				   const char *name,
				   enum carbon_provider_type type,
				   enum carbon_signal signal,
				   enum carbon_basis basis, const char *url)
{
	fake_reset();
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->name, sizeof(cfg->name), "%s", name);
	cfg->type = type;
	cfg->signal = signal;
	cfg->basis = basis;
	snprintf(cfg->url, sizeof(cfg->url), "%s", url);
}

#endif
