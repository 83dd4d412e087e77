/*
 * carbon-container run [OPTIONS] IMAGE -- PROGRAM [ARG...]
 * carbon-container clean [--dir DIR] [--runtime PATH]
 *
 * One container task (container.h says why it is a program of its own).
 * Run by the SPANK plugin in place of a task's program, it finds what to
 * run in the task's environment instead (_CARBON_CT_*, task.c).
 * Exit status: the task's, once the runtime runs; 125 when the container
 * could not be made (the reason on stderr, which is the job's).
 */
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"

#define EXIT_SETUP 125
#define HELP	   (-2)

static void usage(FILE *f)
{
	fprintf(f,
		"usage: carbon-container run [OPTIONS] IMAGE -- PROGRAM "
		"[ARG...]\n"
		"       carbon-container clean [--dir DIR] [--runtime PATH]\n"
		"run: PROGRAM in IMAGE with rootless runc, as the calling "
		"user.\n"
		"  --cache DIR        the image cache (default "
		"$XDG_CACHE_HOME/carbon-containers or ~/.cache/...)\n"
		"  --cache-limit SIZE evict least recently used images above "
		"SIZE (e.g. 20G)\n"
		"  --state DIR        this task's bundle and runtime state "
		"(required; its parent must be yours alone)\n"
		"  --env LIST         NAME[=VALUE][,...] over the image's "
		"environment\n"
		"  --mounts LIST      SRC:DST[:ro|rw][,...]\n"
		"  --workdir DIR      the working directory inside (default: "
		"the current one, mounted)\n"
		"  --writable         a private writable copy of the image's "
		"root\n"
		"  --remap-root       be root inside (powerless) instead of "
		"yourself\n"
		"  --mirror HOST      fetch Docker Hub images from this "
		"registry\n"
		"  --authfile FILE    registry credentials (default "
		"~/.config/containers/auth.json; mode 0600)\n"
		"  --runtime PATH     the OCI runtime (default runc)\n"
		"  --init PATH        carbon-container-init\n"
		"IMAGE: %s.\n"
		"clean: remove the run directories in DIR (default "
		"/tmp/carbon-container.UID) that no task holds.\n",
		CARBON_CONTAINER_IMAGE_FORMS);
}

static int die(const char *what)
{
	fprintf(stderr, "carbon-container: %s\n", what);
	return EXIT_SETUP;
}

static const char *default_cache(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct passwd *pw;

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/carbon-containers", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.cache/carbon-containers", home);
	else if ((pw = getpwuid(getuid())) && pw->pw_dir &&
		 pw->pw_dir[0] == '/')
		/* a job whose environment has no HOME (slurmrestd's) */
		snprintf(buf, len, "%s/.cache/carbon-containers", pw->pw_dir);
	else
		return NULL;
	return buf;
}

/* The user's registry credentials: the named file, or the default one if
 * it exists; either must be the user's and unreadable by others. */
static int authfile_of(struct ct_task *t, char *buf, size_t len, char *err,
		       size_t errlen)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	struct stat st;

	if (!t->authfile) {
		if (xdg && xdg[0] == '/')
			snprintf(buf, len, "%s/containers/auth.json", xdg);
		else if (home && home[0] == '/')
			snprintf(buf, len, "%s/.config/containers/auth.json",
				 home);
		else
			return 0;
		if (access(buf, F_OK))
			return 0;
		t->authfile = buf;
	}
	if (stat(t->authfile, &st))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"registry credentials %s: %s",
					t->authfile, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"registry credentials %s: mode %04o, "
					"owner %u; it must be a file of yours "
					"with mode 0600 (chmod 600 %s)",
					t->authfile,
					(unsigned)(st.st_mode & 07777),
					(unsigned)st.st_uid, t->authfile);
	return 0;
}

static int parse(int argc, char **argv, struct ct_task *t, char *err,
		 size_t errlen)
{
	static const struct option opts[] = {
		{"cache", required_argument, 0, 'c'},
		{"cache-limit", required_argument, 0, 'L'},
		{"state", required_argument, 0, 's'},
		{"env", required_argument, 0, 'e'},
		{"mounts", required_argument, 0, 'm'},
		{"workdir", required_argument, 0, 'w'},
		{"writable", no_argument, 0, 'W'},
		{"remap-root", no_argument, 0, 'r'},
		{"mirror", required_argument, 0, 'M'},
		{"authfile", required_argument, 0, 'a'},
		{"runtime", required_argument, 0, 'R'},
		{"init", required_argument, 0, 'i'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int o;

	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			t->cache = optarg;
			break;
		case 'L':
			if (carbon_container_size_parse(optarg, "--cache-limit",
							&t->cache_limit, err,
							errlen))
				return -1;
			break;
		case 's':
			t->state = optarg;
			break;
		case 'e':
			t->env = optarg;
			break;
		case 'm':
			t->mounts = optarg;
			break;
		case 'w':
			t->workdir = optarg;
			break;
		case 'W':
			t->writable = true;
			break;
		case 'r':
			t->remap_root = true;
			break;
		case 'M':
			t->mirror = optarg;
			break;
		case 'a':
			t->authfile = optarg;
			break;
		case 'R':
			t->runtime = optarg;
			break;
		case 'i':
			t->init = optarg;
			break;
		case 'h':
			return HELP;
		default:
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"bad option (see --help)");
		}
	}
	if (optind + 2 >= argc || strcmp(argv[optind + 1], "--"))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"need IMAGE -- PROGRAM (see --help)");
	if (!t->state || t->state[0] != '/')
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"--state needs an absolute directory");
	if (carbon_container_image_parse(argv[optind], "image", &t->image, err,
					 errlen) ||
	    (t->env && carbon_container_env_each(t->env, "--env", NULL, NULL,
						 err, errlen) < 0) ||
	    (t->mounts &&
	     carbon_container_mounts_each(t->mounts, "--mounts", NULL, NULL,
					  err, errlen) < 0) ||
	    (t->workdir && carbon_container_workdir_check(
				   t->workdir, "--workdir", err, errlen)))
		return -1;
	t->argv = argv + optind + 2;
	return 0;
}

