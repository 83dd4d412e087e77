/*
 * Unit tests for carbon/record.h: the golden record, round trips, the
 * canonical form under single-byte changes, every decode rejection with its
 * line number, encode checks, buffer sizes and caps, and the conversions
 * to and from an intensity series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/record.h"

/* The example of carbon/record.h, signed with the key "example-key". */
#define GOLDEN_HEAD                           \
	"carbon-record v1\n"                  \
	"zone=ES\n"                           \
	"signal=average\n"                    \
	"basis=lifecycle\n"                   \
	"source=electricitymaps\n"            \
	"fetched_at=2026-11-23T08:05:00Z\n"   \
	"generated_at=2026-11-23T08:05:02Z\n" \
	"stale=0\n"                           \
	"age=2\n"                             \
	"fallback=0\n"                        \
	"derived=0\n"                         \
	"key=k1\n"
#define GOLDEN_POINTS                     \
	"points=4\n"                      \
	"2026-11-23T06:00:00Z 142.5 -\n"  \
	"2026-11-23T07:00:00Z 138 e\n"    \
	"2026-11-23T08:00:00Z 120.25 f\n" \
	"2026-11-23T09:00:00Z 98.125 fe\n"
#define GOLDEN_SIG \
	"3620320bf592ead736a14ef8fac996ae57a869d6e3ad1370a58f2c7088090a0c"
#define GOLDEN_SIGNED GOLDEN_HEAD GOLDEN_POINTS
#define GOLDEN	      GOLDEN_SIGNED "sig=" GOLDEN_SIG "\n"

#define T0 INT64_C(1795413600) /* 2026-11-23T06:00:00Z */

static struct carbon_record *golden_record(void)
{
	static const struct carbon_record_point pts[4] = {
		{T0, 142.5, false, false},
		{T0 + 3600, 138.0, false, true},
		{T0 + 7200, 120.25, true, false},
		{T0 + 10800, 98.125, true, true},
	};
	struct carbon_record *r = carbon_record_new(4);

	assert_non_null(r);
	strcpy(r->zone, "ES");
	strcpy(r->source, "electricitymaps");
	strcpy(r->key_id, "k1");
	strcpy(r->sig, GOLDEN_SIG);
	r->signal = CARBON_SIGNAL_AVERAGE;
	r->basis = CARBON_BASIS_LIFECYCLE;
	r->fetched_at = T0 + 7500;
	r->generated_at = T0 + 7502;
	memcpy(r->points, pts, sizeof(pts));
	return r;
}

static bool same_record(const struct carbon_record *a,
			const struct carbon_record *b)
{
	if (strcmp(a->zone, b->zone) || strcmp(a->source, b->source) ||
	    strcmp(a->key_id, b->key_id) || strcmp(a->sig, b->sig) ||
	    a->signal != b->signal || a->basis != b->basis ||
	    a->fetched_at != b->fetched_at ||
	    a->generated_at != b->generated_at || a->stale != b->stale ||
	    a->fallback != b->fallback || a->derived != b->derived ||
	    a->n_points != b->n_points)
		return false;
	for (size_t i = 0; i < a->n_points; i++) {
		const struct carbon_record_point *p = &a->points[i];
		const struct carbon_record_point *q = &b->points[i];

		if (p->t != q->t || p->value != q->value ||
		    p->is_forecast != q->is_forecast ||
		    p->is_estimated != q->is_estimated)
			return false;
	}
	return true;
}

static struct carbon_record *decode_ok(const char *s, size_t len,
				       size_t *signed_len)
{
	struct carbon_record *r = NULL;
	char err[256] = "";
	size_t sl = 0;
	int rc = carbon_record_decode(s, len, &r, &sl, err, sizeof(err));

	if (rc)
		fail_msg("decode: rc %d: %s", rc, err);
	if (signed_len)
		*signed_len = sl;
	return r;
}

static void test_golden_encode(void **state)
{
	struct carbon_record *r = golden_record();
	char buf[1024];
	size_t used = 0;

	(void)state;
	assert_int_equal(
		carbon_record_encode(r, buf, sizeof(buf), &used, NULL, 0), 0);
	assert_string_equal(buf, GOLDEN);
	assert_int_equal(used, strlen(GOLDEN));
	/* without a sig: exactly the signed bytes */
	r->sig[0] = '\0';
	assert_int_equal(
		carbon_record_encode(r, buf, sizeof(buf), &used, NULL, 0), 0);
	assert_string_equal(buf, GOLDEN_SIGNED);
	carbon_record_free(r);
}

static void test_golden_decode(void **state)
{
	struct carbon_record *want = golden_record(), *got;
	size_t sl;

	(void)state;
	got = decode_ok(GOLDEN, strlen(GOLDEN), &sl);
	assert_true(same_record(got, want));
	assert_int_equal(sl, strlen(GOLDEN_SIGNED));
	assert_int_equal(carbon_record_age(got), 2);
	carbon_record_free(got);
	/* unsigned: sig is empty and everything is signed bytes */
	got = decode_ok(GOLDEN_SIGNED, strlen(GOLDEN_SIGNED), &sl);
	assert_string_equal(got->sig, "");
	assert_int_equal(sl, strlen(GOLDEN_SIGNED));
	carbon_record_free(got);
	carbon_record_free(want);
}

/* A deterministic generator, so failures reproduce. */
static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

static struct carbon_record *random_record(uint64_t *seed, size_t n)
{
	struct carbon_record *r = carbon_record_new(n);
	int64_t t = (int64_t)(lcg(seed) % 4000000000ULL);

