/*
 * Unit tests for carbon/config.h's extensions: a caller's own global keys
 * and record kinds, parsed by the core's parser into the caller's block,
 * with the core's syntax, limits and "FILE:LINE: " messages; keys nobody
 * registered still fail with their line.  A made-up extension (widgets)
 * stands in for carbon-cached's, so the core is tested alone.
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

#include "carbon/config.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

struct widget {
	char name[CARBON_CONFIG_NAME_BUF];
	int size;
	int weight;
	char label[32];
	bool has_label;
	unsigned line;
};

struct block {
	int color;
	int speed; /* Speed=fast|slow, by a parse callback */
	struct carbon_config_listen listen;
	struct widget *widgets;
	size_t n_widgets;
	bool inited;
};

static const struct carbon_config_word colors[] = {
	{"red", 1},
	{"green", 2},
	{NULL, 0},
};

static int parse_speed(const char *v, void *field, char *msg, size_t len)
{
	if (!strcmp(v, "fast") || !strcmp(v, "slow")) {
		*(int *)field = v[0] == 'f' ? 2 : 1;
		return 0;
	}
	return carbon_error_set(msg, len, CARBON_EINVAL,
				"\"%s\" is neither fast nor slow", v);
}

static const struct carbon_config_key globals[] = {
	{"Color", CARBON_CONFIG_KIND_ENUM, offsetof(struct block, color), 0, 0,
	 0, colors, 0, 0, NULL},
	{"Speed", CARBON_CONFIG_KIND_FUNC, offsetof(struct block, speed), 0, 0,
	 0, NULL, 0, 0, parse_speed},
	{"Listen", CARBON_CONFIG_KIND_LISTEN, offsetof(struct block, listen),
	 sizeof(struct carbon_config_listen), 0, 0, NULL, 0, 0, NULL},
};

static const struct carbon_config_key widget_keys[] = {
	{"Widget", CARBON_CONFIG_KIND_NAME, offsetof(struct widget, name),
	 CARBON_CONFIG_NAME_BUF, 0, 0, NULL, 0, 0, NULL},
	{"Size", CARBON_CONFIG_KIND_INT, offsetof(struct widget, size), 0, 1, 9,
	 NULL, CARBON_CONFIG_KEY_REQUIRED, 0, NULL},
	{"Label", CARBON_CONFIG_KIND_TEXT, offsetof(struct widget, label), 32,
	 0, 0, NULL, CARBON_CONFIG_KEY_HAS, offsetof(struct widget, has_label),
	 NULL},
	{"Weight", CARBON_CONFIG_KIND_INT, offsetof(struct widget, weight), 0,
	 0, 100, NULL, 0, 0, NULL},
};

static void widget_init(void *rec)
{
	((struct widget *)rec)->weight = 7;
}

/* A label needs a size above 1 (keys that depend on each other). */
static int widget_check(void *rec, uint64_t given, char *msg, size_t len)
{
	const struct widget *w = rec;

	if ((given & 4) && w->size < 2)
		return carbon_error_set(msg, len, CARBON_EINVAL,
					"Widget=%s: a label needs Size=2 or "
					"more",
					w->name);
	return 0;
}

static const struct carbon_config_record widgets =
	CARBON_CONFIG_RECORD("Widget", "widget", widget_keys, widget, 3, block,
			     widgets, n_widgets, widget_init, widget_check);

static const struct carbon_config_record *const records[] = {&widgets};

static void block_init(void *b)
{
	((struct block *)b)->inited = true;
}

/* Green widgets must not be called "grey": a check of the whole file. */
static int block_check(struct carbon_config *cfg, void *b, unsigned *line,
		       char *msg, size_t len)
{
	const struct block *bl = b;

	(void)cfg;
	for (size_t i = 0; i < bl->n_widgets; i++) {
		if (bl->color == 2 && !strcmp(bl->widgets[i].name, "grey")) {
			*line = bl->widgets[i].line;
			return carbon_error_set(msg, len, CARBON_EINVAL,
						"Widget=grey: not with "
						"Color=green");
		}
	}
	*line = 0;
	return bl->color == 2 && bl->speed == 1
		       ? carbon_error_set(msg, len, CARBON_EINVAL,
					  "Color=green: needs Speed=fast")
		       : 0;
}

