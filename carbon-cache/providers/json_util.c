/*
 * json_util.c: the HTTP providers' shared parsing helpers (json_util.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/timeparse.h"
#include "json_util.h"

/* Does where name the document itself ("prov:")? */
static bool ends_colon(const char *where)
{
	size_t n = strlen(where);

	return n && where[n - 1] == ':';
}

/* where + key as "where.key", or "prov: key" when where is "prov:". */
static const char *join(char *buf, size_t size, const char *where,
			const char *key)
{
	snprintf(buf, size, "%s%s%s", where, ends_colon(where) ? " " : ".",
		 key);
	return buf;
}

static void format_time(int64_t t, char *buf, size_t size)
{
	struct tm tm;

	if (carbon_time_to_utc_tm(t, &tm)) {
		snprintf(buf, size, "%lld", (long long)t);
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void carbon_provider_points_clear(struct carbon_provider_points *pts)
{
	if (!pts)
		return;
	free(pts->v);
	memset(pts, 0, sizeof(*pts));
}

static int points_grow(struct carbon_provider_points *pts, const char *where,
		       char *err, size_t errlen)
{
	size_t cap = pts->cap ? pts->cap * 2 : 64;
	struct carbon_series_point *v;

	if (cap > CARBON_PROVIDER_POINTS_MAX)
		cap = CARBON_PROVIDER_POINTS_MAX;
	v = realloc(pts->v, cap * sizeof(*v));
	if (!v)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory for %zu points",
					where, cap);
	pts->v = v;
	pts->cap = cap;
	return 0;
}

int carbon_provider_points_push(struct carbon_provider_points *pts,
				const struct carbon_series_point *p,
				const char *where, char *err, size_t errlen)
{
	char a[80], b[80];

	if (!pts || !p || !where)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"provider: bad arguments");
	if (p->t < CARBON_PROVIDER_TIME_MIN || p->t > CARBON_TIME_MAX) {
		format_time(p->t, a, sizeof(a));
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: time %s is out of range (2000 to "
					"9999)",
					where, a);
	}
	if (!isfinite(p->value) || p->value < 0.0 ||
	    p->value > CARBON_PROVIDER_VALUE_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: value %g gCO2eq/kWh is out of "
					"range (0 to %g)",
					where, p->value,
					CARBON_PROVIDER_VALUE_MAX);
	if (pts->n && p->t <= pts->v[pts->n - 1].t) {
		format_time(p->t, a, sizeof(a));
		format_time(pts->v[pts->n - 1].t, b, sizeof(b));
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"%s: time %s is not after the previous point's %s (%s)",
			where, a, b,
			p->t == pts->v[pts->n - 1].t ? "duplicate"
						     : "out of order");
	}
	if (pts->n >= CARBON_PROVIDER_POINTS_MAX)
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: more than %d points", where,
					CARBON_PROVIDER_POINTS_MAX);
	if (pts->n == pts->cap && points_grow(pts, where, err, errlen))
		return CARBON_ENOMEM;
	pts->v[pts->n++] = *p;
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static bool only_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return false;
	return true;
}

static int parse_error(struct json_tokener *tok, enum json_tokener_error e,
		       const char *prov, char *err, size_t errlen)
{
	if (e == json_tokener_continue)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: truncated JSON (%zu bytes, the "
					"document does not end)",
					prov, json_tokener_get_parse_end(tok));
	if (e == json_tokener_error_depth)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: JSON nested deeper than %d", prov,
					CARBON_PROVIDER_JSON_DEPTH);
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s: malformed JSON at byte %zu: %s", prov,
				json_tokener_get_parse_end(tok),
				json_tokener_error_desc(e));
}

