#!/usr/bin/env bats
# The federation runs as a site runs it (cluster-configs/local/federation.sh):
# slurmctld and slurmdbd as the unprivileged SlurmUser, slurmd as root,
# carbon-cached as its own user; each reads its secrets as that user
# (root:carbon-secrets 0640, or a reader's own group), and Redis has ACL
# users: the plugins' may only GET and PING carbon:* keys.  A controller
# that cannot read its key logs it at error level at every refresh and
# decides on the configured fallbacks; no job is refused for it.

load helpers

CONF="$CARBON_FED_DIR/etc/carbon.conf"
SECRETS="$CARBON_FED_DIR/secrets"
SLURM_USER=${CARBON_FED_SLURM_USER:-slurm}
CACHED_USER=${CARBON_FED_CACHED_USER:-carbon}

pid_of() { cat "$CARBON_FED_DIR/pids/$1.pid"; }
user_of() { ps -o user= -p "$1" | tr -d ' '; }

# has_group PID GROUP: GROUP is among the process's groups.
has_group() {
	local gid
	gid=$(getent group "$2" | cut -d: -f3)
	[ -n "$gid" ] && grep -E '^Groups:' "/proc/$1/status" | tr -s '\t ' '\n' | grep -qx "$gid"
}

# as_daemon USER CMD...: CMD as a daemon user (a nologin account), with its
# groups.
as_daemon() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"
}

# mode_of FILE: "owner:group mode".
mode_of() { stat -c '%U:%G %a' "$1"; }

count() { grep -cE "$2" "$1" || true; }

# restore_conf: carbon.conf back from carbon.conf.orig; wait until every
# controller has loaded ES's record again with it.
restore_conf() {
	local c end
	declare -A loads
	for c in "${CLUSTERS[@]}"; do
		loads[$c]=$(count "$(ctld_log "$c")" "job_submit/carbon: zone ES: new data fetched at")
	done
	restore_carbon_conf
	end=$((SECONDS + 30))
	for c in "${CLUSTERS[@]}"; do
		while [ "$(count "$(ctld_log "$c")" "job_submit/carbon: zone ES: new data fetched at")" -le "${loads[$c]}" ]; do
			if [ $SECONDS -ge $end ]; then
				echo "$c did not load ES's record again" >&2
				return 1
			fi
			sleep 0.5
		done
	done
}

teardown() {
	restore_carbon_conf || true
	rm -f "$SECRETS/hmac-unreadable.key"
}

