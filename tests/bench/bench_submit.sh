#!/bin/bash
# Submission cost of the carbon plugins, on vs off, side by side in one run
# against the same federation origin.  Reports, never asserts.
#
#  (a) sequential `sbatch` latency (median, p95, p99), as carbonuser;
#      also the latency of one C client calling slurm_submit_batch_job()
#      back to back, which leaves out sbatch's own start-up;
#  (b) saturation throughput: submit_client with PROCS processes, jobs/s;
#  (c) the plugin's own decision time, p50/p99, wall clock and thread CPU time,
#      from the "(decided in N us, M us CPU)" lines job_submit/carbon logs for
#      every job of the "on" phases;
#  and slurmctld's own time per submission RPC (sdiag's ave_time).
#
# "on" is the real thing: JobSubmitPlugins=carbon and SlurmctldPlugstack=
# carbon (the re-planner) on every cluster, the SPANK plugin in
# plugstack.conf, and --carbon-urgency=flexible on every job
# (CARBON_URGENCY=flexible in spank_job_env for the C client).  "off" is
# plain Slurm: no carbon plugin anywhere, no carbon option.  Slurm loads
# SlurmctldPlugstack plugins only at start-up, so each switch edits the
# slurm.conf files and plugstack.conf and restarts the controllers one by
# one (`federation.sh restart`, by the PIDs it recorded), waiting for the
# federation to sync; then `scontrol show config`, the "loaded" log lines, `sbatch
# --help` and a probe job's AdminComment check that the switch took.  After
# each phase, every "on" job must carry the plugin's decision record in
# AdminComment and no "off" job may.
#
# BENCH_CTLD_DEBUG is a list of SlurmctldDebug levels (default: info, the
# local federation's): the whole measurement runs once per level, e.g.
# "info error" shows what the plugin's per-job log line costs.  The
# decision times (c) need a level that logs it (info or more verbose).
#
# The modes alternate in ROUNDS rounds (off,on then on,off, ...) so that
# the noise of a shared machine hits both.  Jobs are submitted held: they
# never run, and a held federated job gets no sibling copies, so only the
# origin's submission path is measured.  Before each phase every job is
# cancelled and purged (MinJobAge=2 at the origin), so each phase starts
# with an empty queue.
#
# It brings up its own federation (CARBON_FED_DIR, default build/fed-bench;
# CARBON_FED_PORT_BASE, default 17800) and stops it by PID on exit.  The
# plugins are copied first (to build/bench/submit/plugins), so a rebuild
# during the run changes nothing.  Results: a table on stdout and
# docs/results-submit-bench.md.
#
# Usage: tests/bench/bench_submit.sh [SUBMIT_CLIENT]   (root)
# Environment (defaults): BENCH_ROUNDS (10), BENCH_SEQ (1000 sbatch calls
# per mode), BENCH_API_SEQ (2000 C API calls per mode), BENCH_PROCS (4),
# BENCH_JOBS (500 jobs per process per round for the throughput),
# BENCH_CTLD_DEBUG (info), BENCH_SNAPSHOT_REFRESH (1m) and
# BENCH_REPLAN_INTERVAL (5m) (carbon.conf's defaults; the test federation
# uses 5s and 15s), BENCH_ORIGIN (cal), BENCH_RESULTS
# (docs/results-submit-bench.md, "-" for none), BENCH_KEEP=1 (leave the
# federation up; reuse a running one), BENCH_REPORT_ONLY=1 (no run: write
# the report again from the data of the last one, build/bench/submit/data).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
client=$(readlink -f "${1:-$top/build/bench/submit_client}")
ROUNDS=${BENCH_ROUNDS:-10}
SEQ=${BENCH_SEQ:-1000}
API_SEQ=${BENCH_API_SEQ:-2000}
PROCS=${BENCH_PROCS:-4}
JOBS=${BENCH_JOBS:-500}
ORIGIN=${BENCH_ORIGIN:-cal}
RESULTS=${BENCH_RESULTS:-$top/docs/results-submit-bench.md}
KEEP=${BENCH_KEEP:-0}
LEVELS=${BENCH_CTLD_DEBUG:-info}
REPORT_ONLY=${BENCH_REPORT_ONLY:-0}
URGENCY=flexible
export CARBON_FED_DIR=${CARBON_FED_DIR:-$top/build/fed-bench}
export CARBON_FED_PORT_BASE=${CARBON_FED_PORT_BASE:-17800}
# The plugins' background work at the shipped defaults, not at the test
# federation's 5 s / 15 s.
export CARBON_SNAPSHOT_REFRESH=${BENCH_SNAPSHOT_REFRESH:-1m}
export CARBON_REPLAN_INTERVAL=${BENCH_REPLAN_INTERVAL:-5m}
FED_USER=${CARBON_FED_USER:-carbonuser}
fed=$top/cluster-configs/local/federation.sh
work=$top/build/bench/submit
export LC_ALL=C
CLK_TCK=$(getconf CLK_TCK)

