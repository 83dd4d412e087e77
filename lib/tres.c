/*
 * GPUs in a TRES request string (carbon/tres.h).
 */
#include <stdbool.h>
#include <string.h>

#include "carbon/tres.h"

static int bad(const char *entry, size_t len, char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"TRES request \"%.*s\": the GPU count is not "
				"a number",
				(int)(len > 64 ? 64 : len), entry);
}

/* Is [p, end) a count, digits and an optional k/m/g?  Its value then. */
static bool count_of(const char *p, const char *end, double *v)
{
	double mult = 1;

	*v = 0;
	if (p < end && strchr("kKmMgG", end[-1]) && end[-1]) {
		mult = strchr("kK", end[-1])   ? 1024.0
		       : strchr("mM", end[-1]) ? 1024.0 * 1024
					       : 1024.0 * 1024 * 1024;
		end--;
	}
	if (p == end)
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (*v <=
		    CARBON_TRES_GPUS_MAX) /* past it, only the form counts */
			*v = *v * 10 + (*p - '0');
	}
	*v *= mult;
	return true;
}

/*
 * The count of a gpu entry e (len bytes): its last field, after ':' or
 * '='.  "gres:gpu" alone, or a last field after ':' that is not a count,
 * a type ("gpu:a100", "gpu:3g.20gb"), is one GPU (Slurm itself refuses
 * a job whose request it cannot read).
 */
static int entry_count(const char *e, size_t len, double *count, char *err,
		       size_t errlen)
{
	const char *end = e + len, *c = end;

	while (c > e + 8 && c[-1] != ':' && c[-1] != '=')
		c--;
	if (c == e + 8) {
		*count = 1;
		return 0;
	}
	if (count_of(c, end, count))
		return *count <= CARBON_TRES_GPUS_MAX
			       ? 0
			       : bad(e, len, err, errlen);
	if (c[-1] == ':' && c < end) {
		*count = 1;
		return 0;
	}
	return bad(e, len, err, errlen);
}

static bool is_gpu_entry(const char *e, size_t len)
{
	return len >= 8 &&
	       (!strncmp(e, "gres:gpu", 8) || !strncmp(e, "gres/gpu", 8)) &&
	       (len == 8 || e[8] == ':' || e[8] == '=');
}

int carbon_tres_gpus(const char *s, double *gpus, char *err, size_t errlen)
{
	double total = 0;

	if (!gpus)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"TRES request: NULL");
	for (const char *e = s; e && *e;) {
		size_t len = strcspn(e, ",");
		double n;

		if (is_gpu_entry(e, len)) {
			int rc = entry_count(e, len, &n, err, errlen);

			if (rc)
				return rc;
			total += n;
		}
		e += len;
		if (*e == ',')
			e++;
	}
	if (total > CARBON_TRES_GPUS_MAX)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"TRES request: more than %.0f GPUs",
					CARBON_TRES_GPUS_MAX);
	*gpus = total;
	return 0;
}
