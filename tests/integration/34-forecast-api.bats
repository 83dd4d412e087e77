#!/usr/bin/env bats
# carbon-cached's forecast endpoint, GET /emissions/forecasts/current in the
# Carbon Aware SDK's shape: the real daemon replaying the shipped ES trace,
# asked with curl; the windows and the optimum are computed again here from
# the trace CSV itself.  Bad requests (400 naming the parameter), unknown
# locations (404), other methods (405), stale data (marker and header),
# ForecastListen (the forecast without /metrics) and the federation's own
# carbon-cached answering for a cluster name.  Every process started here
# is stopped by PID.

load helpers
load cache_helpers

TRACE_START=2023-06-15T04:00

setup_file() {
	[ -x "$CACHED" ] || return 0
	cache_setup_file
}

teardown_file() {
	stop_pid "$(cat "$CACHE_DIR/redis.pid" 2>/dev/null)"
}

setup() {
	[ -x "$CACHED" ] || skip "build/bin/carbon-cached is not built"
	T=$BATS_TEST_TMPDIR
	MPORT=$(free_port)
	URL=http://127.0.0.1:$MPORT/emissions/forecasts/current
}

teardown() {
	cache_stop_all
}

# es_conf CONF [EXTRA]: the ES trace replayed from TRACE_START at real
# speed; clusters es (Zone=ES) and bare (no Zone).
es_conf() {
	conf_head "$1" "$MPORT" "${2:-}"
	{
		replay_provider replay-es "$ES_TRACE"
		echo "Zone=ES Providers=replay-es"
		echo "ClusterName=es Zone=ES"
		echo "ClusterName=bare FallbackIntensity=100"
	} >>"$1"
}

# get QUERY OUT: the status code; body in OUT, headers in OUT.h.
get() {
	curl -s -o "$2" -D "$2.h" -w '%{http_code}' "$URL?$1"
}

# answers URL: the forecast endpoint gives a 200.
answers() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]; }

@test "the forecast answers in the SDK's shape, with the trace's own windows" {
	es_conf "$T/c.conf"
	before=$(date +%s)
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 answers "$URL?location=ES"
	after=$(date +%s)
	[ "$(get 'location=ES' "$T/first")" = 200 ]
	start=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["dataStartAt"])' "$T/first")
	# two hours on, a day long, a three-hour window; by cluster and zone
	read -r a b < <(python3 - "$start" <<-'EOF'
		import sys
		from datetime import datetime, timedelta, timezone
		s = datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ") + timedelta(hours=2)
		f = "%Y-%m-%dT%H:%M:%SZ"
		print(s.strftime(f), (s + timedelta(hours=24)).strftime(f))
	EOF
	)
	[ "$(get "location=es&location=ES&dataStartAt=$a&dataEndAt=$b&windowSize=180" "$T/ans")" = 200 ]
	grep -qi '^content-type: application/json' "$T/ans.h"
	if grep -qi '^x-carbon-stale' "$T/ans.h"; then return 1; fi
	python3 - "$T/ans" "$ES_TRACE" "$TRACE_START" "$before" "$after" "$a" "$b" <<-'EOF'
		import csv, json, sys
		from datetime import datetime, timezone
		ans, trace, tstart, before, after, a, b = sys.argv[1:]
		def secs(s, f="%Y-%m-%dT%H:%M:%SZ"):
		    return int(datetime.strptime(s, f).replace(tzinfo=timezone.utc).timestamp())
		rows = {}
		with open(trace, newline="", encoding="utf-8") as fh:
		    r = csv.reader(fh)
		    next(r)
		    for row in r:
		        rows[secs(row[0], "%Y-%m-%d %H:%M:%S")] = float(row[5])
		doc = json.load(open(ans))
		assert [f["location"] for f in doc] == ["es", "ES"], doc
		f = doc[0]
		a, b = secs(a), secs(b)
		assert secs(f["dataStartAt"]) == a and secs(f["dataEndAt"]) == b, f
		assert f["windowSize"] == 180
		assert f["carbonCache"]["zone"] == "ES" and f["carbonCache"]["source"] == "replay-es"
		assert f["carbonCache"]["stale"] is False and f["carbonCache"]["signal"] == "average"
		assert secs(f["requestedAt"]) >= secs(f["generatedAt"])
		# real time = trace time + D, D = the daemon's start - TRACE_START;
		# trace rows are on the hour, which fixes D from any point's time
		lo = int(before) - secs(tstart + ":00Z")
		d = lo + (a - lo) % 3600
		assert d - lo <= int(after) - int(before), (d, lo)
		# SDK windows: from dataStartAt, one a point (hour), ending by dataEndAt
		want = []
		t = a
		while t + 3 * 3600 <= b:
		    want.append((t, sum(rows[t - d + k * 3600] for k in range(3)) / 3))
		    t += 3600
		got = [(secs(p["timestamp"]), p["value"]) for p in f["forecastData"]]
		assert len(got) == len(want) == 22, (len(got), len(want))
		for (tg, vg), (tw, vw) in zip(got, want):
		    assert tg == tw and abs(vg - vw) < 0.002, (tg, vg, tw, vw)
		for p in f["forecastData"] + f["optimalDataPoints"]:
		    assert p["duration"] == 180 and p["location"] == "es", p
		best = min(v for _, v in want)
		opt = [t for t, v in want if abs(v - best) < 0.002]
		assert [secs(p["timestamp"]) for p in f["optimalDataPoints"]] == opt, (f["optimalDataPoints"], opt)
		assert abs(f["optimalDataPoints"][0]["value"] - best) < 0.002
		assert [p["value"] for p in doc[1]["forecastData"]] == [p["value"] for p in f["forecastData"]]
		print("optimal", f["optimalDataPoints"][0]["timestamp"], best, "of", len(want))
	EOF
}

