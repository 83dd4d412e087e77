/*
 * The task's bundle: the image's config.json (as umoci wrote it) made into
 * the task's.  Rootless runc maps the job's user to root; the init maps it
 * back (spank/container_init.c).  The root file system is the cached one,
 * read-only and shared; the job's working directory and the user's mounts
 * are bind mounts.  Environment: the image's, then --container-env, then
 * the task's SLURM_* variables.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container.h"

extern char **environ;

static json_object *strs(const char *const *v, size_t n)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static void bind(json_object *mounts, const char *src, const char *dst, bool ro)
{
	const char *opts[] = {"rbind", ro ? "ro" : "rw", "nosuid", "nodev"};
	json_object *m = json_object_new_object();

	json_object_object_add(m, "destination", json_object_new_string(dst));
	json_object_object_add(m, "type", json_object_new_string("bind"));
	json_object_object_add(m, "source", json_object_new_string(src));
	json_object_object_add(m, "options", strs(opts, 4));
	json_object_array_add(mounts, m);
}

static int add_mount(const struct carbon_container_mount *m, void *arg)
{
	bind(arg, m->src, m->dst, m->read_only);
	return 0;
}

/* Set NAME=VALUE in env (an array of "K=V"), replacing NAME's entry. */
static void env_set(json_object *env, const char *name, size_t nlen,
		    const char *value)
{
	size_t n = json_object_array_length(env);
	char *kv = malloc(nlen + strlen(value) + 2);

	if (!kv)
		return;
	sprintf(kv, "%.*s=%s", (int)nlen, name, value);
	for (size_t i = 0; i < n; i++) {
		const char *e = json_object_get_string(
			json_object_array_get_idx(env, i));

		if (e && !strncmp(e, name, nlen) && e[nlen] == '=') {
			json_object_array_put_idx(env, i,
						  json_object_new_string(kv));
			free(kv);
			return;
		}
	}
	json_object_array_add(env, json_object_new_string(kv));
	free(kv);
}

static int add_var(const char *var, const char *val, void *arg)
{
	if (!val)
		val = getenv(var); /* NAME alone: the job's value */
	if (val)
		env_set(arg, var, strlen(var), val);
	return 0;
}

static int env_of(const struct ct_task *t, json_object *process, char *err,
		  size_t errlen)
{
	json_object *env;

	if (!json_object_object_get_ex(process, "env", &env) ||
	    !json_object_is_type(env, json_type_array)) {
		env = json_object_new_array();
		json_object_object_add(process, "env", env);
	}
	if (t->env && carbon_container_env_each(t->env, NULL, add_var, env, err,
						errlen) < 0)
		return -1;
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');

		if (eq && !strncmp(*e, "SLURM_", 6))
			env_set(env, *e, (size_t)(eq - *e), eq + 1);
	}
	return 0;
}

static void process_of(const struct ct_task *t, json_object *p, const char *cwd)
{
	const char *caps[] = {"CAP_SETFCAP"};
	const char *kinds[] = {"bounding", "effective", "permitted"};
	json_object *args = json_object_new_array(), *user, *c;
	char id[32];

	json_object_object_add(p, "terminal", json_object_new_boolean(0));
	user = json_object_new_object();
	json_object_object_add(user, "uid", json_object_new_int(0));
	json_object_object_add(user, "gid", json_object_new_int(0));
	json_object_object_add(p, "user", user);
	json_object_array_add(args, json_object_new_string("/.carbon/init"));
	snprintf(id, sizeof(id), "%u", t->remap_root ? 0 : (unsigned)t->uid);
	json_object_array_add(args, json_object_new_string(id));
	snprintf(id, sizeof(id), "%u", t->remap_root ? 0 : (unsigned)t->gid);
	json_object_array_add(args, json_object_new_string(id));
	json_object_array_add(args, json_object_new_string("--"));
	for (char *const *a = t->argv; *a; a++)
		json_object_array_add(args, json_object_new_string(*a));
	json_object_object_add(p, "args", args);
	json_object_object_add(
		p, "cwd",
		json_object_new_string(t->workdir ? t->workdir : cwd));
	/* the init's one capability, in the container's namespace only */
	c = json_object_new_object();
	for (size_t i = 0; i < 3; i++)
		json_object_object_add(c, kinds[i], strs(caps, 1));
	json_object_object_add(p, "capabilities", c);
	json_object_object_add(p, "noNewPrivileges",
			       json_object_new_boolean(1));
	/* hard limits cannot be raised, even by root: keep the job's */
	json_object_object_del(p, "rlimits");
}

