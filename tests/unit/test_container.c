/*
 * The --container-* values: image references as `docker pull` and skopeo
 * read them, mounts, variables and the working directory; every refusal
 * names the option and the accepted form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "carbon/container.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_image_docker_hub(void **state)
{
	static const struct {
		const char *in, *canonical, *repo, *tag;
	} ok[] = {
		{"alpine", "docker://docker.io/library/alpine:latest",
		 "library/alpine", "latest"},
		{"alpine:3.19", "docker://docker.io/library/alpine:3.19",
		 "library/alpine", "3.19"},
		{"library/alpine:3.19",
		 "docker://docker.io/library/alpine:3.19", "library/alpine",
		 "3.19"},
		{"docker://python:3.12-slim",
		 "docker://docker.io/library/python:3.12-slim",
		 "library/python", "3.12-slim"},
		{"nvidia/cuda:12.2.0-base-ubuntu22.04",
		 "docker://docker.io/nvidia/cuda:12.2.0-base-ubuntu22.04",
		 "nvidia/cuda", "12.2.0-base-ubuntu22.04"},
		{"docker.io/alpine", "docker://docker.io/library/alpine:latest",
		 "library/alpine", "latest"},
		{"index.docker.io/org/a__b-c.d:v1",
		 "docker://docker.io/org/a__b-c.d:v1", "org/a__b-c.d", "v1"},
	};
	struct carbon_image_ref r;
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(carbon_container_image_parse(
					 ok[i].in, NULL, &r, err, sizeof(err)),
				 0);
		assert_int_equal(r.transport, CARBON_IMAGE_DOCKER);
		assert_string_equal(r.canonical, ok[i].canonical);
		assert_string_equal(r.registry, "docker.io");
		assert_string_equal(r.repository, ok[i].repo);
		assert_string_equal(r.tag, ok[i].tag);
		assert_string_equal(r.digest, "");
	}
}

static void test_image_registry_and_digest(void **state)
{
	struct carbon_image_ref r;
	char err[512];

	(void)state;
	assert_int_equal(carbon_container_image_parse("ghcr.io/org/app:1.0",
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_string_equal(r.registry, "ghcr.io");
	assert_string_equal(r.repository, "org/app");
	assert_string_equal(r.canonical, "docker://ghcr.io/org/app:1.0");
	/* a port is a registry's, not a tag */
	assert_int_equal(carbon_container_image_parse("localhost:5000/app",
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_string_equal(r.registry, "localhost:5000");
	assert_string_equal(r.repository, "app");
	assert_string_equal(r.tag, "latest");
	assert_int_equal(carbon_container_image_parse("localhost/app:2", NULL,
						      &r, err, sizeof(err)),
			 0);
	assert_string_equal(r.registry, "localhost");
	/* a digest alone: no :latest */
	assert_int_equal(carbon_container_image_parse("alpine@sha256:" D64,
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_string_equal(r.tag, "");
	assert_string_equal(r.digest, "sha256:" D64);
	assert_string_equal(r.canonical,
			    "docker://docker.io/library/alpine@sha256:" D64);
	assert_int_equal(carbon_container_image_parse("alpine:3@sha256:" D64,
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_string_equal(r.canonical,
			    "docker://docker.io/library/alpine:3@sha256:" D64);
}

static void test_image_local(void **state)
{
	struct carbon_image_ref r;
	char err[512];

	(void)state;
	assert_int_equal(carbon_container_image_parse("oci:/img/layout:v2",
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_int_equal(r.transport, CARBON_IMAGE_OCI);
	assert_string_equal(r.path, "/img/layout");
	assert_string_equal(r.tag, "v2");
	assert_string_equal(r.canonical, "oci:/img/layout:v2");
	assert_int_equal(carbon_container_image_parse("oci-archive:/i/a.tar",
						      NULL, &r, err,
						      sizeof(err)),
			 0);
	assert_int_equal(r.transport, CARBON_IMAGE_OCI_ARCHIVE);
	assert_string_equal(r.path, "/i/a.tar");
	assert_string_equal(r.tag, "");
	assert_int_equal(carbon_container_image_parse(
				 "docker-archive:/i/b.tar:library/busybox:test",
				 NULL, &r, err, sizeof(err)),
			 0);
	assert_int_equal(r.transport, CARBON_IMAGE_DOCKER_ARCHIVE);
	assert_string_equal(r.path, "/i/b.tar");
	assert_string_equal(r.tag, "test");
	assert_string_equal(r.canonical,
			    "docker-archive:/i/b.tar:library/busybox:test");
	/* relative: named, and why */
	assert_int_equal(carbon_container_image_parse("oci:img:v1", "-I", &r,
						      err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "-I: \"oci:img:v1\": the path of a local "
				 "image must be absolute (the job runs on "
				 "another node); use an absolute path, e.g. "
				 "oci:/shared/images/app:1.0");
}

static void test_image_refused(void **state)
{
	static const struct {
		const char *in, *why;
	} bad[] = {
		{"Alpine", "names are lowercase"},
		{"alpine:", "a tag is up to 128"},
		{"alpine:.x", "a tag is up to 128"},
		{"alpine:a b", "a tag is up to 128"},
		{"al--pine_", "a name is lowercase"},
		{"a/b//c", "a name is lowercase"},
		{"docker://", "no name"},
		{"alpine@sha256:abc", "a digest is sha256:"},
		{"alpine@md5:" D64, "a digest is sha256:"},
		{"my-.host:5000/app", "a bad registry host"},
		{"host:0/app", "a bad registry host"},
		{"host:65536/app", "a bad registry host"},
		{"dir:/x", "that transport is not supported"},
		{"containers-storage:alpine", "that transport is not"},
		{"oci:/x:bad tag", "a tag is up to 128"},
		{"docker-archive:/x.tar:Bad", "names are lowercase"},
	};
	struct carbon_image_ref r = {.tag = "kept"};
	char err[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(carbon_container_image_parse(
					 bad[i].in, NULL, &r, err, sizeof(err)),
				 CARBON_EINVAL);
		if (!strstr(err, bad[i].why) ||
		    strncmp(err, "--container-image: ", 19) ||
		    !strstr(err, CARBON_CONTAINER_IMAGE_FORMS))
			fail_msg("%s: %s", bad[i].in, err);
		assert_string_equal(r.tag, "kept"); /* untouched */
	}
	assert_int_equal(
		carbon_container_image_parse("", NULL, &r, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(carbon_container_image_parse("a\tb", NULL, &r, err,
						      sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_container_image_parse(NULL, NULL, &r, err, sizeof(err)),
		CARBON_EINVAL);
}

struct seen {
	char text[1024];
	int stop_at; /* fn returns 7 on this call (1-based); 0: never */
	int calls;
};

static int on_mount(const struct carbon_container_mount *m, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "[%s>%s%s]", m->src, m->dst,
		 m->read_only ? ",ro" : "");
	return ++s->calls == s->stop_at ? 7 : 0;
}

static void test_mounts(void **state)
{
	struct seen s = {0};
	char err[512];

	(void)state;
	assert_int_equal(
		carbon_container_mounts_each(
			"/data:/data:ro,/scratch/u1:/work,/opt/x:/x:rw,"
			"/home/u1",
			NULL, on_mount, &s, err, sizeof(err)),
		4);
	assert_string_equal(s.text, "[/data>/data,ro][/scratch/u1>/work]"
				    "[/opt/x>/x][/home/u1>/home/u1]");
	/* check only */
	assert_int_equal(carbon_container_mounts_each("/a:/b", NULL, NULL, NULL,
						      err, sizeof(err)),
			 1);
	/* fn's non-zero return stops the walk */
	memset(&s, 0, sizeof(s));
	s.stop_at = 1;
	assert_int_equal(carbon_container_mounts_each("/a:/b,/c:/d", NULL,
						      on_mount, &s, err,
						      sizeof(err)),
			 7);
	assert_int_equal(s.calls, 1);
}

static void test_mounts_refused(void **state)
{
	static const struct {
		const char *in, *msg;
	} bad[] = {
		{"data:/data", "mount 1 (\"data:/data\") has a relative path"},
		{"/a:/b,/c:d", "mount 2 (\"/c:d\") has a relative path"},
		{"/a:/b:rx", "mount 1: \"rx\" is not a mount flag"},
		{"/a:/b:ro:x", "mount 1: \"ro:x\" is not a mount flag"},
		{"/a:/", "has the container's root"},
		{"/a:/x/../etc", "has a `..` component"},
		{"/a:/x/..", "has a `..` component"},
		{"/a:", "has an empty path"},
		{"/a:/b,", "an empty item"},
		{",/a:/b", "an empty item"},
		{"/a:/b,,/c:/d", "an empty item"},
	};
	struct seen s = {0};
	char err[512], many[CARBON_CONTAINER_VALUE_MAX + 1] = "";

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(carbon_container_mounts_each(bad[i].in, "-m",
							      on_mount, &s, err,
							      sizeof(err)),
				 CARBON_EINVAL);
		if (!strstr(err, bad[i].msg) || strncmp(err, "-m: ", 4))
			fail_msg("%s: %s", bad[i].in, err);
	}
	assert_int_equal(s.calls, 0); /* nothing reported before a refusal */
	/* dots that are not `..` are names */
	assert_int_equal(carbon_container_mounts_each("/a:/x/..y/.z/.", NULL,
						      NULL, NULL, err,
						      sizeof(err)),
			 1);
	for (int i = 0; i <= CARBON_CONTAINER_MOUNTS_MAX; i++)
		strcat(many, i ? ",/a:/b" : "/a:/b");
	assert_int_equal(carbon_container_mounts_each(many, NULL, NULL, NULL,
						      err, sizeof(err)),
			 CARBON_ERANGE);
}

static int on_var(const char *var, const char *val, void *arg)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);

	snprintf(s->text + n, sizeof(s->text) - n, "[%s%s%s]", var,
		 val ? "=" : "", val ? val : "");
	return ++s->calls == s->stop_at ? 7 : 0;
}

static void test_env(void **state)
{
	struct seen s = {0};
	char err[512];

	(void)state;
	assert_int_equal(carbon_container_env_each(
				 "OMP_NUM_THREADS=4,HOME,_X=,P=a=b c:d", NULL,
				 on_var, &s, err, sizeof(err)),
			 4);
	assert_string_equal(s.text,
			    "[OMP_NUM_THREADS=4][HOME][_X=][P=a=b c:d]");
	assert_int_equal(carbon_container_env_each("A=é", NULL, NULL, NULL, err,
						   sizeof(err)),
			 1);
	assert_int_equal(carbon_container_env_each("1A=x", NULL, on_var, &s,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--container-env: variable 1: \"1A\" is not a "
				 "variable name (letters, digits and '_', not "
				 "starting with a digit); use "
				 "NAME[=VALUE][,NAME[=VALUE]...]");
	assert_int_equal(carbon_container_env_each("A=1,B-C=2", NULL, on_var,
						   &s, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "variable 2: \"B-C\""));
	assert_int_equal(carbon_container_env_each("A=1,B,A", NULL, on_var, &s,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_string_equal(err, "--container-env: A is given twice");
	assert_int_equal(carbon_container_env_each("=x", NULL, on_var, &s, err,
						   sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(carbon_container_env_each("A=\n", NULL, on_var, &s,
						   err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(s.calls, 4);
}

static void test_workdir(void **state)
{
	char err[512];

	(void)state;
	assert_int_equal(carbon_container_workdir_check("/work/run 1", NULL,
							err, sizeof(err)),
			 0);
	assert_int_equal(
		carbon_container_workdir_check("/", NULL, err, sizeof(err)), 0);
	assert_int_equal(
		carbon_container_workdir_check("work", NULL, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "--container-workdir: \"work\" is a relative "
				 "path (the job runs on another node, in "
				 "another directory); use an absolute path "
				 "inside the container");
	assert_int_equal(carbon_container_workdir_check("/a/../b", NULL, err,
							sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_container_workdir_check("", "W", err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "W: empty value; use an absolute path");
}

static void test_size(void **state)
{
	unsigned long long b = 7;
	char err[512];

	(void)state;
	assert_int_equal(
		carbon_container_size_parse("0", NULL, &b, err, sizeof(err)),
		0);
	assert_int_equal(b, 0);
	assert_int_equal(
		carbon_container_size_parse("1536", NULL, &b, err, sizeof(err)),
		0);
	assert_int_equal(b, 1536);
	assert_int_equal(
		carbon_container_size_parse("20G", NULL, &b, err, sizeof(err)),
		0);
	assert_int_equal(b, 20ULL << 30);
	assert_int_equal(carbon_container_size_parse("1024T", NULL, &b, err,
						     sizeof(err)),
			 0);
	assert_int_equal(b, 1ULL << 50);
	b = 7;
	assert_int_equal(carbon_container_size_parse("1025T", "cache_limit", &b,
						     err, sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(b, 7);
	assert_string_equal(err, "cache_limit: \"1025T\" is not a size up to "
				 "1024T; use a size in bytes, or with K, M, G "
				 "or T (e.g. 20G)");
	assert_int_equal(carbon_container_size_parse("99999999999999999999",
						     NULL, &b, err,
						     sizeof(err)),
			 CARBON_EINVAL);
	assert_int_equal(
		carbon_container_size_parse("20g", NULL, &b, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_container_size_parse("G", NULL, &b, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_container_size_parse("2GB", NULL, &b, err, sizeof(err)),
		CARBON_EINVAL);
	assert_int_equal(
		carbon_container_size_parse("", "S", &b, err, sizeof(err)),
		CARBON_EINVAL);
	assert_string_equal(err, "S: empty; use a size in bytes, or with K, M, "
				 "G or T (e.g. 20G)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_docker_hub),
		cmocka_unit_test(test_image_registry_and_digest),
		cmocka_unit_test(test_image_local),
		cmocka_unit_test(test_image_refused),
		cmocka_unit_test(test_mounts),
		cmocka_unit_test(test_mounts_refused),
		cmocka_unit_test(test_env),
		cmocka_unit_test(test_workdir),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
