/*
 * carbon-container: runs one task of a container job (issue 13).
 *
 * The SPANK plugin will exec it from slurm_spank_task_init, as the job's
 * user, in place of the task: all the work with images, bundles and the
 * runtime happens in this separate program, so nothing of it can crash or
 * block slurmstepd.  It fetches the image into the user's cache (once per
 * manifest digest, under a lock), writes the task's bundle and execs the
 * OCI runtime, which then is the task: Slurm keeps its stdout, stderr, exit
 * code and signals.
 */
#ifndef CARBON_CONTAINER_PROG_H
#define CARBON_CONTAINER_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "carbon/container.h"

/* The parent of Slurm tasks' run directories, made private to the user. */
#define CT_RUN_DIR_FMT "/tmp/carbon-container.%u"

struct ct_task {
	struct carbon_image_ref image;
	const char *env;      /* --container-env value, or NULL */
	const char *mounts;   /* --container-mounts value, or NULL */
	const char *workdir;  /* inside; NULL: the current directory */
	const char *cache;    /* the user's image cache directory */
	const char *state;    /* the task's run directory (bundle, runtime) */
	const char *runtime;  /* e.g. /usr/bin/runc */
	const char *init;     /* carbon-container-init on the host */
	const char *script;   /* a batch step\'s script, mounted read-only */
	const char *mirror;   /* a registry host that mirrors Docker Hub */
	const char *authfile; /* registry credentials (0600), or NULL */
	unsigned long long cache_limit; /* bytes; 0: no limit */
	bool remap_root;   /* root inside, as pyxis' --container-remap-root */
	bool writable;	   /* a private writable copy of the root */
	char *const *argv; /* the task's command */
	uid_t uid;
	gid_t gid;
};

/* Run argv (a helper such as skopeo) and wait; its stdout into out (may be
 * NULL), cut at outlen - 1.  Returns its exit status, -1 if it could not
 * run (err says why). */
int ct_spawn(const char *const argv[], char *out, size_t outlen, char *err,
	     size_t errlen);

/* The unpacked bundle of t's image in the cache (fetched if missing):
 * its directory into dir. */
int ct_image_bundle(const struct ct_task *t, char *dir, size_t len, char *err,
		    size_t errlen);

/* Evict the least recently used images (a directory's mtime is its last
 * use) until the cache holds at most t->cache_limit bytes; images in use by
 * a running task (a shared lock on their ".lock") stay. */
void ct_cache_evict(const struct ct_task *t);

/* rm -rf dir, not following symbolic links; 0 when dir is gone. */
int ct_remove_tree(const char *dir);

/* Make the task's run directory and lock it for the task's life: returns
 * the lock's descriptor, left open across exec, or -1 (err says why). */
int ct_rundir_claim(const char *state, char *err, size_t errlen);

/* Remove the run directories in parent that no task holds: how many, or
 * -1 (err says why). */
int ct_rundir_sweep(const char *parent, const char *runtime, char *err,
		    size_t errlen);

/* Write the task's config.json under t->state from the image bundle. */
int ct_bundle_write(const struct ct_task *t, const char *image_dir, char *err,
		    size_t errlen);

#endif
