/*
 * The per-user image cache: one unpacked bundle per manifest digest, so two
 * tags of one image share it and a moved tag is fetched again.  Cold starts
 * of one image on a node serialise on a lock file and fetch it once; the
 * lock is flock(2), so a task killed while fetching leaves no stale lock,
 * and a half-made entry is a ".tmp" directory the next fetch replaces.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container.h"

extern char **environ;

int ct_spawn(const char *const argv[], char *out, size_t outlen, char *err,
	     size_t errlen)
{
	/* posix_spawn's prototype predates const; the strings are not
	 * written */
	union {
		const char *const *c;
		char *const *m;
	} args = {.c = argv};
	posix_spawn_file_actions_t fa;
	int fd[2], status, rc;
	size_t n = 0;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC))
		return carbon_error_set(err, errlen, CARBON_EINVAL, "pipe: %s",
					strerror(errno));
	/* the helper's stdout: into out, or onto stderr (the job's) */
	rc = posix_spawn_file_actions_init(&fa);
	if (!rc)
		rc = posix_spawn_file_actions_adddup2(
			&fa, out ? fd[1] : STDERR_FILENO, STDOUT_FILENO);
	if (!rc)
		rc = posix_spawnp(&pid, argv[0], &fa, NULL, args.m, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc) {
		close(fd[0]);
		close(fd[1]);
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot run %s: %s", argv[0],
					strerror(rc));
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

int ct_remove_tree(const char *dir)
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

/* Where the image is fetched from: a Docker Hub reference goes to the
 * site's mirror when there is one. */
static const char *source_of(const struct ct_task *t, char *buf, size_t len)
{
	static const char hub[] = "docker://docker.io/";

	if (!t->mirror || strncmp(t->image.canonical, hub, sizeof(hub) - 1))
		return t->image.canonical;
	snprintf(buf, len, "docker://%s/%s", t->mirror,
		 t->image.canonical + sizeof(hub) - 1);
	return buf;
}

/* skopeo's argv: verb, then --authfile when the user has credentials. */
static void skopeo_argv(const struct ct_task *t, const char **argv,
			const char *verb)
{
	int n = 0;

	argv[n++] = "skopeo";
	argv[n++] = verb;
	if (t->authfile) {
		argv[n++] = "--authfile";
		argv[n++] = t->authfile;
	}
	argv[n] = NULL;
}

/* The manifest digest of the image, "sha256:<64 hex>". */
static int digest_of(const struct ct_task *t, char *digest, size_t len,
		     char *err, size_t errlen)
{
	const char *argv[10];
	char out[256], why[256] = "", src[4200];
	int rc, n;

	if (t->image.digest[0]) {
		snprintf(digest, len, "%s", t->image.digest);
		return 0;
	}
	skopeo_argv(t, argv, "inspect");
	for (n = 0; argv[n]; n++)
		;
	argv[n++] = "--format";
	argv[n++] = "{{.Digest}}";
	argv[n++] = source_of(t, src, sizeof(src));
	argv[n] = NULL;
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
	char src[4200];
	const char *copy[10];
	const char *unpack[] = {"umoci", "unpack", "--rootless", "--image",
				image,	 bundle,   NULL};
	char umoci_said[512];

	int n;

	skopeo_argv(t, copy, "copy");
	for (n = 0; copy[n]; n++)
		;
	copy[n++] = "--quiet";
	copy[n++] = source_of(t, src, sizeof(src));
	copy[n++] = dest;
	copy[n] = NULL;
	snprintf(tmp, sizeof(tmp), "%s.tmp", dir);
	snprintf(dest, sizeof(dest), "oci:%s/layout:img", tmp);
	snprintf(image, sizeof(image), "%s/layout:img", tmp);
	snprintf(bundle, sizeof(bundle), "%s/bundle", tmp);
	if (ct_remove_tree(tmp) || mkdir(tmp, 0700))
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
	if (ct_remove_tree(image) || rename(tmp, dir))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot keep %s in the cache: %s",
					t->image.canonical, strerror(errno));
	return 0;
}

static uint64_t tree_bytes;

static int add_size(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)path;
	(void)flag;
	(void)ftw;
	tree_bytes += (uint64_t)st->st_blocks * 512;
	return 0;
}

/* The bytes an image takes, kept next to it when it is fetched (so that
 * eviction does not walk every image each start). */