	assert_non_null(r);
	snprintf(r->zone, sizeof(r->zone), "Z%u", (unsigned)lcg(seed));
	snprintf(r->source, sizeof(r->source), "src.%u", (unsigned)lcg(seed));
	strcpy(r->key_id, "key-2026_1");
	r->signal = (enum carbon_signal)(1 + lcg(seed) % CARBON_SIGNAL_LAST);
	r->basis = (enum carbon_basis)(1 + lcg(seed) % CARBON_BASIS_LAST);
	r->fetched_at = t;
	r->generated_at = t + (int64_t)(lcg(seed) % 100000);
	r->stale = lcg(seed) & 1;
	r->fallback = lcg(seed) & 1;
	r->derived = lcg(seed) & 1;
	if (lcg(seed) & 1) {
		for (int i = 0; i < CARBON_RECORD_SIG_LEN; i++)
			r->sig[i] = "0123456789abcdef"[lcg(seed) % 16];
	}
	for (size_t i = 0; i < n; i++) {
		t += 1 + (int64_t)(lcg(seed) % 7200);
		r->points[i].t = t;
		/* thousandths, so the value survives quantisation */
		r->points[i].value = (double)(lcg(seed) % 100000001) / 1000.0;
		r->points[i].is_forecast = lcg(seed) & 1;
		r->points[i].is_estimated = lcg(seed) & 1;
	}
	return r;
}

static void test_round_trip(void **state)
{
	uint64_t seed = 42;

	(void)state;
	for (int k = 0; k < 300; k++) {
		struct carbon_record *r = random_record(&seed, 1 + k % 97);
		struct carbon_record *back;
		char *s = NULL, *again = NULL;
		size_t n = 0, n2 = 0, sl;

		assert_int_equal(carbon_record_encode_alloc(r, &s, &n, NULL, 0),
				 0);
		assert_int_equal(n, strlen(s));
		back = decode_ok(s, n, &sl);
		assert_true(same_record(r, back));
		assert_true(sl == n || r->sig[0]);
		assert_int_equal(
			carbon_record_encode_alloc(back, &again, &n2, NULL, 0),
			0);
		assert_int_equal(n, n2);
		assert_memory_equal(s, again, n);
		free(s);
		free(again);
		carbon_record_free(r);
		carbon_record_free(back);
	}
}

static void test_values(void **state)
{
	static const struct {
		double v;
		const char *text;
	} cases[] = {
		{0.0, "0"},	      {0.0004, "0"},	      {0.0005, "0.001"},
		{0.1, "0.1"},	      {0.25, "0.25"},	      {12.0, "12"},
		{12.5, "12.5"},	      {120.05, "120.05"},     {7.007, "7.007"},
		{100000.0, "100000"}, {99999.9996, "100000"}, {1e-9, "0"},
	};
	struct carbon_record *r = golden_record();
	char buf[1024], want[64];

	(void)state;
	r->sig[0] = '\0';
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t used;

		r->points[1].value = cases[i].v;
		assert_int_equal(carbon_record_encode(r, buf, sizeof(buf),
						      &used, NULL, 0),
				 0);
		snprintf(want, sizeof(want), "\n2026-11-23T07:00:00Z %s e\n",
			 cases[i].text);
		if (!strstr(buf, want))
			fail_msg("%g: want \"%s\" in\n%s", cases[i].v,
				 cases[i].text, buf);
	}
	carbon_record_free(r);
}

/*
 * Every single-byte change of a signed record either fails to decode, or
 * changes the signed bytes and the decoded data (so the HMAC no longer
 * matches), or, inside the sig line, changes only the sig.
 */
static void test_one_byte_changes(void **state)
{
	static const char repl[] = {'\0', '\n', ' ', '0', '9', 'a',  'Z',   '.',
				    '-',  '=',	'f', 'e', '1', '\r', '\x80'};
	struct carbon_record *orig = decode_ok(GOLDEN, strlen(GOLDEN), NULL);
	size_t len = strlen(GOLDEN), signed_len = strlen(GOLDEN_SIGNED);
	char buf[1024];
	int decoded = 0;

	(void)state;
	for (size_t i = 0; i < len; i++) {
		for (size_t k = 0; k <= sizeof(repl); k++) {
			char c = k < sizeof(repl) ? repl[k] : GOLDEN[i] ^ 1;
			struct carbon_record *r = NULL;
			size_t sl = 0;

			if (c == GOLDEN[i])
				continue;
			memcpy(buf, GOLDEN, len);
			buf[i] = c;
			if (carbon_record_decode(buf, len, &r, &sl, NULL, 0))
				continue;
			decoded++;
			assert_false(same_record(r, orig));
			if (i < signed_len) {
				assert_true(sl != signed_len ||
					    memcmp(buf, GOLDEN, sl));
				assert_string_equal(r->sig, orig->sig);
			} else {
				assert_int_equal(sl, signed_len);
				assert_memory_equal(buf, GOLDEN, sl);
				assert_string_not_equal(r->sig, orig->sig);
			}
			carbon_record_free(r);
		}
	}
	/* the change of a digit in a value or a flag does decode */
	assert_true(decoded > 50);
	carbon_record_free(orig);
}

struct bad_case {
	const char *in;
	int code;
	const char *msg; /* a part of the message */
};

#define H1 "carbon-record v1\n"
#define HZ H1 "zone=ES\nsignal=average\nbasis=lifecycle\nsource=x\n"
#define HT                                                                   \
	HZ "fetched_at=2026-11-23T08:05:00Z\ngenerated_at=2026-11-23T08:05:" \
	   "02Z\n"
