#!/usr/bin/env bats
# More footprints on the real federation (48-footprint.bats has the
# basics): measured energy from the test energy plugin, GPUs in the model
# and in the estimate at submission, a job moved and deferred, Redis and
# carbon-cached down at job end, failed, timed-out and heterogeneous jobs,
# and running a deferred job now (scontrol update StartTime=now), which
# re-planning respects.  Every expected number is computed here from
# sacct's fields and the flat records written into Redis.

load helpers
load footprint_helpers

ES=300
NO=50
CAL=400
W=150
FED="$CARBON_TOP/cluster-configs/local/federation.sh"

setup_file() {
	put ES --spec="$(flat $ES)"
	put NO --spec="$(flat $NO)"
	put US-CAL-CISO --spec="$(flat $CAL)"
}

# A job a test started to fill a cluster; cancelled whatever the outcome.
BLOCKER=
teardown() {
	[ -z "$BLOCKER" ] || scancel -M cal "$BLOCKER" 2>/dev/null || true
	BLOCKER=
	# A failed test must not leave the daemons stopped or the energy on.
	"$FED" redis start 3>&- >/dev/null 2>&1 || true
}

teardown_file() {
	fed_energy off >/dev/null 2>&1 || true
	"$FED" redis start 3>&- >/dev/null 2>&1 || true
	"$FED" cached start 3>&- >/dev/null 2>&1 || true
}

# elapsed JOBID: the run's seconds as the footprint saw them (End - Start).
elapsed() { sacct_field "$1" ElapsedRaw; }

@test "measured: an exclusive job's energy is the plugin's W x its run, and its gCO2e that at the zone" {
	local id fp e el kwh
	fed_energy "$W"
	id=$(submit_at cal -M cal --exclusive -n1 -t 5 --wrap 'sleep 12')
	wait_sacct "$id" COMPLETED 90
	fp=$(footprint_of "$id")
	fed_energy off
	echo "# $fp" >&3
	[ "$(field "$fp" e)" = measured-slurm ]
	# A batch-only job: its energy is its batch step's (docs/design.md 13).
	e=$(sacct -L -n -P -j "$id.batch" -o JobID,ConsumedEnergyRaw | awk -F'|' -v s="$id.batch" '$1 == s { print $2 }')
	el=$(elapsed "$id")
	close "$(field "$fp" kwh)" "$(py "$e * 1.2 / 3.6e6")"
	# ... and that is W over the run: at least the sleep, less than
	# Elapsed + 1 s (46-energy.bats says why).
	python3 -c "import sys; k=$(field "$fp" kwh); sys.exit(0 if $W*12*1.2/3.6e6 <= k < $W*($el+1)*1.2/3.6e6 else 1)"
	kwh=$(field "$fp" kwh)
	close "$(field "$fp" g)" "$(py "$kwh * $CAL")"
	close "$(field "$fp" ci)" $CAL 0.05
	[ "$(field "$fp" q)" = fresh ]
}

@test "model with GPUs: a job with --gres=gpu:1 is priced with GpuPower" {
	local id fp el kwh
	id=$(submit_at cal -M cal -n1 -t 5 --gres=gpu:1 --wrap "$(busy 5)")
	wait_sacct "$id" COMPLETED 90
	[[ "$(sacct_field "$id" AllocTRES)" == *gres/gpu=1* ]]
	fp=$(footprint_of "$id")
	[ "$(field "$fp" e)" = model ]
	el=$(elapsed "$id")
	# 12 W x TotalCPU + 200 W x 1 GPU x the run, times PUE 1.2
	kwh=$(py "$(model_kwh "$id") + 200 * $el * 1.2 / 3.6e6")
	close "$(field "$fp" kwh)" "$kwh"
	close "$(field "$fp" g)" "$(py "$kwh * $CAL")"
}