/* The task the SPANK plugin set up (task.c); 1: none, run as a command. */
static int from_task(int argc, char **argv, struct ct_task *t, char *err,
		     size_t errlen)
{
	const char *image = getenv("_CARBON_CT_IMAGE");
	const char *limit = getenv("_CARBON_CT_CACHE_LIMIT");
	char *argv0 = getenv("_CARBON_CT_ARGV0");

	if (!image)
		return 1;
	t->env = getenv("_CARBON_CT_ENV");
	t->mounts = getenv("_CARBON_CT_MOUNTS");
	t->workdir = getenv("_CARBON_CT_WORKDIR");
	t->remap_root = getenv("_CARBON_CT_REMAP_ROOT") != NULL;
	t->writable = getenv("_CARBON_CT_WRITABLE") != NULL;
	t->state = getenv("_CARBON_CT_STATE");
	t->init = getenv("_CARBON_CT_INIT");
	t->script = getenv("_CARBON_CT_SCRIPT");
	t->cache = getenv("_CARBON_CT_CACHE");
	t->mirror = getenv("_CARBON_CT_MIRROR");
	if (getenv("_CARBON_CT_RUNTIME"))
		t->runtime = getenv("_CARBON_CT_RUNTIME");
	if (!argv0 || !t->state || !t->init || argc < 1)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"the task's set-up is incomplete");
	if (limit && carbon_container_size_parse(limit, "cache_limit",
						 &t->cache_limit, err, errlen))
		return -1;
	/* the task's own program, with its arguments */
	argv[0] = argv0;
	t->argv = argv;
	return carbon_container_image_parse(image, "--container-image",
					    &t->image, err, errlen);
}

static int clean(int argc, char **argv, const char *runtime)
{
	static const struct option opts[] = {
		{"dir", required_argument, 0, 'd'},
		{"runtime", required_argument, 0, 'R'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	char dir[64], err[1024];
	const char *where = NULL;
	int o, n;

	while ((o = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (o == 'd')
			where = optarg;
		else if (o == 'R')
			runtime = optarg;
		else if (o == 'h')
			return usage(stdout), 0;
		else
			return die("clean: bad option (see --help)");
	}
	if (optind != argc)
		return die("clean takes no arguments (see --help)");
	if (!where) {
		snprintf(dir, sizeof(dir), CT_RUN_DIR_FMT, (unsigned)getuid());
		if (access(dir, F_OK))
			return 0;
		where = dir;
	}
	n = ct_rundir_sweep(where, runtime, err, sizeof(err));
	return n < 0 ? die(err) : 0;
}

int main(int argc, char **argv)
{
	struct ct_task t = {
		.runtime = "runc",
		.init = "/usr/libexec/slurm-carbon/carbon-container-init"};
	char err[1024], cache[4096], image_dir[4200], root[4200], auth[4200];
	char parent[64];
	const char *base;
	int rc;

	t.uid = getuid();
	t.gid = getgid();
	switch (from_task(argc, argv, &t, err, sizeof(err))) {
	case 0:
		/* before this task: what killed tasks of this user left */
		snprintf(parent, sizeof(parent), CT_RUN_DIR_FMT,
			 (unsigned)t.uid);
		if (!access(parent, F_OK) &&
		    ct_rundir_sweep(parent, t.runtime, err, sizeof(err)) < 0)
			fprintf(stderr, "carbon-container: %s\n", err);
		goto run;
	case 1:
		break;
	default:
		return die(err);
	}
	if (argc > 1 && !strcmp(argv[1], "clean"))
		return clean(argc - 1, argv + 1, t.runtime);
	if (argc < 2 || strcmp(argv[1], "run")) {
		usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : EXIT_SETUP;
	}
	rc = parse(argc - 1, argv + 1, &t, err, sizeof(err));
	if (rc == HELP)
		return usage(stdout), 0;
	if (rc)
		return die(err);
run:
	if (!t.cache && !(t.cache = default_cache(cache, sizeof(cache))))
		return die("no --cache, and no home directory to put one in");
	if (authfile_of(&t, auth, sizeof(auth), err, sizeof(err)) ||
	    ct_rundir_claim(t.state, err, sizeof(err)) < 0 ||
	    ct_image_bundle(&t, image_dir, sizeof(image_dir), err,
			    sizeof(err)) ||
	    ct_bundle_write(&t, image_dir, err, sizeof(err)))
		return die(err);
	snprintf(root, sizeof(root), "%s/runtime", t.state);
	/* If slurmstepd dies (killed), the runtime dies with it, and the
	 * container's init (carbon-container-init, which asks the same of
	 * its parent) with all it runs; the next sweep clears the rest. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return die("the task's parent is gone");
	/* Slurm keeps the step's processes in its cgroup: the runtime makes
	 * none of its own (runc, rootless, skips them; crun must be told) */
	base = strrchr(t.runtime, '/');
	if (!strcmp(base ? base + 1 : t.runtime, "crun"))
		execlp(t.runtime, t.runtime, "--cgroup-manager=disabled",
		       "--root", root, "run", "--bundle", t.state, "task",
		       (char *)NULL);
	else
		execlp(t.runtime, t.runtime, "--root", root, "run", "--bundle",
		       t.state, "task", (char *)NULL);
	snprintf(err, sizeof(err), "cannot run %s", t.runtime);
	perror(err);
	return EXIT_SETUP;
}