#define HF  HT "stale=0\nage=2\nfallback=0\nderived=0\nkey=k1\n"
#define P1  "2026-11-23T06:00:00Z 142.5 -\n"
#define P2  "2026-11-23T07:00:00Z 1 -\n"
#define ONE HF "points=1\n" P1

static const struct bad_case bad_cases[] = {
	{"", CARBON_EINVAL, "line 1: record ends before the magic line"},
	{"carbon-record v1", CARBON_EINVAL, "line 1: last line lacks"},
	{"carbon-record\n", CARBON_EINVAL, "line 1: not a carbon record"},
	{"carbon-record v\n", CARBON_EINVAL, "line 1: not a carbon record"},
	{"carbon-record vx\n", CARBON_EINVAL, "line 1: not a carbon record"},
	{"CARBON-RECORD v1\n", CARBON_EINVAL, "line 1: not a carbon record"},
	{"carbon-record v2\n", CARBON_EINVAL,
	 "line 1: unsupported version \"2\"; this build reads v1"},
	{"carbon-record v10\n", CARBON_EINVAL, "unsupported version \"10\""},
	{"carbon-record v1 \n", CARBON_EINVAL, "line 1: not a carbon record"},
	{"carbon-record v1\r\n", CARBON_EINVAL,
	 "line 1: control or non-ASCII byte at column 17"},
	{H1, CARBON_EINVAL, "line 2: record ends before zone"},
	{H1 "signal=average\n", CARBON_EINVAL,
	 "line 2: missing field \"zone\""},
	{H1 "zone\n", CARBON_EINVAL,
	 "line 2: expected field \"zone\", found \"zone\""},
	{H1 "Zone=ES\n", CARBON_EINVAL, "line 2: expected field \"zone\""},
	{H1 "colour=red\n", CARBON_EINVAL, "line 2: expected field \"zone\""},
	{H1 "a-line-far-longer-than-forty-bytes-is-cut-in-the-message\n",
	 CARBON_EINVAL,
	 "line 2: expected field \"zone\", found \"a-line-far-longer-than-"
	 "forty-bytes-is-cu\""},
	{H1 "zone=\n", CARBON_EINVAL, "line 2: malformed value for \"zone\""},
	{H1 "zone=E S\n", CARBON_EINVAL, "line 2: malformed value for"},
	{H1 "zone=ES\nzone=ES\n", CARBON_EINVAL,
	 "line 3: duplicate field \"zone\""},
	{H1 "zone=ES\nsignal=Average\n", CARBON_EINVAL,
	 "line 3: malformed value for \"signal\""},
	{H1 "zone=ES\nsignal=average\nbasis=full\n", CARBON_EINVAL,
	 "line 4: malformed value for \"basis\""},
	{H1 "zone=ES\nsignal=unknown\n", CARBON_EINVAL,
	 "line 3: malformed value for \"signal\""},
	{H1 "zone=ES\nsignal=average\nbasis=unknown\n", CARBON_EINVAL,
	 "line 4: malformed value for \"basis\""},
	{H1 "zone=ES\nsignal=average\nbasis=Direct\n", CARBON_EINVAL,
	 "line 4: malformed value for \"basis\""},
	{HZ "fetched_at=2026-11-23 08:05:00Z\n", CARBON_EINVAL,
	 "line 6: malformed value for \"fetched_at\""},
	{HZ "fetched_at=2026-02-29T08:05:00Z\n", CARBON_EINVAL,
	 "malformed value for \"fetched_at\""},
	{HZ "fetched_at=2026-13-01T08:05:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-00T08:05:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2023-00-11T08:05:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-01T24:00:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-01T23:60:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-01T23:00:60Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=1969-12-31T23:59:59Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-01T23:00:00+\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-12-01T23:00:00\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=+026-12-01T23:00:00Z\n", CARBON_EINVAL, "fetched_at"},
	{HZ "fetched_at=2026-11-23T08:05:00Z\n"
	    "generated_at=2026-11-23T08:04:59Z\n",
	 CARBON_EINVAL, "line 7: generated_at is before fetched_at"},
	{HT "stale=2\n", CARBON_EINVAL,
	 "line 8: malformed value for \"stale\""},
	{HT "stale=00\n", CARBON_EINVAL, "malformed value for \"stale\""},
	{HT "stale=0\nage=3\n", CARBON_EINVAL,
	 "line 9: age is not generated_at - fetched_at"},
	{HT "stale=0\nage=02\n", CARBON_EINVAL, "line 9: malformed value"},
	{HT "stale=0\nage=-2\n", CARBON_EINVAL, "line 9: malformed value"},
	{HT "stale=0\nage=2\nderived=0\n", CARBON_EINVAL,
	 "line 10: missing field \"fallback\""},
	{HT "stale=0\nage=2\nfallback=0\nderived=0\nkey=k/1\n", CARBON_EINVAL,
	 "line 12: malformed value for \"key\""},
	{HF "points=0\n", CARBON_ERANGE, "line 13: points=0; need 1 to 8192"},
	{HF "points=8193\n", CARBON_ERANGE, "line 13: points=8193; need 1"},
	{HF "points=99999999999999999999\n", CARBON_EINVAL,
	 "line 13: malformed value for \"points\""},
	{HF "points=1\n", CARBON_EINVAL,
	 "line 13: points=1, but only 0 bytes follow"},
	{HF "points=2\n" P1, CARBON_EINVAL, "points=2, but only 29 bytes"},
	{HF "points=2\n" P1 "sig=" GOLDEN_SIG "\n", CARBON_EINVAL,
	 "line 15: only 1 of 2 points"},
	{HF "points=2\n" P1 "2026-11-23T06:00:00Z 142.5 -\n", CARBON_EINVAL,
	 "line 15: time not after the previous point's"},
	{HF "points=2\n" P2 P1, CARBON_EINVAL,
	 "line 15: time not after the previous"},
	{HF "points=1\n2026-11-23T06:00:00Z  142.5 -\n", CARBON_EINVAL,
	 "line 14: malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 142.5 - \n", CARBON_EINVAL,
	 "line 14: malformed point flags"},
	{HF "points=1\n2026-11-23T06:00:00Z 142.5 ef\n", CARBON_EINVAL,
	 "malformed point flags"},
	{HF "points=1\n2026-11-23T06:00:00Z 142.5 x\n", CARBON_EINVAL,
	 "malformed point flags"},
	{HF "points=1\n2026-11-23T06:00:00Z 142.5 ff\n", CARBON_EINVAL,
	 "malformed point flags"},
	{HF "points=1\n2026-11-23T06:00:00Z 142.50 -\n", CARBON_EINVAL,
	 "line 14: malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 142. -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z .5 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 0142 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 1.2345 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z -1 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z nan -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z inf -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 1e3 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 100000.001 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 100001 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z 1.2.3 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00 142.5 -\n", CARBON_EINVAL,
	 "malformed point"},
	{HF "points=1\n2026-11-23T06:00:00Z\n", CARBON_EINVAL,
	 "line 13: points=1, but only 21 bytes follow"},
	{HF "points=1\n2026-11-23T06:00:00Z 1234\n", CARBON_EINVAL,
	 "line 14: malformed point"},
	{ONE "\n", CARBON_EINVAL,
	 "line 15: expected \"sig=\" or the end after 1 points"},
	{ONE P2, CARBON_EINVAL, "line 15: expected \"sig=\" or the end"},
	{ONE "sig=" GOLDEN_SIG, CARBON_EINVAL, "line 15: last line lacks"},
	{ONE "sig=\n", CARBON_EINVAL,
	 "line 15: sig is not 64 lowercase hex digits"},
	{ONE
	 "sig="
	 "3620320BF592EAD736A14EF8FAC996AE57A869D6E3AD1370A58F2C7088090A0C\n",
	 CARBON_EINVAL, "line 15: sig is not 64"},
	{ONE "sig=" GOLDEN_SIG "0\n", CARBON_EINVAL, "sig is not 64"},
	{ONE "sig=" GOLDEN_SIG "\n\n", CARBON_EINVAL,
	 "line 16: data after the signature"},
	{ONE "sig=" GOLDEN_SIG "\nsig=" GOLDEN_SIG "\n", CARBON_EINVAL,
	 "line 16: data after the signature"},
	{H1 "zone=0123456789012345678901234567890123456789012345678901234567890"
	    "123456789012345678901234567890123456789012345678901234567890123456"
	    "7\n",
	 CARBON_EINVAL, "line 2: line longer than 128 bytes"},
	{H1 "zone=\xc3\xa9\n", CARBON_EINVAL,
	 "line 2: control or non-ASCII byte at column 6"},
};

