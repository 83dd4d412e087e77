#!/usr/bin/env bats
# carbon-cached against the fake provider (tests/fake-provider/server.py)
# and a real Redis, for each HTTP provider type (Electricity Maps, WattTime,
# UK Carbon Intensity, ENTSO-E, Carbon Aware SDK) and each scenario the fake
# serves: a normal answer gives a fresh signed record; 401, 403, 429, 500, a
# hang, truncated, malformed and huge bodies keep the last good record (and
# a running daemon re-writes it stale=1); null values are skipped; an empty
# forecast is replaced by the daemon's derived one (ENTSO-E: no data, a
# failure).  Needs no federation: its own redis-server, fake provider and
# carbon-cached processes on free ports, all stopped by PID.

load cache_helpers

# Scenarios that make every provider fail.
FAILURES=(401 403 429 500 hang truncated malformed huge)

setup_file() {
	[ -x "$CACHED" ] || return 0
	CACHE_PYTHON=$(python3 -c 'import sys; print(sys.executable)')
	export CACHE_PYTHON CACHE_DIR=$BATS_FILE_TMPDIR
	export CACHE_PIDS=$CACHE_DIR/pids
	: >"$CACHE_PIDS"
	export KEY_FILE=$CACHE_DIR/hmac.key
	new_secret "$KEY_FILE"
	# the credentials the fake provider accepts, in 0600 files
	export TOKEN_FILE=$CACHE_DIR/token WT_PASS_FILE=$CACHE_DIR/watttime.pass
	(umask 077 && echo fake-token >"$TOKEN_FILE" && echo fake-password >"$WT_PASS_FILE")
	redis_start "$CACHE_DIR"
	fake_provider_start "$CACHE_DIR"
	export REDIS_PORT REDIS_PASS_FILE FAKE_PROVIDER_PORT
}

teardown_file() {
	stop_pid "$(cat "$CACHE_DIR/fake.pid" 2>/dev/null)"
	stop_pid "$(cat "$CACHE_DIR/redis.pid" 2>/dev/null)"
}

setup() {
	[ -x "$CACHED" ] || skip "build/bin/carbon-cached is not built"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	local pid
	[ -n "${CACHE_PIDS:-}" ] || return 0
	while read -r pid; do stop_pid "$pid"; done <"$CACHE_PIDS"
	: >"$CACHE_PIDS"
}

