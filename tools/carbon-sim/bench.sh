#!/bin/bash
# The documented carbon-sim experiments (make bench-carbon): the NASA iPSC
# workload on the three shipped 2023 zones, one cluster at a time
# (temporal shifting only) and as a three-cluster federation (spatial and
# temporal), for flexible fractions 0.25/0.5/1.0 and windows 4 h/24 h;
# forecast-quality variants; and a synthetic 100,000-job year for speed.
# Each run writes one JSON file; report.sh turns them into the results page.
#
# Usage: bench.sh CARBON_SIM TRACE_DIR WORKLOAD_SWF OUT_DIR RESULTS_MD
# (make bench-carbon passes build/data/carbon, decompressed from data/carbon,
# and data/workloads/NASA-iPSC-1993-3.1-cln.swf.gz)
set -euo pipefail

sim=$1
traces=$2
swf=$3
out=$4
md=$5
here=$(dirname "$0")

for f in "$swf" "$traces"/emaps2023_{ES,NO,US-CAL-CISO}_hourly.csv; do
	if [ ! -r "$f" ]; then
		echo "bench-carbon: $f is missing (the shipped data)" >&2
		exit 1
	fi
done
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.time

lca='Carbon Intensity gCO₂eq/kWh (LCA)'
cluster() { # NAME ZONE
	printf 'name=%s,cores=128,pue=1.2,trace=%s/emaps2023_%s_hourly.csv,time-col=Datetime (UTC),value-col=%s' \
		"$1" "$traces" "$2" "$lca"
}
ES=$(cluster es ES)
NO=$(cluster no NO)
CAL=$(cluster cal US-CAL-CISO)
common=(--start 2023-03-01T00:00Z --critical-fraction 0 --seed 1 --json --quiet --no-progress)

# run NAME ARGS...: one experiment, its JSON and its wall time
run() {
	local name=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$sim" "$@" --label "$name" >"$out/$name.json"
	t1=$(date +%s.%N)
	echo "$t0 $t1" | awk '{ printf "%.2f\n", $2 - $1 }' >"$out/$name.time"
	printf '  %-32s %6s s\n' "$name" "$(cat "$out/$name.time")"
}

echo "bench-carbon: NASA iPSC 1993 on ES, NO, US-CAL-CISO 2023 -> $out"
for flex in 0.25 0.5 1.0; do
	for delay in 4h 24h; do
		for z in es no cal; do
			case $z in es) one=$ES ;; no) one=$NO ;; cal) one=$CAL ;; esac
			run "temporal-$z-f$flex-d$delay" --workload "$swf" \
				--cluster "$one" "${common[@]}" \
				--flexible-fraction "$flex" --max-delay "$delay"
		done
		run "federation-f$flex-d$delay" --workload "$swf" \
			--cluster "$ES" --cluster "$NO" --cluster "$CAL" \
			"${common[@]}" --flexible-fraction "$flex" --max-delay "$delay"
	done
done

# The forecast the carbon policy sees: perfect, 5% noise (as Let's Wait
# Awhile assumed), 20% noise, and the plugin's seasonal-naive fallback.
for z in es no cal fed; do
	case $z in
	es) c=(--cluster "$ES") ;;
	no) c=(--cluster "$NO") ;;
	cal) c=(--cluster "$CAL") ;;
	fed) c=(--cluster "$ES" --cluster "$NO" --cluster "$CAL") ;;
	esac
	for fc in err5 err20 seasonal; do
		case $fc in
		err5) f=(--forecast-error 5) ;;
		err20) f=(--forecast-error 20) ;;
		seasonal) f=(--forecast seasonal) ;;
		esac
		run "forecast-$z-$fc" --workload "$swf" "${c[@]}" "${common[@]}" \
			--flexible-fraction 1.0 --max-delay 24h --policy agnostic,carbon,oracle "${f[@]}"
	done
done

# Per-job shifting without capacity limits (as the published upper bounds):
# the same zones with a cluster far larger than the workload.
for z in es no cal; do
	case $z in es) one=$ES ;; no) one=$NO ;; cal) one=$CAL ;; esac
	run "unlimited-$z" --workload "$swf" --cluster "${one/cores=128/cores=1000000}" \
		"${common[@]}" --flexible-fraction 1.0 --max-delay 24h --policy agnostic,carbon,oracle
done

# Speed and saturation: 100,000 synthetic jobs over 2023 on three clusters.
"$sim" --gen-swf 100000 --gen-days 365 --gen-cores 128 --gen-load 0.6 --seed 1 >"$out/synth-100k.swf"
run synth-100k --workload "$out/synth-100k.swf" \
	--cluster "$ES" --cluster "$NO" --cluster "$CAL" \
	--start 2023-01-01T00:00Z --critical-fraction 0.1 --flexible-fraction 0.5 \
	--max-delay 24h --seed 1 --json --quiet --no-progress
rm -f "$out/synth-100k.swf"

"$here/report.sh" "$out" >"$md.tmp"
mv "$md.tmp" "$md"
echo "bench-carbon: wrote $md"