static void test_decode_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *k = &bad_cases[i];
		struct carbon_record *r = (struct carbon_record *)&r;
		struct carbon_record *const sentinel = r;
		size_t sl = 4242;
		char err[256] = "";
		int rc = carbon_record_decode(k->in, strlen(k->in), &r, &sl,
					      err, sizeof(err));

		if (rc != k->code || !strstr(err, k->msg) ||
		    strncmp(err, "carbon record: ", 15) || r != sentinel ||
		    sl != 4242)
			fail_msg("case %zu: rc %d (want %d), err \"%s\", "
				 "want \"%s\"",
				 i, rc, k->code, err, k->msg);
	}
}

static void test_decode_nul_and_args(void **state)
{
	static const char with_nul[] = H1 "zone=E\0S\n";
	struct carbon_record *r = NULL;
	size_t sl;
	char err[256];

	(void)state;
	assert_int_equal(carbon_record_decode(with_nul, sizeof(with_nul) - 1,
					      &r, &sl, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "line 2: control or non-ASCII byte at "
				    "column 7"));
	/* a record cut anywhere never decodes */
	for (size_t n = 0; n < strlen(GOLDEN_SIGNED); n++) {
		assert_int_not_equal(
			carbon_record_decode(GOLDEN, n, &r, &sl, NULL, 0), 0);
	}
	assert_int_equal(
		carbon_record_decode(NULL, 0, &r, &sl, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err,
			    "carbon record: internal error: bad arguments");
	assert_int_equal(carbon_record_decode(GOLDEN, 5, NULL, &sl, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_decode(GOLDEN, 5, &r, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_decode(GOLDEN,
					      CARBON_RECORD_BYTES_MAX + 1, &r,
					      &sl, err, sizeof(err)),
			 CARBON_ETOOLONG);
	assert_string_equal(err, "carbon record: 524289 bytes; at most 524288");
}

struct enc_case {
	void (*edit)(struct carbon_record *r);
	int code;
	const char *msg;
};

static void e_zone(struct carbon_record *r)
{
	strcpy(r->zone, "E S");
}
static void e_zone_empty(struct carbon_record *r)
{
	r->zone[0] = '\0';
}
static void e_source(struct carbon_record *r)
{
	strcpy(r->source, "a/b");
}
static void e_key(struct carbon_record *r)
{
	r->key_id[0] = '\0';
}
static void e_signal(struct carbon_record *r)
{
	r->signal = (enum carbon_signal)7;
}
static void e_signal_unknown(struct carbon_record *r)
{
	r->signal = CARBON_SIGNAL_UNKNOWN;
}
static void e_basis(struct carbon_record *r)
{
	r->basis = (enum carbon_basis) - 1;
}
static void e_basis_unknown(struct carbon_record *r)
{
	r->basis = CARBON_BASIS_UNKNOWN;
}
static void e_sig(struct carbon_record *r)
{
	r->sig[3] = 'G';
}
static void e_sig_short(struct carbon_record *r)
{
	r->sig[10] = '\0';
}
static void e_fetched(struct carbon_record *r)
{
	r->fetched_at = -1;
}
static void e_generated(struct carbon_record *r)
{
	r->generated_at = INT64_C(253402300800);
}
static void e_order(struct carbon_record *r)
{
	r->generated_at = r->fetched_at - 1;
}
static void e_no_points(struct carbon_record *r)
{
	r->n_points = 0;
}
static void e_many_points(struct carbon_record *r)
{
	r->n_points = CARBON_RECORD_POINTS_MAX + 1;
}
static void e_null_points(struct carbon_record *r)
{
	free(r->points);
	r->points = NULL;
}
static void e_time(struct carbon_record *r)
{
	r->points[0].t = -5;
}
static void e_same_time(struct carbon_record *r)
{
	r->points[2].t = r->points[1].t;
}
static void e_negative(struct carbon_record *r)
{
	r->points[3].value = -0.001;
}
static void e_nan(struct carbon_record *r)
{
	r->points[0].value = 0.0 / 0.0;
}
static void e_inf(struct carbon_record *r)
{
	r->points[0].value = 1.0 / 0.0;
}
static void e_huge(struct carbon_record *r)
{
	r->points[0].value = 100000.01;
}

static const struct enc_case enc_cases[] = {
	{e_zone, CARBON_EINVAL, "carbon record: zone is malformed"},
	{e_zone_empty, CARBON_EINVAL, "carbon record: zone is malformed"},
	{e_source, CARBON_EINVAL, "carbon record: source is malformed"},
	{e_key, CARBON_EINVAL, "carbon record: key is malformed"},
	{e_signal, CARBON_EINVAL, "carbon record: signal is malformed"},
	{e_signal_unknown, CARBON_EINVAL, "carbon record: signal is malformed"},
	{e_basis, CARBON_EINVAL, "carbon record: basis is malformed"},
	{e_basis_unknown, CARBON_EINVAL, "carbon record: basis is malformed"},
	{e_sig, CARBON_EINVAL, "carbon record: sig is malformed"},
	{e_sig_short, CARBON_EINVAL, "carbon record: sig is malformed"},
	{e_fetched, CARBON_ERANGE,
	 "carbon record: fetched_at or generated_at is outside 1970..9999"},
	{e_generated, CARBON_ERANGE, "is outside 1970..9999"},
	{e_order, CARBON_EINVAL,
	 "carbon record: generated_at is before fetched_at"},
	{e_no_points, CARBON_ERANGE, "carbon record: 0 points; need 1 to 8192"},
	{e_many_points, CARBON_ERANGE, "carbon record: 8193 points"},
	{e_null_points, CARBON_ERANGE, "carbon record: 4 points; need 1"},
	{e_time, CARBON_ERANGE,
	 "carbon record: point 1: time outside 1970..9999"},
	{e_same_time, CARBON_EINVAL,
	 "carbon record: point 3: time not after point 2"},
	{e_negative, CARBON_ERANGE,
	 "carbon record: point 4: value is not a number from 0 to 100000"},
	{e_nan, CARBON_ERANGE, "point 1: value is not a number"},
	{e_inf, CARBON_ERANGE, "point 1: value is not a number"},
	{e_huge, CARBON_ERANGE, "point 1: value is not a number"},
};

static void test_encode_rejections(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		struct carbon_record *r = golden_record();
		static char untouched[] = "untouched";
		char buf[1024], err[256] = "", *s = untouched;
		size_t used = 4242;
		int rc;

		enc_cases[i].edit(r);
		rc = carbon_record_encode(r, buf, sizeof(buf), &used, err,
					  sizeof(err));
		if (rc != enc_cases[i].code || !strstr(err, enc_cases[i].msg) ||
		    used != 4242)
			fail_msg("case %zu: rc %d, err \"%s\"", i, rc, err);
		assert_int_equal(
			carbon_record_encode_alloc(r, &s, &used, NULL, 0),
			enc_cases[i].code);
		assert_string_equal(s, "untouched");
		carbon_record_free(r);
	}
}

static void test_buffer_sizes(void **state)
{
	struct carbon_record *r = golden_record();
	size_t n = strlen(GOLDEN), used = 0;
	char buf[1024], err[128];

	(void)state;
	assert_int_equal(
		carbon_record_encode(r, buf, n, &used, err, sizeof(err)),
		CARBON_ETOOLONG);
	assert_int_equal(used, n);
	assert_string_equal(err, "carbon record: needs 383 bytes, buffer "
				 "has 382");
	assert_int_equal(
		carbon_record_encode(r, buf, n + 1, &used, err, sizeof(err)),
		0);
	assert_string_equal(buf, GOLDEN);
	assert_int_equal(carbon_record_encode(r, NULL, 100, &used, NULL, 0),
			 CARBON_ETOOLONG);
	assert_int_equal(used, n);
	assert_int_equal(
		carbon_record_encode(NULL, buf, 10, &used, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err,
			    "carbon record: internal error: bad arguments");
	assert_int_equal(carbon_record_encode(r, buf, 10, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_encode_alloc(r, NULL, &used, NULL, 0),
			 CARBON_EINVAL);
	{
		char *s = NULL;

		/* the size probe's message does not survive a success */
		assert_int_equal(carbon_record_encode_alloc(r, &s, &used, err,
							    sizeof(err)),
				 0);
		assert_string_equal(err, "");
		assert_string_equal(s, GOLDEN);
		free(s);
	}
	carbon_record_free(r);
}

/* The largest record fits the byte cap and round-trips. */
static void test_caps(void **state)
{
	struct carbon_record *r = carbon_record_new(CARBON_RECORD_POINTS_MAX);
	struct carbon_record *back;
	char *s = NULL;
	size_t n = 0;

	(void)state;
	assert_non_null(r);
	strcpy(r->zone, "0123456789012345678901234567890123456789012345678901"
			"234567890123");
	strcpy(r->source, r->zone);
	strcpy(r->key_id, r->zone);
	memset(r->sig, 'f', CARBON_RECORD_SIG_LEN);
	r->signal = CARBON_SIGNAL_LAST;
	r->basis = CARBON_BASIS_LAST;
	r->fetched_at = 0;
	r->generated_at = INT64_C(253402300799);
	for (size_t i = 0; i < r->n_points; i++) {
		r->points[i].t = INT64_C(253402300799) - (int64_t)(8192 - i);
		r->points[i].value = 99999.999;
		r->points[i].is_forecast = r->points[i].is_estimated = true;
	}
	assert_int_equal(carbon_record_encode_alloc(r, &s, &n, NULL, 0), 0);
	assert_true(n <= CARBON_RECORD_BYTES_MAX);
	back = decode_ok(s, n, NULL);
	assert_true(same_record(r, back));
	free(s);
	carbon_record_free(r);
	carbon_record_free(back);
}

/* ---- conversions to and from a series ----------------------------------- */

static void check_same_points(const struct carbon_record *r,
			      const carbon_series *s)
{
	const struct carbon_series_point *p = carbon_series_points_peek(s);

	assert_int_equal(carbon_series_count(s), r->n_points);
	for (size_t i = 0; i < r->n_points; i++) {
		assert_int_equal(p[i].t, r->points[i].t);
		assert_true(p[i].value == r->points[i].value);
		assert_int_equal(p[i].is_forecast, r->points[i].is_forecast);
		assert_int_equal(p[i].is_estimated, r->points[i].is_estimated);
	}
}

static void test_to_series(void **state)
{
	struct carbon_record *r = golden_record();
	const struct carbon_series_meta *m;
	carbon_series *s = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 0);
	m = carbon_series_meta_peek(s);
	assert_int_equal(m->signal, CARBON_SIGNAL_AVERAGE);
	assert_int_equal(m->basis, CARBON_BASIS_LIFECYCLE);
	assert_int_equal(m->origin, CARBON_SERIES_PROVIDED);
	assert_string_equal(m->source, "electricitymaps");
	assert_int_equal(m->fetched_at, T0 + 7500);
	check_same_points(r, s);
	carbon_series_free(s);
	/* a derived record is a fallback forecast; the kind goes along */
	r->derived = true;
	r->signal = CARBON_SIGNAL_MARGINAL;
	r->basis = CARBON_BASIS_OPERATIONAL;
	memset(r->source, 'x', CARBON_RECORD_NAME_MAX);
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 0);
	m = carbon_series_meta_peek(s);
	assert_int_equal(m->origin, CARBON_SERIES_FALLBACK_FORECAST);
	assert_int_equal(m->signal, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(m->basis, CARBON_BASIS_OPERATIONAL);
	assert_string_equal(m->source, r->source); /* 64 bytes: all of it */
	carbon_series_free(s);
	carbon_record_free(r);
}

/* The golden bytes, through a series and back, are the same bytes. */
static void test_golden_via_series(void **state)
{
	struct carbon_record *r = decode_ok(GOLDEN, strlen(GOLDEN), NULL);
	struct carbon_record *back = NULL;
	carbon_series *s = NULL;
	char err[256] = "", *text = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 0);
	assert_int_equal(carbon_record_from_series(s, "ES", r->generated_at,
						   &back, err, sizeof(err)),
			 0);
	/* the writer's part: the key, then the signature */
	assert_string_equal(back->key_id, "");
	assert_string_equal(back->sig, "");
	assert_false(back->stale || back->fallback || back->derived);
	strcpy(back->key_id, "k1");
	assert_int_equal(carbon_record_encode_alloc(back, &text, &n, NULL, 0),
			 0);
	assert_string_equal(text, GOLDEN_SIGNED);
	strcpy(back->sig, GOLDEN_SIG);
	assert_true(same_record(r, back));
	free(text);
	carbon_series_free(s);
	carbon_record_free(back);
	carbon_record_free(r);
}

static void test_series_round_trips(void **state)
{
	uint64_t seed = 7;

	(void)state;
	for (int k = 0; k < 200; k++) {
		struct carbon_record *r = random_record(&seed, 1 + k % 61);
		struct carbon_record *back = NULL;
		carbon_series *s = NULL, *again = NULL;
		char err[256] = "";

		/* what a series does not carry */
		r->stale = r->fallback = false;
		r->sig[0] = '\0';
		if (r->fetched_at == 0)
			r->fetched_at = r->generated_at = 1;
		if (carbon_record_to_series(r, NULL, &s, err, sizeof(err)) ||
		    carbon_record_from_series(s, r->zone, r->generated_at,
					      &back, err, sizeof(err)))
			fail_msg("case %d: %s", k, err);
		strcpy(back->key_id, r->key_id);
		assert_true(same_record(r, back));
		/* and the series comes back from the record as it was */
		assert_int_equal(carbon_record_to_series(back, NULL, &again,
							 err, sizeof(err)),
				 0);
		assert_memory_equal(carbon_series_meta_peek(s),
				    carbon_series_meta_peek(again),
				    sizeof(struct carbon_series_meta));
		check_same_points(r, again);
		carbon_series_free(s);
		carbon_series_free(again);
		carbon_record_free(r);
		carbon_record_free(back);
	}
}

/* A fake allocator port: the fail_at-th resize fails (0: none does). */
struct fake_alloc {
	int fail_at;
	int calls;
	int live;
};

static void *fake_resize(void *ptr, size_t size, void *ctx)
{
	struct fake_alloc *f = ctx;

	if (++f->calls == f->fail_at)
		return NULL;
	if (!ptr)
		f->live++;
	return realloc(ptr, size);
}

static void fake_release(void *ptr, void *ctx)
{
	struct fake_alloc *f = ctx;

	f->live--;
	free(ptr);
}

static void test_to_series_rejections(void **state)
{
	struct carbon_series_allocator half = {fake_resize, NULL, NULL};
	struct carbon_record *r = golden_record();
	carbon_series *s = (carbon_series *)r; /* a sentinel, never freed */
	struct carbon_record_point *pts = r->points;
	char err[256];

	(void)state;
	assert_int_equal(
		carbon_record_to_series(NULL, NULL, &s, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err,
			    "carbon record: internal error: bad arguments");
	assert_int_equal(carbon_record_to_series(r, NULL, NULL, NULL, 0),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_to_series(r, &half, &s, NULL, 0),
			 CARBON_EINVAL);
	r->signal = CARBON_SIGNAL_UNKNOWN;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "carbon record: the record is "
				 "unknown/lifecycle; a record needs a known "
				 "signal and basis");
	r->signal = CARBON_SIGNAL_AVERAGE;
	r->basis = (enum carbon_basis)9;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "carbon record: the record is "
				 "average/unknown; a record needs a known "
				 "signal and basis");
	r->basis = CARBON_BASIS_DIRECT;
	r->n_points = 0;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 CARBON_ERANGE);
	assert_string_equal(err, "carbon record: 0 points; need 1 to 8192");
	r->n_points = CARBON_RECORD_POINTS_MAX + 1;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, NULL, 0),
			 CARBON_ERANGE);
	r->n_points = 4;
	r->points = NULL;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, NULL, 0),
			 CARBON_ERANGE);
	r->points = pts;
	pts[2].t = pts[1].t;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "carbon record: point 3: time not after "
				 "point 2");
	pts[2].t = pts[1].t + 60;
	pts[0].value = 0.0 / 0.0;
	assert_int_equal(carbon_record_to_series(r, NULL, &s, NULL, 0),
			 CARBON_ERANGE);
	assert_ptr_equal(s, (carbon_series *)r); /* *out untouched */
	carbon_record_free(r);
}