@test "bad requests are 400 naming the parameter; unknown locations 404; GET only" {
	es_conf "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 answers "$URL?location=ES"
	# problem_is FILE PARAM TEXT: a ValidationProblemDetails naming PARAM
	problem_is() {
		python3 - "$@" <<-'EOF'
			import json, sys
			doc = json.load(open(sys.argv[1]))
			assert sys.argv[3] in doc["detail"], doc
			assert doc["errors"][sys.argv[2]] == [doc["detail"]], doc
			print(doc["status"], doc["detail"])
		EOF
	}
	[ "$(get 'location=ES&dataStartAt=tomorrow' "$T/r")" = 400 ]
	grep -qi '^content-type: application/problem+json' "$T/r.h"
	problem_is "$T/r" dataStartAt 'dataStartAt: "tomorrow" is not a time; use an ISO 8601 time'
	[ "$(get 'location=ES&dataStartAt=2020-01-01T00:00:00Z' "$T/r")" = 400 ]
	problem_is "$T/r" dataStartAt 'is outside the forecast; use a time from'
	[ "$(get 'location=ES&windowSize=2h' "$T/r")" = 400 ]
	problem_is "$T/r" windowSize 'is not a number of minutes'
	[ "$(get 'dataStartAt=2026-01-01T00:00:00Z' "$T/r")" = 400 ]
	problem_is "$T/r" location 'location: is not set'
	[ "$(get 'location=ES&toTime=x' "$T/r")" = 400 ]
	problem_is "$T/r" toTime '"toTime" is not a parameter of this endpoint'
	[ "$(get 'location=XX' "$T/r")" = 404 ]
	problem_is "$T/r" location 'location: "XX" is neither a zone nor a cluster of carbon.conf; use a zone (ES) or a cluster (es, bare)'
	[ "$(get 'location=bare' "$T/r")" = 404 ]
	problem_is "$T/r" location 'cluster bare has no Zone'
	[ "$(curl -s -o "$T/r" -D "$T/r.h" -w '%{http_code}' -X POST "$URL?location=ES")" = 405 ]
	grep -qi '^allow: GET' "$T/r.h"
	[ "$(curl -s -o /dev/null -w '%{http_code}' -I "$URL?location=ES")" = 405 ]
	# a '+' offset, encoded, is read; the daemon is still up after all this
	ts=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["dataStartAt"])' <(curl -s "$URL?location=ES"))
	plus=$(python3 -c 'import sys; from datetime import datetime as D, timedelta as T; print((D.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ") + T(hours=1)).strftime("%Y-%m-%dT%H:%M:%S") + "%2B01:00")' "$ts")
	[ "$(get "location=ES&dataStartAt=$plus" "$T/r")" = 200 ]
	[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["dataStartAt"])' "$T/r")" = "$ts" ]
	curl -sf "http://127.0.0.1:$MPORT/healthz"
}

