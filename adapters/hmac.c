/* HMAC-SHA256 for cache records; see hmac.h. */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "carbon/error.h"
#include "hmac.h"

int carbon_hmac_hex(const void *key, size_t keylen, const void *data,
		    size_t len, char hex[CARBON_HMAC_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (!key || !data || keylen > (size_t)INT_MAX ||
	    !HMAC(EVP_sha256(), key, (int)keylen, data, len, mac, &maclen) ||
	    maclen * 2 != CARBON_HMAC_HEX_LEN)
		return CARBON_EINVAL;
	for (unsigned int i = 0; i < maclen; i++) {
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[CARBON_HMAC_HEX_LEN] = '\0';
	OPENSSL_cleanse(mac, sizeof(mac));
	return 0;
}

bool carbon_hmac_verify(const void *key, size_t keylen, const void *data,
			size_t len, const char *hex)
{
	char want[CARBON_HMAC_HEX_LEN + 1];

	if (!hex || strlen(hex) != CARBON_HMAC_HEX_LEN ||
	    carbon_hmac_hex(key, keylen, data, len, want))
		return false;
	return CRYPTO_memcmp(want, hex, CARBON_HMAC_HEX_LEN) == 0;
}