static void test_to_series_no_memory(void **state)
{
	struct carbon_record *r = golden_record();
	struct fake_alloc fa = {0};
	struct carbon_series_allocator port = {fake_resize, fake_release, &fa};
	carbon_series *s = NULL;
	char err[256];
	int k, rc;

	(void)state;
	for (k = 1;; k++) {
		fa = (struct fake_alloc){.fail_at = k};
		rc = carbon_record_to_series(r, &port, &s, err, sizeof(err));
		if (!rc)
			break;
		assert_int_equal(rc, CARBON_ENOMEM);
		assert_non_null(strstr(err, "out of memory"));
		assert_null(s);
		assert_int_equal(fa.live, 0);
	}
	assert_true(k > 2); /* the series, then its points */
	check_same_points(r, s);
	carbon_series_free(s);
	assert_int_equal(fa.live, 0);
	carbon_record_free(r);
}

/* A series of n hourly points from T0 with meta m. */
static carbon_series *hourly(const struct carbon_series_meta *m, size_t n)
{
	carbon_series *s = carbon_series_new(m, NULL);

	assert_non_null(s);
	for (size_t i = 0; i < n; i++) {
		struct carbon_series_point p = {T0 + (int64_t)i * 3600,
						100.0 + (double)i, i % 2 == 1,
						i % 3 == 0};

		assert_int_equal(carbon_series_append(s, &p, NULL, 0), 0);
	}
	return s;
}