@test "stale data is served with the marker and the X-Carbon-Stale header" {
	built_in electricitymaps || skip "electricitymaps is not built in"
	fake_em_start "$T"
	conf_head "$T/c.conf" "$MPORT"
	em_provider em "$FAKE_PORT" >>"$T/c.conf"
	echo "Zone=DE Providers=em" >>"$T/c.conf"
	rcli DEL carbon:zone:DE
	cached_start "$T/c.conf" "$T/log"
	# the fake has no forecast: carbon-cached derives one (derived=1)
	wait_until 15 answers "$URL?location=DE" ||
		{ cat "$T/log"; skip "electricitymaps did not take the fake's documents"; }
	[ "$(get 'location=DE' "$T/r")" = 200 ]
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[0]["carbonCache"]; assert c["stale"] is False and c["derived"] is True, c' "$T/r"
	echo fail >"$T/mode"
	wait_until 25 record_has carbon:zone:DE '^stale=1$'
	[ "$(get 'location=DE' "$T/r")" = 200 ]
	grep -qi '^x-carbon-stale: DE' "$T/r.h"
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))[0]["carbonCache"]; assert c["stale"] is True and c["source"] == "em", c' "$T/r"
}

@test "ForecastListen serves the forecast on its own address, without /metrics" {
	FPORT=$(free_port)
	es_conf "$T/c.conf" "ForecastListen=127.0.0.1:$FPORT"
	run "$CACHED" --check-config -f "$T/c.conf"
	[ "$status" -eq 0 ]
	[[ "$output" == *"forecast: http://127.0.0.1:$FPORT/emissions/forecasts/current"* ]]
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 answers "http://127.0.0.1:$FPORT/emissions/forecasts/current?location=es"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FPORT/metrics")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FPORT/readyz")" = 404 ]
	curl -sf "http://127.0.0.1:$FPORT/healthz"
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$URL?location=ES")" = 404 ]
	curl -sf "http://127.0.0.1:$MPORT/metrics" | grep -q '^carbon_zone_has_data{zone="ES"} 1$'
	grep -q "serving /emissions/forecasts/current, /healthz on 127.0.0.1:$FPORT" "$T/log"
	# not MetricsListen's own address
	es_conf "$T/same.conf" "ForecastListen=127.0.0.1:$MPORT"
	run "$CACHED" --check-config -f "$T/same.conf"
	[ "$status" -ne 0 ]
	[[ "$output" == *"ForecastListen: 127.0.0.1:$MPORT is MetricsListen's address"* ]]
}

@test "the federation's carbon-cached answers for a cluster name" {
	[ -n "${CARBON_FED_DIR:-}" ] && [ -f "$CARBON_FED_DIR/pids/carbon-cached.pid" ] ||
		skip "the federation runs no carbon-cached"
	curl -sf "http://127.0.0.1:$CARBON_METRICS_PORT/emissions/forecasts/current?location=cal&windowSize=120" >"$T/r"
	python3 -c '
import json, sys
f = json.load(open(sys.argv[1]))[0]
assert f["location"] == "cal" and f["carbonCache"]["zone"] == "US-CAL-CISO", f
assert f["windowSize"] == 120 and f["forecastData"] and f["optimalDataPoints"], f
lo = min(p["value"] for p in f["forecastData"])
assert all(p["value"] == lo for p in f["optimalDataPoints"]), f
' "$T/r"
}
