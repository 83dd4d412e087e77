#!/usr/bin/env bats
# Every finished job's footprint in sacct, on the real federation: the
# controller that ran a job writes "carbon_fp":{...} into its AdminComment
# row (sacct -L) within a FootprintInterval (10 s here) of the job's end.
# Intensities are flat records written into Redis, so every expected number
# is computed here from sacct's own fields: energy from the model
# (12 W a core at full use, PUE 1.2 as carbon.conf says, no memory: the
# clusters do not allocate it) and gCO2e from the zone's value.

load helpers
load footprint_helpers

ES=300
NO=50
CAL=400

setup_file() {
	put ES --spec="$(flat $ES)"
	put NO --spec="$(flat $NO)"
	put US-CAL-CISO --spec="$(flat $CAL)"
}

@test "a job that ran where it was submitted: model energy, gCO2e at its zone, saving 0" {
	local id fp kwh
	id=$(submit_at es -M es -n1 -t 5 --wrap "$(busy 6)")
	wait_sacct "$id" COMPLETED 90
	fp=$(footprint_of "$id")
	[ "$(field "$fp" ran)" = 1 ]
	[ "$(field "$fp" on)" = es ]
	[ "$(field "$fp" from)" = es ]
	[ "$(field "$fp" e)" = model ]
	[ "$(field "$fp" q)" = fresh ]
	[ "$(field "$fp" sig)" = average/lifecycle ]
	[ "$(field "$fp" plan)" = none ]
	kwh=$(model_kwh "$id")
	close "$(field "$fp" kwh)" "$kwh"
	close "$(field "$fp" ci)" $ES 0.05
	close "$(field "$fp" g)" "$(python3 -c "print($kwh * $ES)")"
	[ "$(field "$fp" saved_g)" = 0.0 ] || close "$(field "$fp" saved_g)" 0 1e-9
	# the submission decision stays next to it
	[[ "$(sacct_field "$id" AdminComment)" == *'"carbon":{"v":1,"at":"es"'* ]]
	# what the record says of the run is what sacct says
	[ "$(field "$fp" start)" = "$(date -u -d "$(sacct_field "$id" Start)" +%FT%TZ)" ]
	[ "$(field "$fp" end)" = "$(date -u -d "$(sacct_field "$id" End)" +%FT%TZ)" ]
}

@test "a flexible job moved to the cleanest zone: its saving is the counterfactual at the origin minus the actual" {
	local id fp kwh
	id=$(submit_at es -n1 -t 5 --carbon-urgency=flexible --wrap "$(busy 6)")
	wait_sacct "$id" COMPLETED 90
	[ "$(sacct_field "$id" Cluster)" = no ]
	fp=$(footprint_of "$id")
	[ "$(field "$fp" on)" = no ]
	[ "$(field "$fp" from)" = es ]
	[ "$(field "$fp" plan)" = moved ]
	kwh=$(model_kwh "$id")
	close "$(field "$fp" g)" "$(python3 -c "print($kwh * $NO)")"
	close "$(field "$fp" cf_g)" "$(python3 -c "print($kwh * $ES)")"
	close "$(field "$fp" saved_g)" "$(python3 -c "print($kwh * ($ES - $NO))")"
}

@test "two jobs sharing a node each get their own model energy" {
	local a b fa fb
	a=$(submit_at cal -M cal -n1 -t 5 --wrap "$(busy 6)")
	b=$(submit_at cal -M cal -n1 -t 5 --wrap "$(busy 3)")
	wait_sacct "$a" COMPLETED 90
	wait_sacct "$b" COMPLETED 90
	fa=$(footprint_of "$a")
	fb=$(footprint_of "$b")
	[ "$(field "$fa" e)" = model ]
	[ "$(field "$fb" e)" = model ]
	close "$(field "$fa" kwh)" "$(model_kwh "$a")"
	close "$(field "$fb" kwh)" "$(model_kwh "$b")"
	close "$(field "$fa" ci)" $CAL 0.05
}

