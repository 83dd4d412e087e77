/*
 * config_value.c: one carbon.conf value into its field, by the kind its
 * key-table row names (enum carbon_config_kind, carbon/config.h).
 *
 * Numbers are read digit by digit, never with strtod()/strtol(): those
 * follow the locale (a plugin may run under LC_NUMERIC=de_DE) and accept
 * signs, hex, exponents and "nan".
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal/config_internal.h"
#include "carbon/duration.h"
#include "carbon/timeparse.h"

#define NAME_CHARS "1-64 letters, digits, '_', '.' or '-'"
#define NAME_FORMS "use " NAME_CHARS
#define N(a)	   (sizeof(a) / sizeof((a)[0]))

static bool name_char(char c, bool colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	       (colon && c == ':');
}

static bool name_ok(const char *s, size_t n, bool colon)
{
	if (n == 0 || n > CARBON_CONFIG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!name_char(s[i], colon))
			return false;
	}
	return true;
}

bool config_name_ok(const char *s, size_t n)
{
	return name_ok(s, n, false);
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* Decimal "D[.D]" or ".D", no sign or exponent, into *v. */
static bool read_number(const char *s, double *v)
{
	int64_t mant = 0, scale = 1;
	bool dot = false, any = false;
	int sig = 0;

	for (; *s; s++) {
		if (*s == '.' && !dot) {
			dot = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return false;
		any = true;
		if (mant == 0 && *s == '0' && !dot)
			continue;
		/* 15 digits are all a double holds; later ones are dropped */
		if (++sig > 15) {
			if (!dot)
				return false; /* far beyond any range */
			continue;
		}
		mant = mant * 10 + (*s - '0');
		if (dot)
			scale *= 10;
	}
	if (!any)
		return false;
	*v = (double)mant / (double)scale;
	return true;
}

static bool read_int(const char *s, int64_t *v)
{
	int64_t x = 0;

	if (!all_digits(s) || strlen(s) > 15)
		return false;
	for (; *s; s++)
		x = x * 10 + (*s - '0');
	*v = x;
	return true;
}

/* 90 -> "90s", 3600 -> "1h", else Slurm's form. */
static void show_secs(int64_t s, char *buf, size_t len)
{
	if (s % 86400 == 0 && s)
		snprintf(buf, len, "%lldd", (long long)(s / 86400));
	else if (s % 3600 == 0 && s)
		snprintf(buf, len, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0 && s)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

static int set_interval(struct config_parse *ps,
			const struct carbon_config_key *k, const char *v,
			int64_t *dst)
{
	char lo[24], hi[24], msg[256];
	int64_t secs = 0;
	int rc;

	show_secs((int64_t)k->min, lo, sizeof(lo));
	show_secs((int64_t)k->max, hi, sizeof(hi));
	if (all_digits(v) && strspn(v, "0") != strlen(v))
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" needs a unit; use e.g. %ss, "
				    "%sm or H:MM:SS, from %s to %s",
				    k->name, v, v, v, lo, hi);
	rc = carbon_duration_parse(v, k->name, (int64_t)k->max, &secs, msg,
				   sizeof(msg));
	if (rc)
		return config_error(ps, rc, "%s", msg);
	if (secs < (int64_t)k->min)
		return config_error(ps, CARBON_ERANGE,
				    "%s: \"%s\" is too short; use a duration "
				    "from %s to %s",
				    k->name, v, lo, hi);
	*dst = secs;
	return 0;
}

static int set_enum(struct config_parse *ps, const struct carbon_config_key *k,
		    const char *v, int *dst)
{
	char forms[160];

	for (const struct carbon_config_word *w = k->words; w->name; w++) {
		if (!strcasecmp(v, w->name)) {
			*dst = w->value;
			return 0;
		}
	}
	carbon_config_words_list(k->words, forms, sizeof(forms));
	return config_error(ps, CARBON_EINVAL,
			    "%s: \"%s\" is not valid; use %s", k->name, v,
			    forms);
}

static int set_number(struct config_parse *ps,
		      const struct carbon_config_key *k, const char *v,
		      double *dst)
{
	double x;

	if (!read_number(v, &x))
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" is not a number; use a number "
				    "from %g to %g (e.g. 1.5)",
				    k->name, v, k->min, k->max);
	if (x < k->min || x > k->max)
		return config_error(ps, CARBON_ERANGE,
				    "%s: \"%s\" is out of range; use a number "
				    "from %g to %g",
				    k->name, v, k->min, k->max);
	*dst = x;
	return 0;
}

static int set_int(struct config_parse *ps, const struct carbon_config_key *k,
		   const char *v, int *dst)
{
	int64_t x;

	if (!read_int(v, &x))
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" is not an integer; use an "
				    "integer from %.0f to %.0f",
				    k->name, v, k->min, k->max);
	if (x < (int64_t)k->min || x > (int64_t)k->max)
		return config_error(ps, CARBON_ERANGE,
				    "%s: \"%s\" is out of range; use an "
				    "integer from %.0f to %.0f",
				    k->name, v, k->min, k->max);
	*dst = (int)x;
	return 0;
}