static void ids_of(json_object *lx, const char *key, unsigned host)
{
	json_object *a = json_object_new_array(), *m = json_object_new_object();

	json_object_object_add(m, "containerID", json_object_new_int(0));
	json_object_object_add(m, "hostID", json_object_new_int64(host));
	json_object_object_add(m, "size", json_object_new_int(1));
	json_object_array_add(a, m);
	json_object_object_add(lx, key, a);
}

static int fill(const struct ct_task *t, const char *image_dir, json_object *c,
		char *err, size_t errlen)
{
	json_object *p, *lx, *mounts, *root = json_object_new_object();
	char rootfs[4200], cwd[4096];

	if (!getcwd(cwd, sizeof(cwd)))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"getcwd: %s", strerror(errno));
	if (!json_object_object_get_ex(c, "process", &p) ||
	    !json_object_object_get_ex(c, "linux", &lx) ||
	    !json_object_object_get_ex(c, "mounts", &mounts) ||
	    !json_object_is_type(mounts, json_type_array))
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"the image's bundle has no process, "
					"lx or mounts: not umoci's");
	process_of(t, p, cwd);
	if (env_of(t, p, err, errlen))
		return -1;
	snprintf(rootfs, sizeof(rootfs), "%s/bundle/rootfs", image_dir);
	if (t->writable) {
		/* a private copy, gone with the run directory */
		char copy[4200], why[256] = "";
		const char *cp[] = {"cp",   "-a", "--reflink=auto",
				    rootfs, copy, NULL};

		snprintf(copy, sizeof(copy), "%s/rootfs", t->state);
		if (ct_spawn(cp, NULL, 0, why, sizeof(why)))
			return carbon_error_set(
				err, errlen, CARBON_EINVAL,
				"cannot make a writable copy of the image in "
				"%s%s%s",
				copy, why[0] ? ": " : "", why);
		snprintf(rootfs, sizeof(rootfs), "%s", copy);
	}
	json_object_object_add(root, "path", json_object_new_string(rootfs));
	json_object_object_add(root, "readonly",
			       json_object_new_boolean(!t->writable));
	json_object_object_add(c, "root", root);
	ids_of(lx, "uidMappings", (unsigned)t->uid);
	ids_of(lx, "gidMappings", (unsigned)t->gid);
	bind(mounts, t->init, "/.carbon/init", true);
	bind(mounts, cwd, cwd, false);
	if (t->script)
		bind(mounts, t->script, t->script, true);
	if (t->mounts &&
	    carbon_container_mounts_each(t->mounts, NULL, add_mount, mounts,
					 err, errlen) < 0)
		return -1;
	return 0;
}

int ct_bundle_write(const struct ct_task *t, const char *image_dir, char *err,
		    size_t errlen)
{
	char src[4200], dst[4200];
	json_object *c;
	int rc;

	snprintf(src, sizeof(src), "%s/bundle/config.json", image_dir);
	snprintf(dst, sizeof(dst), "%s/config.json", t->state);
	c = json_object_from_file(src);
	if (!c)
		return carbon_error_set(err, errlen, CARBON_EINVAL,
					"cannot read %s: %s", src,
					json_util_get_last_err());
	rc = fill(t, image_dir, c, err, errlen);
	if (!rc && (mkdir(t->state, 0700) && errno != EEXIST))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "cannot make %s: %s", t->state,
				      strerror(errno));
	if (!rc && json_object_to_file_ext(dst, c, JSON_C_TO_STRING_PLAIN))
		rc = carbon_error_set(err, errlen, CARBON_EINVAL,
				      "cannot write %s: %s", dst,
				      json_util_get_last_err());
	json_object_put(c);
	return rc;
}
