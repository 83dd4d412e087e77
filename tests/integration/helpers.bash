# Shared helpers for the integration tests (sourced by every .bats file).
# The federation is up (tests/integration/run.sh); SLURM_CONF points at the
# `cal` cluster, CARBON_FED_DIR at its run directory.

CLUSTERS=(es no cal)

conf_of() { echo "$CARBON_FED_DIR/etc/slurm-$1.conf"; }
ctld_log() { echo "$CARBON_FED_DIR/log/slurmctld-$1.log"; }
slurmd_log() { echo "$CARBON_FED_DIR/log/slurmd-${1}1.log"; }

# Run a client command as the unprivileged test user, from its home.
as_user() {
	local home
	home=$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)
	(cd "$home" && runuser -u "$CARBON_FED_USER" -- \
		env SLURM_CONF="${USER_SLURM_CONF:-$SLURM_CONF}" "$@")
}

# Run a client command against one cluster's controller.
at() {
	local c=$1
	shift
	SLURM_CONF=$(conf_of "$c") "$@"
}

# A job name unique to this test run.
unique_name() { echo "t$$-${BATS_TEST_NUMBER:-0}-$RANDOM"; }

# sacct_field JOBID FIELD: the field of the job's allocation row across the
# federation (-L), empty until the record arrives.
sacct_field() {
	sacct -L -X -n -P -j "$1" -o "$2" 2>/dev/null | head -n 1
}

# wait_sacct JOBID STATE [SECONDS]: poll until sacct -L shows STATE (records
# reach the database 1-5 s after the job ends).  Prints the last state seen.
wait_sacct() {
	local id=$1 want=$2 limit=${3:-60} end state=
	end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		state=$(sacct_field "$id" State)
		[ "$state" = "$want" ] && return 0
		sleep 1
	done
	echo "job $id: wanted $want in sacct, last saw '${state:-nothing}'" >&2
	return 1
}

# wait_log FILE PATTERN [SECONDS]: poll until FILE has a line matching the
# extended regular expression PATTERN.
wait_log() {
	local f=$1 pat=$2 limit=${3:-20} end
	end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		grep -qE "$pat" "$f" && return 0
		sleep 0.5
	done
	echo "no line matching /$pat/ in $f" >&2
	return 1
}

# fed_energy W|off: the test-only energy plugin acct_gather_energy/carbontest
# at a constant W watts on every cluster, or none (federation.sh energy; a
# reconfigure, no restart).  A file that turns it on turns it off again in
# teardown_file: the other files run the model path, with no energy plugin.
fed_energy() { "$CARBON_TOP/cluster-configs/local/federation.sh" energy "$1"; }

# fed_redis USER PASSWORD-FILE ARGS...: redis-cli against the federation's
# Redis as one of its ACL users (federation.sh env: CARBON_REDIS_USER, the
# tests' own, may do anything; CARBON_REDIS_CTLD_USER is the plugins',
# CARBON_REDIS_CACHED_USER carbon-cached's).
fed_redis() {
	local u=$1 f=$2
	shift 2
	REDISCLI_AUTH=$(cat "$f") timeout 5 redis-cli -h 127.0.0.1 \
		-p "$CARBON_REDIS_PORT" --user "$u" "$@"
}

# put_record.py writes signed records straight into the federation's Redis
# (as CARBON_REDIS_USER, which may SET).
PUT="$BATS_TEST_DIRNAME/put_record.py"

# flat VALUE: 24 h of history and 48 h of forecast at one value, hourly (a
# put_record.py --spec).
flat() {
	local v=$1 o spec=
	for ((o = -86400; o <= 172800; o += 3600)); do
		spec+="${spec:+,}$o:$v"
	done
	echo "$spec"
}

# put ZONE ARGS...: write a record and wait until both plugins of every
# controller loaded it (job_submit/carbon decides, slurmctld/carbon
# re-plans).
put() {
	local zone=$1 out ts c
	shift
	out=$("$PUT" "$zone" "$@")
	ts=${out##* }
	for c in "${CLUSTERS[@]}"; do
		wait_log "$(ctld_log "$c")" "job_submit/carbon: zone $zone: new data fetched at $ts"
		wait_log "$(ctld_log "$c")" "slurmctld/carbon: zone $zone: new data fetched at $ts"
	done
}

# carbon_conf_rereads CLUSTER PLUGIN: how many times PLUGIN/carbon at
# CLUSTER re-read carbon.conf (reloaded it, or refused it and kept the one
# in force).
carbon_conf_rereads() {
	grep -cE "$2/carbon: (reloaded $CARBON_FED_DIR/etc/carbon.conf|keeping the carbon configuration in force)" \
		"$(ctld_log "$1")" || true
}

# set_carbon_conf FILE: the federation's carbon.conf becomes a copy of FILE
# (replaced at once, with the same owner and mode); wait until both plugins
# of every controller re-read it.
set_carbon_conf() {
	local conf=$CARBON_FED_DIR/etc/carbon.conf c p end
	declare -A before
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			before[$c:$p]=$(carbon_conf_rereads "$c" "$p")
		done
	done
	cp "$1" "$conf.new"
	chown --reference="$conf" "$conf.new"
	chmod --reference="$conf" "$conf.new"
	mv "$conf.new" "$conf"
	end=$((SECONDS + 30))
	for c in "${CLUSTERS[@]}"; do
		for p in job_submit slurmctld; do
			while [ "$(carbon_conf_rereads "$c" "$p")" -le "${before[$c:$p]}" ]; do
				if [ $SECONDS -ge $end ]; then
					echo "$c's $p/carbon did not re-read $conf" >&2
					return 1
				fi
				sleep 0.5
			done
		done
	done
}

# restore_carbon_conf: the copy a test saved in
# $BATS_TEST_TMPDIR/carbon.conf.orig, if any, back in force (set_carbon_conf).
restore_carbon_conf() {
	local orig=$BATS_TEST_TMPDIR/carbon.conf.orig
	[ -f "$orig" ] || return 0
	set_carbon_conf "$orig" || return 1
	rm -f "$orig"
}
