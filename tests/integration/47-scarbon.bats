#!/usr/bin/env bats
# scarbon(1) on the real federation, as the unprivileged test users: a
# finished job in words and JSON equals its sacct record, a deferred job in
# the queue with its plan, report totals equal the sum of the jobs, the
# forecast gives a best window per cluster, and PrivateData=jobs keeps one
# user's jobs from another.  Intensities are flat records written into
# Redis (as in 48-footprint.bats): 12 W a core, PUE 1.2.

load helpers

ES=300
NO=50
CAL=400
SCARBON=${SCARBON:-$CARBON_TOP/build/bin/scarbon}

setup_file() {
	put ES --spec="$(flat $ES)"
	put NO --spec="$(flat $NO)"
	put US-CAL-CISO --spec="$(flat $CAL)"
}

setup() {
	[ -x "$SCARBON" ] || skip "build/bin/scarbon is not built"
}

# as USER CMD...: run CMD as USER (the first or the second test user).
as() {
	local u=$1 home
	shift
	home=$(getent passwd "$u" | cut -d: -f6)
	(cd "$home" && runuser -u "$u" -- env SLURM_CONF="$SLURM_CONF" \
		CARBON_CONF="$CARBON_CONF" "$@")
}

submit_as() { # USER CLUSTER SBATCH-ARGS...
	local u=$1 c=$2
	shift 2
	as "$u" env SLURM_CONF="$(conf_of "$c")" sbatch --parsable \
		-J "$(unique_name)" "$@" | cut -d';' -f1
}

# wait_fp JOBID: poll until the job's row carries its footprint.
wait_fp() {
	local end=$((SECONDS + 90))
	while [ $SECONDS -lt $end ]; do
		[[ "$(sacct_field "$1" AdminComment)" == *'"carbon_fp":{'* ]] && return 0
		sleep 1
	done
	echo "job $1: no footprint in sacct" >&2
	return 1
}

# wait_cancelled JOBID: poll until sacct -L shows it cancelled ("CANCELLED by N").
wait_cancelled() {
	local end=$((SECONDS + 60))
	while [ $SECONDS -lt $end ]; do
		[[ "$(sacct_field "$1" State)" == CANCELLED* ]] && return 0
		sleep 1
	done
	return 1
}

@test "scarbon job: a finished job's numbers are its sacct record, in words and JSON" {
	local id
	id=$(submit_as "$CARBON_FED_USER" es -M es -n1 -t 5 --wrap 'timeout 3 sh -c "while :; do :; done"; true')
	wait_sacct "$id" COMPLETED 90
	wait_fp "$id"
	run as "$CARBON_FED_USER" "$SCARBON" --json job "$id"
	[ "$status" -eq 0 ]
	python3 - "$output" "$(sacct_field "$id" AdminComment)" "$(sacct_field "$id" Cluster)" \
		"$(sacct_field "$id" State)" <<-'EOF'
		import json, re, sys
		j = json.loads(sys.argv[1])
		body = re.search(r'"carbon_fp":\{([^}]*)\}', sys.argv[2]).group(1)
		fp = json.loads("{" + body + "}")
		f = j["footprint"]
		assert j["cluster"] == sys.argv[3] == "es", j
		assert j["state"] == sys.argv[4] == "COMPLETED", j
		for a, b in (("kwh", "kwh"), ("g", "g"), ("counterfactual_g", "cf_g"), ("saved_g", "saved_g"), ("intensity", "ci")):
		    assert abs(f[a] - fp[b]) <= 1e-12 + 1e-9 * abs(fp[b]), (a, f[a], fp[b])
		assert f["energy_source"] == fp["e"] == "model" and f["plan"] == fp["plan"] == "none"
		assert j["decision"]["at"] == "es" and j["decision"]["why"], j
	EOF
	# in words: where it ran, the energy's source, grams with digits (a
	# few seconds of one core is well under a gram: never "0 g")
	run as "$CARBON_FED_USER" "$SCARBON" job "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"COMPLETED"* ]]
	[[ "$output" == *"Ran:        on es from "* ]]
	[[ "$output" == *"estimated from the cores"* ]]
	[[ "$output" =~ Emissions:\ \ 0\.0*[1-9][0-9]*\ g\ CO2e ]]
	[[ "$output" == *"Saving:     none: the plan did not move or defer it"* ]]
}

