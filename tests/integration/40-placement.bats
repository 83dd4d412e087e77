#!/usr/bin/env bats
# Carbon-aware placement at submission, on the real federation: records
# written into Redis (signed as carbon-cached signs them) reach each
# slurmctld's snapshot, and job_submit/carbon places jobs by them.

load helpers

# The AdminComment of the copy that ran (sacct -L), once it completed.
decision_of() {
	wait_sacct "$1" COMPLETED 90
	sacct_field "$1" AdminComment
}

# A job a test started to fill a cluster; cancelled whatever the outcome.
BLOCKER=
teardown() {
	[ -z "$BLOCKER" ] || scancel -M no "$BLOCKER" 2>/dev/null || true
	BLOCKER=
}

submit_at() {
	local c=$1
	shift
	USER_SLURM_CONF=$(conf_of "$c") as_user sbatch --parsable \
		-J "$(unique_name)" "$@"
}

@test "a flexible job from each cluster runs where the zone is cleanest (NO)" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	local c id rec
	for c in "${CLUSTERS[@]}"; do
		id=$(submit_at "$c" -t 10 --carbon-urgency=flexible --wrap true)
		rec=$(decision_of "$id")
		[ "$(sacct_field "$id" Cluster)" = no ]
		[[ "$rec" == *'"carbon":{"v":1,"at":"no","begin":"now"'* ]]
		[[ "$rec" == *'"q":"fresh"'* ]]
		[[ "$rec" == *'"rank":"no:'* ]]
	done
}

@test "when the order flips, the job follows the cleaner zone (ES)" {
	put ES --spec="$(flat 40)"
	put NO --spec="$(flat 300)"
	put US-CAL-CISO --spec="$(flat 500)"
	local id
	id=$(submit_at cal -t 10 --carbon-urgency=flexible --wrap true)
	[ "$(decision_of "$id" >/dev/null; sacct_field "$id" Cluster)" = es ]
	[[ "$(sacct_field "$id" AdminComment)" == *'"at":"es"'* ]]
}

@test "sbatch tells the user where the plan moved the job, and says nothing when it did not" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	local out id
	out=$(submit_at es -t 10 --carbon-urgency=flexible --wrap true 2>&1)
	[[ "$out" == *"sbatch: carbon: runs at no (moved): expected "*" gCO2e, 85% below running now at es ("*" g)"* ]]
	id=$(echo "$out" | tail -n 1)
	decision_of "${id%%;*}" >/dev/null
	out=$(submit_at es -M es -t 10 --carbon-urgency=critical --wrap true 2>&1)
	[[ "$out" != *"carbon:"* ]]
	# A normal job keeps its origin: it is not said to be moved.
	out=$(submit_at es -t 10 --wrap true 2>&1)
	[[ "$out" == *"sbatch: carbon: prefers no, es kept (it runs where it can start first): expected "*" gCO2e there, 85% below running now at es ("*" g)"* ]]
	id=$(echo "$out" | tail -n 1)
	decision_of "${id%%;*}" >/dev/null
}

@test "a critical job is neither moved nor deferred" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	local id rec
	id=$(submit_at cal -M cal -t 10 --carbon-urgency=critical --wrap true)
	id=${id%%;*}
	rec=$(decision_of "$id")
	[ "$(sacct_field "$id" Cluster)" = cal ]
	[[ "$rec" == *'"begin":"now"'* ]]
	[[ "$rec" == *'"why":"critical: runs as submitted"'* ]]
}

@test "the user's own -M is never widened" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	local id
	id=$(submit_at cal -M es,cal -t 10 --carbon-urgency=flexible --wrap true)
	id=${id%%;*}
	decision_of "$id" >/dev/null
	[ "$(sacct_field "$id" Cluster)" = es ]
}

@test "a flexible job waits for a clean window a few minutes away" {
	# cal: dirty now, clean from +120 s (points every minute).
	local o spec= now id begin start
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 120 ? 400 : 20))"
	done
	now=$(date +%s)
	put US-CAL-CISO --spec="$spec"
	id=$(submit_at cal -M cal -t 2 --carbon-urgency=flexible --wrap true 2>"$BATS_TEST_TMPDIR/err")
	id=${id%%;*}
	# sbatch said when it will start
	grep -qE '^sbatch: carbon: runs at cal, not before [0-9T:-]+Z \(in 0\.[0-9] h\): expected ' "$BATS_TEST_TMPDIR/err"
	begin=$(scontrol -M cal show job "$id" | grep -oE 'EligibleTime=[^ ]+' | cut -d= -f2)
	begin=$(date -d "$begin" +%s)
	# The window starts at the first clean point: 120 s after the minute
	# put_record.py counted from (that of $now, or the next one).
	[ "$begin" -ge $((now / 60 * 60 + 120)) ]
	[ "$begin" -le $((now / 60 * 60 + 180)) ]
	wait_sacct "$id" COMPLETED 300
	start=$(date -d "$(sacct_field "$id" Start)" +%s)
	[ "$start" -ge "$begin" ]
	[[ "$(sacct_field "$id" AdminComment)" == *'"why":"deferred '* ]]
}

@test "a job whose deadline leaves no room starts at once" {
	local o spec= id rec
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 600 ? 400 : 20))"
	done
	put US-CAL-CISO --spec="$spec"
	id=$(submit_at cal -M cal -t 5 --carbon-urgency=flexible \
		--carbon-deadline=now+7minutes --wrap true)
	id=${id%%;*}
	rec=$(decision_of "$id")
	[[ "$rec" == *'"begin":"now"'* ]]
}

