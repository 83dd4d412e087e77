#!/usr/bin/env bats
# The --carbon-* options on the client: bad values fail sbatch at once with a
# message naming the option and the accepted form; deadlines mean what
# `sbatch --begin` means.

load helpers

# expect_rejected OPTION=VALUE TEXT: sbatch fails, says TEXT, submits nothing.
expect_rejected() {
	local name
	name=$(unique_name)
	run as_user sbatch -J "$name" "$1" --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *"$2"* ]] || {
		echo "expected '$2' in: $output" >&2
		return 1
	}
	[ -z "$(squeue -h -n "$name" -o %i)" ]
	if grep -q "job $name from uid" "$(ctld_log cal)"; then
		echo "job $name reached slurmctld" >&2
		return 1
	fi
}

@test "a bad --carbon-urgency names the option and the accepted words" {
	expect_rejected --carbon-urgency=sometimes \
		'--carbon-urgency: "sometimes" is not an urgency; use critical, normal or flexible'
}

@test "a bad --carbon-max-delay names the option and the accepted forms" {
	expect_rejected --carbon-max-delay=abc \
		'--carbon-max-delay: "abc" is not a duration; use MINUTES'
	expect_rejected --carbon-max-delay=-5 '--carbon-max-delay'
	expect_rejected --carbon-max-delay=40d '--carbon-max-delay'
	expect_rejected --carbon-max-delay=unlimited '--carbon-max-delay'
}

@test "a bad --carbon-deadline names the option" {
	expect_rejected --carbon-deadline=2020-01-01T00:00 \
		'--carbon-deadline: "2020-01-01T00:00" is 2020-01-01T00:00:00, which is not in the future'
	expect_rejected --carbon-deadline=someday '--carbon-deadline: "someday"'
	expect_rejected --carbon-deadline=2026-02-30 '--carbon-deadline'
}

@test "an over-long value is rejected" {
	expect_rejected "--carbon-max-delay=$(printf '9%.0s' {1..100})" \
		'--carbon-max-delay'
}

# The instant our parser gives for FORM equals the BeginTime Slurm's own
# parser gives for `sbatch --begin=FORM` (both run in the same sbatch).
same_instant_as_begin() {
	local form=$1 name id line ours begin
	name=$(unique_name)
	run as_user sbatch --parsable --hold -J "$name" --begin="$form" \
		--carbon-deadline="$form" --wrap true
	[ "$status" -eq 0 ]
	id=$output
	begin=$(scontrol show job "$id" | grep -oE 'EligibleTime=[^ ]+' | cut -d= -f2)
	scancel "$id"
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" =~ CARBON_DEADLINE=uts([0-9]+) ]]
	ours=${BASH_REMATCH[1]}
	begin=$(date -d "$begin" +%s)
	# Relative forms are evaluated a moment apart inside sbatch.
	local diff=$((ours - begin))
	[ "${diff#-}" -le 1 ] || {
		echo "$form: ours $ours, Slurm's $begin" >&2
		return 1
	}
}

@test "--carbon-deadline gives the same instant as sbatch --begin" {
	local tomorrow
	tomorrow=$(date -d tomorrow +%Y-%m-%d)
	for form in now+2hours now+90minutes now+3days tomorrow midnight \
		noon teatime 16:00 "${tomorrow}T08:30" "${tomorrow}T23:59:59" \
		"$tomorrow" "$(date -d '+2 days' +%m/%d)"; do
		same_instant_as_begin "$form"
	done
}

@test "SBATCH_CARBON_* variables set the options, and a bad one names the variable" {
	local name line
	name=$(unique_name)
	run as_user env SBATCH_CARBON_URGENCY=flexible SBATCH_CARBON_MAX_DELAY=2h \
		sbatch --parsable -J "$name" --wrap true
	[ "$status" -eq 0 ]
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" == *"CARBON_URGENCY=flexible"* ]]
	[[ "$line" == *"CARBON_MAX_DELAY=7200s"* ]]

	run as_user env SBATCH_CARBON_URGENCY=sometimes sbatch -J "$(unique_name)" --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *'SBATCH_CARBON_URGENCY: "sometimes" is not an urgency; use critical, normal or flexible'* ]]
	run as_user env SBATCH_CARBON_DEADLINE=yesterday sbatch -J "$(unique_name)" --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *'SBATCH_CARBON_DEADLINE: "yesterday"'* ]]
}

@test "an option given to sbatch wins over its SBATCH_CARBON_* variable" {
	local name line
	name=$(unique_name)
	run as_user env SBATCH_CARBON_URGENCY=sometimes \
		sbatch --parsable -J "$name" --carbon-urgency=critical --wrap true
	[ "$status" -eq 0 ]
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" == *"CARBON_URGENCY=critical"* ]]
}
