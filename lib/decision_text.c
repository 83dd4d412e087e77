/*
 * The decision record on the job; format and merge rules are in
 * carbon/decision_text.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon/decision_text.h"
#include "carbon/tags.h"
#include "internal/member.h"

static void put_g(struct carbon_out *o, const char *key, double g)
{
	if (g < 0)
		carbon_out_put(o, ",\"%s\":-1", key);
	else
		carbon_out_put(o, ",\"%s\":%.1f", key, g);
}

static const char *name(const char *const *names, size_t i)
{
	return names[i] ? names[i] : "?";
}

int carbon_decision_text(const struct carbon_policy_decision *d,
			 const char *const *names, size_t n, char *buf,
			 size_t len)
{
	struct carbon_out o = {.buf = buf, .len = len};

	if (!d || !names || !buf || !len || n < 1 ||
	    n > CARBON_POLICY_MAX_CLUSTERS || d->chosen >= n || d->nranked > n)
		return CARBON_EINVAL;
	carbon_out_put(&o, "\"carbon\":{\"v\":%d,\"at\":\"",
		       CARBON_DECISION_TEXT_VERSION);
	carbon_out_str(&o, name(names, d->chosen));
	carbon_out_put(&o, "\",\"begin\":");
	if (d->deferred)
		carbon_out_time(&o, d->begin);
	else
		carbon_out_put(&o, "\"now\"");
	carbon_out_put(&o,
		       ",\"mode\":\"%s\",\"q\":\"%s\",\"u\":\"%s\",\"latest\":",
		       carbon_policy_mode_name(d->mode),
		       carbon_policy_quality_name(d->quality),
		       carbon_tags_urgency_name(d->urgency));
	carbon_out_time(&o, d->latest);
	if (d->allowed) {
		bool first = true;

		carbon_out_put(&o, ",\"allow\":\"");
		for (size_t i = 0; i < n; i++) {
			if (!(d->allowed & (UINT64_C(1) << i)))
				continue;
			carbon_out_put(&o, "%s", first ? "" : ",");
			carbon_out_str(&o, name(names, i));
			first = false;
		}
		carbon_out_put(&o, "\"");
	}
	put_g(&o, "exp_g", d->expected_g);
	put_g(&o, "now_g", d->baseline_g);
	carbon_out_put(&o, ",\"rank\":\"");
	for (size_t k = 0; k < d->nranked; k++) {
		size_t i = d->ranking[k];

		if (i >= n)
			return CARBON_EINVAL;
		carbon_out_put(&o, "%s", k ? "," : "");
		carbon_out_str(&o, name(names, i));
		carbon_out_put(&o, ":%.1f", d->cost_g[i]);
	}
	carbon_out_put(&o, "\",\"why\":\"");
	carbon_out_str(&o, d->reason);
	carbon_out_put(&o, "\"}");
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

/* Length of member's head "carbon...":{ (a member name of [a-z_]), or 0. */
static size_t member_head(const char *member)
{
	size_t k = 7; /* "carbon */

	if (strncmp(member, "\"carbon", k))
		return 0;
	while (member[k] == '_' || (member[k] >= 'a' && member[k] <= 'z'))
		k++;
	if (k > 32 || strncmp(member + k, "\":{", 3))
		return 0;
	return k + 3;
}

int carbon_admin_comment_merge(const char *old, const char *member, char *out,
			       size_t len)
{
	struct carbon_out o = {.buf = out, .len = len};
	const char *prev, *body;
	char head[40];
	size_t h;

	if (!member || !out || !len || !(h = member_head(member)) ||
	    strchr(member + h, '{'))
		return CARBON_EINVAL;
	memcpy(head, member, h);
	head[h] = '\0';
	if (o.len > CARBON_ADMIN_COMMENT_MAX + 1)
		o.len = CARBON_ADMIN_COMMENT_MAX + 1;
	if (!old)
		old = "";
	prev = strstr(old, head);
	if (prev && strchr(prev + h, '}')) {
		const char *after = strchr(prev + h, '}') + 1;

		carbon_out_put(&o, "%.*s%s%s", (int)(prev - old), old, member,
			       after);
	} else if (!*skip_space(old)) {
		carbon_out_put(&o, "{%s}", member);
	} else if (is_object(old, &body)) {
		bool empty = *skip_space(body) == '}';

		carbon_out_put(&o, "%.*s%s%s%s", (int)(body - old), old, member,
			       empty ? "" : ",", body);
	} else {
		carbon_out_put(&o, "%s {%s}", old, member);
	}
	return o.full ? CARBON_ETOOLONG : 0;
}

/* ---- reading a record back (re-planning) ---- */

static int bad(char *err, size_t errlen, const char *what, const char *key)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"carbon record: %s%s%s", what, key ? " " : "",
				key ? key : "");
}

static int set_field(void *ctx, const char *key, const char *str, double num,
		     bool is_str, char *err, size_t errlen)
{
	struct carbon_decision_record *r = ctx;

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
		if (r->deferred && !carbon_member_time(str, &r->begin))
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
		if (!carbon_member_time(str, &r->latest))
			return bad(err, errlen, "bad time in", key);
		r->has_latest = true;
	} else if (!strcmp(key, "allow") && is_str) {
		snprintf(r->allow, sizeof(r->allow), "%s", str);
	} else if (!strcmp(key, "exp_g") && !is_str) {
		r->expected_g = num;
	} else if (!strcmp(key, "now_g") && !is_str) {
		r->baseline_g = num;
	} else if (!strcmp(key, "q") && is_str) {
		snprintf(r->quality, sizeof(r->quality), "%s", str);
	} else if (!strcmp(key, "rank") && is_str) {
		snprintf(r->rank, sizeof(r->rank), "%s", str);
	} else if (!strcmp(key, "why") && is_str) {
		snprintf(r->why, sizeof(r->why), "%s", str);
	} else if (!strcmp(key, "begin_by") && is_str) {
		r->begin_by_user = !strcmp(str, "user");
	}
	/* q, rank and why are kept for people (scarbon); fields of later
	 * minor versions are ignored. */
	return 0;
}

int carbon_decision_parse(const char *comment, struct carbon_decision_record *r,
			  char *err, size_t errlen)
{
	int rc;

	if (!r)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"carbon record: NULL");
	memset(r, 0, sizeof(*r));
	r->expected_g = r->baseline_g = -1;
	rc = carbon_member_each(comment, "carbon", "carbon record", set_field,
				r, err, errlen);
	if (rc)
		return rc;
	if (!r->version || !r->at[0] || !r->has_begin)
		return bad(err, errlen, "v, at and begin are required", NULL);
	return 0;
}

int carbon_decision_mark_user_begin(const char *comment, char *out, size_t len)
{
	static const char head[] = "\"carbon\":{", mark[] = "\"begin_by\":";
	struct carbon_out o = {.buf = out, .len = len};
	const char *rec, *end, *prev;

	if (!comment || !out || !len)
		return CARBON_EINVAL;
	rec = strstr(comment, head);
	if (!rec)
		return 1;
	end = strchr(rec + sizeof(head) - 1, '}');
	if (!end)
		return CARBON_EINVAL;
	if (o.len > CARBON_ADMIN_COMMENT_MAX + 1)
		o.len = CARBON_ADMIN_COMMENT_MAX + 1;
	prev = strstr(rec, mark);
	if (prev && prev < end)
		carbon_out_put(&o, "%s", comment);
	else
		carbon_out_put(&o, "%.*s,%s\"user\"%s", (int)(end - comment),
			       comment, mark, end);
	return o.full ? CARBON_ETOOLONG : 0;
}
