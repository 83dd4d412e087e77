/*
 * Unit tests for the ENTSO-E provider (providers/entsoe.h): A75 documents
 * written from the Transparency Platform's shapes (PT60M and mixed
 * PT15M/PT60M series, consumption series skipped, curve type A03, types
 * split across TimeSeries, Acknowledgement documents), broken and hostile
 * XML (truncated, malformed, DTDs and entities), every field check, the
 * size bounds (generated documents), then open/bind/fetch/close against
 * the scripted HTTP client, the token kept out of every message.
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

#include "../fake-provider/fake_http.h"
#include "provider_test.h"
#include "providers/entsoe.h"

#define T0 INT64_C(1704067200) /* 2024-01-01T00:00:00Z */
#define H  INT64_C(3600)

#define HEAD                                                                   \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                         \
	"<GL_MarketDocument xmlns=\"urn:iec62325.351:tc57wg16:451-6:"          \
	"generationloaddocument:3:0\">\n"                                      \
	"<mRID>f4f1f2d1</mRID><revisionNumber>1</revisionNumber>"              \
	"<type>A75</type><process.processType>A16</process.processType>"       \
	"<sender_MarketParticipant.mRID codingScheme=\"A01\">10X1001A1001A450" \
	"</sender_MarketParticipant.mRID>"                                     \
	"<createdDateTime>2024-01-01T03:00:00Z</createdDateTime>"              \
	"<time_Period.timeInterval><start>2024-01-01T00:00Z</start>"           \
	"<end>2024-01-01T02:00Z</end></time_Period.timeInterval>\n"
#define TAIL "</GL_MarketDocument>\n"
/* One TimeSeries: extra goes after the domain (unit, curveType). */
#define TS(psr, domain, extra, start, end, res, points)                      \
	"<TimeSeries><mRID>1</mRID><businessType>A01</businessType>"         \
	"<objectAggregation>A08</objectAggregation>"                         \
	"<" domain " codingScheme=\"A01\">10YES-REE------0</" domain ">"     \
	"<quantity_Measure_Unit.name>MAW</quantity_Measure_Unit.name>" extra \
	"<MktPSRType><psrType>" psr "</psrType></MktPSRType>"                \
	"<Period><timeInterval><start>" start "</start><end>" end            \
	"</end></timeInterval><resolution>" res "</resolution>" points       \
	"</Period></TimeSeries>\n"
#define GEN(psr, start, end, res, points)                                  \
	TS(psr, "inBiddingZone_Domain.mRID", "<curveType>A01</curveType>", \
	   start, end, res, points)
#define PT(pos, q)                                                        \
	"<Point><position>" #pos "</position><quantity>" #q "</quantity>" \
	"</Point>"
#define D0 "2024-01-01T00:00Z"
#define D1 "2024-01-01T01:00Z"
#define D2 "2024-01-01T02:00Z"
#define D3 "2024-01-01T03:00Z"
#define D4 "2024-01-01T04:00Z"

#define NORMAL                                                  \
	HEAD GEN("B04", D0, D2, "PT60M", PT(1, 100) PT(2, 200)) \
		GEN("B14", D0, D2, "PT60M", PT(1, 300) PT(2, 200)) TAIL
#define ACK                                                                    \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"                           \
	"<Acknowledgement_MarketDocument xmlns=\"urn:iec62325.351:tc57wg16:"   \
	"451-1:acknowledgementdocument:7:0\"><mRID>a</mRID>"                   \
	"<createdDateTime>2024-01-01T00:00:00Z</createdDateTime>"              \
	"<Reason><code>999</code><text>No matching data found for Data item "  \
	"ACTUAL_GENERATION_PER_PRODUCTION_TYPE [16.1.B&amp;C] (10YES-REE----"  \
	"--0) and interval 2024-01-01T00:00:00.000Z/2024-01-02T00:00:00.000Z." \
	"</text></Reason></Acknowledgement_MarketDocument>"

static struct carbon_entsoe_report rep;
static struct carbon_factors table;

static int setup_table(void **state)
{
	(void)state;
	memset(&table, 0, sizeof(table));
	snprintf(table.name, sizeof(table.name), "ipcc");
	table.basis = CARBON_BASIS_LIFECYCLE;
	table.other = 700;
	for (int k = 0; k < CARBON_PSR_MAX; k++)
		table.factor[k] = 700;
	table.factor[4 - 1] = 490; /* gas */
	table.factor[14 - 1] = 12; /* nuclear */
	table.factor[16 - 1] = 45; /* solar */
	table.factor[10 - 1] = 24; /* pumped storage */
	table.factor[19 - 1] = 11; /* wind onshore */
	return 0;
}

