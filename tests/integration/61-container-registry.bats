#!/usr/bin/env bats
# carbon-container against a real registry: Debian's docker-registry
# (the CNCF distribution registry, as Docker Hub runs it) on 127.0.0.1 with
# htpasswd authentication, the offline test image pushed into it.  What
# Docker Hub would do, without the network: a docker:// pull with the
# user's credentials file, a refusal without it, and Docker Hub names sent
# to the site's mirror.

load helpers

setup_file() {
	export RG_DIR RG_PORT RG_PID RG_HOME
	RG_DIR=$(mktemp -d /tmp/carbon-reg.XXXXXX)
	chmod 755 "$RG_DIR"
	"$CARBON_TOP/tests/container/make-image.sh" "$RG_DIR/img" >/dev/null
	RG_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# a password of this run's own, never in the repository
	local pass
	pass=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
	htpasswd -Bbn carbon "$pass" >"$RG_DIR/htpasswd"
	cat >"$RG_DIR/config.yml" <<EOF
version: 0.1
storage:
  filesystem:
    rootdirectory: $RG_DIR/data
http:
  addr: 127.0.0.1:$RG_PORT
auth:
  htpasswd:
    realm: carbon-test
    path: $RG_DIR/htpasswd
EOF
	docker-registry serve "$RG_DIR/config.yml" >"$RG_DIR/registry.log" 2>&1 3>&- &
	RG_PID=$!
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$RG_PORT/v2/" && break
		sleep 0.2
	done
	skopeo copy --quiet --dest-tls-verify=false --dest-creds "carbon:$pass" \
		"oci:$RG_DIR/img/layout:test" "docker://127.0.0.1:$RG_PORT/library/busybox:test"
	# the user's side: plain HTTP allowed for this registry, credentials 0600
	RG_HOME=$RG_DIR/home
	mkdir -p -m 700 "$RG_HOME"
	mkdir -p "$RG_HOME/.config/containers" "$RG_HOME/work"
	printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$RG_PORT" \
		>"$RG_HOME/.config/containers/registries.conf"
	printf '{"auths": {"127.0.0.1:%s": {"auth": "%s"}}}\n' "$RG_PORT" \
		"$(printf 'carbon:%s' "$pass" | base64)" >"$RG_HOME/.config/containers/auth.json"
	chmod 600 "$RG_HOME/.config/containers/auth.json"
	chown -R "$CARBON_FED_USER" "$RG_HOME"
}

teardown_file() {
	[ -z "${RG_PID:-}" ] || kill "$RG_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$RG_DIR"
}

# rg_run [OPTIONS] IMAGE -- CMD...: carbon-container run as the test user
# with HOME=$RG_HOME; sets $output and $status.
rg_run() {
	local state=$RG_HOME/state-$RANDOM
	status=0
	output=$(cd "$RG_HOME/work" && runuser -u "$CARBON_FED_USER" -- \
		env HOME="$RG_HOME" "$CARBON_TOP/build/libexec/carbon-container" run \
		--cache "$RG_HOME/cache" --state "$state" \
		--init "$CARBON_TOP/build/libexec/carbon-container-init" \
		"$@" 2>&1) || status=$?
	rm -rf "$state"
}

@test "registry: a docker:// image is pulled with the user's credentials file" {
	rg_run "127.0.0.1:$RG_PORT/library/busybox:test" -- /bin/sh -c 'echo "$CARBON_IMAGE_VAR"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-image ]
	[ -n "$(find "$RG_HOME/cache" -maxdepth 1 -type d -name 'sha256-*')" ]
}

@test "registry: without credentials the pull is refused, and the task says so" {
	mv "$RG_HOME/.config/containers/auth.json" "$RG_HOME/auth.away"
	rm -rf "$RG_HOME/cache"
	rg_run "127.0.0.1:$RG_PORT/library/busybox:test" -- /bin/true
	mv "$RG_HOME/auth.away" "$RG_HOME/.config/containers/auth.json"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == *"carbon-container: cannot find image docker://127.0.0.1:$RG_PORT/library/busybox:test"* ]]
	# skopeo's own reason comes first, on the job's stderr too
	[[ "$output" == *"unauthorized: authentication required"* ]]
}

@test "registry: a Docker Hub name goes to the mirror" {
	rm -rf "$RG_HOME/cache"
	rg_run --mirror "127.0.0.1:$RG_PORT" busybox:test -- /bin/sh -c 'echo "$CARBON_IMAGE_VAR"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = from-image ]
	grep -q 'library/busybox/manifests/test' "$RG_DIR/registry.log"
}
