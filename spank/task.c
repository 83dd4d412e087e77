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
#include <errno.h>
#include <spawn.h>
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
#define CARBON_LIBEXECDIR "/usr/libexec/slurm-carbon"
#endif

/* Where a task's bundle and runtime state live (carbon-container makes
 * the parent, private to the user). */
#define RUN_DIR_FMT "/tmp/carbon-container.%u"

/* plugstack.conf's arguments (carbon_spank_task_args) */
static struct {
	char libexec[1024];
	char runtime[1024];   /* the OCI runtime: runc, crun, a path */
	char cache[1024];     /* the image cache; %u: the user's uid */
	char cache_limit[32]; /* e.g. 20G */
	char mirror[256];     /* a registry host for Docker Hub images */
} conf = {.libexec = CARBON_LIBEXECDIR};

static int arg_path(const char *arg, const char *key, char *dst, size_t len)
{
	size_t k = strlen(key);

	if (strncmp(arg, key, k) || arg[k] != '=')
		return 0;
	arg += k + 1;
	if (arg[0] != '/' || strlen(arg) >= len) {
		slurm_error("spank/carbon: plugstack.conf argument %s=%s: use "
			    "%s=/ABSOLUTE/PATH (under %zu characters)",
			    key, arg, key, len);
		return -1;
	}
	snprintf(dst, len, "%s", arg);
	return 1;
}

int carbon_spank_task_args(int ac, char **av)
{
	for (int i = 0; i < ac; i++) {
		const char *a = av[i];
		unsigned long long bytes;
		char err[256];
		int rc;

		rc = arg_path(a, "libexec", conf.libexec, sizeof(conf.libexec));
		if (!rc)
			rc = arg_path(a, "cache", conf.cache,
				      sizeof(conf.cache));
		if (rc < 0)
			return -1;
		if (rc)
			continue;
		if (!strncmp(a, "runtime=", 8) && a[8] &&
		    strlen(a + 8) < sizeof(conf.runtime) &&
		    !strpbrk(a + 8, " \t")) {
			snprintf(conf.runtime, sizeof(conf.runtime), "%s",
				 a + 8);
			continue;
		}
		if (!strncmp(a, "cache_limit=", 12)) {
			if (carbon_container_size_parse(a + 12, "cache_limit",
							&bytes, err,
							sizeof(err))) {
				slurm_error("spank/carbon: plugstack.conf "
					    "argument %s",
					    err);
				return -1;
			}
			snprintf(conf.cache_limit, sizeof(conf.cache_limit),
				 "%s", a + 12);
			continue;
		}
		if (!strncmp(a, "mirror=", 7) && a[7] &&
		    strlen(a + 7) < sizeof(conf.mirror) &&
		    strspn(a + 7, "abcdefghijklmnopqrstuvwxyz"
				  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:/") ==
			    strlen(a + 7)) {
			snprintf(conf.mirror, sizeof(conf.mirror), "%s", a + 7);
			continue;
		}
		slurm_error(
			"spank/carbon: unknown or bad plugstack.conf "
			"argument \"%s\"; use libexec=/DIR, runtime=PROGRAM, "
			"cache=/DIR (%%u: the uid), cache_limit=SIZE (e.g. "
			"20G), mirror=HOST[:PORT]",
			a);
		return -1;
	}
	return 0;
}

/* conf.cache with %u replaced by the uid. */
static void cache_of(char *buf, size_t len, uid_t uid)
{
	size_t n = 0;

	for (const char *s = conf.cache; *s && n + 1 < len; s++) {
		if (s[0] == '%' && s[1] == 'u') {
			n += (size_t)snprintf(buf + n, len - n, "%u",
					      (unsigned)uid);
			s++;
			if (n >= len)
				n = len - 1;
		} else {
			buf[n++] = *s;
		}
	}
	buf[n] = '\0';
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
		[CT_OPT_WRITABLE] = "_CARBON_CT_WRITABLE",
	};
	const struct carbon_container_opts *o;
	uint32_t job = 0, step = 0, task = 0;
	char path[1100], state[256], init[1100], cache[1100];
	char **argv = NULL;
	int argc = 0;

	if (carbon_spank_container_remote_env(sp))
		return -1;
	o = carbon_spank_container_values();
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
	snprintf(path, sizeof(path), "%s/carbon-container", conf.libexec);
	snprintf(init, sizeof(init), "%s/carbon-container-init", conf.libexec);
	snprintf(state, sizeof(state), RUN_DIR_FMT "/%u.%u.%u",
		 (unsigned)getuid(), job, step, task);
	for (int i = 0; i < CT_OPT_COUNT; i++) {
		if (!o->set[i] || (carbon_ct_opt_is_flag(i) && !o->on[i]))
			continue;
		if (set(sp, env[i], carbon_ct_opt_is_flag(i) ? "1" : o->v[i]))
			return -1;
	}
	cache_of(cache, sizeof(cache), getuid());
	if (set(sp, "_CARBON_CT_ARGV0", argv[0]) ||
	    set(sp, "_CARBON_CT_STATE", state) ||
	    set(sp, "_CARBON_CT_INIT", init) ||
	    (conf.runtime[0] && set(sp, "_CARBON_CT_RUNTIME", conf.runtime)) ||
	    (cache[0] && set(sp, "_CARBON_CT_CACHE", cache)) ||
	    (conf.cache_limit[0] &&
	     set(sp, "_CARBON_CT_CACHE_LIMIT", conf.cache_limit)) ||
	    (conf.mirror[0] && set(sp, "_CARBON_CT_MIRROR", conf.mirror)) ||
	    (step == SLURM_BATCH_SCRIPT &&
	     set(sp, "_CARBON_CT_SCRIPT", argv[0])))
		return -1;
	/* this task's copy of the step's argv: the process execs it next */
	argv[0] = strdup(path);
	return argv[0] ? 0 : -1;
}

