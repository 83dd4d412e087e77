/*
 * The --container-* values (carbon/container.h).  Image names follow the
 * grammar of Docker's distribution/reference, written down here from its
 * documentation: lowercase path components joined by '.', '_', "__" or
 * dashes; an optional registry host[:port] first; a tag of up to 128 word
 * characters, dots and dashes; a sha256 digest.
 */
#include <stdio.h>
#include <string.h>

#include "carbon/container.h"

#define LOCAL_FORMS "use an absolute path, e.g. oci:/shared/images/app:1.0"

static bool lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool word(char c)
{
	return lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
}

/* One path component [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, len bytes. */
static bool component_ok(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t run = 0;

		while (i < len && lower_alnum(s[i]))
			i++, run++;
		if (!run)
			return false;
		if (i == len)
			return true;
		if (s[i] == '.' || (s[i] == '_' && s[i + 1] != '_'))
			i++;
		else if (s[i] == '_' && i + 1 < len && s[i + 1] == '_')
			i += 2;
		else if (s[i] == '-')
			while (i < len && s[i] == '-')
				i++;
		else
			return false;
		if (i == len)
			return false; /* a separator must be followed */
	}
	return len > 0;
}

/* host[:port]: labels of [A-Za-z0-9-] joined by dots, a port 1-65535. */
static bool registry_ok(const char *s, size_t len)
{
	const char *colon = memchr(s, ':', len);
	size_t host = colon ? (size_t)(colon - s) : len;
	long port = 0;

	if (!host)
		return false;
	for (size_t i = 0; i < host; i++) {
		char c = s[i];
		/* a dot or dash may not begin or end a label */
		bool edge = i == 0 || i + 1 == host || s[i - 1] == '.' ||
			    (c == '-' && s[i + 1] == '.');

		if ((c == '.' || c == '-') ? edge : !(word(c) && c != '_'))
			return false;
	}
	if (!colon)
		return true;
	if (len - host < 2 || len - host > 6)
		return false;
	for (size_t i = host + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		port = port * 10 + (s[i] - '0');
	}
	return port >= 1 && port <= 65535;
}

static int bad_image(const char *value, const char *name, const char *why,
		     char *err, size_t errlen)
{
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s: \"%s\" is not an image reference (%s); %s",
				name, value, why, CARBON_CONTAINER_IMAGE_FORMS);
}

/* The tag (after the last ':' past the last '/') or digest of s. */
static int split_suffix(char *s, const char *value, const char *name,
			struct carbon_image_ref *r, char *err, size_t errlen)
{
	char *at = strchr(s, '@');
	char *slash, *colon;

	if (at) {
		const char *d = at + 1;

		if (strncmp(d, "sha256:", 7) || strlen(d) != 7 + 64 ||
		    strspn(d + 7, "0123456789abcdef") != 64)
			return bad_image(value, name,
					 "a digest is sha256: and 64 lowercase "
					 "hex digits",
					 err, errlen);
		snprintf(r->digest, sizeof(r->digest), "%s", d);
		*at = '\0';
	}
	slash = strrchr(s, '/');
	colon = strrchr(slash ? slash : s, ':');
	if (colon) {
		const char *t = colon + 1;
		size_t n = strlen(t);

		if (!n || n > 128 || !word(t[0]) ||
		    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			      "WXYZ0123456789_.-") != n)
			return bad_image(value, name,
					 "a tag is up to 128 letters, digits, "
					 "'_', '.' and '-', not starting with "
					 "'.' or '-'",
					 err, errlen);
		snprintf(r->tag, sizeof(r->tag), "%s", t);
		*colon = '\0';
	}
	return 0;
}

/* The registry, if the first component names one, and the repository. */
static int split_name(const char *s, const char *value, const char *name,
		      struct carbon_image_ref *r, char *err, size_t errlen)
{
	const char *slash = strchr(s, '/');
	const char *repo = s;
	size_t n = slash ? (size_t)(slash - s) : 0;
	bool has_registry = slash && (memchr(s, '.', n) || memchr(s, ':', n) ||
				      (n == 9 && !strncmp(s, "localhost", 9)));
	const char *p;

	snprintf(r->registry, sizeof(r->registry), "docker.io");
	if (has_registry) {
		if (n >= sizeof(r->registry) || !registry_ok(s, n))
			return bad_image(value, name, "a bad registry host",
					 err, errlen);
		snprintf(r->registry, sizeof(r->registry), "%.*s", (int)n, s);
		if (!strcmp(r->registry, "index.docker.io"))
			snprintf(r->registry, sizeof(r->registry), "docker.io");
		repo = slash + 1;
	}
	for (p = repo;; p++) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!component_ok(p, len))
			return bad_image(
				value, name,
				strpbrk(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
					? "names are lowercase"
					: "a name is lowercase letters and "
					  "digits joined by '.', '_' or '-'",
				err, errlen);
		if (!end)
			break;
		p = end;
	}
	if (snprintf(r->repository, sizeof(r->repository), "%s%s",
		     !strcmp(r->registry, "docker.io") && !strchr(repo, '/')
			     ? "library/"
			     : "",
		     repo) >= (int)sizeof(r->repository))
		return bad_image(value, name, "the name is too long", err,
				 errlen);
	return 0;
}