@test "a forged record is rejected and the last good data stays" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	local before
	before=$(grep -c 'zone NO: record in carbon:zone:NO rejected' "$(ctld_log cal)" || true)
	"$PUT" NO --spec="$(flat 999)" --forge >/dev/null
	wait_log "$(ctld_log cal)" 'zone NO: record in carbon:zone:NO rejected: signature does not verify'
	local id
	id=$(submit_at cal -t 10 --carbon-urgency=flexible --wrap true)
	[ "$(decision_of "$id" >/dev/null; sacct_field "$id" Cluster)" = no ]
	[ "$(grep -c 'zone NO: record in carbon:zone:NO rejected' "$(ctld_log cal)")" -gt "$before" ]
	# Put good data back for the tests after this one.
	put NO --spec="$(flat 30)"
}

@test "a deadline the time limit cannot meet is rejected by slurmctld" {
	run submit_at cal -t 600 --carbon-deadline=now+2hours --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--carbon-deadline:"*"less than the job's time limit of 10:00:00"* ]]
}

# eligible CLUSTER ID: the job's begin time (EligibleTime), in epoch seconds.
eligible() {
	local t
	t=$(scontrol -M "$1" show job "$2" | grep -oE 'EligibleTime=[^ ]+' | cut -d= -f2)
	date -d "$t" +%s
}

# latest_of CLUSTER ID: the latest start in the job's carbon record.
latest_of() {
	local t
	t=$(scontrol -M "$1" show job "$2" | grep -oE '"latest":"[^"]+"' | cut -d'"' -f4)
	date -d "$t" +%s
}

@test "after the forecast changes, re-planning moves a pending job's start earlier, never past its latest start" {
	# cal: dirty for 20 minutes, then clean (50) for hours.
	local o spec= now id b1 b2 latest end
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 1200 ? 400 : 50))"
	done
	put US-CAL-CISO --spec="$spec"
	now=$(date +%s)
	id=$(submit_at cal -M cal -t 2 --carbon-urgency=flexible \
		--carbon-max-delay=1h --wrap true)
	id=${id%%;*}
	b1=$(eligible cal "$id")
	latest=$(latest_of cal "$id")
	[ $((b1 - now)) -ge 1100 ]
	[ $((b1 - now)) -le 1300 ]
	[ "$b1" -le "$latest" ]
	# The new forecast: far cleaner (5) from one minute from now.
	spec=
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 60 ? 400 : o < 900 ? 5 : 50))"
	done
	put US-CAL-CISO --spec="$spec"
	# The next re-planning pass (ReplanInterval=15s here) moves it.
	end=$((SECONDS + 90))
	while [ $SECONDS -lt $end ]; do
		b2=$(eligible cal "$id")
		[ "$b2" -lt "$b1" ] && break
		sleep 2
	done
	[ "$b2" -lt "$b1" ]
	[ "$b2" -le "$latest" ]
	wait_log "$(ctld_log cal)" "slurmctld/carbon: job $id re-planned: deferred"
	wait_sacct "$id" COMPLETED 300
	[ "$(date -d "$(sacct_field "$id" Start)" +%s)" -ge "$b2" ]
	[[ "$(sacct_field "$id" AdminComment)" == *'"why":"re-planned: '* ]]
}

@test "a flexible job still pending at its latest start is released to every allowed cluster" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	# no, the cleanest, is full: a critical job holds all its CPUs.
	local blocker id end state
	blocker=$(submit_at no -M no -n 8 -t 10 --carbon-urgency=critical \
		--wrap "sleep 600")
	blocker=${blocker%%;*}
	BLOCKER=$blocker
	end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		state=$(squeue -M no -h -j "$blocker" -o %T | tail -n 1)
		[ "$state" = RUNNING ] && break
		sleep 1
	done
	[ "$state" = RUNNING ]
	# Sent to no alone; it cannot start there, and may wait one minute.
	id=$(submit_at cal -t 2 --carbon-urgency=flexible \
		--carbon-max-delay=1m --wrap true)
	id=${id%%;*}
	wait_log "$(ctld_log cal)" "slurmctld/carbon: job $id released at its latest start" 150
	wait_sacct "$id" COMPLETED 120
	scancel -M no "$blocker"
	[ "$(sacct_field "$id" Cluster)" != no ]
}

@test "re-planning moves a deferred job to another cluster when that one became much cleaner" {
	# es is clean from 20 minutes from now; no and cal are dirty.
	local o spec= id end
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 1200 ? 400 : 20))"
	done
	put ES --spec="$spec"
	put NO --spec="$(flat 300)"
	put US-CAL-CISO --spec="$(flat 300)"
	id=$(submit_at cal -t 2 --carbon-urgency=flexible --carbon-max-delay=1h \
		--wrap true)
	id=${id%%;*}
	[[ "$(scontrol -M cal show job "$id")" == *'"at":"es","begin":"20'* ]]
	# no becomes far cleaner at once: the job follows it, now.
	put NO --spec="$(flat 5)"
	wait_log "$(ctld_log cal)" "slurmctld/carbon: job $id re-planned: moved to no.*clusters no" 90
	wait_sacct "$id" COMPLETED 120
	[ "$(sacct_field "$id" Cluster)" = no ]
}