@test "scarbon job: a job that never ran says so; an unknown job is exit 3" {
	local id
	id=$(submit_as "$CARBON_FED_USER" cal -M cal --hold -t 5 --wrap true)
	at cal scancel -M cal "$id"
	wait_cancelled "$id"
	run as "$CARBON_FED_USER" "$SCARBON" job "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Never ran:  it ended (CANCELLED) before it started, so it has no footprint"* ]]
	run as "$CARBON_FED_USER" "$SCARBON" job 999999
	[ "$status" -eq 3 ]
	[[ "$output" == *"job 999999: not found"* ]]
	run as "$CARBON_FED_USER" "$SCARBON" job 12x
	[ "$status" -eq 1 ]
	[[ "$output" == *'job: "12x" is not a job id'* ]]
	run "$SCARBON" report --by qos
	[ "$status" -eq 1 ]
	[[ "$output" == *'--by: "qos" is not a grouping; use user, account, cluster, partition or day'* ]]
}

@test "scarbon queue: a deferred flexible job shows its planned start, cluster and why" {
	# cal: dirty now, clean from +40 min (points every minute)
	local o spec= id begin
	for ((o = -600; o <= 7200; o += 60)); do
		spec+="${spec:+,}$o:$((o < 2400 ? 400 : 20))"
	done
	put US-CAL-CISO --spec="$spec"
	id=$(submit_as "$CARBON_FED_USER" cal -M cal -t 2 --carbon-urgency=flexible --wrap true 2>/dev/null)
	run as "$CARBON_FED_USER" "$SCARBON" -M cal --json queue
	put US-CAL-CISO --spec="$(flat $CAL)"
	at cal scancel -M cal "$id"
	[ "$status" -eq 0 ]
	begin=$(at cal scontrol -M cal show job "$id" 2>/dev/null | grep -oE 'EligibleTime=[^ ]+' | cut -d= -f2 || true)
	python3 - "$output" "$id" <<-'EOF'
		import json, sys
		q = {str(j["job_id"]): j for j in json.loads(sys.argv[1])}
		j = q[sys.argv[2]]
		assert j["deferred"] is True and j["cluster"] == "cal", j
		assert j["why"].startswith("deferred "), j
		assert j["planned_start"] > 0 and j["latest_start"] >= j["planned_start"], j
	EOF
	run as "$CARBON_FED_USER" "$SCARBON" -M cal queue
	[[ "$output" == *"PLANNED_START"* ]]
}

@test "scarbon report: --json and --csv totals are the sum of the jobs" {
	local a b s e
	s=$(date +%FT%T)
	a=$(submit_as "$CARBON_FED_USER2" es -M es -n1 -t 5 --wrap 'timeout 2 sh -c "while :; do :; done"; true')
	b=$(submit_as "$CARBON_FED_USER2" es -n1 -t 5 --carbon-urgency=flexible --wrap 'timeout 2 sh -c "while :; do :; done"; true')
	wait_sacct "$a" COMPLETED 90
	wait_sacct "$b" COMPLETED 90
	wait_fp "$a"
	wait_fp "$b"
	sleep 1
	e=$(date +%FT%T)
	run as "$CARBON_FED_USER2" "$SCARBON" --json report -S "$s" -E "$e" --by cluster
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/r.json"
	run as "$CARBON_FED_USER2" "$SCARBON" report --csv -S "$s" -E "$e" --by cluster
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/r.csv"
	python3 - "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/r.csv" "$(sacct_field "$a" AdminComment)" \
		"$(sacct_field "$b" AdminComment)" <<-'EOF'
		import csv, json, re, sys
		r = json.load(open(sys.argv[1]))
		rows = list(csv.DictReader(open(sys.argv[2])))
		fps = [json.loads("{" + re.search(r'"carbon_fp":\{([^}]*)\}', c).group(1) + "}") for c in sys.argv[3:]]
		t = r["total"]
		# user B sees only its own jobs: exactly these two
		assert t["jobs"] == 2 and t["with_footprint"] == 2, t
		kg = sum(f["g"] for f in fps) / 1000
		kwh = sum(f["kwh"] for f in fps)
		saved = sum(f["saved_g"] for f in fps) / 1000
		assert abs(t["kg_co2e"] - kg) <= 1e-12 + 1e-9 * kg, (t, kg)
		assert abs(t["kwh"] - kwh) <= 1e-12 + 1e-9 * kwh, (t, kwh)
		assert abs(t["kg_saved"] - saved) <= 1e-12 + 1e-6 * abs(saved), (t, saved)
		assert sum(x["jobs"] for x in r["rows"]) == 2
		assert abs(sum(x["kg_co2e"] for x in r["rows"]) - kg) <= 1e-12 + 1e-9 * kg
		# the CSV: one row a cluster, then the total, the same numbers
		assert rows[-1]["cluster"] == "total" and int(rows[-1]["jobs"]) == 2, rows
		assert abs(float(rows[-1]["kg_co2e"]) - kg) <= 1e-9 + 1e-6 * kg, rows[-1]
		assert {x["cluster"] for x in rows[:-1]} == {x["key"] for x in r["rows"]}
	EOF
}

