#!/usr/bin/env bats
# Container jobs through Slurm: sbatch and srun with --container-image on the
# real federation (spank/carbon execs carbon-container for each task).  The
# image is built offline (tests/container/make-image.sh).

load helpers

setup_file() {
	export CJ_DIR
	CJ_DIR=$(mktemp -d /tmp/carbon-cj.XXXXXX)
	chmod 755 "$CJ_DIR"
	"$CARBON_TOP/tests/container/make-image.sh" "$CJ_DIR/img" >/dev/null
	chmod -R a+rX "$CJ_DIR/img"
}

teardown_file() {
	rm -rf "$CJ_DIR"
}

# The job's output file, once the job has ended.
job_output() {
	local id=$1 i
	for i in $(seq 1 90); do
		[[ "$(sacct_field "$id" State)" =~ ^(COMPLETED|FAILED|CANCELLED|TIMEOUT) ]] && break
		sleep 1
	done
	cat "$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)/slurm-$id.out"
}

# No run directory of job $1 is left (slurm_spank_exit removes them).
no_run_dirs() {
	local dir=/tmp/carbon-container.$(id -u "$CARBON_FED_USER") i
	[ -d "$dir" ] # the tasks made it
	for i in $(seq 1 20); do
		[ -z "$(ls "$dir" | grep "^$1\.")" ] && return 0
		sleep 0.5
	done
	ls -l "$dir" >&2
	return 1
}

@test "sbatch --container-image: the batch script runs in the image as the user" {
	local img=oci:$CJ_DIR/img/layout:test id out
	run as_user sbatch --parsable -M cal --container-image="$img" \
		--container-env=GREETING=hello \
		--wrap 'echo "in=$(cat /etc/passwd | head -1 | cut -d: -f1) uid=$(id -u) $CARBON_IMAGE_VAR $GREETING job=$SLURM_JOB_ID"; ls /usr/bin/sbatch 2>&1 | head -1'
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	out=$(job_output "$id")
	echo "$out"
	[[ "$out" == *"in=root uid=$(id -u "$CARBON_FED_USER") from-image hello job=$id"* ]]
	# the image's file system, not the node's
	[[ "$out" == *"No such file or directory"* ]]
	[ "$(sacct_field "$id" State)" = COMPLETED ]
	no_run_dirs "$id"
}

@test "srun --container-image: two tasks, the exit code in sacct" {
	local img=oci:$CJ_DIR/img/layout:test id
	run as_user sbatch --parsable -M cal -n 2 --wrap \
		"srun --container-image=$img sh -c 'echo task \$SLURM_PROCID uid \$(id -u); exit 3'"
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	out=$(job_output "$id")
	echo "$out"
	[ "$(grep -c "uid $(id -u "$CARBON_FED_USER")" <<<"$out")" = 2 ]
	[[ "$out" == *"task 0"* && "$out" == *"task 1"* ]]
	[ "$(sacct -M cal -n -P -j "$id.0" -o ExitCode | head -1)" = 3:0 ]
	no_run_dirs "$id"
}

@test "a bad --container-* value fails sbatch, naming the option" {
	run as_user sbatch -M cal --container-image=Alpine --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *'--container-image: "Alpine" is not an image reference (names are lowercase)'* ]]
	run as_user sbatch -M cal --container-image=alpine --container-mounts=data:/data --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--container-mounts: mount 1 (\"data:/data\") has a relative path"* ]]
	run as_user sbatch -M cal --container-env=A=1 --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *"--container-env needs --container-image"* ]]
}

@test "a missing image: the job fails with the reason in its output, the node stays up" {
	local id out
	run as_user sbatch --parsable -M cal --container-image="oci:$CJ_DIR/img/nothing:test" --wrap true
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	out=$(job_output "$id")
	[[ "$out" == *"carbon-container: cannot find image oci:$CJ_DIR/img/nothing:test"* ]]
	[ "$(sacct_field "$id" State)" = FAILED ]
	run at cal sinfo -h -o %t
	[[ "$output" != *drain* ]]
}

# The host PID of the task of run directory $1 once it runs (the runtime's
# state names it), or nothing after 30 s.
task_pid() {
	local state=$1/runtime/task/state.json i
	for i in $(seq 1 60); do
		if [ -r "$state" ]; then
			python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["init_process_pid"])' "$state" && return 0
		fi
		sleep 0.5
	done
	return 1
}

# Wait until PID $1 is gone (20 s at most).
gone() {
	local i
	for i in $(seq 1 40); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.5
	done
	return 1
}

# Submit a container job that sleeps; sets $id (the job), $pid (its task on
# the host) and $runs (the user's run directories).
start_sleeper() {
	runs=/tmp/carbon-container.$(id -u "$CARBON_FED_USER")
	run as_user sbatch --parsable -M cal \
		--container-image="oci:$CJ_DIR/img/layout:test" --wrap 'sleep 300'
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	pid=$(task_pid "$runs/$id.4294967291.0")
	[ -n "$pid" ]
}

@test "scancel stops a running container job and leaves nothing behind" {
	local id pid runs
	start_sleeper
	run at cal scancel "$id"
	[ "$status" -eq 0 ]
	gone "$pid"
	no_run_dirs "$id"
	[[ "$(sacct_field "$id" State)" == CANCELLED* ]]
}

