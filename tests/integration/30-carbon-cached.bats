#!/usr/bin/env bats
# carbon-cached against a real Redis (its own, with a password, on its own
# port): signed records, chain fallback, stale data on a provider outage,
# Redis going away and coming back, SIGTERM while a provider hangs, --once,
# --check-config, switching providers, and a real Prometheus scraping
# /metrics.  Every process started here is stopped by PID.

load helpers
load cache_helpers

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
}

teardown() {
	cache_stop_all
	if ! rcli ping >/dev/null 2>&1; then # a test stopped it
		redis_start "$CACHE_DIR"
	fi
}

three_zones() { # CONF
	conf_head "$1" "$MPORT"
	{
		replay_provider replay-es "$ES_TRACE"
		replay_provider replay-no "$NO_TRACE"
		replay_provider replay-cal "$CAL_TRACE"
		echo "Zone=ES Providers=replay-es,static StaticIntensity=160"
		echo "Zone=NO Providers=replay-no"
		echo "Zone=US-CAL-CISO Providers=replay-cal"
	} >>"$1"
}

@test "the federation's carbon-cached keeps signed replay records in Redis" {
	[ -n "${CARBON_FED_DIR:-}" ] && [ -f "$CARBON_FED_DIR/pids/carbon-cached.pid" ] ||
		skip "the federation runs no carbon-cached"
	local z c
	for z in ES NO US-CAL-CISO; do
		REDISCLI_AUTH=$(cat "$CARBON_REDIS_PASSWORD_FILE") redis-cli -p "$CARBON_REDIS_PORT" \
			${CARBON_REDIS_USER:+--user "$CARBON_REDIS_USER"} --raw GET "carbon:zone:$z" >"$T/raw"
		printf '%s\n' "$(cat "$T/raw")" >"$T/$z"
		verify_record "$T/$z" "$CARBON_FED_DIR/secrets/hmac.key"
		[ "$(field "$T/$z" stale)" = 0 ]
		[[ "$(field "$T/$z" source)" == replay-* ]]
	done
	curl -sf "http://127.0.0.1:$CARBON_METRICS_PORT/readyz"
}

@test "replay records carry a valid HMAC; a reader rejects another key and a changed byte" {
	three_zones "$T/c.conf"
	run "$CACHED" -f "$T/c.conf" --once
	echo "$output"
	[ "$status" -eq 0 ]
	for z in ES NO US-CAL-CISO; do
		rget "carbon:zone:$z" >"$T/$z"
		verify_record "$T/$z" "$KEY_FILE"
		[ "$(field "$T/$z" zone)" = "$z" ]
		[ "$(field "$T/$z" signal)" = average ]
		[ "$(field "$T/$z" basis)" = lifecycle ]
		[ "$(field "$T/$z" key)" = t1 ]
		[ "$(field "$T/$z" fallback)" = 0 ]
		[ "$(field "$T/$z" stale)" = 0 ]
		[ "$(field "$T/$z" points)" -ge 96 ]
	done
	[ "$(field "$T/ES" source)" = replay-es ]
	# another key
	new_secret "$T/other.key"
	run verify_record "$T/ES" "$T/other.key"
	[ "$status" -ne 0 ]
	# one byte changed in a value: still a well-formed record, bad signature
	awk 'NR==16 { sub(/[0-9]/, ($3 ~ /^9/ ? "8" : "9")) } { print }' "$T/ES" >"$T/ES.bad"
	[ "$(cmp -l "$T/ES" "$T/ES.bad" | wc -l)" -eq 1 ]
	run verify_record "$T/ES.bad" "$KEY_FILE"
	[ "$status" -ne 0 ]
}