static int parse(const char *xml)
{
	err[0] = '\0';
	return carbon_entsoe_parse_a75(xml, strlen(xml), &table, &pts, &rep,
				       err, sizeof(err));
}

static bool near(double a, double b)
{
	return a - b < 1e-9 && b - a < 1e-9;
}

/* ---- documents ------------------------------------------------------------------ */

static void test_normal(void **state)
{
	(void)state;
	assert_int_equal(parse(NORMAL), 0);
	assert_int_equal(pts.n, 2);
	assert_int_equal(pts.span, 3600);
	assert_int_equal(pts.v[0].t, T0);
	assert_int_equal(pts.v[1].t, T0 + H);
	/* (100 x 490 + 300 x 12) / 400 and (200 x 490 + 200 x 12) / 400 */
	assert_true(near(pts.v[0].value, 131.5));
	assert_true(near(pts.v[1].value, 251.0));
	assert_false(pts.v[0].is_forecast || pts.v[0].is_estimated);
	assert_int_equal(rep.series, 2);
	assert_int_equal(rep.consumption, 0);
	assert_int_equal(rep.types, 2);
	assert_int_equal(rep.resolution, 3600);
}

static void test_mixed_resolution_and_consumption(void **state)
{
	(void)state;
	assert_int_equal(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(1, 100)) GEN(
				 "B16", D0, D1, "PT15M",
				 PT(1, 0) PT(2, 100) PT(3, 300) PT(4, 100))
				       TS("B10", "outBiddingZone_Domain.mRID",
					  "", D0, D1, "PT60M", PT(1, 5000))
					       GEN("B10", D0, D1, "PT30M",
						   PT(1, 0) PT(2, 0)) TAIL),
			 0);
	assert_int_equal(rep.consumption, 1);
	assert_int_equal(rep.series, 4);
	assert_int_equal(rep.types, 3);
	assert_int_equal(rep.resolution, 900);
	assert_int_equal(pts.span, 900);
	assert_int_equal(pts.n, 4);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(pts.v[i].t, T0 + (int64_t)i * 900);
	assert_true(near(pts.v[0].value, 490.0));
	assert_true(near(pts.v[1].value, (100 * 490.0 + 100 * 45) / 200));
	assert_true(near(pts.v[2].value, (100 * 490.0 + 300 * 45) / 400));
	assert_true(near(pts.v[3].value, pts.v[1].value));
}

static void test_curve_a03_and_split_types(void **state)
{
	(void)state;
	/* A03: position 1 holds until position 3, 3 until the end */
	assert_int_equal(parse(HEAD TS("B19", "inBiddingZone_Domain.mRID",
				       "<curveType>A03</curveType>", D0, D4,
				       "PT60M", PT(1, 100) PT(3, 300)) TAIL),
			 0);
	assert_int_equal(pts.n, 4);
	assert_true(near(pts.v[1].value, 11.0));
	/* one type split over two TimeSeries around a gap: merged; the
	 * gap hour has no generation at all and is skipped */
	assert_int_equal(
		parse(HEAD GEN("B04", D2, D4, "PT60M", PT(1, 10) PT(2, 10))
			      GEN("B04", D0, D1, "PT60M", PT(1, 10)) TAIL),
		0);
	assert_int_equal(pts.n, 3);
	assert_int_equal(pts.skipped, 1);
	assert_int_equal(rep.types, 1);
	assert_int_equal(pts.v[1].t, T0 + 2 * H);
	/* the mix ends where the earliest type ends */
	assert_int_equal(parse(HEAD GEN("B04", D0, D3, "PT60M",
					PT(1, 1) PT(2, 1) PT(3, 1))
				       GEN("B14", D0, D2, "PT60M",
					   PT(1, 1) PT(2, 1)) TAIL),
			 0);
	assert_int_equal(pts.n, 2);
	/* a missing position (A01) is a gap of that type only */
	assert_int_equal(parse(HEAD GEN("B04", D0, D2, "PT60M", PT(2, 100))
				       GEN("B14", D0, D2, "PT60M",
					   PT(1, 100) PT(2, 100)) TAIL),
			 0);
	assert_true(near(pts.v[0].value, 12.0));
	assert_true(near(pts.v[1].value, 251.0));
	/* an unknown code takes Default, a type without Points adds
	 * nothing, comments and CDATA are text */
	assert_int_equal(
		parse(HEAD GEN("B99", D0, D1, "PT60M",
			       "<Point><position>1<!-- x --></position>"
			       "<quantity><![CDATA[ 10 ]]></quantity>"
			       "</Point>") GEN("B01", D0, D1, "PT60M", "")
			      TAIL),
		0);
	assert_int_equal(rep.types, 1);
	assert_true(near(pts.v[0].value, 700.0));
}