static int parse_docker(const char *ref, const char *value, const char *name,
			struct carbon_image_ref *r, char *err, size_t errlen)
{
	char s[CARBON_CONTAINER_REF_MAX + 1];
	int rc;

	snprintf(s, sizeof(s), "%s", ref);
	if (!s[0])
		return bad_image(value, name, "no name", err, errlen);
	rc = split_suffix(s, value, name, r, err, errlen);
	if (!rc)
		rc = split_name(s, value, name, r, err, errlen);
	if (rc)
		return rc;
	if (!r->tag[0] && !r->digest[0])
		snprintf(r->tag, sizeof(r->tag), "latest");
	snprintf(r->canonical, sizeof(r->canonical), "docker://%s/%s%s%s%s%s",
		 r->registry, r->repository, r->tag[0] ? ":" : "", r->tag,
		 r->digest[0] ? "@" : "", r->digest);
	return 0;
}

/* oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE[:REF]. */
static int parse_local(const char *prefix, const char *rest, const char *value,
		       const char *name, struct carbon_image_ref *r, char *err,
		       size_t errlen)
{
	const char *colon = strchr(rest, ':');
	size_t n = colon ? (size_t)(colon - rest) : strlen(rest);

	if (rest[0] != '/')
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: \"%s\": the path of a local image "
					"must be absolute (the job runs on "
					"another node); %s",
					name, value, LOCAL_FORMS);
	if (n > CARBON_CONTAINER_PATH_MAX)
		return bad_image(value, name, "the path is too long", err,
				 errlen);
	snprintf(r->path, sizeof(r->path), "%.*s", (int)n, rest);
	if (colon && r->transport == CARBON_IMAGE_DOCKER_ARCHIVE) {
		struct carbon_image_ref in = {0};
		int rc = parse_docker(colon + 1, value, name, &in, err, errlen);

		if (rc)
			return rc;
		snprintf(r->tag, sizeof(r->tag), "%s", in.tag);
	} else if (colon) {
		const char *t = colon + 1;
		size_t len = strlen(t);

		if (!len || len > 128 ||
		    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
			      "WXYZ0123456789_.-") != len)
			return bad_image(value, name,
					 "a tag is up to 128 letters, digits, "
					 "'_', '.' and '-'",
					 err, errlen);
		snprintf(r->tag, sizeof(r->tag), "%s", t);
	}
	snprintf(r->canonical, sizeof(r->canonical), "%s%s", prefix, rest);
	return 0;
}

int carbon_container_image_parse(const char *value, const char *name,
				 struct carbon_image_ref *ref, char *err,
				 size_t errlen)
{
	static const struct {
		const char *prefix;
		enum carbon_image_transport t;
	} local[] = {
		{"oci:", CARBON_IMAGE_OCI},
		{"oci-archive:", CARBON_IMAGE_OCI_ARCHIVE},
		{"docker-archive:", CARBON_IMAGE_DOCKER_ARCHIVE},
	};
	static const char *const unsupported[] = {
		"dir:",		  "containers-storage:",
		"docker-daemon:", "ostree:",
		"sif:",		  "tarball:",
	};
	struct carbon_image_ref r = {0};
	int rc;

	if (!name)
		name = "--container-image";
	rc = carbon_error_check_text(name, value, CARBON_CONTAINER_REF_MAX,
				     false, CARBON_CONTAINER_IMAGE_FORMS, err,
				     errlen);
	if (rc)
		return rc;
	if (!ref)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s: internal error: bad arguments",
					name);
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		size_t n = strlen(local[i].prefix);

		if (strncmp(value, local[i].prefix, n))
			continue;
		r.transport = local[i].t;
		rc = parse_local(local[i].prefix, value + n, value, name, &r,
				 err, errlen);
		if (!rc)
			*ref = r;
		return rc;
	}
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]);
	     i++)
		if (!strncmp(value, unsupported[i], strlen(unsupported[i])))
			return bad_image(value, name,
					 "that transport is not supported", err,
					 errlen);
	rc = parse_docker(strncmp(value, "docker://", 9) ? value : value + 9,
			  value, name, &r, err, errlen);
	if (!rc)
		*ref = r;
	return rc;
}
