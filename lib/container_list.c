/*
 * The list options --container-mounts and --container-env, and
 * --container-workdir (carbon/container.h).
 */
#include <stdio.h>
#include <string.h>

#include "carbon/container.h"

/* An absolute path of at most CARBON_CONTAINER_PATH_MAX bytes; no `..`
 * component when inside (a path in the container). */
static const char *path_problem(const char *p, size_t len, bool inside)
{
	if (!len)
		return "an empty path";
	if (p[0] != '/')
		return "a relative path (the job runs on another node, in "
		       "another directory)";
	if (len > CARBON_CONTAINER_PATH_MAX)
		return "a path that is too long";
	if (!inside)
		return NULL;
	if (len == 1)
		return "the container's root";
	for (const char *c = p + 1, *e = p + len; c < e;) {
		const char *slash = memchr(c, '/', (size_t)(e - c));
		size_t n = slash ? (size_t)(slash - c) : (size_t)(e - c);

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return "a `..` component";
		c += n + 1;
	}
	return NULL;
}

/* Item k of a comma-separated value: its start and length. */
struct item {
	const char *s;
	size_t len;
	unsigned k; /* 1-based, for messages */
};

static bool next_item(const char **cursor, struct item *it)
{
	const char *s = *cursor, *comma;

	if (!s)
		return false;
	comma = strchr(s, ',');
	it->s = s;
	it->len = comma ? (size_t)(comma - s) : strlen(s);
	it->k++;
	*cursor = comma ? comma + 1 : NULL;
	return true;
}

static int mount_of(const struct item *it, const char *name,
		    struct carbon_container_mount *m, char *err, size_t errlen)
{
	const char *c1 = memchr(it->s, ':', it->len);
	const char *end = it->s + it->len;
	const char *c2 =
		c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
	size_t slen = c1 ? (size_t)(c1 - it->s) : it->len;
	const char *d = c1 ? c1 + 1 : it->s;
	size_t dlen = c2 ? (size_t)(c2 - d) : (size_t)(end - d);
	const char *why;

	memset(m, 0, sizeof(*m));
	if (c2) {
		size_t flen = (size_t)(end - c2 - 1);

		if (flen == 2 && !strncmp(c2 + 1, "ro", 2))
			m->read_only = true;
		else if (!(flen == 2 && !strncmp(c2 + 1, "rw", 2)))
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"%s: mount %u: \"%.*s\" is not a mount flag; "
				"%s",
				name, it->k, (int)flen, c2 + 1,
				CARBON_CONTAINER_MOUNT_FORMS);
		if (memchr(c2 + 1, ':', flen))
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"%s: mount %u has too many ':'; %s", name,
				it->k, CARBON_CONTAINER_MOUNT_FORMS);
	}
	why = path_problem(it->s, slen, false);
	if (!why)
		why = path_problem(d, dlen, true);
	if (why)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: mount %u (\"%.*s\") has %s; %s",
					name, it->k, (int)it->len, it->s, why,
					CARBON_CONTAINER_MOUNT_FORMS);
	memcpy(m->src, it->s, slen);
	memcpy(m->dst, d, dlen);
	return 0;
}

static int check_list(const char *value, const char *name, const char *forms,
		      char *err, size_t errlen)
{
	int rc =
		carbon_error_check_text(name, value, CARBON_CONTAINER_VALUE_MAX,
					true, forms, err, errlen);

	if (rc)
		return rc;
	if (value[0] == ',' || value[strlen(value) - 1] == ',' ||
	    strstr(value, ",,"))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: an empty item in \"%s\"; %s", name,
					value, forms);
	return 0;
}

int carbon_container_mounts_each(
	const char *value, const char *name,
	int (*fn)(const struct carbon_container_mount *m, void *arg), void *arg,
	char *err, size_t errlen)
{
	struct carbon_container_mount m;
	struct item it = {0};
	const char *cur = value;
	int rc, n = 0;

	if (!name)
		name = "--container-mounts";
	rc = check_list(value, name, CARBON_CONTAINER_MOUNT_FORMS, err, errlen);
	while (!rc && next_item(&cur, &it)) {
		if (++n > CARBON_CONTAINER_MOUNTS_MAX)
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"%s: more than %d mounts", name,
						CARBON_CONTAINER_MOUNTS_MAX);
		rc = mount_of(&it, name, &m, err, errlen);
	}
	if (rc || !fn)
		return rc ? rc : n;
	cur = value;
	it.k = 0;
	while (next_item(&cur, &it)) {
		if (mount_of(&it, name, &m, err, errlen))
			return CARBON_EINVAL; /* checked above: not reached */
		rc = fn(&m, arg);
		if (rc)
			return rc;
	}
	return n;
}

