#!/bin/bash
# Prove that lib/ is the pure core: it includes only libc headers and its
# objects call nothing from Slurm, Redis, curl, json-c or OpenSSL, and never
# read the clock, the environment or randomness (callers pass those in).
# Usage: check-layering.sh LIBDIR LIBCARBON.a
set -euo pipefail
dir=$1
archive=$2
fail=0

bad=$(grep -rnE '#[[:space:]]*include[[:space:]]*[<"](slurm/|src/|hiredis|curl/|json-c/|json\.h|openssl/|microhttpd|libxml|cmocka)' \
	"$dir" --include='*.[ch]' || true)
if [ -n "$bad" ]; then
	echo "check-layering: lib/ includes a forbidden header:" >&2
	echo "$bad" >&2
	fail=1
fi

# Undefined symbols of the archive: anything outside libc's pure functions
# gives the layering away even when hidden behind a macro.
forbidden='^(time|getenv|secure_getenv|rand|random|srand|srandom|drand48|gettimeofday|clock_gettime|localtime|localtime_r|mktime|tzset|slurm_.*|x[a-z]*alloc.*|redis.*|curl_.*|json_.*|HMAC.*|EVP_.*|MHD_.*|xml.*)$'
bad=$(nm -u "$archive" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' |
	grep -E "$forbidden" | sort -u || true)
if [ -n "$bad" ]; then
	echo "check-layering: $archive calls outside the pure core:" >&2
	echo "$bad" | sed 's/^/  /' >&2
	fail=1
fi
[ "$fail" = 0 ] && echo "check-layering: lib/ is libc-only and pure"
exit "$fail"
