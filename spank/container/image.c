/*
 * The per-user image cache: one unpacked bundle per manifest digest, so two
 * tags of one image share it and a moved tag is fetched again.  Cold starts
 * of one image on a node serialise on a lock file and fetch it once; the
 * lock is flock(2), so a task killed while fetching leaves no stale lock,
 * and a half-made entry is a ".tmp" directory the next fetch replaces.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

int ct_spawn(const char *const argv[], char *out, size_t outlen, char *err,
	     size_t errlen)
{
	/* exec's prototype predates const; the strings are not written */
	union {
		const char *const *c;
		char *const *m;
	} args = {.c = argv};
	int fd[2], status;
	size_t n = 0;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC))
		return carbon_error_set(err, errlen, CARBON_EINVAL, "pipe: %s",
					strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return carbon_error_set(err, errlen, CARBON_EINVAL, "fork: %s",
					strerror(errno));
	}
	if (!pid) {
		if (out)
			dup2(fd[1], STDOUT_FILENO);
		else
			dup2(STDERR_FILENO, STDOUT_FILENO);
		execvp(args.m[0], args.m);
		fprintf(stderr, "carbon-container: cannot run %s: %s\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	close(fd[1]);
	for (;;) {
		char buf[512];
		ssize_t r = read(fd[0], buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; out && i < r && n + 1 < outlen; i++)
			out[n++] = buf[i];
	}
	close(fd[0]);
	if (out && outlen)
		out[n] = '\0';
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return carbon_error_set(err, errlen, CARBON_EINVAL,
						"waitpid: %s", strerror(errno));
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return carbon_error_set(err, errlen, CARBON_EINVAL,
				"%s killed by signal %d", argv[0],
				WTERMSIG(status));
}

static int unlink_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

static int remove_tree(const char *dir)
{
	if (access(dir, F_OK))
		return 0;
	return nftw(dir, unlink_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p, each new directory private to the user. */
static int make_dirs(const char *path)
{
	char p[4096];
	size_t n = strlen(path);

	if (n >= sizeof(p))
		return errno = ENAMETOOLONG, -1;
	memcpy(p, path, n + 1);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0700) && errno != EEXIST)
			return -1;
		if (!(*s = c))
			return 0;
	}
}

/* The manifest digest of the image, "sha256:<64 hex>". */
static int digest_of(const struct ct_task *t, char *digest, size_t len,
		     char *err, size_t errlen)
{
	const char *argv[] = {"skopeo",	     "inspect",		 "--format",
			      "{{.Digest}}", t->image.canonical, NULL};
	char out[256], why[256] = "";
	int rc;

	if (t->image.digest[0]) {
		snprintf(digest, len, "%s", t->image.digest);
		return 0;
	}
	rc = ct_spawn(argv, out, sizeof(out), why, sizeof(why));
	out[strcspn(out, "\n")] = '\0';
	if (rc || strncmp(out, "sha256:", 7) || strlen(out) != 71 ||
	    strspn(out + 7, "0123456789abcdef") != 64)
		return carbon_error_set(
			err, errlen, CARBON_EINVAL,
			"cannot find image %s (skopeo inspect: "
			"%s)",
			t->image.canonical,
			rc ? (why[0] ? why : "failed, see above")
			   : "no digest");
	snprintf(digest, len, "%s", out);
	return 0;
}

/* Fetch and unpack into dir, under the lock (the caller holds it). */
static int fetch(const struct ct_task *t, const char *dir, char *err,
		 size_t errlen)
{
	char tmp[4096], dest[4200], image[4200], bundle[4200], why[256] = "";
	const char *copy[] = {"skopeo",		  "copy", "--quiet",
			      t->image.canonical, dest,	  NULL};
	const char *unpack[] = {"umoci", "unpack", "--rootless", "--image",
				image,	 bundle,   NULL};
	char umoci_said[512];

	snprintf(tmp, sizeof(tmp), "%s.tmp", dir);
	snprintf(dest, sizeof(dest), "oci:%s/layout:img", tmp);
	snprintf(image, sizeof(image), "%s/layout:img", tmp);
	snprintf(bundle, sizeof(bundle), "%s/bundle", tmp);
	if (remove_tree(tmp) || mkdir(tmp, 0700))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot make %s: %s", tmp,
					strerror(errno));
	if (ct_spawn(copy, NULL, 0, why, sizeof(why)))
		return carbon_error_set(
			err, errlen, CARBON_EINVAL, "cannot fetch image %s%s%s",
			t->image.canonical, why[0] ? ": " : "", why);
	/* umoci's stdout lists what it unpacked: not the task's output */
	if (ct_spawn(unpack, umoci_said, sizeof(umoci_said), why, sizeof(why)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot unpack image %s%s%s",
					t->image.canonical, why[0] ? ": " : "",
					why);
	snprintf(image, sizeof(image), "%s/layout", tmp);
	if (remove_tree(image) || rename(tmp, dir))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot keep %s in the cache: %s",
					t->image.canonical, strerror(errno));
	return 0;
}

int ct_image_bundle(const struct ct_task *t, char *dir, size_t len, char *err,
		    size_t errlen)
{
	char digest[80], lock[4200], config[4200];
	int fd, rc = 0;

	if (digest_of(t, digest, sizeof(digest), err, errlen))
		return -1;
	if (make_dirs(t->cache))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot make the image cache %s: "
					"%s",
					t->cache, strerror(errno));
	snprintf(dir, len, "%s/sha256-%s", t->cache, digest + 7);
	snprintf(config, sizeof(config), "%s/bundle/config.json", dir);
	if (!access(config, R_OK))
		goto used;
	snprintf(lock, sizeof(lock), "%s.lock", dir);
	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "cannot lock %s: %s", lock,
				      strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* another task may have fetched it while this one waited */
	if (access(config, R_OK))
		rc = fetch(t, dir, err, errlen);
	close(fd);
	if (rc)
		return -1;
used:
	/* the directory's mtime says when it was last used (eviction) */
	(void)utimensat(AT_FDCWD, dir, NULL, 0);
	return 0;
}