static void test_no_data(void **state)
{
	(void)state;
	expect_fail(parse(ACK),
		    "entsoe: no data: No matching data found for Data item "
		    "ACTUAL_GENERATION_PER_PRODUCTION_TYPE [16.1.B&C]");
	expect_fail(parse("<Acknowledgement_MarketDocument><Reason><code>999"
			  "</code></Reason></Acknowledgement_MarketDocument>"),
		    "entsoe: no data: 999");
	expect_fail(parse("<Acknowledgement_MarketDocument/>"),
		    "entsoe: no data: no reason given");
	expect_fail(parse(HEAD TAIL),
		    "entsoe: no production values (0 TimeSeries, 0 of them "
		    "consumption)");
	expect_fail(parse(HEAD TS("B10", "outBiddingZone_Domain.mRID", "", D0,
				  D1, "PT60M", PT(1, 10)) TAIL),
		    "(1 TimeSeries, 1 of them consumption)");
	/* no generation at all: no points, the step counted */
	assert_int_equal(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(1, 0)) TAIL),
			 0);
	assert_int_equal(pts.n, 0);
	assert_int_equal(pts.skipped, 1);
}

static void test_broken_xml(void **state)
{
	static const char nul[] = HEAD "\0" TAIL;
	char *cut = strdup(NORMAL);

	(void)state;
	cut[strlen(cut) / 2] = '\0';
	expect_fail(parse(cut), "entsoe: truncated XML at line");
	free(cut);
	expect_fail(parse(HEAD "<TimeSeries></Period>" TAIL),
		    "entsoe: malformed XML at line 4: Opening and ending tag "
		    "mismatch");
	expect_fail(parse("not xml"), "entsoe: malformed XML at line 1");
	expect_fail(parse(""), "entsoe: empty answer");
	err[0] = '\0';
	expect_fail(carbon_entsoe_parse_a75(nul, sizeof(nul) - 1, &table, &pts,
					    NULL, err, sizeof(err)),
		    "entsoe: malformed XML: NUL byte at ");
	expect_fail(parse("<Foo/>"),
		    "entsoe: root element <Foo>, expected GL_MarketDocument");
	expect_fail(parse("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol "
			  "\"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;\">]>"
			  "<GL_MarketDocument>&lol2;</GL_MarketDocument>"),
		    "entsoe: a document with a DTD is not accepted");
	expect_fail(parse("<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM "
			  "\"http://example.com/x.dtd\"><GL_MarketDocument/>"),
		    "DTD is not accepted");
	/* an entity never declared: malformed, never fetched */
	expect_fail(parse("<GL_MarketDocument>&ext;</GL_MarketDocument>"),
		    "malformed XML");
	expect_fail(carbon_entsoe_parse_a75(NORMAL, CARBON_ENTSOE_XML_MAX + 1,
					    &table, &pts, &rep, err,
					    sizeof(err)),
		    "answer of 16777217 bytes is over the 16777216-byte limit");
	expect_fail(carbon_entsoe_parse_a75(NORMAL, 10, NULL, &pts, &rep, err,
					    sizeof(err)),
		    "entsoe: bad arguments");
}