@test "--once exits non-zero when a zone gets no record or Redis is unreachable" {
	three_zones "$T/c.conf"
	sed -i "s/RedisPort=$REDIS_PORT/RedisPort=$(free_port)/" "$T/c.conf"
	run "$CACHED" -f "$T/c.conf" --once
	[ "$status" -ne 0 ]
	[[ "$output" == *"record not written to Redis"* ]]
	if built_in electricitymaps; then
		conf_head "$T/d.conf" "$MPORT"
		echo "Provider=em Type=electricitymaps Url=http://127.0.0.1:$(free_port)/v3/ TokenFile=$TOKEN_FILE Timeout=2s" >>"$T/d.conf"
		echo "Zone=DE Providers=em" >>"$T/d.conf"
		run "$CACHED" -f "$T/d.conf" --once
		echo "$output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"zone DE: provider em failed:"* ]]
		[[ "$output" == *"zone DE: no record"* ]]
	fi
}

@test "--check-config passes a good file and prints a summary" {
	three_zones "$T/c.conf"
	run "$CACHED" --check-config -f "$T/c.conf"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/c.conf: OK"* ]]
	[[ "$output" == *"zone ES: every 10 s: replay-es -> static"* ]]
	[[ "$output" == *"signing: HMAC-SHA256, key id t1"* ]]
}

@test "--check-config reports a bad line with file:line" {
	three_zones "$T/c.conf"
	sed -i '4s/.*/PollInterval=5/' "$T/c.conf" # a bare number
	run "$CACHED" --check-config -f "$T/c.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/c.conf:4: PollInterval"* ]]
	three_zones "$T/c.conf"
	echo "Zone=FR Providers=nosuch" >>"$T/c.conf"
	run "$CACHED" --check-config -f "$T/c.conf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/c.conf:13: Zone=FR"* ]]
}

@test "--check-config refuses a 0644 secret file and a missing trace" {
	three_zones "$T/c.conf"
	cp "$KEY_FILE" "$T/loose.key"
	chmod 644 "$T/loose.key"
	sed -i "s|HmacKeyFile=$KEY_FILE|HmacKeyFile=$T/loose.key|" "$T/c.conf"
	run "$CACHED" --check-config -f "$T/c.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"HmacKeyFile: secret file $T/loose.key: mode 0644"* ]]
	if built_in electricitymaps; then
		three_zones "$T/c.conf"
		cp "$TOKEN_FILE" "$T/loose.token"
		chmod 644 "$T/loose.token"
		echo "Provider=em Type=electricitymaps TokenFile=$T/loose.token" >>"$T/c.conf"
		run "$CACHED" --check-config -f "$T/c.conf"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"Provider=em"* && "$output" == *"0644"* ]]
	fi
	three_zones "$T/c.conf"
	sed -i "s|$NO_TRACE|$T/missing.csv|" "$T/c.conf"
	run "$CACHED" --check-config -f "$T/c.conf"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/c.conf:8: Provider=replay-no: replay replay-no: Trace: $T/missing.csv: No such file"* ]]
}

@test "chain fallback: the first provider fails, the second answers with fallback=1" {
	built_in electricitymaps || skip "electricitymaps is not built in"
	fake_em_start "$T"
	echo fail >"$T/mode"
	conf_head "$T/c.conf" "$MPORT"
	em_provider em "$FAKE_PORT" >>"$T/c.conf"
	replay_provider replay-es "$ES_TRACE" >>"$T/c.conf"
	echo "Zone=ES Providers=em,replay-es" >>"$T/c.conf"
	rcli DEL carbon:zone:ES
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 record_has carbon:zone:ES '^source=replay-es$'
	rget carbon:zone:ES >"$T/ES"
	[ "$(field "$T/ES" fallback)" = 1 ]
	verify_record "$T/ES" "$KEY_FILE"
	grep -q 'zone ES: provider em failed: ' "$T/log"
	curl -sf "http://127.0.0.1:$MPORT/metrics" >"$T/metrics"
	grep -q '^carbon_provider_requests_total{provider="em",result="failure"} [1-9]' "$T/metrics"
	grep -q '^carbon_zone_fallback{zone="ES"} 1$' "$T/metrics"
}