# provider NAME: what the tests know of one Provider instance:
#   P_TYPE P_ZONE P_AREA  its type, the zone it serves, the zone's area there
#   P_GLOBAL              the site's Signal/Basis for its kind (+ tables)
#   P_SIGNAL P_BASIS      what its records must say
#   P_PATH                its API's base below the fake's /scenario/NAME/
#   P_KEYS                its other Provider keys
#   P_DOC                 its first request, as failures name it
#   P_FMT                 JSON or XML
#   P_MEASURED P_FORECAST P_ESTIMATED   points of a normal answer
#   P_NULL_MEASURED P_NULL_FORECAST     points of the nulls answer
#   P_LO P_HI             the range of its values (gCO2eq/kWh)
# The fake's curve is 200 +- 100 gCO2eq/kWh; every 3rd value is null in
# "nulls"; WattTime and the Carbon Aware SDK answer every 5 min, UK CI
# every 30 min, Electricity Maps hourly (a quarter of them estimated),
# ENTSO-E 15-min generation per production type (no forecast: derived).
provider() {
	P_GLOBAL="" P_KEYS="" P_FMT=JSON P_ESTIMATED=0 P_LO=95 P_HI=305
	case $1 in
	emaps1)
		P_TYPE=electricitymaps P_ZONE=DE P_AREA=DE P_PATH=v3/ P_DOC=history
		P_SIGNAL=average P_BASIS=lifecycle
		P_KEYS="TokenFile=$TOKEN_FILE"
		P_MEASURED=24 P_FORECAST=24 P_ESTIMATED=6
		P_NULL_MEASURED=16 P_NULL_FORECAST=16
		;;
	wt1)
		P_TYPE=watttime P_ZONE=CAISO P_AREA=CAISO_NORTH P_PATH="" P_DOC=login
		P_SIGNAL=marginal P_BASIS=operational
		P_GLOBAL="Signal=marginal Basis=operational"
		P_KEYS="User=carbon PasswordFile=$WT_PASS_FILE"
		P_MEASURED=288 P_FORECAST=288
		P_NULL_MEASURED=192 P_NULL_FORECAST=192
		;;
	ukci1)
		P_TYPE=ukci P_ZONE=GB P_AREA=national P_PATH="" P_DOC=pt24h
		P_SIGNAL=average P_BASIS=direct
		P_GLOBAL="Basis=direct"
		P_MEASURED=48 P_FORECAST=96
		P_NULL_MEASURED=32 P_NULL_FORECAST=64
		;;
	entsoe1)
		P_TYPE=entsoe P_ZONE=ES P_AREA=10YES-REE------0 P_PATH=api P_DOC=A75
		P_SIGNAL=average P_BASIS=lifecycle P_FMT=XML
		P_GLOBAL="EmissionFactors=ipcc2014 Basis=lifecycle B04=490 B10=24 B14=12 B16=41 B19=11 Default=300"
		P_KEYS="TokenFile=$TOKEN_FILE FactorTable=ipcc2014"
		P_MEASURED=96 P_FORECAST=96
		P_NULL_MEASURED=96 P_NULL_FORECAST=96
		P_LO=11 P_HI=490
		;;
	gsf1)
		P_TYPE=gsf P_ZONE=WEU P_AREA=westeurope P_PATH="" P_DOC=emissions
		P_SIGNAL=average P_BASIS=lifecycle
		P_KEYS="TokenFile=$TOKEN_FILE Signal=average Basis=lifecycle"
		P_MEASURED=288 P_FORECAST=288
		P_NULL_MEASURED=192 P_NULL_FORECAST=192
		;;
	*) return 1 ;;
	esac
	P_NAME=$1
	P_KEY=carbon:zone:$P_ZONE
	built_in "$P_TYPE" || skip "$P_TYPE is not built into carbon-cached"
}

# write_conf SCENARIO FILE ZONE PORT: carbon.conf for the current provider
# serving ZONE, its Url at the fake's SCENARIO, a 2 s Timeout, MetricsListen
# on PORT (only a daemon listens; --once does not).
write_conf() {
	conf_head "$2" "$4" "$P_GLOBAL"
	{
		echo "Provider=$P_NAME Type=$P_TYPE Url=http://127.0.0.1:$FAKE_PROVIDER_PORT/scenario/$1/$P_PATH $P_KEYS Timeout=2s"
		echo "Zone=$3 Providers=$P_NAME Areas=$P_NAME:$P_AREA"
	} >>"$2"
}

# rstat FILE KEY: one line of record_check's summary (saved in FILE.stat).
rstat() { sed -n "s/^$2=//p" "$1.stat"; }

# fetch_once SCENARIO OUT: carbon-cached --once at SCENARIO for the
# provider's zone; status in $status, log in $output, the zone's record
# (whatever Redis holds afterwards) in OUT, checked and summarised in
# OUT.stat.
fetch_once() {
	write_conf "$1" "$T/$1.conf" "$P_ZONE" "$(free_ports 1)"
	run "$CACHED" --once -f "$T/$1.conf"
	echo "--- $P_NAME $1: status $status"
	echo "$output"
	rget "$P_KEY" >"$2" || true
	if [ -s "$2" ]; then record_check "$2" >"$2.stat"; else : >"$2.stat"; fi
}

# good_record OUT: a fresh record from the normal scenario, checked.
good_record() {
	rcli DEL "$P_KEY" >/dev/null
	fetch_once normal "$1"
	[ "$status" -eq 0 ]
	[[ "$output" == *"zone $P_ZONE: written"* ]]
	[ "$(rstat "$1" stale)" = 0 ]
	verify_record "$1" "$KEY_FILE"
}

# The reason a failing scenario is logged with.
reason() {
	case $1 in
	401 | 403) echo "(HTTP $1)" ;;
	429) echo "rate limited (HTTP 429) after 3 attempts" ;;
	500) echo "server error (HTTP 500) after 3 attempts" ;;
	hang) echo "no answer: timed out after 2.0 s" ;;
	truncated) echo "truncated $P_FMT" ;;
	malformed) echo "malformed $P_FMT" ;;
	huge) echo "body over 8388608 bytes" ;;
	empty-forecast) echo "no data: No matching data found" ;;
	esac
}

