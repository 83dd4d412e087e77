#!/bin/bash
# Install what the build, the tests and the demo need on Debian 12, and
# prepare Slurm's configured source tree for building slurmctld plugins.
#
# Idempotent: a second run with everything in place costs well under a second
# (dpkg queries and a stamp file).  Must run as root for the apt steps; as
# another user it only checks and says what is missing.
#
# Usage: build-aux/deps.sh [SLURM_CACHE_DIR]
# Prints nothing on success but progress lines; exits non-zero on failure.
set -euo pipefail

cache=${1:-build/slurm}

# Everything the project needs from Debian. Keep in sync with docs/design.md.
pkgs=(
	# Slurm, its accounting database and authentication
	slurm-wlm slurmctld slurmd slurm-client slurmdbd slurmrestd libslurm-dev
	munge libmunge-dev mariadb-server mariadb-client
	# The cache daemon and its store
	redis-server redis-tools libhiredis-dev libcurl4-openssl-dev
	libjson-c-dev libssl-dev libmicrohttpd-dev libxml2-dev
	# carbon-sim reads gzip workloads (SWF archive logs)
	zlib1g-dev
	# Container tests: a real registry (with htpasswd authentication)
	docker-registry apache2-utils
	# Build, test, coverage, fuzzing
	make gcc clang pkg-config dpkg-dev libcmocka-dev gcovr bats
	# clang's sanitizer and libFuzzer runtimes: only a Recommends of clang
	libclang-rt-14-dev
	clang-format procps iproute2 psmisc
	# bench_cache.sh measures peak memory with /usr/bin/time
	time
	# make test-fresh and make test-deb: a bare Debian 12 root to prove
	# this list complete and to install the packages in
	debootstrap
	# make deb: Debian packages (debhelper; dpkg-checkbuilddeps wants
	# build-essential), checked with lintian
	debhelper lintian build-essential
	# container tasks: fetch, unpack and run OCI images rootless; the
	# tests build their image offline from busybox-static
	runc skopeo umoci busybox-static
	# carbon-cached's integration tests: a real Prometheus scrapes
	# /metrics, a small fake provider server, HMAC checks, HTTP probes;
	# promtool (in prometheus) checks and tests the alert rules
	prometheus python3 openssl curl
)

log() { printf 'deps: %s\n' "$*"; }

missing=()
mapfile -t status < <(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' \
	"${pkgs[@]}" 2>/dev/null || true)
for p in "${pkgs[@]}"; do
	ok=0
	for s in "${status[@]}"; do
		case "$s" in "$p ii"*) ok=1 ;; esac
	done
	[ "$ok" = 1 ] || missing+=("$p")
done

need_root() {
	if [ "$(id -u)" != 0 ]; then
		log "must run as root to $1"
		exit 1
	fi
}

# deb-src for the Debian archive: needed by 'apt-get source slurm-wlm'.
enable_deb_src() {
	local f=/etc/apt/sources.list.d/debian.sources changed=0
	if [ -f "$f" ]; then
		if ! grep -q '^Types:.*deb-src' "$f"; then
			need_root "enable deb-src in $f"
			sed -i 's/^Types: deb$/Types: deb deb-src/' "$f"
			changed=1
		fi
	elif ! grep -qs '^deb-src .*debian' /etc/apt/sources.list; then
		need_root "enable deb-src in /etc/apt/sources.list"
		grep '^deb .*debian' /etc/apt/sources.list |
			sed 's/^deb /deb-src /' >>/etc/apt/sources.list
		changed=1
	fi
	echo "$changed"
}

if [ ${#missing[@]} -gt 0 ]; then
	need_root "install: ${missing[*]}"
	log "installing ${#missing[@]} Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# Daemons must not start by themselves: the launcher owns them.
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	rm -f /usr/sbin/policy-rc.d
	trap - EXIT
fi

# The configured Slurm source tree, keyed on the installed Slurm version.
ver=$(dpkg-query -W -f='${Version}' slurm-wlm)
dir="$cache/$ver"
if [ -f "$dir/.configured" ]; then
	exit 0
fi

if [ "$(enable_deb_src)" = 1 ]; then
	apt-get update -qq
fi
log "fetching Slurm $ver source (apt-get source slurm-wlm=$ver)"
rm -rf "$dir"
mkdir -p "$dir"
(cd "$dir" && apt-get source -qq --download-only "slurm-wlm=$ver" >/dev/null 2>&1 ||
	apt-get source -qq --download-only "slurm-wlm=$ver")
# apt-get already checked the files against the signed Sources index.
(cd "$dir" && dpkg-source -x --skip-patches ./*.dsc src >dpkg-source.log 2>&1)
# Debian's patches change build files only; apply them anyway so the
# headers are exactly what the installed binaries were built from.
if [ -f "$dir/src/debian/patches/series" ]; then
	(cd "$dir/src" && while read -r p; do
		case "$p" in '' | '#'*) continue ;; esac
		patch -s -p1 <"debian/patches/$p"
	done <debian/patches/series)
fi
log "configuring Slurm $ver (about 20 s, once)"
mkdir -p "$dir/build"
(cd "$dir/build" && ../src/configure --prefix=/usr --sysconfdir=/etc/slurm \
	--libdir=/usr/lib/x86_64-linux-gnu --with-munge \
	--enable-multiple-slurmd >configure.out 2>&1) || {
	log "configure failed; see $dir/build/configure.out"
	exit 1
}
touch "$dir/.configured"
log "Slurm $ver ready in $dir"
