#!/usr/bin/env bats
# Measured energy: with the test-only plugin acct_gather_energy/carbontest
# (tests/energy/: the node draws a constant W watts), Slurm's energy
# accounting reports a known energy, and this file pins where a job's
# energy lands in the accounting records (Slurm 22.05, PrologFlags without
# Contain, as this federation runs):
#  - each step's ConsumedEnergy is W x the time between its task's first and
#    last reading: at least W x what the task slept, less than
#    W x (its Elapsed + 1 s);
#  - a job's own energy TRES (sacct -X ConsumedEnergy, AllocTRES energy=) is
#    the sum of its srun steps' only: the batch step's is never added, so a
#    job without srun steps has none;
#  - there is no extern step.
# Bounds, not a tolerance around W x Elapsed: the readings are taken when
# the task starts and when it ends (jobacct_gather polls at both), which
# brackets the task's sleep, while Start and End are the controller's
# whole seconds around the step (launch before, completion after), so the
# true span is below Elapsed + 1 s.  Polling (JobAcctGatherFrequency=5)
# does not enter: only the first and last readings count.

load helpers

W=150

setup_file() {
	fed_energy "$W"
}

teardown_file() {
	fed_energy off
}

# in_bounds JOULES SLEPT ELAPSED: W x SLEPT <= JOULES < W x (ELAPSED + 1).
in_bounds() {
	local e=$1 slept=$2 el=$3
	if ! [[ $e =~ ^[0-9]+$ && $el =~ ^[0-9]+$ ]]; then
		echo "no energy or elapsed time: '$e' J, '$el' s" >&2
		return 1
	fi
	if [ "$e" -lt $((W * slept)) ] || [ "$e" -ge $((W * (el + 1))) ]; then
		echo "$e J is not in [$((W * slept)), $((W * (el + 1)))) J" \
			"($W W x slept $slept s .. Elapsed $el s + 1 s)" >&2
		return 1
	fi
}

# step_field JOBID.STEP FIELD: one field of one step's sacct row.
step_field() {
	sacct -L -n -P -j "$1" -o JobID,"$2" | awk -F'|' -v s="$1" '$1 == s { print $2 }'
}

# submit_cal SCRIPT: an exclusive one-task batch job at cal; prints its id.
submit_cal() {
	local out
	out=$(as_user sbatch --parsable -M cal --exclusive -n1 \
		-J "$(unique_name)" --wrap "$1") || return 1
	echo "${out%%;*}"
}

@test "every node reports the plugin's constant power" {
	local c end
	for c in "${CLUSTERS[@]}"; do
		run at "$c" scontrol show config
		[ "$status" -eq 0 ]
		grep -qE '^AcctGatherEnergyType += acct_gather_energy/carbontest$' <<<"$output"
		grep -qE '^AcctGatherNodeFreq += [1-9][0-9]* sec$' <<<"$output"
		# The controller polls its node every AcctGatherNodeFreq.
		end=$((SECONDS + 30))
		until at "$c" scontrol show node "${c}1" | grep -q "CurrentWatts=$W "; do
			[ $SECONDS -lt $end ] || {
				at "$c" scontrol show node "${c}1" | grep -i watts >&2
				return 1
			}
			sleep 1
		done
	done
	grep -q "EnergyCarbonTestWatts=$W" "$CARBON_FED_DIR/etc/acct_gather.conf"
}

@test "a batch job's energy is on its batch step only; the job has none" {
	local id e el
	id=$(submit_cal 'sleep 20')
	wait_sacct "$id" COMPLETED 90
	e=$(step_field "$id.batch" ConsumedEnergyRaw)
	el=$(step_field "$id.batch" ElapsedRaw)
	echo "# batch step: $e J over $el s at $W W" >&3
	in_bounds "$e" 20 "$el"
	# The job's own energy TRES is unset (NO_VAL): sacct prints nothing.
	[ "$(sacct_field "$id" ConsumedEnergyRaw)" = "" ]
	[[ "$(sacct_field "$id" AllocTRES)" != *energy=* ]]
	[ "$(sacct -L -n -P -j "$id" -o JobID | grep -c extern)" -eq 0 ]
}

@test "with an srun step, the job's energy is the step's; the batch step's spans the job" {
	local id e0 el0 eb elb ej
	id=$(submit_cal 'sleep 3; srun -n1 sleep 8; sleep 3')
	wait_sacct "$id" COMPLETED 90
	e0=$(step_field "$id.0" ConsumedEnergyRaw)
	el0=$(step_field "$id.0" ElapsedRaw)
	eb=$(step_field "$id.batch" ConsumedEnergyRaw)
	elb=$(step_field "$id.batch" ElapsedRaw)
	ej=$(sacct_field "$id" ConsumedEnergyRaw)
	echo "# step 0: $e0 J over $el0 s; batch: $eb J over $elb s; job: $ej J" >&3
	in_bounds "$e0" 8 "$el0"
	in_bounds "$eb" 14 "$elb"
	# Summed into the job's energy TRES: srun steps only, not the batch step.
	[ "$ej" = "$e0" ]
	[[ "$(sacct_field "$id" AllocTRES)" == *"energy=$e0"* ]]
	[ "$(sacct -L -n -P -j "$id" -o JobID | grep -c extern)" -eq 0 ]
}

@test "a bad EnergyCarbonTestWatts is logged with the accepted form; slurmd runs on at 100 W" {
	local conf=$CARBON_FED_DIR/etc/acct_gather.conf bad end
	bad="${RANDOM}kW"
	sed -i "s/^EnergyCarbonTestWatts=.*/EnergyCarbonTestWatts=$bad/" "$conf"
	at cal scontrol reconfigure
	wait_log "$(slurmd_log cal)" "acct_gather_energy/carbontest: acct_gather.conf: EnergyCarbonTestWatts: \"$bad\" is not a whole number; use a whole number of watts from 1 to 1000000; using 100 W"
	end=$((SECONDS + 30))
	until at cal scontrol show node cal1 | grep -q "CurrentWatts=100 "; do
		[ $SECONDS -lt $end ] || return 1
		sleep 1
	done
	at cal sinfo -h -o %t | grep -qE '^(idle|mix|alloc)$'
	fed_energy "$W"
}