@test "GPUs count in the estimate at submission" {
	local a b ga gb
	a=$(submit_at cal -M cal -n1 -t 5 --hold --wrap true)
	b=$(submit_at cal -M cal -n1 -t 5 --hold --gres=gpu:2 --wrap true)
	ga=$(scontrol -M cal show job "$a" | grep -oE '"now_g":[0-9.]+' | cut -d: -f2)
	gb=$(scontrol -M cal show job "$b" | grep -oE '"now_g":[0-9.]+' | cut -d: -f2)
	scancel -M cal "$a" "$b"
	echo "# now_g without GPUs $ga, with 2: $gb" >&3
	# 2 GPUs x 200 W x 300 s x PUE 1.2 at 400 g/kWh: 16 g more
	close "$(py "$gb - $ga")" 16 0.15
}

@test "a flexible job moved and deferred: its saving is the counterfactual at the origin from submission minus the actual" {
	# no: dirty now, clean from +120 s; es (the origin) flat, cal dirtier.
	local o spec= id fp kwh now begin
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 120 ? 900 : 20))"
	done
	put NO --spec="$spec"
	now=$(date +%s)
	id=$(submit_at es -n1 -t 2 --carbon-urgency=flexible --wrap "$(busy 5)")
	wait_sacct "$id" COMPLETED 300
	[ "$(sacct_field "$id" Cluster)" = no ]
	begin=$(date -d "$(sacct_field "$id" Start)" +%s)
	[ "$begin" -ge $((now / 60 * 60 + 120)) ]
	fp=$(footprint_of "$id")
	echo "# $fp" >&3
	[ "$(field "$fp" plan)" = moved,deferred ]
	[ "$(field "$fp" on)" = no ]
	[ "$(field "$fp" from)" = es ]
	kwh=$(model_kwh "$id")
	close "$(field "$fp" kwh)" "$kwh"
	close "$(field "$fp" g)" "$(py "$kwh * 20")"
	# by hand: the same energy at es, flat, from submission
	close "$(field "$fp" cf_g)" "$(py "$kwh * $ES")"
	close "$(field "$fp" saved_g)" "$(py "$kwh * ($ES - 20)")"
	# Only now: the footprint is priced on the series the snapshot holds
	# when it is recorded.
	put NO --spec="$(flat $NO)"
}

# down_at_end QUALITY PUT-ARGS...: write ES's record, stop Redis while a
# job runs at es, and check its footprint: recorded, at ES's value, with
# QUALITY.
down_at_end() {
	local q=$1 id fp kwh
	shift
	"$FED" redis start 3>&- >/dev/null
	put ES --spec="$(flat $ES)" "$@"
	id=$(submit_at es -M es -n1 -t 5 --wrap "$(busy 6)")
	wait_running es "$id"
	"$FED" redis stop >/dev/null
	wait_sacct "$id" COMPLETED 90
	fp=$(footprint_of "$id")
	echo "# $q: $fp" >&3
	[ "$(field "$fp" q)" = "$q" ]
	kwh=$(model_kwh "$id")
	close "$(field "$fp" kwh)" "$kwh"
	close "$(field "$fp" g)" "$(py "$kwh * $ES")"
}

@test "Redis and carbon-cached down at job end: the footprint is recorded, its data quality labelled" {
	"$FED" cached stop >/dev/null
	down_at_end fresh
	down_at_end stale --stale
	down_at_end fallback --fallback
	"$FED" redis start 3>&- >/dev/null
	put ES --spec="$(flat $ES)"
	# nothing failed meanwhile
	[[ "$(scontrol -M es show config)" =~ FootprintsFailed\ +=\ 0 ]]
}

@test "a failed job has the footprint of the part it ran" {
	local id fp
	id=$(submit_at es -M es -n1 -t 5 --wrap "$(busy 4); exit 1")
	wait_sacct "$id" FAILED 90
	fp=$(footprint_of "$id")
	[ "$(field "$fp" ran)" = 1 ]
	close "$(field "$fp" kwh)" "$(model_kwh "$id")"
	python3 -c "import sys; sys.exit(0 if float('$(field "$fp" kwh)') > 0 else 1)"
}

