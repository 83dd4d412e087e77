/*
 * carbon/timeparse.h: parse a point in time exactly as `sbatch --begin`,
 * and the ISO 8601 UTC times machines write (carbon_timeparse_iso(), at
 * the end).
 *
 * Used for --carbon-deadline.  For every value Slurm 22.05's parse_time()
 * accepts (with its "past" flag off, as sbatch uses it) the result is the
 * instant Slurm computes, given the same now and time zone:
 *
 *   now[{+|-}COUNT[UNIT]]   UNIT: seconds (the default, so now+90 is 90 s),
 *                           minutes, hours, days, weeks, or the singular;
 *                           spaces may appear inside COUNT[UNIT].  Only at
 *                           the start; after a UNIT a time of day may follow
 *                           (now+1day 16:00 is tomorrow at 16:00).
 *   HH:MM[:SS] [AM|PM]      Time of day.  Without a date it means today if
 *                           HH:MM is later than now's hour and minute
 *                           (seconds are not compared), otherwise tomorrow.
 *   YYYY-MM-DD              Date at 00:00; may be followed by [T]HH:MM[:SS].
 *   MM/DD[/YY], MM.DD[.YY], MMDD[YY]
 *                           Date; without a year it is this year if still
 *                           ahead of now (to the minute), otherwise next year.
 *                           YY means 20YY; as in Slurm, YY = 00 counts as
 *                           no year.
 *   today, tomorrow         Date (tomorrow is the local date 24 hours on).
 *   midnight, noon, fika, teatime
 *                           00:00, 12:00, 15:00, 16:00, rolled as HH:MM.
 *   utsSECONDS              Seconds since the epoch (at least 1000000).
 *
 * Date and time parts may be combined in any order, separated by spaces,
 * '-' or 'T' (tomorrow-16:00, 2026-11-23T08:00); the last of each kind wins.
 * Words are case-insensitive.
 *
 * Deliberate differences from parse_time(), all on values it mishandles:
 *   - a day beyond the month's end (2026-02-30) is rejected; mktime() would
 *     silently move it into the next month;
 *   - words starting with a capital T (Today, Tomorrow, Teatime) work;
 *     Slurm skips the T as a separator and then fails;
 *   - "now" not at the very start, tabs, newlines and non-ASCII bytes are
 *     rejected (Slurm reads out of bounds or stops at a newline), as are
 *     non-digits where a number belongs and signs after "uts";
 *   - counts that would overflow, and results outside 1970..9999, are
 *     rejected with CARBON_ERANGE instead of wrapping.
 */
#ifndef CARBON_TIMEPARSE_H
#define CARBON_TIMEPARSE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "carbon/error.h"

/* Latest instant handled anywhere: 9999-12-31T23:59:59Z. */
#define CARBON_TIME_MAX INT64_C(253402300799)

/* The hint every time message ends with. */
#define CARBON_TIME_FORMS                                                 \
	"use now+COUNT[seconds|minutes|hours|days|weeks], HH:MM[:SS] "    \
	"[AM|PM], YYYY-MM-DD[THH:MM[:SS]], MM/DD[/YY], today, tomorrow, " \
	"midnight, noon, fika or teatime (e.g. now+4hours, 16:00, "       \
	"2026-11-23T08:00)"

/*
 * The clock port: the current instant and the local time zone, both
 * supplied by the caller (the core never reads the clock or TZ).
 *
 * now: seconds since the epoch, 0 <= now <= CARBON_TIME_MAX.
 * local_to_utc: as mktime() with tm_isdst = -1 (the core always passes -1
 *   and fields in their normal ranges); stores the instant in *utc and
 *   returns 0, or returns a negative value if the time cannot be
 *   represented.  The adapter for the submitting user's zone is mktime();
 *   tests use a fixed offset around carbon_time_from_utc_tm().
 * utc_to_local: as localtime_r(); returns 0 or a negative value.
 * ctx: passed unchanged to both.
 * The port is borrowed for the duration of a call and never stored.
 */
struct carbon_clock {
	int64_t now;
	int (*local_to_utc)(const struct tm *local, int64_t *utc, void *ctx);
	int (*utc_to_local)(int64_t utc, struct tm *local, void *ctx);
	void *ctx;
};