static const struct carbon_config_schema schema = {
	sizeof(struct block), block_init,  globals, N(globals), records,
	N(records),	      block_check,
};

static struct carbon_config *parse_ext(const char *text, int want_rc,
				       const char *want_err)
{
	struct carbon_config *cfg = carbon_config_new_ext(&schema);
	char err[1024] = "";
	int rc;

	assert_non_null(cfg);
	rc = carbon_config_parse(cfg, text, strlen(text), "carbon.conf", err,
				 sizeof(err));
	if (rc != want_rc || strncmp(err, want_err, strlen(want_err)))
		fail_msg("\"%s\": rc %d, err \"%s\"", text, rc, err);
	return cfg;
}

static void test_registered_keys_parse(void **state)
{
	struct carbon_config *cfg =
		parse_ext("RedisPort=7000 color=GREEN Speed=fast\n"
			  "Listen=[::1]:9000\n"
			  "Widget=w1 Size=3 Label=\"a b\"\n"
			  "widget=w2 Size=4 Weight=0\nWidget=w3 Size=5\n"
			  "ClusterName=c FallbackIntensity=10\n",
			  0, "");
	const struct block *b = carbon_config_ext_peek(cfg, &schema);
	const struct widget *w;

	(void)state;
	assert_non_null(b);
	assert_true(b->inited);
	assert_int_equal(cfg->redis_port, 7000);
	assert_int_equal(b->color, 2);
	assert_int_equal(b->speed, 2);
	assert_string_equal(b->listen.text, "[::1]:9000");
	assert_string_equal(b->listen.host, "::1");
	assert_int_equal(b->listen.port, 9000);
	assert_int_equal(b->n_widgets, 3);
	w = carbon_config_record_peek(cfg, &widgets, "W1");
	assert_non_null(w);
	assert_int_equal(w->size, 3);
	assert_string_equal(w->label, "a b");
	assert_true(w->has_label);
	assert_int_equal(w->line, 3);
	assert_int_equal(w->weight, 7); /* init() */
	w = carbon_config_record_peek(cfg, &widgets, "w2");
	assert_int_equal(w->size, 4);
	assert_int_equal(w->weight, 0);
	assert_false(w->has_label);
	assert_null(carbon_config_record_peek(cfg, &widgets, "w4"));
	assert_null(carbon_config_record_peek(cfg, NULL, "w1"));
	assert_null(carbon_config_record_peek(NULL, &widgets, "w1"));
	assert_null(carbon_config_ext_peek(cfg, NULL));
	assert_null(carbon_config_ext_peek(NULL, &schema));
	assert_non_null(carbon_config_cluster_peek(cfg, "c"));
	carbon_config_free(cfg);
}

/* Keys nobody registered fail at their line, as the core's own do. */
static void test_unregistered_keys_fail(void **state)
{
	static const struct {
		const char *in;
		int code;
		const char *msg;
	} cases[] = {
		{"Color=red\n\nFoo=1", CARBON_EINVAL,
		 "carbon.conf:3: unknown key \"Foo\"; global keys are "
		 "RedisHost, "},
		{"Widget=w Size=2 Shape=round", CARBON_EINVAL,
		 "carbon.conf:1: unknown key \"Shape\" on a Widget line; its "
		 "keys are Widget, Size, Label, Weight"},
		{"RedisPort=1\nSize=2", CARBON_EINVAL,
		 "carbon.conf:2: Size: belongs on a Widget line (after "
		 "Widget=NAME), not among global keys"},
		{"Color=red Widget=w", CARBON_EINVAL,
		 "carbon.conf:1: Widget: starts a widget record, which must be "
		 "the first key on its line"},
		{"\nColor=blue", CARBON_EINVAL,
		 "carbon.conf:2: Color: \"blue\" is not valid; use red or "
		 "green"},
		{"Speed=warp", CARBON_EINVAL,
		 "carbon.conf:1: Speed: \"warp\" is neither fast nor slow"},
		{"Listen=nowhere", CARBON_EINVAL,
		 "carbon.conf:1: Listen: \"nowhere\" is not HOST:PORT"},
		{"Color=red\ncolor=green", CARBON_EINVAL,
		 "carbon.conf:2: Color: already set at line 1"},
		{"Widget=w", CARBON_EINVAL,
		 "carbon.conf:1: Widget=w: Size is required"},
		{"Widget=w Size=10", CARBON_ERANGE,
		 "carbon.conf:1: Size: \"10\" is out of range"},
		{"Widget=w Size=1 Label=x", CARBON_EINVAL,
		 "carbon.conf:1: Widget=w: a label needs Size=2 or more"},
		{"Widget=w Size=2\nWidget=W Size=3", CARBON_EINVAL,
		 "carbon.conf:2: Widget=W: already defined at line 1"},
		{"Widget=a Size=2\nWidget=b Size=2\nWidget=c Size=2\n"
		 "Widget=d Size=2",
		 CARBON_ERANGE, "carbon.conf:4: more than 3 Widget lines"},
		{"Color=green Speed=fast\nWidget=w Size=2\nWidget=grey Size=2",
		 CARBON_EINVAL,
		 "carbon.conf:3: Widget=grey: not with Color=green"},
		{"Color=green Speed=slow", CARBON_EINVAL,
		 "carbon.conf:1: Color=green: needs Speed=fast"},
	};

	(void)state;
	for (size_t i = 0; i < N(cases); i++)
		carbon_config_free(
			parse_ext(cases[i].in, cases[i].code, cases[i].msg));
}