static bool env_name_ok(const char *s, size_t len)
{
	if (!len || len > 255 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* The name's length of item it, and whether it appeared before it. */
static int env_check(const char *value, const struct item *it, const char *name,
		     char *err, size_t errlen)
{
	const char *eq = memchr(it->s, '=', it->len);
	size_t nlen = eq ? (size_t)(eq - it->s) : it->len;
	struct item prev = {0};
	const char *cur = value;

	if (!env_name_ok(it->s, nlen))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"%s: variable %u: \"%.*s\" is not a variable name "
			"(letters, digits and '_', not starting with a "
			"digit); %s",
			name, it->k, (int)nlen, it->s,
			CARBON_CONTAINER_ENV_FORMS);
	while (next_item(&cur, &prev) && prev.k < it->k) {
		const char *peq = memchr(prev.s, '=', prev.len);
		size_t plen = peq ? (size_t)(peq - prev.s) : prev.len;

		if (plen == nlen && !memcmp(prev.s, it->s, nlen))
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"%s: %.*s is given twice", name,
						(int)nlen, it->s);
	}
	return 0;
}

int carbon_container_env_each(const char *value, const char *name,
			      int (*fn)(const char *var, const char *val,
					void *arg),
			      void *arg, char *err, size_t errlen)
{
	struct item it = {0};
	const char *cur = value;
	int rc, n = 0;

	if (!name)
		name = "--container-env";
	rc = check_list(value, name, CARBON_CONTAINER_ENV_FORMS, err, errlen);
	while (!rc && next_item(&cur, &it)) {
		if (++n > CARBON_CONTAINER_ENV_MAX)
			return carbon_error_set(err, errlen, CARBON_ERANGE,
						"%s: more than %d variables",
						name, CARBON_CONTAINER_ENV_MAX);
		rc = env_check(value, &it, name, err, errlen);
	}
	if (rc || !fn)
		return rc ? rc : n;
	cur = value;
	it.k = 0;
	while (next_item(&cur, &it)) {
		char var[256], val[CARBON_CONTAINER_VALUE_MAX + 1];
		const char *eq = memchr(it.s, '=', it.len);
		size_t nlen = eq ? (size_t)(eq - it.s) : it.len;

		snprintf(var, sizeof(var), "%.*s", (int)nlen, it.s);
		if (eq)
			snprintf(val, sizeof(val), "%.*s",
				 (int)(it.len - nlen - 1), eq + 1);
		rc = fn(var, eq ? val : NULL, arg);
		if (rc)
			return rc;
	}
	return n;
}

int carbon_container_workdir_check(const char *value, const char *name,
				   char *err, size_t errlen)
{
	const char *why;
	int rc;

	if (!name)
		name = "--container-workdir";
	rc = carbon_error_check_text(name, value, CARBON_CONTAINER_PATH_MAX,
				     true, "use an absolute path", err, errlen);
	if (rc)
		return rc;
	why = path_problem(value, strlen(value), true);
	if (why && strcmp(why, "the container's root"))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: \"%s\" is %s; use an absolute "
					"path inside the container",
					name, value, why);
	return 0;
}

int carbon_container_size_parse(const char *value, const char *name,
				unsigned long long *bytes, char *err,
				size_t errlen)
{
	static const char units[] = "KMGT";
	unsigned long long v = 0;
	const char *s = value;
	int shift = 0;

	if (!name)
		name = "size";
	if (!value || !*value)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"%s: empty; " CARBON_CONTAINER_SIZE_FORMS, name);
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > (1ULL << 50))
			goto bad;
	}
	if (s == value)
		goto bad;
	if (*s) {
		const char *u = strchr(units, *s);

		if (!u || s[1])
			goto bad;
		shift = 10 * (int)(u - units + 1);
	}
	if (v > (1ULL << 50) >> shift)
		goto bad;
	*bytes = v << shift;
	return 0;
bad:
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s: \"%.64s\" is not a size up to "
				"1024T; " CARBON_CONTAINER_SIZE_FORMS,
				name, value);
}
