/*
 * spec.c: the pieces of carbon-sim's command line that take apart a value:
 * numbers with their ranges, and the --cluster KEY=VALUE,... spec.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carbon-sim.h"

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "carbon-sim: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'carbon-sim --help'.\n");
	return -1;
}

int parse_double(const char *name, const char *s, double lo, double hi,
		 double *v)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d < lo || d > hi) {
		fprintf(stderr,
			"carbon-sim: %s: \"%s\" is not a number within "
			"%g..%g\nTry 'carbon-sim --help'.\n",
			name, s, lo, hi);
		return -1;
	}
	*v = d;
	return 0;
}

int parse_u64(const char *name, const char *s, uint64_t lo, uint64_t hi,
	      uint64_t *v)
{
	char *end;
	unsigned long long u;

	errno = 0;
	if (*s < '0' || *s > '9')
		return usage_error("%s: \"%s\" is not a whole number", name, s);
	u = strtoull(s, &end, 10);
	if (errno || *end || u < lo || u > hi)
		return usage_error("%s: \"%s\" is not a whole number in range",
				   name, s);
	*v = u;
	return 0;
}

static const char *const cluster_keys[] = {
	"name",	  "cores",    "pue",	   "w-per-core",
	"trace",  "time-col", "value-col", "estimated-col",
	"signal", "basis",    "fallback",  NULL,
};

/* Does s start with a known KEY= ? */
static bool at_key(const char *s)
{
	for (int k = 0; cluster_keys[k]; k++) {
		size_t n = strlen(cluster_keys[k]);

		if (!strncmp(s, cluster_keys[k], n) && s[n] == '=')
			return true;
	}
	return false;
}

/* ",word=" inside a value is most likely a misspelt key: say so. */
static bool looks_like_key(const char *v)
{
	for (const char *p = strchr(v, ','); p; p = strchr(p + 1, ',')) {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz-");

		if (n && p[1 + n] == '=') {
			usage_error("--cluster: unknown key \"%.*s\" (name, "
				    "cores, trace, time-col, value-col, "
				    "estimated-col, pue, w-per-core, signal, "
				    "basis, fallback)",
				    (int)n, p + 1);
			return true;
		}
	}
	return false;
}

static int cluster_enum(struct cluster_spec *c, const char *key, const char *v)
{
	if (!strcmp(key, "signal") && !strcmp(v, "average"))
		c->signal = CARBON_SIGNAL_AVERAGE;
	else if (!strcmp(key, "signal") && !strcmp(v, "marginal"))
		c->signal = CARBON_SIGNAL_MARGINAL;
	else if (!strcmp(key, "basis") && !strcmp(v, "lifecycle"))
		c->basis = CARBON_BASIS_LIFECYCLE;
	else if (!strcmp(key, "basis") && !strcmp(v, "direct"))
		c->basis = CARBON_BASIS_DIRECT;
	else if (!strcmp(key, "basis") && !strcmp(v, "operational"))
		c->basis = CARBON_BASIS_OPERATIONAL;
	else
		return usage_error("--cluster: bad value \"%s\" for %s", v,
				   key);
	return 0;
}

static int cluster_value(struct cluster_spec *c, const char *key, char *v)
{
	uint64_t u;

	if (!strcmp(key, "name"))
		c->name = v;
	else if (!strcmp(key, "trace"))
		c->trace = v;
	else if (!strcmp(key, "time-col"))
		c->time_col = v;
	else if (!strcmp(key, "value-col"))
		c->value_col = v;
	else if (!strcmp(key, "estimated-col"))
		c->estimated_col = v;
	else if (!strcmp(key, "pue"))
		return parse_double("--cluster pue", v, 1, 10, &c->pue);
	else if (!strcmp(key, "w-per-core"))
		return parse_double("--cluster w-per-core", v, 0, 10000,
				    &c->w_per_core);
	else if (!strcmp(key, "fallback"))
		return parse_double("--cluster fallback", v, 0,
				    CARBON_SERIES_VALUE_MAX, &c->fallback);
	else if (strcmp(key, "cores"))
		return cluster_enum(c, key, v);
	else if (parse_u64("--cluster cores", v, 1, 100000000, &u))
		return -1;
	else
		c->cores = (uint32_t)u;
	return 0;
}

/* name=es,cores=128,...: split in place (argv strings are writable). */
int parse_cluster(char *spec, struct cluster_spec *c)
{
	char *p = spec;

	memset(c, 0, sizeof(*c));
	c->pue = 1.56;
	c->w_per_core = 12.0;
	c->time_col = "0";
	c->value_col = "1";
	c->signal = CARBON_SIGNAL_AVERAGE;
	c->basis = CARBON_BASIS_LIFECYCLE;
	c->fallback = -1;
	while (*p) {
		char *eq, *v, *end;

		if (!at_key(p))
			return usage_error("--cluster: unknown key at \"%s\" "
					   "(name, cores, trace, time-col, "
					   "value-col, estimated-col, pue, "
					   "w-per-core, signal, basis, "
					   "fallback)",
					   p);
		eq = strchr(p, '=');
		*eq = '\0';
		v = eq + 1;
		for (end = v; *end && !(*end == ',' && at_key(end + 1)); end++)
			;
		if (*end)
			*end++ = '\0';
		if (looks_like_key(v))
			return -1;
		if (cluster_value(c, p, v))
			return -1;
		p = end;
	}
	if (!c->name || !*c->name || !c->cores || !c->trace)
		return usage_error("--cluster: name, cores and trace are "
				   "required");
	if (strlen(c->name) > CARBON_SERIES_SOURCE_MAX)
		return usage_error("--cluster: name \"%s\" is longer than 31 "
				   "bytes",
				   c->name);
	return 0;
}
