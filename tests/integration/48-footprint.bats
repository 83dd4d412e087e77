#!/usr/bin/env bats
# Every finished job's footprint in sacct, on the real federation: the
# controller that ran a job writes "carbon_fp":{...} into its AdminComment
# row (sacct -L) within a FootprintInterval (10 s here) of the job's end.
# Intensities are flat records written into Redis, so every expected number
# is computed here from sacct's own fields: energy from the model
# (12 W a core at full use, PUE 1.2 as carbon.conf says, no memory: the
# clusters do not allocate it) and gCO2e from the zone's value.

load helpers

ES=300
NO=50
CAL=400

setup_file() {
	put ES --spec="$(flat $ES)"
	put NO --spec="$(flat $NO)"
	put US-CAL-CISO --spec="$(flat $CAL)"
}

submit_at() {
	local c=$1
	shift
	USER_SLURM_CONF=$(conf_of "$c") as_user sbatch --parsable \
		-J "$(unique_name)" "$@" | cut -d';' -f1
}

# footprint_of JOBID [ROW]: the carbon_fp member of the job's row in sacct -L
# (with ROW, row ROW of sacct -L -D: every run of a requeued job, and the
# origin's REVOKED row of a moved one), once it is there.
footprint_of() {
	local id=$1 row=${2:-1} end=$((SECONDS + 90)) c dup=
	[ $# -lt 2 ] || dup=-D
	while [ $SECONDS -lt $end ]; do
		c=$(sacct -L $dup -X -n -P -j "$id" -o AdminComment 2>/dev/null |
			sed -n "${row}p")
		if [[ "$c" == *'"carbon_fp":{'* ]]; then
			c=${c#*\"carbon_fp\":\{}
			echo "{${c%%\}*}}"
			return 0
		fi
		sleep 1
	done
	echo "job $id row $row: no footprint in AdminComment: '$c'" >&2
	return 1
}

# field JSON KEY: one value of a footprint (python's json, not ours).
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# close A B [TOL]: |A - B| <= TOL (default 1e-6 + 1% of B).
close() {
	python3 - "$@" <<'EOF'
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-6 + 0.01 * abs(b)
if abs(a - b) > tol:
    sys.exit(f"{a} is not {b} (+-{tol})")
EOF
}

# model_kwh JOBID: from sacct's steps: cores x 12 W x TotalCPU/(cores x
# Elapsed) x Elapsed x 1.2 = 12 W x TotalCPU x 1.2, in kWh.
model_kwh() {
	sacct -L -j "$1" -n -P -o JobID,TotalCPU | python3 -c '
import sys
total = 0.0
for line in sys.stdin:
    job, t = line.strip().split("|")
    if "." not in job:
        continue  # the allocation row: its TotalCPU is the steps added
    d = 0
    if "-" in t:
        d, t = t.split("-")
    parts = [float(x) for x in t.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    total += int(d) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
print(12 * total * 1.2 / 3.6e6)'
}

# A busy loop of about S seconds (TotalCPU is what the model prices).
busy() { echo "timeout $1 sh -c 'while :; do :; done'; true"; }

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
