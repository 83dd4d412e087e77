/*
 * Unit tests for adapters/secret.c: the secret-file rules for two readers
 * (slurmctld as SlurmUser, carbon-cached as its own user) on real
 * temporary files.  Accepted: 0600 owned by the reader or root, 0640 whose
 * group the reader is in (effective or supplementary).  Refused, with the
 * path, mode, owner, group and what is accepted: world bits, group write,
 * a stranger's file, group-readable by a group the reader is not in, a
 * symlink, a directory; plus a missing, empty and oversize file.  The
 * cases that need other users (chown, a reader that drops to another uid
 * in a child) run only as root, and are skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "carbon/error.h"
#include "secret.h"

/* Ids no account on a test machine uses. */
#define OTHER_UID  4242
#define OTHER_GID  4343
#define READER_UID 4244
#define READER_GID 4245

struct fixture {
	char dir[64];
	char path[128];
};

static void write_secret(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	strcpy(fx->dir, "/tmp/test_secret.XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	/* readable by a dropped reader, as /etc/slurm is */
	assert_int_equal(chmod(fx->dir, 0755), 0);
	snprintf(fx->path, sizeof(fx->path), "%s/key", fx->dir);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char link[160];

	snprintf(link, sizeof(link), "%s/link", fx->dir);
	unlink(link);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static void need_root(void)
{
	if (geteuid() != 0)
		skip();
}

/* The rules for path's real file, read by who. */
static int check_as(const char *path, const struct carbon_secret_reader *who,
		    char *err, size_t errlen)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return carbon_secret_check(&st, who, path, err, errlen);
}

static struct carbon_secret_reader reader(uid_t uid, gid_t gid)
{
	struct carbon_secret_reader who = {.uid = uid, .gid = gid};

	return who;
}

static void test_owner_0600_read(void **state)
{
	struct fixture *fx = *state;
	char buf[64], err[512] = "";
	size_t len = 0;

	write_secret(fx->path, "k3y-value\r\n\n", 0600);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 0);
	assert_string_equal(buf, "k3y-value");
	assert_int_equal(len, 9);
	/* 0400 too */
	assert_int_equal(chmod(fx->path, 0400), 0);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 0);
}

static void test_world_readable_refused(void **state)
{
	struct fixture *fx = *state;
	char buf[64], err[512] = "";
	size_t len = 0;

	write_secret(fx->path, "k3y-value\n", 0644);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, fx->path));
	assert_non_null(strstr(err, "mode 0644"));
	assert_non_null(strstr(err, "others may access it"));
	assert_non_null(strstr(err, "accepted: "));
	assert_null(strstr(err, "k3y"));
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	/* world-writable only, too */
	assert_int_equal(chmod(fx->path, 0602), 0);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "mode 0602"));
}

static void test_group_writable_refused(void **state)
{
	struct fixture *fx = *state;
	struct carbon_secret_reader who = reader(geteuid(), getegid());
	char err[512] = "";

	/* even when the reader is in the group */
	write_secret(fx->path, "k\n", 0660);
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "mode 0660"));
	assert_non_null(strstr(err, "its group may write it"));
	assert_int_equal(chmod(fx->path, 0620), 0);
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)),
			 CARBON_EINVAL);
}

static void test_group_readable_own_group(void **state)
{
	struct fixture *fx = *state;
	char buf[64], err[512] = "";
	size_t len = 0;

	/* the file's group is the reader's effective group */
	write_secret(fx->path, "k3y\n", 0640);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 0);
	assert_string_equal(buf, "k3y");
}

static void test_group_readable_foreign_group(void **state)
{
	struct fixture *fx = *state;
	struct carbon_secret_reader who = reader(geteuid(), getegid() + 1000);
	char err[512] = "", mode_owner[64];

	write_secret(fx->path, "k3y\n", 0640);
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, fx->path));
	snprintf(mode_owner, sizeof(mode_owner), "mode 0640, owner ");
	assert_non_null(strstr(err, mode_owner));
	assert_non_null(strstr(err, "group-readable and the reader is not in "
				    "its group"));
	assert_non_null(strstr(err, "root:carbon-secrets 0640"));
	/* 0600 of the same file is fine for the same reader */
	assert_int_equal(chmod(fx->path, 0600), 0);
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)), 0);
}

static void test_group_readable_supplementary(void **state)
{
	struct fixture *fx = *state;
	struct stat st;
	struct carbon_secret_reader who;
	char err[512] = "";

	write_secret(fx->path, "k3y\n", 0440);
	assert_int_equal(stat(fx->path, &st), 0);
	who = reader(geteuid(), st.st_gid + 1);
	who.groups[0] = st.st_gid + 7;
	who.groups[1] = st.st_gid;
	who.n_groups = 2;
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)), 0);
	who.n_groups = 1;
	assert_int_equal(check_as(fx->path, &who, err, sizeof(err)),
			 CARBON_EINVAL);
}