int carbon_provider_json_parse(const char *buf, size_t len, const char *prov,
			       struct json_object **root, char *err,
			       size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *o = NULL;
	enum json_tokener_error e;
	enum json_type type;
	size_t end;
	int rc = 0;

	if (!root || !prov || (!buf && len))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"provider: bad arguments");
	*root = NULL;
	if (len == 0 || only_space(buf, len))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: empty answer", prov);
	if (len > CARBON_PROVIDER_BODY_MAX)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: answer of %zu bytes is over the "
					"%zu-byte limit",
					prov, len, CARBON_PROVIDER_BODY_MAX);
	if (memchr(buf, '\0', len))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"%s: malformed JSON: NUL byte at %zu", prov,
			(size_t)((const char *)memchr(buf, '\0', len) - buf));
	tok = json_tokener_new_ex(CARBON_PROVIDER_JSON_DEPTH);
	if (!tok)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s: out of memory", prov);
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	if (!o || e != json_tokener_success) {
		rc = parse_error(tok, e, prov, err, errlen);
		goto out_tok;
	}
	end = json_tokener_get_parse_end(tok);
	if (end < len && !only_space(buf + end, len - end)) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "%s: malformed JSON: data after the "
				      "document at byte %zu",
				      prov, end);
		goto out_obj;
	}
	type = json_object_get_type(o);
	if (type != json_type_object && type != json_type_array) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "%s: expected a JSON object or array, "
				      "got %s",
				      prov, carbon_provider_json_type_name(o));
		goto out_obj;
	}
	*root = o;
	o = NULL;
out_obj:
	json_object_put(o);
out_tok:
	json_tokener_free(tok);
	return rc;
}

const char *carbon_provider_json_type_name(const struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_object:
		return "object";
	case json_type_array:
		return "array";
	case json_type_string:
		return "string";
	case json_type_int:
	case json_type_double:
		return "number";
	case json_type_boolean:
		return "boolean";
	default:
		return "null";
	}
}

static bool type_is(const struct json_object *o, enum json_type type)
{
	enum json_type t = json_object_get_type(o);

	if (type == json_type_double)
		return t == json_type_double || t == json_type_int;
	return t == type;
}

static const char *type_word(enum json_type type)
{
	switch (type) {
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "a boolean";
	default:
		return "a number";
	}
}

int carbon_provider_json_member(struct json_object *obj, const char *key,
				enum json_type type, bool optional,
				bool nullable, const char *where,
				struct json_object **out, char *err,
				size_t errlen)
{
	char path[CARBON_PROVIDER_WHERE_MAX + 64];
	struct json_object *m = NULL;

	*out = NULL;
	if (!json_object_is_type(obj, json_type_object))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s%s expected an object, got %s",
					where, ends_colon(where) ? "" : ":",
					carbon_provider_json_type_name(obj));
	if (!json_object_object_get_ex(obj, key, &m)) {
		if (optional)
			return 0;
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: missing",
					join(path, sizeof(path), where, key));
	}
	if (!m) {
		if (nullable)
			return 0;
		return carbon_error_set(
			err, errlen, CARBON_EINVAL, "%s: null, expected %s",
			join(path, sizeof(path), where, key), type_word(type));
	}
	if (!type_is(m, type))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL, "%s: expected %s, got %s",
			join(path, sizeof(path), where, key), type_word(type),
			carbon_provider_json_type_name(m));
	*out = m;
	return 0;
}

int carbon_provider_json_array(struct json_object *obj, const char *key,
			       const char *where, struct json_object **out,
			       char *err, size_t errlen)
{
	char path[CARBON_PROVIDER_WHERE_MAX + 64];
	size_t n;
	int rc = carbon_provider_json_member(obj, key, json_type_array, false,
					     false, where, out, err, errlen);

	if (rc)
		return rc;
	n = json_object_array_length(*out);
	if (n > CARBON_PROVIDER_POINTS_MAX) {
		*out = NULL;
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: %zu items, more than %d",
					join(path, sizeof(path), where, key), n,
					CARBON_PROVIDER_POINTS_MAX);
	}
	return 0;
}

