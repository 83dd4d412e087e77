/*
 * adapters/hmac.h: signing and verifying cache records (HMAC-SHA256,
 * OpenSSL).  The record codec (carbon/record.h) says which bytes are
 * signed; this adapter only computes and compares.
 */
#ifndef CARBON_ADAPTER_HMAC_H
#define CARBON_ADAPTER_HMAC_H

#include <stdbool.h>
#include <stddef.h>

/* 64 lowercase hex digits and a NUL. */
#define CARBON_HMAC_HEX_LEN 64

/* HMAC-SHA256 of data under key, as lowercase hex into hex[65].
 * Returns 0, or CARBON_EINVAL if OpenSSL fails. */
int carbon_hmac_hex(const void *key, size_t keylen, const void *data,
		    size_t len, char hex[CARBON_HMAC_HEX_LEN + 1]);

/* Does hex (64 lowercase hex digits) sign data under key?  Compared in
 * constant time. */
bool carbon_hmac_verify(const void *key, size_t keylen, const void *data,
			size_t len, const char *hex);

#endif
