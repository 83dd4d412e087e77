/*
 * The decision record on the job; format and merge rules are in
 * carbon/decision_text.h.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "carbon/decision_text.h"
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
	put(&o, ",\"mode\":\"%s\",\"q\":\"%s\"",
	    carbon_policy_mode_name(d->mode),
	    carbon_policy_quality_name(d->quality));
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
