/*
 * scarbon's output helpers and the -M cluster switch.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <slurm/slurm.h>
#include <slurm/slurmdb.h>

#include "carbon/report.h"
#include "scarbon.h"

void scarbon_err(const char *fmt, ...)
{
	va_list ap;

	fputs("scarbon: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

const char *scarbon_num(double v, char *buf, size_t len)
{
	return carbon_report_num(v, 3, buf, len);
}

const char *scarbon_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || !localtime_r(&tt, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(buf, len, "unknown");
	return buf;
}

const char *scarbon_span(int64_t s, char *buf, size_t len)
{
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, len, "%lld s", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lld min", (long long)((s + 30) / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lld h %lld min", (long long)(s / 3600),
			 (long long)(s % 3600 / 60));
	else
		snprintf(buf, len, "%lld d %lld h", (long long)(s / 86400),
			 (long long)(s % 86400 / 3600));
	return buf;
}

void scarbon_json_print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int scarbon_set_cluster(const char *name)
{
	char copy[256];
	List l;

	if (!name)
		return 0;
	snprintf(copy, sizeof(copy), "%s", name);
	l = slurmdb_get_info_cluster(copy);
	if (!l || !slurm_list_count(l)) {
		scarbon_err("-M %s: no such cluster in the accounting database",
			    name);
		if (l)
			slurm_list_destroy(l);
		return SCARBON_SLURM;
	}
	/* as squeue -M does: later RPCs go to that cluster's controller */
	working_cluster_rec = slurm_list_pop(l);
	slurm_list_destroy(l);
	return 0;
}

const char *scarbon_conf_path(const struct scarbon_opts *o, char *buf,
			      size_t len)
{
	const char *e = getenv("CARBON_CONF"), *s = getenv("SLURM_CONF"),
		   *slash;

	if (o->conf)
		return o->conf;
	if (e && *e)
		return e;
	if (s && (slash = strrchr(s, '/')))
		snprintf(buf, len, "%.*s/carbon.conf", (int)(slash - s), s);
	else
		snprintf(buf, len, "/etc/slurm/carbon.conf");
	return buf;
}