@test "scarbon forecast: a best window per cluster and the expected gCO2e of the job" {
	local now
	now=$(date +%s)
	run as "$CARBON_FED_USER" "$SCARBON" --json forecast --runtime 1h --within 6h --cores 2
	[ "$status" -eq 0 ]
	# the endpoint's own windows, asked here with Python, give the best
	python3 - "$output" "http://127.0.0.1:$CARBON_METRICS_PORT/emissions/forecasts/current" "$now" <<-'EOF'
		import json, sys, urllib.request
		from datetime import datetime, timezone
		got = {x["cluster"]: x for x in json.loads(sys.argv[1])}
		assert set(got) == {"es", "no", "cal"}, got
		now = int(sys.argv[3])
		kwh = 2 * 12 * 1.2 / 1000  # 2 cores x 12 W x PUE 1.2 for an hour
		for c, x in got.items():
		    doc = json.load(urllib.request.urlopen(sys.argv[2] + "?location=%s&windowSize=60" % c))
		    pts = [(int(datetime.strptime(p["timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()), p["value"])
		           for p in doc[0]["forecastData"]]
		    best = min(v for t, v in pts if now - 3600 <= t <= now + 5 * 3600 + 60)
		    assert x["ok"] and now - 5 <= x["best_start"] <= now + 5 * 3600 + 60, x
		    assert abs(x["intensity"] - best) < 1e-6, (c, x, best)
		    assert abs(x["kwh"] - kwh) < 1e-9, x
		    assert abs(x["expected_g"] - best * kwh) < 1e-6, x
	EOF
	run as "$CARBON_FED_USER" "$SCARBON" forecast --cluster no
	[ "$status" -eq 0 ]
	[[ "$output" == *"A job of 1 core(s) for 1 h 0 min, starting within 1 d 0 h:"* ]]
	[[ "$output" =~ no\ +[0-9T:-]+\ +[0-9.]+\ +[0-9.]+\ +best ]]
	run as "$CARBON_FED_USER" "$SCARBON" forecast --cluster mars
	[ "$status" -eq 3 ]
	run as "$CARBON_FED_USER" "$SCARBON" forecast --url http://127.0.0.1:1/emissions/forecasts/current
	[ "$status" -eq 2 ]
}

@test "PrivateData=jobs: user B cannot see user A's job, A can" {
	local id end
	id=$(submit_as "$CARBON_FED_USER" cal -M cal --hold -t 5 --carbon-urgency=flexible --wrap true)
	# A sees it once slurmdbd has its record (polled: it arrives in seconds)
	end=$((SECONDS + 60))
	until as "$CARBON_FED_USER" "$SCARBON" job "$id" >"$BATS_TEST_TMPDIR/a" 2>&1; do
		[ $SECONDS -lt $end ] || break
		sleep 1
	done
	grep -q "^Job $id " "$BATS_TEST_TMPDIR/a"
	# root sees it too; B does not, in the database nor in the queue
	run "$SCARBON" job "$id"
	[ "$status" -eq 0 ]
	run as "$CARBON_FED_USER2" "$SCARBON" job "$id"
	[ "$status" -eq 3 ]
	[[ "$output" == *"job $id: not found"* ]]
	run as "$CARBON_FED_USER2" "$SCARBON" --json -M cal queue
	[ "$status" -eq 0 ]
	[[ "$output" != *"$id"* ]]
	run as "$CARBON_FED_USER" "$SCARBON" --json -M cal queue
	at cal scancel -M cal "$id"
	[ "$status" -eq 0 ]
	[[ "$output" == *"\"job_id\":$id"* ]]
}
