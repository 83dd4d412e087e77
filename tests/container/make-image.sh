#!/bin/bash
# make-image.sh OUT: build the test image offline, from Debian's
# busybox-static, as an OCI layout OUT/layout (tag "test") and the same
# image as OUT/busybox.oci.tar and OUT/busybox.docker.tar.  No registry, no
# Docker: what a test needs to run container jobs on a machine without
# network.  The image holds busybox's applets, a passwd with root and
# nobody, a setuid-root copy of busybox at /suid/busybox (a task must not
# gain privileges with it) and the environment CARBON_IMAGE_VAR=from-image.
set -euo pipefail
out=${1:?usage: make-image.sh OUT}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# busybox-static's binary (build-aux/deps.sh installs it): static, so it
# runs in an image with no libc.
bb=/bin/busybox
[ -x "$bb" ] && ! ldd "$bb" >/dev/null 2>&1 ||
	{ echo "make-image.sh: $bb is not busybox-static's binary" >&2; exit 1; }

umoci init --layout "$work/layout"
umoci new --image "$work/layout:test"
umoci unpack --rootless --image "$work/layout:test" "$work/bundle" >/dev/null
root=$work/bundle/rootfs
mkdir -p "$root"/{bin,etc,tmp,work,proc,sys,dev}
cp "$bb" "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
mkdir -p "$root/suid"
cp "$root/bin/busybox" "$root/suid/busybox"
chmod 4755 "$root/suid/busybox"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
chmod 1777 "$root/tmp"
umoci repack --image "$work/layout:test" "$work/bundle" >/dev/null
umoci config --image "$work/layout:test" --config.cmd /bin/sh \
	--config.env PATH=/bin --config.env CARBON_IMAGE_VAR=from-image \
	--config.workingdir /
rm -rf "$out/layout" "$out"/busybox.*.tar
cp -a "$work/layout" "$out/layout"
skopeo copy --quiet "oci:$out/layout:test" "oci-archive:$out/busybox.oci.tar:test"
skopeo copy --quiet "oci:$out/layout:test" "docker-archive:$out/busybox.docker.tar:library/busybox:test"
echo "$out/layout:test"
