# Helpers for the carbon-cached integration tests (30-carbon-cached.bats).
# Every process started here is recorded by PID and stopped by PID.

CACHE_TOP=${CARBON_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
CACHED=$CACHE_TOP/build/bin/carbon-cached
TRACES=$CACHE_TOP/build/data/carbon
ES_TRACE=$TRACES/emaps2023_ES_hourly.csv
NO_TRACE=$TRACES/emaps2023_NO_hourly.csv
CAL_TRACE=$TRACES/emaps2023_US-CAL-CISO_hourly.csv

# cache_setup_file: a carbon-cached test file's setup: a list of the PIDs
# its tests start (CACHE_PIDS), an HMAC key and a token (KEY_FILE,
# TOKEN_FILE), and its own Redis (REDIS_PORT, REDIS_PASS_FILE).
cache_setup_file() {
	export CACHE_DIR=$BATS_FILE_TMPDIR
	export CACHE_PIDS=$CACHE_DIR/pids
	: >"$CACHE_PIDS"
	export KEY_FILE=$CACHE_DIR/hmac.key TOKEN_FILE=$CACHE_DIR/token
	new_secret "$KEY_FILE"
	new_secret "$TOKEN_FILE"
	redis_start "$CACHE_DIR"
	export REDIS_PORT REDIS_PASS_FILE
}

# cache_stop_all: stop, by PID, every process the test started.
cache_stop_all() {
	local pid
	while read -r pid; do stop_pid "$pid"; done <"$CACHE_PIDS"
	: >"$CACHE_PIDS"
}

# A TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Has PID ended?  (An exited child may linger as a zombie until reaped.)
gone() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	[[ -z "$st" || "$st" == Z* ]]
}

# stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL.
stop_pid() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for i in $(seq 50); do
		gone "$pid" && return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

# Our own Redis with a password: REDIS_PORT, REDIS_PASS_FILE, REDIS_PID.
redis_start() {
	local dir=$1
	REDIS_PORT=${REDIS_PORT:-$(free_port)}
	REDIS_PASS_FILE=$dir/redis.pass
	[ -f "$REDIS_PASS_FILE" ] || (umask 077 && head -c 18 /dev/urandom | base64 >"$REDIS_PASS_FILE")
	redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' \
		--appendonly no --daemonize no --dir "$dir" \
		--requirepass "$(cat "$REDIS_PASS_FILE")" \
		>>"$dir/redis.log" 2>&1 &
	REDIS_PID=$!
	echo "$REDIS_PID" >"$dir/redis.pid"
	local i
	for i in $(seq 50); do
		rcli ping >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "redis did not start" >&2
	return 1
}

rcli() {
	REDISCLI_AUTH=$(cat "$REDIS_PASS_FILE") timeout 5 redis-cli -h 127.0.0.1 \
		-p "$REDIS_PORT" "$@"
}

# rget KEY: the value's exact bytes (redis-cli adds a newline; a record
# ends in exactly one).
rget() {
	local v
	v=$(rcli --raw GET "$1")
	[ -n "$v" ] && printf '%s\n' "$v"
}

