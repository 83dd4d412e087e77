#!/usr/bin/env bats
# Faults in the carbon data path never reject or lose a job: Redis paused or
# stopped, stale records, carbon-cached killed.  Each burst is submitted with
# sbatch as the test user; every job must be accepted and reach sacct.
# Runs last: it leaves Redis and carbon-cached stopped.

load helpers

PUT="$BATS_TEST_DIRNAME/put_record.py"

flat() {
	local v=$1 o spec=
	for ((o = -86400; o <= 172800; o += 3600)); do
		spec+="${spec:+,}$o:$v"
	done
	echo "$spec"
}

put() {
	local zone=$1 out ts c
	shift
	out=$("$PUT" "$zone" "$@")
	ts=${out##* }
	for c in "${CLUSTERS[@]}"; do
		wait_log "$(ctld_log "$c")" "zone $zone: new data fetched at $ts"
	done
}

pid_of() { cat "$CARBON_FED_DIR/pids/$1.pid"; }

# burst N TAG: submit N jobs spread over the clusters (origins), all must be
# accepted; prints their ids.
burst() {
	local n=$1 tag=$2 i c out
	for ((i = 0; i < n; i++)); do
		c=${CLUSTERS[$((i % 3))]}
		out=$(USER_SLURM_CONF=$(conf_of "$c") as_user sbatch --parsable \
			-J "$tag" -t 5 --carbon-urgency=flexible --wrap true) || {
			echo "submission $i of $n at $c was rejected: $out" >&2
			return 1
		}
		echo "${out%%;*}"
	done
}

# all_done TAG N: every job named TAG is COMPLETED in sacct -L.
all_done() {
	local tag=$1 n=$2 end=$((SECONDS + 300)) done_n=0
	while [ $SECONDS -lt $end ]; do
		done_n=$(sacct -L -X -n -P --name "$tag" -o State | grep -c '^COMPLETED' || true)
		[ "$done_n" -ge "$n" ] && return 0
		sleep 2
	done
	echo "only $done_n of $n jobs named $tag completed" >&2
	return 1
}

# quality TAG: the data-quality values recorded on jobs named TAG.
qualities() {
	sacct -L -X -n -P --name "$1" -o AdminComment |
		grep -oE '"q":"[a-z]+"' | sort | uniq -c
}

@test "stale records: a burst of 100 jobs is accepted and decided on stale data" {
	for z in ES NO US-CAL-CISO; do
		put "$z" --spec="$(flat 100)" --stale
	done
	local tag=stale$$
	burst 100 "$tag" >/dev/null
	all_done "$tag" 100
	run qualities "$tag"
	[[ "$output" == *'"q":"stale"'* ]]
	run grep -q '"q":"fresh"' <<<"$output"
	[ "$status" -ne 0 ]
}

@test "Redis paused (SIGSTOP): a burst of 200 jobs is accepted and completes" {
	local redis tag=paused$$
	redis=$(pid_of redis)
	kill -STOP "$redis"
	burst 200 "$tag" >/dev/null || {
		kill -CONT "$redis"
		return 1
	}
	kill -CONT "$redis"
	all_done "$tag" 200
	# The controllers kept deciding from the snapshot they had.
	[ "$(sacct -L -X -n -P --name "$tag" -o AdminComment | grep -c '"carbon":{"v":1')" -eq 200 ]
}

@test "carbon-cached killed and Redis stopped: a burst of 50 jobs is accepted" {
	local tag=down$$
	kill -TERM "$(pid_of carbon-cached)" 2>/dev/null || true
	kill -TERM "$(pid_of redis)"
	burst 50 "$tag" >/dev/null
	all_done "$tag" 50
	# The snapshot refresh (every 5 s here) reports the outage.
	wait_log "$(ctld_log cal)" "cannot reach Redis at 127.0.0.1:$CARBON_REDIS_PORT" 30
	[ "$(sacct -L -X -n -P --name "$tag" -o AdminComment | grep -c '"carbon":{"v":1')" -eq 50 ]
}