static void test_stranger_owner_refused(void **state)
{
	struct fixture *fx = *state;
	char buf[64], err[512] = "";
	size_t len = 0;

	need_root();
	write_secret(fx->path, "k3y\n", 0600);
	assert_int_equal(chown(fx->path, OTHER_UID, OTHER_GID), 0);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "owner uid 4242, group gid 4343"));
	assert_non_null(strstr(err, "owned by neither root nor the reader"));
}

struct child_result {
	int rc;
	char buf[64];
	char err[512];
};

/*
 * Read path in a child that runs as uid/gid with groups (as slurmctld
 * under its SlurmUser would), and hand back what it got.
 */
static void read_as(const char *path, uid_t uid, gid_t gid, const gid_t *groups,
		    size_t n, struct child_result *out)
{
	int fds[2], status;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct child_result r = {0};
		size_t len = 0;

		close(fds[0]);
		if (setgroups(n, groups) || setresgid(gid, gid, gid) ||
		    setresuid(uid, uid, uid))
			_exit(3);
		r.rc = carbon_secret_read(path, r.buf, sizeof(r.buf), &len,
					  r.err, sizeof(r.err));
		if (write(fds[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(4);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], out, sizeof(*out)), sizeof(*out));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* The deployed model: root:carbon-secrets 0640, two readers in the group. */
static void test_shared_group_two_readers(void **state)
{
	struct fixture *fx = *state;
	const gid_t secrets = OTHER_GID, slurm_groups[] = {OTHER_GID};
	struct child_result r;

	need_root();
	write_secret(fx->path, "shared-k3y\n", 0640);
	assert_int_equal(chown(fx->path, 0, secrets), 0);
	/* "slurm" and "carbon": own primary groups, secrets supplementary */
	read_as(fx->path, READER_UID, READER_GID, slurm_groups, 1, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.buf, "shared-k3y");
	read_as(fx->path, READER_UID + 1, READER_GID + 1, slurm_groups, 1, &r);
	assert_int_equal(r.rc, 0);
	/* a reader outside the group cannot open it, and is told who it is */
	read_as(fx->path, READER_UID, READER_GID, NULL, 0, &r);
	assert_int_equal(r.rc, CARBON_EINVAL);
	assert_non_null(strstr(r.err, "Permission denied"));
	assert_non_null(strstr(r.err, "(reader: uid 4244)"));
}

/* Root's 0600 key is unreadable to slurmctld's user: a clear error. */
static void test_root_0600_other_reader(void **state)
{
	struct fixture *fx = *state;
	const gid_t groups[] = {OTHER_GID};
	struct child_result r;

	need_root();
	write_secret(fx->path, "k3y\n", 0600);
	assert_int_equal(chown(fx->path, 0, 0), 0);
	read_as(fx->path, READER_UID, READER_GID, groups, 1, &r);
	assert_int_equal(r.rc, CARBON_EINVAL);
	assert_non_null(strstr(r.err, fx->path));
	assert_non_null(strstr(r.err, "Permission denied"));
	/* owned by the reader itself with 0600: fine */
	assert_int_equal(chown(fx->path, READER_UID, READER_GID), 0);
	read_as(fx->path, READER_UID, READER_GID, groups, 1, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.buf, "k3y");
}

static void test_not_regular_refused(void **state)
{
	struct fixture *fx = *state;
	char buf[64], err[512] = "", link[160];
	size_t len = 0;

	write_secret(fx->path, "k3y\n", 0600);
	snprintf(link, sizeof(link), "%s/link", fx->dir);
	assert_int_equal(symlink(fx->path, link), 0);
	assert_int_equal(carbon_secret_read(link, buf, sizeof(buf), &len, err,
					    sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, link));
	assert_int_equal(carbon_secret_read(fx->dir, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "not a regular file"));
}

static void test_missing_empty_long(void **state)
{
	struct fixture *fx = *state;
	char buf[8], err[512] = "";
	size_t len = 0;

	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "No such file or directory"));
	write_secret(fx->path, "\n\n", 0600);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_EINVAL);
	assert_non_null(strstr(err, "empty"));
	write_secret(fx->path, "0123456789", 0600);
	assert_int_equal(carbon_secret_read(fx->path, buf, sizeof(buf), &len,
					    err, sizeof(err)),
			 CARBON_ETOOLONG);
	assert_non_null(strstr(err, "longer than 6 bytes"));
	assert_int_equal(carbon_secret_read(NULL, buf, sizeof(buf), &len, err,
					    sizeof(err)),
			 CARBON_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_owner_0600_read),
		T(test_world_readable_refused),
		T(test_group_writable_refused),
		T(test_group_readable_own_group),
		T(test_group_readable_foreign_group),
		T(test_group_readable_supplementary),
		T(test_stranger_owner_refused),
		T(test_shared_group_two_readers),
		T(test_root_0600_other_reader),
		T(test_not_regular_refused),
		T(test_missing_empty_long),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
