/*
 * Reading secret files; the rules are in secret.h.  The mode is checked on
 * the open descriptor (fstat), so the file checked is the file read.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carbon/error.h"
#include "secret.h"

void carbon_secret_wipe(void *buf, size_t len)
{
	volatile unsigned char *p = buf;

	while (len--)
		*p++ = 0;
}

static int check_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: %s", path,
					strerror(errno));
	if (!S_ISREG(st.st_mode))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: not a regular file",
					path);
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: mode %04o lets others "
					"read it; chmod 600 %s",
					path, (unsigned)(st.st_mode & 07777),
					path);
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: owned by uid %u, not "
					"by root or this user",
					path, (unsigned)st.st_uid);
	return 0;
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
	int fd, rc;

	if (!path || !buf || bufsize < 2 || !len)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file: bad arguments");
	if (bufsize > CARBON_SECRET_MAX + 1)
		bufsize = CARBON_SECRET_MAX + 1;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"secret file %s: %s", path,
					strerror(errno));
	rc = check_file(fd, path, err, errlen);
	if (!rc)
		rc = read_all(fd, path, buf, bufsize, len, err, errlen);
	close(fd);
	if (rc)
		carbon_secret_wipe(buf, bufsize);
	return rc;
}