@test "slurmctld and slurmdbd run as the SlurmUser, slurmd as root, carbon-cached as its own user" {
	local c pid n
	[ "$SLURM_USER" != root ]
	for c in "${CLUSTERS[@]}"; do
		pid=$(pid_of "slurmctld-$c")
		[ "$(user_of "$pid")" = "$SLURM_USER" ]
		has_group "$pid" carbon-secrets
		grep -q "^SlurmUser=$SLURM_USER\$" "$(conf_of "$c")"
		[[ "$(at "$c" scontrol show config)" =~ SlurmUser\ +=\ $SLURM_USER\( ]]
		for n in "$CARBON_FED_DIR"/pids/slurmd-"$c"*.pid; do
			[ "$(user_of "$(cat "$n")")" = root ]
		done
		[ "$(stat -c %U "$CARBON_FED_DIR/state/$c")" = "$SLURM_USER" ]
	done
	[ "$(user_of "$(pid_of slurmdbd)")" = "$SLURM_USER" ]
	[ "$(mode_of "$CARBON_FED_DIR/etc/slurmdbd.conf")" = "$SLURM_USER:$(id -gn "$SLURM_USER") 600" ]
	[ -f "$CARBON_FED_DIR/pids/carbon-cached.pid" ] || skip "the federation runs no carbon-cached"
	pid=$(pid_of carbon-cached)
	[ "$(user_of "$pid")" = "$CACHED_USER" ]
	has_group "$pid" carbon-secrets
}

@test "each secret is readable by its readers only" {
	[ "$(mode_of "$SECRETS")" = "root:carbon-secrets 750" ]
	[ "$(mode_of "$SECRETS/hmac.key")" = "root:carbon-secrets 640" ]
	[ "$(mode_of "$SECRETS/redis.pass")" = "root:$(id -gn "$SLURM_USER") 640" ]
	[ "$(mode_of "$SECRETS/redis-cached.pass")" = "root:$(id -gn "$CACHED_USER") 640" ]
	[ "$(mode_of "$SECRETS/db.pass")" = "root:root 600" ]
	# both read the shared key; each reads its own Redis password only
	as_daemon "$SLURM_USER" cat "$SECRETS/hmac.key" >/dev/null
	as_daemon "$CACHED_USER" cat "$SECRETS/hmac.key" >/dev/null
	as_daemon "$SLURM_USER" cat "$SECRETS/redis.pass" >/dev/null
	as_daemon "$CACHED_USER" cat "$SECRETS/redis-cached.pass" >/dev/null
	run as_daemon "$SLURM_USER" cat "$SECRETS/redis-cached.pass"
	[ "$status" -ne 0 ]
	run as_daemon "$CACHED_USER" cat "$SECRETS/redis.pass"
	[ "$status" -ne 0 ]
	run as_daemon "$CARBON_FED_USER" cat "$SECRETS/hmac.key"
	[ "$status" -ne 0 ]
}

@test "both read their secrets: carbon-cached writes signed records, every controller loads them" {
	[ -f "$CARBON_FED_DIR/pids/carbon-cached.pid" ] || skip "the federation runs no carbon-cached"
	local c p z metrics
	# carbon-cached's check as its user passed at start, and it wrote a
	# signed record of every zone
	for z in ES NO US-CAL-CISO; do
		fed_redis "$CARBON_REDIS_USER" "$CARBON_REDIS_PASSWORD_FILE" --raw \
			GET "carbon:zone:$z" >"$BATS_TEST_TMPDIR/$z"
		[ "$(head -n 1 "$BATS_TEST_TMPDIR/$z")" = "carbon-record v1" ]
		grep -q '^sig=' "$BATS_TEST_TMPDIR/$z"
	done
	grep -q "^CacheRedisUser=$CARBON_REDIS_CACHED_USER " "$CONF"
	metrics=$(curl -sf "http://127.0.0.1:$CARBON_METRICS_PORT/metrics")
	grep -q '^carbon_redis_up 1$' <<<"$metrics"
	grep -Eq '^carbon_redis_writes_total [1-9]' <<<"$metrics"
	grep -q '^carbon_redis_write_failures_total 0$' <<<"$metrics"
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			grep -q "$p/carbon: zone ES: new data fetched at" "$(ctld_log "$c")"
		done
		# at start nothing refused a secret or an AUTH
		[ "$(count "$(ctld_log "$c")" 'cannot read a secret|refused AUTH')" = 0 ]
		[[ "$(at "$c" scontrol show config)" =~ SecretErrors\ +=\ 0 ]]
	done
}

@test "Redis: the plugins' user may GET and PING carbon:* only, carbon-cached's may not administer, default is off" {
	local r=("$CARBON_REDIS_CTLD_USER" "$CARBON_REDIS_CTLD_PASSWORD_FILE")
	local w=("$CARBON_REDIS_CACHED_USER" "$CARBON_REDIS_CACHED_PASSWORD_FILE")
	[ "$(fed_redis "${r[@]}" PING)" = PONG ]
	fed_redis "${r[@]}" --raw GET carbon:zone:ES >"$BATS_TEST_TMPDIR/rec"
	[ "$(head -n 1 "$BATS_TEST_TMPDIR/rec")" = "carbon-record v1" ]
	run fed_redis "${r[@]}" SET carbon:zone:ES forged
	[[ "$output" == *NOPERM* ]]
	run fed_redis "${r[@]}" DEL carbon:zone:ES
	[[ "$output" == *NOPERM* ]]
	run fed_redis "${r[@]}" GET other:key
	[[ "$output" == *NOPERM* ]]
	# the record is untouched
	fed_redis "$CARBON_REDIS_USER" "$CARBON_REDIS_PASSWORD_FILE" --raw GET carbon:zone:ES |
		cmp -s - "$BATS_TEST_TMPDIR/rec"
	# carbon-cached's user writes carbon:* and nothing else
	[ "$(fed_redis "${w[@]}" SET "carbon:test:$$" x)" = OK ]
	fed_redis "$CARBON_REDIS_USER" "$CARBON_REDIS_PASSWORD_FILE" DEL "carbon:test:$$" >/dev/null
	run fed_redis "${w[@]}" SET "other:$$" x
	[[ "$output" == *NOPERM* ]]
	run fed_redis "${w[@]}" FLUSHALL
	[[ "$output" == *NOPERM* ]]
	run fed_redis "${w[@]}" CONFIG GET dir
	[[ "$output" == *NOPERM* ]]
	# no password, or the default user: nothing
	run timeout 5 redis-cli -h 127.0.0.1 -p "$CARBON_REDIS_PORT" GET carbon:zone:ES
	[[ "$output" == *NOAUTH* ]]
	run env REDISCLI_AUTH="$(cat "$CARBON_REDIS_CTLD_PASSWORD_FILE")" timeout 5 \
		redis-cli -h 127.0.0.1 -p "$CARBON_REDIS_PORT" GET carbon:zone:ES
	[[ "$output" == *WRONGPASS* ]]
}

@test "a controller that cannot read its key logs it at every refresh, decides on the fallbacks, accepts every job" {
	local key=$SECRETS/hmac-unreadable.key c p id rec pat
	declare -A before
	# the same key, but root's alone: the SlurmUser cannot open it
	install -m 0600 -o root -g root "$SECRETS/hmac.key" "$key"
	run as_daemon "$SLURM_USER" cat "$key"
	[ "$status" -ne 0 ]
	pat="error: (job_submit|slurmctld)/carbon: cannot read a secret: secret file $key: Permission denied \\(reader: $SLURM_USER \\(uid [0-9]+\\)\\)"
	for c in "${CLUSTERS[@]}"; do
		before[$c]=$(count "$(ctld_log "$c")" "$pat")
	done
	cp "$CONF" "$BATS_TEST_TMPDIR/carbon.conf.orig"
	sed "s|^HmacKeyFile=.*|HmacKeyFile=$key|" "$BATS_TEST_TMPDIR/carbon.conf.orig" \
		>"$BATS_TEST_TMPDIR/unreadable.conf"
	grep -q "^HmacKeyFile=$key\$" "$BATS_TEST_TMPDIR/unreadable.conf"
	set_carbon_conf "$BATS_TEST_TMPDIR/unreadable.conf"
	# at the new configuration's start (both plugins), then again at each
	# refresh (SnapshotRefresh=5s): at least two lines from each plugin
	local end=$((SECONDS + 40))
	for c in "${CLUSTERS[@]}"; do
		while [ "$(count "$(ctld_log "$c")" "$pat")" -lt $((before[$c] + 4)) ]; do
			if [ $SECONDS -ge $end ]; then
				echo "$c: $(($(count "$(ctld_log "$c")" "$pat") - before[$c])) lines of /$pat/, not 4" >&2
				return 1
			fi
			sleep 1
		done
		for p in job_submit slurmctld; do
			grep -qE "error: $p/carbon: cannot read a secret: secret file $key" "$(ctld_log "$c")"
		done
		[[ "$(at "$c" scontrol show config)" =~ SecretErrors\ +=\ [1-9] ]]
	done
	# a flexible job is accepted and decided on the configured fallback
	id=$(USER_SLURM_CONF=$(conf_of cal) as_user sbatch --parsable \
		-J "$(unique_name)" -t 2 --carbon-urgency=flexible --wrap true)
	id=${id%%;*}
	[ -n "$id" ]
	wait_sacct "$id" COMPLETED 90
	rec=$(sacct_field "$id" AdminComment)
	rec=${rec#*\"carbon\":\{}
	rec=${rec%%\}*}
	[[ "$rec" == *'"q":"fallback"'* ]] || {
		echo "decision: $rec" >&2
		return 1
	}
	# put back, the key is read again and the data loaded
	restore_conf
}

@test "a GET the plugins' Redis user may not make is logged with Redis's answer and counted" {
	local c p pat
	declare -A before
	for c in "${CLUSTERS[@]}"; do
		before[$c]=$(count "$(ctld_log "$c")" "Redis refused GET other:zone:")
	done
	cp "$CONF" "$BATS_TEST_TMPDIR/carbon.conf.orig"
	# keys outside carbon:*, which carbon-ctld may not read (carbon-cached
	# reads carbon.conf only at start: it goes on writing carbon:*)
	{ cat "$BATS_TEST_TMPDIR/carbon.conf.orig"; echo "RedisKeyPrefix=other:"; } \
		>"$BATS_TEST_TMPDIR/prefix.conf"
	set_carbon_conf "$BATS_TEST_TMPDIR/prefix.conf"
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			pat="error: $p/carbon: zone ES: Redis refused GET other:zone:ES: NOPERM"
			wait_log "$(ctld_log "$c")" "$pat" 30
		done
		[ "$(count "$(ctld_log "$c")" "Redis refused GET other:zone:")" -gt "${before[$c]}" ]
		[[ "$(at "$c" scontrol show config)" =~ RedisErrors\ +=\ [1-9] ]]
	done
	restore_conf
}