/*
 * Parse s (see above) into *when, seconds since the epoch.  name is the
 * option shown in messages (e.g. "--carbon-deadline").  The result is not
 * checked against now: a time in the past is returned as such.
 * Returns 0; CARBON_EINVAL (malformed; the message quotes where), CARBON_
 * ERANGE (overflow or outside 1970..9999), CARBON_ETOOLONG, or
 * CARBON_ECLOCK (the port failed).  *when is written only on success.
 */
int carbon_time_parse(const char *s, const struct carbon_clock *clk,
		      const char *name, int64_t *when, char *err,
		      size_t errlen) CARBON_MUST_CHECK;

/*
 * Print when as local "YYYY-MM-DDTHH:MM:SS" through clk's port (Slurm's
 * default display).  Returns 0, CARBON_ECLOCK, or CARBON_ETOOLONG when buf
 * is too small (20 bytes suffice for years up to 9999).
 */
int carbon_time_format(int64_t when, const struct carbon_clock *clk, char *buf,
		       size_t len) CARBON_MUST_CHECK;

/*
 * ISO 8601 times in UTC: the one parser for every machine-written time the
 * project reads (lib/timeparse_iso.c).  Each reader keeps the spelling it
 * always accepted, named by its form:
 *
 *   EXACT   YYYY-MM-DDTHH:MM:SSZ and nothing else: the cache record, whose
 *           bytes are signed and so have one spelling only.
 *   DATE    YYYY-MM-DD[THH:MM[:SS]][Z]: carbon.conf (TraceStart); a date
 *           alone is its midnight.
 *   TRACE   YYYY-MM-DD, then 'T', 't' or ' ', then HH:MM[:SS[{.|,}DIGITS]],
 *           then nothing, 'Z', 'z' or an offset {+|-}HH[[:]MM]: CSV traces,
 *           providers' JSON and XML ("2023-01-23T17:00:00.000Z"), the
 *           decision record on a job, carbon-sim's --start.  The fraction
 *           is dropped (times are whole seconds).
 *
 * Upper-case 'T' and 'Z' only, except in TRACE.  No leap second (:60), no
 * day past the month's end.
 */
enum carbon_timeparse_iso {
	CARBON_TIMEPARSE_ISO_EXACT,
	CARBON_TIMEPARSE_ISO_DATE,
	CARBON_TIMEPARSE_ISO_TRACE,
};

/*
 * Parse the len bytes at s (no surrounding spaces, no NUL needed) in the
 * given form into *t, seconds since the epoch; *t is written only on
 * success.  Returns 0; CARBON_EINVAL, "\"S\" is not a time; use FORM"
 * (malformed, or an offset beyond 23:59; NULL s or t, or an unknown form,
 * give "time: internal error: bad arguments"); or CARBON_ERANGE,
 * "\"S\" has a field out of range; ..." (month, day, hour, minute or
 * second) or "\"S\" is outside 1970..9999; ..." (once the offset is
 * applied).  S is the input, made printable and cut at 44 bytes.
 */
int carbon_timeparse_iso(const char *s, size_t len,
			 enum carbon_timeparse_iso form, int64_t *t, char *err,
			 size_t errlen) CARBON_MUST_CHECK;

/*
 * Write t as "YYYY-MM-DDTHH:MM:SSZ" (the EXACT form) into buf, which
 * needs 21 bytes.  Returns 0; CARBON_ERANGE when t is outside
 * 0..CARBON_TIME_MAX, CARBON_ETOOLONG when buf is too small (buf is then
 * "" when len > 0).
 */
int carbon_time_format_iso(int64_t t, char *buf, size_t len) CARBON_MUST_CHECK;

/*
 * Pure UTC calendar arithmetic, for ports and tests: timegm() and
 * gmtime_r() without the libc time zone machinery.  from_utc_tm normalises
 * out-of-range fields as timegm() does and ignores tm_isdst; to_utc_tm
 * fills every field (tm_isdst = 0).  Return 0, or CARBON_EINVAL for NULL
 * and CARBON_ERANGE when the year does not fit in an int.
 */
int carbon_time_from_utc_tm(const struct tm *tm,
			    int64_t *utc) CARBON_MUST_CHECK;
int carbon_time_to_utc_tm(int64_t utc, struct tm *tm) CARBON_MUST_CHECK;

#endif