# A record's header field.
field() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# verify_record FILE KEYFILE: does the sig line hold HMAC-SHA256 over every
# byte before it, under the key in KEYFILE (its trailing newline dropped,
# as carbon-cached reads it)?
verify_record() {
	local want got
	want=$(tail -n 1 "$1" | sed -n 's/^sig=//p')
	[ ${#want} -eq 64 ] || return 1
	got=$(head -n -1 "$1" | openssl dgst -sha256 -hmac "$(cat "$2")" -r | cut -d' ' -f1)
	[ "$got" = "$want" ]
}

# new_secret FILE: a random 0600 secret.
new_secret() { (umask 077 && head -c 24 /dev/urandom | base64 >"$1"); }

# conf_head FILE METRICS_PORT [EXTRA]: globals for our Redis and key.
conf_head() {
	cat >"$1" <<-EOF
		RedisHost=127.0.0.1 RedisPort=$REDIS_PORT RedisPasswordFile=$REDIS_PASS_FILE
		RedisTimeout=500
		HmacKeyFile=$KEY_FILE HmacKeyId=t1
		PollInterval=10s StaleAfter=1m
		MetricsListen=127.0.0.1:$2 LogLevel=verbose
		${3:-}
	EOF
}

# replay_provider NAME TRACE: a Provider line for a shipped trace.
replay_provider() {
	echo "Provider=$1 Type=replay Trace=\"$2\" EstimatedColumn=\"Data Estimated\" TraceStart=2023-06-15T04:00 SpeedUp=1"
}

# cached_start CONF LOG [ARGS...]: carbon-cached in the background; PID in
# CACHED_PID (also appended to $CACHE_PIDS for teardown).
cached_start() {
	local conf=$1 log=$2
	shift 2
	"$CACHED" -f "$conf" "$@" >>"$log" 2>&1 &
	CACHED_PID=$!
	echo "$CACHED_PID" >>"$CACHE_PIDS"
}

# wait_until SECONDS CMD...: poll CMD every 0.2 s.
wait_until() {
	local limit=$1 end
	shift
	end=$(($(date +%s) + limit))
	until "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

# record_has KEY REGEX: the record at KEY exists and has a matching line.
record_has() { rget "$1" | grep -qE "$2"; }

ready() { curl -sf "http://127.0.0.1:$1/readyz" >/dev/null; }

# Is this provider type built into carbon-cached?
built_in() {
	local dir conf out
	dir=$(mktemp -d)
	new_secret "$dir/k"
	new_secret "$dir/t"
	printf 'HmacKeyFile=%s\nProvider=p Type=%s TokenFile=%s\nZone=Z Providers=p\n' \
		"$dir/k" "$1" "$dir/t" >"$dir/c"
	out=$("$CACHED" --check-config -f "$dir/c" 2>&1 || true)
	rm -rf "$dir"
	! grep -q 'not built into' <<<"$out"
}

# A fake Electricity Maps v3 API: fake_em_start DIR sets FAKE_PORT and
# FAKE_PID; the word in DIR/mode decides each answer: ok (history and
# latest; the forecast is 404, as on a free plan), fail (500), hang (read
# the request, never answer).  Requests are logged to DIR/requests.
fake_em_start() {
	local dir=$1
	echo ok >"$dir/mode"
	cat >"$dir/fake_em.py" <<-'EOF'
		import json, sys, threading, time
		from datetime import datetime, timezone
		from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
		from urllib.parse import urlparse, parse_qs
		d = sys.argv[1]
		def entry(zone, t, v):
		    return {"zone": zone, "carbonIntensity": v,
		            "datetime": datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
		            "updatedAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
		            "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
		            "emissionFactorType": "lifecycle", "isEstimated": False,
		            "estimationMethod": None}
		class H(BaseHTTPRequestHandler):
		    def log_message(self, *a):
		        pass
		    def send(self, code, body):
		        b = json.dumps(body).encode()
		        self.send_response(code)
		        self.send_header("Content-Type", "application/json")
		        self.send_header("Content-Length", str(len(b)))
		        self.end_headers()
		        self.wfile.write(b)
		    def do_GET(self):
		        with open(d + "/requests", "a") as f:
		            f.write(self.path.split("?")[0] + "\n")
		        mode = open(d + "/mode").read().strip()
		        if mode == "hang":
		            while True:
		                time.sleep(1)
		        if mode != "ok":
		            return self.send(500, {"error": "fake outage"})
		        u = urlparse(self.path)
		        zone = parse_qs(u.query).get("zone", ["XX"])[0]
		        hour = int(time.time()) // 3600 * 3600
		        if u.path.endswith("/history"):
		            return self.send(200, {"zone": zone, "history":
		                [entry(zone, hour - 3600 * k, 300 + k) for k in range(24, 0, -1)]})
		        if u.path.endswith("/latest"):
		            return self.send(200, entry(zone, hour, 300))
		        return self.send(404, {"error": "forecast not in your plan"})
		s = ThreadingHTTPServer(("127.0.0.1", 0), H)
		s.daemon_threads = True
		open(d + "/port.tmp", "w").write(str(s.server_address[1]))
		import os
		os.rename(d + "/port.tmp", d + "/port")
		s.serve_forever()
	EOF
	python3 "$dir/fake_em.py" "$dir" >"$dir/fake_em.log" 2>&1 &
	FAKE_PID=$!
	echo "$FAKE_PID" >>"$CACHE_PIDS"
	wait_until 10 test -s "$dir/port" || return 1
	FAKE_PORT=$(cat "$dir/port")
}

# em_provider NAME URL_PORT: an electricitymaps Provider line at the fake.
em_provider() {
	echo "Provider=$1 Type=electricitymaps Url=http://127.0.0.1:$2/v3/ TokenFile=$TOKEN_FILE Timeout=30s"
}

# ---- the shared fake provider (tests/fake-provider/server.py) ---------------
# Used by 32-provider-scenarios.bats.

FAKE_PROVIDER=$CACHE_TOP/tests/fake-provider/server.py
# python3 for the helpers below; a file's setup_file may export the
# interpreter itself (a version manager's shim costs ~0.1 s a start).
CACHE_PYTHON=${CACHE_PYTHON:-python3}

# free_ports N: N distinct TCP ports nobody listens on now, one a line.
free_ports() {
	"$CACHE_PYTHON" -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print("\n".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# fake_provider_start DIR: the fake provider on a free port of 127.0.0.1;
# sets FAKE_PROVIDER_PORT and FAKE_PROVIDER_PID (also in DIR/fake.pid).  A
# "hang" answer is held for 10 s at most.
fake_provider_start() {
	local dir=$1
	FAKE_PROVIDER_PORT=$(free_port)
	"$CACHE_PYTHON" "$FAKE_PROVIDER" --port "$FAKE_PROVIDER_PORT" \
		--pidfile "$dir/fake-provider.pidfile" --hang-seconds 10 \
		>>"$dir/fake-provider.log" 2>&1 &
	FAKE_PROVIDER_PID=$!
	echo "$FAKE_PROVIDER_PID" >"$dir/fake.pid"
	wait_until 10 curl -sf "http://127.0.0.1:$FAKE_PROVIDER_PORT/healthz" || {
		echo "the fake provider did not start" >&2
		return 1
	}
}

# record_check FILE [OTHER]: check that FILE holds exactly one record in
# the canonical v1 form of lib/carbon/record.h (magic, the twelve header
# fields in order, age = generated_at - fetched_at, points= point lines of
# TIME VALUE FLAGS with strictly increasing times and canonical values,
# one sig line, one final newline) and print what is in it, one KEY=VALUE a
# line: every header field, then
#   measured, forecast, estimated   point counts by flag
#   min, max                        the values' range
#   forecast_last                   1 when every forecast point comes after
#                                   every measured one
#   cadence                         seconds between the last two measured
#                                   points
#   day_before, day_before_same     forecast points with a measured point
#                                   exactly 24 h earlier, and how many of
#                                   them hold that same value
# and with OTHER (another record): common (times in both), differ (of those,
# with another value), higher (of those, higher in FILE).  Exits 1 with the
# reason on stderr when FILE is not a canonical record.
record_check() {
	"$CACHE_PYTHON" - "$@" <<-'EOF'
		import re, sys
		from datetime import datetime, timezone
		HEAD = ["zone", "signal", "basis", "source", "fetched_at", "generated_at",
		        "stale", "age", "fallback", "derived", "key", "points"]
		TIME = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"
		POINT = re.compile(r"^(" + TIME + r") ((?:0|[1-9][0-9]*)(?:\.[0-9]{0,2}[1-9])?) (-|e|f|fe)$")
		def secs(s):
		    return int(datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())
		def fail(why):
		    sys.stderr.write("%s: not a canonical record: %s\n" % (sys.argv[1], why))
		    sys.exit(1)
		def load(path):
		    data = open(path, "rb").read().decode("ascii")
		    if not data.endswith("\n") or data.endswith("\n\n") or "\r" in data:
		        fail("line ends")
		    lines = data[:-1].split("\n")
		    if lines[0] != "carbon-record v1":
		        fail("magic: %r" % lines[0])
		    h = {}
		    for k, line in zip(HEAD, lines[1:13]):
		        if not line.startswith(k + "="):
		            fail("expected %s=, got %r" % (k, line))
		        h[k] = line[len(k) + 1:]
		    if len(lines) < 13:
		        fail("short header")
		    for k in ("stale", "fallback", "derived"):
		        if h[k] not in ("0", "1"):
		            fail("%s=%s" % (k, h[k]))
		    if h["signal"] not in ("average", "marginal") or \
		            h["basis"] not in ("lifecycle", "direct", "operational"):
		        fail("signal/basis")
		    if not re.fullmatch(TIME, h["fetched_at"]) or not re.fullmatch(TIME, h["generated_at"]):
		        fail("times")
		    if int(h["age"]) != secs(h["generated_at"]) - secs(h["fetched_at"]) or int(h["age"]) < 0:
		        fail("age")
		    n = int(h["points"])
		    if not 1 <= n <= 8192 or len(lines) != 13 + n + 1:
		        fail("points=%d but %d lines" % (n, len(lines) - 14))
		    pts = []
		    for line in lines[13:13 + n]:
		        m = POINT.match(line)
		        if not m:
		            fail("point line %r" % line)
		        t = secs(m.group(1))
		        if pts and t <= pts[-1][0]:
		            fail("times not increasing at %r" % line)
		        pts.append((t, float(m.group(2)), m.group(3)))
		    if not re.fullmatch(r"sig=[0-9a-f]{64}", lines[-1]):
		        fail("sig line %r" % lines[-1])
		    return h, pts
		h, pts = load(sys.argv[1])
		meas = [p for p in pts if "f" not in p[2]]
		fc = [p for p in pts if "f" in p[2]]
		by_t = {p[0]: p[1] for p in meas}
		prior = [p for p in fc if p[0] - 86400 in by_t]
		out = dict(h)
		out.update(measured=len(meas), forecast=len(fc),
		           estimated=sum("e" in p[2] for p in pts),
		           min="%g" % min(p[1] for p in pts), max="%g" % max(p[1] for p in pts),
		           forecast_last=int(not fc or not meas or fc[0][0] > meas[-1][0]),
		           cadence=meas[-1][0] - meas[-2][0] if len(meas) > 1 else 0,
		           day_before=len(prior),
		           day_before_same=sum(by_t[p[0] - 86400] == p[1] for p in prior))
		if len(sys.argv) > 2:
		    other = {p[0]: p[1] for p in load(sys.argv[2])[1]}
		    common = [p for p in pts if p[0] in other]
		    out.update(common=len(common),
		               differ=sum(p[1] != other[p[0]] for p in common),
		               higher=sum(p[1] > other[p[0]] for p in common))
		for k, v in out.items():
		    print("%s=%s" % (k, v))
	EOF
}