@test "provider outage: the last good record is kept, stale=1, still signed" {
	built_in electricitymaps || skip "electricitymaps is not built in"
	fake_em_start "$T"
	conf_head "$T/c.conf" "$MPORT"
	em_provider em "$FAKE_PORT" >>"$T/c.conf"
	echo "Zone=DE Providers=em" >>"$T/c.conf"
	rcli DEL carbon:zone:DE
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 record_has carbon:zone:DE '^source=em$' ||
		{ cat "$T/log"; skip "electricitymaps did not take the fake's documents"; }
	rget carbon:zone:DE >"$T/good"
	[ "$(field "$T/good" stale)" = 0 ]
	echo fail >"$T/mode"
	wait_until 25 record_has carbon:zone:DE '^stale=1$'
	rget carbon:zone:DE >"$T/stale"
	verify_record "$T/stale" "$KEY_FILE"
	[ "$(field "$T/stale" fetched_at)" = "$(field "$T/good" fetched_at)" ]
	[ "$(field "$T/stale" age)" -gt 0 ]
	# the same points
	diff <(sed -n '/^points=/,/^sig=/p' "$T/good" | head -n -1) \
		<(sed -n '/^points=/,/^sig=/p' "$T/stale" | head -n -1)
	grep -q 'zone DE: every provider failed; keeping the record' "$T/log"
	# stale but served: still ready
	ready "$MPORT"
	curl -sf "http://127.0.0.1:$MPORT/metrics" | grep -q '^carbon_zone_stale{zone="DE"} 1$'
}

@test "Redis stopped and restarted: carbon-cached reconnects and writes again" {
	three_zones "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 ready "$MPORT"
	stop_pid "$(cat "$CACHE_DIR/redis.pid")"
	wait_until 15 bash -c "! curl -sf http://127.0.0.1:$MPORT/readyz"
	run curl -s "http://127.0.0.1:$MPORT/readyz"
	[[ "$output" == *"redis: not reachable"* ]]
	curl -sf "http://127.0.0.1:$MPORT/metrics" | grep -q '^carbon_redis_up 0$'
	sleep 2 # it keeps running and fetching meanwhile
	curl -sf "http://127.0.0.1:$MPORT/healthz"
	redis_start "$CACHE_DIR" # empty: no persistence
	wait_until 40 record_has carbon:zone:NO '^source=replay-no$'
	wait_until 10 ready "$MPORT"
	rget carbon:zone:ES >"$T/ES"
	verify_record "$T/ES" "$KEY_FILE"
	grep -q 'records are kept in memory' "$T/log"
	[ "$(grep -c 'redis: connected' "$T/log")" -ge 2 ]
}

@test "SIGTERM stops carbon-cached within 2 s while a provider hangs" {
	built_in electricitymaps || skip "electricitymaps is not built in"
	fake_em_start "$T"
	echo hang >"$T/mode"
	conf_head "$T/c.conf" "$MPORT"
	em_provider em "$FAKE_PORT" >>"$T/c.conf"
	echo "Zone=DE Providers=em,static StaticIntensity=300" >>"$T/c.conf"
	"$CACHED" -f "$T/c.conf" >"$T/log" 2>&1 &
	local pid=$! t0 t1 rc=0
	echo "$pid" >>"$CACHE_PIDS"
	wait_until 10 test -s "$T/requests" # the transfer is in flight
	sleep 0.5
	t0=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	t1=$(date +%s%N)
	echo "exit after $(((t1 - t0) / 1000000)) ms, status $rc"
	[ $(((t1 - t0) / 1000000)) -lt 2000 ]
	[ "$rc" -eq 0 ]
}

@test "switching a zone's provider is a carbon.conf change and a restart of carbon-cached" {
	three_zones "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 record_has carbon:zone:ES '^source=replay-es$'
	stop_pid "$CACHED_PID"
	sed -i 's/^Zone=ES Providers=replay-es,static/Zone=ES Providers=static/' "$T/c.conf"
	"$CACHED" --check-config -f "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 record_has carbon:zone:ES '^source=static$'
	rget carbon:zone:ES >"$T/ES"
	verify_record "$T/ES" "$KEY_FILE"
	grep -q ' 160 ' "$T/ES"
	[ "$(field "$T/ES" fallback)" = 0 ]
	# the other zones were untouched
	record_has carbon:zone:NO '^source=replay-no$'
}

