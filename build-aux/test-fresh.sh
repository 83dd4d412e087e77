#!/bin/bash
# Prove that build-aux/deps.sh names every package the build and the unit
# tests need: build a bare Debian 12 root (debootstrap --variant=minbase,
# from this machine's own apt source), install in it nothing but git and
# make (what the README assumes a user has), copy the working tree in, and
# run `make deps test-unit` there as a user would.  A package that only came
# as a Recommends on the host, or that the host happens to have, is missing
# there and fails the build.
#
# The bare root is made once and kept as build/fresh/base.tar (about 1 min
# the first time); each run unpacks a new copy, so nothing installed by an
# earlier run can hide a missing package.  Downloaded .deb files are kept in
# build/fresh/apt-archives: they are cached downloads, not installed
# packages.
#
# Usage: build-aux/test-fresh.sh [BUILD_DIR]   (root; default build)
#   FRESH_KEEP=1          leave the root in BUILD_DIR/fresh/root afterwards
#   FRESH_TARGETS="..."   what to make in the root after `make deps all`
#                         (default test-unit; "test demo" runs the README's
#                         two commands there: the federation uses the same
#                         ports as the host's, so none may run meanwhile)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
b=${1:-$top/build}
case "$b" in /*) ;; *) b=$top/$b ;; esac
fresh=$b/fresh
base=$fresh/base.tar
root=$fresh/root
archives=$fresh/apt-archives
suite=bookworm
t0=$SECONDS

log() { printf 'test-fresh: %s\n' "$*"; }
die() {
	log "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
command -v debootstrap >/dev/null || die "debootstrap is missing: run 'make deps'"

# The machine's own Debian mirror, from deb822 sources or sources.list.
mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f"
	else
		awk '/^deb / && $0 !~ /security/ && /debian/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}
		}' /etc/apt/sources.list 2>/dev/null
	fi
}

mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[$i]}" 2>/dev/null || true
	done
	if [ "${FRESH_KEEP:-0}" != 1 ] && [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT

bind() { # SRC DST
	mkdir -p "$2"
	mount --bind "$1" "$2"
	mounted+=("$2")
}

mkdir -p "$fresh" "$archives"
if [ ! -s "$base" ]; then
	url=$(mirror)
	[ -n "$url" ] || die "no Debian mirror found in /etc/apt/sources.list*"
	log "making a bare Debian 12 root (debootstrap --variant=minbase $suite $url; once, about a minute)"
	rm -rf --one-file-system "$fresh/base.d"
	debootstrap --variant=minbase "$suite" "$fresh/base.d" "$url" \
		>"$fresh/debootstrap.log" 2>&1 ||
		die "debootstrap failed; see $fresh/debootstrap.log"
	# The host's Debian entries (its updates and security suites): the
	# root gets the same package versions as the machine it tests for.
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		cp /etc/apt/sources.list.d/debian.sources "$fresh/base.d/etc/apt/sources.list.d/"
		: >"$fresh/base.d/etc/apt/sources.list"
	else
		grep -E '^deb(-src)? .*debian' /etc/apt/sources.list \
			>"$fresh/base.d/etc/apt/sources.list"
	fi
	rm -rf "$fresh/base.d/var/cache/apt/archives"/*.deb
	tar -C "$fresh/base.d" -cf "$base.tmp" . && mv "$base.tmp" "$base"
	rm -rf --one-file-system "$fresh/base.d"
fi

log "unpacking a new copy of the bare root"
rm -rf --one-file-system "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base"
# Keep apt from deleting the cached downloads after installing them.
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' \
	>"$root/etc/apt/apt.conf.d/90keep-downloads"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

mount -t proc proc "$root/proc"
mounted+=("$root/proc")
bind /dev "$root/dev"
bind /dev/pts "$root/dev/pts"
bind /sys "$root/sys"
bind "$archives" "$root/var/cache/apt/archives"

# The tree as a clone would have it: tracked and untracked-but-not-ignored
# files, without build/.
log "copying the source tree"
mkdir -p "$root/src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$root/src" -xf -

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

log "installing git and make (the README's only assumption)"
in_root apt-get update -qq >"$fresh/apt.log" 2>&1 ||
	die "apt-get update failed in the root; see $fresh/apt.log"
in_root apt-get install -y -qq --no-install-recommends git make \
	>>"$fresh/apt.log" 2>&1 || die "installing git and make failed; see $fresh/apt.log"

log "make deps (every package from build-aux/deps.sh, nothing else)"
in_root /bin/bash -c 'cd /src && make deps' 2>&1 | tee "$fresh/deps.log" |
	grep -E '^deps:' || true
[ "${PIPESTATUS[0]}" = 0 ] || die "make deps failed in the fresh root; see $fresh/deps.log"

targets=${FRESH_TARGETS:-test-unit}
out=$fresh/make.log
log "make -j2 all, then make $targets (progress in $out)"
if ! in_root /bin/bash -c "cd /src && make -j2 all && make $targets" \
	>"$out" 2>&1; then
	tail -40 "$out" >&2
	die "make $targets failed in the fresh root; see $out"
fi
grep -E '^unit tests:|^check-|^integration|^ok |^not ok|^[0-9]+ tests?,' "$out" |
	tail -20 | sed 's/^/test-fresh:   /'
log "passed in $((SECONDS - t0)) s"
