#!/usr/bin/env bats
# `scontrol update` of a pending carbon job: job_submit/carbon's job_modify
# re-checks the carbon options when the time limit (or partition or QOS)
# changes, lets every other update through, and users cannot touch the
# decision record in AdminComment.  Jobs are held (sbatch -H) so they stay
# pending, and cancelled at the end.
#
# Slurm 22.05 gives job_modify no way to send text back (err_msg arrived in
# 23.02): the user sees Slurm's error for the refusal, slurmctld's log has
# the carbon message.

load helpers

# held ARGS...: submit a held job at cal as the test user; prints its id.
held() {
	local id
	id=$(as_user sbatch --parsable -H -J "$(unique_name)" "$@" --wrap true) || return 1
	id=${id%%;*}
	echo "$id" >>"$BATS_TEST_TMPDIR/jobs"
	echo "$id"
}

# field ID KEY: the job's KEY in `scontrol show job` (AdminComment and
# Comment, which may hold spaces, have a line of their own).
field() {
	case $2 in
	AdminComment | Comment)
		scontrol show job "$1" | sed -n "s/^ *$2=//p" | sed 's/ *$//'
		;;
	*) scontrol show job "$1" | grep -oE "(^| )$2=[^ ]*" | cut -d= -f2- ;;
	esac
}

teardown() {
	local id
	[ -f "$BATS_TEST_TMPDIR/jobs" ] || return 0
	while read -r id; do
		scancel "$id" 2>/dev/null || true
	done <"$BATS_TEST_TMPDIR/jobs"
}

@test "a time limit the carbon deadline cannot meet is refused, and the job keeps its own" {
	local id line
	id=$(held -t 10 --carbon-deadline=now+2hours)
	[ "$(field "$id" JobState)" = PENDING ]
	run scontrol update jobid="$id" TimeLimit=3:00:00
	[ "$status" -ne 0 ]
	# 22.05 cannot send a plugin's text with a refused update: the code
	# says what was refused.
	[[ "$output" == *"time limit is invalid"* ]]
	# The refusal must not take the controller down.
	run at cal scontrol ping
	[[ "$output" == *"is UP"* ]] || {
		echo "slurmctld cal is gone after refusing the update: $output" >&2
		return 1
	}
	[ "$(field "$id" TimeLimit)" = 00:10:00 ]
	# The reason, naming the option, is in the origin's log.
	wait_log "$(ctld_log cal)" "job_submit/carbon: rejected an update of job $id: "
	line=$(grep "job_submit/carbon: rejected an update of job $id: " "$(ctld_log cal)")
	[[ "$line" == *"--carbon-deadline: "*"less than the job's time limit of 03:00:00"* ]]
	# A limit the deadline still allows is accepted.
	scontrol update jobid="$id" TimeLimit=1:00:00
	[ "$(field "$id" TimeLimit)" = 01:00:00 ]
}

@test "updates that do not touch the carbon window are accepted" {
	local id
	id=$(held -t 10 --carbon-urgency=flexible --carbon-deadline=now+2hours)
	as_user scontrol update jobid="$id" Comment=carbon-test
	[ "$(field "$id" Comment)" = carbon-test ]
	as_user scontrol update jobid="$id" Nice=100
	[ "$(field "$id" Nice)" = 100 ]
	as_user scontrol update jobid="$id" TimeLimit=5
	[ "$(field "$id" TimeLimit)" = 00:05:00 ]
	scontrol hold "$id"
	[ "$(field "$id" Reason)" = JobHeldAdmin ]
	[[ "$(field "$id" AdminComment)" == *'"carbon":{"v":1'* ]]
}

@test "a released carbon job runs and keeps its decision" {
	local id
	id=$(held -t 5 --carbon-urgency=critical --carbon-deadline=now+2hours)
	as_user scontrol release "$id"
	wait_sacct "$id" COMPLETED 90
	[[ "$(sacct_field "$id" AdminComment)" == *'"carbon":{"v":1'*'"why":"critical: runs as submitted"'* ]]
}

@test "a user can neither set nor clear the carbon record in AdminComment" {
	local id forged='{"carbon":{"v":1,"at":"es"}}'
	id=$(held -t 10 --carbon-urgency=critical)
	[[ "$(field "$id" AdminComment)" == *'"carbon":{"v":1,"at":"cal"'* ]]
	run as_user scontrol update jobid="$id" AdminComment="$forged"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Access/permission denied"* ]]
	run as_user scontrol update jobid="$id" AdminComment=
	[ "$status" -ne 0 ]
	[[ "$output" == *"Access/permission denied"* ]]
	[[ "$(field "$id" AdminComment)" == *'"carbon":{"v":1,"at":"cal"'* ]]
}
