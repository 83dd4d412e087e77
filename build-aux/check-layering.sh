#!/bin/bash
# Prove the layering, from the top of the tree:
#  - lib/ (libcarbon) and sim/ (libcarbonsim, the simulator) are pure: they
#    include only libc headers (sim/ also libcarbon's) and their objects call
#    nothing from Slurm, Redis, curl, json-c or OpenSSL, and never read the
#    clock, the environment or randomness (callers pass those in); so is
#    carbon-cached's part of carbon.conf (libcacheconf: cache_conf.[ch],
#    providers/provider_conf.[ch]), which the slurmctld plugins link;
#  - the simulator stays out of everything that runs in production:
#    libcarbon, the plugins, SPANK, carbon-cached and the adapters they link
#    neither include its headers nor carry its symbols.
# Usage: check-layering.sh LIBCARBON.a LIBCARBONSIM.a LIBCACHECONF.a [BINARY...]
# where the BINARYs are the built plugins and daemons (unstripped).
set -euo pipefail
libcarbon=$1
libsim=$2
libcacheconf=$3
shift 3
cacheconf_srcs=(carbon-cache/cache_conf.c carbon-cache/cache_conf.h
	carbon-cache/providers/provider_conf.c carbon-cache/providers/provider_conf.h)
fail=0

complain() { # WHAT LINES
	echo "check-layering: $1" >&2
	echo "$2" | sed 's/^/  /' >&2
	fail=1
}

# Undefined symbols of an archive: anything outside libc's pure functions
# gives the layering away even when hidden behind a macro.
forbidden_hdr='(slurm/|src/|hiredis|curl/|json-c/|json\.h|openssl/|microhttpd|libxml|cmocka)'
forbidden_sym='^(time|getenv|secure_getenv|rand|random|srand|srandom|drand48|gettimeofday|clock_gettime|localtime|localtime_r|mktime|tzset|slurm_.*|x[a-z]*alloc.*|redis.*|curl_.*|json_.*|HMAC.*|EVP_.*|MHD_.*|xml.*)$'

check_pure() { # ARCHIVE DIR-OR-FILE...
	local bad archive=$1
	shift
	bad=$(grep -rnE "#[[:space:]]*include[[:space:]]*[<\"]$forbidden_hdr" \
		"$@" --include='*.[ch]' || true)
	[ -z "$bad" ] || complain "$* includes a forbidden header:" "$bad"
	bad=$(nm -u "$archive" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' |
		grep -E "$forbidden_sym" | sort -u || true)
	[ -z "$bad" ] || complain "$archive calls outside the pure core:" "$bad"
}
check_pure "$libcarbon" lib
check_pure "$libsim" sim
check_pure "$libcacheconf" "${cacheconf_srcs[@]}"

# The simulator's headers by name (sim/carbon/*.h, sim/*.h), however the
# include spells the path, and its exported prefixes.
sim_names=$(find sim -name '*.h' -printf '%f\n' | sed 's/\.h$//' | sort | paste -sd'|')
sim_hdr="#[[:space:]]*include[[:space:]]*[<\"]([^>\"]*/)?($sim_names)\\.h[>\"]"
sim_sym='^carbon_(sim|swf|prng)_'
sim_free_dirs=(lib plugins spank carbon-cache adapters)

bad=$(grep -rnE "$sim_hdr" "${sim_free_dirs[@]}" --include='*.[ch]' || true)
[ -z "$bad" ] || complain "the simulator's headers are included outside it:" "$bad"

# Every symbol, defined or not, hidden ones included: the plugins link
# libcarbon statically with hidden visibility, so nm -D would not see it.
for f in "$libcarbon" "$@"; do
	syms=$(nm "$f" 2>/dev/null | awk '{print $NF}' | sed 's/@.*//' || true)
	if [ -z "$syms" ]; then
		complain "$f has no symbol table to check" "(stripped?)"
		continue
	fi
	bad=$(echo "$syms" | grep -E "$sim_sym" | sort -u || true)
	[ -z "$bad" ] || complain "$f carries the simulator:" "$bad"
done

if [ "$fail" = 0 ]; then
	echo "check-layering: lib/, sim/ and carbon-cached's carbon.conf keys are libc-only and pure"
	bins=$(for f in "$libcarbon" "$@"; do basename "$f"; done | paste -sd' ')
	echo "check-layering: no simulator symbol in $bins"
	echo "check-layering: no simulator header included in ${sim_free_dirs[*]/%//}"
fi
exit "$fail"