# ---- the checks ---------------------------------------------------------------

# A normal answer: a fresh, signed record of the provider's kind.
check_normal() {
	provider "$1"
	local r=$T/normal.rec now fetched
	good_record "$r"
	cat "$r.stat"
	[[ "$output" == *"zone $P_ZONE: $(rstat "$r" points) points from $P_NAME"* ]]
	[ "$(rstat "$r" zone)" = "$P_ZONE" ]
	[ "$(rstat "$r" signal)" = "$P_SIGNAL" ]
	[ "$(rstat "$r" basis)" = "$P_BASIS" ]
	[ "$(rstat "$r" source)" = "$P_NAME" ]
	[ "$(rstat "$r" key)" = t1 ]
	[ "$(rstat "$r" fallback)" = 0 ]
	[ "$(rstat "$r" stale)" = 0 ]
	now=$(date +%s)
	fetched=$(date -d "$(rstat "$r" fetched_at)" +%s)
	[ $((now - fetched)) -ge 0 ]
	[ $((now - fetched)) -lt 60 ]
	[ "$(rstat "$r" measured)" -eq "$P_MEASURED" ]
	[ "$(rstat "$r" forecast)" -eq "$P_FORECAST" ]
	[ "$(rstat "$r" estimated)" -eq "$P_ESTIMATED" ]
	[ "$(rstat "$r" forecast_last)" = 1 ]
	awk -v v="$(rstat "$r" min)" -v lo="$P_LO" 'BEGIN { exit !(v >= lo) }'
	awk -v v="$(rstat "$r" max)" -v hi="$P_HI" 'BEGIN { exit !(v <= hi) }'
	if [ "$P_TYPE" = entsoe ]; then
		# no forecast from ENTSO-E: the daemon's, the same slot a day before
		[ "$(rstat "$r" derived)" = 1 ]
		[ "$(rstat "$r" day_before_same)" -eq "$P_FORECAST" ]
	else
		[ "$(rstat "$r" derived)" = 0 ]
	fi
}

# once_bg SCENARIO: carbon-cached --once -f $T/SCENARIO.conf; its log in
# $T/SCENARIO.once, "STATUS MILLISECONDS" in $T/SCENARIO.rc.
once_bg() {
	local t0 pid rc=0
	t0=$(date +%s%N)
	"$CACHED" --once -f "$T/$1.conf" >"$T/$1.once" 2>&1 &
	pid=$!
	echo "$pid" >>"$CACHE_PIDS"
	wait "$pid" || rc=$?
	echo "$rc $((($(date +%s%N) - t0) / 1000000))" >"$T/$1.rc"
}

# same_part FILE: what re-writing a record stale must not change.
same_part() { grep -vE '^(stale|generated_at|age|sig)=' "$1"; }

# all_stale SCENARIO...: is every scenario zone's record in Redis stale?
all_stale() {
	local s
	for s; do record_has "carbon:zone:$P_ZONE-$s" '^stale=1$' || return 1; done
}

# Every daemon has tried its provider and kept the last good record (the
# record is already stale from --once, so its flag alone proves nothing).
all_kept() {
	local s
	for s; do
		grep -qF "zone $P_ZONE-$s: every provider failed; keeping the record" \
			"$T/$s.log" 2>/dev/null || return 1
	done
	all_stale "$@"
}