say() { printf 'bench-submit: %s\n' "$*" >&2; }
die() {
	say "error: $*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root (it starts a federation)"
[ -x "$client" ] || die "$client is missing: make build/bench/submit_client"
# Never the integration tests' federation.
case $(readlink -m "$CARBON_FED_DIR") in
"$top/build/fed" | "$top/build/fed/") die "CARBON_FED_DIR must not be build/fed" ;;
esac
[ "$CARBON_FED_PORT_BASE" != 16800 ] || die "CARBON_FED_PORT_BASE must not be 16800"
for v in ROUNDS SEQ API_SEQ PROCS JOBS; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "BENCH_$v must be a positive integer"
done
for l in $LEVELS; do
	[[ $l =~ ^(quiet|fatal|error|info|verbose|debug[2-5]?)$ ]] ||
		die "BENCH_CTLD_DEBUG: '$l' is not a SlurmctldDebug level"
done
SEQ_R=$(((SEQ + ROUNDS - 1) / ROUNDS))
API_R=$(((API_SEQ + ROUNDS - 1) / ROUNDS))

conf=$CARBON_FED_DIR/etc/slurm-$ORIGIN.conf
plugstack=$CARBON_FED_DIR/etc/plugstack.conf
ctld_log=$CARBON_FED_DIR/log/slurmctld-$ORIGIN.log
data=$work/data # one directory per SlurmctldDebug level below
udir=$work/user # written by the submitting user

as_root() { SLURM_CONF=$conf timeout 120 "$@"; }
user_home=$(getent passwd "$FED_USER" | cut -d: -f6)
as_user() {
	(cd "$user_home" && runuser -u "$FED_USER" -- env SLURM_CONF="$conf" "$@")
}

log_size() { stat -c %s "$ctld_log"; }
# Lines of the origin's slurmctld log written since byte offset $1.
log_since() { tail -c +$(($1 + 1)) "$ctld_log"; }
# log_has OFFSET STRING: a line since OFFSET contains STRING.  (No grep -q
# on a pipe: with pipefail, tail's SIGPIPE would turn a match into a miss.)
log_has() { log_since "$1" | grep -aF -- "$2" >/dev/null; }

# ---- the federation ----------------------------------------------------------

started=0
cleanup() {
	local rc=$?
	if [ "$started" = 1 ] && [ "$KEEP" != 1 ]; then
		"$fed" down >&2 || true
	fi
	exit $rc
}

setup() {
	local src p f
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	mkdir -p "$work/plugins" "$udir"
	rm -rf "$data"
	mkdir -p "$data"
	rm -f "$udir"/*
	chown "$FED_USER" "$udir"

	if [ "$KEEP" = 1 ] && "$fed" status >/dev/null 2>&1; then
		say "reusing the running federation in $CARBON_FED_DIR"
	else
		# A private copy of the plugins: a rebuild during the run changes nothing.
		src=${CARBON_PLUGINS:-$top/build/plugins}
		for p in job_submit_carbon slurmctld_carbon spank_carbon; do
			[ -f "$src/$p.so" ] || die "$src/$p.so is missing: run 'make' first"
			cp "$src/$p.so" "$work/plugins/$p.so.new"
			mv "$work/plugins/$p.so.new" "$work/plugins/$p.so"
		done
		export CARBON_PLUGINS=$work/plugins
		say "starting a federation in $CARBON_FED_DIR (ports $CARBON_FED_PORT_BASE..)"
		started=1
		"$fed" up >&2
	fi

	CLUSTERS=()
	for f in "$CARBON_FED_DIR"/etc/slurm-*.conf; do
		f=${f##*/slurm-}
		CLUSTERS+=("${f%.conf}")
	done
	[ -f "$conf" ] || die "no cluster $ORIGIN in $CARBON_FED_DIR (${CLUSTERS[*]})"
	# MinJobAge=2 at the origin: cancelled jobs leave memory within ~10 s
	# (from the first restart on).
	sed -i 's/^MinJobAge=.*/MinJobAge=2/' "$conf"
	grep -q '^MinJobAge=2$' "$conf" || echo 'MinJobAge=2' >>"$conf"
	spank_line=$(grep -m1 'spank_carbon\.so' "$plugstack" | sed 's/^#*//')
	[ -n "$spank_line" ] || die "no spank_carbon.so line in $plugstack"
	# The directory the federation loads the plugins from.
	plugin_dir=$(dirname "$(awk '{ print $2 }' <<<"$spank_line")")
	# What the report says about the run.
	{
		echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)"
		echo "code=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)"
		echo "sha=$(sha256sum "$plugin_dir/job_submit_carbon.so" | cut -c1-12)"
		echo "slurm=$(dpkg-query -W -f='${Version}' slurm-wlm 2>/dev/null)"
		echo "rounds=$ROUNDS procs=$PROCS jobs=$JOBS"
		echo "refresh=$(sed -n 's/^SnapshotRefresh=//p' "$CARBON_FED_DIR/etc/carbon.conf")"
		echo "replan=$(sed -n 's/^ReplanInterval=//p' "$CARBON_FED_DIR/etc/carbon.conf")"
	} >"$data/meta"
}