static int set_string(struct config_parse *ps,
		      const struct carbon_config_key *k, const char *v,
		      char *dst)
{
	size_t n = strlen(v);

	if (n >= k->size)
		return config_error(ps, CARBON_ETOOLONG,
				    "%s: value longer than %zu characters",
				    k->name, k->size - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static bool ascii_graph(const char *s)
{
	for (; *s; s++) {
		if (*s <= ' ' || *s > '~')
			return false;
	}
	return true;
}

/* Host name or IPv4 (labels), IPv6 (hex and ':'), or a socket path. */
static bool host_ok(const char *s, size_t n, bool v6)
{
	bool colon = false;

	if (n == 0 || n > CARBON_CONFIG_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == ':')
			colon = true;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '.' || c == '-'))
			return false;
	}
	return v6 ? colon : !colon && s[0] != '-' && s[0] != '.';
}

static int set_listen(struct config_parse *ps,
		      const struct carbon_config_key *k, const char *v,
		      struct carbon_config_listen *out)
{
	const char *colon = strrchr(v, ':');
	bool v6 = v[0] == '[';
	const char *h = v + v6;
	/* IPv6 in brackets: the ']' right before the port's ':' */
	const char *hend = colon ? colon - v6 : NULL;
	size_t hn = hend && hend > h ? (size_t)(hend - h) : 0;
	int64_t port = 0;
	struct carbon_config_key text = *k;

	if (hn == 0 || (v6 && *hend != ']') || !host_ok(h, hn, v6) ||
	    !read_int(colon + 1, &port))
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" is not HOST:PORT; use e.g. "
				    "127.0.0.1:9550 or [::1]:9550",
				    k->name, v);
	if (port < 1 || port > 65535)
		return config_error(ps, CARBON_ERANGE,
				    "%s: port %lld is out of range; use 1 to "
				    "65535",
				    k->name, (long long)port);
	text.size = sizeof(out->text);
	if (set_string(ps, &text, v, out->text))
		return CARBON_ETOOLONG;
	memcpy(out->host, h, hn);
	out->host[hn] = '\0';
	out->port = (int)port;
	return 0;
}

/* Slurm's --cpu-freq: a level word or a frequency in kHz. */
static int set_cpufreq(struct config_parse *ps,
		       const struct carbon_config_key *k, const char *v,
		       char *dst)
{
	static const char *const levels[] = {"low", "medium", "highm1", "high"};
	int64_t khz;

	for (size_t i = 0; i < N(levels); i++) {
		if (!strcasecmp(v, levels[i])) {
			strcpy(dst, levels[i]);
			return 0;
		}
	}
	if (!read_int(v, &khz) || khz < 1 || khz > 100000000)
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" is not a CPU frequency; use "
				    "low, medium, highm1, high or 1 to "
				    "100000000 (kHz)",
				    k->name, v);
	snprintf(dst, CARBON_CONFIG_NAME_BUF, "%lld", (long long)khz);
	return 0;
}

/* YYYY-MM-DD[THH:MM[:SS]][Z], UTC, a real date. */
static bool read_utc(const char *s, int64_t *t)
{
	return !carbon_timeparse_iso(s, strlen(s), CARBON_TIMEPARSE_ISO_DATE, t,
				     NULL, 0);
}

