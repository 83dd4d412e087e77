/*
 * adapters/secret.h: secrets (tokens, passwords, HMAC keys) read from files
 * named in carbon.conf.  A secret file must be a regular file owned by the
 * reading user or root and readable by nobody else (mode 0600 or 0400):
 * anything looser is refused with a message naming the file and its mode,
 * never read.  Trailing newlines are dropped.  Secrets never go to a log.
 */
#ifndef CARBON_ADAPTER_SECRET_H
#define CARBON_ADAPTER_SECRET_H

#include <stddef.h>

/* Longest secret accepted, in bytes. */
#define CARBON_SECRET_MAX 4096

/*
 * Read path into buf (NUL-terminated, *len bytes without the NUL).
 * Returns 0, or a negative CARBON_E* with err naming path and the problem
 * (missing, not a regular file, group/world-accessible, empty, too long).
 * On failure buf is zeroed.
 */
int carbon_secret_read(const char *path, char *buf, size_t bufsize, size_t *len,
		       char *err, size_t errlen);

/* Overwrite a secret in memory in a way the compiler keeps. */
void carbon_secret_wipe(void *buf, size_t len);

#endif