# set_level LEVEL: SlurmctldDebug=LEVEL on every cluster, from the next
# restart on (every switch restarts the controllers).
set_level() {
	local c
	for c in "${CLUSTERS[@]}"; do
		sed -i "s/^SlurmctldDebug=.*/SlurmctldDebug=$1/" "$CARBON_FED_DIR/etc/slurm-$c.conf"
	done
	case $1 in
	info | verbose | debug*) logs_info=1 ;;
	*) logs_info=0 ;;
	esac
}

# ---- switching the plugins on and off ----------------------------------------

# probe MODE: submit one held job with sbatch; true when its AdminComment
# has the plugin's decision on fresh data (on), or no decision (off).
probe() {
	local mode=$1 opts=() id comment
	[ "$mode" = on ] && opts=("--carbon-urgency=$URGENCY")
	id=$(as_user sbatch --parsable --hold -J "probe-$mode" -t 10 -o /dev/null \
		"${opts[@]}" --wrap true) || return 1
	comment=$(as_root scontrol -o show job "${id%%;*}" | grep -o 'AdminComment=.*' || true)
	if [ "$mode" = on ]; then
		grep -F '"q":"fresh"' <<<"$comment" >/dev/null
	elif grep -F '{"carbon"' <<<"$comment" >/dev/null; then
		return 1
	fi
}

# carbon_jobs NAME: how many of the jobs named NAME carry a decision record.
carbon_jobs() {
	as_root scontrol --local -o show job |
		awk -v n="JobName=$1" 'index($0, n " ") && index($0, "AdminComment={\"carbon\"")' |
		wc -l
}

# show_config CLUSTER KEY: the value `scontrol show config` gives.
show_config() {
	SLURM_CONF=$CARBON_FED_DIR/etc/slurm-$1.conf timeout 30 scontrol show config |
		awk -v k="$2" '$1 == k { print $3 }'
}

# set_mode on|off: every controller restarted with or without the three
# plugins (SlurmctldPlugstack plugins load only at start-up), then checked.
set_mode() {
	local mode=$1 c f want_js want_ps off
	purge
	if [ "$mode" = on ]; then
		want_js=carbon want_ps=carbon
		sed -i "s|^#*\(.*spank_carbon\.so.*\)|$spank_line|" "$plugstack"
	else
		want_js='(null)' want_ps='(null)'
		sed -i 's|^\([^#].*spank_carbon\.so.*\)|#\1|' "$plugstack"
	fi
	off=$(log_size)
	for c in "${CLUSTERS[@]}"; do
		f=$CARBON_FED_DIR/etc/slurm-$c.conf
		if [ "$mode" = on ]; then
			sed -i 's/^#*JobSubmitPlugins=.*/JobSubmitPlugins=carbon/;
				s/^#*SlurmctldPlugstack=.*/SlurmctldPlugstack=carbon/' "$f"
		else
			sed -i 's/^#*JobSubmitPlugins=.*/#JobSubmitPlugins=carbon/;
				s/^#*SlurmctldPlugstack=.*/#SlurmctldPlugstack=carbon/' "$f"
		fi
		# (its log lines, repairs included, in restarts.log; errors on stderr)
		"$fed" restart "$c" >>"$CARBON_FED_DIR/log/restarts.log"
	done
	for c in "${CLUSTERS[@]}"; do
		if [ "$(show_config "$c" JobSubmitPlugins)" != "$want_js" ] ||
			[ "$(show_config "$c" SlurmctldPlugstack)" != "$want_ps" ]; then
			die "slurmctld $c: JobSubmitPlugins or SlurmctldPlugstack not $want_js"
		fi
	done
	if [ "$mode" = on ] && [ "$logs_info" = 1 ]; then
		if ! log_has "$off" "job_submit/carbon: loaded" ||
			! log_has "$off" "slurmctld/carbon: loaded"; then
			die "the carbon plugins did not log 'loaded' at $ORIGIN"
		fi
	elif [ "$mode" = off ] && log_has "$off" "carbon: loaded"; then
		die "a carbon plugin loaded at $ORIGIN after switching off"
	fi
	# sbatch loads plugstack.conf itself: the option comes and goes.
	if [ "$mode" = on ]; then
		as_user sbatch --help | grep -- --carbon-urgency >/dev/null ||
			die "sbatch has no --carbon-urgency after switching on"
	elif as_user sbatch --help | grep -- --carbon-urgency >/dev/null; then
		die "sbatch still has --carbon-urgency after switching off"
	fi
	# The plugin's snapshot loads Redis in the background: wait for it.
	for _ in $(seq 60); do
		probe "$mode" && return 0
		sleep 0.5
	done
	die "the probe job does not show the plugins $mode (see $ctld_log)"
}