static void test_from_series(void **state)
{
	const struct carbon_series_meta m = {
		.signal = CARBON_SIGNAL_MARGINAL,
		.basis = CARBON_BASIS_OPERATIONAL,
		.origin = CARBON_SERIES_FALLBACK_FORECAST,
		.source = "watttime.CAISO_NORTH",
		.fetched_at = T0 + 100,
	};
	carbon_series *s = hourly(&m, 5), *again = NULL;
	struct carbon_record *r = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(carbon_record_from_series(s, "US-CAL-CISO", T0 + 160,
						   &r, err, sizeof(err)),
			 0);
	assert_string_equal(r->zone, "US-CAL-CISO");
	assert_string_equal(r->source, "watttime.CAISO_NORTH");
	assert_int_equal(r->signal, CARBON_SIGNAL_MARGINAL);
	assert_int_equal(r->basis, CARBON_BASIS_OPERATIONAL);
	assert_int_equal(r->fetched_at, T0 + 100);
	assert_int_equal(r->generated_at, T0 + 160);
	assert_true(r->derived);
	check_same_points(r, s);
	assert_int_equal(
		carbon_record_to_series(r, NULL, &again, err, sizeof(err)), 0);
	assert_int_equal(carbon_series_meta_peek(again)->origin,
			 CARBON_SERIES_FALLBACK_FORECAST);
	carbon_series_free(again);
	carbon_record_free(r);
	carbon_series_free(s);
}