int carbon_provider_json_time(struct json_object *obj, const char *key,
			      const char *where, int64_t *t, char *err,
			      size_t errlen)
{
	char path[CARBON_PROVIDER_WHERE_MAX + 64], why[128];
	struct json_object *m;
	const char *s;
	int len;
	int rc = carbon_provider_json_member(obj, key, json_type_string, false,
					     false, where, &m, err, errlen);

	if (rc)
		return rc;
	s = json_object_get_string(m);
	len = json_object_get_string_len(m);
	rc = carbon_timeparse_iso(s, (size_t)len, CARBON_TIMEPARSE_ISO_TRACE, t,
				  why, sizeof(why));
	if (rc)
		return carbon_error_set(err, errlen, rc, "%s: \"%.40s\": %s",
					join(path, sizeof(path), where, key), s,
					why);
	return 0;
}

int carbon_provider_json_number(struct json_object *obj, const char *key,
				const char *where, double *v, bool *is_null,
				char *err, size_t errlen)
{
	char path[CARBON_PROVIDER_WHERE_MAX + 64];
	struct json_object *m;
	int rc = carbon_provider_json_member(obj, key, json_type_double, false,
					     true, where, &m, err, errlen);

	if (rc)
		return rc;
	*is_null = !m;
	if (!m)
		return 0;
	*v = json_object_get_double(m);
	if (!isfinite(*v))
		return carbon_error_set(err, errlen, CARBON_ERANGE,
					"%s: not a finite number",
					join(path, sizeof(path), where, key));
	return 0;
}

int carbon_provider_json_bool(struct json_object *obj, const char *key,
			      const char *where, bool *b, char *err,
			      size_t errlen)
{
	struct json_object *m;
	int rc = carbon_provider_json_member(obj, key, json_type_boolean, true,
					     true, where, &m, err, errlen);

	if (rc)
		return rc;
	*b = m && json_object_get_boolean(m);
	return 0;
}

/* ---- series ------------------------------------------------------------------- */

static int series_new(const struct carbon_provider_conf *cfg, const char *area,
		      int64_t now, int64_t span, carbon_series **out, char *err,
		      size_t errlen)
{
	struct carbon_series_meta meta = {
		.signal = cfg->signal,
		.basis = cfg->basis,
		.origin = CARBON_SERIES_PROVIDED,
		.fetched_at = now,
		.default_span =
			span > 0 && span <= CARBON_SERIES_SPAN_MAX ? span : 0,
	};
	int rc = carbon_series_meta_check(&meta, err, errlen);

	if (rc)
		return rc;
	/* a label only: a long name and area are cut, not refused */
	if (snprintf(meta.source, sizeof(meta.source), "%s:%s", cfg->name,
		     area) >= (int)sizeof(meta.source))
		meta.source[sizeof(meta.source) - 1] = '\0';
	*out = carbon_series_new(&meta, NULL);
	if (!*out)
		return carbon_error_set(err, errlen, CARBON_ENOMEM,
					"%s %s: out of memory", cfg->name,
					area);
	return 0;
}

int carbon_provider_series_build(
	const struct carbon_provider_conf *cfg, const char *area, int64_t now,
	int64_t span, const struct carbon_provider_points *const *parts,
	size_t n_parts, carbon_series **out, char *err, size_t errlen)
{
	carbon_series *s = NULL;
	size_t skipped = 0;
	int64_t last = INT64_MIN;
	int rc;

	if (!cfg || !area || !out || (n_parts && !parts))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"provider: bad arguments");
	*out = NULL;
	rc = series_new(cfg, area, now, span, &s, err, errlen);
	if (rc)
		return rc;
	for (size_t i = 0; i < n_parts; i++) {
		const struct carbon_provider_points *p = parts[i];

		if (!p)
			continue;
		skipped += p->skipped;
		for (size_t k = 0; k < p->n; k++) {
			if (p->v[k].t <= last)
				continue;
			rc = carbon_series_append(s, &p->v[k], err, errlen);
			if (rc)
				goto fail;
			last = p->v[k].t;
		}
	}
	if (carbon_series_count(s) == 0) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "%s %s: no data (%zu null values "
				      "skipped)",
				      cfg->name, area, skipped);
		goto fail;
	}
	*out = s;
	return 0;
fail:
	carbon_series_free(s);
	return rc;
}