# ---- one phase -----------------------------------------------------------

# cpu_sample: user+system clock ticks of the origin's slurmctld, and of
# every daemon of the federation (slurmctlds, slurmds, slurmdbd, MariaDB,
# munged, Redis, carbon-cached), from /proc/PID/stat.
cpu_sample() {
	local f pid t ctld=0 all=0
	for f in "$CARBON_FED_DIR"/pids/*.pid; do
		pid=$(cat "$f")
		t=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
		all=$((all + t))
		[ "$f" = "$CARBON_FED_DIR/pids/slurmctld-$ORIGIN.pid" ] && ctld=$t
	done
	echo "$ctld $all"
}

dbd_queue() {
	as_root sdiag | awk -F: '/DBD Agent queue size/ { gsub(/ /, "", $2); print $2 }'
}

# Wait (at most 60 s) until slurmctld has handed every record to slurmdbd.
wait_dbd() {
	for _ in $(seq 300); do
		[ "$(dbd_queue)" = 0 ] && return 0
		sleep 0.2
	done
}

# Cancel every job of the user and wait until the origin has purged them
# and slurmdbd has caught up, so each phase starts from an empty queue.
purge() {
	local n q
	as_root scancel --quiet -u "$FED_USER" 2>/dev/null || true
	for _ in $(seq 600); do
		n=$(as_root squeue --local -h -t all -u "$FED_USER" -o %i | wc -l)
		q=$(dbd_queue)
		[ "$n" = 0 ] && [ "${q:-0}" = 0 ] && return 0
		sleep 0.5
	done
	die "jobs of $FED_USER still in the queue of $ORIGIN after 300 s"
}

# sdiag's count and average time (us) of REQUEST_SUBMIT_BATCH_JOB.
rpc_stats() {
	as_root sdiag | awk '/REQUEST_SUBMIT_BATCH_JOB/ {
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^count:/) { sub(/count:/, "", $i); c = $i }
			if ($i ~ /^ave_time:/) { sub(/ave_time:/, "", $i); a = $i }
		}
	} END { print (c ? c : 0), (a ? a : 0) }'
}

# The decision times of the jobs named $2 logged since offset $1: "WALL
# CPU" a line, from "(decided in WALL us, CPU us CPU)".
decisions() {
	{ log_since "$1" | grep -a "job_submit/carbon: job $2 from uid" || true; } |
		sed -n 's/.*(decided in \([0-9.]*\) us, \([0-9.]*\) us CPU).*/\1 \2/p'
}

progress() {
	if [ -t 2 ]; then printf '\r\033[K%s' "$*" >&2; else printf '%s\n' "$*" >&2; fi
}

# Sequential sbatch as the user: one latency (us) a line on stdout.
# The CPU time of the sbatch processes (user+system) goes to $udir/NAME.cpu.
seq_sbatch() {
	local mode=$1 n=$2 name=$3 opts=()
	[ "$mode" = on ] && opts=("--carbon-urgency=$URGENCY")
	# shellcheck disable=SC2016 # expanded by the user's bash
	as_user bash -c '
		n=$1 tty=$2 cpu=$3
		shift 3
		trap "times >\"\$cpu\"" EXIT
		for ((i = 1; i <= n; i++)); do
			t0=${EPOCHREALTIME/./}
			sbatch "$@" >/dev/null || { echo "sbatch failed" >&2; exit 1; }
			t1=${EPOCHREALTIME/./}
			echo $((t1 - t0))
			if ((i % 50 == 0)) && [ "$tty" = 1 ]; then
				printf "\r\033[K    sbatch %d/%d" "$i" "$n" >&2
			fi
		done' _ "$n" "$([ -t 2 ] && echo 1 || echo 0)" "$udir/$name.cpu" \
		--parsable --hold -J "$name" -t 10 -o /dev/null "${opts[@]}" --wrap true
}

