/*
 * The decision record on the job; format and merge rules are in
 * carbon/decision_text.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon/decision_text.h"
#include "carbon/tags.h"
#include "carbon/timeparse.h"

struct out {
	char *buf;
	size_t len;
	size_t used;
	bool full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->used)
		o->full = true;
	else
		o->used += (size_t)n;
}

/* A JSON string body: no quotes, backslashes, control bytes or braces. */
static void put_str(struct out *o, const char *s)
{
	for (; s && *s && !o->full; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			put(o, "\\u%04x", c);
		else if (c == '{' || c == '}')
			put(o, "%c", c == '{' ? '(' : ')');
		else
			put(o, "%c", c);
	}
}

static void put_time(struct out *o, int64_t t)
{
	struct tm tm;

	if (carbon_time_to_utc_tm(t, &tm)) {
		put(o, "\"?\"");
		return;
	}
	put(o, "\"%04d-%02d-%02dT%02d:%02d:%02dZ\"", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_g(struct out *o, const char *key, double g)
{
	if (g < 0)
		put(o, ",\"%s\":-1", key);
	else
		put(o, ",\"%s\":%.1f", key, g);
}

static const char *name(const char *const *names, size_t i)
{
	return names[i] ? names[i] : "?";
}

int carbon_decision_text(const struct carbon_policy_decision *d,
			 const char *const *names, size_t n, char *buf,
			 size_t len)
{
	struct out o = {.buf = buf, .len = len};

	if (!d || !names || !buf || !len || n < 1 ||
	    n > CARBON_POLICY_MAX_CLUSTERS || d->chosen >= n || d->nranked > n)
		return CARBON_EINVAL;
	put(&o, "\"carbon\":{\"v\":%d,\"at\":\"", CARBON_DECISION_TEXT_VERSION);
	put_str(&o, name(names, d->chosen));
	put(&o, "\",\"begin\":");
	if (d->deferred)
		put_time(&o, d->begin);
	else
		put(&o, "\"now\"");
	put(&o, ",\"mode\":\"%s\",\"q\":\"%s\",\"u\":\"%s\",\"latest\":",
	    carbon_policy_mode_name(d->mode),
	    carbon_policy_quality_name(d->quality),
	    carbon_tags_urgency_name(d->urgency));
	put_time(&o, d->latest);
	if (d->allowed) {
		bool first = true;

		put(&o, ",\"allow\":\"");
		for (size_t i = 0; i < n; i++) {
			if (!(d->allowed & (UINT64_C(1) << i)))
				continue;
			put(&o, "%s", first ? "" : ",");
			put_str(&o, name(names, i));
			first = false;
		}
		put(&o, "\"");
	}
	put_g(&o, "exp_g", d->expected_g);
	put_g(&o, "now_g", d->baseline_g);
	put(&o, ",\"rank\":\"");
	for (size_t k = 0; k < d->nranked; k++) {
		size_t i = d->ranking[k];

		if (i >= n)
			return CARBON_EINVAL;
		put(&o, "%s", k ? "," : "");
		put_str(&o, name(names, i));
		put(&o, ":%.1f", d->cost_g[i]);
	}
	put(&o, "\",\"why\":\"");
	put_str(&o, d->reason);
	put(&o, "\"}");
	return o.full ? CARBON_ETOOLONG : 0;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	return s;
}

/* Is s (trimmed) a JSON object, as far as its braces go? */
static bool is_object(const char *s, const char **body)
{
	const char *end;

	s = skip_space(s);
	if (*s != '{')
		return false;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' ||
			   end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if (end - s < 2 || end[-1] != '}')
		return false;
	*body = s + 1;
	return true;
}

int carbon_admin_comment_merge(const char *old, const char *member, char *out,
			       size_t len)
{
	struct out o = {.buf = out, .len = len};
	const char *prev, *body;

	if (!member || !out || !len || strncmp(member, "\"carbon\":{", 10) ||
	    strchr(member + 10, '{'))
		return CARBON_EINVAL;
	if (o.len > CARBON_ADMIN_COMMENT_MAX + 1)
		o.len = CARBON_ADMIN_COMMENT_MAX + 1;
	if (!old)
		old = "";
	prev = strstr(old, "\"carbon\":{");
	if (prev && strchr(prev + 10, '}')) {
		const char *after = strchr(prev + 10, '}') + 1;

		put(&o, "%.*s%s%s", (int)(prev - old), old, member, after);
	} else if (!*skip_space(old)) {
		put(&o, "{%s}", member);
	} else if (is_object(old, &body)) {
		bool empty = *skip_space(body) == '}';

		put(&o, "%.*s%s%s%s", (int)(body - old), old, member,
		    empty ? "" : ",", body);
	} else {
		put(&o, "%s {%s}", old, member);
	}
	return o.full ? CARBON_ETOOLONG : 0;
}

/* ---- reading a record back (re-planning) ---- */

struct in {
	const char *p;
	const char *end; /* the record's closing brace */
};

/* A JSON string at in->p into buf (bytes, \uXXXX below 0x80 only). */
static bool get_str(struct in *in, char *buf, size_t len)
{
	size_t used = 0;

	if (in->p >= in->end || *in->p != '"')
		return false;
	for (in->p++; in->p < in->end && *in->p != '"'; in->p++) {
		char c = *in->p;

		if (c == '\\') {
			if (++in->p >= in->end)
				return false;
			c = *in->p;
			if (c == 'u') {
				unsigned v = 0;

				for (int k = 0; k < 4; k++) {
					char h = ++in->p < in->end ? *in->p : 0;

					if (h >= '0' && h <= '9')
						v = v * 16 +
						    (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f')
						v = v * 16 +
						    (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F')
						v = v * 16 +
						    (unsigned)(h - 'A' + 10);
					else
						return false;
				}
				if (v == 0 || v > 0x7f)
					return false;
				c = (char)v;
			} else if (c != '"' && c != '\\' && c != '/') {
				return false;
			}
		}
		if (used + 1 >= len)
			return false;
		buf[used++] = c;
	}
	if (in->p >= in->end)
		return false;
	in->p++;
	buf[used] = '\0';
	return true;
}

/* A JSON number (no exponent needed here) at in->p. */
static bool get_num(struct in *in, double *v)
{
	char tmp[64];
	size_t k = 0;
	char *stop;

	while (in->p < in->end && k + 1 < sizeof(tmp) &&
	       strchr("+-.0123456789", *in->p))
		tmp[k++] = *in->p++;
	tmp[k] = '\0';
	if (!k)
		return false;
	*v = strtod(tmp, &stop);
	return *stop == '\0';
}

/* A UTC time as put_time() writes it, or any ISO 8601 the traces use. */
static bool get_utc(const char *s, int64_t *t)
{
	return !carbon_timeparse_iso(s, strlen(s), CARBON_TIMEPARSE_ISO_TRACE,
				     t, NULL, 0);
}

static int bad(char *err, size_t errlen, const char *what, const char *key)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"carbon record: %s%s%s", what, key ? " " : "",
				key ? key : "");
}

static int set_field(struct carbon_decision_record *r, const char *key,
		     const char *str, double num, bool is_str, char *err,
		     size_t errlen)
{
	if (!strcmp(key, "v")) {
		if (is_str || num != CARBON_DECISION_TEXT_VERSION)
			return bad(err, errlen, "unknown version", NULL);
		r->version = (int)num;
	} else if (!strcmp(key, "at") && is_str) {
		if (strlen(str) >= sizeof(r->at))
			return bad(err, errlen, "too long:", key);
		memcpy(r->at, str, strlen(str) + 1);
	} else if (!strcmp(key, "begin") && is_str) {
		r->deferred = strcmp(str, "now") != 0;
		if (r->deferred && !get_utc(str, &r->begin))
			return bad(err, errlen, "bad time in", key);
		r->has_begin = true;
	} else if (!strcmp(key, "mode") && is_str) {
		r->mode =
			strcmp(str, "eco") ? CARBON_MODE_FAST : CARBON_MODE_ECO;
	} else if (!strcmp(key, "u") && is_str) {
		char e[8];

		if (carbon_tags_parse_urgency(str, "u", &r->urgency, e,
					      sizeof(e)))
			return bad(err, errlen, "bad urgency in", key);
		r->has_urgency = true;
	} else if (!strcmp(key, "latest") && is_str) {
		if (!get_utc(str, &r->latest))
			return bad(err, errlen, "bad time in", key);
		r->has_latest = true;
	} else if (!strcmp(key, "allow") && is_str) {
		snprintf(r->allow, sizeof(r->allow), "%s", str);
	} else if (!strcmp(key, "exp_g") && !is_str) {
		r->expected_g = num;
	} else if (!strcmp(key, "now_g") && !is_str) {
		r->baseline_g = num;
	}
	/* Anything else (rank, why, q, fields of later minor versions) is
	 * for people, not for re-planning. */
	return 0;
}

int carbon_decision_parse(const char *comment, struct carbon_decision_record *r,
			  char *err, size_t errlen)
{
	struct in in;
	const char *start;

	if (!r)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: NULL");
	memset(r, 0, sizeof(*r));
	r->expected_g = r->baseline_g = -1;
	start = comment ? strstr(comment, "\"carbon\":{") : NULL;
	if (!start) {
		return 1 + carbon_error_set(err, errlen, 0, "no carbon record");
	}
	in.p = start + 10;
	in.end = strchr(in.p, '}');
	if (!in.end)
		return bad(err, errlen, "no closing brace", NULL);
	while (in.p < in.end) {
		char key[16], str[CARBON_DECISION_FIELD_MAX];
		double num = 0;
		bool is_str;
		int rc;

		if (!get_str(&in, key, sizeof(key)) || in.p >= in.end ||
		    *in.p++ != ':')
			return bad(err, errlen, "bad key", NULL);
		is_str = in.p < in.end && *in.p == '"';
		if (is_str ? !get_str(&in, str, sizeof(str))
			   : !get_num(&in, &num))
			return bad(err, errlen, "bad value of", key);
		rc = set_field(r, key, is_str ? str : "", num, is_str, err,
			       errlen);
		if (rc)
			return rc;
		if (in.p < in.end && *in.p++ != ',')
			return bad(err, errlen, "no comma after", key);
	}
	if (!r->version || !r->at[0] || !r->has_begin)
		return bad(err, errlen, "v, at and begin are required", NULL);
	return 0;
}
