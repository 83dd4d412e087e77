/*
 * Task run directories: STATE (the task's config.json and the runtime's
 * state) lives in a parent private to the user, /tmp/carbon-container.UID
 * for Slurm's tasks.  A task holds an exclusive flock(2) on STATE's marker
 * file for as long as it runs: the descriptor is inherited by the runtime,
 * which stays the container's parent, so the lock is free exactly when no
 * process of the task is left.  A sweep removes every run directory whose
 * lock it can take: after the step's end (slurm_spank_exit), and before
 * each task starts, which also clears what a killed slurmstepd left.
 *
 * A shared lock on the parent's ".lock" covers making a directory and
 * taking its lock; the sweep takes it exclusively, so it never sees a
 * directory between the two.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"

#define MARKER ".carbon-container-run"

static int parent_of(const char *state, char *parent, size_t len)
{
	const char *slash = strrchr(state, '/');

	if (!slash || slash == state)
		return -1;
	snprintf(parent, len, "%.*s", (int)(slash - state), state);
	return 0;
}

/* The parent, made if needed and checked to be the user's alone (in /tmp
 * anyone could have made it first); its lock taken as op. */
static int parent_lock(const char *parent, int op, char *err, size_t errlen)
{
	char lock[4200];
	struct stat st;
	int fd;

	if (mkdir(parent, 0700) && errno != EEXIST)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot make %s: %s", parent,
					strerror(errno));
	if (lstat(parent, &st) || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 077))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s is not a directory of yours alone",
					parent);
	snprintf(lock, sizeof(lock), "%s/.lock", parent);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, op)) {
		int rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					  "cannot lock %s: %s", lock,
					  strerror(errno));

		if (fd >= 0)
			close(fd);
		return rc;
	}
	return fd;
}

int ct_rundir_claim(const char *state, char *err, size_t errlen)
{
	char parent[4096], marker[4200];
	int pfd, fd, rc;

	if (parent_of(state, parent, sizeof(parent)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"--state %s has no parent directory",
					state);
	if ((pfd = parent_lock(parent, LOCK_SH, err, errlen)) < 0)
		return -1;
	snprintf(marker, sizeof(marker), "%s/" MARKER, state);
	if (mkdir(state, 0700) && errno != EEXIST) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "cannot make %s: %s", state,
				      strerror(errno));
		close(pfd);
		return rc;
	}
	/* not O_CLOEXEC: the runtime, exec'd next, holds it */
	fd = open(marker, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
		rc = carbon_error_set(
			err, errlen, CARBON_EINVAL, "%s: %s", state,
			fd < 0 ? strerror(errno) : "in use by another task");
		if (fd >= 0)
			close(fd);
		close(pfd);
		return rc;
	}
	close(pfd);
	return fd;
}

/* Remove one run directory whose lock this process holds: first whatever
 * the runtime left (a runtime killed with its container keeps its state;
 * `delete --force` also kills a process still there), then the files. */
static int remove_run(const char *path, const char *runtime)
{
	char root[4400], task[4500];
	const char *del[] = {runtime,	"--root", root, "delete",
			     "--force", "task",	  NULL};
	char why[256];

	snprintf(root, sizeof(root), "%s/runtime", path);
	snprintf(task, sizeof(task), "%s/task", root);
	if (!access(task, F_OK))
		(void)ct_spawn(del, NULL, 0, why, sizeof(why));
	return ct_remove_tree(path);
}

int ct_rundir_sweep(const char *parent, const char *runtime, char *err,
		    size_t errlen)
{
	char path[4200], marker[4300];
	struct dirent *e;
	int pfd, removed = 0, failed = 0;
	DIR *d;

	if ((pfd = parent_lock(parent, LOCK_EX, err, errlen)) < 0)
		return -1;
	if (!(d = opendir(parent))) {
		int rc = carbon_error_set(err, errlen, CARBON_EINVAL,
					  "cannot read %s: %s", parent,
					  strerror(errno));

		close(pfd);
		return rc;
	}
	while ((e = readdir(d))) {
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		snprintf(marker, sizeof(marker), "%s/" MARKER, path);
		/* only run directories: nothing else a user keeps there */
		fd = open(marker, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!flock(fd, LOCK_EX | LOCK_NB)) {
			if (remove_run(path, runtime))
				failed++;
			else
				removed++;
		}
		close(fd);
	}
	closedir(d);
	close(pfd);
	if (failed)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"could not remove %d run "
					"director%s in %s",
					failed, failed == 1 ? "y" : "ies",
					parent);
	return removed;
}
