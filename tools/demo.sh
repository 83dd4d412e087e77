#!/bin/bash
# `make demo`: bring up the local three-cluster federation (es, no, cal),
# submit example jobs as an unprivileged user, show where they ran, and
# leave the federation running (`make demo-stop` stops it).
#
# carbon-cached replays the shipped 2023 grid traces (Spain, Norway,
# California) into Redis; job_submit/carbon places each job and records its
# decision in AdminComment; when a job ends, slurmctld/carbon on the cluster
# that ran it adds its footprint (energy, gCO2e over the real run, what running
# at once at its origin would have emitted).  Both are read back from sacct.
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
	local shown=("${@:1:$#-2}") # the options; every job runs "$busy"
	local said=$top/build/demo-sbatch.err
	out=$(as_user sbatch --parsable "$@" 2>"$said") || {
		cat "$said" >&2
		return 1
	}
	ids+=("${out%%;*}")
	printf '  %-66s -> job %s\n' "sbatch ${shown[*]} --wrap ..." "$out"
	# What sbatch told the user (the plan's line, when it moved or deferred)
	sed 's/^/      /' "$said"
}
# Each job keeps one core busy for a few seconds: the power model prices CPU use.
busy="timeout 4 sh -c 'while :; do :; done'; true"
submit -J critical-at-cal -t 10 --carbon-urgency=critical --wrap "$busy"
submit -J flexible-24h -t 60 --carbon-urgency=flexible --carbon-max-delay=24h --wrap "$busy"
submit -J flexible-cal-only -M cal -t 60 --carbon-urgency=flexible --wrap "$busy"
submit -J normal -t 10 --wrap "$busy"
submit -J tight-deadline -t 10 --carbon-deadline=now+15minutes --wrap "$busy"
submit -J at-es-only -M es -t 10 --wrap "$busy"
# A container job: an image built offline from busybox (no registry needed)
"$top/tests/container/make-image.sh" "$top/build/demo-image" >/dev/null
chmod -R a+rX "$top/build/demo-image"
submit -J container -M cal -t 10 --container-image="oci:$top/build/demo-image/layout:test" \
	--wrap "echo \"in the image: \$(cat /etc/os-release 2>/dev/null || echo busybox \$(busybox | head -1 | cut -d' ' -f2)), uid \$(id -u)\"; ($busy) 2>/dev/null"
container_id=${ids[-1]}


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

# The footprint of each finished job: slurmctld/carbon on the cluster that ran
# it writes it within FootprintInterval (10 s here) of the job's end.
printf '\n== waiting for the footprints of the finished jobs'
for id in "${ids[@]}"; do
	for _ in $(seq 1 60); do
		rows=$(sacct -L -X -n -P -j "$id" -o State,AdminComment 2>/dev/null || true)
		grep -qE '^(COMPLETED|FAILED|CANCELLED|TIMEOUT)' <<<"$rows" || break
		grep -q '"carbon_fp"' <<<"$rows" && break
		printf '.'
		sleep 1
	done
done
echo
echo
echo "== each finished job's footprint (sacct -L -o AdminComment, member carbon_fp)"
sacct -L -X -n -P -j "$(IFS=,; echo "${ids[*]}")" -o JobName,Cluster,State,Elapsed,AdminComment |
	python3 -c '
import json, sys
rows = []
for line in sys.stdin:
    name, cluster, state, elapsed, comment = line.rstrip("\n").split("|", 4)
    try:
        fp = json.loads(comment)["carbon_fp"]
    except (ValueError, KeyError):
        continue
    if fp.get("ran"):
        rows.append((name, cluster, elapsed, fp))
print("%-18s %-4s %-8s %-14s %10s %9s %6s %-8s %-9s %9s %9s" %
      ("job", "ran", "elapsed", "energy", "kWh", "gCO2e", "g/kWh", "quality",
       "plan", "at once", "saved"))
tot = [0.0, 0.0, 0.0, 0.0]
for name, cluster, elapsed, fp in rows:
    print("%-18s %-4s %-8s %-14s %10.7f %9.5f %6.1f %-8s %-9s %9.5f %9.5f" %
          (name, fp["on"], elapsed, fp["e"], fp["kwh"], fp["g"], fp["ci"],
           fp["q"], fp["plan"], fp["cf_g"], fp["saved_g"]))
    for i, k in enumerate(("kwh", "g", "cf_g", "saved_g")):
        tot[i] += fp[k]
print("%d finished jobs: %.7f kWh, %.5f gCO2e; %.5f g had each run at once at its origin, %.5f g saved"
      % (len(rows), tot[0], tot[1], tot[2], tot[3]))
print("energy: measured by Slurm, or the power model (CPU use, memory, GPUs, x PUE);")
print("gCO2e over the real run on the zone that ran it; at once: the same energy at its origin at submission")
'
echo
echo "== the container job's output ($home/slurm-$container_id.out)"
sed 's/^/  /' "$home/slurm-$container_id.out" 2>/dev/null || echo "  (not run yet)"

echo "== scarbon report (what a user runs: the same jobs, by cluster)"
"$top/build/bin/scarbon" report -S now-2h --by cluster || true
echo
echo "== scarbon forecast (when and where a 2-hour, 4-core job would emit least)"
"$top/build/bin/scarbon" forecast --runtime 2h --within 24h --cores 4 || true
echo
echo "The federation keeps running. Stop it with: make demo-stop"
