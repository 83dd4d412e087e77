/*
 * carbon/duration.h: parse and print lengths of time the way Slurm does.
 *
 * Used for --carbon-max-delay and any other option that takes a duration.
 * Accepted forms (no spaces):
 *   Slurm's --time forms          N is minutes, M:S, H:M:S, D-H, D-H:M,
 *                                 D-H:M:S (e.g. 90, 90:00, 4:00:00, 1-12,
 *                                 1-12:00, 1-12:00:00).  As in Slurm a
 *                                 field may exceed its usual range
 *                                 (0:90 is 90 seconds).
 *   N with a unit                 30s, 90m, 12h, 2d (unit case-insensitive).
 * Plain N means minutes, as in sbatch --time; note that in a TIME
 * (carbon/timeparse.h) now+N means seconds, as in sbatch --begin.
 *
 * Deliberately rejected, each with its own message: negative values
 * (Slurm reads "-5" as minus five days), "-1", "infinite" and "unlimited"
 * (Slurm's "no limit"), and "1-" (Slurm reads one day).
 */
#ifndef CARBON_DURATION_H
#define CARBON_DURATION_H

#include <stddef.h>
#include <stdint.h>

#include "carbon/error.h"

/* The hint every duration message ends with. */
#define CARBON_DURATION_FORMS                                           \
	"use MINUTES, MM:SS, H:MM:SS, D-H[:MM[:SS]] or N with s/m/h/d " \
	"(e.g. 90, 4:00:00, 1-12:00:00, 12h)"

/*
 * Parse s into *secs (seconds, 0 <= *secs <= max).  name is the option as
 * shown to the user.  Returns 0; CARBON_EINVAL for a malformed value;
 * CARBON_ERANGE for a negative, unlimited or too long duration;
 * CARBON_ETOOLONG for more than CARBON_VALUE_MAX bytes.  *secs is written
 * only on success.
 */
int carbon_duration_parse(const char *s, const char *name, int64_t max,
			  int64_t *secs, char *err,
			  size_t errlen) CARBON_MUST_CHECK;

/*
 * Print secs as Slurm prints a time limit: "HH:MM:SS", or "D-HH:MM:SS"
 * from one day up, with a leading '-' when negative.  Returns 0, or
 * CARBON_ETOOLONG when buf (len bytes) is too small (buf then holds the
 * cut text).  24 bytes always suffice.
 */
int carbon_duration_format(int64_t secs, char *buf,
			   size_t len) CARBON_MUST_CHECK;

#endif
