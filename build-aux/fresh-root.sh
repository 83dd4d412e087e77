# shellcheck shell=bash
# A bare Debian 12 root for tests, shared by build-aux/test-fresh.sh (is
# deps.sh complete?) and build-aux/test-deb.sh (do the packages install,
# work and purge?).  Sourced, not run.
#
# The bare root (debootstrap --variant=minbase, from this machine's own apt
# source and with its Debian entries) is made once and kept as
# BUILD_DIR/fresh/base.tar (about a minute the first time); each run unpacks
# a new copy into BUILD_DIR/fresh/NAME, so nothing an earlier run installed
# can hide a missing package.  Downloaded .deb files are kept in
# BUILD_DIR/fresh/apt-archives: cached downloads, not installed packages.
#
# Use:
#   . build-aux/fresh-root.sh
#   fresh_root_init BUILD_DIR NAME WHO   # sets $fresh, $root; traps EXIT
#   fresh_root_make                      # base (once), unpack, mounts
#   in_root CMD...                       # run CMD in the root, clean env
# FRESH_KEEP=1 leaves the root in place afterwards.  Root only: debootstrap,
# chroot and mounts.

fresh_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fresh_suite=bookworm
fresh_who=fresh-root
fresh_mounted=()

log() { printf '%s: %s\n' "$fresh_who" "$*"; }
die() {
	log "$*" >&2
	exit 1
}

# The machine's own Debian mirror, from deb822 sources or sources.list.
fresh_mirror() {
	local f=/etc/apt/sources.list.d/debian.sources
	if [ -f "$f" ]; then
		awk '/^URIs:/ && $2 !~ /security/ {print $2; exit}' "$f"
	else
		awk '/^deb / && $0 !~ /security/ && /debian/ {
			for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}
		}' /etc/apt/sources.list 2>/dev/null
	fi
}

fresh_cleanup() {
	local i
	for ((i = ${#fresh_mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${fresh_mounted[$i]}" 2>/dev/null || true
	done
	fresh_mounted=()
	if [ "${FRESH_KEEP:-0}" != 1 ] && [ -n "${root:-}" ] && [ -d "$root" ]; then
		rm -rf --one-file-system "$root"
	fi
}

fresh_bind() { # SRC DST
	mkdir -p "$2"
	mount --bind "$1" "$2"
	fresh_mounted+=("$2")
}

# BUILD_DIR NAME WHO: where (BUILD_DIR/fresh/NAME) and the log prefix.
fresh_root_init() {
	local b=$1
	case "$b" in /*) ;; *) b=$fresh_top/$b ;; esac
	fresh=$b/fresh
	root=$fresh/$2
	fresh_who=$3
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
	command -v debootstrap >/dev/null || die "debootstrap is missing: run 'make deps'"
	trap fresh_cleanup EXIT
}

fresh_base() {
	local base=$fresh/base.tar url
	[ -s "$base" ] && return 0
	url=$(fresh_mirror)
	[ -n "$url" ] || die "no Debian mirror found in /etc/apt/sources.list*"
	log "making a bare Debian 12 root (debootstrap --variant=minbase $fresh_suite $url; once, about a minute)"
	rm -rf --one-file-system "$fresh/base.d"
	debootstrap --variant=minbase "$fresh_suite" "$fresh/base.d" "$url" \
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
}

fresh_root_make() {
	mkdir -p "$fresh" "$fresh/apt-archives"
	fresh_base
	log "unpacking a new copy of the bare root into $root"
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	tar -C "$root" -xf "$fresh/base.tar"
	# Keep apt from deleting the cached downloads after installing them.
	rm -f "$root/etc/apt/apt.conf.d/docker-clean"
	echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' \
		>"$root/etc/apt/apt.conf.d/90keep-downloads"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	mount -t proc proc "$root/proc"
	fresh_mounted+=("$root/proc")
	fresh_bind /dev "$root/dev"
	fresh_bind /dev/pts "$root/dev/pts"
	fresh_bind /sys "$root/sys"
	fresh_bind "$fresh/apt-archives" "$root/var/cache/apt/archives"
}

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