static void check_from(const carbon_series *s, const char *zone,
		       int64_t generated_at, int code, const char *msg)
{
	struct carbon_record *r = NULL;
	char err[256] = "";
	int rc = carbon_record_from_series(s, zone, generated_at, &r, err,
					   sizeof(err));

	if (rc != code || !strstr(err, msg) || r)
		fail_msg("zone %s: rc %d, err \"%s\"", zone ? zone : "NULL", rc,
			 err);
}

static void test_from_series_rejections(void **state)
{
	struct carbon_series_meta m = {
		.signal = CARBON_SIGNAL_AVERAGE,
		.basis = CARBON_BASIS_LIFECYCLE,
		.source = "electricitymaps",
		.fetched_at = T0,
	};
	struct carbon_record *r = NULL;
	carbon_series *s = hourly(&m, 2), *bad;
	char zone65[CARBON_RECORD_NAME_MAX + 2];

	(void)state;
	check_from(NULL, "ES", T0, CARBON_EINVAL, "internal error");
	check_from(s, NULL, T0, CARBON_EINVAL, "internal error");
	assert_int_equal(carbon_record_from_series(s, "ES", T0, NULL, NULL, 0),
			 CARBON_EINVAL);
	check_from(s, "", T0, CARBON_EINVAL,
		   "carbon record: zone \"\" is not 1-64 of [A-Za-z0-9_.-]");
	check_from(s, "E S", T0, CARBON_EINVAL, "zone \"E S\" is not");
	memset(zone65, 'Z', sizeof(zone65) - 1);
	zone65[sizeof(zone65) - 1] = '\0';
	check_from(s, zone65, T0, CARBON_EINVAL, "is not 1-64");
	check_from(s, "ES", T0 - 1, CARBON_EINVAL,
		   "carbon record: generated_at is before fetched_at");
	check_from(s, "ES", INT64_C(253402300800), CARBON_ERANGE,
		   "outside 1970..9999");
	/* an empty series, one too long */
	bad = carbon_series_new(&m, NULL);
	check_from(bad, "ES", T0, CARBON_ERANGE,
		   "carbon record: 0 points; need 1 to 8192");
	carbon_series_free(bad);
	bad = hourly(&m, CARBON_RECORD_POINTS_MAX + 1);
	check_from(bad, "ES", T0, CARBON_ERANGE, "8193 points; need 1");
	carbon_series_free(bad);
	/* meta the record cannot carry */
	m.signal = CARBON_SIGNAL_UNKNOWN;
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_EINVAL,
		   "carbon record: the series is unknown/lifecycle");
	carbon_series_free(bad);
	m.signal = CARBON_SIGNAL_AVERAGE;
	m.basis = CARBON_BASIS_UNKNOWN;
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_EINVAL, "is average/unknown");
	carbon_series_free(bad);
	m.basis = CARBON_BASIS_DIRECT;
	strcpy(m.source, "emaps:ES");
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_EINVAL,
		   "carbon record: the series' source \"emaps:ES\" is not "
		   "1-64 of");
	carbon_series_free(bad);
	m.source[0] = '\0';
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_EINVAL, "source \"\" is not");
	carbon_series_free(bad);
	strcpy(m.source, "x");
	m.fetched_at = 0;
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_EINVAL,
		   "carbon record: the series' fetched_at is unknown (0)");
	carbon_series_free(bad);
	m.fetched_at = -1;
	bad = hourly(&m, 1);
	check_from(bad, "ES", T0, CARBON_ERANGE, "outside 1970..9999");
	carbon_series_free(bad);
	/* the good one still converts */
	assert_int_equal(carbon_record_from_series(s, "ES", T0, &r, NULL, 0),
			 0);
	carbon_record_free(r);
	carbon_series_free(s);
}