@test "/healthz, /readyz and /metrics answer; other paths are 404" {
	three_zones "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 ready "$MPORT"
	[ "$(curl -s "http://127.0.0.1:$MPORT/healthz")" = ok ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/nope")" = 404 ]
	[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$MPORT/metrics")" = 405 ]
	curl -s "http://127.0.0.1:$MPORT/metrics" >"$T/m"
	grep -q '^carbon_intensity_now{zone="NO"} [0-9.]*$' "$T/m"
	grep -q '^carbon_redis_up 1$' "$T/m"
	grep -q '^process_resident_memory_bytes [1-9]' "$T/m"
}

@test "a real Prometheus scrapes /metrics" {
	command -v prometheus >/dev/null || skip "prometheus is not installed"
	local pport
	pport=$(free_port)
	three_zones "$T/c.conf"
	cached_start "$T/c.conf" "$T/log"
	wait_until 15 ready "$MPORT"
	cat >"$T/prometheus.yml" <<-EOF
		global:
		  scrape_interval: 1s
		scrape_configs:
		  - job_name: carbon-cached
		    static_configs:
		      - targets: ['127.0.0.1:$MPORT']
	EOF
	prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$T/prometheus.log" 2>&1 &
	echo $! >>"$CACHE_PIDS"
	query() {
		curl -sf "http://127.0.0.1:$pport/api/v1/query?query=$1" |
			python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(" ".join(sorted((m["metric"].get("zone") or m["metric"].get("provider") or m["metric"]["__name__"]) + "=" + m["value"][1] for m in r)))'
	}
	has_three() { [ "$(query carbon_intensity_now | wc -w)" -eq 3 ]; }
	wait_until 40 has_three || { cat "$T/prometheus.log"; false; }
	run query carbon_intensity_now
	echo "$output"
	[[ "$output" == *"ES="*"NO="*"US-CAL-CISO="* ]]
	run query carbon_redis_up
	[ "$output" = "carbon_redis_up=1" ]
	run query 'carbon_provider_requests_total%7Bresult%3D%22success%22%7D'
	[[ "$output" == *"replay-es="* ]]
	run query process_start_time_seconds
	[[ "$output" == process_start_time_seconds=1* ]]
}

@test "Redis over a Unix socket, as an ACL user allowed only the record keys" {
	local sock=$T/redis.sock pid
	new_secret "$T/acl.pass"
	redis-server --port 0 --unixsocket "$sock" --unixsocketperm 700 --save '' \
		--appendonly no --daemonize no --dir "$T" >"$T/redis2.log" 2>&1 &
	pid=$!
	echo "$pid" >>"$CACHE_PIDS"
	wait_until 10 redis-cli -s "$sock" ping
	redis-cli -s "$sock" ACL SETUSER cached on ">$(cat "$T/acl.pass")" \
		'~acl:*' +set +get +ping >/dev/null
	redis-cli -s "$sock" ACL SETUSER default off >/dev/null
	three_zones "$T/c.conf"
	sed -i "s|^RedisHost=.*|RedisHost=$sock RedisUser=cached RedisPasswordFile=$T/acl.pass RedisKeyPrefix=acl:|" "$T/c.conf"
	run "$CACHED" -f "$T/c.conf" --once
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"redis: connected to $sock"* ]]
	redis-cli -s "$sock" --user cached --pass "$(cat "$T/acl.pass")" --raw \
		GET acl:zone:NO 2>/dev/null | grep -q '^source=replay-no$'
	# a wrong password is refused and said so
	new_secret "$T/wrong.pass"
	sed -i "s|RedisPasswordFile=$T/acl.pass|RedisPasswordFile=$T/wrong.pass|" "$T/c.conf"
	run "$CACHED" -f "$T/c.conf" --once
	[ "$status" -ne 0 ]
	[[ "$output" == *"WRONGPASS"* || "$output" == *"invalid username-password"* ]]
	[[ "$output" != *"$(cat "$T/wrong.pass")"* ]]
}
