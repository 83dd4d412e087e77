#!/usr/bin/env bats
# Container tasks on this machine's real runc, skopeo and umoci, as the
# unprivileged test user, through carbon-container (spank/container/), the
# program the SPANK plugin is to exec for each task (issue 13): the image
# (built offline) is fetched into the user's cache once per digest and
# unpacked rootless; the task runs through carbon-container-init.  What it
# must show: the task is the job's user inside (not root), with no
# capability and no_new_privs, a read-only root, files it writes on a mount
# owned by the user on the host, the exit code through, a setuid-root
# binary that gains nothing, the environment in its order, mounts, and four
# concurrent cold starts that fetch once.

load helpers

setup_file() {
	export CT_DIR CT_IMAGE
	CT_DIR=$(mktemp -d /tmp/carbon-ct.XXXXXX)
	chmod 755 "$CT_DIR"
	"$CARBON_TOP/tests/container/make-image.sh" "$CT_DIR/img" >/dev/null
	chmod -R a+rX "$CT_DIR/img"
	CT_IMAGE=oci:$CT_DIR/img/layout:test
	mkdir -p "$CT_DIR/user/work" "$CT_DIR/bin"
	chown -R "$CARBON_FED_USER" "$CT_DIR/user"
	# the run directories' parent is the user's alone, or carbon-container
	# refuses it (as it does /tmp/carbon-container.UID made by someone else)
	chmod 700 "$CT_DIR/user"
	# skopeo as the tests see it: the real one, each fetch counted
	printf '#!/bin/sh\n[ "$1" = copy ] && echo "$*" >>%s/user/fetches\necho "$*" >>%s/user/skopeo.log\nexec /usr/bin/skopeo "$@"\n' \
		"$CT_DIR" "$CT_DIR" >"$CT_DIR/bin/skopeo"
	chmod 755 "$CT_DIR/bin/skopeo"
}

teardown_file() {
	rm -rf "$CT_DIR"
}

# ct_run [OPTIONS] IMAGE -- CMD...: carbon-container run as the test user,
# from $CT_DIR/user/work, its cache in $CT_DIR/user/cache; sets $output
# (stdout and stderr), $lines and $status like bats' run.
ct_run() {
	local state=$CT_DIR/user/state-$BASHPID-$RANDOM
	status=0
	output=$(cd "$CT_DIR/user/work" && runuser -u "$CARBON_FED_USER" -- \
		env PATH="$CT_DIR/bin:$PATH" SLURM_JOB_ID=42 HOME="$CT_DIR/user" \
		"$CARBON_TOP/build/libexec/carbon-container" run \
		--cache "${CT_CACHE:-$CT_DIR/user/cache}" --state "$state" \
		--init "$CARBON_TOP/build/libexec/carbon-container-init" \
		"$@" 2>&1) || status=$?
	mapfile -t lines <<<"$output"
	# runc run removes its container when the task ends: no state left
	[ -z "$(ls -A "$state/runtime" 2>/dev/null)" ]
	rm -rf "$state"
}

@test "container task: the job's user inside, not root" {
	ct_run "$CT_IMAGE" -- /bin/id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: no capability, no_new_privs, read-only root" {
	ct_run "$CT_IMAGE" -- /bin/sh -c 'grep -E "^(CapEff|CapPrm|NoNewPrivs)" /proc/self/status; touch /x 2>&1; true'
	[ "$status" -eq 0 ]
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "container task: the exit code comes through; the image's env is set" {
	ct_run "$CT_IMAGE" -- /bin/sh -c 'echo "$CARBON_IMAGE_VAR"; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = from-image ]
}

@test "container task: a file written on a mount belongs to the user" {
	ct_run "$CT_IMAGE" -- /bin/sh -c 'echo hi > out; pwd'
	[ "$status" -eq 0 ]
	[ "$output" = "$CT_DIR/user/work" ]
	[ "$(stat -c %u "$CT_DIR/user/work/out")" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: a setuid-root binary gains nothing" {
	[ -u "$(echo "$CT_DIR"/user/cache/sha256-*/bundle/rootfs/suid/busybox)" ]
	ct_run "$CT_IMAGE" -- /suid/busybox id -u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u "$CARBON_FED_USER")" ]
}

@test "container task: --remap-root makes the user root inside, still powerless" {
	ct_run --remap-root "$CT_IMAGE" -- /bin/sh -c 'id -u; grep ^CapEff /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == "0"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
}

@test "container task: a missing program fails with the init's message" {
	ct_run "$CT_IMAGE" -- /no/such/program
	[ "$status" -eq 127 ]
	[[ "$output" == *"carbon-container-init: cannot run /no/such/program"* ]]
}

@test "container task: image env, then --env, then the task's SLURM_*" {
	ct_run --env CARBON_IMAGE_VAR=from-option,PATH,NEW=1,SLURM_JOB_ID=7 \
		"$CT_IMAGE" -- /bin/sh -c 'echo "$CARBON_IMAGE_VAR $NEW $SLURM_JOB_ID"; echo "$PATH"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "from-option 1 42" ]
	[ "${lines[1]}" = "$CT_DIR/bin:$PATH" ] # PATH alone: the task's value
}

@test "container task: mounts read-only and read-write; --workdir" {
	mkdir -p "$CT_DIR/user/ro" "$CT_DIR/user/rw"
	echo data >"$CT_DIR/user/ro/in"
	chown -R "$CARBON_FED_USER" "$CT_DIR/user/ro" "$CT_DIR/user/rw"
	ct_run --mounts "$CT_DIR/user/ro:/in:ro,$CT_DIR/user/rw:/out" --workdir /out \
		"$CT_IMAGE" -- /bin/sh -c 'cat /in/in; (echo x > /in/new) 2>/dev/null || echo refused; echo y > made; pwd'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'data\nrefused\n/out')" ]
	[ "$(cat "$CT_DIR/user/rw/made")" = y ]
	[ ! -e "$CT_DIR/user/ro/new" ]
}

