/*
 * config.c: carbon.conf and plugin arguments (see carbon/config.h): the
 * line splitter and the parse driver.  The core's keys are rows in
 * config_keys.c, an extension's in its own tables (carbon_config_new_ext());
 * configs are made and freed in config_ext.c; values are parsed in
 * config_value.c, records are checked in config_check.c and looked up in
 * config_lookup.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"

/* More Key=Value pairs than any record has keys. */
#define TOKENS_MAX  64
#define ARGS_ORIGIN "plugin arguments"

/* Duplicate checks and lookups read every record's name at offset 0. */
_Static_assert(offsetof(struct carbon_config_cluster, name) == 0, "name");
_Static_assert(offsetof(struct carbon_config_zone, name) == 0, "name");
_Static_assert(offsetof(struct carbon_config_defaults, name) == 0, "name");

struct token {
	char *key;
	char *value;
};

/* ---- messages ----------------------------------------------------------- */

static int vreport(struct config_parse *ps, const char *file, unsigned line,
		   int code, const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (file)
		return carbon_error_set(ps->err, ps->errlen, code, "%s:%u: %s",
					file, line, msg);
	return carbon_error_set(ps->err, ps->errlen, code, "%s: %s",
				ps->origin ? ps->origin : ARGS_ORIGIN, msg);
}

int config_error(struct config_parse *ps, int code, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(ps, ps->file, ps->line, code, fmt, ap);
	va_end(ap);
	return rc;
}

int config_error_at(struct config_parse *ps, unsigned line, int code,
		    const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vreport(ps, ps->cfg->file_name, line, code, fmt, ap);
	va_end(ap);
	return rc;
}

/* Append ", " (unless first) and the names of keys, args-only ones left
 * out, at *at; false once buf is full. */
static bool list_keys(const struct carbon_config_key *keys, size_t n, char *buf,
		      size_t len, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		int k;

		if (keys[i].flags & KF_ARGS_ONLY)
			continue;
		k = snprintf(buf + *at, len - *at, "%s%s", *at ? ", " : "",
			     keys[i].name);
		if (k < 0 || (size_t)k >= len - *at)
			return false;
		*at += (size_t)k;
	}
	return true;
}

/* "A, B, C" of a record kind's keys, for "unknown key" messages. */
static void key_list(const struct carbon_config_record *s, char *buf,
		     size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	list_keys(s->keys, s->n_keys, buf, len, &at);
}

/* The same for the global keys: the core's, then the extension's. */
static void global_key_list(const struct carbon_config *cfg, char *buf,
			    size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	if (list_keys(config_globals.keys, config_globals.n_keys, buf, len,
		      &at) &&
	    cfg->ext)
		list_keys(cfg->ext->globals, cfg->ext->n_globals, buf, len,
			  &at);
}

/* ---- splitting a line --------------------------------------------------- */

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The value at *pp (after '='), NUL-terminated in place; *end on a '#'. */
static int split_value(struct config_parse *ps, const char *key, char **pp,
		       char **value, bool *end)
{
	char *p = *pp;

	if (*p == '"') {
		char *q = strchr(p + 1, '"');

		if (!q)
			return config_error(ps, CARBON_EINVAL,
					    "%s: the quote is never closed",
					    key);
		*q = '\0';
		*value = p + 1;
		p = q + 1;
		if (*p && !blank(*p) && *p != '#')
			return config_error(ps, CARBON_EINVAL,
					    "%s: text right after the closing "
					    "quote; put a space between pairs",
					    key);
	} else {
		*value = p;
		while (*p && !blank(*p) && *p != '#' && *p != '"')
			p++;
		if (*p == '"')
			return config_error(ps, CARBON_EINVAL,
					    "%s: a quote inside a value; quote "
					    "the whole value (Key=\"...\")",
					    key);
	}
	*end = *p == '#' || !*p;
	if (*p)
		*p++ = '\0';
	if (!**value)
		return config_error(ps, CARBON_EINVAL,
				    "%s: empty value; give Key=Value", key);
	*pp = p;
	return 0;
}

