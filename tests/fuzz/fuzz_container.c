/*
 * Fuzz the --container-* checks: any string, no crash.  An accepted image
 * reference gives a canonical form that is itself accepted and unchanged
 * (docker:// forms) or kept as given (local ones); a refused one leaves
 * the output alone.  Mounts and variables: the walk reports exactly the
 * count the check returned, absolute paths only, and nothing on refusal.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carbon/container.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count_mount(const struct carbon_container_mount *m, void *arg)
{
	if (m->src[0] != '/' || m->dst[0] != '/' || !m->dst[1])
		abort();
	++*(int *)arg;
	return 0;
}

static int count_var(const char *var, const char *val, void *arg)
{
	if (!var[0] || strchr(var, '=') || (val && strchr(val, ',')))
		abort();
	++*(int *)arg;
	return 0;
}

static void image(const char *s)
{
	static struct carbon_image_ref r, again;
	char err[256];

	memset(&r, 0x5a, sizeof(r));
	if (carbon_container_image_parse(s, NULL, &r, err, sizeof(err))) {
		if (((unsigned char *)&r)[0] != 0x5a)
			abort();
		return;
	}
	if (!r.canonical[0] ||
	    carbon_container_image_parse(r.canonical, NULL, &again, err,
					 sizeof(err)) ||
	    strcmp(r.canonical, again.canonical))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	char err[256];
	int n, seen;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	image(s);
	seen = 0;
	n = carbon_container_mounts_each(s, NULL, count_mount, &seen, err,
					 sizeof(err));
	if ((n >= 0 && n != seen) || (n < 0 && seen))
		abort();
	seen = 0;
	n = carbon_container_env_each(s, NULL, count_var, &seen, err,
				      sizeof(err));
	if ((n >= 0 && n != seen) || (n < 0 && seen))
		abort();
	(void)carbon_container_workdir_check(s, NULL, err, sizeof(err));
	{
		unsigned long long b = 0;

		if (!carbon_container_size_parse(s, NULL, &b, err,
						 sizeof(err)) &&
		    b > (1ULL << 50))
			abort();
	}
	free(s);
	return 0;
}
