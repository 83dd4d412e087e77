#!/bin/bash
# `make demo`: bring up the local three-cluster federation (es, no, cal),
# submit example jobs as an unprivileged user, show where they ran, and
# leave the federation running (`make demo-stop` stops it).
#
# carbon-cached replays the shipped 2023 grid traces (Spain, Norway,
# California) into Redis; job_submit/carbon places each job and records its
# decision in AdminComment, which the summary at the end reads back from
# sacct.  Per-job measured emissions come with the SPANK accounting work.
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
submit -J critical-at-cal -t 10 --carbon-urgency=critical --wrap 'sleep 2'
submit -J flexible-24h -t 60 --carbon-urgency=flexible --carbon-max-delay=24h --wrap 'sleep 2'
submit -J flexible-cal-only -M cal -t 60 --carbon-urgency=flexible --wrap 'sleep 2'
submit -J normal -t 10 --wrap 'sleep 2'
submit -J tight-deadline -t 10 --carbon-deadline=now+15minutes --wrap 'sleep 2'
submit -J at-es-only -M es -t 10 --wrap 'sleep 1'

echo
echo "== squeue --federation"
squeue --federation -o '%.12i %.16j %.9P %.8u %.2t %.10M %R' || true

printf '\n== waiting for the accounting records (deferred jobs stay pending)'
for id in "${ids[@]}"; do
	for _ in $(seq 1 60); do
		# Any cluster's row: a job run by a sibling is REVOKED at its origin.
		states=$(sacct -L -X -n -P -j "$id" -o State 2>/dev/null || true)
		grep -qE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT)' <<<"$states" && break
		# Deferred to a cleaner window: pending until its begin time.  (squeue
		# -M all fails for every cluster that does not hold the job.)
		reasons=$(squeue -M all -h -j "$id" -o %r 2>/dev/null || true)
		[[ $reasons == *BeginTime* ]] && break
		printf '.'
		sleep 1
	done
done
echo
echo
echo "== sacct -L (one row per job, on the cluster that ran it or holds it)"
sacct -L -X -j "$(IFS=,; echo "${ids[*]}")" \
	-o JobID%12,JobName%18,Cluster%8,User%10,State%10,Elapsed,Start%20,Eligible%20
echo
echo "== the carbon decision recorded on each job (sacct -o AdminComment)"
# One row per job: the cluster that ran it (its sacct -L row), else the first.
# A pending job has no AdminComment in the database yet: ask its origin.
for id in "${ids[@]}"; do
	rows=$(sacct -L -X -n -P -j "$id" -o JobName,Cluster,State,AdminComment)
	row=$(grep -m 1 -vE '^[^|]*\|[^|]*\|(PENDING|REVOKED)\|' <<<"$rows" ||
		head -n 1 <<<"$rows")
	if [ -z "${row##*|}" ]; then
		comment=$(scontrol show job "$id" 2>/dev/null | sed -n 's/^ *AdminComment=//p')
		row="$row$comment"
	fi
	echo "$row"
done | python3 -c '
import json, sys
tot_exp = tot_now = 0.0
print("%-18s %-9s %-15s %-8s %6s %6s  %s" %
      ("job", "ran at", "plan", "quality", "gCO2e", "now", "why"))
for line in sys.stdin:
    name, cluster, state, comment = line.rstrip("\n").split("|", 3)
    ran = cluster if state not in ("PENDING", "REVOKED") else "(pending)"
    try:
        c = json.loads(comment)["carbon"]
    except (ValueError, KeyError):
        print("%-18s %-9s (no carbon decision recorded)" % (name, ran))
        continue
    # Expected grams where the job ran (the ranking prices every cluster it
    # may run on), else where the plan puts it.
    cost = dict(r.split(":") for r in c.get("rank", "").split(",") if ":" in r)
    g = float(cost.get(cluster, c["exp_g"])) if ran == cluster else c["exp_g"]
    plan = c["at"] + (" " + c["begin"][11:16] + "Z" if c["begin"] != "now" else " now")
    if g >= 0 and c["now_g"] >= 0:
        tot_exp += g; tot_now += c["now_g"]
    print("%-18s %-9s %-15s %-8s %6.2f %6.2f  %s" %
          (name, ran, plan, c["q"], g, c["now_g"], c["why"]))
print("gCO2e: expected where the job ran, or where the plan puts it; now: at once at its origin")
if tot_now > 0:
    print("total: %.2f gCO2e against %.2f if every job ran at once at its origin (%.0f%% less)"
          % (tot_exp, tot_now, 100 * (tot_now - tot_exp) / tot_now))
'
echo
echo "The federation keeps running. Stop it with: make demo-stop"