# Every failing scenario, each in its own zone ZONE-SCENARIO (so they run
# side by side), with a good record in Redis first:
#  --once, like a running carbon-cached, takes the record already in Redis
#  as its last good one; when the provider fails it exits 1, names zone,
#  provider, request and reason, and writes that record again with
#  stale=1: same points, same fetched_at, signed.
check_failures() {
	provider "$1"
	shift
	local s i=1 rc ms fail why pid ports pids=() bg=()
	mapfile -t ports < <(free_ports $(($# + 1)))
	fail="provider $P_NAME failed: $P_NAME $P_AREA: $P_DOC: "
	# the good records: one --once over every scenario's zone
	conf_head "$T/good.conf" "${ports[0]}" "$P_GLOBAL"
	echo "Provider=$P_NAME Type=$P_TYPE Url=http://127.0.0.1:$FAKE_PROVIDER_PORT/scenario/normal/$P_PATH $P_KEYS Timeout=2s" >>"$T/good.conf"
	for s; do
		rcli DEL "carbon:zone:$P_ZONE-$s" >/dev/null
		echo "Zone=$P_ZONE-$s Providers=$P_NAME Areas=$P_NAME:$P_AREA" >>"$T/good.conf"
	done
	run "$CACHED" --once -f "$T/good.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	for s; do
		rget "carbon:zone:$P_ZONE-$s" >"$T/$s.good"
		record_check "$T/$s.good" >"$T/$s.good.stat"
		[ "$(rstat "$T/$s.good" stale)" = 0 ]
		[ "$(rstat "$T/$s.good" source)" = "$P_NAME" ]
		verify_record "$T/$s.good" "$KEY_FILE"
	done
	# --once at each scenario, side by side
	for s; do
		write_conf "$s" "$T/$s.conf" "$P_ZONE-$s" "${ports[i]}"
		i=$((i + 1))
		once_bg "$s" &
		bg+=($!)
	done
	for pid in "${bg[@]}"; do wait "$pid"; done
	for s; do
		read -r rc ms <"$T/$s.rc"
		echo "--- $P_NAME $s: --once status $rc, $ms ms"
		cat "$T/$s.once"
		why=$(reason "$s")
		[ "$rc" -eq 1 ]
		grep -F "zone $P_ZONE-$s: $fail" "$T/$s.once" | grep -qF "$why"
		grep -qF "zone $P_ZONE-$s: every provider failed; keeping the record from $P_NAME, now stale" "$T/$s.once"
		rget "carbon:zone:$P_ZONE-$s" >"$T/$s.after"
		record_check "$T/$s.after" >"$T/$s.after.stat"
		grep -qx 'stale=1' "$T/$s.after"
		verify_record "$T/$s.after" "$KEY_FILE"
		diff <(grep -E '^[0-9]{4}-' "$T/$s.good") <(grep -E '^[0-9]{4}-' "$T/$s.after")
		[ "$(rstat "$T/$s.after" fetched_at)" = "$(rstat "$T/$s.good" fetched_at)" ]
		# Retry-After: 1 twice; backoff 0.5 s then 1 s; Timeout=2s
		case $s in
		429) [ "$ms" -ge 1950 ] ;;
		500) [ "$ms" -ge 1450 ] ;;
		hang) [ "$ms" -ge 1950 ] ;;
		esac
		[ "$s" != hang ] || [ "$ms" -lt 5000 ]
	done
	# a daemon at each scenario, side by side
	for s; do
		"$CACHED" -f "$T/$s.conf" >"$T/$s.log" 2>&1 &
		pids+=($!)
		echo "$!" >>"$CACHE_PIDS"
	done
	wait_until 20 all_kept "$@" || {
		tail -n +1 "$T"/*.log
		false
	}
	for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	for s; do
		echo "--- $P_NAME $s: daemon"
		cat "$T/$s.log"
		why=$(reason "$s")
		grep -qF "zone $P_ZONE-$s: took the record already in Redis (from $P_NAME) as last good data" "$T/$s.log"
		grep -F "zone $P_ZONE-$s: $fail" "$T/$s.log" | grep -qF "$why"
		grep -qF "zone $P_ZONE-$s: every provider failed; keeping the record from $P_NAME, now stale" "$T/$s.log"
		rget "carbon:zone:$P_ZONE-$s" >"$T/$s.stale"
		record_check "$T/$s.stale" >"$T/$s.stale.stat"
		verify_record "$T/$s.stale" "$KEY_FILE"
		grep -qx 'stale=1' "$T/$s.stale"
		# all but stale, generated_at, age and sig as in the good record:
		# zone, signal, basis, source, fetched_at, fallback, derived, key,
		# points= and every point
		diff <(same_part "$T/$s.good") <(same_part "$T/$s.stale")
	done
}

# nulls: a fresh record without the null values (fewer points, none null).
check_nulls() {
	provider "$1"
	local r=$T/nulls.rec
	good_record "$T/normal.rec"
	fetch_once nulls "$r"
	cat "$r.stat"
	[ "$status" -eq 0 ]
	verify_record "$r" "$KEY_FILE"
	[ "$(rstat "$r" source)" = "$P_NAME" ]
	[ "$(rstat "$r" stale)" = 0 ]
	[ "$(rstat "$r" fallback)" = 0 ]
	[ "$(grep -ci null "$r")" = 0 ]
	[ "$(rstat "$r" measured)" -eq "$P_NULL_MEASURED" ]
	[ "$(rstat "$r" forecast)" -eq "$P_NULL_FORECAST" ]
	if [ "$P_TYPE" = entsoe ]; then
		# ENTSO-E's "nulls": nuclear (B14, 12 g) missing for 4 hours;
		# those 16 quarter-hours are the mix without it, so dirtier, and
		# so are the 16 derived forecast points a day later
		record_check "$r" "$T/normal.rec" >"$r.stat"
		[ "$(rstat "$r" derived)" = 1 ]
		[ "$(rstat "$r" differ)" -eq 32 ]
		[ "$(rstat "$r" higher)" -eq 32 ]
	else
		[ "$(rstat "$r" derived)" = 0 ]
		[ "$(rstat "$r" points)" -lt "$(rstat "$T/normal.rec" points)" ]
	fi
}

# empty-forecast: history alone; the daemon adds its derived forecast
# (ForecastFallbackDays=1: 24 h ahead, each slot the value a day before;
# derived=1).
check_empty_forecast() {
	provider "$1"
	local r=$T/empty.rec
	rcli DEL "$P_KEY" >/dev/null
	fetch_once empty-forecast "$r"
	cat "$r.stat"
	[ "$status" -eq 0 ]
	verify_record "$r" "$KEY_FILE"
	[ "$(rstat "$r" source)" = "$P_NAME" ]
	[ "$(rstat "$r" stale)" = 0 ]
	[ "$(rstat "$r" derived)" = 1 ]
	[ "$(rstat "$r" measured)" -eq "$P_MEASURED" ]
	[ "$(rstat "$r" forecast)" -eq $((86400 / $(rstat "$r" cadence))) ]
	[ "$(rstat "$r" forecast_last)" = 1 ]
	[ "$(rstat "$r" day_before_same)" -eq "$(rstat "$r" forecast)" ]
}

# ---- the matrix ---------------------------------------------------------------

@test "electricitymaps normal: fresh signed record with its forecast" { check_normal emaps1; }
@test "electricitymaps 401 403 429 500 hang truncated malformed huge: last good record kept" {
	check_failures emaps1 "${FAILURES[@]}"
}
@test "electricitymaps nulls: skipped" { check_nulls emaps1; }
@test "electricitymaps empty-forecast: derived forecast" { check_empty_forecast emaps1; }

@test "watttime normal: fresh signed record with its forecast" { check_normal wt1; }
@test "watttime 401 403 429 500 hang truncated malformed huge: last good record kept" {
	check_failures wt1 "${FAILURES[@]}"
}
@test "watttime nulls: skipped" { check_nulls wt1; }
@test "watttime empty-forecast: derived forecast" { check_empty_forecast wt1; }

@test "ukci normal: fresh signed record with its forecast" { check_normal ukci1; }
@test "ukci 401 403 429 500 hang truncated malformed huge: last good record kept" {
	check_failures ukci1 "${FAILURES[@]}"
}
@test "ukci nulls: skipped" { check_nulls ukci1; }
@test "ukci empty-forecast: derived forecast" { check_empty_forecast ukci1; }

@test "entsoe normal: fresh signed record, derived forecast" { check_normal entsoe1; }
@test "entsoe 401 403 429 500 hang truncated malformed huge empty-forecast: last good record kept" {
	# ENTSO-E's empty-forecast is an Acknowledgement: no data at all
	check_failures entsoe1 "${FAILURES[@]}" empty-forecast
}
@test "entsoe nulls: a production type with a gap" { check_nulls entsoe1; }

@test "gsf normal: fresh signed record with its forecast" { check_normal gsf1; }
@test "gsf 401 403 429 500 hang truncated malformed huge: last good record kept" {
	check_failures gsf1 "${FAILURES[@]}"
}
@test "gsf nulls: skipped" { check_nulls gsf1; }
@test "gsf empty-forecast: derived forecast" { check_empty_forecast gsf1; }
