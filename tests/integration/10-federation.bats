#!/usr/bin/env bats
# The foundation: a real three-cluster federation with the carbon plugins
# loaded, jobs at each cluster and federated, options reaching slurmctld.

load helpers

@test "every sibling is synced from every cluster" {
	for c in "${CLUSTERS[@]}"; do
		run at "$c" scontrol show federation
		[ "$status" -eq 0 ]
		[ "$(grep -c 'Synced:Yes' <<<"$output")" -eq 2 ] || {
			echo "at $c: $output" >&2
			return 1
		}
	done
}

@test "job_submit/carbon and slurmctld/carbon are loaded on every cluster" {
	for c in "${CLUSTERS[@]}"; do
		grep -q 'job_submit/carbon: loaded' "$(ctld_log "$c")"
		grep -q 'slurmctld/carbon: loaded' "$(ctld_log "$c")"
		run at "$c" scontrol show config
		[ "$status" -eq 0 ]
		grep -qE '^JobSubmitPlugins +\= carbon$' <<<"$output"
		grep -qE '^SlurmctldPlugstack +\= carbon$' <<<"$output"
		grep -q -- '----- slurmctld/carbon -----' <<<"$output"
		grep -qE '^ReplanThread +\= running$' <<<"$output"
	done
}

@test "spank/carbon is loaded by every slurmd and by sbatch" {
	for c in "${CLUSTERS[@]}"; do
		grep -q 'spank/carbon: loaded' "$(slurmd_log "$c")"
	done
	run as_user sbatch --help
	[ "$status" -eq 0 ]
	grep -q -- '--carbon-urgency=critical|normal|flexible' <<<"$output"
	grep -q -- '--carbon-deadline=TIME' <<<"$output"
	grep -q -- '--carbon-max-delay=DURATION' <<<"$output"
}

@test "a job submitted to each cluster with -M completes there" {
	local c out ids=()
	for c in "${CLUSTERS[@]}"; do
		run as_user sbatch --parsable -M "$c" -J "$(unique_name)" \
			--wrap 'hostname; sleep 1'
		[ "$status" -eq 0 ]
		[ "${output#*;}" = "$c" ]
		ids+=("${output%%;*}")
	done
	for i in 0 1 2; do
		wait_sacct "${ids[$i]}" COMPLETED
		[ "$(sacct_field "${ids[$i]}" Cluster)" = "${CLUSTERS[$i]}" ]
		[ "$(sacct_field "${ids[$i]}" User)" = "$CARBON_FED_USER" ]
	done
}

@test "a federated job completes on one of the siblings" {
	run as_user sbatch --parsable -J "$(unique_name)" --wrap 'sleep 1'
	[ "$status" -eq 0 ]
	# the last line: sbatch prints the plan's message first (stderr)
	local id=${lines[${#lines[@]} - 1]}
	wait_sacct "$id" COMPLETED
	[[ " ${CLUSTERS[*]} " == *" $(sacct_field "$id" Cluster) "* ]]
	# One allocation row across the federation: the copy that ran.
	[ "$(sacct -L -X -n -P -j "$id" -o Cluster | wc -l)" -eq 1 ]
}

@test "--carbon-* options reach job_submit/carbon through spank_job_env" {
	local name
	name=$(unique_name)
	run as_user sbatch --parsable -J "$name" --carbon-urgency=Flexible \
		--carbon-max-delay=3h --carbon-deadline=now+1day --wrap true
	[ "$status" -eq 0 ]
	local line
	wait_log "$(ctld_log cal)" "job_submit/carbon: job $name from uid"
	line=$(grep "job_submit/carbon: job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" == *"CARBON_URGENCY=flexible"* ]]
	[[ "$line" == *"CARBON_MAX_DELAY=10800s"* ]]
	[[ "$line" =~ CARBON_DEADLINE=uts([0-9]+) ]]
	local when=${BASH_REMATCH[1]} now
	now=$(date +%s)
	# now+1day, resolved once in sbatch.
	[ $((when - now)) -le 86400 ]
	[ $((when - now)) -gt 86000 ]
}

@test "#SBATCH --carbon-* lines are read from the script" {
	local name script
	name=$(unique_name)
	script=$(mktemp /tmp/carbon-XXXXXX.sh)
	printf '#!/bin/sh\n#SBATCH --carbon-max-delay=90\n#SBATCH -J %s\ntrue\n' \
		"$name" >"$script"
	chmod 644 "$script"
	run as_user sbatch --parsable "$script"
	rm -f "$script"
	[ "$status" -eq 0 ]
	wait_log "$(ctld_log cal)" "job $name from uid .*CARBON_MAX_DELAY=5400s"
}