/* "a,b,c" into up to CHAIN_MAX names; duplicates rejected. */
static int set_chain(struct config_parse *ps, const struct carbon_config_key *k,
		     const char *v, struct carbon_config_zone *z)
{
	const char *p = v;

	z->n_providers = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if (!config_name_ok(p, n))
			return config_error(
				ps, CARBON_EINVAL,
				"%s: \"%s\" is not a list of "
				"provider names; use NAME[,NAME...], "
				"each %s",
				k->name, v, NAME_CHARS);
		if (z->n_providers == CARBON_CONFIG_CHAIN_MAX)
			return config_error(ps, CARBON_ERANGE,
					    "%s: more than %d providers",
					    k->name, CARBON_CONFIG_CHAIN_MAX);
		memcpy(z->providers[z->n_providers], p, n);
		z->providers[z->n_providers][n] = '\0';
		for (size_t i = 0; i < z->n_providers; i++) {
			if (!strcasecmp(z->providers[i],
					z->providers[z->n_providers]))
				return config_error(ps, CARBON_EINVAL,
						    "%s: \"%s\" is listed "
						    "twice",
						    k->name, z->providers[i]);
		}
		z->n_providers++;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* "P:AREA,P:AREA" */
static int set_areas(struct config_parse *ps, const struct carbon_config_key *k,
		     const char *v, struct carbon_config_zone *z)
{
	const char *p = v;

	z->n_areas = 0;
	for (;;) {
		size_t n = strcspn(p, ","), pn = strcspn(p, ":,");
		struct carbon_config_area *a = &z->areas[z->n_areas];

		if (pn >= n || !config_name_ok(p, pn) ||
		    !config_name_ok(p + pn + 1, n - pn - 1))
			return config_error(ps, CARBON_EINVAL,
					    "%s: \"%s\" is not a list of "
					    "PROVIDER:AREA; use e.g. "
					    "entsoe:10YES-REE------0",
					    k->name, v);
		if (z->n_areas == CARBON_CONFIG_CHAIN_MAX)
			return config_error(ps, CARBON_ERANGE,
					    "%s: more than %d areas", k->name,
					    CARBON_CONFIG_CHAIN_MAX);
		memcpy(a->provider, p, pn);
		a->provider[pn] = '\0';
		memcpy(a->area, p + pn + 1, n - pn - 1);
		a->area[n - pn - 1] = '\0';
		for (size_t i = 0; i < z->n_areas; i++) {
			if (!strcasecmp(z->areas[i].provider, a->provider))
				return config_error(ps, CARBON_EINVAL,
						    "%s: provider \"%s\" is "
						    "listed twice",
						    k->name, a->provider);
		}
		z->n_areas++;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

static int set_text(struct config_parse *ps, const struct carbon_config_key *k,
		    const char *v, char *dst)
{
	switch (k->kind) {
	case CK_NAME:
	case CK_PREFIX:
		if (name_ok(v, strlen(v), k->kind == CK_PREFIX))
			return set_string(ps, k, v, dst);
		return config_error(ps, CARBON_EINVAL,
				    "%s: \"%s\" is not a name; %s%s", k->name,
				    v, NAME_FORMS,
				    k->kind == CK_PREFIX ? " or ':'" : "");
	case CK_PATH:
		if (v[0] != '/')
			return config_error(ps, CARBON_EINVAL,
					    "%s: \"%s\" is not an absolute "
					    "path; use a path starting with /",
					    k->name, v);
		return set_string(ps, k, v, dst);
	case CK_URL:
		if ((strncmp(v, "https://", 8) || !v[8]) &&
		    (strncmp(v, "http://", 7) || !v[7]))
			return config_error(ps, CARBON_EINVAL,
					    "%s: \"%s\" is not a URL; use "
					    "https://HOST[/PATH]",
					    k->name, v);
		if (!ascii_graph(v))
			return config_error(ps, CARBON_EINVAL,
					    "%s: a URL has no spaces or "
					    "non-ASCII bytes",
					    k->name);
		return set_string(ps, k, v, dst);
	case CK_HOST:
		if (v[0] != '/' && !host_ok(v, strlen(v), false) &&
		    !host_ok(v, strlen(v), true))
			return config_error(ps, CARBON_EINVAL,
					    "%s: \"%s\" is not a host; use a "
					    "host name, an IP address or a "
					    "socket path",
					    k->name, v);
		return set_string(ps, k, v, dst);
	default: /* CK_TEXT */
		return set_string(ps, k, v, dst);
	}
}

/* An extension's own kind of value. */
static int set_func(struct config_parse *ps, const struct carbon_config_key *k,
		    const char *v, void *dst)
{
	char msg[256] = "";
	int rc = k->parse ? k->parse(v, dst, msg, sizeof(msg)) : CARBON_EINVAL;

	return rc ? config_error(ps, rc, "%s: %s", k->name,
				 k->parse ? msg : "internal error: no parser")
		  : 0;
}

int config_key_set(struct config_parse *ps, const struct carbon_config_key *k,
		   const char *v, void *base)
{
	char *dst = (char *)base + k->off;
	int rc;

	switch (k->kind) {
	case CK_INT:
		rc = set_int(ps, k, v, (int *)dst);
		break;
	case CK_NUMBER:
		rc = set_number(ps, k, v, (double *)dst);
		break;
	case CK_INTERVAL:
		rc = set_interval(ps, k, v, (int64_t *)dst);
		break;
	case CK_ENUM:
		rc = set_enum(ps, k, v, (int *)dst);
		break;
	case CK_LISTEN:
		rc = set_listen(ps, k, v, (struct carbon_config_listen *)dst);
		break;
	case CK_CHAIN:
		rc = set_chain(ps, k, v, base);
		break;
	case CK_AREAS:
		rc = set_areas(ps, k, v, base);
		break;
	case CK_CPUFREQ:
		rc = set_cpufreq(ps, k, v, dst);
		break;
	case CK_UTC:
		rc = read_utc(v, (int64_t *)dst)
			     ? 0
			     : config_error(ps, CARBON_EINVAL,
					    "%s: \"%s\" is not a UTC time; use "
					    "YYYY-MM-DD[THH:MM[:SS]][Z]",
					    k->name, v);
		break;
	case CK_FUNC:
		rc = set_func(ps, k, v, dst);
		break;
	default:
		rc = set_text(ps, k, v, dst);
		break;
	}
	if (!rc && (k->flags & KF_HAS))
		*(bool *)((char *)base + k->has_off) = true;
	return rc;
}
