/*
 * spank/task.c: a container job's tasks, in slurmstepd (S_CTX_REMOTE).
 *
 * slurm_spank_task_init runs in each task's process, as the job's user,
 * just before slurmstepd finishes the task's set-up (TaskProlog, TMPDIR,
 * limits) and execs its program.  For a container job it changes only
 * which program that is: carbon-container (spank/container/), given the
 * options and the task's own program through the task's environment.  So
 * Slurm's own set-up stays as it is, and all the work with images and the
 * runtime is done by a program of its own, outside slurmstepd.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <slurm/slurm.h>
#include <slurm/spank.h>

#include "container_opts.h"
#include "task.h"

#ifndef CARBON_LIBEXECDIR
#define CARBON_LIBEXECDIR "/usr/libexec/slurm-carbon" /* Makefile LIBEXECDIR */
#endif

static char libexec[1024] = CARBON_LIBEXECDIR;

/* Where a task's bundle and runtime state live (carbon-container makes
 * the parent, private to the user). */
#define RUN_DIR_FMT "/tmp/carbon-container.%u"

int carbon_spank_task_args(int ac, char **av)
{
	for (int i = 0; i < ac; i++) {
		if (!strncmp(av[i], "libexec=", 8) && av[i][8] == '/') {
			snprintf(libexec, sizeof(libexec), "%s", av[i] + 8);
			continue;
		}
		slurm_error("spank/carbon: unknown plugstack.conf argument "
			    "\"%s\"; use libexec=/ABSOLUTE/DIR",
			    av[i]);
		return -1;
	}
	return 0;
}

static int set(spank_t sp, const char *name, const char *value)
{
	spank_err_t rc = spank_setenv(sp, name, value, 1);

	if (rc != ESPANK_SUCCESS)
		slurm_error("spank/carbon: container task: cannot set %s: %s",
			    name, spank_strerror(rc));
	return rc == ESPANK_SUCCESS ? 0 : -1;
}

int carbon_spank_task_init(spank_t sp)
{
	static const char *const env[CT_OPT_COUNT] = {
		[CT_OPT_IMAGE] = "_CARBON_CT_IMAGE",
		[CT_OPT_ENV] = "_CARBON_CT_ENV",
		[CT_OPT_MOUNTS] = "_CARBON_CT_MOUNTS",
		[CT_OPT_WORKDIR] = "_CARBON_CT_WORKDIR",
		[CT_OPT_REMAP_ROOT] = "_CARBON_CT_REMAP_ROOT",
	};
	const struct carbon_container_opts *o = carbon_spank_container_values();
	uint32_t job = 0, step = 0, task = 0;
	char path[1100], state[256], init[1100];
	char **argv = NULL;
	int argc = 0;

	if (!o->set[CT_OPT_IMAGE])
		return 0;
	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS ||
	    argc < 1 || !argv || !argv[0] ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_GLOBAL_ID, &task) != ESPANK_SUCCESS) {
		slurm_error("spank/carbon: container task: no command");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/carbon-container", libexec);
	snprintf(init, sizeof(init), "%s/carbon-container-init", libexec);
	snprintf(state, sizeof(state), RUN_DIR_FMT "/%u.%u.%u",
		 (unsigned)getuid(), job, step, task);
	for (int i = 0; i < CT_OPT_COUNT; i++)
		if (o->set[i] &&
		    set(sp, env[i], i == CT_OPT_REMAP_ROOT ? "1" : o->v[i]))
			return -1;
	if (set(sp, "_CARBON_CT_ARGV0", argv[0]) ||
	    set(sp, "_CARBON_CT_STATE", state) ||
	    set(sp, "_CARBON_CT_INIT", init) ||
	    (step == SLURM_BATCH_SCRIPT &&
	     set(sp, "_CARBON_CT_SCRIPT", argv[0])))
		return -1;
	/* this task's copy of the step's argv: the process execs it next */
	argv[0] = strdup(path);
	return argv[0] ? 0 : -1;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

/* In a child, as the job's user: remove the step's task directories. */
static void remove_step_dirs(uid_t uid, gid_t gid, uint32_t job, uint32_t step)
{
	char dir[128], prefix[64], path[512];
	struct dirent *e;
	DIR *d;
	int bad = 0;

	if (setgroups(0, NULL) || setgid(gid) || setuid(uid))
		_exit(2);
	snprintf(dir, sizeof(dir), RUN_DIR_FMT, (unsigned)uid);
	snprintf(prefix, sizeof(prefix), "%u.%u.", job, step);
	if (!(d = opendir(dir)))
		_exit(0);
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix))) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			bad |= nftw(path, remove_one, 8, FTW_DEPTH | FTW_PHYS);
		}
	closedir(d);
	_exit(bad ? 1 : 0);
}

int carbon_spank_task_exit(spank_t sp)
{
	const struct carbon_container_opts *o = carbon_spank_container_values();
	uint32_t job = 0, step = 0;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int status = 0;

	if (!o->set[CT_OPT_IMAGE] ||
	    spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_GID, &gid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS)
		return 0;
	pid = fork();
	if (pid == 0)
		remove_step_dirs(uid, gid, job, step);
	if (pid < 0) {
		slurm_error("spank/carbon: cannot clean up after the container "
			    "tasks of %u.%u: fork: %m",
			    job, step);
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		slurm_error(
			"spank/carbon: could not remove every run directory "
			"of %u.%u in " RUN_DIR_FMT,
			job, step, (unsigned)uid);
	return 0;
}
