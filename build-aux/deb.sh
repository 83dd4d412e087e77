#!/bin/bash
# Build the Debian packages (debian/) into BUILD_DIR/deb and check them
# with lintian: no error and no warning, or an override in debian/ that
# says why.
#
# dpkg-buildpackage runs on a copy of the tree (what git tracks, plus new
# files not ignored; without git, all but build/) in BUILD_DIR/deb/slurm-carbon-VERSION, so the work tree
# gets no debian/tmp or stamps; the copy's build/slurm points to the
# configured Slurm source (`make deps`), which the slurmctld plugins need.
#
# Usage: build-aux/deb.sh [BUILD_DIR]   (default build; no root needed)
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
b=${1:-$top/build}
case "$b" in /*) ;; *) b=$top/$b ;; esac
out=$b/deb

log() { printf 'deb: %s\n' "$*"; }
die() {
	log "$*" >&2
	exit 1
}

for t in dpkg-buildpackage dh lintian; do
	command -v "$t" >/dev/null || die "$t is missing: run 'make deps' (debhelper, lintian)"
done
slurm=$(dpkg-query -W -f='${Version}' slurm-wlm 2>/dev/null) ||
	die "Slurm is not installed: run 'make deps'"
[ -f "$top/build/slurm/$slurm/.configured" ] ||
	die "no configured Slurm $slurm source in build/slurm: run 'make deps'"

# One version: the Makefile's VERSION is debian/changelog's.
mkver=$(sed -n 's/^VERSION *:= *//p' "$top/Makefile")
debver=$(cd "$top" && dpkg-parsechangelog -S Version)
[ "$mkver" = "$debver" ] ||
	die "Makefile VERSION $mkver != debian/changelog $debver: add a changelog entry (dch -v $mkver)"

src=$out/slurm-carbon-$debver
rm -rf "$out"
mkdir -p "$src/build"
# A clone: what git tracks and new files not ignored; an unpacked tarball
# (no .git): everything but build/.
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		tar --null -T - -cf -) | tar -C "$src" -xf -
else
	tar -C "$top" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
fi
ln -s "$(readlink -f "$top/build/slurm")" "$src/build/slurm"

log "dpkg-buildpackage (Slurm $slurm) in $src"
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j2) >"$out/build.log" 2>&1; then
	tail -30 "$out/build.log" >&2
	die "dpkg-buildpackage failed; see $out/build.log"
fi
rm -rf "$src"

changes=$(ls "$out"/slurm-carbon_*.changes)
log "lintian $(basename "$changes")"
# --fail-on warning: a warning fails like an error; info and pedantic
# tags are shown, not fatal.
if ! lintian --fail-on error,warning --info --display-info \
	"$changes" >"$out/lintian.log" 2>&1; then
	cat "$out/lintian.log" >&2
	die "lintian found errors or warnings; see $out/lintian.log"
fi
e=$(grep -c '^E:' "$out/lintian.log" || true)
w=$(grep -c '^W:' "$out/lintian.log" || true)
i=$(grep -c '^I:' "$out/lintian.log" || true)
for d in "$out"/*.deb; do log "  $(basename "$d")"; done
log "lintian: $e errors, $w warnings, $i infos (overrides in debian/*.lintian-overrides)"
