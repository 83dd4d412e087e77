#!/bin/bash
# The Debian packages of BUILD_DIR/deb (`make deb`) in a bare Debian 12
# root: installed with apt (so their Depends must resolve from the archive
# alone), checked, removed and purged by tests/deb/packages.bats, which
# runs on the host against the root ($DEB_ROOT).  The root is
# build-aux/fresh-root.sh's, as for `make test-fresh` (cached base, a new
# copy each run); it also gets man-db and systemd, which the checks use
# (`man`, `systemd-analyze verify`) and the packages do not need.
#
# Usage: build-aux/test-deb.sh [BUILD_DIR]   (root; default build)
#   FRESH_KEEP=1   leave the root in BUILD_DIR/fresh/deb-root afterwards
set -euo pipefail

# shellcheck source=build-aux/fresh-root.sh
. "$(dirname "${BASH_SOURCE[0]}")/fresh-root.sh"
top=$fresh_top
t0=$SECONDS
b=${1:-$top/build}
case "$b" in /*) ;; *) b=$top/$b ;; esac
fresh_root_init "$b" deb-root test-deb

debs=()
for d in "$b"/deb/*.deb; do
	case "$d" in *-dbgsym_*) continue ;; esac
	[ -e "$d" ] && debs+=("$d")
done
[ ${#debs[@]} -gt 0 ] || die "no packages in $b/deb: run 'make deb'"

fresh_root_make
mkdir -p "$root/debs"
cp "${debs[@]}" "$root/debs/"
# Daemons pulled in as Depends (slurmctld, munge) must not start here.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

log "apt-get update; man-db and systemd for the checks"
in_root apt-get update -qq >"$fresh/deb-apt.log" 2>&1 ||
	die "apt-get update failed in the root; see $fresh/deb-apt.log"
in_root apt-get install -y -qq --no-install-recommends man-db systemd \
	>>"$fresh/deb-apt.log" 2>&1 || die "installing man-db, systemd failed; see $fresh/deb-apt.log"

log "tests/deb/packages.bats on ${#debs[@]} packages"
DEB_ROOT=$root DEB_TOP=$top bats --timing "$top/tests/deb/packages.bats"
log "passed in $((SECONDS - t0)) s"