static uint64_t image_bytes(const char *dir, bool measure)
{
	char file[4200];
	unsigned long long v = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s.size", dir);
	if (!measure && (f = fopen(file, "re"))) {
		int ok = fscanf(f, "%llu", &v) == 1;

		fclose(f);
		if (ok)
			return v;
	}
	tree_bytes = 0;
	if (nftw(dir, add_size, 16, FTW_PHYS))
		return 0;
	if ((f = fopen(file, "we"))) {
		fprintf(f, "%llu\n", (unsigned long long)tree_bytes);
		fclose(f);
	}
	return tree_bytes;
}

struct cached {
	char name[80];
	struct timespec used;
	uint64_t bytes;
};

static int older_first(const void *a, const void *b)
{
	const struct cached *x = a, *y = b;

	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	return (x->used.tv_nsec > y->used.tv_nsec) -
	       (x->used.tv_nsec < y->used.tv_nsec);
}

void ct_cache_evict(const struct ct_task *t)
{
	struct cached *c = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *e;
	DIR *d;

	if (!t->cache_limit || !(d = opendir(t->cache)))
		return;
	while ((e = readdir(d))) {
		char path[4200];
		struct stat st;
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, "sha256-", 7) || len != 7 + 64)
			continue;
		snprintf(path, sizeof(path), "%s/%s", t->cache, e->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (n == cap) {
			struct cached *m = realloc(
				c, (cap = cap ? 2 * cap : 16) * sizeof(*c));
			if (!m)
				break;
			c = m;
		}
		snprintf(c[n].name, sizeof(c[n].name), "%s", e->d_name);
		c[n].used = st.st_mtim;
		c[n].bytes = image_bytes(path, false);
		total += c[n++].bytes;
	}
	closedir(d);
	qsort(c, n, sizeof(*c), older_first);
	for (size_t i = 0; i < n && total > t->cache_limit; i++) {
		char path[4200], lock[4300], size[4300];
		int fd;

		snprintf(path, sizeof(path), "%s/%s", t->cache, c[i].name);
		snprintf(lock, sizeof(lock), "%s.lock", path);
		snprintf(size, sizeof(size), "%s.size", path);
		/* the lock file stays: a task may have it open already */
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			continue;
		if (!flock(fd, LOCK_EX | LOCK_NB) && !ct_remove_tree(path)) {
			(void)unlink(size);
			total -= c[i].bytes;
			fprintf(stderr,
				"carbon-container: evicted %s (%llu MiB) from "
				"the image cache\n",
				c[i].name,
				(unsigned long long)(c[i].bytes >> 20));
		}
		close(fd);
	}
	free(c);
}

int ct_image_bundle(const struct ct_task *t, char *dir, size_t len, char *err,
		    size_t errlen)
{
	char digest[80], lock[4200], config[4200];
	int fd, rc;

	if (digest_of(t, digest, sizeof(digest), err, errlen))
		return -1;
	if (make_dirs(t->cache))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot make the image cache %s: "
					"%s",
					t->cache, strerror(errno));
	snprintf(dir, len, "%s/sha256-%s", t->cache, digest + 7);
	snprintf(config, sizeof(config), "%s/bundle/config.json", dir);
	snprintf(lock, sizeof(lock), "%s.lock", dir);
	/* Held shared for the task's life (not O_CLOEXEC: the runtime holds
	 * it), so that eviction leaves the image alone; exclusive to fetch. */
	fd = open(lock, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || flock(fd, LOCK_SH))
		goto no_lock;
	if (access(config, R_OK)) {
		rc = 0;
		if (flock(fd, LOCK_EX))
			goto no_lock;
		/* another task may have fetched it while this one waited */
		if (access(config, R_OK)) {
			rc = fetch(t, dir, err, errlen);
			if (!rc)
				(void)image_bytes(dir, true);
		}
		if (rc || flock(fd, LOCK_SH)) {
			close(fd);
			return rc ? -1
				  : carbon_error_set(err, errlen, CARBON_EINVAL,
						     "cannot lock %s: %s", lock,
						     strerror(errno));
		}
	}
	/* the directory's mtime says when it was last used (eviction) */
	(void)utimensat(AT_FDCWD, dir, NULL, 0);
	ct_cache_evict(t);
	return 0;
no_lock:
	rc = carbon_error_set(err, errlen, CARBON_EINVAL, "cannot lock %s: %s",
			      lock, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}
