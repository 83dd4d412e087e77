/*
 * carbon/container.h: the values of the --container-* options, checked.
 *
 * The SPANK plugin checks each value in sbatch/salloc/srun (and the same
 * values from the job's environment, for clients without the plugin), so
 * that nothing reaches slurmctld that slurmstepd would refuse; slurmstepd
 * parses them again with the same functions before it runs anything.
 *
 *   --container-image=REF
 *       A Docker Hub name as `docker pull` takes it: `alpine`, `alpine:3.19`,
 *       `library/alpine:3.19`, `ghcr.io/org/app:1.0`, `app@sha256:<64 hex>`,
 *       optionally written `docker://...`.  A name without a registry is
 *       Docker Hub's (docker.io), a one-part name is an official image
 *       (library/), a name without a tag or digest is `:latest`.
 *       Local images: `oci:DIR[:TAG]`, `oci-archive:FILE[:TAG]`,
 *       `docker-archive:FILE[:NAME:TAG]`, with an absolute path (the job runs
 *       on another node, in another directory).
 *   --container-env=NAME[=VALUE][,NAME[=VALUE]...]
 *       Variables set inside the container, over the image's own.  A NAME
 *       alone takes its value from the job's environment (as pyxis does);
 *       VALUE cannot hold a comma.
 *   --container-mounts=SRC:DST[:ro|rw][,...]
 *       Bind mounts, both paths absolute, read-write unless `ro`; DST has no
 *       `..` component.  A single absolute PATH means PATH:PATH.
 *   --container-workdir=DIR
 *       The tasks' working directory inside the container, absolute.
 *
 * Every function checks the whole value before it reports any part of it,
 * and returns CARBON_EINVAL/CARBON_ETOOLONG with a message that names the
 * option (`name`, e.g. "--container-image" or "SLURM_CONTAINER_IMAGE") and
 * the accepted form.  Inputs are borrowed for the call.
 */
#ifndef CARBON_CONTAINER_H
#define CARBON_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#include "carbon/error.h"

/* Longest value of any --container-* option (bytes, without the NUL). */
#define CARBON_CONTAINER_VALUE_MAX 4096
/* Longest path, image reference and list the options accept. */
#define CARBON_CONTAINER_PATH_MAX   1024
#define CARBON_CONTAINER_REF_MAX    1100
#define CARBON_CONTAINER_ENV_MAX    128 /* variables in one --container-env */
#define CARBON_CONTAINER_MOUNTS_MAX 64

#define CARBON_CONTAINER_IMAGE_FORMS                                         \
	"use a Docker Hub name such as alpine:3.19 or library/alpine:3.19, " \
	"REGISTRY/NAME[:TAG|@sha256:DIGEST], docker://NAME, or "             \
	"oci:/DIR[:TAG], "                                                   \
	"oci-archive:/FILE[:TAG], docker-archive:/FILE"
#define CARBON_CONTAINER_ENV_FORMS "use NAME[=VALUE][,NAME[=VALUE]...]"
#define CARBON_CONTAINER_MOUNT_FORMS \
	"use SRC:DST[:ro|rw][,SRC:DST[:ro|rw]...] with absolute paths"

enum carbon_image_transport {
	CARBON_IMAGE_DOCKER = 0,     /* a registry */
	CARBON_IMAGE_OCI,	     /* an OCI layout directory */
	CARBON_IMAGE_OCI_ARCHIVE,    /* a tar of one */
	CARBON_IMAGE_DOCKER_ARCHIVE, /* `docker save` output */
};

struct carbon_image_ref {
	enum carbon_image_transport transport;
	/* The reference in skopeo's terms, e.g.
	 * "docker://docker.io/library/alpine:3.19", "oci:/img/app:1.0". */
	char canonical[CARBON_CONTAINER_REF_MAX + 1];
	/* docker: registry host[:port], repository, tag ("" with a digest)
	 * and digest ("" without); local: the absolute path and tag. */
	char registry[256];
	char repository[256];
	char tag[129];
	char digest[72];
	char path[CARBON_CONTAINER_PATH_MAX + 1];
};

int carbon_container_image_parse(const char *value, const char *name,
				 struct carbon_image_ref *ref, char *err,
				 size_t errlen) CARBON_MUST_CHECK;

struct carbon_container_mount {
	char src[CARBON_CONTAINER_PATH_MAX + 1];
	char dst[CARBON_CONTAINER_PATH_MAX + 1];
	bool read_only;
};

/*
 * Check a --container-mounts value, then call fn for each mount in order
 * (fn may be NULL: check only).  Returns the number of mounts, or an error
 * (nothing was reported then).  fn's non-zero return stops the walk and is
 * returned.
 */
int carbon_container_mounts_each(
	const char *value, const char *name,
	int (*fn)(const struct carbon_container_mount *m, void *arg), void *arg,
	char *err, size_t errlen) CARBON_MUST_CHECK;

/*
 * Check a --container-env value, then call fn for each variable in order;
 * val is NULL for a NAME alone.  Returns as carbon_container_mounts_each.
 */
int carbon_container_env_each(const char *value, const char *name,
			      int (*fn)(const char *var, const char *val,
					void *arg),
			      void *arg, char *err,
			      size_t errlen) CARBON_MUST_CHECK;

/* A size such as "20G": digits, then K, M, G or T (powers of 1024; none:
 * bytes), at most 2^50 bytes; into *bytes. */
#define CARBON_CONTAINER_SIZE_FORMS \
	"use a size in bytes, or with K, M, G or T (e.g. 20G)"
int carbon_container_size_parse(const char *value, const char *name,
				unsigned long long *bytes, char *err,
				size_t errlen) CARBON_MUST_CHECK;

/* Check a --container-workdir value (an absolute path, no `..`). */
int carbon_container_workdir_check(const char *value, const char *name,
				   char *err, size_t errlen) CARBON_MUST_CHECK;

#endif