# phase ROUND MODE KIND: run one measurement and record it under $data.
phase() {
	local r=$1 mode=$2 kind=$3 name off rpc out u=() jobs c0 c1 a0 a1 client_us
	name=b$kind-$mode-r$r
	[ "$mode" = on ] && u=(-u "$URGENCY")
	purge
	as_root sdiag -r >/dev/null
	off=$(log_size)
	read -r c0 a0 < <(cpu_sample)
	case $kind in
	seq)
		jobs=$SEQ_R
		seq_sbatch "$mode" "$SEQ_R" "$name" >"$data/$name.lat"
		read -r c1 a1 < <(cpu_sample)
		cat "$data/$name.lat" >>"$data/seq-$mode.lat"
		client_us=$(awk -v n="$jobs" 'NR == 2 { print (secs($1) + secs($2)) * 1e6 / n }
			function secs(t, m) { split(t, m, /[ms]/); return m[1] * 60 + m[2] }' "$udir/$name.cpu")
		progress "round $r/$ROUNDS $mode: sbatch x$SEQ_R, median $(pct 50 "$data/$name.lat" | ms) ms"
		;;
	api)
		jobs=$API_R
		rm -f "$udir/$name.lat"
		out=$(as_user "$client" -p 1 -n "$API_R" -J "$name" "${u[@]}" -o "$udir/$name.lat")
		read -r c1 a1 < <(cpu_sample)
		cp "$udir/$name.lat" "$data/$name.lat"
		cat "$data/$name.lat" >>"$data/api-$mode.lat"
		client_us=$(sed -n 's/.*cpu_us_per_job=\([0-9.]*\).*/\1/p' <<<"$out")
		progress "round $r/$ROUNDS $mode: API x$API_R, $out"
		;;
	thr)
		jobs=$((PROCS * JOBS))
		out=$(as_user "$client" -p "$PROCS" -n "$JOBS" -J "$name" "${u[@]}")
		read -r c1 a1 < <(cpu_sample)
		echo "$r $out" >>"$data/thr-$mode.txt"
		client_us=$(sed -n 's/.*cpu_us_per_job=\([0-9.]*\).*/\1/p' <<<"$out")
		progress "round $r/$ROUNDS $mode: throughput $PROCS x $JOBS, $out"
		;;
	esac
	rpc=$(rpc_stats)
	echo "$kind $r $rpc" >>"$data/rpc-$mode.txt"
	# The daemons' CPU once slurmdbd has written the phase's records.
	wait_dbd
	read -r _ a1 < <(cpu_sample)
	echo "$kind $r $jobs $((c1 - c0)) $((a1 - a0)) $client_us" >>"$data/cpu-$mode.txt"
	# Every job of an "on" phase has the plugin's decision; none of "off".
	local want=0 got
	[ "$mode" = on ] && want=$jobs
	got=$(carbon_jobs "$name")
	[ "$got" = "$want" ] || die "$name: $got jobs with a decision record, expected $want"
	[ "$logs_info" = 1 ] || return 0
	# And the plugin's own timer for each, from its log line.
	decisions "$off" "$name" >"$data/$name.dec"
	got=$(wc -l <"$data/$name.dec")
	[ "$got" = "$want" ] ||
		die "$name: $got decision lines in $ctld_log, expected $want"
	if [ "$mode" = on ]; then
		local sub=seq
		[ "$kind" = thr ] && sub=thr
		# dec-*: wall clock; dcpu-*: the thread's CPU time.
		cut -d' ' -f1 "$data/$name.dec" | tee -a "$data/dec-on.txt" >>"$data/dec-$sub.txt"
		cut -d' ' -f2 "$data/$name.dec" | tee -a "$data/dcpu-on.txt" >>"$data/dcpu-$sub.txt"
	fi
}

# ---- statistics ----------------------------------------------------------

# pct P FILE: nearest-rank percentile of the numbers in FILE.
pct() {
	sort -g "$2" | awk -v p="$1" '{ v[NR] = $1 } END {
		if (!NR) { print "nan"; exit }
		r = int(p / 100 * NR + 0.999999); if (r < 1) r = 1; if (r > NR) r = NR
		print v[r] }'
}
ms() { awk '{ printf "%.2f", $1 / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 == 0) print "-"; else printf "%.3f", b / a }'; }
# Pooled throughput of a mode: all jobs over all seconds.
thr_pooled() {
	awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "jobs") j += kv[2]; if (kv[1] == "seconds") s += kv[2] } }
		END { printf "%.0f", (s > 0 ? j / s : 0) }' "$1"
}
# cpu_per_job FILE COLUMN [KIND]: daemon CPU (clock ticks in COLUMN of
# cpu-MODE.txt) per job, in microseconds, over the phases of KIND (all).
cpu_per_job() {
	awk -v c="$2" -v k="${3:-}" -v hz="$CLK_TCK" '(k == "" || $1 == k) { n += $3; t += $c }
		END { printf "%.0f", n ? t / n * 1e6 / hz : 0 }' "$1"
}
# client_cpu FILE KIND...: the clients' CPU per job (us), over those kinds.
client_cpu() {
	local f=$1
	shift
	awk -v ks=" $* " 'index(ks, " " $1 " ") { n += $3; t += $3 * $6 }
		END { printf "%.0f", n ? t / n : 0 }' "$f"
}
# Weighted mean of sdiag's ave_time over the phases of KIND.
rpc_mean() {
	awk -v k="$2" '$1 == k { n += $3; t += $3 * $4 } END { printf "%.0f", n ? t / n : 0 }' "$1"
}

# ---- run ------------------------------------------------------------------