@test "container task: four concurrent cold starts fetch the image once" {
	# docker-archive: another manifest, so another digest than the layout
	local img=docker-archive:$CT_DIR/img/busybox.docker.tar pids=() i
	rm -f "$CT_DIR/user/fetches"
	for i in 1 2 3 4; do
		(
			ct_run "$img" -- /bin/sh -c "echo task$i"
			echo "$output $status" >"$CT_DIR/out$i"
		) &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4; do
		[ "$(cat "$CT_DIR/out$i")" = "task$i 0" ]
	done
	[ "$(grep -c "busybox.docker.tar" "$CT_DIR/user/fetches")" = 1 ]
}

@test "container task: a missing image fails before the task, saying so" {
	ct_run "oci:$CT_DIR/img/no-such-layout:test" -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"carbon-container: cannot find image oci:$CT_DIR/img/no-such-layout:test"* ]]
	ct_run "Bad:Name" -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *'image: "Bad:Name" is not an image reference (names are lowercase)'* ]]
}

# cached_images DIR: the images in a cache (not their .lock and .size)
cached_images() {
	find "$1" -mindepth 1 -maxdepth 1 -type d -name 'sha256-*' ! -name '*.tmp'
}

# as_user CMD...: CMD as the test user (for files in its directories)
as_user() {
	runuser -u "$CARBON_FED_USER" -- "$@"
}

@test "container cache: over --cache-limit, the least recently used image is evicted" {
	export CT_CACHE=$CT_DIR/user/cache-lru
	ct_run "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 0 ]
	local first
	mapfile -t first < <(cached_images "$CT_CACHE")
	[ "${#first[@]}" = 1 ] && [ -d "${first[0]}" ]
	# a size of its own is kept next to each image, for the next eviction
	[ "$(cat "${first[0]}.size")" -gt 0 ]
	ct_run --cache-limit 1K "docker-archive:$CT_DIR/img/busybox.docker.tar" -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" == *"carbon-container: evicted ${first[0]##*/}"* ]]
	[ ! -e "${first[0]}" ]
	# the image in use (this task's) stays, even over the limit
	local now
	mapfile -t now < <(cached_images "$CT_CACHE")
	[ "${#now[@]}" = 1 ] && [ "${now[0]}" != "${first[0]}" ]
}

@test "container cache: an image a running task uses is never evicted" {
	export CT_CACHE=$CT_DIR/user/cache-busy
	ct_run "$CT_IMAGE" -- /bin/true
	local busy
	mapfile -t busy < <(cached_images "$CT_CACHE")
	[ "${#busy[@]}" = 1 ]
	(ct_run "$CT_IMAGE" -- /bin/sleep 4) 3>&- &
	local bg=$!
	# wait for it to be running (its runtime state exists)
	for _ in $(seq 50); do
		ls "$CT_DIR"/user/state-*/runtime/task >/dev/null 2>&1 && break
		sleep 0.1
	done
	ct_run --cache-limit 1K "docker-archive:$CT_DIR/img/busybox.docker.tar" -- /bin/true
	[ "$status" -eq 0 ]
	[[ "$output" != *"evicted ${busy[0]##*/}"* ]]
	[ -d "${busy[0]}" ]
	wait "$bg"
}

@test "container cache: a bad --cache-limit is refused with the accepted form" {
	ct_run --cache-limit 20X "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *'--cache-limit: "20X" is not a size up to 1024T; use a size in bytes, or with K, M, G or T (e.g. 20G)'* ]]
}

@test "container task: --writable gives a private writable root; the cached one is untouched" {
	ct_run --writable "$CT_IMAGE" -- /bin/sh -c 'echo hi >/new-file && cat /new-file'
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ -z "$(ls "$CT_DIR"/user/cache/sha256-*/bundle/rootfs/new-file 2>/dev/null)" ]
	ct_run "$CT_IMAGE" -- /bin/sh -c 'test ! -e /new-file'
	[ "$status" -eq 0 ]
}