static void test_helpers(void **state)
{
	char buf[32];

	(void)state;
	assert_null(carbon_record_new(0));
	assert_null(carbon_record_new(CARBON_RECORD_POINTS_MAX + 1));
	carbon_record_free(NULL);
	assert_int_equal(carbon_record_age(NULL), 0);
	assert_int_equal(carbon_record_key_name("carbon:", "US-CAL-CISO", buf,
						sizeof(buf)),
			 0);
	assert_string_equal(buf, "carbon:zone:US-CAL-CISO");
	assert_int_equal(
		carbon_record_key_name("carbon:", "US-CAL-CISO", buf, 23),
		CARBON_ETOOLONG);
	assert_int_equal(carbon_record_key_name(NULL, "ES", buf, sizeof(buf)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_key_name("p", NULL, buf, sizeof(buf)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_key_name("p", "ES", NULL, 5),
			 CARBON_EINVAL);
	assert_int_equal(carbon_record_key_name("p", "ES", buf, 0),
			 CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_encode),
		cmocka_unit_test(test_golden_decode),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_one_byte_changes),
		cmocka_unit_test(test_decode_rejections),
		cmocka_unit_test(test_decode_nul_and_args),
		cmocka_unit_test(test_encode_rejections),
		cmocka_unit_test(test_buffer_sizes),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_helpers),
		cmocka_unit_test(test_to_series),
		cmocka_unit_test(test_golden_via_series),
		cmocka_unit_test(test_series_round_trips),
		cmocka_unit_test(test_to_series_rejections),
		cmocka_unit_test(test_to_series_no_memory),
		cmocka_unit_test(test_from_series),
		cmocka_unit_test(test_from_series_rejections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