/* Split s in place into Key=Value tokens; *n receives their number. */
static int tokenize(struct config_parse *ps, char *s, struct token *t,
		    size_t *n)
{
	char *p = s;
	bool end = false;

	*n = 0;
	while (!end) {
		char *key;
		int rc;

		while (blank(*p))
			p++;
		if (!*p || *p == '#')
			break;
		key = p;
		while (key_char(*p))
			p++;
		if (*p != '=' || p == key)
			return config_error(ps, CARBON_EINVAL,
					    "expected Key=Value at column %zu "
					    "(\"%.20s\"); no spaces around '='",
					    (size_t)(key - s) + 1, key);
		*p++ = '\0';
		if (*n == TOKENS_MAX)
			return config_error(ps, CARBON_ERANGE,
					    "more than %d Key=Value pairs on "
					    "one line",
					    TOKENS_MAX);
		rc = split_value(ps, key, &p, &t[*n].value, &end);
		if (rc)
			return rc;
		t[(*n)++].key = key;
	}
	return 0;
}

/* ---- applying tokens ---------------------------------------------------- */

static const struct carbon_config_record *
record_of(const struct carbon_config *cfg, const char *key)
{
	const struct carbon_config_record *s;

	for (size_t i = 0; (s = config_record_kind(cfg, i)); i++) {
		if (config_key_find(s, key) >= 0)
			return s;
	}
	return NULL;
}

static int unknown_global(struct config_parse *ps, const char *key)
{
	const struct carbon_config_record *s = record_of(ps->cfg, key), *r;
	char keys[1024];

	for (size_t i = 0; ps->file && (r = config_record_kind(ps->cfg, i));
	     i++) {
		if (!strcasecmp(key, r->start))
			return config_error(ps, CARBON_EINVAL,
					    "%s: starts a %s record, which "
					    "must be the first key on its line",
					    r->start, r->what);
	}
	if (!ps->file && s)
		return config_error(ps, CARBON_EINVAL,
				    "%s: only global keys are accepted here",
				    key);
	if (s)
		return config_error(ps, CARBON_EINVAL,
				    "%s: belongs on a %s line (after %s=NAME), "
				    "not among global keys",
				    key, s->start, s->start);
	global_key_list(ps->cfg, keys, sizeof(keys));
	return config_error(ps, CARBON_EINVAL,
			    "unknown key \"%s\"; global keys are %s", key,
			    keys);
}

static int apply_global(struct config_parse *ps, const struct token *t)
{
	int i = config_global_find(ps->cfg, t->key);
	const struct carbon_config_key *k;
	uint64_t bit;
	void *base = NULL;

	if (i < 0)
		return unknown_global(ps, t->key);
	k = config_global_key(ps->cfg, (size_t)i, &base);
	bit = UINT64_C(1) << i;
	if (ps->file && (k->flags & KF_ARGS_ONLY))
		return config_error(ps, CARBON_EINVAL,
				    "%s: only in plugin arguments", k->name);
	if ((ps->given & bit) && ps->file)
		return config_error(ps, CARBON_EINVAL,
				    "%s: already set at line %u", k->name,
				    ps->key_line[i]);
	if (ps->given & bit)
		return config_error(ps, CARBON_EINVAL, "%s: given twice",
				    k->name);
	if (ps->file && (ps->cfg->args_given & bit)) {
		/* arguments win; the file's value is still checked */
		if (!ps->scratch)
			ps->scratch = carbon_config_new_ext(ps->cfg->ext);
		if (!ps->scratch)
			return config_error(ps, CARBON_ENOMEM, "out of memory");
		config_global_key(ps->scratch, (size_t)i, &base);
	}
	ps->given |= bit;
	ps->key_line[i] = ps->line;
	return config_key_set(ps, k, t->value, base);
}

