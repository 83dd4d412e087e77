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
