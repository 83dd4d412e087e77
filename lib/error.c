/*
 * error.c: names for libcarbon's error codes and the shared message helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "carbon/error.h"

const char *carbon_strerror(int code)
{
	switch (code) {
	case CARBON_OK:
		return "success";
	case CARBON_EINVAL:
		return "invalid value";
	case CARBON_ERANGE:
		return "value out of range";
	case CARBON_ETOOLONG:
		return "value too long";
	case CARBON_ENOMEM:
		return "out of memory";
	case CARBON_EPAST:
		return "time is not in the future";
	case CARBON_EDEADLINE:
		return "deadline cannot be met";
	case CARBON_ECLOCK:
		return "local time conversion failed";
	default:
		return "unknown error";
	}
}

int carbon_error_set(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || errlen == 0)
		return code;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n < 0) {
		err[0] = '\0';
	} else if ((size_t)n >= errlen && errlen > 3) {
		/* Show the reader that the message goes on. */
		memcpy(err + errlen - 4, "...", 4);
	}
	return code;
}

int carbon_error_check_text(const char *name, const char *value, size_t max,
			    bool utf8, const char *forms, char *err,
			    size_t errlen)
{
	size_t len;

	if (!name)
		name = "option";
	if (!value)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: no value given", name);
	len = strnlen(value, max + 1);
	if (len == 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: empty value; %s", name,
					forms ? forms : "a value is required");
	if (len > max)
		return carbon_error_set(err, errlen, CARBON_ETOOLONG,
					"%s: value longer than %zu characters",
					name, max);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)value[i];

		if (c < 0x20 || c == 0x7f || (c > 0x7f && !utf8))
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"%s: value contains a control%s character "
				"(byte %zu)",
				name, utf8 ? "" : " or non-ASCII", i + 1);
	}
	return 0;
}

int carbon_error_check_value(const char *name, const char *value,
			     const char *forms, char *err, size_t errlen)
{
	return carbon_error_check_text(name, value, CARBON_VALUE_MAX, false,
				       forms, err, errlen);
}

const char *carbon_error_shown(const char *s, size_t len, char *buf, size_t cap)
{
	size_t n = len < cap - 4 ? len : cap - 4, i;

	for (i = 0; i < n; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?'
								      : s[i];
	strcpy(buf + i, n < len ? "..." : "");
	return buf;
}
