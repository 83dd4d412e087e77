#!/usr/bin/env bats
# Faults in the carbon data path never reject, stall or lose a job, and the
# decision recorded on each job says what data it rested on ("q" in the
# AdminComment record).  One burst of $BURST (>= 200) trivial jobs per fault,
# submitted as the test user from $SUBMITTERS parallel processes with the
# three clusters as origins: every submission must be accepted, and every
# job must reach `sacct -L` COMPLETED with its decision recorded.
#
#   fault                                  expected "q"
#   stale records (flagged stale, or older than StaleAfter)   stale
#   forged records for every zone          fresh: the last good data stays
#   zones with no usable data (never a record, or only forged ones)
#                                          fallback (FallbackIntensity or the
#                                          zone's StaticIntensity); none when
#                                          the origin has no fallback either
#   Redis paused (SIGSTOP)                 fresh: the snapshot keeps its data
#   carbon-cached killed                   fresh: Redis keeps the records
#   Redis stopped                          the last good data at its true age:
#                                          fresh while younger than StaleAfter,
#                                          stale after
#
# Every zone's data is flat and equal, so each decision keeps the job at its
# origin (ties go to the origin) and the expected flag is the origin's.
# Runs last: it leaves carbon-cached killed and Redis stopped.

load helpers

CONF="$CARBON_FED_DIR/etc/carbon.conf"
BURST=210     # jobs per fault
SUBMITTERS=6  # parallel sbatch loops, two per origin cluster
OLD=7200      # an age above the federation's StaleAfter=1h

pid_of() { cat "$CARBON_FED_DIR/pids/$1.pid"; }

# queue_put ZONE ARGS...: write a record (put_record.py); `loaded` then waits
# until both plugins of every controller have read it (job_submit/carbon
# decides, slurmctld/carbon re-plans pending jobs).  Records written
# together load in the same snapshot refresh.
WRITTEN=()
queue_put() {
	local zone=$1 out p
	shift
	out=$("$PUT" "$zone" "$@")
	for p in job_submit slurmctld; do
		WRITTEN+=("$p/carbon: zone $zone: new data fetched at ${out##* }")
	done
}

loaded() {
	local c pat
	for pat in "${WRITTEN[@]}"; do
		for c in "${CLUSTERS[@]}"; do
			wait_log "$(ctld_log "$c")" "$pat"
		done
	done
	WRITTEN=()
}

# good_data: fresh, equal, signed data for the three zones, loaded.
good_data() {
	local z
	for z in ES NO US-CAL-CISO; do
		queue_put "$z" --spec="$(flat 100)"
	done
	loaded
}

# rejected ZONE: the log line of a record whose signature does not verify.
rejected() {
	echo "job_submit/carbon: zone $1: record in carbon:zone:$1 rejected: signature does not verify"
}

# count_lines FILE REGEX: how many lines of FILE match.
count_lines() { grep -cE "$2" "$1" || true; }

# wait_count FILE REGEX BEFORE [SECONDS]: until more than BEFORE lines of
# FILE match.
wait_count() {
	local f=$1 pat=$2 before=$3 end=$((SECONDS + ${4:-30}))
	while [ $SECONDS -lt $end ]; do
		[ "$(count_lines "$f" "$pat")" -gt "$before" ] && return 0
		sleep 0.5
	done
	echo "no new line matching /$pat/ in $f" >&2
	return 1
}

# lines CLUSTER REGEX, wait_more CLUSTER REGEX BEFORE [SECONDS]: the same
# for the controller's log.
lines() { count_lines "$(ctld_log "$1")" "$2"; }
wait_more() { wait_count "$(ctld_log "$1")" "$2" "$3" "${4:-30}"; }

CACHED_LOG="$CARBON_FED_DIR/log/carbon-cached.out"