static void test_bad_fields(void **state)
{
	(void)state;
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT5M", PT(1, 1)) TAIL),
		    "entsoe: TimeSeries[0] (B04).Period[0].resolution: "
		    "\"PT5M\", expected PT15M, PT30M or PT60M");
	expect_fail(parse(HEAD GEN("B04", D0, "2024-01-01T01:10Z", "PT60M",
				   PT(1, 1)) TAIL),
		    "Period[0].timeInterval: end is not a whole number");
	expect_fail(parse(HEAD GEN("B04", D1, D0, "PT60M", PT(1, 1)) TAIL),
		    "Period[0].timeInterval: end is not");
	expect_fail(
		parse(HEAD GEN("B04", "yesterday", D0, "PT60M", PT(1, 1)) TAIL),
		"Period[0].timeInterval.start: \"yesterday\"");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(2, 1)) TAIL),
		    "TimeSeries[0] (B04).Period[0].Point[0].position: 2, "
		    "expected 1 to 1");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(x, 1)) TAIL),
		    "Point[0].position: \"x\", expected 1 to 1");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(0, 1)) TAIL),
		    "Point[0].position: 0");
	expect_fail(
		parse(HEAD GEN("B04", D0, D2, "PT60M", PT(2, 1) PT(1, 1)) TAIL),
		"Point[1].position: 1 after 2 (out of order)");
	expect_fail(
		parse(HEAD GEN("B04", D0, D2, "PT60M", PT(1, 1) PT(1, 1)) TAIL),
		"Point[1].position: 1 after 1 (duplicate)");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(1, abc)) TAIL),
		    "Point[0].quantity: \"abc\"");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(1, -5)) TAIL),
		    "Point[0].quantity: -5 MW, expected 0 to 1e+06");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M", PT(1, 2e6)) TAIL),
		    "quantity: 2e+06 MW");
	expect_fail(
		parse(HEAD GEN("B04", D0, D1, "PT60M",
			       "<Point><position>1</position></Point>") TAIL),
		"Point[0].quantity: missing");
	expect_fail(parse(HEAD GEN("B04", D0, D1, "PT60M",
				   "<Point><position>1</position><quantity>"
				   "</quantity></Point>") TAIL),
		    "Point[0].quantity: empty or not plain text");
	expect_fail(parse(HEAD GEN("b04", D0, D1, "PT60M", PT(1, 1)) TAIL),
		    "TimeSeries[0].MktPSRType.psrType: \"b04\" is not a "
		    "production type code");
	expect_fail(
		parse(HEAD GEN("B04ABCDEF", D0, D1, "PT60M", PT(1, 1)) TAIL),
		"is not a production type code");
	expect_fail(parse(HEAD TS("B04", "inBiddingZone_Domain.mRID",
				  "<curveType>A02</curveType>", D0, D1, "PT60M",
				  PT(1, 1)) TAIL),
		    "TimeSeries[0].curveType: \"A02\", expected A01 or A03");
	expect_fail(parse(HEAD
			  "<TimeSeries><quantity_Measure_Unit.name>KWH"
			  "</quantity_Measure_Unit.name></TimeSeries>" TAIL),
		    "TimeSeries[0].quantity_Measure_Unit.name: \"KWH\", "
		    "expected MAW");
	expect_fail(parse(HEAD "<TimeSeries></TimeSeries>" TAIL),
		    "TimeSeries[0].psrType: missing");
	expect_fail(parse(HEAD "<TimeSeries><MktPSRType><psrType>B04</psrType>"
			       "</MktPSRType><Period><resolution>PT60M"
			       "</resolution></Period></TimeSeries>" TAIL),
		    "Period[0].timeInterval: missing");
	expect_fail(parse(HEAD "<TimeSeries><MktPSRType><psrType>B04</psrType>"
			       "</MktPSRType><Period><timeInterval><start>"
			       "2024-01-01T00:00Z</start><end><b/></end>"
			       "</timeInterval></Period></TimeSeries>" TAIL),
		    "Period[0].timeInterval.end: empty or not plain text");
	expect_fail(parse(HEAD GEN("B04", D0, D2, "PT60M", PT(1, 1) PT(2, 1))
				  GEN("B04", D1, D2, "PT60M", PT(1, 1)) TAIL),
		    "entsoe: psrType B04: two values for 2024-01-01T01:00Z "
		    "(overlapping Periods or TimeSeries)");
}

/* A document of n TimeSeries, type codes from code(i). */
static char *many_series(size_t n, bool distinct)
{
	size_t size = n * 700 + 4096, len;
	char *s = malloc(size);

	assert_non_null(s);
	len = (size_t)snprintf(s, size, "%s", HEAD);
	for (size_t i = 0; i < n; i++) {
		char psr[16];

		snprintf(psr, sizeof(psr), "X%03zu", distinct ? i : i % 50);
		len += (size_t)snprintf(
			s + len, size - len,
			"<TimeSeries><MktPSRType><psrType>%s</psrType>"
			"</MktPSRType><Period><timeInterval><start>"
			"2024-01-%02zuT00:00Z</start><end>2024-01-%02zuT00:15Z"
			"</end></timeInterval><resolution>PT15M</resolution>"
			"%s</Period></TimeSeries>\n",
			psr, 1 + i / 50, 1 + i / 50, PT(1, 1));
	}
	snprintf(s + len, size - len, "%s", TAIL);
	return s;
}

