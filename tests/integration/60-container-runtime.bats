#!/usr/bin/env bats
# The container runtime path the SPANK plugin is to take (issue 13), on this
# machine's real runc, skopeo and umoci, as the unprivileged test user:
# fetch an image (built offline) into a per-user cache, unpack it rootless,
# run a task through carbon-container-init.  What it must show: the task is
# the job's user inside (not root), with no capability and no_new_privs, a
# read-only root, files it writes on a mount owned by the user on the host,
# the exit code through, and a setuid-root binary that gains nothing.
# The bundle's config.json is edited here with python3; the plugin will do
# it in C (json-c).

load helpers

setup_file() {
	export CT_DIR
	CT_DIR=$(mktemp -d /tmp/carbon-ct.XXXXXX)
	chmod 755 "$CT_DIR"
	"$CARBON_TOP/tests/container/make-image.sh" "$CT_DIR/img" >/dev/null
	chmod -R a+rX "$CT_DIR/img"
	mkdir -p "$CT_DIR/user"
	chown "$CARBON_FED_USER" "$CT_DIR/user"
	as_user skopeo copy --quiet "oci:$CT_DIR/img/layout:test" \
		"oci:$CT_DIR/user/cache:img"
	as_user umoci unpack --rootless --image "$CT_DIR/user/cache:img" \
		"$CT_DIR/user/bundle" >/dev/null
}

teardown_file() {
	rm -rf "$CT_DIR"
}

# ct_run [--remap-root] CMD...: the task CMD in the image, as the test user;
# sets $output (stdout and stderr) and $status like bats' run.
ct_run() {
	local uid gid inner_uid inner_gid id=ct$$-$RANDOM
	uid=$(id -u "$CARBON_FED_USER")
	gid=$(id -g "$CARBON_FED_USER")
	inner_uid=$uid inner_gid=$gid
	if [ "$1" = --remap-root ]; then
		inner_uid=0 inner_gid=0
		shift
	fi
	mkdir -p "$CT_DIR/user/$id" "$CT_DIR/user/work"
	chown "$CARBON_FED_USER" "$CT_DIR/user/$id" "$CT_DIR/user/work"
	python3 - "$CT_DIR" "$id" "$uid" "$gid" "$inner_uid" "$inner_gid" \
		"$CARBON_TOP/build/libexec/carbon-container-init" "$@" <<'EOF'
import json, sys
d, rid, uid, gid, iu, ig, init = sys.argv[1:8]
args = sys.argv[8:]
c = json.load(open(d + "/user/bundle/config.json"))
p = c["process"]
p["terminal"] = False
p["user"] = {"uid": 0, "gid": 0}
p["args"] = ["/.carbon/init", iu, ig, "--"] + args
p["cwd"] = "/work"
p.pop("rlimits", None)
# one capability, in the container's namespace only, for the init to map
# the job's user; dropped before the task runs
p["capabilities"] = {k: ["CAP_SETFCAP"] for k in ("bounding", "effective", "permitted")}
p["noNewPrivileges"] = True
c["root"] = {"path": d + "/user/bundle/rootfs", "readonly": True}
c["linux"]["uidMappings"] = [{"containerID": 0, "hostID": int(uid), "size": 1}]
c["linux"]["gidMappings"] = [{"containerID": 0, "hostID": int(gid), "size": 1}]
c["mounts"] += [
    {"destination": "/.carbon/init", "type": "bind", "source": init,
     "options": ["bind", "ro", "nosuid", "nodev"]},
    {"destination": "/work", "type": "bind", "source": d + "/user/work",
     "options": ["rbind", "rw", "nosuid", "nodev"]},
]
json.dump(c, open("%s/user/%s/config.json" % (d, rid), "w"))
EOF
	status=0
	output=$(as_user runc --root "$CT_DIR/user/state" run \
		--bundle "$CT_DIR/user/$id" "$id" 2>&1) || status=$?
	# runc run removes its container when the task ends: no state left
	[ -z "$(ls -A "$CT_DIR/user/state" 2>/dev/null)" ]
}

@test "container task: the job's user inside, not root" {
	ct_run /bin/id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: no capability, no_new_privs, read-only root" {
	ct_run /bin/sh -c 'grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status; touch /x 2>&1; true'
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "container task: the exit code comes through; the image's env is set" {
	ct_run /bin/sh -c 'echo "$CARBON_IMAGE_VAR"; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = from-image ]
}

@test "container task: a file written on a mount belongs to the user" {
	ct_run /bin/sh -c 'echo hi > /work/out'
	[ "$status" -eq 0 ]
	[ "$(stat -c %u "$CT_DIR/user/work/out")" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: a setuid-root binary gains nothing" {
	[ -u "$CT_DIR/user/bundle/rootfs/suid/busybox" ]
	ct_run /suid/busybox id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: --remap-root makes the user root inside, still powerless" {
	ct_run --remap-root /bin/sh -c 'id -u; grep ^CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == "0"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
}

@test "container task: a missing program fails with the init's message" {
	ct_run /no/such/program
	[ "$status" -eq 127 ]
	[[ "$output" == *"carbon-container-init: cannot run /no/such/program"* ]]
}