/* The global key list shows the extension's keys after the core's. */
static void test_key_list(void **state)
{
	struct carbon_config *cfg = carbon_config_new_ext(&schema);
	char err[1024];

	(void)state;
	assert_int_equal(
		carbon_config_parse(cfg, "Foo=1", 5, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_non_null(strstr(err, ", ForecastFallbackDays, Color, Speed, "
				    "Listen"));
	carbon_config_free(cfg);
}

/* Lists cut to the caller's buffer: words, and keys past a message's. */
static void test_lists_cut(void **state)
{
	static struct carbon_config_key many[CARBON_CONFIG_EXT_GLOBALS_MAX];
	static char names[CARBON_CONFIG_EXT_GLOBALS_MAX][48];
	struct carbon_config_schema s = {.globals = many, .n_globals = N(many)};
	struct carbon_config *cfg;
	char buf[8], err[1100];

	(void)state;
	carbon_config_words_list(colors, buf, sizeof(buf));
	assert_string_equal(buf, "red or "); /* cut, terminated */
	for (size_t i = 0; i < N(many); i++) {
		snprintf(names[i], sizeof(names[i]),
			 "AVeryLongKeyNameThatFillsTheList%02zu", i);
		many[i].name = names[i];
		many[i].kind = CARBON_CONFIG_KIND_INT;
		many[i].max = 1;
	}
	cfg = carbon_config_new_ext(&s);
	assert_non_null(cfg);
	assert_int_equal(
		carbon_config_parse(cfg, "Foo=1", 5, NULL, err, sizeof(err)),
		CARBON_EINVAL);
	/* the list is cut where the message ends */
	assert_non_null(strstr(err, "AVeryLongKeyNameThatFillsTheList00"));
	assert_null(strstr(err, "AVeryLongKeyNameThatFillsTheList31"));
	carbon_config_free(cfg);
}

/* A config without extension refuses text with err starting with want. */
static void core_refuses(const char *text, const char *want)
{
	struct carbon_config *cfg = carbon_config_new();
	char err[1024] = "";

	assert_int_equal(carbon_config_parse(cfg, text, strlen(text), "c.conf",
					     err, sizeof(err)),
			 CARBON_EINVAL);
	if (strncmp(err, want, strlen(want)))
		fail_msg("\"%s\": err \"%s\"", text, err);
	carbon_config_free(cfg);
}

/* Without the extension, its keys and records are unknown keys. */
static void test_core_alone(void **state)
{
	struct carbon_config *cfg = carbon_config_new();

	(void)state;
	assert_null(carbon_config_ext_peek(cfg, &schema));
	assert_null(carbon_config_record_peek(cfg, &widgets, "w"));
	carbon_config_free(cfg);
	core_refuses("RedisPort=1\nWidget=w",
		     "c.conf:2: unknown key \"Widget\"; global keys are "
		     "RedisHost, RedisPort, RedisUser, RedisPasswordFile, "
		     "CacheRedisUser, CacheRedisPasswordFile, RedisTimeout, "
		     "RedisKeyPrefix, HmacKeyFile, HmacKeyId, "
		     "PollInterval, SnapshotRefresh, StaleAfter, "
		     "ReplanInterval, FootprintInterval, FootprintLookback, "
		     "MinSavingPercent, "
		     "ReplanHysteresisPercent, SiblingSlackPercent, "
		     "EcoThreshold, Signal, Basis, DefaultUrgency, "
		     "MaxDelayLimit, FlexibleMaxDelay, ForecastFallbackDays");
	/* carbon-cached's keys too: the core does not know them */
	core_refuses("\nProvider=uk Type=ukci",
		     "c.conf:2: unknown key \"Provider\"");
	core_refuses("MetricsListen=h:1",
		     "c.conf:1: unknown key \"MetricsListen\"");
	core_refuses("ClusterName=c FallbackIntensity=1\n\n"
		     "EmissionFactors=t Default=1",
		     "c.conf:3: unknown key \"EmissionFactors\"");
}

/* Plugin arguments reach the extension's global keys and win. */
static void test_args(void **state)
{
	static const char *const argv[] = {"Color=red", "Speed=slow"};
	struct carbon_config *cfg = carbon_config_new_ext(&schema);
	const struct block *b = carbon_config_ext_peek(cfg, &schema);
	char err[512] = "";

	(void)state;
	assert_int_equal(
		carbon_config_parse_args(cfg, 2, argv, "x", err, sizeof(err)),
		0);
	/* the file's Color is checked, then ignored */
	assert_int_equal(carbon_config_parse(cfg,
					     "Color=green\nWidget=w Size=2", 27,
					     "c.conf", err, sizeof(err)),
			 0);
	assert_int_equal(b->color, 1);
	assert_int_equal(b->speed, 1);
	assert_int_equal(b->n_widgets, 1);
	assert_int_equal(carbon_config_parse_arg_string(cfg, "Widget=v", "y",
							err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err,
			    "y: Widget: only global keys are accepted here");
	assert_int_equal(carbon_config_parse_arg_string(cfg, "Color=green", "y",
							err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "y: Color=green: needs Speed=fast");
	carbon_config_free(cfg);
}

/* A malformed extension is refused at creation, a missing parser at use. */
static void test_bad_schemas(void **state)
{
	static struct carbon_config_key many[CARBON_CONFIG_RECORD_KEYS_MAX + 1];
	static const struct carbon_config_key no_parser[] = {
		{"Odd", CARBON_CONFIG_KIND_FUNC, 0, 0, 0, 0, NULL, 0, 0, NULL},
	};
	struct carbon_config_record wide = widgets;
	const struct carbon_config_record *const wides[] = {&wide};
	struct carbon_config_schema s = {.size = sizeof(int)};
	struct carbon_config *cfg;
	char err[256];

	(void)state;
	s.globals = many;
	s.n_globals = CARBON_CONFIG_EXT_GLOBALS_MAX + 1;
	assert_null(carbon_config_new_ext(&s));
	wide.keys = many;
	wide.n_keys = N(many);
	s.n_globals = 0;
	s.records = wides;
	s.n_records = 1;
	assert_null(carbon_config_new_ext(&s));
	/* no parser, no init, no check, no record kinds */
	s.globals = no_parser;
	s.n_globals = 1;
	s.n_records = 0;
	cfg = carbon_config_new_ext(&s);
	assert_non_null(cfg);
	assert_int_equal(carbon_config_parse(cfg, "Odd=1", 5, "c.conf", err,
					     sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "c.conf:1: Odd: internal error: no parser");
	carbon_config_free(cfg);
	cfg = carbon_config_new_ext(&s);
	assert_int_equal(carbon_config_parse(cfg, "RedisPort=2", 11, "c.conf",
					     err, sizeof(err)),
			 0);
	assert_int_equal(cfg->redis_port, 2);
	carbon_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registered_keys_parse),
		cmocka_unit_test(test_unregistered_keys_fail),
		cmocka_unit_test(test_key_list),
		cmocka_unit_test(test_lists_cut),
		cmocka_unit_test(test_core_alone),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_bad_schemas),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