static void test_bounds(void **state)
{
	char *s;

	(void)state;
	s = many_series(CARBON_ENTSOE_TYPES_MAX + 1, true);
	expect_fail(parse(s), "TimeSeries[64]: more than 64 production types");
	free(s);
	s = many_series(CARBON_ENTSOE_SERIES_MAX + 1, false);
	expect_fail(parse(s), "entsoe: more than 512 TimeSeries");
	free(s);
	s = many_series(CARBON_ENTSOE_SERIES_MAX, false);
	assert_int_equal(parse(s), 0);
	assert_int_equal(rep.series, CARBON_ENTSOE_SERIES_MAX);
	free(s);
	/* one A03 value over a year at PT15M: too many steps */
	expect_fail(parse(HEAD TS("B04", "inBiddingZone_Domain.mRID",
				  "<curveType>A03</curveType>", D0,
				  "2024-12-31T00:00Z", "PT15M", PT(1, 1)) TAIL),
		    "entsoe: 35040 steps of 900 s, more than 20000");
}

static void test_too_many_points(void **state)
{
	size_t n = CARBON_ENTSOE_VALUES_MAX / 2 + 1, size = n * 160 + 4096;
	size_t len;
	char *s = malloc(size);

	(void)state;
	assert_non_null(s);
	len = (size_t)snprintf(s, size, "%s", HEAD);
	for (int k = 0; k < 2; k++) {
		len += (size_t)snprintf(s + len, size - len,
					"<TimeSeries><MktPSRType><psrType>B0%d"
					"</psrType></MktPSRType><Period>"
					"<timeInterval><start>2020-01-01T00:00Z"
					"</start><end>2025-01-01T00:00Z</end>"
					"</timeInterval><resolution>PT15M"
					"</resolution>",
					k + 1);
		for (size_t i = 1; i <= n; i++)
			len += (size_t)snprintf(
				s + len, size - len,
				"<Point><position>%zu</position>"
				"<quantity>1</quantity></Point>",
				i);
		len += (size_t)snprintf(s + len, size - len,
					"</Period></TimeSeries>");
	}
	snprintf(s + len, size - len, "%s", TAIL);
	expect_fail(parse(s), "TimeSeries[1] (B02).Period[0]: more than "
			      "200000 Points in the document");
	free(s);
}

/* ---- the provider --------------------------------------------------------------- */

static char token_path[256];
static struct carbon_provider_conf cfg;
static void *st;

static int setup_provider(void **state)
{
	setup_table(state);
	provider_config(&cfg, "entsoe", CARBON_PROVIDER_ENTSOE,
			CARBON_SIGNAL_AVERAGE, CARBON_BASIS_LIFECYCLE,
			"https://web-api.test/api");
	snprintf(cfg.factor_table, sizeof(cfg.factor_table), "ipcc");
	if (fake_secret_file("0123-secret-4567\n", 0600, token_path,
			     sizeof(token_path)))
		return -1;
	snprintf(cfg.token_file, sizeof(cfg.token_file), "%s", token_path);
	st = NULL;
	if (carbon_entsoe_ops.open(&cfg, &st, err, sizeof(err)))
		return -1;
	return carbon_entsoe_bind_factors(st, &table, err, sizeof(err));
}

static int teardown_provider(void **state)
{
	(void)state;
	carbon_entsoe_ops.close(st);
	st = NULL;
	fake_secret_remove(token_path);
	return 0;
}

static int fetch(carbon_series **s)
{
	err[0] = '\0';
	*s = NULL;
	return carbon_entsoe_ops.fetch(st, &cfg, NULL, "10YES-REE------0",
				       T0 + 2 * H + 1800, s, err, sizeof(err));
}

static void expect_fetch_fail(const char *text)
{
	carbon_series *s;
	int rc = fetch(&s);

	expect_fetch_failed(rc, s, text, "secret");
}