# submit_from CLUSTER TAG N: N flexible jobs named TAG-CLUSTER with CLUSTER
# as origin; prints their ids; a rejected submission is reported and counts.
submit_from() {
	local c=$1 tag=$2 n=$3 i out bad=0
	for ((i = 0; i < n; i++)); do
		if out=$(USER_SLURM_CONF=$(conf_of "$c") as_user sbatch --parsable \
			-J "$tag-$c" -t 1 --carbon-urgency=flexible --wrap true 2>&1); then
			echo "${out%%;*}"
		else
			echo "REJECTED at $c: $out" >&2
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}

# burst TAG: $BURST jobs from $SUBMITTERS parallel loops; fails when any
# submission was rejected.  The ids go to $BATS_TEST_TMPDIR/TAG.ids.
burst() {
	local tag=$1 p pids=() rc=0
	for ((p = 0; p < SUBMITTERS; p++)); do
		submit_from "${CLUSTERS[$((p % 3))]}" "$tag" $((BURST / SUBMITTERS)) \
			>"$BATS_TEST_TMPDIR/$tag.$p" 2>"$BATS_TEST_TMPDIR/$tag.$p.err" &
		pids+=($!)
	done
	for p in "${!pids[@]}"; do
		wait "${pids[$p]}" || rc=1
	done
	# "ID ORIGIN" lines: the origin comes from here, not from the job name
	# in sacct, which may read "allocation" for a while (below).
	for p in "${!pids[@]}"; do
		sed "s/\$/ ${CLUSTERS[$((p % 3))]}/" "$BATS_TEST_TMPDIR/$tag.$p"
	done >"$BATS_TEST_TMPDIR/$tag.ids"
	if [ $rc -ne 0 ]; then
		cat "$BATS_TEST_TMPDIR/$tag".*.err >&2
		return 1
	fi
	[ "$(wc -l <"$BATS_TEST_TMPDIR/$tag.ids")" -eq "$BURST" ]
}

