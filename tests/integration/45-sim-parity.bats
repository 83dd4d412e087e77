#!/usr/bin/env bats
# The simulator and the real plugin take the same decision for the same
# snapshot and job: carbon-sim calls carbon_policy_decide() as
# job_submit/carbon does (tools/carbon-sim, --explain).

load helpers

SIM="$CARBON_TOP/build/bin/carbon-sim"

setup() {
	WORK=$(mktemp -d)
}

teardown() {
	rm -rf "$WORK"
}

# trace NAME VALUE_FN: hourly points from 24 h back to 72 h ahead, as a CSV
# for the simulator and as a spec for put_record.py; VALUE_FN HOUR prints
# the value for hours after the current one.
trace() {
	local name=$1 fn=$2 hour o t v spec=
	hour=$(($(date +%s) / 3600 * 3600))
	echo "time,value" >"$WORK/$name.csv"
	for ((o = -24; o <= 72; o++)); do
		t=$((hour + o * 3600))
		v=$("$fn" "$o")
		echo "$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ),$v" >>"$WORK/$name.csv"
		spec+="${spec:+,}$t:$v"
	done
	echo "$spec"
}

es_values() { (($1 >= 5 && $1 < 8)) && echo 50 || echo 250; }
cal_values() { (($1 >= 9 && $1 < 12)) && echo 120 || echo 300; }

@test "carbon-sim --explain and job_submit/carbon choose the same cluster and start" {
	[ -x "$SIM" ]
	# Stay inside one hour, so both decide on the same data points.
	while [ "$(date +%M)" -ge 58 ]; do sleep 10; done
	local es cal name id rec now sim at begin
	es=$(trace es es_values)
	cal=$(trace cal cal_values)
	for z in ES:es US-CAL-CISO:cal; do
		local out
		out=$("$PUT" "${z%%:*}" --abs --spec="$([ "${z#*:}" = es ] && echo "$es" || echo "$cal")")
		wait_log "$(ctld_log cal)" "job_submit/carbon: zone ${z%%:*}: new data fetched at ${out##* }"
	done
	name=$(unique_name)
	now=$(date +%s)
	id=$(as_user sbatch --parsable -M es,cal -J "$name" -t 60 \
		--carbon-urgency=flexible --hold --wrap true)
	id=${id%%;*}
	rec=$(scontrol show job "$id" | grep -oE 'AdminComment=.*' || true)
	scancel "$id"
	[[ "$rec" =~ \"at\":\"([a-z]+)\",\"begin\":\"([^\"]+)\" ]]
	at=${BASH_REMATCH[1]}
	begin=${BASH_REMATCH[2]}

	# The same job for the simulator: submitted at cal, 60 min limit,
	# flexible with the site's default 24 h window, clusters cal and es.
	echo "1 0 0 60 1 -1 -1 1 3600 -1 1 1 1 1 1 1 -1 -1" >"$WORK/one.swf"
	sim=$("$SIM" --workload "$WORK/one.swf" \
		--cluster "name=cal,cores=2,pue=1.2,trace=$WORK/cal.csv,time-col=0,value-col=1" \
		--cluster "name=es,cores=2,pue=1.2,trace=$WORK/es.csv,time-col=0,value-col=1" \
		--start "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)" --policy carbon \
		--flexible-fraction 1 --max-delay 24h --explain 1 | grep '"decision"')
	[[ "$sim" == *"\"chosen\": \"$at\""* ]]
	[[ "$sim" =~ \"begin\":\ ([0-9]+) ]]
	[ "$(date -u -d "@${BASH_REMATCH[1]}" +%Y-%m-%dT%H:%M:%SZ)" = "$begin" ]
	# Both defer to es's clean morning (50 < cal's best 120).
	[ "$at" = es ]
}
