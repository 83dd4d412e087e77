/*
 * carbon/error.h: the error codes of libcarbon and how messages are built.
 *
 * Every libcarbon action returns 0 or one of the negative codes below, and
 * fills a caller-owned buffer (char *err, size_t errlen) with a message
 * meant for the person who typed the value: it names the option and says
 * what would have been accepted.  The core never logs; adapters turn the
 * message into a Slurm error, a SPANK error or a daemon log line.
 *
 * A message that does not fit is cut and ends in "..."; err may be NULL
 * when errlen is 0.
 */
#ifndef CARBON_ERROR_H
#define CARBON_ERROR_H

#include <stdbool.h>
#include <stddef.h>

#define CARBON_MUST_CHECK   __attribute__((warn_unused_result))
#define CARBON_PRINTF(f, a) __attribute__((format(printf, f, a)))

enum carbon_error {
	CARBON_OK = 0,
	/* a malformed value, or an invalid argument from the caller */
	CARBON_EINVAL = -1,
	/* well-formed, but outside the allowed range */
	CARBON_ERANGE = -2,
	/* input longer than CARBON_VALUE_MAX, or an output buffer too small */
	CARBON_ETOOLONG = -3,
	/* an allocation failed */
	CARBON_ENOMEM = -4,
	/* a time that had to be in the future is not */
	CARBON_EPAST = -5,
	/* the job cannot finish by its deadline within its time limit */
	CARBON_EDEADLINE = -6,
	/* the caller's local-time port failed to convert */
	CARBON_ECLOCK = -7,
};

/* The lowest code; codes run from CARBON_ERROR_LAST to -1. */
#define CARBON_ERROR_LAST CARBON_ECLOCK

/*
 * Longest option value (bytes, without the NUL) any parser accepts: long
 * enough for every legitimate form, short enough to quote in a message.
 */
#define CARBON_VALUE_MAX 64

/* A short, static name for code ("invalid value", ...); never NULL. */
const char *carbon_strerror(int code);

/*
 * Format a message into err (as snprintf, cut with "..." when it does not
 * fit) and return code, so a caller can write
 * `return carbon_error_set(err, errlen, CARBON_EINVAL, "...", ...);`.
 */
int carbon_error_set(char *err, size_t errlen, int code, const char *fmt, ...)
	CARBON_PRINTF(4, 5) CARBON_MUST_CHECK;

/*
 * The checks every option value passes before it is parsed: not NULL, not
 * empty, at most CARBON_VALUE_MAX bytes, printable ASCII only (no tab,
 * newline or other control byte, nothing above 0x7e).  name is the option
 * as the user typed it (e.g. "--carbon-deadline"); forms is the hint shown
 * for an empty value.  Returns 0, CARBON_EINVAL or CARBON_ETOOLONG.
 */
int carbon_error_check_value(const char *name, const char *value,
			     const char *forms, char *err,
			     size_t errlen) CARBON_MUST_CHECK;

/*
 * The same checks with a caller's longest length (max bytes), for values
 * such as paths and image names; utf8: bytes above 0x7f are allowed (not
 * checked for valid UTF-8), control bytes never are.
 */
int carbon_error_check_text(const char *name, const char *value, size_t max,
			    bool utf8, const char *forms, char *err,
			    size_t errlen) CARBON_MUST_CHECK;

/*
 * A printable copy of the len bytes at s, for quoting input that was not
 * checked first (a field of a file, a provider's answer): control bytes
 * become '?', and more than cap - 4 bytes are cut and end in "...".
 * Returns buf (cap bytes, cap >= 4).
 */
const char *carbon_error_shown(const char *s, size_t len, char *buf,
			       size_t cap);

#endif
