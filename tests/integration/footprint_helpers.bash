# Helpers of the footprint tests (48-footprint.bats, 49-footprint-more.bats),
# loaded after helpers.bash.  The model the expected numbers use: 12 W a
# core at full use, 200 W a GPU (carbon.conf's defaults), PUE 1.2 as the
# federation's carbon.conf says, no memory (the clusters allocate none).

# submit_at CLUSTER SBATCH-ARGS...: submit as the test user at CLUSTER;
# prints the job id.
submit_at() {
	local c=$1
	shift
	USER_SLURM_CONF=$(conf_of "$c") as_user sbatch --parsable \
		-J "$(unique_name)" "$@" | cut -d';' -f1
}

# footprint_of JOBID [ROW]: the carbon_fp member of the job's row in sacct -L
# (with ROW, row ROW of sacct -L -D: every run of a requeued job, and the
# origin's REVOKED row of a moved one), once it is there.
footprint_of() {
	local id=$1 row=${2:-1} end=$((SECONDS + 90)) c dup=
	[ $# -lt 2 ] || dup=-D
	while [ $SECONDS -lt $end ]; do
		c=$(sacct -L $dup -X -n -P -j "$id" -o AdminComment 2>/dev/null |
			sed -n "${row}p")
		if [[ "$c" == *'"carbon_fp":{'* ]]; then
			c=${c#*\"carbon_fp\":\{}
			echo "{${c%%\}*}}"
			return 0
		fi
		sleep 1
	done
	echo "job $id row $row: no footprint in AdminComment: '$c'" >&2
	return 1
}

# field JSON KEY: one value of a footprint (python's json, not ours).
field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# close A B [TOL]: |A - B| <= TOL (default 1e-6 + 1% of B).
close() {
	python3 - "$@" <<'EOF'
import sys
a, b = float(sys.argv[1]), float(sys.argv[2])
tol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-6 + 0.01 * abs(b)
if abs(a - b) > tol:
    sys.exit(f"{a} is not {b} (+-{tol})")
EOF
}

# model_kwh JOBID: from sacct's steps: cores x 12 W x TotalCPU/(cores x
# Elapsed) x Elapsed x 1.2 = 12 W x TotalCPU x 1.2, in kWh.
model_kwh() {
	sacct -L -j "$1" -n -P -o JobID,TotalCPU | python3 -c '
import sys
total = 0.0
for line in sys.stdin:
    job, t = line.strip().split("|")
    if "." not in job:
        continue  # the allocation row: its TotalCPU is the steps added
    d = 0
    if "-" in t:
        d, t = t.split("-")
    parts = [float(x) for x in t.split(":")]
    while len(parts) < 3:
        parts.insert(0, 0.0)
    total += int(d) * 86400 + parts[0] * 3600 + parts[1] * 60 + parts[2]
print(12 * total * 1.2 / 3.6e6)'
}

# A busy loop of about S seconds (TotalCPU is what the model prices).
busy() { echo "timeout $1 sh -c 'while :; do :; done'; true"; }

# wait_running CLUSTER JOBID: until squeue shows it RUNNING (30 s at most).
wait_running() {
	local end=$((SECONDS + 30))
	until [ "$(squeue -M "$1" -h -j "$2" -o %T 2>/dev/null | tail -n1)" = RUNNING ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.5
	done
}

# py EXPR: a number computed by python (the test's own arithmetic).
py() { python3 -c "print($1)"; }
