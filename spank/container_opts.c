/*
 * spank/container_opts.c: the --container-* options (carbon/container.h
 * says each form), in every context.
 *
 * sbatch, salloc and srun check each value with libcarbon, so a bad one
 * fails the command with the option's name; a value not given may come
 * from the environment like Slurm's own (SBATCH_CONTAINER_IMAGE for
 * sbatch, SALLOC_... for salloc, SLURM_... for srun).  Slurm forwards the
 * values to slurmstepd, where the same callbacks keep them for task.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <slurm/spank.h>

#include "carbon/container.h"

#include "container_opts.h"

static struct carbon_container_opts vals;

static int ct_cb(int val, const char *optarg, int remote);

static const char *const names[CT_OPT_COUNT] = {
	[CT_OPT_IMAGE] = "--container-image",
	[CT_OPT_ENV] = "--container-env",
	[CT_OPT_MOUNTS] = "--container-mounts",
	[CT_OPT_WORKDIR] = "--container-workdir",
	[CT_OPT_REMAP_ROOT] = "--container-remap-root",
	[CT_OPT_WRITABLE] = "--container-writable",
};

static const char *const env_suffix[CT_OPT_COUNT] = {
	[CT_OPT_IMAGE] = "CONTAINER_IMAGE",
	[CT_OPT_ENV] = "CONTAINER_ENV",
	[CT_OPT_MOUNTS] = "CONTAINER_MOUNTS",
	[CT_OPT_WORKDIR] = "CONTAINER_WORKDIR",
	[CT_OPT_REMAP_ROOT] = "CONTAINER_REMAP_ROOT",
	[CT_OPT_WRITABLE] = "CONTAINER_WRITABLE",
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdiscarded-qualifiers"
static struct spank_option options[] = {
	{"container-image", "IMAGE",
	 "Run the tasks in this image: a Docker Hub name (alpine:3.19, "
	 "library/python:3.12-slim), REGISTRY/NAME[:TAG|@sha256:DIGEST], or "
	 "oci:/DIR[:TAG], oci-archive:/FILE, docker-archive:/FILE",
	 1, CT_OPT_IMAGE, ct_cb},
	{"container-env", "NAME[=VALUE],...",
	 "Variables set in the container over the image's; NAME alone takes "
	 "the job's value",
	 1, CT_OPT_ENV, ct_cb},
	{"container-mounts", "SRC:DST[:ro|rw],...",
	 "Bind mounts into the container (absolute paths; the working "
	 "directory is always mounted)",
	 1, CT_OPT_MOUNTS, ct_cb},
	{"container-workdir", "DIR",
	 "Working directory inside the container (default: the job's)", 1,
	 CT_OPT_WORKDIR, ct_cb},
	{"container-remap-root", NULL,
	 "Be root inside the container (without any privilege) instead of "
	 "yourself",
	 0, CT_OPT_REMAP_ROOT, ct_cb},
	{"container-writable", NULL,
	 "Give each task a private writable copy of the image's root (default: "
	 "read-only, shared)",
	 0, CT_OPT_WRITABLE, ct_cb},
	SPANK_OPTIONS_TABLE_END};
#pragma GCC diagnostic pop

static int check(int val, const char *arg, const char *name, char *err,
		 size_t errlen)
{
	struct carbon_image_ref ref;
	int rc = 0;

	switch (val) {
	case CT_OPT_IMAGE:
		rc = carbon_container_image_parse(arg, name, &ref, err, errlen);
		break;
	case CT_OPT_ENV:
		rc = carbon_container_env_each(arg, name, NULL, NULL, err,
					       errlen);
		break;
	case CT_OPT_MOUNTS:
		rc = carbon_container_mounts_each(arg, name, NULL, NULL, err,
						  errlen);
		break;
	case CT_OPT_WORKDIR:
		rc = carbon_container_workdir_check(arg, name, err, errlen);
		break;
	case CT_OPT_REMAP_ROOT:
	case CT_OPT_WRITABLE:
		/* a flag; from the environment: 1 or 0 */
		if (arg && strcmp(arg, "") && strcmp(arg, "1") &&
		    strcmp(arg, "0"))
			rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					      "%s: \"%s\": use 1 or 0", name,
					      arg);
		break;
	default:
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "unknown container option %d", val);
	}
	return rc < 0 ? rc : 0;
}

static int keep(int val, const char *arg, const char *name)
{
	char err[1024];

	if (check(val, arg, name, err, sizeof(err))) {
		slurm_error("%s", err);
		return -1;
	}
	if (carbon_ct_opt_is_flag(val))
		vals.on[val] = !arg || strcmp(arg, "0");
	else
		snprintf(vals.v[val], sizeof(vals.v[val]), "%s", arg);
	vals.set[val] = true;
	return 0;
}

static int ct_cb(int val, const char *optarg, int remote)
{
	(void)remote;
	if (val < 0 || val >= CT_OPT_COUNT)
		return -1;
	return keep(val,
		    carbon_ct_opt_is_flag(val) ? NULL
		    : optarg		       ? optarg
					       : "",
		    names[val]);
}

struct spank_option *carbon_spank_container_options(void)
{
	return options;
}

const struct carbon_container_opts *carbon_spank_container_values(void)
{
	return &vals;
}

int carbon_spank_container_remote_env(spank_t sp)
{
	static const char *const prefixes[] = {"SLURM_", "SBATCH_"};

	if (vals.set[CT_OPT_IMAGE])
		return 0;
	for (int i = 0; i < CT_OPT_COUNT; i++)
		for (size_t p = 0; p < 2 && !vals.set[i]; p++) {
			char name[64], v[CARBON_CONTAINER_VALUE_MAX + 1];

			snprintf(name, sizeof(name), "%s%s", prefixes[p],
				 env_suffix[i]);
			if (spank_getenv(sp, name, v, sizeof(v)) !=
			    ESPANK_SUCCESS)
				continue;
			if (keep(i, v, name)) {
				/* the task's stderr is the job's: say it
				 * there too, not only in slurmd's log */
				char err[1024];

				if (check(i, v, name, err, sizeof(err)))
					fprintf(stderr, "spank/carbon: %s\n",
						err);
				return -1;
			}
		}
	if (!vals.set[CT_OPT_IMAGE])
		memset(&vals, 0, sizeof(vals));
	return 0;
}

int carbon_spank_container_post_opt(const char *prefix)
{
	for (int i = 0; i < CT_OPT_COUNT; i++) {
		char name[64];
		const char *v;

		if (vals.set[i])
			continue;
		snprintf(name, sizeof(name), "%s%s", prefix, env_suffix[i]);
		v = getenv(name);
		if (v && keep(i, v, name))
			return -1;
	}
	if (!vals.set[CT_OPT_IMAGE])
		for (int i = 0; i < CT_OPT_COUNT; i++)
			if (vals.set[i] && i != CT_OPT_IMAGE) {
				slurm_error("%s needs --container-image",
					    names[i]);
				return -1;
			}
	return 0;
}