# run_level LEVEL: all rounds at SlurmctldDebug=LEVEL, into $data/LEVEL.
run_level() {
	local level=$1 t0=$SECONDS load r mode kind order
	load=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' /)
	data=$work/data/$level
	mkdir -p "$data"
	rm -f "$udir"/*
	set_level "$level"
	say "SlurmctldDebug=$level, origin $ORIGIN, $ROUNDS rounds; per mode:" \
		"$((SEQ_R * ROUNDS)) sbatch calls, $((API_R * ROUNDS)) C API calls," \
		"throughput $PROCS processes x $JOBS jobs a round"
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then order=(off on); else order=(on off); fi
		for mode in "${order[@]}"; do
			progress "[$level] round $r/$ROUNDS: switching the plugins $mode"
			set_mode "$mode"
			for kind in seq api thr; do
				phase "$r" "$mode" "$kind"
			done
		done
	done
	[ -t 2 ] && echo >&2
	{
		echo "load=$load"
		echo "seconds=$((SECONDS - t0))"
		echo "ended='$(date -u '+%Y-%m-%d %H:%M UTC')'"
	} >"$data/meta"
}

if [ "$REPORT_ONLY" != 1 ]; then
	setup
	for level in $LEVELS; do
		run_level "$level"
	done
	purge
fi
[ -f "$work/data/meta" ] || die "no data in $work/data: run the benchmark first"
rounds=$ROUNDS procs=$PROCS jobs=$JOBS load_start='' code='' sha='' slurm='' refresh='' replan=''
# shellcheck disable=SC1091 # written by setup
. "$work/data/meta"
ROUNDS=$rounds PROCS=$procs JOBS=$jobs

# ---- report ---------------------------------------------------------------

declare -A V
# compute LEVEL: the figures of one level into V, from $work/data/LEVEL.
compute() {
	local mode p
	data=$work/data/$1
	[ -f "$data/meta" ] || die "no complete run at SlurmctldDebug=$1 in $work/data"
	for mode in off on; do
		for p in 50 95 99; do
			V[seq$p-$mode]=$(pct "$p" "$data/seq-$mode.lat" | ms)
			V[api$p-$mode]=$(pct "$p" "$data/api-$mode.lat" | ms)
		done
		V[thr-$mode]=$(thr_pooled "$data/thr-$mode.txt")
		V[rpc-seq-$mode]=$(rpc_mean "$data/rpc-$mode.txt" seq)
		V[rpc-thr-$mode]=$(rpc_mean "$data/rpc-$mode.txt" thr)
		V[ctld-$mode]=$(cpu_per_job "$data/cpu-$mode.txt" 4)
		V[fed-$mode]=$(cpu_per_job "$data/cpu-$mode.txt" 5)
		V[csb-$mode]=$(client_cpu "$data/cpu-$mode.txt" seq)
		V[capi-$mode]=$(client_cpu "$data/cpu-$mode.txt" api thr)
		V[nseq-$mode]=$(wc -l <"$data/seq-$mode.lat")
		V[napi-$mode]=$(wc -l <"$data/api-$mode.lat")
		V[nthr-$mode]=$(awk '{ split($2, kv, "="); j += kv[2] } END { print j }' "$data/thr-$mode.txt")
	done
	V[ndec]=0
	if [ -s "$data/dec-on.txt" ]; then
		V[ndec]=$(wc -l <"$data/dec-on.txt")
		V[dec50]=$(pct 50 "$data/dec-on.txt")
		V[dec99]=$(pct 99 "$data/dec-on.txt")
		V[decseq]="$(pct 50 "$data/dec-seq.txt") / $(pct 99 "$data/dec-seq.txt")"
		V[decthr]="$(pct 50 "$data/dec-thr.txt") / $(pct 99 "$data/dec-thr.txt")"
		V[dcpu]="$(pct 50 "$data/dcpu-on.txt") / $(pct 99 "$data/dcpu-on.txt")"
		V[dcpuseq]="$(pct 50 "$data/dcpu-seq.txt") / $(pct 99 "$data/dcpu-seq.txt")"
		V[dcputhr]="$(pct 50 "$data/dcpu-thr.txt") / $(pct 99 "$data/dcpu-thr.txt")"
	else
		V[dec50]="not logged" V[dec99]="not logged" V[decseq]="-" V[decthr]="-"
		V[dcpu]="-" V[dcpuseq]="-" V[dcputhr]="-"
	fi
}

row() { # row METRIC OFF ON TARGET
	printf '| %s | %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(ratio "$2" "$3")" "$4"
}
table() {
	echo "| metric | off | on | on/off | target |"
	echo "|---|---:|---:|---:|---|"
	row "sbatch latency, median (ms)" "${V[seq50-off]}" "${V[seq50-on]}" "<= 1.05"
	row "sbatch latency, p95 (ms)" "${V[seq95-off]}" "${V[seq95-on]}" ""
	row "sbatch latency, p99 (ms)" "${V[seq99-off]}" "${V[seq99-on]}" ""
	row "C API latency, 1 process, median (ms)" "${V[api50-off]}" "${V[api50-on]}" ""
	row "C API latency, 1 process, p95 (ms)" "${V[api95-off]}" "${V[api95-on]}" ""
	row "C API latency, 1 process, p99 (ms)" "${V[api99-off]}" "${V[api99-on]}" ""
	row "throughput, $PROCS processes (jobs/s)" "${V[thr-off]}" "${V[thr-on]}" ">= 0.95"
	row "slurmctld time per submit RPC, sequential (us, sdiag)" "${V[rpc-seq-off]}" "${V[rpc-seq-on]}" ""
	row "slurmctld time per submit RPC, saturated (us, sdiag)" "${V[rpc-thr-off]}" "${V[rpc-thr-on]}" ""
	row "CPU per submission, origin slurmctld (us)" "${V[ctld-off]}" "${V[ctld-on]}" ""
	row "CPU per submission, all federation daemons (us)" "${V[fed-off]}" "${V[fed-on]}" ""
	row "CPU per call, sbatch process (us)" "${V[csb-off]}" "${V[csb-on]}" ""
	row "CPU per call, C client (us)" "${V[capi-off]}" "${V[capi-on]}" ""
	printf '| in-plugin decision, wall clock, p50 (us) | - | %s | | |\n' "${V[dec50]}"
	printf '| in-plugin decision, wall clock, p99 (us) | - | %s | | < 50 |\n' "${V[dec99]}"
	printf '| in-plugin decision, wall clock, sequential phases, p50 / p99 (us) | - | %s | | |\n' "${V[decseq]}"
	printf '| in-plugin decision, wall clock, saturated phases, p50 / p99 (us) | - | %s | | |\n' "${V[decthr]}"
	printf '| in-plugin decision, thread CPU time, p50 / p99 (us) | - | %s | | < 50 |\n' "${V[dcpu]}"
	printf '| in-plugin decision, thread CPU time, sequential phases, p50 / p99 (us) | - | %s | | |\n' "${V[dcpuseq]}"
	printf '| in-plugin decision, thread CPU time, saturated phases, p50 / p99 (us) | - | %s | | |\n' "${V[dcputhr]}"
}
per_round() {
	echo "| round | order | sbatch median, off / on (ms) | ratio | C API median, off / on (ms) | ratio | throughput, off / on (jobs/s) | ratio | slurmctld CPU per job, off / on (us) | ratio |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	local r a b s0 s1 c0 c1 u0 u1
	: >"$data/ratios"
	for ((r = 1; r <= ROUNDS; r++)); do
		a=$(awk -v r="$r" '$1 == r { sub(/.*jobs_per_s=/, ""); print $1 + 0 }' "$data/thr-off.txt")
		b=$(awk -v r="$r" '$1 == r { sub(/.*jobs_per_s=/, ""); print $1 + 0 }' "$data/thr-on.txt")
		s0=$(pct 50 "$data/bseq-off-r$r.lat" | ms)
		s1=$(pct 50 "$data/bseq-on-r$r.lat" | ms)
		c0=$(pct 50 "$data/bapi-off-r$r.lat" | ms)
		c1=$(pct 50 "$data/bapi-on-r$r.lat" | ms)
		u0=$(round_cpu "$data/cpu-off.txt" "$r")
		u1=$(round_cpu "$data/cpu-on.txt" "$r")
		echo "$(ratio "$s0" "$s1") $(ratio "$c0" "$c1") $(ratio "$a" "$b") $(ratio "$u0" "$u1")" >>"$data/ratios"
		printf '| %d | %s | %s / %s | %s | %s / %s | %s | %.0f / %.0f | %s | %s / %s | %s |\n' "$r" \
			"$( ((r % 2)) && echo off,on || echo on,off)" "$s0" "$s1" "$(ratio "$s0" "$s1")" \
			"$c0" "$c1" "$(ratio "$c0" "$c1")" "$a" "$b" "$(ratio "$a" "$b")" \
			"$u0" "$u1" "$(ratio "$u0" "$u1")"
	done
	printf '| median | | | %s | | %s | | %s | | %s |\n' "$(col_median 1)" "$(col_median 2)" \
		"$(col_median 3)" "$(col_median 4)"
}
# round_cpu FILE ROUND: the origin slurmctld's CPU per job (us) in a round.
round_cpu() {
	awk -v r="$2" -v hz="$CLK_TCK" '$2 == r { n += $3; t += $4 }
		END { printf "%.0f", n ? t / n * 1e6 / hz : 0 }' "$1"
}
# The median of column $1 of the per-round ratios.
col_median() {
	awk -v c="$1" '$c != "-" { print $c }' "$data/ratios" | sort -g | awk '{ v[NR] = $1 }
		END { if (!NR) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# The markdown table as plain columns for the terminal.
text_table() {
	awk -F'|' '!/^\|---/ {
		for (i = 2; i < NF; i++) gsub(/^ +| +$/, "", $i)
		printf "%-72s %9s %15s %7s  %s\n", $2, $3, $4, $5, $6 }'
}

declare -A SECTION
for level in $LEVELS; do
	compute "$level"
	load='' seconds='' ended=''
	# shellcheck disable=SC1091 # written by run_level
	. "$data/meta"
	rounds_md=$(per_round)
	echo
	echo "SlurmctldDebug=$level"
	table | text_table
	echo "median of the per-round on/off ratios: sbatch median $(col_median 1)," \
		"C API median $(col_median 2), throughput $(col_median 3), slurmctld CPU $(col_median 4)"
	say "n per mode: ${V[nseq-on]} sbatch, ${V[napi-on]} C API, ${V[nthr-on]} throughput jobs;" \
		"${V[ndec]} decisions timed; $seconds s"
	SECTION[$level]=$(
		echo "## SlurmctldDebug=$level"
		echo
		echo "Ended $ended after $seconds s (load average ${load//\// } at its start)." \
			"Per mode: ${V[nseq-on]} sequential \`sbatch\` calls, ${V[napi-on]} sequential" \
			"\`slurm_submit_batch_job()\` calls from one process, ${V[nthr-on]} jobs from" \
			"$PROCS processes for the throughput; ${V[ndec]} in-plugin decision times."
		echo
		table
		echo
		echo "Per round (the median of the per-round ratios is the paired estimate, the least"
		echo "sensitive to load that changes between rounds):"
		echo
		echo "$rounds_md"
	)
done
echo

[ "$RESULTS" = - ] && exit 0
{
	echo "# Submission cost: carbon plugins on vs off"
	echo
	echo "Generated by \`make bench-submit\` (\`tests/bench/bench_submit.sh\`," \
		"\`BENCH_CTLD_DEBUG=\"$LEVELS\" BENCH_ROUNDS=$ROUNDS BENCH_PROCS=$PROCS" \
		"BENCH_JOBS=$JOBS\`); do not edit by hand."
	echo
	echo "- Machine: $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1))," \
		"$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM, a VM shared with other" \
		"sessions (load average ${load_start//\// } at the start); the whole federation runs on it."
	echo "- Slurm $slurm, code $code, job_submit_carbon.so $sha (sha256)."
	echo "- Origin: cluster \`$ORIGIN\` of the local three-cluster federation; jobs held" \
		"(\`--hold\`, so no sibling copies and nothing runs), 10-minute limit, submitted as" \
		"\`$FED_USER\`; queue emptied (cancelled, purged) before every phase."
	echo "- on: \`JobSubmitPlugins=carbon\` and \`SlurmctldPlugstack=carbon\` on every cluster," \
		"\`spank_carbon.so\` in plugstack.conf and \`--carbon-urgency=$URGENCY\` on every job" \
		"(\`CARBON_URGENCY=$URGENCY\` in \`spank_job_env\` for the C client);" \
		"\`SnapshotRefresh=$refresh\`, \`ReplanInterval=$replan\`; off: plain Slurm." \
		"Switched by restarting the three controllers (SlurmctldPlugstack plugins load only" \
		"at start-up); checked with \`scontrol show config\`, \`sbatch --help\` and a probe" \
		"job's AdminComment each time, and after every phase every \"on\" job and no \"off\"" \
		"job had a decision record."
	echo "- $ROUNDS rounds per level, order alternating (off,on / on,off)."
	for level in $LEVELS; do
		echo
		echo "${SECTION[$level]}"
	done
	echo
	echo "## How the figures are made"
	echo
	echo "Latencies are percentiles over all calls of a mode; throughput is all jobs over" \
		"all seconds of a mode; the slurmctld time is sdiag's \`ave_time\` of" \
		"\`REQUEST_SUBMIT_BATCH_JOB\` (RPC handling, waits for locks included), weighted" \
		"over the phases. CPU per submission is user+system time from \`/proc/PID/stat\`" \
		"over all phases of a mode, divided by the jobs: the origin's slurmctld right after" \
		"each phase; all the federation's daemons (three slurmctld and slurmd, slurmdbd," \
		"MariaDB, munged, Redis, carbon-cached) once slurmdbd has the phase's records, so" \
		"idle background work (the re-planners' passes, snapshot refreshes, backfill) is" \
		"in it too. Other sessions' load moves CPU times much less than wall-clock times," \
		"but not to nothing (cache and memory contention): the C client, which does the" \
		"same work in both modes, is a gauge of it. The decision time is the plugin's own" \
		"timers (snapshot lock, cluster table, policy) from its \`(decided in N us, M us" \
		"CPU)\` log lines, so only at a level that logs them: N is wall-clock time, which" \
		"also counts any wait for a CPU (the thread preempted on a busy machine); M is the" \
		"thread's CPU time (\`CLOCK_THREAD_CPUTIME_ID\`), the plugin's own work, cache" \
		"misses included."
} >"$RESULTS"
say "wrote $RESULTS"
