#!/usr/bin/env bats
# Malformed carbon input, wherever it comes from, is rejected with its own
# message and submits nothing: the --carbon-* options on the command line
# and in #SBATCH lines, the SBATCH_/SALLOC_/SLURM_CARBON_* variables (all
# checked by the SPANK plugin in the client), CARBON_* values in the job's
# spank environment from a client without the SPANK plugin (checked again
# by job_submit/carbon in slurmctld), and site defaults in carbon.conf
# (refused by the controllers, which keep the file in force).  The cases
# and their messages are the rows of bad_input.tsv, which docs/testing.md
# shows.  Deadlines mean what `sbatch --begin` means.

load helpers

TSV="$BATS_TEST_DIRNAME/bad_input.tsv"
CONF="$CARBON_FED_DIR/etc/carbon.conf"

setup_file() {
	# A directory the test user can read: job scripts and raw_submit.
	SCRATCH=$(mktemp -d /tmp/carbon-options.XXXXXX)
	chmod 755 "$SCRATCH"
	cc -std=gnu11 -O2 -Wall -Wextra -o "$SCRATCH/raw_submit" \
		"$BATS_TEST_DIRNAME/raw_submit.c" -lslurm
	export SCRATCH
}

teardown_file() {
	rm -rf "$SCRATCH"
}

# expand INPUT: \t, \n and "<N C>" (C repeated N times) into $EXPANDED
# (printf -v keeps a trailing newline).
expand() {
	local s=$1 rep re='<([0-9]+) (.)>'
	while [[ $s =~ $re ]]; do
		rep=$(printf "%${BASH_REMATCH[1]}s" "" | tr ' ' "${BASH_REMATCH[2]}")
		s=${s/"${BASH_REMATCH[0]}"/"$rep"}
	done
	printf -v EXPANDED '%b' "$s"
}

# has_text OUTPUT MESSAGE: OUTPUT holds MESSAGE, "..." in it matching
# anything.
has_text() {
	local rest=$1 msg=$2 part
	while :; do
		part=${msg%%...*}
		[[ $rest == *"$part"* ]] || return 1
		rest=${rest#*"$part"}
		[[ $msg == *...* ]] || return 0
		msg=${msg#*...}
	done
}

# reject CHANNEL ARGS INPUT BY MESSAGE: one row of bad_input.tsv: the
# command fails, says MESSAGE and queues nothing; a client-side rejection
# never reaches slurmctld.
reject() {
	local ch=$1 args=$2 input=$3 by=$4 msg=$5 name script extra=()
	name=$(unique_name)
	[ "$args" = - ] || read -ra extra <<<"$args"
	expand "$input"
	case $ch in
	sbatch)
		run as_user sbatch -J "$name" "${extra[@]}" "$EXPANDED" --wrap true
		;;
	'#SBATCH')
		script=$SCRATCH/$name.sh
		printf '#!/bin/sh\n#SBATCH %s\ntrue\n' "$EXPANDED" >"$script"
		chmod 644 "$script"
		run as_user sbatch -J "$name" "${extra[@]}" "$script"
		;;
	env)
		case $EXPANDED in
		SALLOC_*) run as_user env "$EXPANDED" salloc -J "$name" true ;;
		SLURM_*) run as_user env "$EXPANDED" srun -J "$name" true ;;
		*) run as_user env "$EXPANDED" sbatch -J "$name" "${extra[@]}" --wrap true ;;
		esac
		;;
	srun | salloc)
		run as_user "$ch" -J "$name" "${extra[@]}" "$EXPANDED" true
		;;
	spank_job_env)
		run as_user "$SCRATCH/raw_submit" -J "$name" "${extra[@]}" "$EXPANDED"
		;;
	*)
		echo "unknown channel $ch" >&2
		return 1
		;;
	esac
	if [ "$status" -eq 0 ]; then
		echo "$ch $input: accepted: $output" >&2
		return 1
	fi
	if ! has_text "$output" "$msg"; then
		echo "$ch $input: expected '$msg' in: $output" >&2
		return 1
	fi
	if [ -n "$(squeue -h -n "$name" -o %i)" ]; then
		echo "$ch $input: job $name was queued" >&2
		return 1
	fi
	if [ "$by" != slurmctld ] && grep -q "job $name from uid" "$(ctld_log cal)"; then
		echo "$ch $input: job $name reached slurmctld" >&2
		return 1
	fi
}

# rows CHANNEL: the rows of bad_input.tsv for CHANNEL.
rows() { grep -v '^# ' "$TSV" | awk -F'\t' -v ch="$1" '$1 == ch'; }

