#!/bin/bash
# `make demo`: bring up the local three-cluster federation (es, no, cal),
# submit example jobs as an unprivileged user, show where they ran, and
# leave the federation running (`make demo-stop` stops it).
#
# Carbon-aware placement, deferral and per-job emissions arrive with the
# policy issues; for now the demo shows the plugins loaded and the
# options flowing through a real federation.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fed=$top/cluster-configs/local/federation.sh

if ! "$fed" status >/dev/null 2>&1; then
	"$fed" up
fi
eval "$("$fed" env cal)"
home=$(getent passwd "$CARBON_FED_USER" | cut -d: -f6)
as_user() { (cd "$home" && runuser -u "$CARBON_FED_USER" -- env SLURM_CONF="$SLURM_CONF" "$@"); }

echo
echo "== Submitting as $CARBON_FED_USER at cluster cal"
ids=()
submit() {
	local out
	out=$(as_user sbatch --parsable "$@")
	ids+=("${out%%;*}")
	printf '  %-58s -> job %s\n' "sbatch $*" "$out"
}
submit -J critical-at-cal --carbon-urgency=critical --wrap 'sleep 2'
submit -J flexible-24h --carbon-urgency=flexible --carbon-max-delay=24h --wrap 'sleep 2'
submit -J tight-deadline --carbon-deadline=now+1hour -t 10 --wrap 'sleep 2'
submit -M es -J at-es --wrap 'sleep 1'
submit -M no -J at-no --wrap 'sleep 1'

echo
echo "== squeue --federation"
squeue --federation -o '%.12i %.16j %.9P %.8u %.2t %.10M %R' || true

printf '\n== waiting for the accounting records'
for id in "${ids[@]}"; do
	for _ in $(seq 1 60); do
		st=$(sacct -L -X -n -P -j "$id" -o State 2>/dev/null | head -n 1)
		case "$st" in COMPLETED | FAILED | CANCELLED* | TIMEOUT) break ;; esac
		printf '.'
		sleep 1
	done
done
echo
echo
echo "== sacct -L (one row per job, on the cluster that ran it)"
sacct -L -X -j "$(IFS=,; echo "${ids[*]}")" \
	-o JobID%12,JobName%16,Cluster%8,User%10,State%10,Elapsed,Start%20
echo
echo "The federation keeps running. Stop it with: make demo-stop"
