/*
 * carbon-container run [OPTIONS] IMAGE -- PROGRAM [ARG...]
 *
 * One container task (container.h says why it is a program of its own).
 * Run by the SPANK plugin in place of a task's program, it finds what to
 * run in the task's environment instead (_CARBON_CT_*, task.c).
 * Exit status: the task's, once the runtime runs; 125 when the container
 * could not be made (the reason on stderr, which is the job's).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"

#define EXIT_SETUP 125

static void usage(FILE *f)
{
	fprintf(f,
		"usage: carbon-container run [OPTIONS] IMAGE -- PROGRAM "
		"[ARG...]\n"
		"Run PROGRAM in IMAGE with rootless runc, as the calling "
		"user.\n"
		"  --cache DIR        the image cache (default "
		"$XDG_CACHE_HOME/carbon-containers or ~/.cache/...)\n"
		"  --state DIR        this task's bundle and runtime state "
		"(required; removed by the caller)\n"
		"  --env LIST         NAME[=VALUE][,...] over the image's "
		"environment\n"
		"  --mounts LIST      SRC:DST[:ro|rw][,...]\n"
		"  --workdir DIR      the working directory inside (default: "
		"the current one, mounted)\n"
		"  --remap-root       be root inside (powerless) instead of "
		"yourself\n"
		"  --runtime PATH     the OCI runtime (default runc)\n"
		"  --init PATH        carbon-container-init\n"
		"IMAGE: %s.\n",
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

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s/carbon-containers", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, len, "%s/.cache/carbon-containers", home);
	else
		return NULL;
	return buf;
}

static int parse(int argc, char **argv, struct ct_task *t, char *err,
		 size_t errlen)
{
	static const struct option opts[] = {
		{"cache", required_argument, 0, 'c'},
		{"state", required_argument, 0, 's'},
		{"env", required_argument, 0, 'e'},
		{"mounts", required_argument, 0, 'm'},
		{"workdir", required_argument, 0, 'w'},
		{"remap-root", no_argument, 0, 'r'},
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
		case 'r':
			t->remap_root = true;
			break;
		case 'R':
			t->runtime = optarg;
			break;
		case 'i':
			t->init = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
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
	char *argv0 = getenv("_CARBON_CT_ARGV0");

	if (!image)
		return 1;
	t->env = getenv("_CARBON_CT_ENV");
	t->mounts = getenv("_CARBON_CT_MOUNTS");
	t->workdir = getenv("_CARBON_CT_WORKDIR");
	t->remap_root = getenv("_CARBON_CT_REMAP_ROOT") != NULL;
	t->state = getenv("_CARBON_CT_STATE");
	t->init = getenv("_CARBON_CT_INIT");
	t->script = getenv("_CARBON_CT_SCRIPT");
	if (!argv0 || !t->state || !t->init || argc < 1)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"the task's set-up is incomplete");
	/* the task's own program, with its arguments */
	argv[0] = argv0;
	t->argv = argv;
	return carbon_container_image_parse(image, "--container-image",
					    &t->image, err, errlen);
}

/* The task's directory: its parent private to this user, made if needed
 * (in /tmp anyone could have made it first). */
static int state_parent_ok(const char *state, char *err, size_t errlen)
{
	char parent[4096];
	const char *slash = strrchr(state, '/');
	struct stat st;

	if (!slash || slash == state)
		return 0;
	snprintf(parent, sizeof(parent), "%.*s", (int)(slash - state), state);
	if (mkdir(parent, 0700) && errno != EEXIST)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot make %s: %s", parent,
					strerror(errno));
	if (lstat(parent, &st) || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 077))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"%s is not a directory of yours alone",
					parent);
	return 0;
}

int main(int argc, char **argv)
{
	struct ct_task t = {
		.runtime = "runc",
		.init = "/usr/libexec/carbon/carbon-container-init"};
	char err[1024], cache[4096], image_dir[4200], root[4200];

	t.uid = getuid();
	t.gid = getgid();
	switch (from_task(argc, argv, &t, err, sizeof(err))) {
	case 0:
		goto run;
	case 1:
		break;
	default:
		return die(err);
	}
	if (argc < 2 || strcmp(argv[1], "run")) {
		usage(argc > 1 && !strcmp(argv[1], "--help") ? stdout : stderr);
		return argc > 1 && !strcmp(argv[1], "--help") ? 0 : EXIT_SETUP;
	}
	if (parse(argc - 1, argv + 1, &t, err, sizeof(err)))
		return die(err);
run:
	if (!t.cache && !(t.cache = default_cache(cache, sizeof(cache))))
		return die("no --cache and no HOME to put one in");
	if (state_parent_ok(t.state, err, sizeof(err)) ||
	    ct_image_bundle(&t, image_dir, sizeof(image_dir), err,
			    sizeof(err)) ||
	    ct_bundle_write(&t, image_dir, err, sizeof(err)))
		return die(err);
	snprintf(root, sizeof(root), "%s/runtime", t.state);
	execlp(t.runtime, t.runtime, "--root", root, "run", "--bundle", t.state,
	       "task", (char *)NULL);
	snprintf(err, sizeof(err), "cannot run %s", t.runtime);
	perror(err);
	return EXIT_SETUP;
}
