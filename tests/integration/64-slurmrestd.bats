#!/usr/bin/env bats
# Jobs submitted through Debian's real slurmrestd (rest_auth/local, run as
# the test user on a Unix socket): no SPANK plugin sees them at submission,
# so the carbon options and the container image reach the plugins only
# through the job's environment (SLURM_CARBON_*, SLURM_CONTAINER_*).

load helpers

setup_file() {
	export RS_DIR RS_SOCK RS_PID
	RS_DIR=$(mktemp -d /tmp/carbon-rest.XXXXXX)
	chmod 755 "$RS_DIR"
	"$CARBON_TOP/tests/container/make-image.sh" "$RS_DIR/img" >/dev/null
	chmod -R a+rX "$RS_DIR/img"
	mkdir -m 700 "$RS_DIR/sock"
	chown "$CARBON_FED_USER" "$RS_DIR/sock"
	RS_SOCK=$RS_DIR/sock/slurmrestd.sock
	runuser -u "$CARBON_FED_USER" -- env SLURM_CONF="$(conf_of cal)" \
		slurmrestd -a rest_auth/local -s openapi/v0.0.38 "unix:$RS_SOCK" \
		>"$RS_DIR/slurmrestd.log" 2>&1 3>&- &
	RS_PID=$!
	for _ in $(seq 1 50); do
		[ -S "$RS_SOCK" ] && break
		sleep 0.2
	done
	[ -S "$RS_SOCK" ]
}

teardown_file() {
	[ -z "${RS_PID:-}" ] || kill "$RS_PID" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$RS_DIR"
}

# rest_submit ENV_JSON SCRIPT: POST a batch job as the test user; prints the
# answer.
rest_submit() {
	local home req
	home=$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)
	req=$(python3 -c 'import json,sys
print(json.dumps({"script": sys.argv[2], "job": {"name": "rest",
    "current_working_directory": sys.argv[3], "time_limit": 10,
    "environment": dict({"PATH": "/usr/bin:/bin"}, **json.loads(sys.argv[1]))}}))' "$1" "$2" "$home")
	runuser -u "$CARBON_FED_USER" -- curl -sS --unix-socket "$RS_SOCK" \
		-H 'Content-Type: application/json' -X POST --data "$req" \
		http://localhost/slurm/v0.0.38/job/submit
}

json_get() { python3 -c 'import json,sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

@test "slurmrestd: a container job with carbon options from its environment" {
	local img=oci:$RS_DIR/img/layout:test out id msg home
	home=$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)
	out=$(rest_submit "{\"SLURM_CONTAINER_IMAGE\": \"$img\", \"SLURM_CONTAINER_ENV\": \"GREETING=rest\", \"SLURM_CARBON_URGENCY\": \"flexible\", \"SLURM_CARBON_MAX_DELAY\": \"0\"}" \
		$'#!/bin/sh\necho "in: $CARBON_IMAGE_VAR $GREETING $(id -u)"; ls /usr/bin/sbatch 2>&1; true\n')
	echo "$out"
	id=$(json_get job_id <<<"$out")
	msg=$(json_get job_submit_user_msg <<<"$out")
	[ -n "$id" ] && [ "$id" -gt 0 ]
	# the carbon plugin took the options from the environment (its line
	# to the user only when the plan moved or deferred the job)
	[[ -z "$msg" || "$msg" == carbon:* ]]
	wait_sacct "$id" COMPLETED
	[[ "$(sacct_field "$id" AdminComment)" == *'"u":"flexible"'* ]]
	out=$(cat "$home/slurm-$id.out")
	echo "$out"
	[[ "$out" == *"in: from-image rest $(id -u "$CARBON_FED_USER")"* ]]
	[[ "$out" == *"No such file or directory"* ]]
}

@test "slurmrestd: a bad carbon option in the environment is refused, the variable named in the log" {
	local out
	out=$(rest_submit '{"SLURM_CARBON_URGENCY": "sometimes"}' $'#!/bin/sh\ntrue\n')
	echo "$out"
	# slurmrestd 22.05 answers a refused job with "Unspecified error", not
	# the plugin's message: slurmctld's log has it
	[ -z "$(json_get job_id <<<"$out")" ]
	[[ "$out" == *'"error_code"'* ]]
	wait_log "$(ctld_log cal)" 'SLURM_CARBON_URGENCY: "sometimes" is not an urgency; use critical, normal or flexible'
}
