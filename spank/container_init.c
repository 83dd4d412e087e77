/*
 * carbon-container-init UID GID -- PROGRAM [ARG...]
 *
 * The first process of a container task.  runc runs rootless (as the job's
 * user), and in a user namespace it can map only that user's uid, to root:
 * it needs the container's root mapped.  So the task would see itself as
 * root.  This program, bind-mounted read-only into the container, moves
 * into a second, nested user namespace where the outer root (the job's
 * user on the host) is UID and GID again, and execs the task: inside, `id`
 * says the job's user; files it writes on mounted directories belong to the
 * job's user on the host; it has no capabilities, and no_new_privs (set by
 * runc) keeps a setuid binary from gaining any.
 *
 * Mapping the outer root needs CAP_SETFCAP in the outer namespace when the
 * nested one is made (Linux 5.12+), so runc gives this process that one
 * capability, in the container's user namespace only; it is dropped here
 * before the task runs.
 *
 * When the runtime that started it dies, the task is killed (a parent-death
 * signal), so that a killed slurmstepd leaves no container running.
 *
 * Static, no allocation; errors go to stderr, exit 127 (like a shell's
 * command not found) or 126 for a program that cannot be run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int fail(const char *what, const char *arg)
{
	fprintf(stderr, "carbon-container-init: %s%s%s: %s\n", what,
		arg ? " " : "", arg ? arg : "", strerror(errno));
	return 127;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t len = strlen(text);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

static int id_of(const char *s, unsigned long *id)
{
	char *end;

	errno = 0;
	*id = strtoul(s, &end, 10);
	return !errno && end != s && !*end && *id < 4294967295UL ? 0 : -1;
}

/* No capability left, none to gain back (no_new_privs is runc's). */
static int drop_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	memset(d, 0, sizeof(d));
	(void)prctl(PR_CAPBSET_DROP, CAP_SETFCAP, 0, 0, 0);
	return (int)syscall(SYS_capset, &h, d);
}

int main(int argc, char **argv)
{
	unsigned long uid, gid;
	char map[64];

	if (argc < 5 || strcmp(argv[3], "--") || id_of(argv[1], &uid) ||
	    id_of(argv[2], &gid)) {
		fprintf(stderr, "usage: carbon-container-init UID GID -- "
				"PROGRAM [ARG...]\n");
		return 127;
	}
	if (getuid() != uid || getgid() != gid) {
		if (unshare(CLONE_NEWUSER))
			return fail("cannot make a user namespace", NULL);
		snprintf(map, sizeof(map), "%lu 0 1\n", uid);
		if (write_file("/proc/self/uid_map", map))
			return fail("cannot map uid", argv[1]);
		if (write_file("/proc/self/setgroups", "deny\n"))
			return fail("cannot write", "/proc/self/setgroups");
		snprintf(map, sizeof(map), "%lu 0 1\n", gid);
		if (write_file("/proc/self/gid_map", map))
			return fail("cannot map gid", argv[2]);
	}
	if (drop_caps())
		return fail("cannot drop capabilities", NULL);
	/* the runtime is this task's parent: if it is killed (with the
	 * slurmstepd that runs it), so is the task; set last, as a change of
	 * credentials (the user namespace) clears it */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	execvp(argv[4], argv + 4);
	fail("cannot run", argv[4]);
	return errno == ENOENT ? 127 : 126;
}