@test "a killed slurmstepd takes its container task with it; the next job clears the rest" {
	local img=oci:$CJ_DIR/img/layout:test id pid runs runtime stepd next
	start_sleeper
	runtime=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
	stepd=$(awk '/^PPid:/ {print $2}' "/proc/$runtime/status")
	[[ "$(cat "/proc/$stepd/comm")" == slurmstepd ]]
	kill -KILL "$stepd"
	gone "$runtime"
	gone "$pid"
	# what the killed step could not remove: its run directory
	[ -d "$runs/$id.4294967291.0" ]
	run at cal scancel "$id"
	run as_user sbatch --parsable -M cal --container-image="$img" --wrap true
	[ "$status" -eq 0 ]
	next=${lines[-1]%%;*}
	job_output "$next" >/dev/null
	[ "$(sacct_field "$next" State)" = COMPLETED ]
	[ ! -e "$runs/$id.4294967291.0" ]
	no_run_dirs "$next"
	# the node may have been drained for the lost step: back to service
	at cal scontrol update NodeName=ALL State=RESUME >/dev/null 2>&1 || true
}

@test "the options from the job's environment: a job submitted without them runs in the image" {
	# as through slurmrestd or a client without this plugin: the values
	# reach only the job's environment, never sbatch's options
	local img=oci:$CJ_DIR/img/layout:test id out
	run as_user sbatch --parsable -M cal \
		--export=ALL,SLURM_CONTAINER_IMAGE="$img",SLURM_CONTAINER_ENV=GREETING=from-env \
		--wrap 'echo "$CARBON_IMAGE_VAR $GREETING"; ls /usr/bin/sbatch 2>&1 | head -1'
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	out=$(job_output "$id")
	echo "$out"
	[[ "$out" == *"from-image from-env"* ]]
	[[ "$out" == *"No such file or directory"* ]]
	run as_user sbatch --parsable -M cal \
		--export=ALL,SLURM_CONTAINER_IMAGE=Bad:Name --wrap true
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	out=$(job_output "$id")
	echo "$out"
	[ "$(sacct_field "$id" State)" = FAILED ]
	[[ "$out" == *'SLURM_CONTAINER_IMAGE: "Bad:Name" is not an image reference (names are lowercase)'* ]]
}

@test "a bad plugstack.conf argument stops the client, naming the accepted forms" {
	local dir=$CJ_DIR/badconf
	mkdir -p "$dir"
	sed "s|^PlugStackConfig=.*|PlugStackConfig=$dir/plugstack.conf|" "$SLURM_CONF" >"$dir/slurm.conf"
	sed 's|cache_limit=2G|cache_limit=2GB|' "$CARBON_FED_DIR/etc/plugstack.conf" >"$dir/plugstack.conf"
	chmod -R a+rX "$dir"
	USER_SLURM_CONF=$dir/slurm.conf run as_user sbatch -M cal --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *'cache_limit: "2GB" is not a size up to 1024T; use a size in bytes, or with K, M, G or T (e.g. 20G)'* ]]
	sed 's|cache_limit=2G|cache_dir=/x|' "$CARBON_FED_DIR/etc/plugstack.conf" >"$dir/plugstack.conf"
	USER_SLURM_CONF=$dir/slurm.conf run as_user sbatch -M cal --wrap true
	[ "$status" -ne 0 ]
	[[ "$output" == *'unknown or bad plugstack.conf argument "cache_dir=/x"; use libexec=/DIR, runtime=PROGRAM, cache=/DIR (%u: the uid), cache_limit=SIZE (e.g. 20G), mirror=HOST[:PORT]'* ]]
}

@test "the batch step and an srun step see the same environment in the image" {
	local img=oci:$CJ_DIR/img/layout:test a b
	# everything but Slurm's own variables, which differ by step
	local show="env | grep -v -E '^(SLURM_|SLURMD_|PWD=|SHLVL=|_=)' | sort"
	run as_user sbatch --parsable -M cal --container-image="$img" \
		--container-env=GREETING=same --wrap "$show"
	[ "$status" -eq 0 ]
	a=${lines[-1]%%;*}
	run as_user sbatch --parsable -M cal --wrap \
		"srun --container-image=$img --container-env=GREETING=same sh -c \"$show\""
	[ "$status" -eq 0 ]
	b=${lines[-1]%%;*}
	job_output "$a" >"$CJ_DIR/env.batch"
	job_output "$b" >"$CJ_DIR/env.srun"
	cat "$CJ_DIR/env.batch"
	grep -q '^GREETING=same$' "$CJ_DIR/env.batch"
	grep -q '^CARBON_IMAGE_VAR=from-image$' "$CJ_DIR/env.batch"
	diff "$CJ_DIR/env.batch" "$CJ_DIR/env.srun"
}

@test "a signal sent to a container step reaches the task" {
	local img=oci:$CJ_DIR/img/layout:test id out i
	run as_user sbatch --parsable -M cal --wrap \
		"srun --container-image=$img sh -c 'trap \"echo got USR1; exit 0\" USR1; echo ready; while :; do sleep 0.2; done'"
	[ "$status" -eq 0 ]
	id=${lines[-1]%%;*}
	local file
	file="$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)/slurm-$id.out"
	for i in $(seq 1 60); do
		grep -q ready "$file" 2>/dev/null && break
		sleep 0.5
	done
	run at cal scancel --signal=USR1 "$id.0"
	[ "$status" -eq 0 ]
	out=$(job_output "$id")
	echo "$out"
	[[ "$out" == *"got USR1"* ]]
	[ "$(sacct -M cal -n -P -j "$id.0" -o State | head -1)" = COMPLETED ]
}