/* A new zeroed record at the end of s's array (not yet counted). */
static int grow(struct config_parse *ps, const struct carbon_config_record *s,
		char **rec)
{
	char *owner = config_record_owner(ps->cfg, s);
	char **arr = (char **)(owner + s->arr_off);
	size_t count = *(size_t *)(owner + s->count_off);
	char *bigger;

	if (count == s->max)
		return config_error(ps, CARBON_ERANGE, "more than %zu %s lines",
				    s->max, s->start);
	bigger = realloc(*arr, (count + 1) * s->rec_size);
	if (!bigger)
		return config_error(ps, CARBON_ENOMEM, "out of memory");
	*arr = bigger;
	*rec = bigger + count * s->rec_size;
	memset(*rec, 0, s->rec_size);
	return 0;
}

static int check_record(struct config_parse *ps,
			const struct carbon_config_record *s, char *rec,
			uint64_t given)
{
	char *owner = config_record_owner(ps->cfg, s);
	size_t count = *(size_t *)(owner + s->count_off);
	char *arr = *(char **)(owner + s->arr_off);
	char msg[512];
	int rc;

	for (size_t i = 0; i < count; i++) {
		const char *other = arr + i * s->rec_size;

		if (!strcasecmp(other, rec))
			return config_error(
				ps, CARBON_EINVAL,
				"%s=%s: already defined at line %u", s->start,
				rec, *(const unsigned *)(other + s->line_off));
	}
	for (size_t i = 0; i < s->n_keys; i++) {
		if ((s->keys[i].flags & KF_REQUIRED) &&
		    !(given & (UINT64_C(1) << i)))
			return config_error(ps, CARBON_EINVAL,
					    "%s=%s: %s is required", s->start,
					    rec, s->keys[i].name);
	}
	rc = s->check ? s->check(rec, given, msg, sizeof(msg)) : 0;
	return rc ? config_error(ps, rc, "%s", msg) : 0;
}

static int record_line(struct config_parse *ps,
		       const struct carbon_config_record *s,
		       const struct token *t, size_t n)
{
	char *rec = NULL, keys[1024];
	uint64_t given = 0;
	int rc = grow(ps, s, &rec);

	if (rc)
		return rc;
	if (s->init)
		s->init(rec);
	*(unsigned *)(rec + s->line_off) = ps->line;
	for (size_t i = 0; i < n; i++) {
		int k = config_key_find(s, t[i].key);

		if (k < 0) {
			key_list(s, keys, sizeof(keys));
			return config_error(ps, CARBON_EINVAL,
					    "unknown key \"%s\" on a %s line; "
					    "its keys are %s",
					    t[i].key, s->start, keys);
		}
		if (given & (UINT64_C(1) << k))
			return config_error(ps, CARBON_EINVAL,
					    "%s: given twice on this line",
					    s->keys[k].name);
		rc = config_key_set(ps, &s->keys[k], t[i].value, rec);
		if (rc)
			return rc;
		given |= UINT64_C(1) << k;
	}
	rc = check_record(ps, s, rec, given);
	if (!rc)
		(*(size_t *)(config_record_owner(ps->cfg, s) + s->count_off))++;
	return rc;
}

static int parse_line(struct config_parse *ps, char *line)
{
	const struct carbon_config_record *s;
	struct token t[TOKENS_MAX];
	size_t n;
	int rc = tokenize(ps, line, t, &n);

	if (rc || n == 0)
		return rc;
	for (size_t i = 0; (s = config_record_kind(ps->cfg, i)); i++) {
		if (!strcasecmp(t[0].key, s->start))
			return record_line(ps, s, t, n);
	}
	for (size_t i = 0; i < n && !rc; i++)
		rc = apply_global(ps, &t[i]);
	return rc;
}

/*
 * Copy the line at buf[0..n) into out; control bytes are refused, except
 * tabs between pairs (tab is then a separator, not part of a value).
 */
static int take_line(struct config_parse *ps, const char *buf, size_t n,
		     char *out, bool tabs)
{
	if (n && buf[n - 1] == '\r' && tabs)
		n--;
	if (n > CARBON_CONFIG_LINE_MAX)
		return config_error(ps, CARBON_ETOOLONG,
				    "line longer than %d bytes",
				    CARBON_CONFIG_LINE_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && (c != '\t' || !tabs)) || c == 0x7f)
			return config_error(ps, CARBON_EINVAL,
					    "control byte 0x%02x at column %zu",
					    c, i + 1);
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