@test "a job cancelled while pending never ran, and says so" {
	local id fp
	id=$(submit_at es -M es -n1 -t 5 --begin=now+1hour --wrap true)
	scancel -M es "$id"
	wait_sacct "$id" CANCELLED 60 || [[ "$(sacct_field "$id" State)" == CANCELLED* ]]
	fp=$(footprint_of "$id")
	[ "$fp" = '{"v":1,"ran":0}' ]
}

@test "a job cancelled while running has the footprint of the part it ran" {
	local id fp
	id=$(submit_at es -M es -n1 -t 5 --wrap "$(busy 60)")
	local end=$((SECONDS + 30))
	until [ "$(squeue -M es -h -j "$id" -o %T 2>/dev/null | tail -n1)" = RUNNING ] ||
		[ $SECONDS -ge $end ]; do sleep 0.5; done
	sleep 4
	scancel -M es "$id"
	fp=$(footprint_of "$id")
	[[ "$(sacct_field "$id" State)" == CANCELLED* ]]
	[ "$(field "$fp" ran)" = 1 ]
	close "$(field "$fp" kwh)" "$(model_kwh "$id")"
	python3 -c "import sys; sys.exit(0 if float('$(field "$fp" g)') > 0 else 1)"
}

@test "each task of an array of 3 gets its own footprint" {
	local id t fp
	id=$(submit_at es -M es -n1 -t 5 --array=1-3 --wrap "$(busy 2)")
	for t in 1 2 3; do
		wait_sacct "${id}_$t" COMPLETED 90
		fp=$(footprint_of "${id}_$t")
		[ "$(field "$fp" ran)" = 1 ]
		close "$(field "$fp" kwh)" "$(model_kwh "${id}_$t")"
	done
}

@test "a requeued job: each run has its own footprint row" {
	local id end fp1 fp2
	id=$(submit_at es -M es -n1 -t 5 --requeue --wrap "$(busy 8)")
	end=$((SECONDS + 30))
	until [ "$(squeue -M es -h -j "$id" -o %T 2>/dev/null | tail -n1)" = RUNNING ] ||
		[ $SECONDS -ge $end ]; do sleep 0.5; done
	sleep 2
	scontrol -M es requeue "$id"
	wait_sacct "$id" COMPLETED 120
	# sacct -D: the requeued run, then the one that completed
	fp1=$(footprint_of "$id" 1)
	fp2=$(footprint_of "$id" 2)
	[ "$(sacct -L -D -X -n -P -j "$id" -o State | sed -n 1p)" = REQUEUED ]
	[ "$(field "$fp1" ran)" = 1 ]
	[ "$(field "$fp2" ran)" = 1 ]
	[ "$(field "$fp1" start)" != "$(field "$fp2" start)" ]
}

@test "a site's own AdminComment text, quotes and backslashes included, survives the footprint" {
	local id end c
	id=$(submit_at es -M es -n1 -t 5 --wrap "$(busy 6)")
	end=$((SECONDS + 30))
	until [ "$(squeue -M es -h -j "$id" -o %T 2>/dev/null | tail -n1)" = RUNNING ] ||
		[ $SECONDS -ge $end ]; do sleep 0.5; done
	scontrol -M es update JobId="$id" AdminComment="site's audit \\ 42"
	wait_sacct "$id" COMPLETED 90
	footprint_of "$id" >/dev/null
	c=$(sacct_field "$id" AdminComment)
	echo "AdminComment: $c" >&2 # shown when the test fails
	[[ "$c" == "site's audit \\ 42 {"* ]]
	[[ "$c" == *'"carbon_fp":{"v":1,"ran":1'* ]]
}

@test "scontrol show config reports the footprint recorder" {
	local cfg
	cfg=$(scontrol -M es show config)
	[[ "$cfg" == *"FootprintThread         = running"* ]]
	[[ "$cfg" =~ FootprintsRecorded\ +=\ [1-9] ]]
	[[ "$cfg" =~ FootprintsFailed\ +=\ 0 ]]
}