@test "a timed-out job has the footprint of the part it ran" {
	local id fp kwh
	id=$(submit_at es -M es -n1 --time=1 --wrap "$(busy 300)")
	wait_sacct "$id" TIMEOUT 240
	fp=$(footprint_of "$id")
	[ "$(field "$fp" ran)" = 1 ]
	kwh=$(model_kwh "$id")
	close "$(field "$fp" kwh)" "$kwh"
	# about a minute at full use (TotalCPU), not the 300 s asked for
	python3 -c "import sys; sys.exit(0 if 50*12*1.2/3.6e6 < $kwh < 200*12*1.2/3.6e6 else 1)"
	close "$(field "$fp" g)" "$(py "$kwh * $ES")"
}

@test "a heterogeneous job: each component has its own footprint, at its origin" {
	# Slurm runs a heterogeneous job entirely at the cluster it was
	# submitted to, even in a federation (heterogeneous_jobs.shtml).
	local id rows end k
	# the script on stdin: the test's directory is not the user's.  The
	# partition het has es's two nodes: backfill starts a het job only
	# when each component can have a node of its own.
	id=$(printf '%s\n' '#!/bin/sh' '#SBATCH -p het -n1 -t 5 --mem=100M' '#SBATCH hetjob' \
		'#SBATCH -p het -n2 -t 5 --mem=100M' \
		"$(busy 4)" | USER_SLURM_CONF=$(conf_of es) as_user sbatch --parsable \
		-J "$(unique_name)" | cut -d';' -f1)
	end=$((SECONDS + 120))
	while [ $SECONDS -lt $end ]; do
		rows=$(sacct -L -X -n -P -j "$id" -o JobID,Cluster,State,AdminComment)
		[ "$(grep -c '"carbon_fp":{' <<<"$rows")" -ge 2 ] && break
		sleep 1
	done
	echo "# $rows" >&3
	for k in 0 1; do
		grep -qE "^$id\+$k\|es\|COMPLETED\|.*\"carbon_fp\":\{\"v\":1,\"ran\":1" <<<"$rows"
	done
}

@test "a deferred job run now with scontrol update StartTime=now: re-planning does not defer it again" {
	local o spec= id end rec begin
	# cal: dirty now, clean from +3 h: the job waits for it.
	for ((o = -600; o <= 36000; o += 600)); do
		spec+="${spec:+,}$o:$((o < 10800 ? 900 : 20))"
	done
	put US-CAL-CISO --spec="$spec"
	# cal is full, so the job stays pending after it is made eligible.
	BLOCKER=$(submit_at cal -M cal -n 8 -t 10 --carbon-urgency=critical --wrap 'sleep 600')
	wait_running cal "$BLOCKER"
	id=$(submit_at cal -M cal -n1 -t 2 --carbon-urgency=flexible --wrap true)
	[[ "$(scontrol -M cal show job "$id")" == *'"begin":"20'* ]]
	# 22.05's scontrol knows StartTime= (or EligibleTime=), not BeginTime=.
	run as_user scontrol -M cal update JobId="$id" BeginTime=now
	[ "$status" -ne 0 ]
	as_user scontrol -M cal update JobId="$id" StartTime=now
	wait_log "$(ctld_log cal)" "slurmctld/carbon: job $id begin time set by the user: marked in the record" 60
	# One more pass (ReplanInterval 15 s) and the job is still eligible.
	sleep 20
	rec=$(scontrol -M cal show job "$id")
	[[ "$rec" == *'"begin_by":"user"'* ]]
	begin=$(grep -oE 'EligibleTime=[^ ]+' <<<"$rec" | cut -d= -f2)
	[ "$(date -d "$begin" +%s)" -le "$(date +%s)" ]
	if grep -q "slurmctld/carbon: job $id re-planned" "$(ctld_log cal)"; then return 1; fi
	scancel -M cal "$BLOCKER"
	BLOCKER=
	wait_sacct "$id" COMPLETED 90
	put US-CAL-CISO --spec="$(flat $CAL)"
}