# results TAG: wait (at most 600 s) until every job of the burst is
# COMPLETED in sacct -L with a decision record; then print one line per job:
# ORIGIN QUALITY CHOSEN-CLUSTER.  (When a job's completion reaches slurmdbd
# before its start record, which happens under a burst, slurmdbd creates the
# row from the completion: JobName "allocation", no Partition, until the
# start record fills them in.  State and AdminComment are right at once.)
results() {
	local tag=$1 ids out missing end=$((SECONDS + 600))
	ids=$(cut -d' ' -f1 "$BATS_TEST_TMPDIR/$tag.ids" | paste -sd,)
	while :; do
		sacct -L -X -n -P -j "$ids" -o JobID,State,AdminComment \
			>"$BATS_TEST_TMPDIR/$tag.sacct" 2>&1 || true
		out=$(awk -F'|' '
			FNR == NR { split($0, f, " "); want[++n] = f[1]; origin[f[1]] = f[2]; next }
			$2 == "COMPLETED" && index($3, "\"carbon\":{\"v\":1") {
				q = at = "?"
				# the decision member only (the footprint has a "q" too)
				rec = substr($3, index($3, "\"carbon\":{"))
				rec = substr(rec, 1, index(rec, "}"))
				if (match(rec, /"q":"[a-z]+"/)) q = substr(rec, RSTART + 5, RLENGTH - 6)
				if (match(rec, /"at":"[^"]*"/)) at = substr(rec, RSTART + 6, RLENGTH - 7)
				done[$1] = origin[$1] " " q " " at
			}
			END {
				for (i = 1; i <= n; i++)
					if (want[i] in done) print done[want[i]]
					else print "MISSING " want[i]
			}' "$BATS_TEST_TMPDIR/$tag.ids" "$BATS_TEST_TMPDIR/$tag.sacct")
		missing=$(grep -c '^MISSING' <<<"$out" || true)
		[ "$missing" -eq 0 ] && break
		if [ $SECONDS -ge $end ]; then
			echo "$missing of $BURST jobs not COMPLETED with a decision in sacct -L:" >&2
			grep '^MISSING' <<<"$out" | head -n 5 >&2
			return 1
		fi
		sleep 2
	done
	echo "$out"
}

# expect TAG ORIGIN=QUALITY...: every job of the burst completed with its
# decision, and each job from ORIGIN recorded QUALITY.
expect() {
	local tag=$1 out pair bad
	shift
	out=$(results "$tag") || return 1
	for pair in "$@"; do
		if [ "$(awk -v o="${pair%%=*}" '$1 == o' <<<"$out" | wc -l)" -ne $((BURST / 3)) ]; then
			echo "not $((BURST / 3)) jobs from ${pair%%=*}; jobs per origin:" >&2
			awk '{ print $1 }' <<<"$out" | sort | uniq -c >&2
			return 1
		fi
		bad=$(awk -v o="${pair%%=*}" -v q="${pair#*=}" \
			'$1 == o && $2 != q' <<<"$out" | sort | uniq -c)
		if [ -n "$bad" ]; then
			echo "jobs from ${pair%%=*} should say \"q\":\"${pair#*=}\"; got (count origin q at):" >&2
			echo "$bad" >&2
			return 1
		fi
	done
	echo "$out" >"$BATS_TEST_TMPDIR/$tag.results"
}

teardown() {
	# A failed test must not leave Redis paused or carbon.conf changed.
	if [ -f "$BATS_TEST_TMPDIR/redis-paused" ]; then
		kill -CONT "$(pid_of redis)" 2>/dev/null || true
	fi
	restore_carbon_conf
}

@test "stale records: $BURST jobs accepted, completed, decided on data marked stale" {
	# ES: carbon-cached's stale flag; NO: unflagged but older than
	# StaleAfter; US-CAL-CISO: both.
	queue_put ES --spec="$(flat 100)" --stale
	queue_put NO --spec="$(flat 100)" --age $OLD
	queue_put US-CAL-CISO --spec="$(flat 100)" --stale --age $OLD
	loaded
	burst stale$$
	expect stale$$ es=stale no=stale cal=stale
}

@test "forged records for every zone: $BURST jobs decided on the last good data" {
	good_data
	local c z
	declare -A before
	for c in "${CLUSTERS[@]}"; do
		for z in ES NO US-CAL-CISO; do
			before[$c:$z]=$(lines "$c" "$(rejected "$z")")
		done
	done
	# Believed, these would send every flexible job to es.
	"$PUT" ES --spec="$(flat 1)" --forge >/dev/null
	"$PUT" NO --spec="$(flat 999)" --forge >/dev/null
	"$PUT" US-CAL-CISO --spec="$(flat 999)" --forge >/dev/null
	for c in "${CLUSTERS[@]}"; do
		for z in ES NO US-CAL-CISO; do
			wait_more "$c" "$(rejected "$z")" "${before[$c:$z]}"
		done
	done
	burst forged$$
	expect forged$$ es=fresh no=fresh cal=fresh
	# Each job stayed at its origin: the forged values were never used.
	run awk '$1 != $3' "$BATS_TEST_TMPDIR/forged$$.results"
	[ -z "$output" ]
}

@test "zones with no usable data: $BURST jobs decided on the configured fallback" {
	# carbon.conf is changed (controllers re-read it within 5 s) so that
	# each cluster draws from a zone without a usable record:
	#   es  -> FAULT-A: no record ever; its StaticIntensity is the fallback
	#   no  -> FAULT-B: only a forged record; FallbackIntensity=100
	#   cal -> FAULT-C: only a forged record; FallbackIntensity=0 (none)
	# carbon-cached reads carbon.conf only at start, so it never writes
	# records for these zones.  The original file is put back at the end.
	local c p
	declare -A before forged
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			before[$c:$p]=$(lines "$c" "$p/carbon: reloaded $CONF")
		done
		forged[$c]=$(lines "$c" "$(rejected FAULT-C)")
	done
	"$PUT" FAULT-B --spec="$(flat 1)" --forge >/dev/null
	"$PUT" FAULT-C --spec="$(flat 1)" --forge >/dev/null
	cp "$CONF" "$BATS_TEST_TMPDIR/carbon.conf.orig"
	{
		grep -v '^ClusterName=' "$BATS_TEST_TMPDIR/carbon.conf.orig"
		echo "Zone=FAULT-A Providers=static StaticIntensity=100"
		echo "Zone=FAULT-B Providers=static StaticIntensity=100"
		echo "Zone=FAULT-C Providers=static StaticIntensity=100"
		echo "ClusterName=es Zone=FAULT-A PUE=1.2"
		echo "ClusterName=no Zone=FAULT-B PUE=1.2 FallbackIntensity=100"
		echo "ClusterName=cal Zone=FAULT-C PUE=1.2 FallbackIntensity=0"
	} >"$CONF.new"
	mv "$CONF.new" "$CONF"
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			wait_more "$c" "$p/carbon: reloaded $CONF" "${before[$c:$p]}"
		done
		# The new snapshot has read Redis and refused the forged record.
		wait_more "$c" "$(rejected FAULT-C)" "${forged[$c]}"
	done
	burst nodata$$
	expect nodata$$ es=fallback no=fallback cal=none
	restore_carbon_conf
}

@test "Redis paused (SIGSTOP): $BURST jobs accepted, completed, decided on the snapshot" {
	good_data
	local redis c pat='job_submit/carbon: (Redis GET .* failed|Redis .* refused AUTH|cannot reach Redis)'
	declare -A before
	for c in "${CLUSTERS[@]}"; do
		before[$c]=$(lines "$c" "$pat")
	done
	local cached_down cached_up
	cached_down=$(count_lines "$CACHED_LOG" 'carbon-cached error: redis:')
	cached_up=$(count_lines "$CACHED_LOG" 'carbon-cached info: redis: connected')
	redis=$(pid_of redis)
	kill -STOP "$redis"
	touch "$BATS_TEST_TMPDIR/redis-paused"
	# Burst only once the controllers' refresh has run into the pause.
	for c in "${CLUSTERS[@]}"; do
		wait_more "$c" "$pat" "${before[$c]}"
	done
	burst paused$$
	kill -CONT "$redis"
	rm -f "$BATS_TEST_TMPDIR/redis-paused"
	expect paused$$ es=fresh no=fresh cal=fresh
	# carbon-cached pings Redis every 5 s; when a ping ran into the pause it
	# reconnects and rewrites every record it holds (Redis may have
	# restarted empty).  Let it do that here, not over the next test's data.
	# (Its reconnect backs off up to 30 s.)
	if [ "$(count_lines "$CACHED_LOG" 'carbon-cached error: redis:')" -gt "$cached_down" ]; then
		wait_count "$CACHED_LOG" 'carbon-cached info: redis: connected' "$cached_up" 60
	fi
}

@test "carbon-cached killed: $BURST jobs accepted, completed, decided on the records in Redis" {
	# Killed first: a carbon-cached that reconnects to Redis rewrites its
	# own records, which must not land over the good data written here.
	local pid
	pid=$(pid_of carbon-cached)
	kill -KILL "$pid"
	while [ -e "/proc/$pid" ]; do sleep 0.1; done
	good_data
	burst cached$$
	expect cached$$ es=fresh no=fresh cal=fresh
}

@test "Redis stopped: $BURST jobs accepted, completed, decided on the last good data at its age" {
	# When Redis goes away each snapshot keeps its last good data and the
	# decision uses it at its true age: fresh while younger than StaleAfter
	# (ES, US-CAL-CISO here), stale after (NO, fetched 2 h ago).
	queue_put ES --spec="$(flat 100)"
	queue_put NO --spec="$(flat 100)" --age $OLD
	queue_put US-CAL-CISO --spec="$(flat 100)"
	loaded
	local redis c pat="job_submit/carbon: cannot reach Redis at 127.0.0.1:$CARBON_REDIS_PORT"
	declare -A before
	for c in "${CLUSTERS[@]}"; do
		before[$c]=$(lines "$c" "$pat")
	done
	redis=$(pid_of redis)
	kill -TERM "$redis"
	while [ -e "/proc/$redis" ]; do sleep 0.1; done
	for c in "${CLUSTERS[@]}"; do
		wait_more "$c" "$pat" "${before[$c]}"
	done
	burst down$$
	expect down$$ es=fresh no=stale cal=fresh
}