# reject_all CHANNEL: every row of CHANNEL; reports every failing row.
reject_all() {
	local ch args input by msg n=0 bad=0
	while IFS=$'\t' read -r ch args input by msg; do
		n=$((n + 1))
		reject "$ch" "$args" "$input" "$by" "$msg" || bad=$((bad + 1))
	done < <(rows "$1")
	[ "$n" -gt 0 ]
	[ "$bad" -eq 0 ]
}

@test "bad --carbon-* options on the sbatch command line: each rejected with its message" {
	reject_all sbatch
}

@test "bad --carbon-* options in #SBATCH lines: each rejected with its message" {
	reject_all '#SBATCH'
}

@test "bad SBATCH_/SALLOC_/SLURM_CARBON_* variables: each rejected, naming the variable" {
	reject_all env
}

@test "bad --carbon-* options to srun and salloc: each rejected with its message" {
	reject_all srun
	reject_all salloc
}

@test "bad CARBON_* values from a client without the SPANK plugin: slurmctld rejects each" {
	# raw_submit itself works: a good value is accepted (held, cancelled).
	local id name
	name=$(unique_name)
	id=$(as_user "$SCRATCH/raw_submit" -H -J "$name" CARBON_URGENCY=flexible)
	scancel "$id"
	wait_log "$(ctld_log cal)" "job $name from uid .*CARBON_URGENCY=flexible"
	reject_all spank_job_env
}

# check_config FILE: carbon-cached --check-config as carbon-cached's own
# user, as an admin runs it (its secrets are root:carbon-secrets 0640,
# which root, not in that group, is refused: carbon-cached(8)).
check_config() {
	runuser -u "$CARBON_FED_CACHED_USER" -- \
		"$CARBON_TOP/build/bin/carbon-cached" --check-config -f "$1"
}

# check_conf LINES MESSAGE: the federation's carbon.conf with LINES
# appended fails `carbon-cached --check-config` (the parser the plugins
# use) with "FILE:LINE: MESSAGE".
check_conf() {
	local f=$SCRATCH/carbon.conf.$RANDOM
	cp "$CONF" "$f"
	expand "$1"
	printf '%s\n' "$EXPANDED" >>"$f"
	run check_config "$f"
	if [ "$status" -eq 0 ]; then
		echo "carbon.conf with $1: accepted" >&2
		return 1
	fi
	if ! has_text "$output" "$f:" || ! has_text "$output" ": $2"; then
		echo "carbon.conf with $1: expected '$f:LINE: $2' in: $output" >&2
		return 1
	fi
}

@test "bad site defaults and delay limits in carbon.conf: each refused with its message" {
	local ch args input by msg n=0 bad=0
	run check_config "$CONF"
	[ "$status" -eq 0 ]
	while IFS=$'\t' read -r ch args input by msg; do
		n=$((n + 1))
		check_conf "$input" "$msg" || bad=$((bad + 1))
	done < <(rows carbon.conf)
	[ "$n" -gt 0 ]
	[ "$bad" -eq 0 ]
}

teardown() { restore_carbon_conf; }

@test "a running slurmctld refuses bad site defaults, keeps its configuration, applies good ones" {
	local orig=$BATS_TEST_TMPDIR/carbon.conf.orig line msg n id rec
	cp "$CONF" "$orig"
	n=$(($(wc -l <"$orig") + 1))
	for line in 'PartitionDefaults=batch Urgency=sometimes' \
		'QosDefaults=normal MaxDelay=25h' 'DefaultUrgency=sometimes'; do
		msg=$(rows carbon.conf | awk -F'\t' -v l="$line" '$3 == l { print $5 }')
		[ -n "$msg" ]
		{ cat "$orig"; echo "$line"; } >"$BATS_TEST_TMPDIR/bad.conf"
		set_carbon_conf "$BATS_TEST_TMPDIR/bad.conf"
		grep -qF "job_submit/carbon: $CONF:$n: $msg" "$(ctld_log cal)"
		tail -n 20 "$(ctld_log cal)" | grep -q 'job_submit/carbon: keeping the carbon configuration in force'
	done
	# A good default applies to a job without carbon options, whether it
	# names its partition or leaves it to Slurm (batch is the default).
	{ cat "$orig"; echo 'PartitionDefaults=batch Urgency=flexible'; } >"$BATS_TEST_TMPDIR/good.conf"
	set_carbon_conf "$BATS_TEST_TMPDIR/good.conf"
	tail -n 20 "$(ctld_log cal)" | grep -q "job_submit/carbon: reloaded $CONF"
	local part
	for part in "-p batch" ""; do
		# shellcheck disable=SC2086 # "" means no option at all
		id=$(as_user sbatch --parsable -H -J "$(unique_name)" $part -t 5 --wrap true)
		id=${id%%;*}
		rec=$(scontrol show job "$id" | sed -n 's/^ *AdminComment=//p')
		scancel "$id"
		[[ "$rec" == *'"carbon":{"v":1'*'"u":"flexible"'* ]]
	done
	# Another partition's job does not get batch's defaults.
	id=$(as_user sbatch --parsable -H -J "$(unique_name)" -p eco -t 5 --wrap true)
	id=${id%%;*}
	rec=$(scontrol show job "$id" | sed -n 's/^ *AdminComment=//p')
	scancel "$id"
	[[ "$rec" == *'"u":"normal"'* ]]
}

