#!/usr/bin/env bats
# carbon.conf changes take effect in running controllers; a broken file is
# refused with a log line and the configuration in force stays.

load helpers

CONF="$CARBON_FED_DIR/etc/carbon.conf"

# reloads CLUSTER: how many times its job_submit/carbon re-read carbon.conf.
reloads() { grep -c "job_submit/carbon: reloaded $CONF" "$(ctld_log "$1")" || true; }

# edit_conf SED-EXPR: change carbon.conf and wait until cal re-read it
# (reloaded or refused).
edit_conf() {
	local before
	before=$(grep -cE "job_submit/carbon: (reloaded $CONF|keeping the carbon configuration)" "$(ctld_log cal)" || true)
	sed -i "$1" "$CONF"
	local end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		[ "$(grep -cE "job_submit/carbon: (reloaded $CONF|keeping the carbon configuration)" "$(ctld_log cal)" || true)" -gt "$before" ] && return 0
		sleep 0.5
	done
	echo "cal did not re-read $CONF" >&2
	return 1
}

# edit_conf_all SED-EXPR: as edit_conf, waiting for every cluster (with
# CONF_SOURCE set: the file becomes that file's copy).
edit_conf_all() {
	local c before=()
	for c in "${CLUSTERS[@]}"; do
		before+=("$(reloads "$c")")
	done
	if [ -n "${CONF_SOURCE:-}" ]; then
		cat "$CONF_SOURCE" >"$CONF"
	else
		sed -i "$1" "$CONF"
	fi
	local i end=$((SECONDS + 30))
	for i in "${!CLUSTERS[@]}"; do
		while [ "$(reloads "${CLUSTERS[$i]}")" -le "${before[$i]}" ]; do
			[ $SECONDS -lt $end ] || {
				echo "${CLUSTERS[$i]} did not re-read $CONF" >&2
				return 1
			}
			sleep 0.5
		done
	done
}

# partition_of ID: the partition in the job's sacct -L row (a federated
# job's row may show it only some seconds after its state).
partition_of() {
	local p= end=$((SECONDS + 30))
	while [ $SECONDS -lt $end ]; do
		p=$(sacct_field "$1" Partition)
		[ -n "$p" ] && break
		sleep 1
	done
	echo "$p"
}

# flexible_at_cal_runs_at CLUSTER: a flexible job from cal is placed at
# CLUSTER (its record says so; when it stays at cal it keeps the cleaner
# clusters as siblings, so any of them may start it).
flexible_at_cal_runs_at() {
	local id
	id=$(USER_SLURM_CONF=$(conf_of cal) as_user sbatch --parsable \
		-J "$(unique_name)" -t 10 --carbon-urgency=flexible --wrap true)
	wait_sacct "$id" COMPLETED 90
	[[ "$(sacct_field "$id" AdminComment)" == *"\"at\":\"$1\""* ]]
}

# Every test starts from the federation's carbon.conf and leaves it so,
# even when it fails half-way.
setup() {
	cp "$CONF" "$BATS_TEST_TMPDIR/carbon.conf.orig"
}

teardown() {
	cmp -s "$CONF" "$BATS_TEST_TMPDIR/carbon.conf.orig" && return 0
	CONF_SOURCE=$BATS_TEST_TMPDIR/carbon.conf.orig edit_conf_all '' || true
}

@test "a changed carbon.conf is re-read by the running controllers" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	flexible_at_cal_runs_at no
	# Demand a 95% saving: no (90% below cal) is no longer worth a move.
	edit_conf '$a MinSavingPercent=95'
	[ "$(reloads cal)" -ge 1 ]
	put US-CAL-CISO --spec="$(flat 300)" # new snapshot, same data
	flexible_at_cal_runs_at cal
	edit_conf '/^MinSavingPercent=95$/d'
	put US-CAL-CISO --spec="$(flat 300)"
	flexible_at_cal_runs_at no
}

@test "a broken carbon.conf is refused and the one in force stays" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	edit_conf '$a NoSuchKey=1'
	grep -q "job_submit/carbon: $CONF:[0-9]*: .*NoSuchKey" "$(ctld_log cal)"
	grep -q 'job_submit/carbon: keeping the carbon configuration in force' "$(ctld_log cal)"
	flexible_at_cal_runs_at no
	edit_conf '/^NoSuchKey=1$/d'
}

@test "above EcoThreshold a job gets the ECO profile of the cluster it runs on, on that copy" {
	put ES --spec="$(flat 200)"
	put NO --spec="$(flat 30)"
	put US-CAL-CISO --spec="$(flat 300)"
	# Every cluster's ECO profile is its eco partition; 20 g is below all.
	edit_conf_all 's/^\(ClusterName=.*\)$/\1 EcoPartition=eco/; $a EcoThreshold=20'
	local id rec
	# A critical job is never put in ECO mode.
	id=$(USER_SLURM_CONF=$(conf_of cal) as_user sbatch --parsable -M cal \
		-J "$(unique_name)" -t 10 --carbon-urgency=critical --wrap true)
	id=${id%%;*}
	wait_sacct "$id" COMPLETED 90
	[ "$(partition_of "$id")" = batch ]
	# A flexible job from cal moves to no, whose sibling copy applies
	# no's profile: its own sacct -L row shows the eco partition.
	id=$(USER_SLURM_CONF=$(conf_of cal) as_user sbatch --parsable \
		-J "$(unique_name)" -t 10 --carbon-urgency=flexible --wrap true)
	wait_sacct "$id" COMPLETED 90
	rec=$(sacct_field "$id" AdminComment)
	[ "$(sacct_field "$id" Cluster)" = no ]
	[ "$(partition_of "$id")" = eco ]
	[[ "$rec" == *'"mode":"eco"'* ]]
	edit_conf_all 's/ EcoPartition=eco$//; /^EcoThreshold=20$/d'
	# Below the threshold again: the job keeps its partition.
	id=$(USER_SLURM_CONF=$(conf_of cal) as_user sbatch --parsable \
		-J "$(unique_name)" -t 10 --carbon-urgency=flexible --wrap true)
	wait_sacct "$id" COMPLETED 90
	[ "$(partition_of "$id")" = batch ]
}
