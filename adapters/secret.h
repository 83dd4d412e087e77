/*
 * adapters/secret.h: secrets (tokens, passwords, HMAC keys) read from files
 * named in carbon.conf.  Two different users read them (slurmctld as its
 * SlurmUser, carbon-cached as its own user), so a file is accepted when:
 *
 *   - it is a regular file (not a symlink) owned by root or by the reader;
 *   - nobody but its owner may write it, and "others" may do nothing
 *     (no o+rwx, no g+w);
 *   - when it is group-readable (0640), its group is one of the reader's
 *     groups (effective or supplementary), e.g. root:carbon-secrets 0640
 *     with slurm and carbon in carbon-secrets.  A group the reader is not
 *     in could only add readers it does not know of.
 *
 * So 0600/0400 owned by the reader or root, and 0640/0440 with one of the
 * reader's groups, are accepted; anything else is refused, never read,
 * with a message naming the file, its mode, owner and group, and what is
 * accepted.  Trailing newlines are dropped.  Secrets never go to a log.
 */
#ifndef CARBON_ADAPTER_SECRET_H
#define CARBON_ADAPTER_SECRET_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Longest secret accepted, in bytes. */
#define CARBON_SECRET_MAX 4096

/* Most supplementary groups of a reader looked at. */
#define CARBON_SECRET_GROUPS_MAX 64

/* Who reads: the process's effective ids and groups, or a test's. */
struct carbon_secret_reader {
	uid_t uid;
	gid_t gid;
	gid_t groups[CARBON_SECRET_GROUPS_MAX];
	size_t n_groups;
};

/*
 * Read path into buf (NUL-terminated, *len bytes without the NUL) as this
 * process.  Returns 0, or a negative CARBON_E* with err naming path and
 * the problem (missing, unreadable, not a regular file, mode or owner not
 * accepted, empty, too long).  On failure buf is zeroed.
 */
int carbon_secret_read(const char *path, char *buf, size_t bufsize, size_t *len,
		       char *err, size_t errlen);

/* The rules above for a file with st, read by who; 0 or CARBON_EINVAL. */
int carbon_secret_check(const struct stat *st,
			const struct carbon_secret_reader *who,
			const char *path, char *err, size_t errlen);

/* This process as a reader (effective uid, gid and supplementary groups). */
void carbon_secret_reader_self(struct carbon_secret_reader *who);

/* Overwrite a secret in memory in a way the compiler keeps. */
void carbon_secret_wipe(void *buf, size_t len);

#endif