static int parse_lines(struct config_parse *ps, const char *buf, size_t len)
{
	char line[CARBON_CONFIG_LINE_MAX + 1];
	const char *p = buf, *end = buf + len;
	int rc = 0;

	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		ps->line++;
		rc = take_line(ps, p, n, line, true);
		if (!rc)
			rc = parse_line(ps, line);
		p += n + 1;
	}
	return rc;
}

int carbon_config_parse(struct carbon_config *cfg, const char *buf, size_t len,
			const char *file, char *err, size_t errlen)
{
	struct config_parse ps = {0};
	int rc;

	if (!file || !*file)
		file = "carbon.conf";
	ps.cfg = cfg;
	ps.file = file;
	ps.err = err;
	ps.errlen = errlen;
	if (!cfg || (!buf && len) || cfg->file_parsed)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments or "
					"parsed twice",
					file);
	if (len > CARBON_CONFIG_BYTES_MAX)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: larger than %d bytes", file,
					CARBON_CONFIG_BYTES_MAX);
	cfg->file_parsed = true;
	snprintf(cfg->file_name, sizeof(cfg->file_name), "%s", file);
	rc = parse_lines(&ps, buf, len);
	if (!rc)
		rc = config_check_all(&ps);
	carbon_config_free(ps.scratch);
	return rc;
}

static int apply_args(struct config_parse *ps, const struct token *t, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		rc = apply_global(ps, &t[i]);
	for (size_t i = 0; i < n && !rc; i++) {
		int k = config_global_find(ps->cfg, t[i].key);

		ps->cfg->args_given |= UINT64_C(1) << k;
	}
	return rc ? rc : config_check_all(ps);
}

int carbon_config_parse_args(struct carbon_config *cfg, int argc,
			     const char *const argv[], const char *origin,
			     char *err, size_t errlen)
{
	struct config_parse ps = {cfg, NULL, origin, 0,	    0,
				  {0}, NULL, err,    errlen};
	char buf[CARBON_CONFIG_LINE_MAX + 1];
	struct token t[TOKENS_MAX];
	size_t n = 0, at = 0;

	if (!cfg || argc < 0 || (argc && !argv))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					origin ? origin : ARGS_ORIGIN);
	for (int i = 0; i < argc; i++) {
		size_t len = argv[i] ? strlen(argv[i]) : 0;
		char *eq;

		if (len + 1 > sizeof(buf) - at || n == TOKENS_MAX)
			return config_error(&ps, CARBON_ETOOLONG,
					    "arguments longer than %d bytes "
					    "or more than %d",
					    CARBON_CONFIG_LINE_MAX, TOKENS_MAX);
		if (take_line(&ps, argv[i] ? argv[i] : "", len, buf + at,
			      false))
			return CARBON_EINVAL;
		eq = strchr(buf + at, '=');
		if (!eq || eq == buf + at || !eq[1])
			return config_error(&ps, CARBON_EINVAL,
					    "\"%s\" is not Key=Value",
					    buf + at);
		*eq = '\0';
		t[n].key = buf + at;
		t[n++].value = eq + 1;
		at += len + 1;
	}
	return apply_args(&ps, t, n);
}

int carbon_config_parse_arg_string(struct carbon_config *cfg, const char *args,
				   const char *origin, char *err, size_t errlen)
{
	struct config_parse ps = {cfg, NULL, origin, 0,	    0,
				  {0}, NULL, err,    errlen};
	char buf[CARBON_CONFIG_LINE_MAX + 1];
	struct token t[TOKENS_MAX];
	size_t n = 0;
	int rc;

	if (!cfg || !args)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					origin ? origin : ARGS_ORIGIN);
	rc = take_line(&ps, args, strlen(args), buf, true);
	if (!rc)
		rc = tokenize(&ps, buf, t, &n);
	return rc ? rc : apply_args(&ps, t, n);
}