static void test_fetch_normal(void **state)
{
	carbon_series *s;

	(void)state;
	fake_push(200, NORMAL);
	assert_int_equal(fetch(&s), 0);
	assert_int_equal(carbon_series_count(s), 2);
	assert_int_equal(carbon_series_meta_peek(s)->default_span, 3600);
	assert_int_equal(carbon_series_meta_peek(s)->basis,
			 CARBON_BASIS_LIFECYCLE);
	carbon_series_free(s);
	assert_string_equal(fake_calls[0].url,
			    "https://web-api.test/api?securityToken=0123-"
			    "secret-4567&documentType=A75&processType=A16&"
			    "in_Domain=10YES-REE------0&periodStart="
			    "202312310200&periodEnd=202401010300");
	assert_string_equal(fake_calls[0].headers, "");
}

static void test_fetch_failures(void **state)
{
	(void)state;
	fake_push(401, "<html>Unauthorized</html>");
	expect_fetch_fail("entsoe 10YES-REE------0: A75: token rejected "
			  "(HTTP 401)");
	fake_reset();
	fake_push(200, ACK);
	expect_fetch_fail("entsoe 10YES-REE------0: A75: no data: No matching "
			  "data found");
	fake_reset();
	fake_push(400, "<Acknowledgement_MarketDocument><Reason><text>Bad "
		       "token 0123-secret-4567 for this query</text></Reason>"
		       "</Acknowledgement_MarketDocument>");
	expect_fetch_fail("A75: HTTP 400: Bad token ****************");
	fake_reset();
	fake_push(400, "<GL_MarketDocument/>");
	expect_fetch_fail("A75: HTTP 400");
	fake_reset();
	fake_push(400, "garbage");
	expect_fetch_fail("A75: HTTP 400");
	fake_reset();
	fake_push_down("Failed to connect to web-api.test port 443");
	expect_fetch_fail("A75: no answer: Failed to connect");
	fake_reset();
	fake_push_answer((struct fake_answer){
		.status = 0,
		.why = "error at /api?securityToken=0123-secret-4567"});
	expect_fetch_fail("securityToken=****************");
	fake_reset();
	fake_push(200, HEAD "<TimeSeries>" TAIL);
	expect_fetch_fail("entsoe 10YES-REE------0: A75: truncated XML at "
			  "line 5");
}

static void test_open_and_bind(void **state)
{
	struct carbon_provider_conf c = cfg;
	carbon_series *s = (carbon_series *)1;
	void *x = (void *)1;

	(void)state;
	c.signal = CARBON_SIGNAL_MARGINAL;
	assert_true(carbon_entsoe_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_null(x);
	c = cfg;
	c.token_file[0] = '\0';
	assert_true(carbon_entsoe_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "entsoe needs TokenFile"));
	snprintf(c.token_file, sizeof(c.token_file), "/nonexistent");
	assert_true(carbon_entsoe_ops.open(&c, &x, err, sizeof(err)) < 0);
	assert_int_equal(
		carbon_entsoe_bind_factors(NULL, &table, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(carbon_entsoe_bind_factors(st, NULL, err, sizeof(err)),
			 CARBON_EINVAL);
	carbon_entsoe_ops.close(NULL);
	assert_int_equal(carbon_entsoe_ops.fetch(NULL, &cfg, NULL, "X", T0, &s,
						 err, sizeof(err)),
			 CARBON_EINVAL);
	assert_null(s);
	assert_int_equal(carbon_entsoe_ops.fetch(st, &cfg, NULL, "X", 100, &s,
						 err, sizeof(err)),
			 CARBON_ERANGE);
	/* opened but never bound */
	assert_int_equal(carbon_entsoe_ops.open(&cfg, &x, err, sizeof(err)), 0);
	assert_int_equal(carbon_entsoe_ops.fetch(x, &cfg, NULL, "X", T0, &s,
						 err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "entsoe X: A75: FactorTable ipcc is not "
				    "bound"));
	carbon_entsoe_ops.close(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_normal, setup_table,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_mixed_resolution_and_consumption, setup_table,
			teardown),
		cmocka_unit_test_setup_teardown(test_curve_a03_and_split_types,
						setup_table, teardown),
		cmocka_unit_test_setup_teardown(test_no_data, setup_table,
						teardown),
		cmocka_unit_test_setup_teardown(test_broken_xml, setup_table,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields, setup_table,
						teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup_table,
						teardown),
		cmocka_unit_test_setup_teardown(test_too_many_points,
						setup_table, teardown),
		cmocka_unit_test_setup_teardown(
			test_fetch_normal, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_fetch_failures, setup_provider, teardown_provider),
		cmocka_unit_test_setup_teardown(
			test_open_and_bind, setup_provider, teardown_provider),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
