#!/bin/bash
# Prove that build-aux/deps.sh names every package the build and the unit
# tests need: build a bare Debian 12 root (debootstrap --variant=minbase,
# from this machine's own apt source), install in it nothing but git and
# make (what the README assumes a user has), copy the working tree in, and
# run `make deps test-unit` there as a user would.  A package that only came
# as a Recommends on the host, or that the host happens to have, is missing
# there and fails the build.
#
# The bare root and its cache are build-aux/fresh-root.sh's (shared with
# build-aux/test-deb.sh): made once as build/fresh/base.tar, a new copy
# each run, so nothing installed by an earlier run can hide a missing
# package.
#
# Usage: build-aux/test-fresh.sh [BUILD_DIR]   (root; default build)
#   FRESH_KEEP=1          leave the root in BUILD_DIR/fresh/root afterwards
#   FRESH_TARGETS="..."   what to make in the root after `make deps all`
#                         (default test-unit; "test demo" runs the README's
#                         two commands there: the federation uses the same
#                         ports as the host's, so none may run meanwhile)
set -euo pipefail

# shellcheck source=build-aux/fresh-root.sh
. "$(dirname "${BASH_SOURCE[0]}")/fresh-root.sh"
top=$fresh_top
t0=$SECONDS
fresh_root_init "${1:-$top/build}" root test-fresh
fresh_root_make

# The tree as a clone would have it: tracked and untracked-but-not-ignored
# files, without build/.
log "copying the source tree"
mkdir -p "$root/src"
(cd "$top" && git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
	tar --null -T - -cf -) | tar -C "$root/src" -xf -

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
