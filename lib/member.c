/*
 * The AdminComment members' shared codec (internal/member.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "carbon/error.h"
#include "carbon/timeparse.h"
#include "internal/member.h"

void carbon_out_put(struct carbon_out *o, const char *fmt, ...)
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

void carbon_out_str(struct carbon_out *o, const char *s)
{
	for (; s && *s && !o->full; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			carbon_out_put(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			carbon_out_put(o, "\\u%04x", c);
		else if (c == '{' || c == '}')
			carbon_out_put(o, "%c", c == '{' ? '(' : ')');
		else
			carbon_out_put(o, "%c", c);
	}
}

void carbon_out_time(struct carbon_out *o, int64_t t)
{
	struct tm tm;

	if (carbon_time_to_utc_tm(t, &tm)) {
		carbon_out_put(o, "\"?\"");
		return;
	}
	carbon_out_put(o, "\"%04d-%02d-%02dT%02d:%02d:%02dZ\"",
		       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		       tm.tm_min, tm.tm_sec);
}

bool carbon_member_time(const char *s, int64_t *t)
{
	return !carbon_timeparse_iso(s, strlen(s), CARBON_TIMEPARSE_ISO_TRACE,
				     t, NULL, 0);
}

struct in {
	const char *p;
	const char *end; /* the member's closing brace */
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

static int bad(char *err, size_t errlen, const char *what, const char *why,
	       const char *key)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL, "%s: %s%s%s", what,
				why, key ? " " : "", key ? key : "");
}

int carbon_member_each(const char *comment, const char *name, const char *what,
		       carbon_member_fn fn, void *ctx, char *err, size_t errlen)
{
	char head[40];
	struct in in;
	const char *start;

	if (snprintf(head, sizeof(head), "\"%s\":{", name) >= (int)sizeof(head))
		return bad(err, errlen, what, "member name too long", NULL);
	start = comment ? strstr(comment, head) : NULL;
	if (!start)
		return 1 + carbon_error_set(err, errlen, 0, "no %s", what);
	in.p = start + strlen(head);
	in.end = strchr(in.p, '}');
	if (!in.end)
		return bad(err, errlen, what, "no closing brace", NULL);
	while (in.p < in.end) {
		char key[16], str[CARBON_MEMBER_VALUE_MAX];
		double num = 0;
		bool is_str;
		int rc;

		if (!get_str(&in, key, sizeof(key)) || in.p >= in.end ||
		    *in.p++ != ':')
			return bad(err, errlen, what, "bad key", NULL);
		is_str = in.p < in.end && *in.p == '"';
		if (is_str ? !get_str(&in, str, sizeof(str))
			   : !get_num(&in, &num))
			return bad(err, errlen, what, "bad value of", key);
		rc = fn(ctx, key, is_str ? str : "", num, is_str, err, errlen);
		if (rc)
			return rc;
		if (in.p < in.end && *in.p++ != ',')
			return bad(err, errlen, what, "no comma after", key);
	}
	return 0;
}
