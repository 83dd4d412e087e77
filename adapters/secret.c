/*
 * Reading secret files; the rules are in secret.h.  The mode is checked on
 * the open descriptor (fstat), so the file checked is the file read.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbon/error.h"
#include "secret.h"

#define ACCEPTED                                                            \
	"accepted: owned by root or the reader, mode 0600, or 0640 with a " \
	"group the reader is in (e.g. root:carbon-secrets 0640)"

void carbon_secret_wipe(void *buf, size_t len)
{
	volatile unsigned char *p = buf;

	while (len--)
		*p++ = 0;
}

void carbon_secret_reader_self(struct carbon_secret_reader *who)
{
	int n;

	memset(who, 0, sizeof(*who));
	who->uid = geteuid();
	who->gid = getegid();
	n = getgroups(CARBON_SECRET_GROUPS_MAX, who->groups);
	/* more groups than we look at: the effective gid still counts */
	who->n_groups = n > 0 ? (size_t)n : 0;
}

/* "name (uid N)", or "uid N" when the name is unknown. */
static void user_name(uid_t uid, char *out, size_t len)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (!getpwuid_r(uid, &pw, buf, sizeof(buf), &res) && res)
		snprintf(out, len, "%s (uid %u)", res->pw_name, (unsigned)uid);
	else
		snprintf(out, len, "uid %u", (unsigned)uid);
}

static void group_name(gid_t gid, char *out, size_t len)
{
	struct group gr, *res = NULL;
	char buf[1024];

	if (!getgrgid_r(gid, &gr, buf, sizeof(buf), &res) && res)
		snprintf(out, len, "%s (gid %u)", res->gr_name, (unsigned)gid);
	else
		snprintf(out, len, "gid %u", (unsigned)gid);
}

static bool in_groups(const struct carbon_secret_reader *who, gid_t gid)
{
	if (who->gid == gid)
		return true;
	for (size_t i = 0; i < who->n_groups && i < CARBON_SECRET_GROUPS_MAX;
	     i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

/* What is wrong with st for who, or NULL when it is accepted. */
static const char *problem(const struct stat *st,
			   const struct carbon_secret_reader *who)
{
	if (st->st_mode & S_IRWXO)
		return "others may access it";
	if (st->st_mode & S_IWGRP)
		return "its group may write it";
	if (st->st_uid != 0 && st->st_uid != who->uid)
		return "it is owned by neither root nor the reader";
	if ((st->st_mode & S_IRGRP) && !in_groups(who, st->st_gid))
		return "it is group-readable and the reader is not in its "
		       "group";
	return NULL;
}

int carbon_secret_check(const struct stat *st,
			const struct carbon_secret_reader *who,
			const char *path, char *err, size_t errlen)
{
	char owner[96], group[96], reader[96];
	const char *why;

	if (!S_ISREG(st->st_mode))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: not a regular file",
					path);
	why = problem(st, who);
	if (!why)
		return 0;
	user_name(st->st_uid, owner, sizeof(owner));
	group_name(st->st_gid, group, sizeof(group));
	user_name(who->uid, reader, sizeof(reader));
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"secret file %s: mode %04o, owner %s, group "
				"%s: %s (reader: %s); " ACCEPTED,
				path, (unsigned)(st->st_mode & 07777), owner,
				group, why, reader);
}

static int read_all(int fd, const char *path, char *buf, size_t bufsize,
		    size_t *len, char *err, size_t errlen)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, bufsize - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"secret file %s: %s", path,
						strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == bufsize - 1)
			return carbon_error_set(err, errlen, CARBON_ETOOLONG,
						"secret file %s: longer than "
						"%zu bytes",
						path, bufsize - 2);
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if (!n)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: empty", path);
	*len = n;
	return 0;
}

int carbon_secret_read(const char *path, char *buf, size_t bufsize, size_t *len,
		       char *err, size_t errlen)
{
	struct carbon_secret_reader who;
	struct stat st;
	int fd, rc;

	if (!path || !buf || bufsize < 2 || !len)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file: bad arguments");
	if (bufsize > CARBON_SECRET_MAX + 1)
		bufsize = CARBON_SECRET_MAX + 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		char reader[96];

		rc = errno;
		user_name(geteuid(), reader, sizeof(reader));
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: %s (reader: %s)", path,
					strerror(rc), reader);
	}
	carbon_secret_reader_self(&who);
	if (fstat(fd, &st))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "secret file %s: %s", path,
				      strerror(errno));
	else
		rc = carbon_secret_check(&st, &who, path, err, errlen);
	if (!rc)
		rc = read_all(fd, path, buf, bufsize, len, err, errlen);
	close(fd);
	if (rc)
		carbon_secret_wipe(buf, bufsize);
	return rc;
}