@test "container task: registry credentials readable by others are refused" {
	local auth=$CT_DIR/user/auth.json
	echo '{"auths":{}}' >"$auth"
	chown "$CARBON_FED_USER" "$auth"
	chmod 644 "$auth"
	ct_run --authfile "$auth" "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"registry credentials $auth: mode 0644"*"mode 0600 (chmod 600 $auth)"* ]]
	chmod 600 "$auth"
	: >"$CT_DIR/user/skopeo.log"
	ct_run --authfile "$auth" "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 0 ]
	grep -q -- "--authfile $auth" "$CT_DIR/user/skopeo.log"
}

@test "container task: --mirror sends Docker Hub references to the mirror, others not" {
	: >"$CT_DIR/user/skopeo.log"
	ct_run --mirror 127.0.0.1:9 alpine:3.19 -- /bin/true
	[ "$status" -eq 125 ]
	grep -q "docker://127.0.0.1:9/library/alpine:3.19" "$CT_DIR/user/skopeo.log"
	ct_run --mirror 127.0.0.1:9 "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 0 ]
	! grep -q "127.0.0.1:9/.*layout" "$CT_DIR/user/skopeo.log"
}

@test "container task: its runtime killed, the task dies too; clean removes what was left" {
	local runs=$CT_DIR/user/runs pid
	as_user mkdir -p -m 700 "$runs"
	# as slurmstepd runs it: carbon-container's parent is this subshell
	(cd "$CT_DIR/user/work" && exec runuser -u "$CARBON_FED_USER" -- \
		env PATH="$CT_DIR/bin:$PATH" HOME="$CT_DIR/user" \
		"$CARBON_TOP/build/libexec/carbon-container" run \
		--cache "$CT_DIR/user/cache" --state "$runs/7.0.0" \
		--init "$CARBON_TOP/build/libexec/carbon-container-init" \
		"$CT_IMAGE" -- /bin/sleep 300) 3>&- >/dev/null 2>&1 &
	for _ in $(seq 100); do
		[ -e "$runs/7.0.0/runtime/task/state.json" ] && break
		sleep 0.1
	done
	[ -e "$runs/7.0.0/runtime/task/state.json" ]
	# the runtime (carbon-container exec'd it): runuser's child
	pid=$(pgrep -P "$!" | head -1)
	[ -n "$pid" ]
	local task
	task=$(pgrep -P "$pid" | head -1)
	[ -n "$task" ]
	# clean leaves a run directory in use alone
	as_user "$CARBON_TOP/build/libexec/carbon-container" clean --dir "$runs"
	[ -d "$runs/7.0.0" ]
	kill -KILL "$pid"
	for _ in $(seq 50); do
		kill -0 "$task" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$task" 2>/dev/null
	wait || true
	[ -d "$runs/7.0.0" ]
	as_user "$CARBON_TOP/build/libexec/carbon-container" clean --dir "$runs"
	[ ! -e "$runs/7.0.0" ]
}

@test "container task: --runtime picks the OCI runtime; a missing one fails the task, saying so" {
	local rt=$CT_DIR/bin/site-runtime
	printf '#!/bin/sh\necho "$*" >>%s/user/runtime.log\nexec runc "$@"\n' "$CT_DIR" >"$rt"
	chmod 755 "$rt"
	ct_run --runtime "$rt" "$CT_IMAGE" -- /bin/sh -c 'echo ran'
	[ "$status" -eq 0 ]
	[ "$output" = ran ]
	grep -q -- "--root $CT_DIR/user/state-.*/runtime run --bundle" "$CT_DIR/user/runtime.log"
	ct_run --runtime /nonexistent/runtime "$CT_IMAGE" -- /bin/true
	[ "$status" -eq 125 ]
	[[ "$output" == *"cannot run /nonexistent/runtime"* ]]
}