# The instant our parser gives for FORM equals the BeginTime Slurm's own
# parser gives for `sbatch --begin=FORM` (both run in the same sbatch).
same_instant_as_begin() {
	local form=$1 name id line ours begin
	name=$(unique_name)
	# A one-minute limit: the deadline check wants the whole limit
	# before the deadline (and the partitions' is unlimited).
	run as_user sbatch --parsable --hold -J "$name" -t 1 --begin="$form" \
		--carbon-deadline="$form" --wrap true
	[ "$status" -eq 0 ] || {
		echo "$form: sbatch failed: $output" >&2
		return 1
	}
	id=${lines[${#lines[@]} - 1]} # after the plan's message, if any
	begin=$(scontrol show job "$id" | grep -oE 'EligibleTime=[^ ]+' | cut -d= -f2)
	scancel "$id"
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" =~ CARBON_DEADLINE=uts([0-9]+) ]]
	ours=${BASH_REMATCH[1]}
	begin=$(date -d "$begin" +%s)
	# Relative forms are evaluated a moment apart inside sbatch.
	local diff=$((ours - begin))
	[ "${diff#-}" -le 1 ] || {
		echo "$form: ours $ours, Slurm's $begin" >&2
		return 1
	}
}

@test "--carbon-deadline gives the same instant as sbatch --begin" {
	local tomorrow secs boundary
	# noon, teatime, 16:00, midnight and tomorrow fall on 12:00, 16:00 and
	# 00:00: a minute or two before one of them such a deadline cannot hold
	# the job's minute, so wait until the clock has passed it.
	secs=$((10#$(date +%H) * 3600 + 10#$(date +%M) * 60 + 10#$(date +%S)))
	for boundary in 43200 57600 86400; do
		if ((secs < boundary && boundary - secs <= 120)); then
			sleep $((boundary - secs + 2))
		fi
	done
	tomorrow=$(date -d tomorrow +%Y-%m-%d)
	for form in now+2hours now+90minutes now+3days tomorrow midnight \
		noon teatime 16:00 "${tomorrow}T08:30" "${tomorrow}T23:59:59" \
		"$tomorrow" "$(date -d '+2 days' +%m/%d)"; do
		same_instant_as_begin "$form"
	done
}

@test "SBATCH_CARBON_* variables set the options" {
	local name line
	name=$(unique_name)
	run as_user env SBATCH_CARBON_URGENCY=flexible SBATCH_CARBON_MAX_DELAY=2h \
		sbatch --parsable -J "$name" --wrap true
	[ "$status" -eq 0 ]
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" == *"CARBON_URGENCY=flexible"* ]]
	[[ "$line" == *"CARBON_MAX_DELAY=7200s"* ]]
}

@test "an option given to sbatch wins over its SBATCH_CARBON_* variable" {
	local name line
	name=$(unique_name)
	run as_user env SBATCH_CARBON_URGENCY=sometimes \
		sbatch --parsable -J "$name" --carbon-urgency=critical --wrap true
	[ "$status" -eq 0 ]
	wait_log "$(ctld_log cal)" "job $name from uid"
	line=$(grep "job $name from uid" "$(ctld_log cal)" | head -n 1)
	[[ "$line" == *"CARBON_URGENCY=critical"* ]]
}

@test "docs/testing.md lists exactly the bad-input cases tested here" {
	local doc=$CARBON_TOP/docs/testing.md
	run diff <("$BATS_TEST_DIRNAME/bad_input_table.sh") \
		<(sed -n '/^<!-- bad-input:begin/,/^<!-- bad-input:end/p' "$doc" | sed '1d;$d')
	[ "$status" -eq 0 ] || {
		echo "docs/testing.md is out of date; regenerate with tests/integration/bad_input_table.sh:" >&2
		echo "$output" >&2
		return 1
	}
}