/*
 * At the step's end, in slurmstepd (root): `carbon-container clean` as the
 * job's user removes every run directory of the user that no task holds,
 * this step's and any a killed slurmstepd left.  Spawned through setpriv
 * (util-linux) so that no code runs in a forked copy of slurmstepd.
 */
int carbon_spank_task_exit(spank_t sp)
{
	const struct carbon_container_opts *o = carbon_spank_container_values();
	char prog[1100], ruid[32], rgid[32], rt[1100];
	const char *argv[10];
	const char *envp[] = {"PATH=/usr/local/bin:/usr/bin:/bin", NULL};
	/* posix_spawn's prototype predates const; the strings stay as they
	 * are */
	union {
		const char **c;
		char *const *m;
	} args = {.c = argv}, env = {.c = envp};
	uint32_t job = 0, step = 0;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	int status = 0, n = 0, rc;

	if (!o->set[CT_OPT_IMAGE] ||
	    spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_GID, &gid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS)
		return 0;
	snprintf(prog, sizeof(prog), "%s/carbon-container", conf.libexec);
	snprintf(ruid, sizeof(ruid), "--reuid=%u", (unsigned)uid);
	snprintf(rgid, sizeof(rgid), "--regid=%u", (unsigned)gid);
	snprintf(rt, sizeof(rt), "%s", conf.runtime[0] ? conf.runtime : "runc");
	argv[n++] = "setpriv";
	argv[n++] = ruid;
	argv[n++] = rgid;
	argv[n++] = "--clear-groups";
	argv[n++] = prog;
	argv[n++] = "clean";
	argv[n++] = "--runtime";
	argv[n++] = rt;
	argv[n] = NULL;
	rc = posix_spawn(&pid, "/usr/bin/setpriv", NULL, NULL, args.m, env.m);
	if (rc) {
		slurm_error("spank/carbon: cannot clean up after the container "
			    "tasks of %u.%u: setpriv: %s",
			    job, step, strerror(rc));
		return 0;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		slurm_error(
			"spank/carbon: could not remove every run directory "
			"of %u.%u in " RUN_DIR_FMT " (carbon-container clean: "
			"status %d)",
			job, step, (unsigned)uid, status);
	return 0;
}
